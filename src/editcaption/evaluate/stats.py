"""Small statistics the evaluation reports need: proportions with Wilson intervals, means,
and Spearman's rank correlation.

Written out here (a few lines each) rather than pulling in SciPy for the core install. An
undefined statistic (no data, no variance) comes back as ``None`` with the reason — never
as an invented number.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

Z95 = 1.959963984540054  # the 97.5th percentile of the standard normal: a two-sided 95% interval


@dataclass(frozen=True)
class Proportion:
    """``count`` of ``n`` with its rate and Wilson score interval (all ``None`` when n = 0)."""

    count: int
    n: int
    rate: float | None
    low: float | None
    high: float | None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def wilson_interval(count: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """Wilson (1927) score interval for a binomial proportion; ``None`` when ``n`` is 0.

    centre = (p̂ + z²/2n) / (1 + z²/n),  half-width = z·√(p̂(1−p̂)/n + z²/4n²) / (1 + z²/n).
    Unlike the normal approximation it stays inside [0, 1] and is sensible at 0 and n.
    """
    if n < 0 or count < 0 or count > n:
        raise ValueError(f"need 0 <= count <= n, got count={count}, n={n}")
    if n == 0:
        return None
    p = count / n
    z2 = z * z
    denom = 1.0 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom
    low, high = max(0.0, centre - half), min(1.0, centre + half)
    # At 0 and n the bounds are exactly 0 and 1 (the algebra cancels; floating point may not).
    return (0.0 if count == 0 else low), (1.0 if count == n else high)


def proportion(count: int, n: int) -> Proportion:
    interval = wilson_interval(count, n)
    if interval is None:
        return Proportion(count, n, None, None, None)
    return Proportion(count, n, count / n, interval[0], interval[1])


def mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def average_ranks(values: Sequence[float]) -> list[float]:
    """Ranks 1..n, ties sharing the average of the ranks they span."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        shared = (i + j) / 2 + 1
        for k in range(i, j + 1):
            ranks[order[k]] = shared
        i = j + 1
    return ranks


@dataclass(frozen=True)
class Correlation:
    value: float | None
    n: int
    reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def pearson(x: Sequence[float], y: Sequence[float]) -> Correlation:
    if len(x) != len(y):
        raise ValueError(f"x and y differ in length ({len(x)} vs {len(y)})")
    n = len(x)
    if n < 3:
        return Correlation(None, n, "fewer than 3 paired values")
    mx, my = sum(x) / n, sum(y) / n
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y, strict=True))
    sxx = sum((a - mx) ** 2 for a in x)
    syy = sum((b - my) ** 2 for b in y)
    if sxx == 0 or syy == 0:
        return Correlation(None, n, "one of the two variables is constant")
    return Correlation(sxy / math.sqrt(sxx * syy), n)


def spearman(x: Sequence[float], y: Sequence[float]) -> Correlation:
    """Spearman's ρ: Pearson's r on average ranks (so ties are handled)."""
    if len(x) != len(y):
        raise ValueError(f"x and y differ in length ({len(x)} vs {len(y)})")
    return pearson(average_ranks(x), average_ranks(y))
