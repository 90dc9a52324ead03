"""Verify GT: correct a drafted structured ground truth (primary, secondary, overall) and mark it verified.

Each change is edited as one line of text. A line left as it was keeps the structure it
had (op, object, direction…); a new or edited line becomes a plain-text change. The
previous version goes into the audit log, so no edit is lost.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, insert, update

from ...workspace.models import GroundTruthRecord
from ..audit import add_events, event_row
from .common import MAX_TEXT, Form, InvalidSubmission, Saved, TaskContext, clean_text, first

TEMPLATE = "task_verify_gt.html"
MAX_CHANGES = 50


def _lines(value: str, what: str) -> list[str]:
    lines = [" ".join(line.split()) for line in value.replace("\r", "\n").split("\n")]
    lines = [line for line in lines if line]
    if len(lines) > MAX_CHANGES:
        raise InvalidSubmission(f"at most {MAX_CHANGES} {what} changes")
    if any(len(line) > MAX_TEXT for line in lines):
        raise InvalidSubmission(f"a {what} change is longer than {MAX_TEXT} characters")
    return lines


def parse(form: Form, ctx: TaskContext) -> dict[str, Any]:
    primary = _lines(first(form, "primary"), "primary")
    secondary = _lines(first(form, "secondary"), "secondary")
    overall = clean_text(first(form, "overall"), "overall description", required=False)
    if not primary and not overall:
        raise InvalidSubmission("write at least one primary change or the overall description")
    verified = first(form, "verified") in ("1", "on", "true")
    return {"primary": primary, "secondary": secondary, "overall": overall, "verified": verified}


def _merge(lines: list[str], before: list[Any]) -> list[dict[str, Any]]:
    by_text = {}
    for change in before or []:
        if isinstance(change, dict) and change.get("text"):
            by_text.setdefault(" ".join(str(change["text"]).split()), change)
        elif isinstance(change, str):
            by_text.setdefault(" ".join(change.split()), {"text": change})
    return [dict(by_text.get(line) or {"text": line}) for line in lines]


def save(conn: Connection, ctx: TaskContext, payload: dict[str, Any], annotator: str) -> Saved:
    """Write the pair's ground truth (the context read it in the caller's transaction) and audit the edit."""
    gt, table = ctx.ground_truth, GroundTruthRecord.__table__
    before = None
    if gt is not None:
        before = {"primary": gt.primary, "secondary": gt.secondary, "overall": gt.overall, "verified": gt.verified}
    after = {"primary": _merge(payload["primary"], before["primary"] if before else []),
             "secondary": _merge(payload["secondary"], before["secondary"] if before else []),
             "overall": payload["overall"], "verified": payload["verified"]}
    if gt is None:
        gt_id = conn.execute(insert(table).values(pair_id=ctx.pair.id, source=f"annotator:{annotator}",
                                                  updated_by=annotator, **after).returning(table.c.id)).scalar_one()
    else:
        conn.execute(update(table).where(table.c.id == gt.id).values(updated_by=annotator, **after))
        gt_id = gt.id
    add_events(conn, [event_row(annotator, "gt_edit", queue_id=ctx.queue.id, task_id=ctx.task.id,
                                detail={"pair_id": ctx.pair.id, "before": before, "after": after})])
    return Saved("verified" if payload["verified"] else "saved", "ground_truth", gt_id)


def _text(change: Any) -> str:
    return str(change.get("text", "")) if isinstance(change, dict) else str(change)


def page(ctx: TaskContext, form: Form | None = None) -> dict[str, Any]:
    gt = ctx.ground_truth
    if form:
        return {"primary": first(form, "primary"), "secondary": first(form, "secondary"),
                "overall": first(form, "overall"), "drafted": gt is not None,
                "verified": first(form, "verified") in ("1", "on", "true"),
                "reference": ctx.instruction.text if ctx.instruction else None}
    return {
        "primary": "\n".join(_text(c) for c in (gt.primary if gt else [])),
        "secondary": "\n".join(_text(c) for c in (gt.secondary if gt else [])),
        "overall": gt.overall if gt else "",
        "drafted": gt is not None,
        "verified": True,  # ticked to start with: saving is verifying, unless the annotator unticks it
        "reference": ctx.instruction.text if ctx.instruction else None,
    }
