"""The protocol's arithmetic: 0–25 → 0–10, min within each call, geometric mean, mean over passes."""

from __future__ import annotations

import math

import pytest

from editcaption.scoring.protocol import OutOfRange, PassScores, average_passes, scale


def test_scale_divides_by_two_and_a_half_and_refuses_out_of_range():
    assert scale(25) == 10.0 and scale(0) == 0.0 and scale(20) == 8.0 and scale(12.5) == 5.0
    for bad in (-1, 25.5, 30):
        with pytest.raises(OutOfRange, match="outside 0–25"):
            scale(bad)


def test_one_pass_composite_is_sqrt_of_the_two_minima():
    p = PassScores.from_raw([20, 15], [25, 22])
    assert (p.prompt_following, p.consistency, p.naturalness, p.artifacts) == (8.0, 6.0, 10.0, 8.8)
    assert p.semantic_consistency == 6.0 and p.perceptual_quality == 8.8
    assert p.overall == pytest.approx(math.sqrt(6.0 * 8.8))  # 7.2664
    assert p.to_json()["overall"] == pytest.approx(7.26636, abs=1e-5)


def test_a_failed_edit_scores_zero_whatever_the_quality():
    assert PassScores.from_raw([0, 25], [25, 25]).overall == 0.0


def test_passes_average_the_per_pass_composites():
    a = PassScores.from_raw([25, 25], [25, 25])  # overall 10
    b = PassScores.from_raw([10, 25], [10, 25])  # SC 4, PQ 4 → overall 4
    mean = average_passes([a, b])
    assert mean["overall"] == pytest.approx(7.0)  # the mean of 10 and 4
    assert mean["semantic_consistency"] == pytest.approx(7.0) and mean["prompt_following"] == pytest.approx(7.0)
    c = PassScores.from_raw([25, 25], [5, 25])  # SC 10, PQ 2 → overall sqrt(20)
    d = PassScores.from_raw([5, 25], [25, 25])  # SC 2, PQ 10 → overall sqrt(20)
    mixed = average_passes([c, d])
    assert mixed["overall"] == pytest.approx(math.sqrt(20))
    # The composite of the means would be sqrt(6 × 6) = 6: EditScore averages composites instead.
    assert math.sqrt(mixed["semantic_consistency"] * mixed["perceptual_quality"]) == pytest.approx(6.0)
    with pytest.raises(ValueError):
        average_passes([])
