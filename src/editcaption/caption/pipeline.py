"""The per-pair pipeline both executors run: load → (hints) → prompt → encode → model call.

:func:`caption_tasks` prepares pairs ahead on a thread pool (decode, hints, prompt,
encode) and hands them, ``backend.batch_size`` at a time, to ``backend.concurrency`` workers
that call the backend and pass the outcomes on. A pair that cannot be loaded, or a backend that raises, becomes a
failed :class:`Outcome` with a reason; a fatal outcome (bad API key, unknown model) stops
the workers from taking new pairs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from concurrent.futures import Executor
from itertools import islice
from typing import Any

from ..imageio import ImageDecodeError, decode_file
from ..prompts import PromptTemplate
from .backends.base import CaptionBackend
from .items import Outcome, PairInput, PairTask


def pair_hints(source: Any, target: Any) -> str:
    """The delta analyzer's grounding block for a grounded prompt."""
    from ..delta import analyze, grounding_hints

    return grounding_hints(analyze(source, target))


class Preparer:
    """Turns a :class:`PairTask` into what the backend's ``caption`` takes, or a failed outcome."""

    def __init__(self, backend: CaptionBackend, prompt: PromptTemplate | None, with_hints: bool):
        self.backend = backend
        self.prompt = prompt
        self.with_hints = with_hints

    def __call__(self, task: PairTask) -> tuple[Any, Outcome | None]:
        try:
            source = decode_file(task.source_path).rgb
            target = decode_file(task.target_path).rgb
        except ImageDecodeError as exc:
            return None, Outcome.failed(task.pair_id, "image_decode", str(exc))
        hints = None
        if self.with_hints:
            try:
                hints = pair_hints(source, target)
            except Exception as exc:  # noqa: BLE001 - one bad pair never stops the run
                return None, Outcome.failed(task.pair_id, "hints_error", f"{type(exc).__name__}: {exc}")
        text = self.prompt.render(hints) if self.prompt is not None and self.backend.uses_prompt else None
        item = PairInput(pair_id=task.pair_id, source=source, target=target, prompt=text, hints=hints)
        try:
            return self.backend.encode(item), None
        except Exception as exc:  # noqa: BLE001
            return None, Outcome.failed(task.pair_id, "encode_error", f"{type(exc).__name__}: {exc}")


OutcomeSink = Callable[[list[Outcome]], Awaitable[None]]


async def caption_tasks(
    backend: CaptionBackend,
    tasks: Iterable[PairTask],
    prepare: Preparer,
    sink: OutcomeSink,
    *,
    pool: Executor,
    preparers: int = 2,
    stop: asyncio.Event | None = None,
) -> None:
    """Caption every task (until ``stop`` is set), passing each batch's outcomes to ``sink``.

    ``preparers`` batches are prepared at once on ``pool`` and queued ahead of the model
    calls, so a worker whose answer arrives sends its next request without waiting for
    image decoding and encoding.
    """
    loop = asyncio.get_running_loop()
    stop = stop or asyncio.Event()
    source = iter(tasks)
    workers = max(1, backend.concurrency)
    # At most this many prepared batches wait for a worker. The queue itself is unbounded so
    # that end markers can always be put without waiting (even while being cancelled).
    slots = asyncio.Semaphore(workers + preparers)
    ready: asyncio.Queue[list[tuple[Any, Outcome | None]] | None] = asyncio.Queue()

    async def producer() -> None:
        while not stop.is_set():
            await slots.acquire()
            batch = list(islice(source, backend.batch_size))
            if not batch:
                slots.release()
                return
            prepared = await asyncio.gather(*(loop.run_in_executor(pool, prepare, t) for t in batch))
            ready.put_nowait(prepared)

    async def worker() -> None:
        while True:
            prepared = await ready.get()
            if prepared is None:
                return
            slots.release()
            if stop.is_set():
                return
            outcomes = [fail for _enc, fail in prepared if fail is not None]
            encoded = [enc for enc, fail in prepared if fail is None]
            if encoded:
                try:
                    outcomes += await backend.caption(encoded)
                except Exception as exc:  # noqa: BLE001 - a backend bug fails its batch, not the run
                    outcomes += [Outcome.failed(enc.pair_id, "backend_error", f"{type(exc).__name__}: {exc}")
                                 for enc in encoded]
            if any(o.fatal for o in outcomes):
                stop.set()
            await sink(outcomes)

    async def produce_all() -> None:
        try:
            await asyncio.gather(*(producer() for _ in range(max(1, preparers))))
        finally:
            for _ in range(workers):
                ready.put_nowait(None)  # one end marker per worker

    feeding = asyncio.create_task(produce_all())
    try:
        await asyncio.gather(*(worker() for _ in range(workers)))
    finally:
        if not feeding.done():
            feeding.cancel()  # stopped early: prepared pairs not yet sent stay pending
        try:
            await feeding
        except asyncio.CancelledError:
            pass
