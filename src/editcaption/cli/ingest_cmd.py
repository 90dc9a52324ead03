"""`editcaption ingest`: bring pairs into the workspace."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from ._common import DbOpt, JsonOpt, WorkspaceOpt, console, err_console, fail, open_workspace, print_json


def ingest(
    source: Annotated[Path, typer.Argument(help="A folder of pairs, a manifest (CSV/JSONL/JSON/Parquet) or dataset Parquet files.")],
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="auto | folder | manifest | hqedit | bytemorph | magicbrush")
    ] = "auto",
    both_directions: Annotated[
        bool, typer.Option("--both-directions", help="HQ-Edit: also ingest each inverse edit as its own pair.")
    ] = False,
    max_pixels: Annotated[
        int | None, typer.Option("--max-pixels", help="Refuse images larger than this (decompression-bomb guard).")
    ] = None,
    as_json: JsonOpt = False,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Ingest (source, target) pairs. Re-running adds nothing; broken files are reported, never fatal.

    Folder layouts, at any depth and mixed: NAME_src.EXT + NAME_tgt.EXT (also _source/_target, _0/_1),
    or src/ + tgt/ sub-folders with matching names; every image that is in no pair is reported with
    its reason. Manifests have source/target columns (paths relative to
    the manifest, or image bytes) and optional id, instruction, category, subtype, split,
    ground_truth.

    Example: editcaption ingest ./my-pairs --json
    """
    from ..ingest import SourceError, resolve_format
    from ..ingest import ingest as run_ingest
    from ..progress import PhaseBar
    from ..store import StoreError

    ws = open_workspace(workspace, db, create=True)
    try:
        try:
            fmt_resolved = resolve_format(source, fmt)
        except SourceError as exc:
            fail(str(exc))
        with nullcontext() if as_json else PhaseBar(err_console) as bar:  # no bar with --json
            report = run_ingest(ws, source, fmt_resolved, both_directions=both_directions, max_pixels=max_pixels,
                                on_progress=bar)
    except SourceError as exc:
        fail(str(exc))
    except StoreError as exc:  # the image store went away: pairs committed so far are kept
        fail(f"{exc}. Pairs ingested before the failure are kept; run the same command again to continue.", code=1)
    finally:
        ws.close()
    for w in report.warnings:
        err_console.print(f"[yellow]warning:[/] {escape(str(w))}", highlight=False)
    if as_json:
        print_json(report.as_json())
        return
    from rich.table import Table

    console.print(f"[bold]{report.ingested}[/] ingested, {report.duplicates} duplicates, "
                  f"{len(report.rejected)} rejected ({report.format}) → {ws.root}")
    if report.rejected:
        table = Table("rejected file", "reason", show_lines=False)
        for r in report.rejected:
            table.add_row(r["path"], r["reason"])
        console.print(table)


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest)
