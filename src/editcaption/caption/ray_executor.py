"""Captioning on Ray: the runner's :class:`~editcaption.runner.ray_executor.RayExecutor` with a caption recipe.

Each actor builds one backend from the :class:`CaptionConfig` (an HTTP client for ``openai:``,
a loaded model for ``hf:``, the analyzer for ``delta``) and prepares pairs with the same
:class:`~editcaption.caption.pipeline.Preparer` as a local run, reading the images through its
copy of the workspace's store. Outcomes merge idempotently (:mod:`editcaption.caption.records`),
so a batch redone after a worker died adds no second row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..prompts import PromptTemplate
from ..runner.ray_executor import RayExecutor, RayOptions, WorkerSide
from .config import CaptionConfig
from .items import Outcome


@dataclass
class CaptionRecipe:
    """What a caption actor needs: the run's settings, its prompt, and the store to read images from."""

    config: CaptionConfig
    prompt: PromptTemplate | None
    store: Any

    def build(self) -> WorkerSide:
        from .backends import build_backend
        from .pipeline import Preparer, backend_call

        backend = build_backend(self.config)
        return WorkerSide(backend_call(backend),
                          prepare=Preparer(backend, self.prompt, self.config.wants_hints(self.prompt), self.store),
                          workers=backend.concurrency, batch_size=backend.batch_size, fatal=_fatal)


def _fatal(outcome: Outcome) -> bool:
    return outcome.fatal


def ray_executor(config: CaptionConfig, prompt: PromptTemplate | None, store: Any) -> RayExecutor:
    """The executor for ``caption --executor ray``."""
    return RayExecutor(CaptionRecipe(config, prompt, store),
                       RayOptions(address=config.ray_address, workers=config.ray_workers,
                                  batch_size=config.ray_batch_size, gpus_per_worker=config.ray_gpus_per_worker))
