"""Options and helpers shared by every CLI module (kept tiny: the CLI only parses and calls)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

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
    # the message is plain text: brackets in it (``editcaption[train]``, paths) are not markup
    err_console.print(f"[bold red]Error:[/] {escape(message)}", highlight=False, soft_wrap=True)
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


def run_resumable(
    ws: Any,
    call: Callable[[], Any],
    *,
    errors: tuple[type[BaseException], ...],
    what: str,
    saved: str,
    as_json: bool,
    show: Callable[[Any], None],
) -> Any:
    """Run a long, resumable stage (caption, score, judge) and report it the same way everywhere.

    Known ``errors`` become a one-line failure; Ctrl-C exits 130 and a database error exits 1,
    both saying that ``saved`` are kept and a rerun resumes; the summary is printed (or its
    ``to_json()`` with --json), and a run that stopped early (e.g. a 401) exits 1.
    """
    from sqlalchemy.exc import SQLAlchemyError

    hint = f"{saved} are saved; run the same command again to resume"
    try:
        summary = call()
    except errors as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        err_console.print(f"Interrupted: {hint}.")
        raise typer.Exit(130) from None
    except SQLAlchemyError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        fail(f"database error, the {what} stopped ({hint}): {first}", code=1)
    finally:
        ws.close()
    if as_json:
        print_json(summary.to_json())
    else:
        show(summary)
    if summary.stopped:
        fail(f"{what} stopped early: {summary.stopped}", code=1)
    return summary


def in_session(workspace: Path | None, db: str | None, fn: Callable[[Any], Any], *,
               errors: tuple[type[BaseException], ...] = ()) -> Any:
    """Open the workspace, run ``fn(session)`` in one transaction, close; ``errors`` become a one-line failure."""
    ws = open_workspace(workspace, db)
    try:
        with ws.session() as s:
            return fn(s)
    except errors as exc:
        fail(str(exc))
    finally:
        ws.close()
