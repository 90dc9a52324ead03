"""Leases: handing queue items to annotators, one slot each.

With ``overlap`` K a task has K *slots*; an annotator's lease occupies one slot, enforced by
the unique (task, slot) constraint, so two people can never take the same slot even when
their requests race, and a partial unique index allows one live lease per annotator and
queue. A lease that runs out is returned: the next lease request in that queue frees its
slot (the row stays, marked ``expired``). Every lease, skip and expiry is logged.

Each attempt to take a slot is its own short transaction, so a lost race (a unique
violation) is rolled back cleanly on SQLite and PostgreSQL alike and the next candidate
is tried.
"""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..workspace import Workspace
from ..workspace.models import AnnotationAssignmentRecord as Assignment
from ..workspace.models import AnnotationQueueRecord, AnnotationTaskRecord
from .accounts import User
from .audit import log_event
from .queues import QueueError
from .timeutil import now

ACTIVE = ("leased", "submitted", "skipped")  # an annotator holding one of these is not offered the task again


def expire_stale(ws: Workspace, queue_id: int, at: dt.datetime | None = None) -> int:
    """Return every lease in the queue whose time ran out; returns how many."""
    at = at or now()
    with ws.session() as s:
        stale = list(s.execute(select(Assignment.id, Assignment.task_id, Assignment.user_id).where(
            Assignment.queue_id == queue_id, Assignment.status == "leased", Assignment.expires_at <= at)).all())
        freed = 0
        for aid, task_id, user_id in stale:
            res = s.execute(update(Assignment).where(
                Assignment.id == aid, Assignment.status == "leased", Assignment.expires_at <= at,
            ).values(status="expired", slot=None).execution_options(synchronize_session=False))
            if res.rowcount == 1:
                freed += 1
                log_event(s, "system", "lease_expire", queue_id=queue_id, task_id=task_id,
                          detail={"assignment": aid, "user_id": user_id})
    return freed


def active_lease(s: Session, queue_id: int, user: User, at: dt.datetime) -> Assignment | None:
    return s.scalar(select(Assignment).where(
        Assignment.queue_id == queue_id, Assignment.user_id == user.id, Assignment.status == "leased",
        Assignment.expires_at > at).order_by(Assignment.leased_at, Assignment.id).limit(1))


def _candidates(s: Session, queue: AnnotationQueueRecord, user: User, limit: int = 24) -> list[int]:
    """Task ids this user could take now: items others started first (so overlapped items get
    finished), then untouched items in queue order. Both queries stop at ``limit`` rows."""
    T, A = AnnotationTaskRecord, Assignment
    mine = exists().where(A.task_id == T.id, A.user_id == user.id, A.status.in_(ACTIVE))
    started: list[int] = []
    if queue.overlap > 1:
        in_progress = (select(A.task_id).where(A.queue_id == queue.id, A.slot.is_not(None)).group_by(A.task_id)
                       .having(func.count(A.id) < queue.overlap).subquery())
        started = list(s.scalars(select(T.id).join(in_progress, in_progress.c.task_id == T.id).where(~mine)
                                 .order_by(T.position).limit(limit)))
    untouched = ~exists().where(A.task_id == T.id, A.slot.is_not(None))
    fresh = list(s.scalars(select(T.id).where(T.queue_id == queue.id, untouched, ~mine)
                           .order_by(T.position).limit(limit)))
    # Spread simultaneous requests over the first few items instead of all racing for one.
    head = fresh[:4]
    random.shuffle(head)
    return started + head + fresh[4:]


def _take_slot(ws: Workspace, queue: AnnotationQueueRecord, task_id: int, user: User, at: dt.datetime) -> int | None:
    """Try to lease ``task_id`` to ``user`` in one transaction; the assignment id, or None if lost."""
    try:
        with ws.session() as s:
            taken = set(s.scalars(select(Assignment.slot).where(Assignment.task_id == task_id,
                                                               Assignment.slot.is_not(None))))
            free = [k for k in range(queue.overlap) if k not in taken]
            if not free:
                return None
            expires = at + dt.timedelta(seconds=queue.lease_seconds)
            own = s.scalar(select(Assignment).where(Assignment.task_id == task_id, Assignment.user_id == user.id))
            if own is not None:
                if own.status in ACTIVE:
                    return None
                res = s.execute(update(Assignment).where(Assignment.id == own.id, Assignment.status == own.status)
                                .values(slot=free[0], status="leased", leased_at=at, expires_at=expires,
                                        submitted_at=None).execution_options(synchronize_session=False))
                if res.rowcount != 1:
                    return None
                aid = own.id
            else:
                row = Assignment(task_id=task_id, queue_id=queue.id, user_id=user.id, slot=free[0], status="leased",
                                 leased_at=at, expires_at=expires)
                s.add(row)
                s.flush()
                aid = row.id
            log_event(s, user.name, "lease", queue_id=queue.id, task_id=task_id,
                      detail={"assignment": aid, "slot": free[0], "expires_at": expires.isoformat()})
            return aid
    except IntegrityError:
        return None  # someone took that slot (or this user raced themselves); try the next item


def lease_next(ws: Workspace, queue_id: int, user: User, at: dt.datetime | None = None) -> int | None:
    """The assignment id of the user's current lease in the queue, or of a newly leased item.

    None when nothing is left for this user (all items full, or already done by them). Two
    requests of the same user racing here end on the same item: the database allows one
    live lease per annotator and queue, and the loser picks up the winner's lease.
    """
    at = at or now()
    with ws.session() as s:
        queue = s.get(AnnotationQueueRecord, queue_id)
        if queue is None:
            raise QueueError(f"no queue {queue_id}")
        s.expunge(queue)

    def current() -> int | None:
        with ws.session() as s:
            lease = active_lease(s, queue_id, user, at)
            return lease.id if lease is not None else None

    if (held := current()) is not None:
        return held
    expire_stale(ws, queue_id, at)
    for _round in range(3):
        with ws.session() as s:
            candidates = _candidates(s, queue, user)
        if not candidates:
            return None
        for task_id in candidates:
            aid = _take_slot(ws, queue, task_id, user, at)
            if aid is not None:
                return aid
            if (held := current()) is not None:  # a parallel request of this user leased meanwhile
                return held
    return None


def reacquire(ws: Workspace, assignment_id: int, user: User, at: dt.datetime | None = None) -> bool:
    """Lease again an item whose lease ran out or was skipped (a late submit); False if it is full."""
    at = at or now()
    with ws.session() as s:
        a = s.get(Assignment, assignment_id)
        if a is None or a.user_id != user.id:
            return False
        if a.status == "leased":
            return True
        if a.status == "submitted":
            return False
        queue = s.get(AnnotationQueueRecord, a.queue_id)
        s.expunge(queue)
        task_id = a.task_id
    return _take_slot(ws, queue, task_id, user, at) == assignment_id


def skip(ws: Workspace, assignment_id: int, user: User) -> bool:
    """Give the item back (its slot goes to someone else) and do not offer it to this user again."""
    with ws.session() as s:
        a = s.get(Assignment, assignment_id)
        if a is None or a.user_id != user.id or a.status != "leased":
            return False
        res = s.execute(update(Assignment).where(Assignment.id == a.id, Assignment.status == "leased")
                        .values(status="skipped", slot=None).execution_options(synchronize_session=False))
        if res.rowcount == 1:
            log_event(s, user.name, "skip", queue_id=a.queue_id, task_id=a.task_id, detail={"assignment": a.id})
            return True
        return False


