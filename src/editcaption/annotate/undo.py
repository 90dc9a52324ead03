"""Undoing a skip: the skipped item comes back to the annotator, in one transaction.

Skipping (``n``) gives the item back at once and leases the next one; the next page offers
"Undo" until the annotator's next action. Undo is not a timer: it *releases the skip* on
the server. The lease taken after the skip is given back (its slot returns to the queue
and the item will be offered again, to anyone), then the skipped item is leased again if
its slot is still free. Both steps happen in one transaction, so the annotator ends with
exactly one of the two items and never with none: if someone else took the skipped item's
slot meanwhile, nothing changes and the reason is shown.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, select, update
from sqlalchemy.exc import IntegrityError

from ..workspace import Workspace
from ..workspace.models import AnnotationAssignmentRecord, AnnotationQueueRecord, AnnotationTaskRecord
from .accounts import User
from .audit import add_events, event_row
from .db import studio_db
from .timeutil import now

A = AnnotationAssignmentRecord.__table__
T = AnnotationTaskRecord.__table__
Q = AnnotationQueueRecord.__table__


class UndoRefused(RuntimeError):
    """The skip cannot be undone (the message says why); nothing was changed."""


class _Rollback(Exception):
    def __init__(self, message: str):
        self.message = message


def _free_slot(conn: Connection, task_id: int, overlap: int) -> int | None:
    taken = set(conn.scalars(select(A.c.slot).where(A.c.task_id == task_id, A.c.slot.is_not(None))))
    return next((k for k in range(overlap) if k not in taken), None)


def _release(conn: Connection, row: Any, user: User, at: dt.datetime) -> None:
    """Give back the lease taken after the skip; the item stays offerable (to this user too)."""
    conn.execute(update(A).where(A.c.id == row.id).values(status="expired", slot=None))
    conn.execute(update(T).where(T.c.id == row.task_id).values(live_slots=T.c.live_slots - 1))
    add_events(conn, [event_row(user.name, "release", queue_id=row.queue_id, task_id=row.task_id, at=at,
                                detail={"assignment": row.id, "reason": "undo skip"})])


def undo_skip(ws: Workspace, skipped_id: int, user: User, at: dt.datetime | None = None) -> int:
    """Lease the skipped assignment to the user again; its id. Raises :class:`UndoRefused`."""
    at = at or now()
    try:
        with studio_db(ws).write() as conn:
            return _undo(conn, skipped_id, user, at)
    except _Rollback as exc:
        raise UndoRefused(exc.message) from None


def _undo(conn: Connection, skipped_id: int, user: User, at: dt.datetime) -> int:
    a = conn.execute(select(A.c.id, A.c.status, A.c.task_id, A.c.queue_id, A.c.user_id, Q.c.overlap,
                            Q.c.lease_seconds).join(Q, Q.c.id == A.c.queue_id).where(A.c.id == skipped_id)).first()
    if a is None or a.user_id != user.id:
        raise _Rollback("no such item for you")
    if a.status == "leased":
        return a.id  # already undone (a retry)
    if a.status != "skipped":
        raise _Rollback(f"this item is {a.status}, not skipped")
    current = conn.execute(select(A.c.id, A.c.task_id, A.c.queue_id).where(
        A.c.queue_id == a.queue_id, A.c.user_id == user.id, A.c.status == "leased")).all()
    for row in current:
        _release(conn, row, user, at)
    slot = _free_slot(conn, a.task_id, a.overlap)
    if slot is None:
        raise _Rollback("someone else has taken this item since you skipped it")
    try:
        with conn.begin_nested():
            conn.execute(update(A).where(A.c.id == a.id, A.c.status == "skipped").values(
                status="leased", slot=slot, leased_at=at, submitted_at=None,
                expires_at=at + dt.timedelta(seconds=a.lease_seconds)))
    except IntegrityError:
        raise _Rollback("someone else has taken this item since you skipped it") from None
    conn.execute(update(T).where(T.c.id == a.task_id).values(live_slots=T.c.live_slots + 1))
    add_events(conn, [event_row(user.name, "unskip", queue_id=a.queue_id, task_id=a.task_id, at=at,
                                detail={"assignment": a.id, "slot": slot,
                                        "released": [r.id for r in current]})])
    return a.id
