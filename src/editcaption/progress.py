"""Progress bars, one module for both kinds of long work.

- **Item stages** (caption, score, eval judge, gt draft; :mod:`editcaption.runner`) report to a
  :class:`ProgressSink`: the number of items, then how many finished ok or failed as they are
  saved. :class:`RichProgress` draws a bar with rate and ETA; :class:`NoProgress` draws nothing.
- **Phased steps** (ingest, export) call ``on_progress(phase, done, total)`` for each phase they
  go through ("ingesting pairs", "hashing images", "writing parquet"...), ``total`` known before
  the phase starts. :class:`PhaseBar` draws one bar line per phase.

The CLI draws on standard error, and draws nothing with ``--json`` or ``--no-progress``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

ProgressCallback = Callable[[str, int, int], None]


class ProgressSink(Protocol):
    """Told the number of items to do, then how many finished ok / failed as they are saved."""

    def start(self, total: int, description: str) -> None: ...

    def advance(self, ok: int, failed: int) -> None: ...

    def stop(self) -> None: ...


class NoProgress:
    """No bar (library use, tests, --json, --no-progress)."""

    def start(self, total: int, description: str) -> None:
        pass

    def advance(self, ok: int, failed: int) -> None:
        pass

    def stop(self) -> None:
        pass


class _RateColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:.1f}/s" if speed else "?/s", style="progress.data.speed")


class RichProgress:
    """``caption delta ━━━━━━━━ 120/600 · 3 failed · 41.2/s · 0:00:03 · ETA 0:00:12`` (items per second)."""

    def __init__(self, console: Console | None = None):
        self.console = console or Console(stderr=True)
        self._progress: Progress | None = None
        self._task = None
        self._failed = 0

    def start(self, total: int, description: str) -> None:
        self._progress = Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("· [red]{task.fields[failed]} failed"), TextColumn("·"), _RateColumn(),
            TextColumn("·"), TimeElapsedColumn(), TextColumn("· ETA"), TimeRemainingColumn(),
            console=self.console, transient=False, speed_estimate_period=10.0,
        )
        self._progress.start()
        self._task = self._progress.add_task(description, total=total, failed=0)

    def advance(self, ok: int, failed: int) -> None:
        if self._progress is None or self._task is None:
            return
        self._failed += failed
        self._progress.update(self._task, advance=ok + failed, failed=self._failed)

    def stop(self) -> None:
        if self._progress is not None:
            self._progress.stop()
        self._progress = None


class PhaseBar:
    """``with PhaseBar(console) as bar: step(..., on_progress=bar)``: a bar with done/total per phase."""

    def __init__(self, console: Any):
        self._progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                  TimeElapsedColumn(), console=console, transient=True)
        self._tasks: dict[str, Any] = {}

    def __enter__(self) -> PhaseBar:
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def __call__(self, phase: str, done: int, total: int) -> None:
        task = self._tasks.get(phase)
        if task is None:
            task = self._tasks[phase] = self._progress.add_task(phase, total=total)
        self._progress.update(task, completed=done, total=total)
