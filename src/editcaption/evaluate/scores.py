"""Reading and writing evaluation scores (``ScoreRecord``) for the judge and the exact scorer.

A scoring pass is recorded as a run of kind ``eval`` (named ``eval:<scorer>:<run>``), so
every score points at the settings that produced it. An instruction holds at most one
score per scorer: scoring it again replaces the old row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..schema import Score
from ..workspace.models import InstructionRecord, RunRecord, ScoreRecord
from .stats import mean

EVAL_RUN_KIND = "eval"
DIMENSIONS = ("accuracy", "completeness", "clarity")


class EvalError(ValueError):
    """A scoring request that cannot run as given (one-line message)."""


def eval_run_name(scorer: str, run: str) -> str:
    return f"eval:{scorer}:{run}"[:128]


@dataclass
class ScoringSummary:
    """What one scoring pass did, and the means over the run's ``ok`` scores afterwards."""

    run: str
    scorer: str
    benchmark: str | None
    selected: int = 0
    scored: int = 0
    unscored: int = 0
    skipped: int = 0  # already scored (pass --rescore to redo)
    not_applicable: int = 0  # e.g. pairs the exact scorer cannot read
    unscored_reasons: dict[str, int] = field(default_factory=dict)
    means: dict[str, Any] = field(default_factory=dict)
    calls: int = 0  # model requests actually sent (cache hits excluded)
    cached: int = 0
    stopped: str | None = None  # why the pass ended early, if it did

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def run_instructions(s: Session, run: str, pair_ids: Iterable[str] | None = None) -> list[InstructionRecord]:
    """The run's usable instructions (status ok, with text), in pair order of creation."""
    if s.get(RunRecord, run) is None:
        raise EvalError(f"no run named {run!r} (see `editcaption runs list`)")
    stmt = (select(InstructionRecord).where(InstructionRecord.run_id == run, InstructionRecord.status == "ok",
                                            InstructionRecord.text.is_not(None))
            .order_by(InstructionRecord.id))
    rows = list(s.scalars(stmt))
    if pair_ids is not None:
        wanted = set(pair_ids)
        rows = [r for r in rows if r.pair_id in wanted]
    return rows


def scored_ids(s: Session, scorer: str, instruction_ids: Iterable[int]) -> set[int]:
    """Instructions that already hold an ``ok`` score from ``scorer``."""
    ids = list(instruction_ids)
    if not ids:
        return set()
    stmt = select(ScoreRecord.instruction_id).where(ScoreRecord.scorer == scorer, ScoreRecord.status == "ok",
                                                    ScoreRecord.instruction_id.in_(ids))
    return set(s.scalars(stmt))


def save_score(s: Session, score: Score, eval_run: str | None) -> ScoreRecord:
    """Store ``score`` (validated by the Score contract: no number without status ok),
    replacing the instruction's previous score from the same scorer."""
    s.execute(delete(ScoreRecord).where(ScoreRecord.instruction_id == score.instruction_id,
                                        ScoreRecord.scorer == score.scorer))
    rec = ScoreRecord(instruction_id=score.instruction_id, scorer=score.scorer, run_id=eval_run,
                      components=score.components, overall=score.overall, status=score.status, reason=score.reason)
    s.add(rec)
    return rec


def score_means(s: Session, scorer: str, instruction_ids: Iterable[int]) -> dict[str, Any]:
    """Mean S and mean of each dimension over the ``ok`` scores of these instructions."""
    ids = list(instruction_ids)
    rows = list(s.scalars(select(ScoreRecord).where(
        ScoreRecord.scorer == scorer, ScoreRecord.status == "ok", ScoreRecord.instruction_id.in_(ids)))) if ids else []
    out: dict[str, Any] = {"n": len(rows), "S": mean([r.overall for r in rows if r.overall is not None])}
    for dim in DIMENSIONS:
        out[dim] = mean([float(r.components[dim]) for r in rows if isinstance((r.components or {}).get(dim),
                                                                              (int, float))])
    return out
