"""Submitting a task: validated, written once, and safe to retry.

The client sends a *submission token* it made when the page loaded. The token is unique
in the database, as is (task, annotator), so a double click, a network retry or two
racing requests can never make two records: the loser's transaction is rolled back and
it is answered with the winner's result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
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
)
from .accounts import User
from .audit import log_event
from .drafts import drop_draft
from .leases import reacquire
from .tasks import module_for
from .tasks.common import Form, InvalidSubmission, TaskContext
from .timeutil import as_utc, now

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


def load_context(s: Session, assignment_id: int, user: User) -> tuple[Assignment, TaskContext]:
    a = s.get(Assignment, assignment_id)
    if a is None or a.user_id != user.id:
        raise NotYours(assignment_id)
    task = s.get(AnnotationTaskRecord, a.task_id)
    queue = s.get(AnnotationQueueRecord, a.queue_id)
    pair = s.get(PairRecord, task.pair_id)
    instruction = s.get(InstructionRecord, task.instruction_id) if task.instruction_id else None
    gt = s.scalar(select(GroundTruthRecord).where(GroundTruthRecord.pair_id == pair.id))
    return a, TaskContext(queue=queue, task=task, pair=pair, instruction=instruction, ground_truth=gt)


def _existing(ws: Workspace, token: str, user: User) -> SubmitResult | None:
    with ws.session() as s:
        sub = s.scalar(select(AnnotationSubmissionRecord).where(AnnotationSubmissionRecord.token == token))
        if sub is None:
            return None
        if sub.user_id != user.id:
            raise SubmitConflict("this submission token was already used")
        return SubmitResult(sub.id, sub.queue_id, sub.outcome, duplicate=True)


class _NotLeased(Exception):
    """The assignment is expired or skipped: it must be leased again before it can take an answer."""


def submit(ws: Workspace, assignment_id: int, user: User, token: str, form: Form) -> SubmitResult:
    """Validate and save one submission; raises InvalidSubmission, NotYours or SubmitConflict."""
    if not TOKEN_RE.match(token or ""):
        raise InvalidSubmission("missing or malformed submission token (reload the page)")
    done = _existing(ws, token, user)
    if done is not None:
        return done
    try:
        try:
            return _write(ws, assignment_id, user, token, form)
        except _NotLeased:
            if not reacquire(ws, assignment_id, user):
                raise SubmitConflict("your lease on this item ran out and it went to other annotators; "
                                     "your answer was not saved") from None
            return _write(ws, assignment_id, user, token, form)
    except (IntegrityError, SubmitConflict) as exc:
        done = _existing(ws, token, user)  # a retry of this very submission won the race
        if done is not None:
            return done
        if isinstance(exc, SubmitConflict):
            raise
        raise SubmitConflict("you already submitted this item") from None


def _write(ws: Workspace, assignment_id: int, user: User, token: str, form: Form) -> SubmitResult:
    """One transaction: check, validate (nothing is written if the answer is invalid), save, close the lease."""
    at = now()
    with ws.session() as s:
        a, ctx = load_context(s, assignment_id, user)
        if a.status == "submitted":
            raise SubmitConflict("you already submitted this item")
        if a.status != "leased":
            raise _NotLeased()
        kind = module_for(ctx.queue.kind)
        payload = kind.parse(form, ctx)
        sub = AnnotationSubmissionRecord(
            token=token, queue_id=ctx.queue.id, task_id=ctx.task.id, assignment_id=a.id, user_id=user.id,
            annotator=user.name, kind=ctx.queue.kind, outcome="pending", payload=payload,
            seconds=(at - as_utc(a.leased_at)).total_seconds(), created_at=at,
        )
        s.add(sub)
        s.flush()  # the unique token / (task, annotator) constraints fire here
        saved = kind.save(s, ctx, payload, user.name)
        sub.outcome, sub.record_kind, sub.record_id = saved.outcome, saved.record_kind, saved.record_id
        res = s.execute(update(Assignment).where(Assignment.id == a.id, Assignment.user_id == user.id,
                                                 Assignment.status == "leased")
                        .values(status="submitted", submitted_at=at).execution_options(synchronize_session=False))
        if res.rowcount != 1:
            raise SubmitConflict("this item is no longer leased to you")
        drop_draft(s.connection(), a.id)  # answered now
        log_event(s, user.name, "submit", queue_id=ctx.queue.id, task_id=ctx.task.id,
                  detail={"assignment": a.id, "submission": sub.id, "outcome": saved.outcome,
                          "record": [saved.record_kind, saved.record_id]})
        return SubmitResult(sub.id, ctx.queue.id, saved.outcome, duplicate=False)
