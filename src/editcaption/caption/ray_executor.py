"""Caption over Ray Data: batches of pairs → actor workers (one backend each) → the driver.

The driver builds a dataset of pending pairs (ids and image paths), maps it with a pool of
actors that each hold one backend (an HTTP client for ``openai:``, a loaded model for
``hf:``, the analyzer for ``delta``) and run the same per-pair pipeline as the local
executor, then streams the results back and merges them into the workspace as blocks
finish (idempotently: see :mod:`editcaption.caption.records`). A driver killed mid-run
resumes from the workspace like a local run.

Workers read images from the workspace's image store by path, so on a multi-node cluster
the workspace folder must be on storage every node mounts at the same path (NFS, a shared
volume), and the database reachable from the driver (SQLite on that volume, or PostgreSQL).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ..prompts import PromptTemplate
from .config import CaptionConfig
from .items import Outcome, PairTask


class CaptionWorker:
    """A Ray Data actor: builds one backend and captions the batches it is given."""

    def __init__(self, config: CaptionConfig, prompt: PromptTemplate | None):
        from .backends import build_backend
        from .pipeline import Preparer

        self.backend = build_backend(config)
        self.preparer = Preparer(self.backend, prompt, config.wants_hints(prompt))
        # One long-lived event loop per actor: the HTTP client's connections belong to it.
        self.loop = asyncio.new_event_loop()
        self.pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="caption-prep")

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[Any]]:
        from .pipeline import caption_tasks

        tasks = [PairTask(str(p), str(s), str(t))
                 for p, s, t in zip(batch["pair_id"], batch["source_path"], batch["target_path"], strict=True)]
        outcomes: list[Outcome] = []

        async def sink(outs: list[Outcome]) -> None:
            outcomes.extend(outs)

        self.loop.run_until_complete(caption_tasks(self.backend, tasks, self.preparer, sink, pool=self.pool))
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


def run_on_ray(pending: list[PairTask], config: CaptionConfig, prompt: PromptTemplate | None,
               write: Callable[[list[Outcome]], None]) -> None:
    """Caption ``pending`` on Ray; ``write`` is called on the driver with each finished batch."""
    ray = _ensure_ray(config.ray_address)
    from ray.data import ActorPoolStrategy, DataContext

    ctx = DataContext.get_current()
    ctx.enable_progress_bars = False  # the engine shows its own bar
    logging.getLogger("ray.data").setLevel(logging.WARNING)
    rows = [{"pair_id": t.pair_id, "source_path": t.source_path, "target_path": t.target_path} for t in pending]
    batch = max(1, config.ray_batch_size)
    blocks = max(1, min(len(rows) // batch + (len(rows) % batch > 0), 10_000))
    ds = ray.data.from_items(rows, override_num_blocks=blocks)
    remote: dict[str, Any] = {"num_cpus": 1}
    if config.ray_gpus_per_worker:
        remote["num_gpus"] = config.ray_gpus_per_worker
    results = ds.map_batches(
        CaptionWorker,
        fn_constructor_kwargs={"config": config, "prompt": prompt},
        batch_size=batch,
        batch_format="numpy",
        compute=ActorPoolStrategy(size=config.ray_workers),
        **remote,
    )
    for table in results.iter_batches(batch_size=None, batch_format="pyarrow"):
        outcomes = [
            Outcome.from_row({**row, "usage": json.loads(row["usage"] or "{}")}) for row in table.to_pylist()
        ]
        write(outcomes)
        if any(o.fatal for o in outcomes):
            break  # leaving the iterator shuts the pipeline down
