"""The report's tables as rows of display strings, shared by the Markdown and HTML writers.

Each builder returns a :class:`Table` (title, header, rows, marks for best / second-best
cells, an optional header row of column groups), so both formats show the very same
cells; only the markup differs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from . import fmt
from .collect import LEVELS, ReportData


@dataclass
class Table:
    title: str
    header: list[str]
    rows: list[list[str]]
    marks: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) → best | second
    groups: list[tuple[str, int]] = field(default_factory=list)  # column groups over the header (label, span)
    short_header: list[str] = field(default_factory=list)  # shown under ``groups`` in HTML (the paper's layout)
    note: str = ""
    id: str = ""


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def runs_table(data: ReportData) -> Table:
    rows = [[r["id"], r["kind"], r["model"] or fmt.DASH, str(r["instructions"]),
             ", ".join(f"{k}={v}" for k, v in sorted(r["tags"].items())) or fmt.DASH] for r in data.runs]
    return Table("Runs", ["Run", "Kind", "Model", "Instructions", "Tags"], rows, id="runs")


def benchmarks_table(data: ReportData) -> Table:
    rows = [[b["name"], b["kind"], str(b["pairs"]), f"{b['ground_truth']} ({b['verified_ground_truth']} verified)",
             ", ".join(f"{k} {v}" for k, v in sorted(b["by_category"].items())) or fmt.DASH] for b in data.benchmarks]
    return Table("Benchmarks", ["Benchmark", "Kind", "Pairs", "Ground truth", "By category"], rows, id="benchmarks")


def level_table(title: str, per_run: dict[str, dict[str, Any]], *, table_id: str, note: str = "") -> Table:
    """The Table 2 layout: Correct ↑, P0 ↓, P1, P2 per run, each with its Wilson 95% interval."""
    header = ["Model", "Items", "Correct ↑", "P0 ↓", "P1", "P2"]
    rows = [[run, str(s["items"]), *(fmt.rate_with_interval(s["levels"][lv]) for lv in LEVELS)]
            for run, s in per_run.items()]
    marks: dict[tuple[int, int], str] = {}
    if len(rows) > 1:
        correct = fmt.ranks([s["levels"]["correct"]["rate"] for s in per_run.values()])
        p0 = fmt.ranks([-s["levels"]["P0"]["rate"] if s["levels"]["P0"]["rate"] is not None else None
                        for s in per_run.values()])
        for i, (m1, m2) in enumerate(zip(correct, p0, strict=True)):
            if m1:
                marks[(i, 2)] = m1
            if m2:
                marks[(i, 3)] = m2
    return Table(title, header, rows, marks, note=note, id=table_id)


def human_tables(data: ReportData) -> list[Table]:
    runs = data.human.get("runs") or {}
    if not runs:
        return []
    tables = [level_table("Human evaluation (Table 2 layout)", runs, table_id="human",
                          note="Per instruction; with several judgements the majority level counts (ties: the more "
                               "severe). Brackets: Wilson 95% interval.")]
    checklist = data.human["overall"]["checklist"]
    tables.append(Table(
        "Checklist rows ticked (Table 6), share of all judgements",
        ["Row", "Level", "Issue", "Ticked", "Rate"],
        [[c["row"], c["level"], c["title"], f"{c['count']}/{c['n']}", fmt.rate_with_interval(c)] for c in checklist],
        id="checklist"))
    rows = []
    for run, s in runs.items():
        for cat, c in s["by_category"].items():
            rows.append([run, cat, str(c["items"]), *(fmt.rate_with_interval(c["levels"][lv]) for lv in LEVELS)])
    tables.append(Table("Human evaluation by category", ["Model", "Category", "Items", "Correct", "P0", "P1", "P2"],
                        rows, id="human-category"))
    rows = []
    for run, s in [*runs.items(), ("all runs", data.human["overall"])]:
        a = s["agreement"]
        pairs = a.get("pairs_of_ratings") or {}
        cohen = (pairs.get("cohen") or {}).get("value")
        fleiss = (pairs.get("fleiss") or {}).get("value")
        rows.append([run, str(a["overlapped_items"]), fmt.pct(pairs.get("percent_agreement")),
                     fmt.number(cohen), fmt.number(fleiss), a.get("reason") or (pairs.get("cohen") or {}).get("reason")
                     or ""])
    tables.append(Table("Agreement on overlapped items", ["Model", "Overlapped items", "Raw agreement", "Cohen's κ",
                                                          "Fleiss' κ", "Note"], rows, id="agreement",
                        note="First two ratings of each item (by annotator name)."))
    return tables


def _score_grid(title: str, rows_in: list[dict[str, Any]], benchmarks: list[str], label_key: str, table_id: str,
                note: str = "", first: str = "Model") -> Table:
    keys = list(fmt.DIM_LABELS)
    header = [first] + [f"{b} · {fmt.DIM_LABELS[k]}" for b in benchmarks for k in keys]
    rows, marks = [], {}
    ranked = fmt.rank_table(rows_in, [(b, k) for b in benchmarks for k in keys])
    for i, row in enumerate(rows_in):
        cells = [row[label_key]]
        for b in benchmarks:
            for k in keys:
                cells.append(fmt.score(row["cells"][b][k], k))
                mark = ranked.get((i, b, k))
                if mark:
                    marks[(i, len(cells) - 1)] = mark
        rows.append(cells)
    return Table(title, header, rows, marks, groups=[("", 1)] + [(b, len(keys)) for b in benchmarks], note=note,
                 id=table_id, short_header=[first] + [fmt.DIM_LABELS[k] for _ in benchmarks for k in keys])


def scorer_tables(data: ReportData, scorer: str) -> list[Table]:
    t3 = data.table3[scorer]
    benches = t3["benchmarks"]
    tables = [_score_grid(f"Automatic evaluation — {scorer} (Table 3 layout)", t3["rows"], benches, "run",
                          f"scores-{slug(scorer)}",
                          note="S = 0.4·Acc + 0.4·Comp + 0.2·Clar (0–5). Bold: best; italic/underline: second best.")]
    coverage_rows = [[row["run"], *(f"{row['cells'][b]['n']} / {row['cells'][b]['unscored']}" for b in benches)]
                     for row in t3["rows"]]
    tables.append(Table(f"Scored / unscored — {scorer}", ["Model", *benches], coverage_rows,
                        id=f"coverage-{slug(scorer)}"))
    for group in data.table4.get(scorer) or []:
        name = f" — {group['group']}" if group["group"] else ""
        tables.append(_score_grid(f"Ablations{name} — {scorer} (Table 4 layout)", group["rows"], benches, "label",
                                  f"ablation-{slug(scorer)}-{slug(group['group'] or 'all')}", first="Variant",
                                  note="Runs tagged ablation=<label> (editcaption eval tag)."))
    for kind, source in (("category", data.categories), ("subtype", data.subtypes)):
        for bench, b in (source.get(scorer) or {}).items():
            header = ["Model", *(f"{g} · S" for g in b["groups"]), *(f"{g} · n" for g in b["groups"])]
            rows = [[row["run"], *(fmt.score(row["cells"][g]["S"]) for g in b["groups"]),
                     *(str(row["cells"][g]["n"]) for g in b["groups"])] for row in b["rows"]]
            tables.append(Table(f"S by {kind} — {scorer} — {bench}", header, rows,
                                id=f"{kind}-{slug(scorer)}-{slug(bench)}"))
    return tables


def auto_level_table(data: ReportData) -> Table | None:
    if not data.auto_levels:
        return None
    return level_table("Automatic defect levels — editworld-exact (Table 2 layout, Table 6 rules)", data.auto_levels,
                       table_id="auto-levels",
                       note="The exact scorer classifies every error it finds by Table 6's rules; an instruction "
                            "takes its most severe level. Not a human judgement.")


def agreement_table(data: ReportData) -> Table | None:
    if not data.agreement:
        return None
    rows = [[a["scorer"], fmt.number(a["rho"]), str(a["n"]), a["reason"] or ""] for a in data.agreement]
    return Table("Judge–human agreement", ["Scorer", "Spearman ρ", "n", "Note"], rows, id="judge-human",
                 note="Spearman's ρ between the scorer's S and the human level (correct > P2 > P1 > P0), over "
                      "instructions that have both.")


@dataclass
class Section:
    title: str
    tables: list[Table] = field(default_factory=list)
    charts: list[str] = field(default_factory=list)  # chart file names, in order
    text: str = ""
    id: str = ""


def build_sections(data: ReportData, charts: dict[str, bytes]) -> list[Section]:
    """The report, in reading order."""
    sections = [Section("Overview", [runs_table(data), benchmarks_table(data)], id="overview",
                        text="" if data.runs else "The workspace holds no scored or judged instructions yet: caption "
                                                  "a run, then `editcaption eval judge` / `eval exact`, or judge "
                                                  "instructions in the annotation studio.")]
    human = human_tables(data)
    sections.append(Section("Human evaluation", human, [c for c in ("human-levels.png",) if c in charts],
                            text="" if human else "No human judgements yet (annotation studio, Judge queue).",
                            id="human-evaluation"))
    for scorer in data.scorers:
        names = [f"scores-{slug(scorer)}.png",
                 *(f"category-{slug(scorer)}-{slug(b)}.png" for b in data.categories.get(scorer) or {})]
        sections.append(Section(f"Automatic evaluation — {scorer}", scorer_tables(data, scorer),
                                [n for n in names if n in charts], id=f"auto-{slug(scorer)}"))
    auto = auto_level_table(data)
    if auto is not None:
        sections.append(Section("Automatic defect levels", [auto], [c for c in ("auto-levels.png",) if c in charts],
                                id="auto-levels-section"))
    agreement = agreement_table(data)
    if agreement is not None:
        sections.append(Section("Judge–human agreement", [agreement], id="agreement-section"))
    return sections
