"""Options and helpers shared by every CLI module (kept tiny: the CLI only parses and calls)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console

console = Console()
err_console = Console(stderr=True)

WorkspaceOpt = Annotated[
    Path | None,
    typer.Option(
        "--workspace",
        "-w",
        envvar="EDITCAPTION_WORKSPACE",
        help="Workspace folder (default: $EDITCAPTION_WORKSPACE, else ./editcaption-workspace).",
        show_default=False,
    ),
]
DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db",
        envvar="EDITCAPTION_DB",
        help="Database URL (default: SQLite inside the workspace; e.g. postgresql://user@host/db).",
        show_default=False,
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON instead of a table.")]
WhereOpt = Annotated[
    list[str] | None,
    typer.Option("--where", help="Filter pairs: key=value[,value] with key in id, name, category, subtype, split, origin."),
]


def fail(message: str, code: int = 2) -> NoReturn:
    """Print a one-line error to stderr and exit with ``code``."""
    err_console.print(f"[bold red]Error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def open_workspace(workspace: Path | None, db: str | None, *, create: bool = False):  # noqa: ANN201
    from ..workspace import Workspace, WorkspaceError

    try:
        return Workspace.open(workspace, db, create=create)
    except WorkspaceError as exc:
        fail(str(exc))


def print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()
