"""`editcaption init`: create a workspace."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._common import DbOpt, console, fail


def init(
    directory: Annotated[
        Path | None, typer.Argument(help="Folder to create (default: $EDITCAPTION_WORKSPACE or ./editcaption-workspace).")
    ] = None,
    db: DbOpt = None,
    store: Annotated[str | None, typer.Option(
        "--store", show_default=False,
        help="Where images go: s3://bucket/prefix (gs://, az:// too; credentials from the environment, "
             "never stored). Default: the workspace's images/ folder.")] = None,
) -> None:
    """Create a workspace: a folder with the database and the content-addressed image store.

    Running it on an existing workspace upgrades its schema and changes nothing else. Both the
    database URL and the image store are recorded in workspace.json.

    Example: editcaption init ./ws --store s3://my-bucket/editcaption --db postgresql://me@localhost/editcaption
    """
    from ..workspace import Workspace, WorkspaceError, redact
    from ..workspace.migrations import SCHEMA_VERSION

    try:
        ws = Workspace.init(directory, db, store)
    except WorkspaceError as exc:
        fail(str(exc))
    console.print(f"Workspace ready at [bold]{ws.root}[/] (database {redact(ws.db_url)}, schema v{SCHEMA_VERSION}, "
                  f"images in {ws.store.describe()})")
    ws.close()


def register(app: typer.Typer) -> None:
    app.command("init")(init)
