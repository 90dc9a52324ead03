"""Everything a report shows, gathered from the workspace as plain data (no formatting).

The Markdown and HTML writers render this same structure, and the test reads the numbers
back out of both and compares them with it — so what is written is exactly what was
computed. All means are over ``ok`` scores; unscored items are counted, never averaged.

* Table 3 layout: per scorer, rows = runs (models), column groups = benchmarks, cells =
  mean S / Accuracy / Completeness / Clarity (and n);
* Table 4 layout: runs tagged ``{"ablation": "<row label>"}`` (optionally grouped by
  ``ablation_group``), same cells;
* per-category and per-subtype means of S;
* Table 2 layout: human levels per run (from :mod:`..human`), and for the exact scorer
  the automatic levels it derives with the Table 6 rules;
* judge–human agreement: Spearman's ρ between each scorer's S and the human level.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ... import __version__
from ...workspace import Workspace
from ...workspace.models import InstructionRecord, PairRecord, RunRecord, ScoreRecord
from ..benchmarks import benchmark_memberships, list_benchmarks
from ..exact import SCORER as EXACT_SCORER
from ..human import human_statistics, judge_human_correlation
from ..scores import DIMENSIONS
from ..stats import mean, proportion

ALL_PAIRS = "all pairs"
LEVELS = ("correct", "P0", "P1", "P2")


@dataclass
class _Row:
    """One score as the report needs it."""

    scorer: str
    run: str
    pair_id: str
    category: str
    subtype: str
    status: str
    overall: float | None
    components: dict[str, Any]
    reason: str | None


def cell(rows: list[_Row]) -> dict[str, Any]:
    """Means of S and of each dimension over the ok rows, with counts."""
    ok = [r for r in rows if r.status == "ok" and r.overall is not None]
    out: dict[str, Any] = {"n": len(ok), "unscored": sum(r.status != "ok" for r in rows),
                           "S": mean([float(r.overall) for r in ok if r.overall is not None])}
    for dim in DIMENSIONS:
        out[dim] = mean([float(r.components[dim]) for r in ok if isinstance(r.components.get(dim), (int, float))])
    return out


@dataclass
class ReportData:
    generated_at: str
    workspace: str
    version: str
    runs: list[dict[str, Any]] = field(default_factory=list)
    benchmarks: list[dict[str, Any]] = field(default_factory=list)
    scorers: list[str] = field(default_factory=list)
    table3: dict[str, dict[str, Any]] = field(default_factory=dict)
    table4: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    categories: dict[str, dict[str, Any]] = field(default_factory=dict)
    subtypes: dict[str, dict[str, Any]] = field(default_factory=dict)
    human: dict[str, Any] = field(default_factory=dict)
    auto_levels: dict[str, Any] = field(default_factory=dict)
    agreement: list[dict[str, Any]] = field(default_factory=list)
    selected_runs: list[str] = field(default_factory=list)  # `report --run`: the runs shown (empty: all)
    gallery: dict[str, Any] | None = None  # the example gallery (see .gallery), without its pictures

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _load_rows(s: Session, runs: Sequence[str] | None = None) -> list[_Row]:
    stmt = (
        select(ScoreRecord, InstructionRecord.run_id, InstructionRecord.pair_id, PairRecord.category,
               PairRecord.subtype)
        .join(InstructionRecord, InstructionRecord.id == ScoreRecord.instruction_id)
        .join(PairRecord, PairRecord.id == InstructionRecord.pair_id)
        .order_by(ScoreRecord.id)
    )
    if runs is not None:
        stmt = stmt.where(InstructionRecord.run_id.in_(list(runs)))
    latest: dict[tuple[int, str], _Row] = {}
    for score, run, pid, category, subtype in s.execute(stmt):
        # One score per (instruction, scorer) is kept by the writers; the latest wins regardless.
        latest[(score.instruction_id, score.scorer)] = _Row(
            score.scorer, run or "(no run)", pid, category or "unknown", subtype or "unknown", score.status,
            score.overall, score.components or {}, score.reason)
    return list(latest.values())


def _run_info(s: Session, run_ids: set[str]) -> list[dict[str, Any]]:
    runs = list(s.scalars(select(RunRecord).where(RunRecord.id.in_(run_ids)).order_by(RunRecord.started_at,
                                                                                       RunRecord.id)))
    counts = Counter(s.scalars(select(InstructionRecord.run_id).where(InstructionRecord.run_id.in_(run_ids),
                                                                       InstructionRecord.status == "ok")))
    out = []
    for r in runs:
        cfg = r.config or {}
        out.append({"id": r.id, "kind": r.kind, "model": cfg.get("model") or cfg.get("producer_key") or "",
                    "tags": r.tags or {}, "instructions": counts.get(r.id, 0), "status": r.status,
                    "started_at": r.started_at.isoformat() if r.started_at else None})
    return out


def _by(rows: list[_Row], key: str) -> dict[str, list[_Row]]:
    groups: dict[str, list[_Row]] = defaultdict(list)
    for r in rows:
        groups[getattr(r, key)].append(r)
    return groups


def _columns(rows: list[_Row], members: dict[str, set[str]]) -> list[str]:
    """Benchmarks a scorer has ok scores on; all pairs when no benchmark holds any of them."""
    scored_pairs = {r.pair_id for r in rows if r.status == "ok"}
    cols = [b for b, pids in members.items() if pids & scored_pairs]
    return cols or [ALL_PAIRS]


def _in(rows: list[_Row], bench: str, members: dict[str, set[str]]) -> list[_Row]:
    return rows if bench == ALL_PAIRS else [r for r in rows if r.pair_id in members[bench]]


def _auto_levels(rows: list[_Row], run_order: list[str]) -> dict[str, Any]:
    """Table 2 layout from the exact scorer's Table 6 levels (ok scores only)."""
    out = {}
    for run in run_order:
        ok = [r for r in rows if r.run == run and r.status == "ok" and r.components.get("level") in LEVELS]
        if not ok:
            continue
        counts = Counter(r.components["level"] for r in ok)
        out[run] = {"items": len(ok), "levels": {lv: proportion(counts.get(lv, 0), len(ok)).to_json()
                                                 for lv in LEVELS}}
    return out


def collect(ws: Workspace, now: dt.datetime | None = None, runs: Sequence[str] | None = None) -> ReportData:
    """The report's numbers; with ``runs``, only the scores and human judgements of those runs
    (the human "overall" figures stay workspace-wide)."""
    now = now or dt.datetime.now(dt.timezone.utc)
    data = ReportData(generated_at=now.strftime("%Y-%m-%d %H:%M UTC"), workspace=str(ws.root), version=__version__,
                      selected_runs=list(runs or []))
    with ws.session() as s:
        rows = _load_rows(s, runs)
        memberships = {b: set(p) for b, p in benchmark_memberships(s).items()}
        data.benchmarks = [{k: v for k, v in b.items() if k != "created_at"} for b in list_benchmarks(s)]
        human = human_statistics(s)
        run_ids = {r.run for r in rows} | {r for r in human["runs"] if runs is None or r in runs} | set(runs or [])
        data.runs = _run_info(s, run_ids)
        order = [r["id"] for r in data.runs] + sorted(run_ids - {r["id"] for r in data.runs})
        data.scorers = sorted({r.scorer for r in rows})
        for scorer in data.scorers:
            mine = [r for r in rows if r.scorer == scorer]
            cols = _columns(mine, memberships)
            by_run = _by(mine, "run")
            table_rows = [{"run": run, "cells": {b: cell(_in(by_run[run], b, memberships)) for b in cols}}
                          for run in order if run in by_run]
            data.table3[scorer] = {"benchmarks": cols, "rows": table_rows}
            data.table4[scorer] = _ablations(data.runs, table_rows)
            data.categories[scorer] = _breakdown(mine, cols, memberships, order, "category")
            data.subtypes[scorer] = _breakdown(mine, cols, memberships, order, "subtype")
            if any(r.status == "ok" for r in mine):
                corr = judge_human_correlation(s, scorer)
                if corr["n"] or human["overall"]["items"]:
                    data.agreement.append(corr)
        data.human = {"runs": {run: human["runs"][run] for run in order if run in human["runs"]},
                      "overall": human["overall"]}
        if EXACT_SCORER in data.scorers:
            data.auto_levels = _auto_levels([r for r in rows if r.scorer == EXACT_SCORER], order)
    return data


def _ablations(runs: list[dict[str, Any]], table_rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Table 4: the rows of runs tagged with an ablation label, grouped by ablation_group."""
    tags = {r["id"]: r["tags"] for r in runs}
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in table_rows:
        t = tags.get(row["run"]) or {}
        if t.get("ablation"):
            groups[str(t.get("ablation_group") or "")].append({**row, "label": str(t["ablation"])})
    return [{"group": g, "rows": v} for g, v in sorted(groups.items())]


def _breakdown(rows: list[_Row], cols: list[str], members: dict[str, set[str]], order: list[str],
               key: str) -> dict[str, Any]:
    """Per benchmark: the groups (categories or subtypes) and each run's cell per group."""
    out = {}
    for bench in cols:
        sub = [r for r in _in(rows, bench, members) if r.status == "ok"]
        groups = sorted({getattr(r, key) for r in sub})
        if not groups:
            continue
        by_run = _by(sub, "run")
        out[bench] = {"groups": groups, "rows": [
            {"run": run, "cells": {g: cell([r for r in by_run[run] if getattr(r, key) == g]) for g in groups}}
            for run in order if run in by_run]}
    return out
