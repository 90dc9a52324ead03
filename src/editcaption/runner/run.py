"""Running a stage: what to do (resume), doing it (an executor), keeping it (the writer), and stopping.

    report = plan(stage, retry_failed=False)          # selected, already done, pending
    run_stage(ws, stage, report, progress=bar)        # fills in ok / failed / stopped / wall time

* **resume** — :func:`plan` skips the items an earlier run finished, and the failed ones
  unless ``retry_failed``;
* **fatal answers** — the first result whose verdict is fatal (a 401/403/404) stops the
  executor from taking new items; ``report.stopped`` says why;
* **Ctrl-C, errors** — whatever finished before is written before the exception goes on
  (``report.finished`` stays False, so the stage records its run as interrupted, and the CLI
  says that a rerun resumes);
* **progress** — the bar advances as results are committed, so what it shows is saved.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .. import testhook
from ..progress import NoProgress, ProgressSink
from ..workspace import Workspace
from .executor import Executor, LocalExecutor
from .stage import DONE, FAILED, Stage
from .writer import BatchWriter


@dataclass
class RunReport:
    """One invocation of a stage: what it was asked, what it did, and how it ended."""

    pending: list[Any] = field(repr=False)
    selected: int
    already_done: int
    failed_not_retried: int
    ok: int = 0
    failed: int = 0
    failed_by_reason: Counter[str] = field(default_factory=Counter)
    stopped: str | None = None  # why the run stopped early (a fatal answer), if it did
    finished: bool = False  # False: interrupted (Ctrl-C) or broken off by an error
    wall_time: float = 0.0

    @property
    def attempted(self) -> int:
        return len(self.pending)

    def status(self, complete: bool) -> str:
        """The run's status: interrupted, aborted (fatal answer), else done if ``complete``, else partial."""
        if not self.finished:
            return "interrupted"
        if self.stopped:
            return "aborted"
        return "done" if complete else "partial"


def plan(stage: Stage, *, retry_failed: bool = False) -> RunReport:
    """Select the stage's items and decide which to do now."""
    pending: list[Any] = []
    selected = done = failed_kept = 0
    for item, previous in stage.select():
        selected += 1
        if previous == DONE:
            done += 1
        elif previous == FAILED and not retry_failed:
            failed_kept += 1
        else:
            pending.append(item)
    return RunReport(pending=pending, selected=selected, already_done=done, failed_not_retried=failed_kept)


def run_stage(ws: Workspace, stage: Stage, report: RunReport, *, executor: Executor | None = None,
              progress: ProgressSink | None = None, description: str | None = None) -> RunReport:
    """Do ``report.pending`` with ``executor`` (default: :class:`LocalExecutor`), writing results as they come."""
    if not report.pending:
        report.finished = True
        return report
    progress = progress or NoProgress()
    stop = threading.Event()
    lock = threading.Lock()

    def emit(results: list[Any]) -> None:
        for result in results:
            verdict = stage.verdict(result)
            if verdict.fatal:
                with lock:
                    report.stopped = report.stopped or verdict.fatal
                stop.set()
        writer.submit(results)

    def written(results: list[Any]) -> None:
        ok = 0
        for result in results:
            verdict = stage.verdict(result)
            if verdict.ok:
                ok += 1
            else:
                report.failed_by_reason[verdict.reason or "unknown"] += 1
        report.ok += ok
        report.failed += len(results) - ok
        progress.advance(ok, len(results) - ok)
        testhook.item_done(stage.name, len(results))  # kill-and-resume tests only; a no-op otherwise

    writer = BatchWriter(ws, stage, written)
    progress.start(len(report.pending), description or stage.name)
    started = time.perf_counter()
    try:
        (executor or LocalExecutor.for_stage(stage)).run(report.pending, emit, stop)
    finally:
        try:
            writer.close()  # what finished is kept, whatever stopped the run
        finally:
            progress.stop()
            report.wall_time = time.perf_counter() - started
    report.finished = True
    return report
