"""The per-pair work of a caption run, as the runner's ``prepare`` and ``call``: load → (hints) → prompt → encode → model.

:class:`Preparer` runs on worker threads, ahead of the calls (decode, hints, prompt, encode; or,
when no hints are wanted and the backend can, encode straight from the files); a pair that
cannot be loaded becomes a failed :class:`Outcome` right there. :func:`backend_call`
hands prepared pairs, ``backend.batch_size`` at a time, to the backend; a backend that raises
fails its batch, never the run. Both executors (local and Ray) use these two.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from ..imageio import ImageDecodeError, decode_file
from ..prompts import PromptTemplate
from ..runner import Finished
from .backends.base import CaptionBackend
from .items import Outcome, PairFiles, PairInput, PairTask


def pair_hints(source: Any, target: Any) -> str:
    """The delta analyzer's grounding block for a grounded prompt."""
    from ..delta import analyze, grounding_hints

    return grounding_hints(analyze(source, target))


class Preparer:
    """Turns a :class:`PairTask` into what the backend's ``caption`` takes, or :class:`Finished` (a failed outcome).

    The pair's images are read through ``store`` — the workspace's, or a Ray worker's copy of it.
    """

    def __init__(self, backend: CaptionBackend, prompt: PromptTemplate | None, with_hints: bool, store: Any):
        self.backend = backend
        self.store = store
        self.prompt = prompt
        self.with_hints = with_hints
        # Without hints, every pair gets the same prompt text.
        self.plain_text = prompt.render() if prompt is not None and backend.uses_prompt and not with_hints else None

    def __call__(self, pair: PairTask) -> Any:
        try:
            task = PairFiles(pair.pair_id, str(self.store.local_path(pair.source)),
                             str(self.store.local_path(pair.target)))
        except Exception as exc:  # noqa: BLE001 - the store cannot be reached: this pair fails, retryable
            return Finished(Outcome.failed(pair.pair_id, "image_read", f"{type(exc).__name__}: {exc}"))
        if not self.with_hints:
            try:
                encoded = self.backend.encode_files(task, self.plain_text)
            except ImageDecodeError as exc:
                return Finished(Outcome.failed(task.pair_id, "image_decode", str(exc)))
            except Exception as exc:  # noqa: BLE001
                return Finished(Outcome.failed(task.pair_id, "encode_error", f"{type(exc).__name__}: {exc}"))
            if encoded is not None:
                return encoded
        try:
            source = decode_file(task.source_path).rgb
            target = decode_file(task.target_path).rgb
        except ImageDecodeError as exc:
            return Finished(Outcome.failed(task.pair_id, "image_decode", str(exc)))
        hints = None
        if self.with_hints:
            try:
                hints = pair_hints(source, target)
            except Exception as exc:  # noqa: BLE001 - one bad pair never stops the run
                return Finished(Outcome.failed(task.pair_id, "hints_error", f"{type(exc).__name__}: {exc}"))
        text = self.prompt.render(hints) if self.prompt is not None and self.backend.uses_prompt else None
        item = PairInput(pair_id=task.pair_id, source=source, target=target, prompt=text, hints=hints)
        try:
            return self.backend.encode(item)
        except Exception as exc:  # noqa: BLE001
            return Finished(Outcome.failed(task.pair_id, "encode_error", f"{type(exc).__name__}: {exc}"))


def backend_call(backend: CaptionBackend) -> Callable[[list[Any]], Awaitable[list[Outcome]]]:
    """The runner's ``call``: the backend on a batch of encoded pairs, its failures kept per batch."""

    async def call(encoded: list[Any]) -> list[Outcome]:
        try:
            return await backend.caption(encoded)
        except Exception as exc:  # noqa: BLE001 - a backend bug fails its batch, not the run
            return [Outcome.failed(enc.pair_id, "backend_error", f"{type(exc).__name__}: {exc}") for enc in encoded]

    return call
