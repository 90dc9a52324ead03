"""Revisiting and correcting one's own submissions.

An annotator can list what they submitted, open an item again and submit a correction.
A correction never overwrites: the submission's previous state (its payload, outcome and the
workspace record it made) is first copied to ``annotation_submission_versions``, then the
correction is saved like a new answer — a new Refinement or Judgement, which the exports
already read as "the latest" — and the submission row points to it. A Preference is the one
record a correction takes out of the workspace (an annotator has one preference per item, and
"the model was right after all" must leave none): its fields go into the version row, so it
can still be read back. Every correction is audited with the answer before and after.

Retries are harmless as for first answers: each correction carries the page's submission
token, which becomes the submission's token; the same token again is answered as done.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..workspace import Workspace
from ..workspace.models import (
    AnnotationQueueRecord,
    AnnotationSubmissionRecord,
    AnnotationSubmissionVersionRecord,
    AnnotationTaskRecord,
    PairRecord,
    PreferenceRecord,
)
from .accounts import User
from .audit import log_event
from .drafts import drop_draft
from .submissions import TOKEN_RE, Held, NotYours, load_context
from .tasks import module_for
from .tasks.common import Form, InvalidSubmission, TaskContext
from .timeutil import as_utc, now

Submission = AnnotationSubmissionRecord
Version = AnnotationSubmissionVersionRecord
PAGE = 100


class NothingChanged(ValueError):
    """The correction is the answer already saved: no new version is made."""


@dataclass(frozen=True)
class Corrected:
    submission_id: int
    version: int  # the version number the submission has now (2 after the first correction)
    duplicate: bool  # this token was already applied (a retry)


def my_submissions(s: Session, user: User, before_id: int | None = None, limit: int = PAGE) -> list[dict[str, Any]]:
    """The user's submissions, newest first (``before_id`` pages on), with their queue, pair and version."""
    versions = (select(Version.submission_id, func.count().label("n")).group_by(Version.submission_id).subquery())
    stmt = (select(Submission, AnnotationQueueRecord.name, PairRecord.name, PairRecord.id, versions.c.n)
            .join(AnnotationQueueRecord, AnnotationQueueRecord.id == Submission.queue_id)
            .join(AnnotationTaskRecord, AnnotationTaskRecord.id == Submission.task_id)
            .join(PairRecord, PairRecord.id == AnnotationTaskRecord.pair_id)
            .outerjoin(versions, versions.c.submission_id == Submission.id)
            .where(Submission.user_id == user.id).order_by(Submission.id.desc()).limit(limit))
    if before_id is not None:
        stmt = stmt.where(Submission.id < before_id)
    return [{"id": sub.id, "queue": queue, "kind": sub.kind, "pair": pair_name or pair_id[:12],
             "outcome": sub.outcome, "at": as_utc(sub.created_at), "version": 1 + (n or 0)}
            for sub, queue, pair_name, pair_id, n in s.execute(stmt)]


def load_own(s: Session, submission_id: int, user: User) -> tuple[Submission, Held, TaskContext]:
    """A submission of the user with its item; :class:`NotYours` for anyone else's or none."""
    sub = s.get(Submission, submission_id)
    if sub is None or sub.user_id != user.id or sub.assignment_id is None:
        raise NotYours(submission_id)
    a, ctx = load_context(s, sub.assignment_id, user)
    return sub, a, ctx


def version_count(s: Session, submission_id: int) -> int:
    return 1 + (s.scalar(select(func.count()).select_from(Version).where(Version.submission_id == submission_id)) or 0)


def payload_form(kind: str, payload: dict[str, Any]) -> Form:
    """A saved answer as the form fields that would submit it again (to show it for correction)."""
    p = payload or {}
    if kind == "refine":
        return {"text": [p.get("text", "")]}
    if kind == "prefer":
        form = {"verdict": [p.get("verdict", "")]}
        for key in ("chosen", "error_type", "severity"):
            if p.get(key):
                form[key] = [p[key]]
        return form
    if kind == "judge":
        form = {"row": list(p.get("checklist") or []), "note": [p.get("note") or ""]}
        if p.get("level"):
            form["level"] = [p["level"]]
        return form
    if kind == "verify-gt":
        return {"primary": ["\n".join(p.get("primary") or [])], "secondary": ["\n".join(p.get("secondary") or [])],
                "overall": [p.get("overall") or ""], "verified": ["1"] if p.get("verified") else []}
    return {}


def _retract_preference(s: Session, record_id: int | None) -> dict[str, Any] | None:
    """Remove a preference its author no longer stands by; its fields, to keep with the old version."""
    pref = s.get(PreferenceRecord, record_id) if record_id else None
    if pref is None:
        return None
    fields = {"id": pref.id, "pair_id": pref.pair_id, "rejected_instruction_id": pref.rejected_instruction_id,
              "chosen": pref.chosen, "rejected": pref.rejected, "error_type": pref.error_type,
              "severity": pref.severity, "annotator": pref.annotator, "task_id": pref.task_id,
              "created_at": as_utc(pref.created_at).isoformat() if pref.created_at else None}
    s.delete(pref)
    return fields


def _duplicate(ws: Workspace, token: str, submission_id: int, user: User) -> Corrected | None:
    with ws.session() as s:
        sub = s.scalar(select(Submission).where(Submission.token == token))
        if sub is None:
            return None
        if sub.id != submission_id or sub.user_id != user.id:
            raise InvalidSubmission("this submission token was already used (reload the page)")
        return Corrected(sub.id, version_count(s, sub.id), duplicate=True)


def correct(ws: Workspace, submission_id: int, user: User, token: str, form: Form,
            at: dt.datetime | None = None) -> Corrected:
    """Save a correction of the user's submission as its next version (one transaction).

    Raises :class:`NotYours`, :class:`~.tasks.common.InvalidSubmission` (nothing is written)
    or :class:`NothingChanged`.
    """
    if not TOKEN_RE.match(token or ""):
        raise InvalidSubmission("missing or malformed submission token (reload the page)")
    done = _duplicate(ws, token, submission_id, user)
    if done is not None:
        return done
    at = at or now()
    try:
        with ws.session() as s:
            sub, a, ctx = load_own(s, submission_id, user)
            kind = module_for(ctx.queue.kind)
            payload = kind.parse(form, ctx)
            if payload == sub.payload:
                raise NothingChanged("this is the answer already saved; nothing to correct")
            version = version_count(s, sub.id)
            removed = None
            if sub.record_kind == "preference" and ctx.queue.kind == "prefer":
                removed = _retract_preference(s, sub.record_id)  # any new preference is saved below
            s.add(Version(submission_id=sub.id, version=version, token=sub.token, outcome=sub.outcome,
                          payload=sub.payload, record_kind=sub.record_kind, record_id=sub.record_id, record=removed,
                          submitted_at=as_utc(sub.created_at) if version == 1 else _last_change(s, sub.id, sub),
                          replaced_at=at))
            s.flush()  # the unique (submission, version) constraint: two racing corrections make one version
            saved = kind.save(s.connection(), ctx, payload, user.name)
            before = {"outcome": sub.outcome, "payload": sub.payload, "record": [sub.record_kind, sub.record_id]}
            sub.token, sub.outcome, sub.payload = token, saved.outcome, payload
            sub.record_kind, sub.record_id = saved.record_kind, saved.record_id
            drop_draft(s.connection(), a.id)
            log_event(s, user.name, "correct", queue_id=ctx.queue.id, task_id=ctx.task.id,
                      detail={"submission": sub.id, "assignment": a.id, "version": version + 1, "before": before,
                              "after": {"outcome": saved.outcome, "payload": payload,
                                        "record": [saved.record_kind, saved.record_id]},
                              "removed_record": removed})
            return Corrected(sub.id, version + 1, duplicate=False)
    except IntegrityError:
        done = _duplicate(ws, token, submission_id, user)
        if done is not None:
            return done
        raise InvalidSubmission("another correction of this item was saved at the same moment; "
                                "reload to see it") from None


def _last_change(s: Session, submission_id: int, sub: Submission) -> dt.datetime:
    """When the submission's current version was made: the time the previous version was replaced."""
    last = s.scalar(select(func.max(Version.replaced_at)).where(Version.submission_id == submission_id))
    return as_utc(last) if last else as_utc(sub.created_at)


def history(s: Session, submission_id: int) -> list[dict[str, Any]]:
    """Earlier versions of a submission, oldest first."""
    rows = s.scalars(select(Version).where(Version.submission_id == submission_id).order_by(Version.version))
    return [{"version": v.version, "outcome": v.outcome, "payload": v.payload, "submitted_at": as_utc(v.submitted_at),
             "replaced_at": as_utc(v.replaced_at), "record": [v.record_kind, v.record_id]} for v in rows]
