"""Small statistics for the report: mean ± sample standard deviation over seeds, paired deltas."""

from __future__ import annotations

import math
from collections.abc import Sequence


def mean_std(values: Sequence[float | None]) -> tuple[float | None, float | None, int]:
    """(mean, sample std (n−1; None for one value), n) over the values that are not None."""
    xs = [float(v) for v in values if v is not None]
    if not xs:
        return None, None, 0
    m = sum(xs) / len(xs)
    if len(xs) < 2:
        return m, None, 1
    return m, math.sqrt(sum((x - m) ** 2 for x in xs) / (len(xs) - 1)), len(xs)


def fmt(values: Sequence[float | None], digits: int = 3, scale: float = 1.0) -> str:
    """"4.123 ± 0.051" (or "4.123" for one seed, "–" for none); ``scale`` 100 prints percentages."""
    m, s, n = mean_std([None if v is None else v * scale for v in values])
    if m is None:
        return "–"
    if s is None:
        return f"{m:.{digits}f}"
    return f"{m:.{digits}f} ± {s:.{digits}f}"


def paired(a: Sequence[float | None], b: Sequence[float | None]) -> list[float | None]:
    """Per-seed differences b − a (None where either is missing)."""
    return [None if x is None or y is None else y - x for x, y in zip(a, b, strict=True)]


def quantiles(values: Sequence[float], qs: Sequence[float]) -> list[float]:
    """Linear-interpolation quantiles (the numpy default) of a non-empty sequence."""
    xs = sorted(values)
    out = []
    for q in qs:
        pos = q * (len(xs) - 1)
        lo = math.floor(pos)
        hi = min(lo + 1, len(xs) - 1)
        out.append(xs[lo] + (xs[hi] - xs[lo]) * (pos - lo))
    return out
