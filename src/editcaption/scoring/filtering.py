"""`editcaption filter`: keep or drop a run's instructions by score, and report keep rates.

The paper drops auto-captions whose EditScore composite is below 4.0 before human refinement
(§4.1). EditScore's semantic-consistency half reads a large camera or pose change as "a
different scene", so structural pairs may be dropped far more often than the rest; the report
therefore breaks keep rates down by category and subtype, and thresholds may differ per
category or subtype (``--min structural=3.5 --min 4.0``).

Marks are written to ``InstructionRecord.kept`` / ``keep_reason``; nothing is deleted, and
filtering again with other thresholds simply rewrites the marks. An instruction without an
``ok`` score — never scored, or ``unscored`` — is dropped: no score is ever assumed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..workspace import Workspace
from ..workspace.models import InstructionRecord, PairRecord, ScoreRecord
from ..workspace.queries import latest_scores, pairs_select
from .records import ScoringSelectionError, resolve_run

PAPER_THRESHOLD = 4.0  # §4.1: auto-captions with an EditScore composite below 4.0 are dropped
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")


class ThresholdError(ValueError):
    pass


@dataclass(frozen=True)
class Thresholds:
    """A default minimum plus minimums per category or subtype (a subtype's wins over its category's)."""

    default: float = PAPER_THRESHOLD
    by_key: dict[str, float] = field(default_factory=dict)
    default_given: bool = True

    def for_pair(self, category: str | None, subtype: str | None) -> tuple[float, str]:
        """(minimum, where it comes from: a subtype, a category or "default")."""
        if subtype and subtype in self.by_key:
            return self.by_key[subtype], subtype
        if category and category in self.by_key:
            return self.by_key[category], category
        return self.default, "default"

    def to_json(self) -> dict[str, Any]:
        return {"default": self.default, **self.by_key}


def parse_thresholds(values: list[str] | None) -> Thresholds:
    """``["4.0", "structural=3.5", "camera_zoom=3"]`` → :class:`Thresholds` (default 4.0 if none is given)."""
    default: float | None = None
    by_key: dict[str, float] = {}
    for raw in values or []:
        text = raw.strip()
        key, sep, number = text.rpartition("=")
        key, number = key.strip(), number.strip()
        if not _NUMBER.match(number):
            raise ThresholdError(f"--min expects a number or KEY=NUMBER (e.g. 4.0 or structural=3.5), got {raw!r}")
        value = float(number)
        if not 0 <= value <= 10:
            raise ThresholdError(f"--min {raw!r}: scores are on 0–10")
        if not sep:
            if default is not None and default != value:
                raise ThresholdError(f"two default thresholds given ({default:g} and {value:g})")
            default = value
        elif not key:
            raise ThresholdError(f"--min {raw!r} names no category or subtype before '='")
        elif key in by_key and by_key[key] != value:
            raise ThresholdError(f"two thresholds given for {key!r}")
        else:
            by_key[key] = value
    return Thresholds(default=PAPER_THRESHOLD if default is None else default, by_key=by_key,
                      default_given=default is not None)


@dataclass
class GroupStats:
    total: int = 0
    kept: int = 0
    below: int = 0
    unscored: int = 0
    not_scored: int = 0
    overall_sum: float = 0.0
    scored: int = 0
    threshold: float | None = None  # None when members have different thresholds

    @property
    def dropped(self) -> int:
        return self.total - self.kept

    @property
    def keep_rate(self) -> float | None:
        return self.kept / self.total if self.total else None

    def to_json(self) -> dict[str, Any]:
        return {"total": self.total, "kept": self.kept, "dropped": self.dropped, "below_threshold": self.below,
                "unscored": self.unscored, "not_scored": self.not_scored,
                "keep_rate": round(self.keep_rate, 4) if self.keep_rate is not None else None,
                "mean_overall": round(self.overall_sum / self.scored, 3) if self.scored else None,
                "threshold": self.threshold}


@dataclass
class FilterReport:
    run: str
    scorer: str
    thresholds: Thresholds
    dry_run: bool
    overall: GroupStats = field(default_factory=GroupStats)
    by_category: dict[str, GroupStats] = field(default_factory=dict)
    by_subtype: dict[tuple[str, str], GroupStats] = field(default_factory=dict)
    failed_instructions: int = 0  # failed captions: no text, left unmarked

    def to_json(self) -> dict[str, Any]:
        return {
            "run": self.run, "scorer": self.scorer, "thresholds": self.thresholds.to_json(), "dry_run": self.dry_run,
            "overall": self.overall.to_json(),
            "by_category": {k: v.to_json() for k, v in sorted(self.by_category.items())},
            "by_subtype": [{"category": c, "subtype": st, **v.to_json()}
                           for (c, st), v in sorted(self.by_subtype.items())],
            "failed_instructions_not_filtered": self.failed_instructions,
        }


UNKNOWN = "unknown"


def apply_filter(ws: Workspace, thresholds: Thresholds, *, run: str | None = None, scorer: str | None = None,
                 where: dict[str, list[str]] | None = None, dry_run: bool = False) -> FilterReport:
    """Mark the run's ok instructions kept or dropped by their latest score; returns the report."""
    with ws.session() as s:
        run = resolve_run(s, run)
        rows = _instructions(s, run, where)
        ok_rows = [r for r in rows if r[0].status == "ok"]
        scorer = _choose_scorer(s, run, [r[0].id for r in ok_rows], scorer)
        _check_keys(thresholds, ok_rows)
        latest = latest_scores(s, [r[0].id for r in ok_rows], scorer)
        report = FilterReport(run=run, scorer=scorer, thresholds=thresholds, dry_run=dry_run,
                              failed_instructions=len(rows) - len(ok_rows))
        for ins, category, subtype in ok_rows:
            minimum, source = thresholds.for_pair(category, subtype)
            kept, reason, state, overall = _decide(latest.get(ins.id), minimum, source, scorer)
            groups = (report.overall, report.by_category.setdefault(category or UNKNOWN, GroupStats()),
                      report.by_subtype.setdefault((category or UNKNOWN, subtype or UNKNOWN), GroupStats()))
            for g in groups:
                _count(g, kept, state, overall, minimum)
            if not dry_run:
                ins.kept, ins.keep_reason = kept, reason
    return report


def _instructions(s: Session, run: str, where: dict[str, list[str]] | None) -> list[tuple[InstructionRecord, str | None,
                                                                                          str | None]]:
    stmt = (
        pairs_select(where)
        .with_only_columns(InstructionRecord, PairRecord.category, PairRecord.subtype)
        .select_from(PairRecord)
        .join(InstructionRecord, InstructionRecord.pair_id == PairRecord.id)
        .where(InstructionRecord.run_id == run)
    )
    return [(ins, cat, sub) for ins, cat, sub in s.execute(stmt)]


def _choose_scorer(s: Session, run: str, instruction_ids: list[int], scorer: str | None) -> str:
    found: set[str] = set()
    for start in range(0, len(instruction_ids), 5000):
        chunk = instruction_ids[start : start + 5000]
        found.update(s.scalars(select(ScoreRecord.scorer).where(ScoreRecord.instruction_id.in_(chunk)).distinct()))
    if scorer is not None:
        if scorer not in found:
            have = ", ".join(sorted(found)) or "none"
            raise ScoringSelectionError(f"no scores by {scorer!r} for run {run!r} (scorers present: {have})")
        return scorer
    if not found:
        raise ScoringSelectionError(f"the instructions of run {run!r} have no scores yet; run `editcaption score` first")
    if len(found) > 1:
        raise ScoringSelectionError(f"run {run!r} was scored by {len(found)} scorers; choose one with --scorer "
                                    f"({', '.join(sorted(found))})")
    return next(iter(found))


def _check_keys(thresholds: Thresholds, rows: list[tuple[Any, str | None, str | None]]) -> None:
    """A per-key threshold must name a category or subtype the run has (a typo would silently do nothing)."""
    names = {c for _, c, _ in rows if c} | {st for _, _, st in rows if st}
    unknown = [k for k in thresholds.by_key if k not in names]
    if unknown:
        shown = ", ".join(sorted(names)) or "none"
        raise ThresholdError(f"--min {unknown[0]!r} matches no category or subtype of these instructions "
                             f"(present: {shown})")


def _decide(rec: ScoreRecord | None, minimum: float, source: str, scorer: str
            ) -> tuple[bool, str, str, float | None]:
    """(kept, keep_reason, state, overall) with state in kept | below | unscored | not_scored."""
    where = "" if source == "default" else f" ({source})"
    if rec is None:
        return False, f"not scored by {scorer}", "not_scored", None
    if rec.status != "ok" or rec.overall is None:
        return False, f"unscored by {scorer}: {rec.reason or 'no reason recorded'}", "unscored", None
    if rec.overall < minimum:
        return False, f"{scorer} overall {rec.overall:.2f} < {minimum:g}{where}", "below", rec.overall
    return True, f"{scorer} overall {rec.overall:.2f} ≥ {minimum:g}{where}", "kept", rec.overall


def _count(g: GroupStats, kept: bool, state: str, overall: float | None, minimum: float) -> None:
    if g.total == 0:
        g.threshold = minimum
    elif g.threshold != minimum:
        g.threshold = None
    g.total += 1
    g.kept += int(kept)
    if state == "below":
        g.below += 1
    elif state == "unscored":
        g.unscored += 1
    elif state == "not_scored":
        g.not_scored += 1
    if overall is not None:
        g.overall_sum += overall
        g.scored += 1
