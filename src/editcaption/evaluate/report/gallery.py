"""The example gallery: for each failure mode and severity, the worst and the most typical
instruction; for two runs, the pairs that got better or worse.

Choices (the issue leaves them open):

* a *cell* is a (type, severity) pair of Table 6; an instruction sits in every cell one of
  its findings names;
* the *worst* example of a cell has the lowest mean S (over the scorers that scored it);
  unscored ones come after, the one with most findings first;
* the *most typical* one shows the cell's commonest message once quoted phrases and
  numbers are set aside; among those, the one whose S is nearest the cell's median S.
  When it is the worst example too, the cell shows that one example;
* comparing run A with run B pair by pair: worse = a more severe level (correct < P2 < P1
  < P0), or the same level with more findings, or the same with a lower S; better the
  other way round. At most :data:`MAX_CHANGED` pairs each way, largest changes first.

Bounds: at most two examples per cell, at most :data:`MAX_CELLS` cells, pictures at most
``THUMB_SIDE`` pixels and all embedded pictures within the :class:`~.images.ByteBudget`.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from ...progress import ProgressCallback
from ...workspace import Workspace
from ...workspace.models import PairRecord
from .findings import LEVEL_RANK, SEVERITIES, TYPES, Example, PairAnalyses, collect_examples
from .images import ByteBudget, PairPictures, Pictures

MAX_CELLS = 16
MAX_CHANGED = 12
_SHAPE = re.compile(r"\((['\"]).*?\1\)|'[^']*'|\"[^\"]*\"|[-+]?\d+(?:\.\d+)?")


def message_shape(message: str) -> str:
    """A message with its quoted phrases and numbers replaced, so that the same kind of
    mistake on different words counts as one."""
    return _SHAPE.sub("…", message).strip()


@dataclass
class Shown:
    """One example as the page shows it."""

    example: Example
    roles: list[str]  # "worst", "typical"
    pictures: PairPictures

    def to_json(self) -> dict[str, Any]:
        return {**self.example.to_json(), "roles": self.roles}


@dataclass
class Cell:
    type: str
    severity: str
    count: int  # instructions in this cell
    shown: list[Shown] = field(default_factory=list)

    @property
    def id(self) -> str:
        return f"{self.type}-{self.severity}"

    def to_json(self) -> dict[str, Any]:
        return {"type": self.type, "severity": self.severity, "count": self.count,
                "examples": [s.to_json() for s in self.shown]}


@dataclass
class Change:
    pair_id: str
    pair_name: str
    direction: str  # "better" | "worse"
    a: Example
    b: Example
    pictures: PairPictures

    def to_json(self) -> dict[str, Any]:
        return {"pair_id": self.pair_id, "pair_name": self.pair_name, "direction": self.direction,
                "a": self.a.to_json(), "b": self.b.to_json()}


@dataclass
class Gallery:
    runs: list[str]
    examined: int  # instructions looked at
    flagged: int  # instructions with at least one finding
    cells: list[Cell] = field(default_factory=list)
    cells_left_out: int = 0
    compare: dict[str, Any] | None = None  # {"a", "b", "pairs", "unchanged", "worse": [...], "better": [...]}
    unanalysed: list[dict[str, str]] = field(default_factory=list)  # pairs the checker could not read
    budget_mb: float = 0.0
    embedded_bytes: int = 0
    pictures_left_out: int = 0

    def to_json(self) -> dict[str, Any]:
        out = {k: v for k, v in self.__dict__.items() if k not in ("cells", "compare")}
        out["cells"] = [c.to_json() for c in self.cells]
        if self.compare is not None:
            out["compare"] = {**{k: v for k, v in self.compare.items() if k not in ("worse", "better")},
                              "worse": [c.to_json() for c in self.compare["worse"]],
                              "better": [c.to_json() for c in self.compare["better"]]}
        return out


def _worst_key(ex: Example, n_in_cell: int) -> tuple:
    return (ex.S is None, ex.S if ex.S is not None else 0.0, -n_in_cell, -len(ex.findings), ex.instruction_id)


def pick(members: list[tuple[Example, list[str]]]) -> list[tuple[Example, list[str]]]:
    """The worst and the most typical of a cell's (example, its messages in this cell)."""
    worst = min(members, key=lambda m: _worst_key(m[0], len(m[1])))[0]
    shapes = Counter(message_shape(msg) for _, msgs in members for msg in set(msgs))
    common = max(shapes.values())
    top = sorted(s for s, n in shapes.items() if n == common)[0]
    candidates = [ex for ex, msgs in members if top in {message_shape(m) for m in msgs}]
    scored = [ex.S for ex, _ in members if ex.S is not None]
    median = statistics.median(scored) if scored else None
    candidates.sort(key=lambda ex: (abs(ex.S - median) if ex.S is not None and median is not None else float("inf"),
                                    ex.instruction_id))
    typical = next((ex for ex in candidates if ex is not worst), None)
    if typical is None:
        return [(worst, ["worst", "typical"])]
    return [(worst, ["worst"]), (typical, ["typical"])]


def build_cells(examples: list[Example]) -> tuple[list[tuple[str, str, list[tuple[Example, list[str]]]]], int]:
    """(type, severity, members) per cell in severity then type order, and how many cells
    beyond :data:`MAX_CELLS` were left out."""
    cells: dict[tuple[str, str], dict[int, tuple[Example, list[str]]]] = {}
    for ex in examples:
        for f in ex.findings:
            entry = cells.setdefault((f.type, f.severity), {}).setdefault(ex.instruction_id, (ex, []))
            entry[1].append(f.message)
    types = list(TYPES) + sorted({t for t, _ in cells} - set(TYPES))
    order = sorted(cells, key=lambda k: (SEVERITIES.index(k[1]) if k[1] in SEVERITIES else 9, types.index(k[0])))
    out = [(t, sev, list(cells[(t, sev)].values())) for t, sev in order]
    return out[:MAX_CELLS], max(0, len(out) - MAX_CELLS)


def compare_key(ex: Example) -> tuple[int, int, float]:
    """Bigger is worse: level, number of findings, and minus S."""
    return (LEVEL_RANK[ex.level], len(ex.findings), -(ex.S if ex.S is not None else 0.0))


def compare_runs(a: list[Example], b: list[Example]) -> tuple[list[tuple[Example, Example]],
                                                               list[tuple[Example, Example]], int, int]:
    """(worse, better, unchanged count, pairs in both) between run A and run B, largest changes first."""
    by_pair = {ex.pair_id: ex for ex in a}
    worse, better, same, both = [], [], 0, 0
    for ex_b in b:
        ex_a = by_pair.get(ex_b.pair_id)
        if ex_a is None:
            continue
        both += 1
        ka, kb = compare_key(ex_a), compare_key(ex_b)
        if kb > ka:
            worse.append((ex_a, ex_b))
        elif kb < ka:
            better.append((ex_a, ex_b))
        else:
            same += 1

    def size(p: tuple[Example, Example]) -> tuple:
        ka, kb = compare_key(p[0]), compare_key(p[1])
        return (-abs(kb[0] - ka[0]), -abs(kb[1] - ka[1]), -abs(kb[2] - ka[2]), p[1].instruction_id)

    return sorted(worse, key=size), sorted(better, key=size), same, both


class _PairsById(dict):
    """Pairs loaded when first asked for (only the shown ones are)."""

    def __init__(self, s: Session):
        super().__init__()
        self.s = s

    def __missing__(self, pair_id: str) -> PairRecord:
        pair = self[pair_id] = self.s.get(PairRecord, pair_id)
        return pair


def build_gallery(ws: Workspace, runs: Sequence[str], *, budget_mb: float, compare: bool = False,
                  analyses: PairAnalyses | None = None, on_progress: ProgressCallback | None = None) -> Gallery:
    """The gallery over ``runs`` (with ``compare``, exactly two: A then B)."""
    analyses = analyses or PairAnalyses(ws)
    budget = ByteBudget.megabytes(budget_mb)
    examples = collect_examples(ws, runs, analyses=analyses, on_progress=on_progress)
    g = Gallery(runs=list(runs), examined=len(examples), flagged=sum(bool(ex.findings) for ex in examples),
                budget_mb=budget_mb)
    seen_errors: dict[str, str] = {}
    for ex in examples:
        if ex.error and ex.pair_id not in seen_errors:
            seen_errors[ex.pair_id] = ex.error
            g.unanalysed.append({"pair_id": ex.pair_id, "pair_name": ex.pair_name, "reason": ex.error})
    with ws.session() as s:
        pairs = _PairsById(s)
        pictures = Pictures(ws, budget)
        if compare:
            a = [ex for ex in examples if ex.run == runs[0]]
            b = [ex for ex in examples if ex.run == runs[1]]
            worse, better, same, both = compare_runs(a, b)
            g.compare = {"a": runs[0], "b": runs[1], "pairs": both, "unchanged": same,
                         "worse_total": len(worse), "better_total": len(better),
                         "worse": [Change(x.pair_id, x.pair_name, "worse", x, y, pictures.for_pair(pairs[x.pair_id]))
                                   for x, y in worse[:MAX_CHANGED]],
                         "better": [Change(x.pair_id, x.pair_name, "better", x, y,
                                           pictures.for_pair(pairs[x.pair_id])) for x, y in better[:MAX_CHANGED]]}
        cells, g.cells_left_out = build_cells(examples)
        for t, sev, members in cells:
            cell = Cell(t, sev, len(members))
            for ex, roles in pick(members):
                cell.shown.append(Shown(ex, roles, pictures.for_pair(pairs[ex.pair_id])))
            g.cells.append(cell)
    g.embedded_bytes = budget.used
    g.pictures_left_out = len(budget.refused)
    return g
