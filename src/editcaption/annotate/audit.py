"""The studio's audit log: who did what, when (every change is kept with its annotator and time)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..workspace.models import AnnotationEventRecord


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


def recent_events(s: Session, limit: int = 200) -> list[dict[str, Any]]:
    rows = s.scalars(select(AnnotationEventRecord).order_by(AnnotationEventRecord.id.desc()).limit(limit))
    return [
        {"at": e.at, "actor": e.actor, "action": e.action, "queue_id": e.queue_id, "task_id": e.task_id,
         "detail": e.detail}
        for e in rows
    ]
