"""`editcaption report`: Markdown and a self-contained HTML page from the workspace's evaluations."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path
from typing import Annotated

import typer

from ._common import DbOpt, JsonOpt, WorkspaceOpt, console, err_console, fail, open_workspace, print_json


def report(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for report.md, report.html, report.json and charts/.", file_okay=False)],
    charts: Annotated[bool, typer.Option("--charts/--no-charts", help="Draw bar charts (matplotlib).")] = True,
    run: Annotated[list[str] | None, typer.Option(
        "--run", help="Report on this run only; give it twice (A, then B) to compare two runs pair by pair.")] = None,
    gallery: Annotated[bool, typer.Option(
        "--gallery/--no-gallery", help="Add the example gallery (runs the instruction checker on every instruction "
                                       "shown: one delta analysis per pair).")] = True,
    gallery_mb: Annotated[float, typer.Option(
        "--gallery-mb", min=0.0, help="Bound on the gallery's embedded pictures, in MB (pairs past it are shown "
                                      "without pictures).")] = 8.0,
    as_json: JsonOpt = False,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Write the evaluation report: human evaluation (Table 2 layout), models × benchmarks with
    S/Acc/Comp/Clar (Table 3), ablations of tagged runs (Table 4), per-category breakdowns, bar
    charts, judge–human agreement, and an example gallery: per failure mode and severity the
    worst and the most typical instruction with its source, target and difference heatmap,
    flagged words highlighted (click a picture to enlarge it). With two --run options the
    gallery shows which pairs got better or worse from the first run to the second. One
    self-contained HTML file; works offline on whatever the workspace holds.

    Example: editcaption report --out report/ --run source:manifest --run demo-delta
    """
    from ..evaluate.report import ReportError, write_report
    from ..progress import PhaseBar

    ws = open_workspace(workspace, db)
    try:
        with nullcontext() if as_json else PhaseBar(err_console) as bar:  # no bar with --json
            files = write_report(ws, out, charts=charts, runs=run, gallery=gallery, gallery_mb=gallery_mb,
                                 on_progress=bar)
    except ReportError as exc:
        fail(str(exc))
    finally:
        ws.close()
    g = files.gallery
    result = {"markdown": str(files.markdown), "html": str(files.html), "data": str(files.data),
              "charts": [str(c) for c in files.charts], "scorers": files.report.scorers,
              "runs": [r["id"] for r in files.report.runs],
              "gallery": None if g is None else {"examined": g.examined, "flagged": g.flagged, "cells": len(g.cells),
                                                 "embedded_bytes": g.embedded_bytes,
                                                 "unanalysed": len(g.unanalysed)}}
    if as_json:
        print_json(result)
    else:
        console.print(f"Report: [bold]{files.html}[/] and {files.markdown} "
                      f"({len(files.report.runs)} runs, scorers: {', '.join(files.report.scorers) or 'none'})")
        if g is not None:
            console.print(f"Examples: {g.flagged} of {g.examined} instructions have findings, {len(g.cells)} failure "
                          f"modes shown, {g.embedded_bytes / 1048576:.2f} MB of pictures")


def register(app: typer.Typer) -> None:
    app.command("report")(report)
