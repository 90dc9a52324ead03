"""Caption over Ray Data: batches of pairs → actor workers (one backend each) → the driver.

:class:`RayExecutor` is an :class:`editcaption.runner.Executor`: the driver builds a dataset of
pending pairs (ids and image paths), maps it with a pool of actors that each hold one
backend (an HTTP client for ``openai:``, a loaded model for ``hf:``, the analyzer for
``delta``) and run the runner's :class:`~editcaption.runner.LocalExecutor` with the same
``prepare`` and ``call`` as a local run, then streams the results back to the runner, whose
writer merges them into the workspace as blocks finish (idempotently: see
:mod:`editcaption.caption.records`). A driver killed mid-run resumes from the workspace like
a local run.

Workers read images from the workspace's image store by path, so on a multi-node cluster
the workspace folder must be on storage every node mounts at the same path (NFS, a shared
volume), and the database reachable from the driver (SQLite on that volume, or PostgreSQL).
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ..prompts import PromptTemplate
from .config import CaptionConfig
from .items import Outcome, PairTask


class CaptionWorker:
    """A Ray Data actor: builds one backend and captions the batches it is given."""

    def __init__(self, config: CaptionConfig, prompt: PromptTemplate | None):
        from ..runner import LocalExecutor
        from .backends import build_backend
        from .pipeline import Preparer, backend_call

        self.backend = build_backend(config)
        self.executor = LocalExecutor(backend_call(self.backend),
                                      prepare=Preparer(self.backend, prompt, config.wants_hints(prompt)),
                                      workers=self.backend.concurrency, batch_size=self.backend.batch_size,
                                      threads=2)
        # One long-lived event loop per actor: the HTTP client's connections belong to it.
        self.loop = asyncio.new_event_loop()
        self.pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="caption-prep")

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[Any]]:
        tasks = [PairTask(str(p), str(s), str(t))
                 for p, s, t in zip(batch["pair_id"], batch["source_path"], batch["target_path"], strict=True)]
        outcomes: list[Outcome] = []
        stop = threading.Event()

        def keep(outs: list[Outcome]) -> None:
            outcomes.extend(outs)
            if any(o.fatal for o in outs):
                stop.set()  # the rest of this batch would be refused the same way

        self.loop.run_until_complete(self.executor.run_async(tasks, keep, stop, pool=self.pool))
        rows = [o.to_row() for o in outcomes]
        # Usage as JSON text: a column of small dicts with varying keys does not suit Arrow.
        return {
            "pair_id": [r["pair_id"] for r in rows],
            "text": [r["text"] for r in rows],
            "reason": [r["reason"] for r in rows],
            "message": [r["message"] for r in rows],
            "usage": [json.dumps(r["usage"]) for r in rows],
            "attempts": [r["attempts"] for r in rows],
            "fatal": [r["fatal"] for r in rows],
        }


def _ensure_ray(address: str | None) -> Any:
    from ..importutils import require

    require("ray", feature="--executor ray")
    import ray

    if not ray.is_initialized():
        kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False,
                                  "logging_level": "warning"}
        if address:
            kwargs["address"] = address
        ray.init(**kwargs)
    return ray


class RayExecutor:
    """Caption the pending pairs on Ray (see the module docstring); results reach ``emit`` on the driver."""

    def __init__(self, config: CaptionConfig, prompt: PromptTemplate | None):
        self.config = config
        self.prompt = prompt

    def run(self, items: Iterable[PairTask], emit: Callable[[list[Outcome]], None], stop: threading.Event) -> None:
        config = self.config
        ray = _ensure_ray(config.ray_address)
        from ray.data import ActorPoolStrategy, DataContext

        ctx = DataContext.get_current()
        ctx.enable_progress_bars = False  # the runner shows its own bar
        logging.getLogger("ray.data").setLevel(logging.WARNING)
        rows = [{"pair_id": t.pair_id, "source_path": t.source_path, "target_path": t.target_path} for t in items]
        batch = max(1, config.ray_batch_size)
        blocks = max(1, min(len(rows) // batch + (len(rows) % batch > 0), 10_000))
        ds = ray.data.from_items(rows, override_num_blocks=blocks)
        remote: dict[str, Any] = {"num_cpus": 1}
        if config.ray_gpus_per_worker:
            remote["num_gpus"] = config.ray_gpus_per_worker
        results = ds.map_batches(
            CaptionWorker,
            fn_constructor_kwargs={"config": config, "prompt": self.prompt},
            batch_size=batch,
            batch_format="numpy",
            compute=ActorPoolStrategy(size=config.ray_workers),
            **remote,
        )
        for table in results.iter_batches(batch_size=None, batch_format="pyarrow"):
            emit([Outcome.from_row({**row, "usage": json.loads(row["usage"] or "{}")}) for row in table.to_pylist()])
            if stop.is_set():
                break  # a fatal answer: leaving the iterator shuts the pipeline down
