"""`editcaption pairs list|show|stats`: inspect what the workspace holds."""

from __future__ import annotations

from typing import Annotated

import typer

from ._common import DbOpt, JsonOpt, WhereOpt, WorkspaceOpt, console, fail, open_workspace, print_json

pairs_app = typer.Typer(help="Inspect pairs in the workspace.\n\nExample: editcaption pairs list --json", no_args_is_help=True)


@pairs_app.command("list")
def list_cmd(
    where: WhereOpt = None,
    limit: Annotated[int | None, typer.Option(help="Show at most this many pairs.")] = None,
    as_json: JsonOpt = False,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """List pairs; with --json, one JSON object per line (id, name, origin, category, subtype, split, source, target).

    Example: editcaption pairs list --where category=structural --json
    """
    from ..workspace.queries import WhereError, list_pairs, pair_json, parse_where

    try:
        w = parse_where(where)
    except WhereError as exc:
        fail(str(exc))
    ws = open_workspace(workspace, db)
    with ws.session() as s:
        rows = [pair_json(p) for p in list_pairs(s, w, limit)]
    ws.close()
    if as_json:
        for row in rows:
            print_json(row)
        return
    from rich.table import Table

    table = Table("id", "name", "category", "subtype", "split", "source", "target", "origin")
    for r in rows:
        table.add_row(r["id"], r["name"] or "", r["category"] or "", r["subtype"] or "", r["split"] or "",
                      f"{r['source']['width']}×{r['source']['height']}", f"{r['target']['width']}×{r['target']['height']}",
                      str(r["origin"].get("dataset", "")))
    console.print(table)
    console.print(f"{len(rows)} pairs")


@pairs_app.command("show")
def show_cmd(
    pair_id: Annotated[str, typer.Argument(help="Pair id (or a unique prefix, or its name).")],
    as_json: JsonOpt = False,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Show one pair: images, origin, ground truth, instructions and their scores.

    Example: editcaption pairs show 3f2a9c
    """
    from ..workspace.details import pair_details
    from ..workspace.queries import find_pair

    ws = open_workspace(workspace, db)
    with ws.session() as s:
        rec = find_pair(s, pair_id)
        if rec is None:
            ws.close()
            fail(f"no pair {pair_id!r} in {ws.root}")
        details = pair_details(ws, s, rec)
    ws.close()
    if as_json:
        print_json(details)
        return
    console.print_json(data=details)


@pairs_app.command("stats")
def stats_cmd(as_json: JsonOpt = False, workspace: WorkspaceOpt = None, db: DbOpt = None) -> None:
    """Counts of pairs by origin, category and split.

    Example: editcaption pairs stats
    """
    from ..workspace.queries import pair_stats

    ws = open_workspace(workspace, db)
    with ws.session() as s:
        stats = pair_stats(s)
    ws.close()
    if as_json:
        print_json(stats)
        return
    from rich.table import Table

    console.print(f"[bold]{stats['pairs']}[/] pairs")
    for key in ("by_origin", "by_category", "by_split"):
        table = Table(key.removeprefix("by_"), "pairs")
        for k, v in sorted(stats[key].items()):
            table.add_row(k, str(v))
        console.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(pairs_app, name="pairs")
