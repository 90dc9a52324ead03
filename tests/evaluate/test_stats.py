"""Wilson intervals and Spearman's ρ against values worked out by hand."""

from __future__ import annotations

import math

import pytest

from editcaption.evaluate.stats import Z95, average_ranks, mean, proportion, spearman, wilson_interval


def _wilson_by_hand(x: int, n: int) -> tuple[float, float]:
    # Written out step by step from the formula (Wilson 1927), independently of the module.
    z = 1.959963984540054
    p = x / n
    a = p + z**2 / (2 * n)
    b = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    c = 1 + z**2 / n
    return (a - b) / c, (a + b) / c


def test_wilson_known_values():
    # 10 of 20: centre stays 0.5; half-width = 1.96·√(0.25/20 + 3.8415/1600)/(1 + 3.8415/20)
    low, high = wilson_interval(10, 20)
    assert low == pytest.approx(0.299298, abs=1e-6) and high == pytest.approx(0.700702, abs=1e-6)
    # The paper's Table 2 scale: 66.00% of 400. By hand: p̂ = 0.66, z² = 3.8415,
    # centre term 0.66 + z²/800 = 0.664802, half 1.96·√(0.000561 + 0.0000060) = 0.046671,
    # divided by 1 + z²/400 = 1.009604 → [61.23%, 70.47%]
    low, high = wilson_interval(264, 400)
    assert (round(100 * low, 2), round(100 * high, 2)) == (61.23, 70.47)
    for x, n in [(0, 7), (7, 7), (3, 9), (281, 400), (1, 1)]:
        assert wilson_interval(x, n) == pytest.approx(_wilson_by_hand(x, n), abs=1e-12)


def test_wilson_edges():
    low, high = wilson_interval(0, 10)
    assert low == 0.0 and high == pytest.approx(Z95**2 / (10 + Z95**2), rel=1e-12)  # (z²/n)/(1+z²/n)
    low, high = wilson_interval(10, 10)
    assert high == 1.0 and low == pytest.approx(10 / (10 + Z95**2), rel=1e-12)
    assert wilson_interval(0, 0) is None
    assert proportion(0, 0).rate is None
    with pytest.raises(ValueError):
        wilson_interval(5, 4)


def test_average_ranks_share_ties():
    assert average_ranks([10, 20, 20, 5]) == [2.0, 3.5, 3.5, 1.0]
    assert average_ranks([1, 1, 1]) == [2.0, 2.0, 2.0]


def test_spearman_by_hand():
    # x ranks 1..5; y ranks [2, 1, 4, 3, 5]: Σd² = 4, ρ = 1 − 6·4/(5·24) = 0.8
    assert spearman([1, 2, 3, 4, 5], [20, 10, 40, 30, 50]).value == pytest.approx(0.8)
    assert spearman([1, 2, 3], [3, 2, 1]).value == pytest.approx(-1.0)
    # with ties: x ranks [1, 2.5, 2.5, 4], y ranks [1, 2, 3, 4]; Pearson on ranks = 0.9486833
    assert spearman([1, 2, 2, 3], [1, 2, 3, 4]).value == pytest.approx(3 / math.sqrt(10), abs=1e-12)
    flat = spearman([1, 1, 1], [1, 2, 3])
    assert flat.value is None and "constant" in flat.reason
    assert spearman([1, 2], [2, 1]).value is None
    assert mean([]) is None and mean([1, 2]) == 1.5
