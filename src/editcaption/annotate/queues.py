"""Annotation queues: building them from a run's instructions, and their progress.

A queue holds tasks: a pair plus the instruction shown with it (none for verify-gt).
Handing tasks to annotators is :mod:`editcaption.annotate.leases`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..workspace import Workspace
from ..workspace.models import AnnotationAssignmentRecord as Assignment
from ..workspace.models import (
    AnnotationQueueRecord,
    AnnotationSubmissionRecord,
    AnnotationTaskRecord,
    GroundTruthRecord,
    InstructionRecord,
    PairRecord,
    RunRecord,
)
from ..workspace.queries import pairs_select
from .accounts import User
from .audit import log_event
from .timeutil import now

KINDS = ("refine", "prefer", "judge", "verify-gt")
QUEUE_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:")


class QueueError(ValueError):
    """A queue that cannot be built as asked (message says why)."""


@dataclass
class QueueSpec:
    kind: str
    run: str | None
    where: dict[str, list[str]] = field(default_factory=dict)
    overlap: int = 1
    lease_minutes: float = 30.0
    name: str | None = None
    only_kept: bool = False
    include_missing: bool = False  # verify-gt: also pairs with no drafted ground truth
    limit: int | None = None

    def queue_name(self) -> str:
        return self.name or (f"{self.kind}-{self.run}" if self.run else self.kind)


def _check_spec(s: Session, spec: QueueSpec) -> None:
    if spec.kind not in KINDS:
        raise QueueError(f"task kind must be one of {', '.join(KINDS)}, not {spec.kind!r}")
    if spec.overlap < 1:
        raise QueueError("--overlap must be at least 1")
    if spec.kind == "verify-gt" and spec.overlap != 1:
        raise QueueError("verify-gt edits one shared ground truth per pair, so its overlap must be 1")
    if spec.lease_minutes <= 0:
        raise QueueError("--lease-minutes must be positive")
    name = spec.queue_name()
    if not name or len(name) > 128 or set(name) - QUEUE_NAME_CHARS:
        raise QueueError(f"bad queue name {name!r}: use letters, digits and - _ . : (at most 128)")
    if spec.kind != "verify-gt" and not spec.run:
        raise QueueError(f"a {spec.kind} queue needs --run NAME (the run whose instructions are shown)")
    if spec.run and s.get(RunRecord, spec.run) is None:
        runs = sorted(s.scalars(select(RunRecord.id)))
        raise QueueError(f"no run {spec.run!r} in this workspace (runs: {', '.join(runs) or 'none'})")


def _items(s: Session, spec: QueueSpec) -> list[tuple[str, int | None]]:
    """(pair id, instruction id) for every item the spec selects, in pair order."""
    pairs = pairs_select(spec.where).with_only_columns(PairRecord.id).subquery()
    if spec.kind == "verify-gt":
        gt_pairs = select(PairRecord.id).join(pairs, pairs.c.id == PairRecord.id).order_by(
            PairRecord.created_at, PairRecord.id)
        if not spec.include_missing:
            gt_pairs = gt_pairs.join(GroundTruthRecord, GroundTruthRecord.pair_id == PairRecord.id).where(
                GroundTruthRecord.verified.is_(False))
        else:
            verified = select(GroundTruthRecord.pair_id).where(GroundTruthRecord.verified.is_(True))
            gt_pairs = gt_pairs.where(PairRecord.id.not_in(verified))
        pair_ids = list(s.scalars(gt_pairs))
        shown: dict[str, int] = {}
        if spec.run:
            shown = dict(s.execute(select(InstructionRecord.pair_id, InstructionRecord.id).where(
                InstructionRecord.run_id == spec.run, InstructionRecord.status == "ok")).all())
        return [(p, shown.get(p)) for p in pair_ids][: spec.limit]
    stmt = (
        select(InstructionRecord.pair_id, InstructionRecord.id)
        .join(pairs, pairs.c.id == InstructionRecord.pair_id)
        .join(PairRecord, PairRecord.id == InstructionRecord.pair_id)
        .where(InstructionRecord.run_id == spec.run, InstructionRecord.status == "ok",
               InstructionRecord.text.is_not(None), InstructionRecord.text != "")
        .order_by(PairRecord.created_at, PairRecord.id)
    )
    if spec.only_kept:
        stmt = stmt.where(InstructionRecord.kept.is_(True))
    if spec.limit:
        stmt = stmt.limit(spec.limit)
    return [(p, i) for p, i in s.execute(stmt).all()]


def add_queue(ws: Workspace, spec: QueueSpec, actor: str = "cli") -> dict[str, Any]:
    """Create the queue (or add new items to an existing one of the same kind and run).

    Re-running is safe: items already in the queue are not added twice. Overlap and lease
    time of an existing queue are updated to the values given.
    """
    name = spec.queue_name()
    with ws.session() as s:
        _check_spec(s, spec)
        queue = s.scalar(select(AnnotationQueueRecord).where(AnnotationQueueRecord.name == name))
        created = queue is None
        if queue is None:
            queue = AnnotationQueueRecord(name=name, kind=spec.kind, run_id=spec.run, where=spec.where,
                                          overlap=spec.overlap, lease_seconds=int(spec.lease_minutes * 60),
                                          created_by=actor)
            s.add(queue)
            s.flush()
        elif (queue.kind, queue.run_id) != (spec.kind, spec.run):
            raise QueueError(f"queue {name!r} already exists as {queue.kind} on run {queue.run_id!r}; "
                             f"choose another --name")
        else:
            queue.overlap, queue.lease_seconds = spec.overlap, int(spec.lease_minutes * 60)
        present = set(s.scalars(select(AnnotationTaskRecord.pair_id).where(AnnotationTaskRecord.queue_id == queue.id)))
        position = s.scalar(select(func.max(AnnotationTaskRecord.position)).where(
            AnnotationTaskRecord.queue_id == queue.id)) or 0
        added = 0
        for pair_id, instruction_id in _items(s, spec):
            if pair_id in present:
                continue
            position += 1
            s.add(AnnotationTaskRecord(queue_id=queue.id, pair_id=pair_id, instruction_id=instruction_id,
                                       position=position))
            present.add(pair_id)
            added += 1
        log_event(s, actor, "queue_create" if created else "queue_extend", queue_id=queue.id,
                  detail={"name": name, "kind": spec.kind, "run": spec.run, "where": spec.where,
                          "overlap": spec.overlap, "added": added})
        return {"queue": name, "id": queue.id, "kind": spec.kind, "run": spec.run, "created": created,
                "added": added, "tasks": len(present), "overlap": spec.overlap,
                "lease_minutes": spec.lease_minutes}


# -- progress -------------------------------------------------------------------------------


def queue_progress(s: Session, queue: AnnotationQueueRecord, at: dt.datetime | None = None) -> dict[str, Any]:
    at = at or now()
    tasks = s.scalar(select(func.count(AnnotationTaskRecord.id)).where(AnnotationTaskRecord.queue_id == queue.id)) or 0
    submitted = s.scalar(select(func.count(AnnotationSubmissionRecord.id)).where(
        AnnotationSubmissionRecord.queue_id == queue.id)) or 0
    leased = s.scalar(select(func.count(Assignment.id)).where(
        Assignment.queue_id == queue.id, Assignment.status == "leased", Assignment.expires_at > at)) or 0
    per_task = (select(AnnotationSubmissionRecord.task_id, func.count().label("n"))
                .where(AnnotationSubmissionRecord.queue_id == queue.id)
                .group_by(AnnotationSubmissionRecord.task_id).subquery())
    complete = s.scalar(select(func.count()).select_from(per_task).where(per_task.c.n >= queue.overlap)) or 0
    slots = tasks * queue.overlap
    return {
        "id": queue.id, "name": queue.name, "kind": queue.kind, "run": queue.run_id, "overlap": queue.overlap,
        "lease_minutes": queue.lease_seconds / 60, "tasks": tasks, "slots": slots, "submitted": submitted,
        "leased": leased, "complete_items": complete, "remaining": max(slots - submitted, 0),
        "percent": round(100.0 * submitted / slots, 1) if slots else None,  # an empty queue is not "done"
    }


def count_columns(queue_id: Any, user_id: Any) -> list[Any]:
    """The cheap part of :func:`queue_progress` for task pages, as scalar subqueries to select
    with the item: the queue's tasks, its submissions, and the user's submissions in it."""
    # counted from these tables even when the outer query selects from them too (only the
    # outer query's other tables correlate, e.g. the assignment's queue id)
    tasks = (select(func.count(AnnotationTaskRecord.id)).where(AnnotationTaskRecord.queue_id == queue_id)
             .correlate_except(AnnotationTaskRecord))
    submitted = (select(func.count(AnnotationSubmissionRecord.id))
                 .where(AnnotationSubmissionRecord.queue_id == queue_id).correlate_except(AnnotationSubmissionRecord))
    done = submitted.where(AnnotationSubmissionRecord.user_id == user_id)
    return [tasks.scalar_subquery().label("queue_tasks"), submitted.scalar_subquery().label("queue_submitted"),
            done.scalar_subquery().label("user_done")]


def counts_of(row: Any, overlap: int) -> tuple[dict[str, int], int]:
    """({"slots", "submitted"} of the queue, the user's done) from a row holding :func:`count_columns`."""
    return {"slots": (row.queue_tasks or 0) * overlap, "submitted": row.queue_submitted or 0}, row.user_done or 0


def user_progress(s: Session, queue: AnnotationQueueRecord, user: User) -> dict[str, Any]:
    done = s.scalar(select(func.count(AnnotationSubmissionRecord.id)).where(
        AnnotationSubmissionRecord.queue_id == queue.id, AnnotationSubmissionRecord.user_id == user.id)) or 0
    return {"done": done}


def list_queues(s: Session) -> list[AnnotationQueueRecord]:
    return list(s.scalars(select(AnnotationQueueRecord).order_by(AnnotationQueueRecord.id)))


def find_queue(s: Session, name: str) -> AnnotationQueueRecord | None:
    return s.scalar(select(AnnotationQueueRecord).where(AnnotationQueueRecord.name == name))
