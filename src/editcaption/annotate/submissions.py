"""Submitting a task: validated, written once, and safe to retry.

The client sends a *submission token* it made when the page loaded. The token is unique
in the database, as is (task, annotator), so a double click, a network retry or two
racing requests can never make two records: the loser's transaction is rolled back and
it is answered with the winner's result.

A submission is one short transaction of Core statements (see :mod:`.db`): one query reads
the item with everything its kind needs (:func:`context_select`) and any submission already
made with this token, then the kind's record, the submission, the assignment, the draft (if
there is one) and the audit event are written, and — for the studio's POST — the
annotator's next item is leased in the same transaction (:func:`.leases.lease_in`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from sqlalchemy import Connection, Select, and_, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..workspace import Workspace
from ..workspace.models import (
    AnnotationAssignmentRecord,
    AnnotationDraftRecord,
    AnnotationQueueRecord,
    AnnotationSubmissionRecord,
    AnnotationTaskRecord,
    GroundTruthRecord,
    ImageRecord,
    InstructionRecord,
    PairRecord,
)
from .accounts import User
from .audit import add_events, event_row
from .auth import USER_COLUMNS, USERS, Claims, load_user, user_on, verified_user
from .db import StudioDB, studio_db
from .drafts import drop_draft
from .leases import lease_after_answer, lease_in, reacquire
from .queues import count_columns
from .tasks import module_for
from .tasks.common import (
    Form,
    GroundTruth,
    Image,
    Instruction,
    InvalidSubmission,
    Pair,
    Queue,
    Task,
    TaskContext,
)
from .timeutil import as_utc, now

A = AnnotationAssignmentRecord.__table__
T = AnnotationTaskRecord.__table__
Q = AnnotationQueueRecord.__table__
P = PairRecord.__table__
I = InstructionRecord.__table__  # noqa: E741
G = GroundTruthRecord.__table__
S = AnnotationSubmissionRecord.__table__
D = AnnotationDraftRecord.__table__
SRC = ImageRecord.__table__.alias("src")
TGT = ImageRecord.__table__.alias("tgt")
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,128}$")


class NotYours(LookupError):
    """The assignment does not exist or belongs to someone else (answered as 404: no existence leak)."""


class SubmitConflict(RuntimeError):
    """The item cannot take this submission (already submitted, or the lease went to others)."""


@dataclass(frozen=True)
class SubmitResult:
    submission_id: int
    queue_id: int
    outcome: str
    duplicate: bool  # True when this token had already been submitted (a retry)
    next_assignment: int | None = None  # with ``lease_next``: the annotator's next item, None if none is left
    queue_name: str | None = None  # with ``lease_next``: the queue's name (for "nothing left in ...")


@dataclass(frozen=True)
class Held:
    """The assignment as read with its item."""

    id: int
    user_id: int
    status: str
    leased_at: dt.datetime | None
    expires_at: dt.datetime | None


@cache
def context_select(with_token: bool = False, for_page: bool = False) -> Select:
    """One query for an assignment (parameter ``aid``) and its item: queue, task, pair with both
    images, instruction, ground truth, whether a draft is kept. ``with_token``: also the submission
    already made with the token ``token``, if any. ``for_page``: also what the task page shows
    (the draft, the queue's and the user ``uid``'s counts, the submission of a closed item).

    Built once per variant, with its values as parameters: composing and hashing the statement
    anew for each request would cost as much CPU as running it."""
    cols: list[Any] = [
        A.c.id.label("a_id"), A.c.user_id.label("a_user_id"), A.c.status.label("a_status"),
        A.c.leased_at.label("a_leased_at"), A.c.expires_at.label("a_expires_at"),
        Q.c.id.label("q_id"), Q.c.name.label("q_name"), Q.c.kind.label("q_kind"), Q.c.overlap.label("q_overlap"),
        Q.c.lease_seconds.label("q_lease_seconds"),
        T.c.id.label("t_id"), T.c.instruction_id.label("t_instruction_id"),
        P.c.id.label("p_id"), P.c.name.label("p_name"),
        SRC.c.sha256.label("src_sha"), SRC.c.ext.label("src_ext"), SRC.c.width.label("src_w"),
        SRC.c.height.label("src_h"),
        TGT.c.sha256.label("tgt_sha"), TGT.c.ext.label("tgt_ext"), TGT.c.width.label("tgt_w"),
        TGT.c.height.label("tgt_h"),
        I.c.id.label("i_id"), I.c.text.label("i_text"),
        G.c.id.label("g_id"), G.c.primary.label("g_primary"), G.c.secondary.label("g_secondary"),
        G.c.overall.label("g_overall"), G.c.verified.label("g_verified"),
        D.c.assignment_id.label("d_id"), *USER_COLUMNS,
    ]
    joined = (A.join(USERS, USERS.c.id == A.c.user_id).join(T, T.c.id == A.c.task_id).join(Q, Q.c.id == A.c.queue_id).join(P, P.c.id == T.c.pair_id)
              .join(SRC, SRC.c.sha256 == P.c.source_sha).join(TGT, TGT.c.sha256 == P.c.target_sha)
              .outerjoin(I, I.c.id == T.c.instruction_id).outerjoin(G, G.c.pair_id == P.c.id)
              .outerjoin(D, and_(D.c.assignment_id == A.c.id, D.c.user_id == A.c.user_id)))
    if with_token:
        done = S.alias("done")
        cols += [done.c.id.label("tok_id"), done.c.user_id.label("tok_user_id"),
                 done.c.queue_id.label("tok_queue_id"), done.c.outcome.label("tok_outcome")]
        joined = joined.outerjoin(done, done.c.token == bindparam("token", type_=S.c.token.type))
    if for_page:
        cols += [D.c.fields.label("d_fields"), D.c.updated_at.label("d_updated_at"),
                 select(S.c.id).where(S.c.assignment_id == A.c.id).correlate_except(S).limit(1)
                 .scalar_subquery().label("closed_sub"),
                 *count_columns(A.c.queue_id, bindparam("uid", type_=S.c.user_id.type))]
    return select(*cols).select_from(joined).where(A.c.id == bindparam("aid", type_=A.c.id.type))


def context_of(row: Any) -> tuple[Held, TaskContext]:
    """The assignment and its item from a row of :func:`context_select`."""
    pair = Pair(row.p_id, row.p_name, Image(row.src_sha, row.src_ext, row.src_w, row.src_h),
                Image(row.tgt_sha, row.tgt_ext, row.tgt_w, row.tgt_h))
    ctx = TaskContext(
        queue=Queue(row.q_id, row.q_name, row.q_kind, row.q_overlap, row.q_lease_seconds),
        task=Task(row.t_id, row.p_id, row.t_instruction_id), pair=pair,
        instruction=Instruction(row.i_id, row.i_text) if row.i_id is not None else None,
        ground_truth=(GroundTruth(row.g_id, row.g_primary, row.g_secondary, row.g_overall, row.g_verified)
                      if row.g_id is not None else None))
    return Held(row.a_id, row.a_user_id, row.a_status, row.a_leased_at, row.a_expires_at), ctx


def read_context(conn: Connection | Session, assignment_id: int, who: User | Claims, *, token: str | None = None,
                 page: bool = False) -> tuple[Any, Held, TaskContext, User]:
    """(the row of :func:`context_select`, the assignment, its item, the user) of the user's
    assignment; :class:`NotYours` for anyone else's or none.

    ``who`` is the signed-in user, or a session cookie's claims (routes marked
    :func:`.auth.session_in_query`): the account is then checked against the claims in this
    same query (:class:`.auth.NotAuthenticated` when the session is not valid)."""
    uid = who.uid if isinstance(who, Claims) else who.id
    params: dict[str, Any] = {"aid": assignment_id}
    if token is not None:
        params["token"] = token
    if page:
        params["uid"] = uid
    row = conn.execute(context_select(token is not None, page), params).first()
    mine = row is not None and row.a_user_id == uid
    if isinstance(who, Claims):  # the account came with the row when the item is the user's
        who = verified_user(row, who) if mine else user_on(conn.connection() if isinstance(conn, Session)
                                                           else conn, who)
    if not mine:
        raise NotYours(assignment_id)
    a, ctx = context_of(row)
    return row, a, ctx, who


def load_context(conn: Connection | Session, assignment_id: int, user: User) -> tuple[Held, TaskContext]:
    """The user's assignment and its item (one query); :class:`NotYours` for anyone else's or none."""
    return read_context(conn, assignment_id, user)[1:3]


def _existing(db: StudioDB, token: str, user: User) -> SubmitResult | None:
    with db.read() as conn:
        sub = conn.execute(select(S.c.id, S.c.user_id, S.c.queue_id, S.c.outcome).where(S.c.token == token)).first()
    if sub is None:
        return None
    if sub.user_id != user.id:
        raise SubmitConflict("this submission token was already used")
    return SubmitResult(sub.id, sub.queue_id, sub.outcome, duplicate=True)


class _NotLeased(Exception):
    """The assignment is expired or skipped: it must be leased again before it can take an answer."""

    def __init__(self, user: User):
        super().__init__(user.name)
        self.user = user


def submit(ws: Workspace, assignment_id: int, user: User | Claims, token: str, form: Form,
           lease_next: bool = False) -> SubmitResult:
    """Validate and save one submission; raises InvalidSubmission, NotYours or SubmitConflict
    (and NotAuthenticated when ``user`` is a session's claims that are no longer valid).

    With ``lease_next`` the annotator's next item of the queue is leased in the same
    transaction (``next_assignment``; None when nothing is left), a retry's as well.
    """
    if not TOKEN_RE.match(token or ""):
        raise InvalidSubmission("missing or malformed submission token (reload the page)")
    db = studio_db(ws)
    try:
        try:
            return _write(db, assignment_id, user, token, form, lease_next)
        except _NotLeased as late:
            user = late.user
            if not reacquire(ws, assignment_id, user):
                raise SubmitConflict("your lease on this item ran out and it went to other annotators; "
                                     "your answer was not saved") from None
            return _write(db, assignment_id, user, token, form, lease_next)
    except (IntegrityError, SubmitConflict, NotYours) as exc:
        if isinstance(user, Claims):
            user = load_user(db, user)
        done = _existing(db, token, user)  # a retry of this very submission won the race
        if done is not None:
            return _then_next(db, done, user, lease_next)
        if isinstance(exc, (SubmitConflict, NotYours)):
            raise
        raise SubmitConflict("you already submitted this item") from None


def _then_next(db: StudioDB, done: SubmitResult, user: User, lease_next: bool) -> SubmitResult:
    """A retry's answer, with the annotator's next item when asked (its own short transaction)."""
    if not lease_next or done.queue_id is None:
        return done
    with db.write() as conn:
        return replace(done, next_assignment=lease_in(conn, db, done.queue_id, user.id, user.name, now())[0])


# built once (composing a statement per request cost more CPU than running it)
INSERT_SUBMISSION = insert(S).returning(S.c.id)
CLOSE_LEASE = (update(A).where(A.c.id == bindparam("aid"), A.c.user_id == bindparam("uid"), A.c.status == "leased")
               .values(status="submitted", submitted_at=bindparam("at", type_=A.c.submitted_at.type)))


def _write(db: StudioDB, assignment_id: int, who: User | Claims, token: str, form: Form,
           lease_next: bool) -> SubmitResult:
    """Check and validate outside the write transaction, then one short transaction: save, close
    the lease, and lease the next item when asked.

    Writers take turns (SQLite has one writer at a time), so only the writes wait their turn:
    the item, the session check and the answer's validation come from a read before it. What
    that read saw is enforced again by the writes themselves: the unique token and (task,
    annotator) constraints refuse a second answer, and the lease is closed only if it is still
    this user's live lease (otherwise nothing is kept and the lease is taken again, as for a late
    answer). Nothing is written if the answer is invalid.
    """
    at = now()
    with db.read() as conn:
        row, a, ctx, user = read_context(conn, assignment_id, who, token=token)
    if row.tok_id is not None:  # this token was saved before: a retry
        if row.tok_user_id != user.id:
            raise SubmitConflict("this submission token was already used")
        result = SubmitResult(row.tok_id, row.tok_queue_id, row.tok_outcome, duplicate=True)
        return _then_next(db, result, user, lease_next)
    if a.status == "submitted":
        raise SubmitConflict("you already submitted this item")
    if a.status != "leased":
        raise _NotLeased(user)
    kind = module_for(ctx.queue.kind)
    payload = kind.parse(form, ctx)
    with db.write() as conn:
        saved = kind.save(conn, ctx, payload, user.name)
        # the unique token / (task, annotator) constraints fire here
        sub_id = conn.execute(INSERT_SUBMISSION, {
            "token": token, "queue_id": ctx.queue.id, "task_id": ctx.task.id, "assignment_id": a.id,
            "user_id": user.id, "annotator": user.name, "kind": ctx.queue.kind, "outcome": saved.outcome,
            "payload": payload, "record_kind": saved.record_kind, "record_id": saved.record_id,
            "seconds": (at - as_utc(a.leased_at)).total_seconds(), "created_at": at}).scalar_one()
        closed = conn.execute(CLOSE_LEASE, {"aid": a.id, "uid": user.id, "at": at}).rowcount
        if closed != 1:  # expired or skipped since the read: nothing is kept, the lease is taken again
            raise _NotLeased(user)
        if row.d_id is not None:
            drop_draft(conn, a.id)  # answered now
        events = [event_row(user.name, "submit", queue_id=ctx.queue.id, task_id=ctx.task.id, at=at,
                            detail={"assignment": a.id, "submission": sub_id, "outcome": saved.outcome,
                                    "record": [saved.record_kind, saved.record_id]})]
        result = SubmitResult(sub_id, ctx.queue.id, saved.outcome, duplicate=False)
        if lease_next:
            nxt = lease_after_answer(conn, db, ctx.queue, user.id, user.name, at, events)
            result = replace(result, next_assignment=nxt, queue_name=ctx.queue.name)
        add_events(conn, events)  # the answer's and the lease's in one statement
        return result
