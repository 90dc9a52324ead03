"""`editcaption store`: where a workspace keeps its images, and moving them elsewhere."""

from __future__ import annotations

from contextlib import nullcontext
from typing import Annotated

import typer

from ._common import DbOpt, JsonOpt, WorkspaceOpt, console, err_console, fail, open_workspace, print_json

store_app = typer.Typer(help="The workspace's image store (a folder, or object storage).\n\n"
                             "Example: editcaption store info", no_args_is_help=True)


@store_app.command("info")
def info(workspace: WorkspaceOpt = None, db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Where the images are, how many the database knows, and whether the store answers.

    Example: editcaption store info -w ./ws
    """
    from sqlalchemy import func, select

    from ..store import StoreError
    from ..workspace.models import ImageRecord

    ws = open_workspace(workspace, db)
    try:
        with ws.session() as s:
            n, nbytes = s.execute(select(func.count(), func.coalesce(func.sum(ImageRecord.nbytes), 0))).one()
        out = {"store": ws.store.describe(), "kind": "folder" if ws.store.is_local else "object storage",
               "images": int(n), "bytes": int(nbytes), "reachable": True, "problem": None}
        try:
            ws.store.check()
        except StoreError as exc:
            out.update(reachable=False, problem=str(exc))
        cache = getattr(ws.store, "cache", None)
        if cache is not None:
            out["read_cache"] = {"folder": str(cache.folder), "bytes": cache.total_bytes, "bound": cache.bound}
    finally:
        ws.close()
    if as_json:
        print_json(out)
        return
    console.print(f"images in [bold]{out['store']}[/] ({out['kind']}): {out['images']} images, "
                  f"{out['bytes'] / 1e6:.1f} MB", highlight=False)
    if "read_cache" in out:
        rc = out["read_cache"]
        console.print(f"read cache: {rc['folder']} ({rc['bytes'] / 1e6:.1f} of {rc['bound'] / 1e6:.0f} MB)",
                      highlight=False)
    if out["problem"]:
        fail(out["problem"], code=1)


@store_app.command("migrate")
def migrate(
    to: Annotated[str, typer.Option("--to", help="The new store: s3://bucket/prefix (gs://, az://), or a folder.")],
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
    concurrency: Annotated[int, typer.Option("--concurrency", help="Images copied at once.")] = 8,
    as_json: JsonOpt = False,
) -> None:
    """Copy every image to another store, then switch the workspace to it.

    Copies are checked against each image's hash; images already there are skipped, so a run
    that was interrupted is finished by running it again. workspace.json switches only once
    every image is at the destination; the old images are left where they were.

    Example: editcaption store migrate -w ./ws --to s3://my-bucket/editcaption
    """
    from ..progress import PhaseBar
    from ..store import StoreError, open_store
    from ..store.migrate import migrate_images

    ws = open_workspace(workspace, db)
    try:
        try:
            dst = open_store(to, ws.root)
            dst.check()
        except StoreError as exc:
            fail(str(exc))
        if dst.describe() == ws.store.describe():
            fail(f"the workspace already keeps its images in {dst.describe()}")
        with nullcontext() if as_json else PhaseBar(err_console) as bar:
            report = migrate_images(ws, dst, concurrency=concurrency, on_progress=bar, switch_to=to)
    finally:
        ws.close()
    if as_json:
        print_json(report.as_json())
    else:
        console.print(f"{report.copied} images copied, {report.present} already there → {report.destination}",
                      highlight=False)
    if report.failed:
        for name, reason in list(report.failed.items())[:10]:
            err_console.print(f"  {name}: {reason}", highlight=False, soft_wrap=True)
        fail(f"{len(report.failed)} images could not be copied; the workspace still uses {report.source}. "
             f"Run the same command again to finish.", code=1)
    if not as_json:
        console.print(f"workspace now uses {report.destination} (the images in {report.source} were left as they were)",
                      highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(store_app, name="store")
