"""Judge: the human evaluation of §5.2.1 with the Table 6 checklist and its hierarchy.

The level is computed here from the ticked rows, never taken from the client: a P0 row
ends the item, so P1/P2 rows ticked beside one are refused (a page cannot bypass it).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, insert

from ...workspace.models import JudgementRecord
from ..checklist import LEVELS, ChecklistError, level_of, ordered, rows_at
from .common import Form, InvalidSubmission, Saved, TaskContext, clean_text, first

TEMPLATE = "task_judge.html"


def parse(form: Form, ctx: TaskContext) -> dict[str, Any]:
    if ctx.instruction is None:
        raise InvalidSubmission("this item has no instruction to judge")
    checked = list(form.get("row") or [])
    try:
        level = level_of(checked)
    except ChecklistError as exc:
        raise InvalidSubmission(str(exc)) from None
    claimed = first(form, "level")
    if claimed and claimed != level:
        raise InvalidSubmission(f"the level sent ({claimed}) does not match the ticked rows ({level})")
    note = clean_text(first(form, "note"), "note", required=False)
    return {"level": level, "checklist": ordered(checked), "note": note or None}


_INSERT = insert(JudgementRecord.__table__).returning(JudgementRecord.__table__.c.id)  # built once


def save(conn: Connection, ctx: TaskContext, payload: dict[str, Any], annotator: str) -> Saved:
    assert ctx.instruction is not None
    rec_id = conn.execute(_INSERT, {
        "instruction_id": ctx.instruction.id, "level": payload["level"], "checklist": payload["checklist"],
        "annotator": annotator, "note": payload["note"], "task_id": ctx.task.id}).scalar_one()
    return Saved(payload["level"], "judgement", rec_id)


def page(ctx: TaskContext, form: Form | None = None) -> dict[str, Any]:
    return {
        "instruction_text": ctx.instruction.text if ctx.instruction else "",
        "stages": [(level, rows_at(level)) for level in LEVELS],
        "checked": set(form.get("row") or []) if form else set(),
        "note": first(form, "note") if form else "",
    }
