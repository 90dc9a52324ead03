"""Scores in the workspace: which instructions to score, writing scores, reading them back.

A score row (:class:`~editcaption.workspace.models.ScoreRecord`) is unique per (instruction,
scorer, score run): scoring again replaces it in place (with a fresh timestamp, so it is the
instruction's latest score for ``export --min-score``). ``status`` is ``ok`` with ``overall``,
or ``unscored`` with ``overall`` NULL and the reason — there is no third state.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from ..store import ImageKey
from ..workspace import Workspace
from ..workspace.models import ImageRecord, InstructionRecord, PairRecord, RunRecord, ScoreRecord, utcnow
from ..workspace.queries import pairs_select
from .editscore import ScoreOutcome

SCORE_RUN_KIND = "score"


class ScoringSelectionError(ValueError):
    """The instructions to score (or filter) cannot be determined (the message says what to pass)."""


@dataclass(frozen=True)
class ScoreItem:
    """An instruction to score, with its pair's images' store keys."""

    instruction_id: int
    pair_id: str
    text: str
    source: ImageKey
    target: ImageKey


def instruction_runs(s: Session) -> list[str]:
    """Runs that hold instructions (caption runs and imported ones), in start order."""
    with_instructions = select(InstructionRecord.run_id).distinct()
    stmt = (select(RunRecord.id).where(RunRecord.id.in_(with_instructions))
            .order_by(RunRecord.started_at, RunRecord.id))
    return list(s.scalars(stmt))


def resolve_run(s: Session, run: str | None) -> str:
    """The instruction run asked for, or the only one there is; otherwise a clear error."""
    runs = instruction_runs(s)
    if run is not None:
        rec = s.get(RunRecord, run)
        if rec is None:
            raise ScoringSelectionError(f"no run {run!r} in this workspace (see: editcaption runs list)")
        if rec.kind == SCORE_RUN_KIND:
            raise ScoringSelectionError(f"run {run!r} is a scoring run; name the run whose instructions to use")
        return run
    if len(runs) == 1:
        return runs[0]
    if not runs:
        raise ScoringSelectionError("this workspace has no instructions yet (caption or ingest some first)")
    raise ScoringSelectionError(f"the workspace has {len(runs)} runs with instructions; choose one with --run "
                                f"({', '.join(runs[:8])}{' …' if len(runs) > 8 else ''})")


def select_items(ws: Workspace, run: str, where: dict[str, list[str]] | None = None,
                 limit: int | None = None) -> list[ScoreItem]:
    """The run's ok instructions with text, in the workspace's pair order, with their images' store keys."""
    src, tgt = aliased(ImageRecord), aliased(ImageRecord)
    stmt = (
        pairs_select(where)
        .with_only_columns(InstructionRecord.id, InstructionRecord.pair_id, InstructionRecord.text,
                           src.sha256, src.ext, tgt.sha256, tgt.ext)
        .select_from(PairRecord)
        .join(InstructionRecord, InstructionRecord.pair_id == PairRecord.id)
        .join(src, src.sha256 == PairRecord.source_sha)
        .join(tgt, tgt.sha256 == PairRecord.target_sha)
        .where(InstructionRecord.run_id == run, InstructionRecord.status == "ok")
    )
    with ws.session() as s:
        rows = s.execute(stmt).all()
    items = [
        ScoreItem(iid, pid, text, ImageKey(ss, se), ImageKey(ts, te))
        for iid, pid, text, ss, se, ts, te in rows if (text or "").strip()
    ]
    return items[:limit] if limit else items


def existing_scores(s: Session, score_run: str, scorer: str) -> dict[int, ScoreRecord]:
    stmt = select(ScoreRecord).where(ScoreRecord.run_id == score_run, ScoreRecord.scorer == scorer)
    return {rec.instruction_id: rec for rec in s.scalars(stmt)}


def write_scores(s: Session, score_run: str, scorer: str, scores: list[tuple[int, ScoreOutcome]]) -> None:
    """Insert or replace the (instruction, scorer, score run) row of each (instruction id, outcome)."""
    ids = [iid for iid, _ in scores]
    stmt = select(ScoreRecord).where(ScoreRecord.run_id == score_run, ScoreRecord.scorer == scorer,
                                     ScoreRecord.instruction_id.in_(ids))
    existing = {rec.instruction_id: rec for rec in s.scalars(stmt)} if ids else {}
    for iid, outcome in scores:
        existing[iid] = write_score(s, score_run, scorer, iid, outcome, existing.get(iid))


def write_score(s: Session, score_run: str, scorer: str, instruction_id: int, outcome: ScoreOutcome,
                rec: ScoreRecord | None = None) -> ScoreRecord:
    """Insert or replace the (instruction, scorer, score run) row (``rec``, when the caller has it)."""
    if rec is None:
        stmt = select(ScoreRecord).where(ScoreRecord.instruction_id == instruction_id, ScoreRecord.scorer == scorer,
                                         ScoreRecord.run_id == score_run)
        rec = s.scalars(stmt).first()
    if rec is None:
        rec = ScoreRecord(instruction_id=instruction_id, scorer=scorer, run_id=score_run)
        s.add(rec)
    rec.components = outcome.components
    rec.overall = outcome.overall if outcome.ok else None
    rec.status = "ok" if outcome.ok else "unscored"
    rec.reason = None if outcome.ok else outcome.reason
    rec.created_at = utcnow()
    return rec


def reason_code(reason: str | None) -> str:
    return (reason or "unknown").split(":", 1)[0].strip() or "unknown"


def score_run_counts(s: Session, score_run: str) -> dict[str, Any]:
    """Totals over a scoring run's rows: ok, unscored by reason code."""
    ok = unscored = 0
    reasons: Counter[str] = Counter()
    for status, reason in s.execute(select(ScoreRecord.status, ScoreRecord.reason).where(
            ScoreRecord.run_id == score_run)):
        if status == "ok":
            ok += 1
        else:
            unscored += 1
            reasons[reason_code(reason)] += 1
    return {"ok": ok, "unscored": unscored, "unscored_by_reason": dict(sorted(reasons.items()))}


def iter_score_rows(s: Session, run: str, scorer: str | None = None, status: str | None = None
                    ) -> Iterator[dict[str, Any]]:
    """Export rows: the scores of an instruction run's instructions, or the rows of one scoring run."""
    rec = s.get(RunRecord, run)
    if rec is None:
        raise ScoringSelectionError(f"no run {run!r} in this workspace (see: editcaption runs list)")
    stmt = (
        select(ScoreRecord, InstructionRecord, PairRecord.name, PairRecord.category, PairRecord.subtype)
        .join(InstructionRecord, InstructionRecord.id == ScoreRecord.instruction_id)
        .join(PairRecord, PairRecord.id == InstructionRecord.pair_id)
        .order_by(InstructionRecord.id, ScoreRecord.id)
    )
    if rec.kind == SCORE_RUN_KIND:
        stmt = stmt.where(ScoreRecord.run_id == run)
    else:
        stmt = stmt.where(InstructionRecord.run_id == run)
    if scorer:
        stmt = stmt.where(ScoreRecord.scorer == scorer)
    if status:
        stmt = stmt.where(ScoreRecord.status == status)
    for sc, ins, name, category, subtype in s.execute(stmt):
        yield {
            "instruction_id": ins.id, "pair_id": ins.pair_id, "pair_name": name, "category": category,
            "subtype": subtype, "run": ins.run_id, "instruction": ins.text, "scorer": sc.scorer,
            "score_run": sc.run_id, "status": sc.status, "overall": sc.overall, "reason": sc.reason,
            "components": sc.components or {},
            "created_at": sc.created_at.isoformat() if sc.created_at else None,
        }
