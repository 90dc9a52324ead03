"""Number formats shared by the Markdown and HTML reports (the paper's precision).

S with three decimals, the dimensions with two (Table 3), rates as percentages with two
decimals and their Wilson interval in brackets (Table 2). A missing value is an en dash.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

DASH = "–"
_NUMERIC = re.compile(r"^[–+-]?\d|^–$")
DIM_LABELS = {"S": "S", "accuracy": "Acc", "completeness": "Comp", "clarity": "Clar"}
LEVEL_LABELS = {"correct": "Correct", "P0": "P0", "P1": "P1", "P2": "P2"}


def score(value: float | None, key: str = "S") -> str:
    if value is None:
        return DASH
    return f"{value:.3f}" if key == "S" else f"{value:.2f}"


def pct(value: float | None) -> str:
    return DASH if value is None else f"{100 * value:.2f}%"


def rate_with_interval(p: dict[str, Any]) -> str:
    """``66.00% [61.23, 70.45]`` — the rate and its Wilson 95% interval, in percent."""
    if p.get("rate") is None:
        return DASH
    return f"{pct(p['rate'])} [{100 * p['low']:.2f}, {100 * p['high']:.2f}]"


def number(value: float | None, digits: int = 3) -> str:
    return DASH if value is None else f"{value:.{digits}f}"


def ranks(values: Sequence[float | None]) -> list[str | None]:
    """"best" / "second" marks for the highest and second-highest values (ties share a mark)."""
    distinct = sorted({round(v, 6) for v in values if v is not None}, reverse=True)
    marks: list[str | None] = []
    for v in values:
        if v is None or not distinct:
            marks.append(None)
        elif round(v, 6) == distinct[0]:
            marks.append("best")
        elif len(distinct) > 1 and round(v, 6) == distinct[1]:
            marks.append("second")
        else:
            marks.append(None)
    return marks


def rank_table(rows: list[dict[str, Any]], columns: list[tuple[str, str]]) -> dict[tuple[int, str, str], str]:
    """Marks per (row index, benchmark, key) for every (benchmark, key) column of a score table."""
    out: dict[tuple[int, str, str], str] = {}
    if len(rows) < 2:
        return out
    for bench, key in columns:
        marks = ranks([row["cells"][bench][key] for row in rows])
        for i, mark in enumerate(marks):
            if mark:
                out[(i, bench, key)] = mark
    return out


def is_numeric(cell: str) -> bool:
    """A cell that shows a number (or the dash for none): right-aligned in both formats."""
    return bool(_NUMERIC.match(str(cell)))
