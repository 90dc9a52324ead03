"""Stages 1–2: teacher captions, exact scores as the reward, and the keep/drop filter.

1. The caption engine runs the offline ``delta`` backend on the pool (run ``delta``).
2. The teacher run (``teacher``) is the delta text with injected mistakes (:mod:`.mistakes`),
   written through the caption stage's own record writer, one instruction per pair.
3. ``eval exact`` scores the teacher run (EditWorld's exact scorer in EditScore's role) and
   ``filter`` keeps the instructions whose S reaches the threshold (the paper's 4.0).
"""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

from sqlalchemy import select

from ..caption import CaptionConfig, Outcome, run_caption
from ..caption.records import write_outcomes
from ..evaluate.exact import score_run_exact
from ..scoring.filtering import Thresholds, apply_filter
from ..workspace import Workspace
from ..workspace.models import InstructionRecord
from ..workspace.queries import finish_run, get_or_start_run
from .config import MiniConfig
from .mistakes import KINDS, inject

DELTA_RUN = "delta"
TEACHER_RUN = "teacher"
TEACHER_PRODUCER = "delta+injected-mistakes"


def delta_captions(ws: Workspace, pair_ids: list[str], run: str = DELTA_RUN) -> dict[str, Any]:
    """Caption pairs with the delta backend (resumable by run name)."""
    summary = run_caption(ws, CaptionConfig(model="delta", where={"id": pair_ids}, run_name=run))
    return {"done": summary.run_totals.get("ok"), "failed": summary.run_totals.get("failed"),
            "seconds": round(summary.wall_time, 2)}


def teacher_run(ws: Workspace, config: MiniConfig, seed: int, pair_ids: list[str], *, base_run: str = DELTA_RUN,
                run: str = TEACHER_RUN) -> dict[str, Any]:
    """Write a teacher run: each delta caption of ``base_run`` with mistakes drawn by a seeded generator."""
    rng = random.Random(f"{run}-{seed}")
    wanted = set(pair_ids)
    with ws.session() as s:
        rows = [(r.pair_id, r.text) for r in s.scalars(
            select(InstructionRecord).where(InstructionRecord.run_id == base_run, InstructionRecord.status == "ok")
            .order_by(InstructionRecord.pair_id)) if r.pair_id in wanted]
        get_or_start_run(s, run, "caption", {
            "model": TEACHER_PRODUCER, "producer_key": TEACHER_PRODUCER, "prompt_id": None,
            "stands_in_for": "a teacher VLM (the paper's GLM-4.5V)", "base_run": base_run,
            "mistake_rates": {k: getattr(config.teacher, k) for k in KINDS}, "seed": seed})
    outcomes, made = [], Counter()
    for pid, text in rows:
        new, kinds = inject(text or "", config.teacher, rng)
        made.update(kinds)
        made["with_mistake"] += bool(kinds)
        outcomes.append(Outcome(pair_id=pid, text=new))
    write_outcomes(ws, run, TEACHER_PRODUCER, None, outcomes)
    counts = {"ok": len(outcomes), "mistakes": dict(made)}
    with ws.session() as s:
        finish_run(s, run, "done", counts)
    return counts


def score_and_filter(ws: Workspace, config: MiniConfig) -> dict[str, Any]:
    """Exact scores for the teacher run, then keep/drop marks at the threshold."""
    scoring = score_run_exact(ws, TEACHER_RUN)
    report = apply_filter(ws, Thresholds(default=config.threshold), run=TEACHER_RUN, scorer="editworld-exact")
    data = report.to_json()
    return {"scored": scoring.scored, "unscored": scoring.unscored, "means": scoring.means,
            "kept": data["overall"]["kept"], "total": data["overall"]["total"],
            "by_subtype": {row["subtype"]: {"kept": row["kept"], "total": row["total"]} for row in data["by_subtype"]}}


def run_pairs(ws: Workspace, run: str = TEACHER_RUN, *, kept_only: bool = True) -> list[tuple[str, int]]:
    """(pair id, instruction id) of a run's usable instructions, in the order they were written:
    those the filter kept (``kept_only``, the teacher run), or every one written without error."""
    usable = InstructionRecord.kept.is_(True) if kept_only else InstructionRecord.status == "ok"
    with ws.session() as s:
        return [(r.pair_id, r.id) for r in s.scalars(
            select(InstructionRecord).where(InstructionRecord.run_id == run, usable).order_by(InstructionRecord.id))]
