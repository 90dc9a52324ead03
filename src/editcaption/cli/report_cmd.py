"""`editcaption report`: Markdown and a self-contained HTML page from the workspace's evaluations."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._common import DbOpt, JsonOpt, WorkspaceOpt, console, open_workspace, print_json


def report(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for report.md, report.html, report.json and charts/.", file_okay=False)],
    charts: Annotated[bool, typer.Option("--charts/--no-charts", help="Draw bar charts (matplotlib).")] = True,
    as_json: JsonOpt = False,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Write the evaluation report: human evaluation (Table 2 layout), models × benchmarks with
    S/Acc/Comp/Clar (Table 3), ablations of tagged runs (Table 4), per-category breakdowns, bar
    charts and judge–human agreement. Works offline on whatever the workspace holds.

    Example: editcaption report --out report/
    """
    from ..evaluate.report import write_report

    ws = open_workspace(workspace, db)
    try:
        files = write_report(ws, out, charts=charts)
    finally:
        ws.close()
    result = {"markdown": str(files.markdown), "html": str(files.html), "data": str(files.data),
              "charts": [str(c) for c in files.charts], "scorers": files.report.scorers,
              "runs": [r["id"] for r in files.report.runs]}
    if as_json:
        print_json(result)
    else:
        console.print(f"Report: [bold]{files.html}[/] and {files.markdown} "
                      f"({len(files.report.runs)} runs, scorers: {', '.join(files.report.scorers) or 'none'})")


def register(app: typer.Typer) -> None:
    app.command("report")(report)
