"""The caption run engine: resumable runs whose results reach the workspace as they arrive.

``run_caption(ws, config)``:

1. resolves the prompt and the run (a new one, or the run of that name to resume; a run
   started with another model or prompt is refused);
2. selects the pairs (``where``, the first ``limit``), skips the ones this run already has
   an ``ok`` instruction for — and the ``failed`` ones unless ``retry_failed``;
3. captions the rest with the local executor (asyncio + threads) or over Ray Data; a
   single writer merges outcomes into the workspace in small transactions as they come,
   so a kill at any moment loses at most the requests in flight;
4. finishes the run with its totals and returns a :class:`CaptionSummary`.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from ..prompts import PromptTemplate
from ..workspace import Workspace
from ..workspace.models import RunRecord
from ..workspace.queries import finish_run, get_or_start_run
from .backends import build_backend
from .config import CaptionConfig, CaptionConfigError
from .items import Outcome, PairTask
from .pipeline import Preparer, caption_tasks
from .progress import NoProgress, ProgressSink
from .records import run_counts, run_statuses, select_tasks, write_outcomes

RUN_KIND = "caption"


@dataclass
class CaptionSummary:
    """What one invocation did (``done``/``failed``/``tokens``) and where the run stands (``run_totals``)."""

    run: str
    resumed: bool
    producer: str
    prompt_id: str | None
    executor: str
    selected: int = 0
    already_done: int = 0
    failed_not_retried: int = 0
    attempted: int = 0
    done: int = 0
    failed: int = 0
    failed_by_reason: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, int] = field(default_factory=dict)
    wall_time: float = 0.0
    status: str = "running"
    stopped: str | None = None  # why the run stopped early, if it did
    run_totals: dict[str, Any] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return (self.done + self.failed) / self.wall_time if self.wall_time > 0 else 0.0

    def to_json(self) -> dict[str, Any]:
        out = {k: v for k, v in self.__dict__.items()}
        out["rate_pairs_per_s"] = round(self.rate, 2)
        out["wall_time"] = round(self.wall_time, 3)
        return out


class _Tally:
    """Counts of this invocation, updated as outcomes are written."""

    def __init__(self) -> None:
        self.done = 0
        self.failed = 0
        self.reasons: Counter[str] = Counter()
        self.tokens: Counter[str] = Counter()
        self.stopped: str | None = None

    def add(self, outcomes: list[Outcome]) -> tuple[int, int]:
        ok = failed = 0
        for o in outcomes:
            if o.ok:
                ok += 1
            else:
                failed += 1
                self.reasons[o.reason or "unknown"] += 1
                if o.fatal and self.stopped is None:
                    self.stopped = o.error
            for key in ("prompt_tokens", "completion_tokens", "total_tokens"):
                value = o.usage.get(key)
                if isinstance(value, int):
                    self.tokens[key] += value
        self.done += ok
        self.failed += failed
        return ok, failed


def _check_resumable(existing: RunRecord, config: CaptionConfig, prompt: PromptTemplate | None) -> None:
    """A run name is resumed only by the same model and prompt (a different one needs a new name)."""
    if existing.kind != RUN_KIND:
        raise CaptionConfigError(f"run {existing.id!r} already exists as a {existing.kind} run; choose another --run-name")
    old = existing.config or {}
    new = config.to_record(prompt)
    for key, label in (("producer_key", "model"), ("prompt_id", "prompt")):
        if old.get(key) != new[key]:
            raise CaptionConfigError(
                f"run {existing.id!r} was started with {label} {old.get(key)!r}, not {new[key]!r}; "
                "resume it with the same settings or choose another --run-name")


def _final_status(tally: _Tally, interrupted: bool, ws: Workspace, run_name: str, selected: list[PairTask]) -> str:
    if interrupted:
        return "interrupted"
    if tally.stopped:
        return "aborted"
    with ws.session() as s:
        statuses = run_statuses(s, run_name)
    wanted = [statuses.get(t.pair_id) for t in selected]
    if any(st is None for st in wanted):
        return "partial"
    return "done" if all(st == "ok" for st in wanted) else "partial"


def run_caption(ws: Workspace, config: CaptionConfig, *, progress: ProgressSink | None = None) -> CaptionSummary:
    """Caption the selected pairs; see the module docstring. Raises CaptionConfigError / ModelSpecError."""
    config.validate()
    prompt = config.prompt()
    run_name = config.run_name or config.default_run_name(prompt)
    progress = progress or NoProgress()
    tasks = select_tasks(ws, config.where, config.limit)
    with ws.session() as s:
        existing = s.get(RunRecord, run_name)
        if existing is not None:
            _check_resumable(existing, config, prompt)
        statuses = run_statuses(s, run_name)
    pending = [t for t in tasks if statuses.get(t.pair_id) is None
               or (config.retry_failed and statuses[t.pair_id] == "failed")]
    summary = CaptionSummary(
        run=run_name, resumed=existing is not None, producer=str(config.spec()),
        prompt_id=prompt.id if prompt else None, executor=config.executor, selected=len(tasks),
        already_done=sum(statuses.get(t.pair_id) == "ok" for t in tasks),
        failed_not_retried=0 if config.retry_failed else sum(statuses.get(t.pair_id) == "failed" for t in tasks),
        attempted=len(pending),
    )
    # Build the backend before the run is marked running, so a bad key variable or an
    # unloadable checkpoint fails cleanly (and nothing is loaded when nothing is pending).
    backend = build_backend(config) if pending and config.executor == "local" else None
    with ws.session() as s:
        get_or_start_run(s, run_name, RUN_KIND, config.to_record(prompt))
    tally = _Tally()
    started = time.perf_counter()
    interrupted = True
    try:
        if pending:
            progress.start(len(pending), f"caption {summary.producer}")
            writer = _Writer(ws, run_name, summary.producer, summary.prompt_id, tally, progress)
            if config.executor == "ray":
                from .ray_executor import run_on_ray

                run_on_ray(pending, config, prompt, writer.write_now)
            else:
                assert backend is not None
                asyncio.run(_run_local(backend, pending, prompt, config, writer))
        interrupted = False
    finally:
        progress.stop()
        summary.wall_time = time.perf_counter() - started
        summary.done, summary.failed = tally.done, tally.failed
        summary.failed_by_reason = dict(sorted(tally.reasons.items()))
        summary.tokens = dict(tally.tokens)
        summary.stopped = tally.stopped
        summary.status = _final_status(tally, interrupted, ws, run_name, tasks)
        with ws.session() as s:
            totals = run_counts(s, run_name)
            summary.run_totals = totals
            finish_run(s, run_name, summary.status,
                       {**totals, "selected": len(tasks),
                        "last": {"done": tally.done, "failed": tally.failed, "wall_time": round(summary.wall_time, 3)}})
    return summary


class _Writer:
    """The single writer: merges outcome batches into the workspace and advances the progress bar."""

    def __init__(self, ws: Workspace, run: str, producer: str, prompt_id: str | None, tally: _Tally,
                 progress: ProgressSink):
        self.ws, self.run, self.producer, self.prompt_id = ws, run, producer, prompt_id
        self.tally, self.progress = tally, progress

    def write_now(self, outcomes: list[Outcome]) -> None:
        write_outcomes(self.ws, self.run, self.producer, self.prompt_id, outcomes)
        ok, failed = self.tally.add(outcomes)
        self.progress.advance(ok, failed)


async def _run_local(backend: Any, pending: list[PairTask], prompt: PromptTemplate | None, config: CaptionConfig,
                     writer: _Writer) -> None:
    queue: asyncio.Queue[list[Outcome] | None] = asyncio.Queue()
    loop = asyncio.get_running_loop()
    db_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="caption-db")
    preparers = max(2, os.cpu_count() or 2)
    prep_pool = ThreadPoolExecutor(max_workers=preparers, thread_name_prefix="caption-prep")

    async def drain() -> None:
        # Take whatever has arrived (at least one batch) and commit it in one transaction.
        while True:
            first = await queue.get()
            if first is None:
                return
            batch, done = list(first), False
            while not queue.empty() and len(batch) < 512:
                nxt = queue.get_nowait()
                if nxt is None:
                    done = True
                    break
                batch.extend(nxt)
            await loop.run_in_executor(db_pool, writer.write_now, batch)
            if done:
                return

    writer_task = asyncio.create_task(drain())

    async def sink(outcomes: list[Outcome]) -> None:
        if writer_task.done():
            writer_task.result()  # the writer failed (database gone?): stop, do not compute results we cannot keep
        await queue.put(outcomes)

    try:
        preparer = Preparer(backend, prompt, config.wants_hints(prompt))
        await caption_tasks(backend, pending, preparer, sink, pool=prep_pool, preparers=preparers)
    finally:
        await queue.put(None)
        await writer_task
        await backend.aclose()
        prep_pool.shutdown(wait=False, cancel_futures=True)
        db_pool.shutdown(wait=True)
