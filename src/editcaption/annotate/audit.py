"""The studio's audit log: who did what, when (every change is kept with its annotator and time).

What logged-in people do is one row per event. What anonymous requests cause (failed and
throttled logins) is aggregated — one row per action, key and minute, with a ``count`` — so a
flood of login attempts adds at most one row per key a minute instead of one per request.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, insert, select
from sqlalchemy.orm import Session

from ..workspace.models import AnnotationEventRecord
from .timeutil import now

EVENTS = AnnotationEventRecord.__table__


def log_event(
    s: Session,
    actor: str,
    action: str,
    *,
    queue_id: int | None = None,
    task_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    s.add(AnnotationEventRecord(actor=actor, action=action, queue_id=queue_id, task_id=task_id, detail=detail or {}))


def event_row(actor: str, action: str, *, queue_id: int | None = None, task_id: int | None = None,
              detail: dict[str, Any] | None = None, at: dt.datetime | None = None) -> dict[str, Any]:
    return {"at": at or now(), "actor": actor, "action": action, "queue_id": queue_id, "task_id": task_id,
            "detail": detail or {}, "bucket": None, "count": 1}


_INSERT_EVENTS = insert(EVENTS)  # built once: every submission writes through it


def add_events(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Insert events (rows from :func:`event_row`) with Core, in the caller's transaction."""
    if rows:
        conn.execute(_INSERT_EVENTS, rows)


def count_event(conn: Connection, dialect_insert: Any, actor: str, action: str, key: str,
                detail: dict[str, Any], at: dt.datetime | None = None) -> None:
    """Add one to the aggregated row of (action, key) for this minute, creating it if needed.

    ``dialect_insert`` is the backend's ``insert`` with ON CONFLICT (:attr:`StudioDB.insert`).
    """
    at = at or now()
    bucket = f"{action}|{key}|{at:%Y-%m-%dT%H:%M}"[:255]
    stmt = dialect_insert(EVENTS).values(at=at, actor=actor[:128], action=action, detail=detail, bucket=bucket,
                                         count=1)
    conn.execute(stmt.on_conflict_do_update(index_elements=[EVENTS.c.bucket],
                                            set_={"count": EVENTS.c["count"] + 1}))


def recent_events(s: Session, limit: int = 200) -> list[dict[str, Any]]:
    rows = s.scalars(select(AnnotationEventRecord).order_by(AnnotationEventRecord.id.desc()).limit(limit))
    return [
        {"at": e.at, "actor": e.actor, "action": e.action, "queue_id": e.queue_id, "task_id": e.task_id,
         "detail": e.detail, "count": e.count}
        for e in rows
    ]
