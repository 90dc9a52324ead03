"""Report statistics: mean ± sample std over seeds, paired deltas, quantiles."""

from __future__ import annotations

import math

from editcaption.reproduce.evaluation import summarize
from editcaption.reproduce.stats import fmt, mean_std, paired, quantiles


def test_mean_std_uses_the_sample_deviation() -> None:
    m, s, n = mean_std([1.0, 2.0, 3.0, None])
    assert (m, n) == (2.0, 3)
    assert math.isclose(s, 1.0)
    assert mean_std([4.0]) == (4.0, None, 1)
    assert mean_std([None]) == (None, None, 0)


def test_fmt_prints_mean_and_spread() -> None:
    assert fmt([4.0, 4.2]) == "4.100 ± 0.141"
    assert fmt([0.25, 0.35], 1, 100) == "30.0 ± 7.1"
    assert fmt([3.0]) == "3.000"
    assert fmt([]) == "–"


def test_paired_and_quantiles() -> None:
    assert paired([1.0, None, 2.0], [1.5, 1.0, 1.0]) == [0.5, None, -1.0]
    assert quantiles([0.0, 1.0, 2.0, 3.0, 4.0], (0.1, 0.5, 0.9)) == [0.4, 2.0, 3.6]


def test_summarize_counts_unreadable_answers_as_not_correct() -> None:
    results = [
        {"score": {"S": 5.0, "accuracy": 5, "completeness": 5, "clarity": 5, "errors": []}},
        {"score": {"S": 1.8, "accuracy": 1, "completeness": 1, "clarity": 5,
                   "errors": [{"type": "orientation", "severity": "P0"}, {"type": "detail", "severity": "P2"}]}},
        {"score": None},
        {"score": {"S": 4.6, "accuracy": 5, "completeness": 5, "clarity": 3,
                   "errors": [{"type": "viewpoint", "severity": "P1"}]}},
    ]
    m = summarize(results)
    assert m["n"] == 4 and m["scored"] == 3
    assert math.isclose(m["S"], (5.0 + 1.8 + 4.6) / 3)
    assert m["correct"] == 0.25 and m["unparsable"] == 0.25
    assert m["p0"] == 0.25 and m["p0_orientation"] == 0.25 and m["p0_viewpoint"] == 0.0 and m["p0_detail"] == 0.0
