"""``delta``: the offline captioner — the visual delta analyzer's measurements, put in words."""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor

from ..items import Outcome, PairInput
from .base import CaptionBackend


def describe_pair(source, target) -> str:  # noqa: ANN001 - RGB arrays
    from ...delta import analyze, describe

    return describe(analyze(source, target))


class DeltaBackend(CaptionBackend):
    producer = "delta"
    uses_prompt = False

    def __init__(self, concurrency: int | None = None):
        # Analysis is OpenCV/numpy work that releases the GIL: one thread per core.
        self.concurrency = concurrency or (os.cpu_count() or 1)
        self._pool = ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="delta")

    async def caption(self, encoded: list[PairInput]) -> list[Outcome]:
        loop = asyncio.get_running_loop()
        return [await loop.run_in_executor(self._pool, self._one, item) for item in encoded]

    @staticmethod
    def _one(item: PairInput) -> Outcome:
        try:
            text = describe_pair(item.source, item.target)
        except Exception as exc:  # noqa: BLE001 - one bad pair never stops the run
            return Outcome.failed(item.pair_id, "delta_error", f"{type(exc).__name__}: {exc}")
        if not text.strip():
            return Outcome.failed(item.pair_id, "empty_content", "the analyzer produced no text")
        return Outcome(pair_id=item.pair_id, text=text.strip())

    async def aclose(self) -> None:
        self._pool.shutdown(wait=False)
