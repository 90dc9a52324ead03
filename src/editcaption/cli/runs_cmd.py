"""`editcaption runs list|show`: the runs recorded in a workspace (caption, import, scoring ...)."""

from __future__ import annotations

from typing import Annotated

import typer

from ._common import DbOpt, JsonOpt, WorkspaceOpt, console, fail, in_session, open_workspace, print_json

runs_app = typer.Typer(help="Runs recorded in the workspace.\n\nExample: editcaption runs list", no_args_is_help=True)


@runs_app.command("list")
def list_cmd(
    kind: Annotated[str | None, typer.Option(help="Only runs of this kind (caption, import ...).")] = None,
    as_json: JsonOpt = False,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """List runs: name, kind, status, counts and times; with --json one object per line.

    Example: editcaption runs list --kind caption
    """
    from ..caption.records import list_runs, run_json

    rows = in_session(workspace, db, lambda s: [run_json(r) for r in list_runs(s, kind)])
    if as_json:
        for row in rows:
            print_json({k: v for k, v in row.items() if k != "config"})
        return
    from rich.table import Table

    table = Table("run", "kind", "status", "ok", "failed", "model", "started")
    for col in table.columns:
        col.overflow = "fold"  # long names (run ids, model specs) fold instead of being cut
    table.columns[6].no_wrap = True
    for r in rows:
        c = r["counts"] or {}
        table.add_row(r["id"], r["kind"], r["status"], str(c.get("ok", "")), str(c.get("failed", "")),
                      str((r["config"] or {}).get("model", "")), _when(r["started_at"]))
    console.print(table)
    console.print(f"{len(rows)} runs")


@runs_app.command("show")
def show_cmd(
    name: Annotated[str, typer.Argument(help="Run name.")],
    as_json: JsonOpt = False,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Show one run: its full config (model, prompt id, options), package version, status and counts.

    Example: editcaption runs show teacher-v1 --json
    """
    from ..caption.records import run_counts, run_json
    from ..workspace.models import RunRecord

    ws = open_workspace(workspace, db)
    with ws.session() as s:
        run = s.get(RunRecord, name)
        if run is None:
            ws.close()
            fail(f"no run {name!r} in {ws.root} (see: editcaption runs list)")
        # Counts straight from the instructions, so a run killed mid-way shows where it stands.
        data = run_json(run, {**(run.counts or {}), **run_counts(s, name)})
    ws.close()
    if as_json:
        print_json(data)
        return
    console.print_json(data=data, default=str)


def _when(value) -> str:  # noqa: ANN001 - datetime or None
    return value.strftime("%m-%d %H:%M") if value else ""


def register(app: typer.Typer) -> None:
    app.add_typer(runs_app, name="runs")
