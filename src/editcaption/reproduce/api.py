"""``run_mini``: one call for the whole miniature reproduction (what the CLI runs)."""

from __future__ import annotations

import json
import os
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import MiniConfig
from .report import render
from .runner import Progress, run_all, start_run

REPORT = "report.md"
TIMING = "timing.json"


@dataclass
class MiniResult:
    out: Path
    report: Path
    markdown: str
    progress: Progress
    wall_seconds: float

    @property
    def failed(self) -> dict[str, str]:
        bad = {k: r.get("error", "failed") for k, r in self.progress.records.items() if r.get("status") != "done"}
        return {**bad, **self.progress.skipped}


def _load_average() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def _machine() -> str:
    return f"{os.cpu_count()} CPU cores ({platform.machine()}, {platform.processor() or 'cpu'})"


def run_mini(config: MiniConfig, out: str | os.PathLike[str], *, command: str = "editcaption reproduce mini",
             on_event: Callable[[str], None] | None = None) -> MiniResult:
    """Run (or resume) every task of ``config`` under ``out``, then write ``out/report.md``."""
    root = Path(out)
    start_run(root, config, command)
    load_before = _load_average()
    started = time.time()
    progress = run_all(root, config, on_event=on_event)
    wall = time.time() - started
    timing_path = root / TIMING
    old: dict[str, Any] = {}
    if timing_path.is_file():
        old = json.loads(timing_path.read_text(encoding="utf-8"))
    tasks = dict(old.get("tasks") or {})
    new = {k: r.get("seconds", 0.0) for k, r in progress.records.items() if r.get("status") == "done"
           and k not in tasks}
    tasks.update(new)
    if old and not new:  # nothing left to run: only the report is written again
        timing = {**old, "tasks": tasks}
    else:  # a resumed run adds this invocation's wall time to the earlier ones
        timing = {"wall_minutes": round(float(old.get("wall_minutes", 0.0)) + wall / 60, 1),
                  "invocations": int(old.get("invocations", 0)) + 1,
                  "load_before": old.get("load_before", load_before), "load_after": _load_average(),
                  "machine": _machine(), "finished": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                  "tasks": tasks}
    timing_path.write_text(json.dumps(timing, indent=2), encoding="utf-8")
    markdown = render(root, config, timing)
    report = root / REPORT
    report.write_text(markdown + "\n", encoding="utf-8")
    return MiniResult(out=root, report=report, markdown=markdown, progress=progress, wall_seconds=wall)
