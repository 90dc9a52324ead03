"""Progress of a caption run: a rich bar with rate and ETA, or nothing (library use, tests)."""

from __future__ import annotations

from typing import Protocol

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


class ProgressSink(Protocol):
    def start(self, total: int, description: str) -> None: ...

    def advance(self, ok: int, failed: int) -> None: ...

    def stop(self) -> None: ...


class NoProgress:
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
    """``caption delta ━━━━━━━━ 120/600 · 3 failed · 41.2/s · 0:00:03 · ETA 0:00:12`` (pairs per second)."""

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
