"""The caption run engine: resumable runs whose results reach the workspace as they arrive.

``run_caption(ws, config)``:

1. resolves the prompt and the run (a new one, or the run of that name to resume; a run
   started with another model or prompt is refused);
2. selects the pairs (``where``, the first ``limit``), skips the ones this run already has
   an ``ok`` instruction for — and the ``failed`` ones unless ``retry_failed``;
3. captions the rest through the stage runner (:mod:`editcaption.runner`), locally
   (asyncio + threads) or over Ray Data; the runner's single writer merges outcomes into the
   workspace in batches as they come, so a kill loses at most the requests in flight and
   the last fraction of a second of answers;
4. finishes the run with its totals and returns a :class:`CaptionSummary`.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from ..prompts import PromptTemplate
from ..runner import DONE, FAILED, ProgressSink, RunReport, Stage, Verdict, plan, run_stage
from ..workspace import Workspace
from ..workspace.models import RunRecord
from ..workspace.queries import finish_run, get_or_start_run
from .backends import build_backend
from .config import CaptionConfig, CaptionConfigError
from .items import Outcome, PairTask
from .pipeline import Preparer, backend_call
from .records import merge_outcomes, run_counts, run_statuses, select_tasks

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


def _verdict(outcome: Outcome) -> Verdict:
    return Verdict(ok=outcome.ok, reason=outcome.reason, fatal=outcome.error if outcome.fatal else None)


class _CaptionStage:
    """The caption run's select and write (the call side comes from the backend)."""

    def __init__(self, ws: Workspace, config: CaptionConfig, run_name: str, producer: str, prompt_id: str | None):
        self.ws, self.config, self.run = ws, config, run_name
        self.producer, self.prompt_id = producer, prompt_id
        self.tasks: list[PairTask] = []
        self.tokens: Counter[str] = Counter()  # of this invocation's outcomes, counted as they are written

    def select(self) -> list[tuple[PairTask, str | None]]:
        self.tasks = select_tasks(self.ws, self.config.where, self.config.limit)
        with self.ws.session() as s:
            statuses = run_statuses(s, self.run)
        previous = {"ok": DONE, "failed": FAILED}
        return [(t, previous.get(statuses.get(t.pair_id, ""))) for t in self.tasks]

    def write(self, s: Session, outcomes: list[Outcome]) -> None:
        merge_outcomes(s, self.run, self.producer, self.prompt_id, outcomes)
        for o in outcomes:
            for key in ("prompt_tokens", "completion_tokens", "total_tokens"):
                value = o.usage.get(key)
                if isinstance(value, int):
                    self.tokens[key] += value

    def complete(self) -> bool:
        """Every selected pair has an ok instruction in this run."""
        with self.ws.session() as s:
            statuses = run_statuses(s, self.run)
        return all(statuses.get(t.pair_id) == "ok" for t in self.tasks)


def run_caption(ws: Workspace, config: CaptionConfig, *, progress: ProgressSink | None = None) -> CaptionSummary:
    """Caption the selected pairs; see the module docstring. Raises CaptionConfigError / ModelSpecError."""
    config.validate()
    prompt = config.prompt()
    run_name = config.run_name or config.default_run_name(prompt)
    with ws.session() as s:
        existing = s.get(RunRecord, run_name)
        if existing is not None:
            _check_resumable(existing, config, prompt)
    producer = str(config.spec())
    captions = _CaptionStage(ws, config, run_name, producer, prompt.id if prompt else None)
    stage: Stage[PairTask, Outcome] = Stage(RUN_KIND, select=captions.select, write=captions.write, verdict=_verdict)
    report = plan(stage, retry_failed=config.retry_failed)
    summary = CaptionSummary(
        run=run_name, resumed=existing is not None, producer=producer, prompt_id=captions.prompt_id,
        executor=config.executor, selected=report.selected, already_done=report.already_done,
        failed_not_retried=report.failed_not_retried, attempted=report.attempted,
    )
    executor = None
    if report.pending and config.executor == "ray":
        from .ray_executor import ray_executor

        executor = ray_executor(config, prompt, ws.store)
    elif report.pending:
        # Build the backend before the run is marked running, so a bad key variable or an
        # unloadable checkpoint fails cleanly (and nothing is loaded when nothing is pending).
        backend = build_backend(config)
        stage = dataclasses.replace(
            stage, prepare=Preparer(backend, prompt, config.wants_hints(prompt), ws.store), call=backend_call(backend),
            workers=backend.concurrency, batch_size=backend.batch_size, close=backend.aclose)
    with ws.session() as s:
        get_or_start_run(s, run_name, RUN_KIND, config.to_record(prompt))
    try:
        run_stage(ws, stage, report, executor=executor, progress=progress, description=f"caption {producer}")
    finally:
        _finish(ws, summary, report, captions)
    return summary


def _finish(ws: Workspace, summary: CaptionSummary, report: RunReport, captions: _CaptionStage) -> None:
    summary.wall_time = report.wall_time
    summary.done, summary.failed = report.ok, report.failed
    summary.failed_by_reason = dict(sorted(report.failed_by_reason.items()))
    summary.tokens = dict(captions.tokens)
    summary.stopped = report.stopped
    summary.status = report.status(complete=report.finished and captions.complete())
    with ws.session() as s:
        totals = run_counts(s, summary.run)
        summary.run_totals = totals
        finish_run(s, summary.run, summary.status,
                   {**totals, "selected": summary.selected,
                    "last": {"done": report.ok, "failed": report.failed, "wall_time": round(report.wall_time, 3)}})
