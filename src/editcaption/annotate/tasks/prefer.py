"""Prefer: mark a model's instruction correct, or correct it and label the failure (paper §4.2).

A correction becomes a Preference: chosen = the annotator's text, rejected = the model's,
with the primary failure mode (orientation / viewpoint / detail) and severity (P0/P1/P2)
that feed HAE-DPO's margin.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, insert

from ...schema import ErrorType, Severity
from ...workspace.models import PreferenceRecord
from .common import Form, InvalidSubmission, Saved, TaskContext, clean_text, first, same_text

TEMPLATE = "task_prefer.html"

ERROR_TYPES = (
    ("orientation", "o", "Orientation", "left/right or another direction is wrong"),
    ("viewpoint", "v", "Viewpoint", "the camera's view change is wrong or vague"),
    ("detail", "d", "Detail", "attributes are missing or vague"),
)
SEVERITIES = (
    ("P0", "0", "P0 critical", "the instruction is unusable"),
    ("P1", "1", "P1 major", "hurts the edit but still usable"),
    ("P2", "2", "P2 minor", "phrasing only"),
)


def parse(form: Form, ctx: TaskContext) -> dict[str, Any]:
    verdict = first(form, "verdict")
    if verdict == "correct":
        return {"verdict": "correct"}
    if verdict != "corrected":
        raise InvalidSubmission("choose whether the instruction is correct or needs a correction")
    chosen = clean_text(first(form, "chosen"), "corrected instruction")
    rejected = ctx.instruction.text if ctx.instruction else ""
    if same_text(chosen, rejected):
        raise InvalidSubmission("the corrected instruction is the same as the model's; mark it correct instead")
    error_type, severity = first(form, "error_type"), first(form, "severity")
    if error_type not in {e.value for e in ErrorType}:
        raise InvalidSubmission("choose the failure type: orientation, viewpoint or detail")
    if severity not in {e.value for e in Severity}:
        raise InvalidSubmission("choose the severity: P0, P1 or P2")
    return {"verdict": "corrected", "chosen": chosen, "error_type": error_type, "severity": severity}


_INSERT = insert(PreferenceRecord.__table__).returning(PreferenceRecord.__table__.c.id)  # built once


def save(conn: Connection, ctx: TaskContext, payload: dict[str, Any], annotator: str) -> Saved:
    if payload["verdict"] == "correct":
        return Saved("correct")
    rec_id = conn.execute(_INSERT, {
        "pair_id": ctx.pair.id, "rejected_instruction_id": ctx.instruction.id if ctx.instruction else None,
        "chosen": payload["chosen"], "rejected": ctx.instruction.text if ctx.instruction else "",
        "error_type": payload["error_type"], "severity": payload["severity"], "annotator": annotator,
        "task_id": ctx.task.id}).scalar_one()
    return Saved(payload["error_type"], "preference", rec_id)


def page(ctx: TaskContext, form: Form | None = None) -> dict[str, Any]:
    model = ctx.instruction.text if ctx.instruction else ""
    return {
        "model": model,
        "error_types": ERROR_TYPES,
        "severities": SEVERITIES,
        "verdict": first(form, "verdict") if form else "",
        # What was typed, else the model's text to edit (a form sent with "correct" ticked has no text).
        "chosen": (first(form, "chosen") if form else "") or model,
        "error_type": first(form, "error_type") if form else "",
        "severity": first(form, "severity") if form else "",
    }
