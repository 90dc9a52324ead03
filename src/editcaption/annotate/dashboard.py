"""What the admin dashboard shows: progress per queue, throughput per annotator, agreement.

Plain functions over the workspace (no web code), so the CLI and tests read the same numbers.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..workspace.models import AnnotationQueueRecord, AnnotationSubmissionRecord, AnnotationTaskRecord
from .agreement import agreement_summary
from .queues import list_queues, queue_progress
from .timeutil import now

# Which categorical label of a submission agreement is computed on, per task kind.
AGREEMENT_LABELS: dict[str, dict[str, Any]] = {
    "judge": {"level": lambda sub: sub.outcome},
    "prefer": {
        "failure type": lambda sub: sub.outcome,  # correct | orientation | viewpoint | detail
        "severity": lambda sub: (sub.payload or {}).get("severity") or "none",
    },
}


def progress(s: Session) -> list[dict[str, Any]]:
    return [queue_progress(s, q) for q in list_queues(s)]


def throughput(s: Session, at: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Per annotator: submissions in total, in the last hour and day, and the median time per item."""
    at = at or now()
    rows = s.execute(select(AnnotationSubmissionRecord.annotator, AnnotationSubmissionRecord.created_at,
                            AnnotationSubmissionRecord.seconds, AnnotationSubmissionRecord.kind)).all()
    by_person: dict[str, dict[str, Any]] = {}
    for name, created, seconds, kind in rows:
        created = created.replace(tzinfo=dt.timezone.utc) if created.tzinfo is None else created
        p = by_person.setdefault(name, {"annotator": name, "total": 0, "last_hour": 0, "last_day": 0,
                                        "seconds": [], "by_kind": defaultdict(int)})
        p["total"] += 1
        p["last_hour"] += created >= at - dt.timedelta(hours=1)
        p["last_day"] += created >= at - dt.timedelta(days=1)
        p["by_kind"][kind] += 1
        if seconds is not None:
            p["seconds"].append(seconds)
    out = []
    for p in sorted(by_person.values(), key=lambda x: x["annotator"]):
        secs = p.pop("seconds")
        p["median_seconds"] = round(statistics.median(secs), 1) if secs else None
        p["by_kind"] = dict(p["by_kind"])
        out.append(p)
    return out


def agreement(s: Session, queue: AnnotationQueueRecord) -> dict[str, Any]:
    """Agreement on the queue's overlapped items, per label (judge level; prefer failure type, severity)."""
    labels = AGREEMENT_LABELS.get(queue.kind)
    if queue.overlap < 2 or not labels:
        return {}
    subs = list(s.scalars(select(AnnotationSubmissionRecord).where(AnnotationSubmissionRecord.queue_id == queue.id)))
    out = {}
    for label_name, label_of in labels.items():
        items: dict[int, dict[str, str]] = defaultdict(dict)
        for sub in subs:
            items[sub.task_id][sub.annotator] = label_of(sub)
        out[label_name] = agreement_summary(items, queue.overlap)
    return out


def export_rows(s: Session, queue: AnnotationQueueRecord) -> Iterator[dict[str, Any]]:
    """One JSON-ready row per submission of the queue (the dashboard's export)."""
    stmt = (select(AnnotationSubmissionRecord, AnnotationTaskRecord)
            .join(AnnotationTaskRecord, AnnotationTaskRecord.id == AnnotationSubmissionRecord.task_id)
            .where(AnnotationSubmissionRecord.queue_id == queue.id).order_by(AnnotationSubmissionRecord.id))
    for sub, task in s.execute(stmt):
        yield {
            "queue": queue.name, "kind": sub.kind, "task_id": task.id, "pair_id": task.pair_id,
            "instruction_id": task.instruction_id, "annotator": sub.annotator, "outcome": sub.outcome,
            "payload": sub.payload, "record": {"kind": sub.record_kind, "id": sub.record_id},
            "seconds": sub.seconds, "created_at": sub.created_at.isoformat(),
        }
