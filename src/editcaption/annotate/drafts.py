"""Drafts: what an annotator has typed into an item and not submitted yet, kept on the server.

The task page posts its form fields a moment after each edit; the next time the item is
opened — after a re-login, on another device, or with the Back button — the page is
rendered from the draft instead of the item's defaults. A draft belongs to one assignment
(so to one annotator and item) and is removed when that item's answer is saved.

A draft is only text the annotator typed: it is size-limited, never validated as an
answer (that happens on submit) and never shown to anyone else.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, bindparam, delete, select

from ..workspace import Workspace
from ..workspace.models import AnnotationAssignmentRecord, AnnotationDraftRecord
from .accounts import User
from .db import studio_db
from .tasks.common import MAX_TEXT, Form
from .timeutil import as_utc, now

D = AnnotationDraftRecord.__table__
A = AnnotationAssignmentRecord.__table__
MAX_FIELDS = 64          # distinct field names in one draft
MAX_VALUES = 64          # values of one field (the judge's ticked rows)
MAX_VALUE = MAX_TEXT * 4  # characters of one value: room for text past the submit limit, so nothing typed is cut
NOT_KEPT = {"csrf_token", "submission_token"}


class DraftError(ValueError):
    """A draft that cannot be kept (the message says why)."""


def clean_fields(raw: Any) -> dict[str, list[str]]:
    """The draft's fields as ``{name: [values]}``; raises :class:`DraftError` for anything else or too much."""
    if not isinstance(raw, dict):
        raise DraftError("a draft is an object of form fields")
    if len(raw) > MAX_FIELDS:
        raise DraftError(f"a draft has at most {MAX_FIELDS} fields")
    out: dict[str, list[str]] = {}
    for name, values in raw.items():
        if not isinstance(name, str) or not name or len(name) > 64:
            raise DraftError("bad field name in the draft")
        if name in NOT_KEPT:
            continue
        values = [values] if isinstance(values, str) else values
        if not isinstance(values, list) or len(values) > MAX_VALUES or not all(isinstance(v, str) for v in values):
            raise DraftError(f"field {name!r}: a draft field is a list of at most {MAX_VALUES} strings")
        if any(len(v) > MAX_VALUE for v in values):
            raise DraftError(f"field {name!r} is longer than {MAX_VALUE} characters")
        out[name] = list(values)
    return out


def save_draft(ws: Workspace, assignment_id: int, user: User, fields: dict[str, list[str]],
               at: dt.datetime | None = None) -> dt.datetime | None:
    """Keep the draft of the user's assignment (one upsert); its time, or None if the item is not theirs."""
    at = at or now()
    db = studio_db(ws)
    with db.write() as conn:
        owner = conn.execute(select(A.c.user_id).where(A.c.id == assignment_id)).scalar()
        if owner != user.id:
            return None
        stmt = db.insert(D).values(assignment_id=assignment_id, user_id=user.id, fields=fields, updated_at=at)
        conn.execute(stmt.on_conflict_do_update(index_elements=[D.c.assignment_id],
                                                set_={"fields": fields, "updated_at": at}))
    return at


def load_draft(conn: Connection, assignment_id: int, user_id: int) -> tuple[Form, dt.datetime] | None:
    """(fields, saved at) of the user's draft of an assignment, or None."""
    row = conn.execute(select(D.c.fields, D.c.updated_at).where(
        D.c.assignment_id == assignment_id, D.c.user_id == user_id)).first()
    return None if row is None else draft_of(row.fields, row.updated_at)


def draft_of(raw: Any, updated_at: dt.datetime | None) -> tuple[Form, dt.datetime] | None:
    """A stored draft row's (fields, saved at), or None (no draft, or one that cannot be shown)."""
    if updated_at is None:
        return None
    try:
        fields = clean_fields(raw)
    except DraftError:
        return None  # stored by an older version in another shape: the item's own text is shown
    return fields, as_utc(updated_at)


_DROP = delete(D).where(D.c.assignment_id == bindparam("aid"))  # built once: every submission with a draft


def drop_draft(conn: Connection, assignment_id: int) -> None:
    """Forget the draft of an assignment (in the caller's transaction: its answer was just saved)."""
    conn.execute(_DROP, {"aid": assignment_id})

