"""Leases: handing queue items to annotators, one slot each.

With ``overlap`` K a task has K *slots*; an annotator's lease occupies one slot, enforced by
the unique (task, slot) constraint, so two people can never take the same slot even when
their requests race, and a partial unique index allows one live lease per annotator and
queue. A lease that runs out is returned: the next lease request in that queue frees its
slot (the row stays, marked ``expired``). Every lease, skip and expiry is logged.

Leasing the next item is one short transaction of a few Core statements (see :mod:`.db`):
the annotator's current lease and the queue's settings (one query), the expiry of stale
leases (one update), the candidates (one query on the ``live_slots`` index, so finished
items are never scanned), then ``INSERT ... ON CONFLICT DO NOTHING`` of the lease, the
task's slot count and the audit event. A lost race (another annotator took that slot, or a
parallel request of the same annotator leased first) inserts nothing and the next
candidate is tried, on SQLite and PostgreSQL alike. ``annotation_tasks.live_slots`` counts
the slots held (leased or submitted) and is changed in the same transaction as the slot;
if it ever disagreed with the assignments, a queue that looks exhausted recounts it. The
statements are built once at import (the insert once per backend) and run with bound values.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
import time
from functools import cache
from typing import Any

from sqlalchemy import Connection, and_, bindparam, exists, func, literal, select, union_all, update
from sqlalchemy.exc import IntegrityError

from ..workspace import Workspace
from ..workspace.models import AnnotationAssignmentRecord, AnnotationQueueRecord, AnnotationTaskRecord
from .accounts import User
from .audit import add_events, event_row
from .auth import USER_COLUMNS, USERS, Claims, verified_user
from .db import StudioDB, studio_db
from .queues import QueueError
from .timeutil import as_utc, now

A = AnnotationAssignmentRecord.__table__
T = AnnotationTaskRecord.__table__
Q = AnnotationQueueRecord.__table__
ACTIVE = ("leased", "submitted", "skipped")  # an annotator holding one of these is not offered the task again
CANDIDATES = 16
RECOUNT_EVERY_S = 60.0
_recounted: dict[tuple[str, int], float] = {}
_recount_lock = threading.Lock()

# The statements of the lease path are built once, with their values as parameters (as
# :func:`.submissions.context_select`): composing them anew for each request cost more CPU
# than running them. Parameters: ``qid`` queue, ``uid`` user, ``at`` the request's time,
# ``tid`` task, ``aid`` assignment, ``overlap``, ``slot``, ``expires``.
QID = bindparam("qid", type_=A.c.queue_id.type)
UID = bindparam("uid", type_=A.c.user_id.type)
AT = bindparam("at", type_=A.c.expires_at.type)
TID = bindparam("tid", type_=T.c.id.type)
AID = bindparam("aid", type_=A.c.id.type)
SLOT = bindparam("slot", type_=A.c.slot.type)
EXPIRES = bindparam("expires", type_=A.c.expires_at.type)
OVERLAP = bindparam("overlap", type_=T.c.live_slots.type)

# the annotator's live lease in the queue (a scalar subquery; the partial unique index allows one)
HELD = (select(A.c.id).where(A.c.queue_id == QID, A.c.user_id == UID, A.c.status == "leased", A.c.expires_at > AT)
        .limit(1).scalar_subquery())
HELD_SELECT = select(HELD)
HEAD_COLUMNS = [Q.c.id, Q.c.overlap, Q.c.lease_seconds, HELD.label("held")]
HEAD = select(*HEAD_COLUMNS).where(Q.c.id == QID)
HEAD_WITH_USER = (select(*USER_COLUMNS, *HEAD_COLUMNS).select_from(USERS.outerjoin(Q, Q.c.id == QID))
                  .where(USERS.c.id == UID))
EXPIRE = (update(A).where(A.c.queue_id == QID, A.c.status == "leased", A.c.expires_at <= AT)
          .values(status="expired", slot=None).returning(A.c.id, A.c.task_id, A.c.user_id))
SLOT_FREED = update(T).where(T.c.id == TID).values(live_slots=T.c.live_slots - 1)
SLOT_TAKEN = update(T).where(T.c.id == TID).values(live_slots=T.c.live_slots + 1)
SLOTS_OF = select(A.c.slot).where(A.c.task_id == TID, A.c.slot.is_not(None))
LEASE_OWN_AGAIN = (update(A).where(A.c.id == AID, A.c.status == "expired")
                   .values(slot=SLOT, status="leased", leased_at=AT, expires_at=EXPIRES, submitted_at=None))
_LIVE = (select(func.count(A.c.id)).where(A.c.task_id == T.c.id, A.c.slot.is_not(None)).correlate(T)
         .scalar_subquery())
RECOUNT = update(T).where(T.c.queue_id == QID, T.c.live_slots != _LIVE).values(live_slots=_LIVE)


def _candidates_select(overlapped: bool) -> Any:
    """Tasks the user ``uid`` could take in the queue ``qid``, best first: with ``overlapped``
    (overlap above 1) items others started but fewer than ``overlap`` hold (so overlapped items
    get finished), then untouched items in queue order. Each part stops after a few rows."""
    mine = exists().where(A.c.task_id == T.c.id, A.c.user_id == UID, A.c.status.in_(ACTIVE))
    own = select(A.c.id).where(A.c.task_id == T.c.id, A.c.user_id == UID).limit(1).scalar_subquery()

    def part(rank: int, *where: Any) -> Any:
        return (select(literal(rank).label("rank"), T.c.id, T.c.position, T.c.live_slots, own.label("own"))
                .where(T.c.queue_id == QID, *where, ~mine).order_by(T.c.position).limit(CANDIDATES)
                .subquery())

    if not overlapped:
        return select(part(1, T.c.live_slots == 0))
    parts = [part(0, T.c.live_slots > 0, T.c.live_slots < OVERLAP), part(1, T.c.live_slots == 0)]
    merged = union_all(*(select(p) for p in parts)).subquery()
    return select(merged).order_by(merged.c.rank, merged.c.position)


CANDIDATES_SELECT = {False: _candidates_select(False), True: _candidates_select(True)}


@cache
def _insert_lease(dialect_insert: Any) -> Any:
    """``INSERT ... ON CONFLICT DO NOTHING RETURNING id`` of a new lease, for the backend's ``insert``."""
    return (dialect_insert(A).values(task_id=TID, queue_id=QID, user_id=UID, slot=SLOT, status="leased",
                                     leased_at=AT, expires_at=EXPIRES)
            .on_conflict_do_nothing().returning(A.c.id))


def _expire(conn: Connection, queue_id: int, at: dt.datetime) -> int:
    """Return every lease in the queue whose time ran out (in the caller's transaction)."""
    stale = conn.execute(EXPIRE, {"qid": queue_id, "at": at}).all()
    if stale:
        conn.execute(SLOT_FREED, [{"tid": r.task_id} for r in stale])
        add_events(conn, [event_row("system", "lease_expire", queue_id=queue_id, task_id=r.task_id, at=at,
                                    detail={"assignment": r.id, "user_id": r.user_id}) for r in stale])
    return len(stale)


def expire_stale(ws: Workspace, queue_id: int, at: dt.datetime | None = None) -> int:
    """Return every lease in the queue whose time ran out; returns how many."""
    with studio_db(ws).write() as conn:
        return _expire(conn, queue_id, at or now())


def _candidates(conn: Connection, db: StudioDB, queue_id: int, overlap: int, user_id: int) -> list[Any]:
    """Tasks this user could take now, best first: items others started (so overlapped items get
    finished), then untouched items in queue order. One statement; each part stops after a few rows."""
    rows = list(conn.execute(CANDIDATES_SELECT[overlap > 1], {"qid": queue_id, "uid": user_id, "overlap": overlap}))
    if not db.is_sqlite:
        # Concurrent writers (PostgreSQL): spread simultaneous requests over the first few free
        # items instead of all racing for one. SQLite runs one writer at a time: queue order.
        head = [r for r in rows if r.rank == rows[0].rank][:4] if rows else []
        random.shuffle(head)
        rows = head + rows[len(head):]
    return rows


def _free_slot(conn: Connection, task_id: int, overlap: int) -> int | None:
    taken = set(conn.scalars(SLOTS_OF, {"tid": task_id}))
    return next((k for k in range(overlap) if k not in taken), None)


def _take(conn: Connection, db: StudioDB, queue_id: int, overlap: int, lease_seconds: int, cand: Any,
          user_id: int, user_name: str, at: dt.datetime, events: list[dict[str, Any]] | None = None) -> int | None:
    """Lease one candidate task to the user in the caller's transaction; the assignment id, or None if
    lost. The audit event is written now, or appended to ``events`` for the caller to write."""
    expires = at + dt.timedelta(seconds=lease_seconds)
    if cand.own is not None:
        # The user held this item before and the lease ran out: the old row is leased again.
        slot = _free_slot(conn, cand.id, overlap)
        if slot is None:
            return None
        try:
            with conn.begin_nested():  # a racing insert of that slot (PostgreSQL) undoes only this step
                done = conn.execute(LEASE_OWN_AGAIN, {"aid": cand.own, "slot": slot, "at": at,
                                                  "expires": expires}).rowcount
        except IntegrityError:
            return None
        aid = cand.own if done == 1 else None
    else:
        # Slots fill in order, so the count of live slots is usually the free one; if an earlier
        # slot was given back, that insert does nothing and the free slot is looked up.
        aid, slot = None, cand.live_slots
        insert_lease = _insert_lease(db.insert)
        for _attempt in range(2):
            aid = conn.execute(insert_lease, {"tid": cand.id, "qid": queue_id, "uid": user_id, "slot": slot,
                                              "at": at, "expires": expires}).scalar()
            if aid is not None or overlap == 1:
                break
            slot = _free_slot(conn, cand.id, overlap)
            if slot is None:
                break
    if aid is None:
        return None
    conn.execute(SLOT_TAKEN, {"tid": cand.id})
    event = event_row(user_name, "lease", queue_id=queue_id, task_id=cand.id, at=at,
                      detail={"assignment": aid, "slot": slot, "expires_at": expires.isoformat()})
    if events is None:
        add_events(conn, [event])
    else:
        events.append(event)
    return aid


def _recount(conn: Connection, db: StudioDB, queue_id: int) -> int:
    """Set ``live_slots`` of the queue's tasks from their assignments (at most once a minute per
    queue and process); returns how many were wrong."""
    key, clock = (str(db.engine.url), queue_id), time.monotonic()
    with _recount_lock:
        if clock - _recounted.get(key, -RECOUNT_EVERY_S) < RECOUNT_EVERY_S:
            return 0
        _recounted[key] = clock
    return conn.execute(RECOUNT, {"qid": queue_id}).rowcount


def lease_in(conn: Connection, db: StudioDB, queue_id: int, user_id: int, user_name: str, at: dt.datetime,
             claims: Claims | None = None) -> tuple[int | None, User | None]:
    """Lease the user's next item of the queue in the caller's write transaction.

    Returns (assignment id or None when nothing is left for this user, the user when ``claims``
    were given: the session is then checked in the first statement). Raises
    :class:`~.queues.QueueError` for a queue that does not exist.
    """
    params = {"qid": queue_id, "uid": user_id, "at": at}
    head = conn.execute(HEAD if claims is None else HEAD_WITH_USER, params).first()
    user = None if claims is None else verified_user(head, claims)
    if head is None or head.id is None:
        raise QueueError(f"no queue {queue_id}")
    if head.held is not None:
        return head.held, user
    _expire(conn, queue_id, at)
    return _lease_new(conn, db, queue_id, head.overlap, head.lease_seconds, user_id, user_name, at), user


def lease_after_answer(conn: Connection, db: StudioDB, queue: Any, user_id: int, user_name: str, at: dt.datetime,
                       events: list[dict[str, Any]]) -> int | None:
    """The next item of ``queue`` (with ``id``, ``overlap``, ``lease_seconds``) for a user whose
    lease in it was just closed by their answer, in the same transaction; its audit event is
    appended to ``events`` (written with the answer's in one statement).

    Shorter than :func:`lease_in`: the queue's settings came with the item, and the user holds no
    live lease in the queue (the one the partial unique index allows was just closed; one leased
    by a parallel request of theirs is found when the insert meets it).
    """
    _expire(conn, queue.id, at)
    return _lease_new(conn, db, queue.id, queue.overlap, queue.lease_seconds, user_id, user_name, at, events)


def _lease_new(conn: Connection, db: StudioDB, queue_id: int, overlap: int, lease_seconds: int, user_id: int,
               user_name: str, at: dt.datetime, events: list[dict[str, Any]] | None = None) -> int | None:
    """Lease a new item (the caller checked that the user holds none); None when nothing is left."""
    for _round in range(3):
        candidates = _candidates(conn, db, queue_id, overlap, user_id)
        if not candidates:
            if _recount(conn, db, queue_id):
                continue
            return None
        for cand in candidates:
            aid = _take(conn, db, queue_id, overlap, lease_seconds, cand, user_id, user_name, at, events)
            if aid is not None:
                return aid
            held = conn.execute(HELD_SELECT, {"qid": queue_id, "uid": user_id, "at": at}).scalar()
            if held is not None:  # a parallel request of this user leased meanwhile
                return held
    return None


def lease_next(ws: Workspace, queue_id: int, user: User, at: dt.datetime | None = None) -> int | None:
    """The assignment id of the user's current lease in the queue, or of a newly leased item.

    None when nothing is left for this user (all items full, or already done by them). Two
    requests of the same user racing here end on the same item: the database allows one
    live lease per annotator and queue, and the loser picks up the winner's lease.
    """
    db = studio_db(ws)
    with db.write() as conn:
        return lease_in(conn, db, queue_id, user.id, user.name, at or now())[0]


def take_slot_for_late_answer(conn: Connection, a: Any, overlap: int, user_name: str, at: dt.datetime) -> bool:
    """An answer to an item whose lease ran out or was skipped: it keeps the item if a slot is free.

    ``a`` has the assignment's ``id``, ``status``, ``task_id`` and ``queue_id``. The assignment
    goes straight to ``submitted`` with the free slot (the caller writes the answer in the same
    transaction), so it never competes with the annotator's current lease elsewhere.
    """
    slot = _free_slot(conn, a.task_id, overlap)
    if slot is None:
        return False
    try:
        with conn.begin_nested():
            done = conn.execute(update(A).where(A.c.id == a.id, A.c.status == a.status).values(
                slot=slot, status="submitted", submitted_at=at)).rowcount
    except IntegrityError:
        return False
    if done != 1:
        return False
    conn.execute(SLOT_TAKEN, {"tid": a.task_id})
    add_events(conn, [event_row(user_name, "lease", queue_id=a.queue_id, task_id=a.task_id, at=at,
                                detail={"assignment": a.id, "slot": slot, "late_answer": True})])
    return True


def reacquire(ws: Workspace, assignment_id: int, user: User, at: dt.datetime | None = None) -> bool:
    """Lease again an item whose lease ran out or was skipped; False if it is full."""
    at = at or now()
    with studio_db(ws).write() as conn:
        a = conn.execute(select(A.c.id, A.c.status, A.c.task_id, A.c.queue_id, A.c.user_id, Q.c.overlap,
                                Q.c.lease_seconds).join(Q, Q.c.id == A.c.queue_id)
                         .where(A.c.id == assignment_id)).first()
        if a is None or a.user_id != user.id or a.status == "submitted":
            return False
        if a.status == "leased":
            return True
        slot = _free_slot(conn, a.task_id, a.overlap)
        if slot is None:
            return False
        try:
            with conn.begin_nested():
                done = conn.execute(update(A).where(A.c.id == a.id, A.c.status == a.status).values(
                    slot=slot, status="leased", leased_at=at, submitted_at=None,
                    expires_at=at + dt.timedelta(seconds=a.lease_seconds))).rowcount
        except IntegrityError:
            return False
        if done != 1:
            return False
        conn.execute(SLOT_TAKEN, {"tid": a.task_id})
        add_events(conn, [event_row(user.name, "lease", queue_id=a.queue_id, task_id=a.task_id, at=at,
                                    detail={"assignment": a.id, "slot": slot})])
        return True


def skip_in(conn: Connection, assignment_id: int, user: User) -> int | None:
    """Give the item back in the caller's transaction; the queue id, or None if it was not the user's lease."""
    row = conn.execute(update(A).where(A.c.id == assignment_id, A.c.user_id == user.id, A.c.status == "leased")
                       .values(status="skipped", slot=None).returning(A.c.task_id, A.c.queue_id)).first()
    if row is None:
        return None
    conn.execute(SLOT_FREED, {"tid": row.task_id})
    add_events(conn, [event_row(user.name, "skip", queue_id=row.queue_id, task_id=row.task_id,
                                detail={"assignment": assignment_id})])
    return row.queue_id


def skip(ws: Workspace, assignment_id: int, user: User) -> bool:
    """Give the item back (its slot goes to someone else) and do not offer it to this user again."""
    with studio_db(ws).write() as conn:
        return skip_in(conn, assignment_id, user) is not None


def lease_expires(a_expires_at: dt.datetime | None) -> dt.datetime | None:
    return as_utc(a_expires_at)


__all__ = ["ACTIVE", "expire_stale", "lease_after_answer", "lease_in", "lease_next", "reacquire", "skip", "skip_in",
           "take_slot_for_late_answer", "and_"]
