"""`editcaption instructions export`: a run's instructions as JSONL."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._common import DbOpt, WorkspaceOpt, err_console, fail, open_workspace, write_jsonl

instructions_app = typer.Typer(help="Instructions in the workspace.\n\nExample: editcaption instructions export --run teacher-v1",
                               no_args_is_help=True)


@instructions_app.command("export")
def export_cmd(
    run: Annotated[str, typer.Option("--run", help="Run name.")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Output file (default: standard output).", dir_okay=False)] = None,
    status: Annotated[str, typer.Option(help="ok, failed or all.")] = "ok",
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Write a run's instructions as JSONL: pair_id, pair_name, run, producer, prompt_version, status,
    instruction, error, attempts, usage, created_at.

    Example: editcaption instructions export --run teacher-v1 -o teacher-v1.jsonl
    """
    from ..caption.records import iter_instructions
    from ..workspace.models import RunRecord

    if status not in ("ok", "failed", "all"):
        fail(f"--status must be ok, failed or all, not {status!r}")
    ws = open_workspace(workspace, db)
    try:
        with ws.session() as s:
            if s.get(RunRecord, run) is None:
                fail(f"no run {run!r} in {ws.root} (see: editcaption runs list)")
            n = write_jsonl(iter_instructions(s, run, None if status == "all" else status), out)
    finally:
        ws.close()
    if out:
        err_console.print(f"{n} instructions → {out}")



def register(app: typer.Typer) -> None:
    app.add_typer(instructions_app, name="instructions")
