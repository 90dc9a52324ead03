"""`editcaption annotate ...`: the annotation studio (serve, queues, people, Label Studio interop)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from ._common import (
    DbOpt,
    JsonOpt,
    WhereOpt,
    WorkspaceOpt,
    console,
    fail,
    in_session,
    on_workspace,
    open_workspace,
    print_json,
)

annotate_app = typer.Typer(
    help="Annotation studio: refine, prefer, judge and verify ground truth in the browser.\n\n"
         "Example: editcaption annotate serve --port 8000",
    no_args_is_help=True,
)
queue_app = typer.Typer(help="Queues of annotation tasks.\n\nExample: editcaption annotate queue list",
                        no_args_is_help=True)
user_app = typer.Typer(help="Studio accounts.\n\nExample: editcaption annotate user add alice --role annotator",
                       no_args_is_help=True)
annotate_app.add_typer(queue_app, name="queue")
annotate_app.add_typer(user_app, name="user")


@annotate_app.command("serve")
def serve_cmd(
    host: Annotated[str, typer.Option(help="Address to listen on (keep 127.0.0.1 unless behind a TLS proxy).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    secure_cookies: Annotated[bool, typer.Option(help="Mark session cookies Secure (when served over HTTPS).")] = False,
    workers: Annotated[int, typer.Option(min=1, help="Server processes; limits, leases and sessions are shared "
                                                     "through the database (a SQLite file must be on a local "
                                                     "disk).")] = 1,
    threads: Annotated[int, typer.Option(min=1, help="Request threads per process (= database connections kept "
                                                     "open).")] = 16,
    forwarded_allow_ips: Annotated[str, typer.Option(help="Comma-separated proxy addresses whose X-Forwarded-For "
                                                          "is trusted as the client's address (default: none).")] = "",
    allowed_hosts: Annotated[str, typer.Option(help="Comma-separated Host names to answer (others get 400); "
                                                    "default: any.")] = "",
    max_body_kb: Annotated[int, typer.Option(min=1, help="Largest request body of a logged-in person, in kB.")] = 1024,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Serve the studio on the workspace's database until Ctrl+C.

    Example: editcaption annotate serve -w ./ws --workers 2 --forwarded-allow-ips 127.0.0.1
    """
    from ..annotate.app import StudioSettings, serve

    ws = open_workspace(workspace, db)
    settings = StudioSettings(secure_cookies=secure_cookies, threads=threads, max_body_kb=max_body_kb,
                              forwarded_allow_ips=_csv(forwarded_allow_ips), allowed_hosts=_csv(allowed_hosts))
    console.print(f"Annotation studio on http://{host}:{port}/ (workspace {ws.root}, {workers} worker(s)); "
                  f"Ctrl+C stops it.")
    try:
        serve(ws, host=host, port=port, settings=settings, workers=workers)
    finally:
        ws.close()


def _csv(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


# -- queues -------------------------------------------------------------------------------------


@queue_app.command("add")
def queue_add_cmd(
    kind: Annotated[str, typer.Argument(help="refine | prefer | judge | verify-gt")],
    run: Annotated[str | None, typer.Option("--run", help="Run whose instructions are shown (optional for verify-gt).")] = None,
    where: WhereOpt = None,
    overlap: Annotated[int, typer.Option(help="Different annotators per item (≥2 gives agreement statistics).")] = 1,
    name: Annotated[str | None, typer.Option("--name", help="Queue name (default: KIND-RUN).")] = None,
    lease_minutes: Annotated[float, typer.Option(help="How long an item stays with one annotator.")] = 30.0,
    only_kept: Annotated[bool, typer.Option(help="Only instructions kept by `editcaption filter`.")] = False,
    include_missing: Annotated[bool, typer.Option(help="verify-gt: also pairs with no drafted ground truth.")] = False,
    limit: Annotated[int | None, typer.Option(help="At most this many items.")] = None,
    precompute: Annotated[bool, typer.Option(help="Compute heatmaps and measured hints now, not on first view.")] = True,
    as_json: JsonOpt = False,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Make a queue (or add new items to one) from a run's instructions.

    Example: editcaption annotate queue add judge --run source:manifest --overlap 2
    """
    from ..annotate.queues import QueueError, QueueSpec, add_queue
    from ..workspace.queries import WhereError, parse_where

    try:
        spec = QueueSpec(kind=kind, run=run, where=parse_where(where), overlap=overlap, lease_minutes=lease_minutes,
                         name=name, only_kept=only_kept, include_missing=include_missing, limit=limit)
    except WhereError as exc:
        fail(str(exc))

    def add(ws):  # noqa: ANN001, ANN202 - a Workspace
        result = add_queue(ws, spec)
        if precompute:
            result["precomputed"] = _precompute(ws, result["id"])
        return result

    result = on_workspace(workspace, db, add, errors=(QueueError,))
    if as_json:
        print_json(result)
        return
    verb = "made" if result["created"] else "extended"
    console.print(f"Queue [bold]{result['queue']}[/] {verb}: {result['added']} new items, {result['tasks']} in all, "
                  f"overlap {result['overlap']}, lease {result['lease_minutes']:g} min")


def _precompute(ws, queue_id: int) -> int:  # noqa: ANN001 - a Workspace
    """Warm the heatmap/hints cache for a queue's items; returns how many were computed."""
    from sqlalchemy import select

    from ..annotate import media
    from ..workspace.models import AnnotationTaskRecord, InstructionRecord, PairRecord

    if media.delta_available():
        return 0
    with ws.session() as s:
        rows = s.execute(select(PairRecord, InstructionRecord.text)
                         .join(AnnotationTaskRecord, AnnotationTaskRecord.pair_id == PairRecord.id)
                         .outerjoin(InstructionRecord, InstructionRecord.id == AnnotationTaskRecord.instruction_id)
                         .where(AnnotationTaskRecord.queue_id == queue_id)).unique().all()
    for pair, text in rows:
        media.warm(ws, pair, text)
    return len(rows)


@queue_app.command("list")
def queue_list_cmd(as_json: JsonOpt = False, workspace: WorkspaceOpt = None, db: DbOpt = None) -> None:
    """Queues with their progress.

    Example: editcaption annotate queue list --json
    """
    from ..annotate.dashboard import progress

    rows = in_session(workspace, db, progress)
    if as_json:
        for row in rows:
            print_json(row)
        return
    from rich.table import Table

    table = Table("queue", "task", "run", "items", "overlap", "submitted", "leased", "done %")
    for r in rows:
        table.add_row(r["name"], r["kind"], r["run"] or "", str(r["tasks"]), str(r["overlap"]),
                      f"{r['submitted']}/{r['slots']}", str(r["leased"]),
                      "no items" if r["percent"] is None else f"{r['percent']}")
    console.print(table)


@queue_app.command("export")
def queue_export_cmd(
    name: Annotated[str, typer.Argument(help="Queue name.")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="JSONL file (default: standard output).")] = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Every submission of a queue as JSON lines (annotator, outcome, answer, record id, time).

    Example: editcaption annotate queue export judge-run1 -o judge.jsonl
    """
    import json

    from ..annotate.dashboard import export_rows
    from ..annotate.queues import QueueError, find_queue

    def lines_of(s) -> list[str]:  # noqa: ANN001 - a Session
        queue = find_queue(s, name)
        if queue is None:
            raise QueueError(f"no queue {name!r}")
        return [json.dumps(r, ensure_ascii=False, default=str) for r in export_rows(s, queue)]

    lines = in_session(workspace, db, lines_of, errors=(QueueError,))
    text = "".join(line + "\n" for line in lines)
    if out:
        out.write_text(text)
        console.print(f"{len(lines)} submissions → {out}")
    else:
        sys.stdout.write(text)


# -- people -------------------------------------------------------------------------------------


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


@user_app.command("add")
def user_add_cmd(
    name: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[str, typer.Option(help="admin | annotator")] = "annotator",
    password_stdin: Annotated[bool, typer.Option(help="Read the password from the first line of stdin.")] = False,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Create a studio account (the password is asked for, or read with --password-stdin).

    Example: printf 'correct horse battery\\n' | editcaption annotate user add alice --role annotator --password-stdin
    """
    from ..annotate.accounts import AccountError, add_user

    password = _read_password(password_stdin)
    user = in_session(workspace, db, lambda s: add_user(s, name, role, password), errors=(AccountError,))
    console.print(f"User [bold]{user.name}[/] ({user.role}) created.")


@user_app.command("password")
def user_password_cmd(
    name: Annotated[str, typer.Argument(help="Login name.")],
    password_stdin: Annotated[bool, typer.Option(help="Read the password from the first line of stdin.")] = False,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Set a new password (ends the user's open sessions).

    Example: editcaption annotate user password alice
    """
    from ..annotate.accounts import AccountError, set_password

    password = _read_password(password_stdin)
    in_session(workspace, db, lambda s: set_password(s, name, password), errors=(AccountError,))
    console.print(f"Password of {name} changed.")


@user_app.command("disable")
def user_disable_cmd(
    name: Annotated[str, typer.Argument(help="Login name.")],
    enable: Annotated[bool, typer.Option("--enable", help="Enable the account again instead.")] = False,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Disable an account (its sessions end at once); --enable turns it back on.

    Example: editcaption annotate user disable bob
    """
    from ..annotate.accounts import AccountError, set_active

    in_session(workspace, db, lambda s: set_active(s, name, enable), errors=(AccountError,))
    console.print(f"{name} {'enabled' if enable else 'disabled'}.")


@user_app.command("list")
def user_list_cmd(as_json: JsonOpt = False, workspace: WorkspaceOpt = None, db: DbOpt = None) -> None:
    """Studio accounts.

    Example: editcaption annotate user list
    """
    from ..annotate.accounts import list_users

    users = in_session(workspace, db, list_users)
    if as_json:
        for u in users:
            print_json(u)
        return
    for u in users:
        console.print(f"{u['name']}\t{u['role']}\t{'active' if u['active'] else 'disabled'}")


def register(app: typer.Typer) -> None:
    from . import labelstudio_cmd  # noqa: F401 - adds export-labelstudio and import-labelstudio to annotate_app
    app.add_typer(annotate_app, name="annotate")
