"""Refine: the annotator rewrites a model's instruction (paper §4.1, human refinement)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, insert

from ...workspace.models import RefinementRecord
from .common import Form, Saved, TaskContext, clean_text, first, same_text

TEMPLATE = "task_refine.html"

# The three goals annotators refine towards (paper §4.1).
GOALS = (
    ("Semantic accuracy", "the instruction says exactly what changed between the two images, nothing more."),
    ("Explicit spatial relations", "left/right and relative positions spelled out, in the viewer's frame."),
    ("Fine-grained attributes", "colour, texture, material and other properties of what is added or changed."),
)


def parse(form: Form, ctx: TaskContext) -> dict[str, Any]:
    return {"text": clean_text(first(form, "text"), "instruction")}


_INSERT = insert(RefinementRecord.__table__).returning(RefinementRecord.__table__.c.id)  # built once


def save(conn: Connection, ctx: TaskContext, payload: dict[str, Any], annotator: str) -> Saved:
    rec_id = conn.execute(_INSERT, {
        "pair_id": ctx.pair.id, "instruction_id": ctx.instruction.id if ctx.instruction else None,
        "text": payload["text"], "annotator": annotator, "task_id": ctx.task.id}).scalar_one()
    outcome = "unchanged" if same_text(payload["text"], ctx.instruction.text if ctx.instruction else "") else "edited"
    return Saved(outcome, "refinement", rec_id)


def page(ctx: TaskContext, form: Form | None = None) -> dict[str, Any]:
    original = ctx.instruction.text if ctx.instruction else ""
    return {"goals": GOALS, "original": original, "text": first(form, "text") if form else original}
