"""``eval exact``: score a run's instructions on EditWorld pairs with the exact scorer.

EditWorld pairs carry structured truth (the generator's edit records), so no judge is
needed: :func:`editcaption.synth.score_one` parses each instruction and scores it on the
same three dimensions with the same rubric. It is the offline stand-in for the LLM judge
(used by the demo and small reproductions). Pairs that are not EditWorld pairs are
counted as not applicable and left alone.

Besides S / Accuracy / Completeness / Clarity, each score keeps the scorer's classified
errors (Table 6 types and severities) and the resulting automatic level — the most
severe error found, or ``correct`` — which the report shows in the layout of Table 2.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import select

from ..schema import Score
from ..workspace import Workspace
from ..workspace.models import GroundTruthRecord, PairRecord
from ..workspace.queries import finish_run, get_or_start_run
from .benchmarks import benchmark_pair_ids
from .scores import ScoringSummary, eval_run_name, run_instructions, save_score, score_means, scored_ids

SCORER = "editworld-exact"


def editworld_row(pair: PairRecord, gt: GroundTruthRecord | None) -> dict[str, Any] | None:
    """The manifest row the exact scorer reads, rebuilt from the workspace; None if the pair
    is not an EditWorld pair (no generator metadata or no structured truth)."""
    extra = pair.extra or {}
    if not isinstance(extra.get("editworld"), dict) or gt is None:
        return None
    return {
        "id": pair.name or pair.id,
        "category": pair.category,
        "subtype": pair.subtype,
        "family": extra.get("family"),
        "ground_truth": {"primary": gt.primary or [], "secondary": gt.secondary or [], "overall": gt.overall or ""},
        "editworld": extra["editworld"],
    }


def automatic_level(errors: list[dict[str, Any]]) -> str:
    """The most severe Table 6 level among the errors, or ``correct``."""
    severities = {e.get("severity") for e in errors}
    return next((lv for lv in ("P0", "P1", "P2") if lv in severities), "correct")


def exact_score(instruction_id: int, row: dict[str, Any], text: str) -> Score:
    """One instruction scored exactly, as a Score (unparsable → unscored with the reason)."""
    from ..synth import score_one

    result = score_one(row, text)
    if result.status != "scored":
        return Score(instruction_id=instruction_id, scorer=SCORER, status="unscored",
                     reason=f"{result.status}: {result.reason or 'no reason given'}")
    errors = [e.as_json() for e in result.errors]
    components = {
        "accuracy": result.accuracy, "completeness": result.completeness, "clarity": result.clarity, "S": result.S,
        "coverage": result.coverage, "level": automatic_level(errors), "errors": errors,
    }
    return Score(instruction_id=instruction_id, scorer=SCORER, components=components, overall=result.S)


def score_run_exact(ws: Workspace, run: str, *, benchmark: str | None = None, rescore: bool = False) -> ScoringSummary:
    """Score every usable instruction of ``run`` that sits on an EditWorld pair."""
    summary = ScoringSummary(run=run, scorer=SCORER, benchmark=benchmark)
    eval_run = eval_run_name(SCORER, run)
    reasons: Counter[str] = Counter()
    with ws.session() as s:
        pair_ids = benchmark_pair_ids(s, benchmark) if benchmark else None
        instructions = run_instructions(s, run, pair_ids)
        summary.selected = len(instructions)
        done = set() if rescore else scored_ids(s, SCORER, [i.id for i in instructions])
        get_or_start_run(s, eval_run, "eval", {"scorer": SCORER, "run": run, "benchmark": benchmark})
        pids = list({i.pair_id for i in instructions})
        pairs = {p.id: p for p in s.scalars(select(PairRecord).where(PairRecord.id.in_(pids))).unique()}
        gts = {g.pair_id: g for g in s.scalars(select(GroundTruthRecord).where(GroundTruthRecord.pair_id.in_(pids)))}
        for ins in instructions:
            if ins.id in done:
                summary.skipped += 1
                continue
            row = editworld_row(pairs[ins.pair_id], gts.get(ins.pair_id))
            if row is None:
                summary.not_applicable += 1
                continue
            score = exact_score(ins.id, row, ins.text or "")
            save_score(s, score, eval_run)
            if score.status == "ok":
                summary.scored += 1
            else:
                summary.unscored += 1
                reasons[(score.reason or "").split(":", 1)[0]] += 1
        summary.unscored_reasons = dict(sorted(reasons.items()))
        summary.means = score_means(s, SCORER, [i.id for i in instructions])
        finish_run(s, eval_run, "done", {"scored": summary.scored, "unscored": summary.unscored,
                                         "skipped": summary.skipped, "not_applicable": summary.not_applicable})
    return summary
