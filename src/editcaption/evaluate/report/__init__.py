"""``editcaption report``: Markdown and a self-contained HTML page from whatever the workspace holds.

Library use::

    from editcaption.evaluate.report import write_report
    files = write_report(ws, "report/")   # report.md, report.html, report.json, charts/*.png
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from ...atomicfile import write_atomic
from ...workspace import Workspace
from .charts import make_charts
from .collect import ReportData, collect
from .html import render_html
from .markdown import render_markdown
from .sections import build_sections


@dataclass
class ReportFiles:
    markdown: Path
    html: Path
    data: Path
    charts: list[Path]
    report: ReportData




def write_report(ws: Workspace, out: str | os.PathLike[str], *, charts: bool = True) -> ReportFiles:
    """Collect, render and write the report into ``out`` (created if needed)."""
    out = Path(out)
    (out / "charts").mkdir(parents=True, exist_ok=True)
    data = collect(ws)
    images = make_charts(data) if charts else {}
    sections = build_sections(data, images)
    chart_paths = []
    for name, png in images.items():
        path = out / "charts" / name
        write_atomic(path, png)
        chart_paths.append(path)
    md, html, js = out / "report.md", out / "report.html", out / "report.json"
    write_atomic(md, render_markdown(data, sections))
    write_atomic(html, render_html(data, sections, images))
    write_atomic(js, json.dumps(data.to_json(), indent=2, default=str) + "\n")
    return ReportFiles(md, html, js, chart_paths, data)


__all__ = ["ReportData", "ReportFiles", "collect", "write_report"]
