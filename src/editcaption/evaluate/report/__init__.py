"""``editcaption report``: Markdown and a self-contained HTML page from whatever the workspace holds.

Library use::

    from editcaption.evaluate.report import write_report
    files = write_report(ws, "report/")   # report.md, report.html, report.json, charts/*.png
    files = write_report(ws, "report/", runs=["a"])        # one run, with its example gallery
    files = write_report(ws, "report/", runs=["a", "b"])   # two runs: which pairs got better or worse
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from ...atomicfile import write_atomic
from ...progress import ProgressCallback
from ...workspace import Workspace
from .charts import make_charts
from .collect import ReportData, collect
from .findings import instruction_runs
from .gallery import Gallery, build_gallery
from .html import render_html
from .images import DEFAULT_BUDGET_MB
from .markdown import render_markdown
from .sections import build_sections


@dataclass
class ReportFiles:
    markdown: Path
    html: Path
    data: Path
    charts: list[Path]
    report: ReportData
    gallery: Gallery | None = None


class ReportError(ValueError):
    """A report that cannot be made as asked (an unknown run, too many runs)."""


def _check_runs(ws: Workspace, runs: list[str]) -> None:
    if len(runs) > 2:
        raise ReportError(f"give one run, or two to compare (got {len(runs)})")
    if len(set(runs)) != len(runs):
        raise ReportError("the two runs to compare are the same run")
    known = set(instruction_runs(ws))
    missing = [r for r in runs if r not in known]
    if missing:
        raise ReportError(f"no instructions in run {missing[0]!r} (see `editcaption runs list`)")


def write_report(ws: Workspace, out: str | os.PathLike[str], *, charts: bool = True,
                 runs: list[str] | None = None, gallery: bool = True,
                 gallery_mb: float = DEFAULT_BUDGET_MB, on_progress: ProgressCallback | None = None) -> ReportFiles:
    """Collect, render and write the report into ``out`` (created if needed).

    ``runs``: report on one run, or compare two (A then B); default every run. ``gallery``:
    add the example gallery (runs the instruction checker on every instruction shown, one
    delta analysis per pair); its embedded pictures stay within ``gallery_mb`` megabytes.
    ``on_progress(phase, done, total)`` hears how the checker pass goes.
    """
    runs = list(runs or [])
    _check_runs(ws, runs)
    out = Path(out)
    (out / "charts").mkdir(parents=True, exist_ok=True)
    data = collect(ws, runs=runs or None)
    shown = None
    if gallery:
        shown = build_gallery(ws, runs or instruction_runs(ws), budget_mb=gallery_mb, compare=len(runs) == 2,
                              on_progress=on_progress)
        data.gallery = shown.to_json()
    images = make_charts(data) if charts else {}
    sections = build_sections(data, images)
    chart_paths = []
    for name, chart in images.items():
        path = out / "charts" / name
        write_atomic(path, chart.png)
        chart_paths.append(path)
    md, html, js = out / "report.md", out / "report.html", out / "report.json"
    write_atomic(md, render_markdown(data, sections, shown))
    write_atomic(html, render_html(data, sections, images, shown))
    write_atomic(js, json.dumps(data.to_json(), indent=2, default=str) + "\n")
    return ReportFiles(md, html, js, chart_paths, data, shown)


__all__ = ["ReportData", "ReportError", "ReportFiles", "collect", "write_report"]
