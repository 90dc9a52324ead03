"""What every caption backend provides.

A run hands a backend batches of :class:`PairInput` and gets one :class:`Outcome` per pair
back; a backend never raises for a single bad pair. Work happens in two steps:

* :meth:`CaptionBackend.encode` — CPU work for one pair (resize, encode images), run on a
  worker thread so the event loop stays free; a backend that needs only the image files
  (no decoded pixels) can take them straight from :meth:`CaptionBackend.encode_files`;
* :meth:`CaptionBackend.caption` — the model call for a batch of encoded pairs.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from ..items import Outcome, PairFiles, PairInput


class CaptionBackend(ABC):
    producer: str = "unknown"  # stored with every instruction
    uses_prompt: bool = True
    batch_size: int = 1  # pairs per caption() call
    concurrency: int = 1  # caption() calls in flight at once

    def encode(self, item: PairInput) -> Any:
        """Per-pair preparation on a worker thread; the default passes the input through."""
        return item

    def encode_files(self, task: PairFiles, prompt: str | None) -> Any | None:
        """Per-pair preparation from the stored files, when no grounding hints need the pixels.

        None (the default) means the pair is decoded and handed to :meth:`encode`; an unreadable
        file raises ``ImageDecodeError``.
        """
        return None

    @abstractmethod
    async def caption(self, encoded: list[Any]) -> list[Outcome]:
        """One outcome per encoded pair, in order."""

    async def aclose(self) -> None:  # noqa: B027 - optional hook; most backends hold nothing to release
        """Release connections or models."""

    def describe(self) -> dict[str, Any]:
        """What the run summary shows about the backend."""
        return {"producer": self.producer, "batch_size": self.batch_size, "concurrency": self.concurrency}
