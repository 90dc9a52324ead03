"""Human-evaluation statistics (§5.2.1, Table 2 and the Table 6 checklist).

People judge instructions in the annotation studio (``Judgement`` records: a level in
{correct, P0, P1, P2} and the checklist rows ticked). This module turns them into:

* per run (model): the Correct / P0 / P1 / P2 rates with Wilson 95% intervals, counted
  per *instruction*. When several people judged one instruction (overlap), the item takes
  the majority level; a tie goes to the more severe level, so a disputed P0 is not
  hidden;
* the share of judgements that ticked each checklist row (counted per *judgement*: a row
  is a person's finding, not a consensus);
* the same level rates per pair category;
* agreement on overlapped items: raw agreement, Cohen's κ (two ratings) and Fleiss' κ,
  from :mod:`editcaption.annotate.agreement`;
* agreement between an automatic scorer and people: Spearman's ρ between the score S
  and the human level (correct > P2 > P1 > P0).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..annotate.agreement import agreement_summary
from ..annotate.checklist import ROWS
from ..workspace.models import InstructionRecord, JudgementRecord, PairRecord, ScoreRecord
from .stats import proportion, spearman

LEVELS = ("correct", "P0", "P1", "P2")
# Most severe first: a tie between levels is settled in favour of the earlier one.
SEVERITY_ORDER = ("P0", "P1", "P2", "correct")
# Ordinal quality of a level for rank correlation with a score (higher is better).
LEVEL_QUALITY = {"P0": 0, "P1": 1, "P2": 2, "correct": 3}


@dataclass
class JudgedItem:
    """One judged instruction with every annotator's latest judgement of it."""

    instruction_id: int
    run_id: str | None
    pair_id: str
    category: str | None
    subtype: str | None
    ratings: dict[str, str] = field(default_factory=dict)  # annotator → level
    checklists: dict[str, list[str]] = field(default_factory=dict)  # annotator → rows ticked

    @property
    def level(self) -> str:
        return consensus_level(self.ratings.values())


def consensus_level(levels: Iterable[str]) -> str:
    """The majority level; ties go to the most severe of the tied levels."""
    counts = Counter(levels)
    if not counts:
        raise ValueError("no levels to combine")
    top = max(counts.values())
    return next(lv for lv in SEVERITY_ORDER if counts.get(lv) == top)


def load_items(s: Session, runs: Iterable[str] | None = None, pair_ids: set[str] | None = None) -> list[JudgedItem]:
    """Judged instructions (optionally of some runs / pairs), in instruction order."""
    stmt = (
        select(JudgementRecord, InstructionRecord.run_id, InstructionRecord.pair_id, PairRecord.category,
               PairRecord.subtype)
        .join(InstructionRecord, InstructionRecord.id == JudgementRecord.instruction_id)
        .join(PairRecord, PairRecord.id == InstructionRecord.pair_id)
        .order_by(JudgementRecord.instruction_id, JudgementRecord.created_at, JudgementRecord.id)
    )
    run_list = list(runs) if runs is not None else None
    if run_list is not None:
        stmt = stmt.where(InstructionRecord.run_id.in_(run_list))
    items: dict[int, JudgedItem] = {}
    for judgement, run_id, pair_id, category, subtype in s.execute(stmt):
        if pair_ids is not None and pair_id not in pair_ids:
            continue
        item = items.setdefault(judgement.instruction_id, JudgedItem(
            judgement.instruction_id, run_id, pair_id, category, subtype))
        # Later judgements by the same person replace earlier ones (rows are in time order).
        item.ratings[judgement.annotator] = judgement.level
        item.checklists[judgement.annotator] = list(judgement.checklist or [])
    return list(items.values())


def level_rates(items: list[JudgedItem]) -> dict[str, dict[str, Any]]:
    counts = Counter(item.level for item in items)
    return {lv: proportion(counts.get(lv, 0), len(items)).to_json() for lv in LEVELS}


def checklist_rates(items: list[JudgedItem]) -> list[dict[str, Any]]:
    """Per Table 6 row: how many judgements ticked it, of all judgements."""
    ticked: Counter[str] = Counter()
    n = 0
    for item in items:
        for rows in item.checklists.values():
            n += 1
            ticked.update(set(rows))
    return [
        {"row": r.id, "table_id": r.table_id, "level": r.level, "title": r.title,
         **proportion(ticked.get(r.id, 0), n).to_json()}
        for r in ROWS
    ]


def agreement(items: list[JudgedItem]) -> dict[str, Any]:
    """Agreement on items judged by two or more people (κ from the annotate stage's functions)."""
    overlapped = {it.instruction_id: dict(it.ratings) for it in items if len(it.ratings) >= 2}
    out: dict[str, Any] = {"overlapped_items": len(overlapped)}
    if not overlapped:
        out["reason"] = "no instruction was judged by two or more people"
        return out
    out["pairs_of_ratings"] = agreement_summary(overlapped, 2)
    most = max(len(r) for r in overlapped.values())
    if most > 2:
        out[f"{most}_ratings"] = agreement_summary(overlapped, most)
    return out


def summarize(items: list[JudgedItem]) -> dict[str, Any]:
    by_category: dict[str, list[JudgedItem]] = defaultdict(list)
    for item in items:
        by_category[item.category or "unknown"].append(item)
    return {
        "items": len(items),
        "judgements": sum(len(it.ratings) for it in items),
        "levels": level_rates(items),
        "checklist": checklist_rates(items),
        "by_category": {c: {"items": len(v), "levels": level_rates(v)} for c, v in sorted(by_category.items())},
        "agreement": agreement(items),
    }


def human_statistics(s: Session, runs: Iterable[str] | None = None, pair_ids: set[str] | None = None) -> dict[str, Any]:
    """``eval human``: the summary per run and over everything selected."""
    items = load_items(s, runs, pair_ids)
    by_run: dict[str, list[JudgedItem]] = defaultdict(list)
    for item in items:
        by_run[item.run_id or "(no run)"].append(item)
    return {
        "runs": {run: summarize(v) for run, v in by_run.items()},
        "overall": summarize(items),
    }


def judge_human_correlation(s: Session, scorer: str, runs: Iterable[str] | None = None,
                            pair_ids: set[str] | None = None) -> dict[str, Any]:
    """Spearman's ρ between a scorer's S and the human level, over instructions that have both."""
    items = {it.instruction_id: it for it in load_items(s, runs, pair_ids)}
    scores: dict[int, float] = {}
    if items:
        stmt = (select(ScoreRecord.instruction_id, ScoreRecord.overall)
                .where(ScoreRecord.scorer == scorer, ScoreRecord.status == "ok",
                       ScoreRecord.instruction_id.in_(list(items)))
                .order_by(ScoreRecord.id))
        for iid, overall in s.execute(stmt):
            if overall is not None:
                scores[iid] = float(overall)  # the latest score of the instruction wins
    ids = sorted(scores)
    corr = spearman([scores[i] for i in ids], [float(LEVEL_QUALITY[items[i].level]) for i in ids])
    return {"scorer": scorer, "rho": corr.value, "n": corr.n, "reason": corr.reason}
