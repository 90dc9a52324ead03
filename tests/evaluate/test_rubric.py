"""Appendix B rubric at every table boundary."""

from __future__ import annotations

import itertools

import pytest

from editcaption.evaluate.rubric import (
    accuracy_score,
    clarity_ceiling,
    completeness_score,
    find_forbidden_terms,
    overall_score,
)


@pytest.mark.parametrize(
    "hits, total, bonus, expected",
    [
        (4, 4, False, 5.0), (4, 4, True, 5.0),
        (3, 4, False, 4.5), (3.999, 4, False, 4.5), (3, 4, True, 5.0),
        (0.6, 1, False, 4.0), (0.7499, 1, False, 4.0),
        (0.5, 1, False, 3.0), (0.5999, 1, False, 3.0), (0.5, 1, True, 3.5),
        (0.2, 1, False, 2.0), (0.4999, 1, False, 2.0),
        (0.1999, 1, False, 1.0), (0.1, 1, False, 1.0), (0.5, 3, False, 1.0),
        (0, 3, False, 1.0),
        (0, 3, True, 1.0),  # only minor changes mentioned: no bonus (Table 9, score 1)
        (0.1, 1, True, 1.5), (0.2, 1, True, 2.5), (0.6, 1, True, 4.5), (0.75, 1, True, 5.0),
        (2, 3, False, 4.0),  # Table 9's 2/3 example
        (0, 0, False, 5.0),
    ],
)
def test_completeness_table(hits, total, bonus, expected):
    assert completeness_score(hits, total, bonus) == expected


def test_completeness_rejects_negative_counts():
    with pytest.raises(ValueError):
        completeness_score(-1, 3)
    with pytest.raises(ValueError):
        completeness_score(1, -3)


def test_clarity_ceiling():
    assert [clarity_ceiling(n) for n in range(6)] == [5.0, 3.0, 2.5, 2.0, 2.0, 2.0]
    with pytest.raises(ValueError):
        clarity_ceiling(-1)


def test_overall_weights():
    assert overall_score(5, 5, 5) == pytest.approx(5.0)
    assert overall_score(4, 3, 2) == pytest.approx(0.4 * 4 + 0.4 * 3 + 0.2 * 2)


@pytest.mark.parametrize(
    "kw, expected",
    [
        (dict(major_errors=0, minor_errors=0, hallucinations=0, coverage=2 / 3), 5.0),
        (dict(major_errors=0, minor_errors=0, hallucinations=0, coverage=0.5), 5.0),
        (dict(major_errors=0, minor_errors=0, hallucinations=0, coverage=0.49), 4.0),
        (dict(major_errors=0, minor_errors=1, hallucinations=0, coverage=1.0), 4.0),
        (dict(major_errors=1, minor_errors=0, hallucinations=0, coverage=1.0), 3.0),
        (dict(major_errors=0, minor_errors=0, hallucinations=0, coverage=0.29), 3.0),
        (dict(major_errors=0, minor_errors=0, hallucinations=0, coverage=0.30), 4.0),
        (dict(major_errors=2, minor_errors=0, hallucinations=0, coverage=1.0), 2.0),
        (dict(major_errors=0, minor_errors=0, hallucinations=1, coverage=1.0), 2.0),
        (dict(major_errors=0, minor_errors=0, hallucinations=0, coverage=1.0, unrelated=True), 1.0),
    ],
)
def test_accuracy_table(kw, expected):
    assert accuracy_score(**kw) == expected


def test_accuracy_caps_hold_whatever_else_the_judge_found():
    """Any hallucination caps accuracy at 2, coverage below 30% at 3, over every other finding."""
    for major, minor, hallucinations, coverage in itertools.product((0, 1, 2), (0, 1), (0, 1, 3),
                                                                   (0.0, 0.2, 0.29, 0.3, 0.5, 0.9, 1.0)):
        score = accuracy_score(major_errors=major, minor_errors=minor, hallucinations=hallucinations,
                               coverage=coverage)
        cap = 2.0 if hallucinations else 3.0 if coverage < 0.30 else 5.0
        assert score <= cap, (major, minor, hallucinations, coverage)
        if hallucinations and major < 2:
            assert score == 2.0  # the cap, not a lower score


@pytest.mark.parametrize(
    "text, terms",
    [
        ("Replace the gray wide-strap dress with a pink spaghetti-strap mini dress.", []),
        ("Change the color of that piece of clothing to pink.", ["that"]),
        ("Optimize the image to make it look better.", ["optimize", "it", "look better"]),
        ("Adjust the brightness to 80%.", []),
        ("Adjust the colours.", ["adjust"]),
        ("Slightly brighten the sky and make the grass a bit greener.", ["slightly", "a bit"]),
        ("Make sure that the cup that is on the left stays.", []),
        ("Recolour the car as in the original image.", ["as in the original image"]),
        ("The colours were modified and the contrast is being optimised.", ["modified", "optimised"]),
        ("Improving the sky; it modifies the mood.", ["improving", "it", "modifies"]),
        ("Modify the sign so that it reads OPEN.", ["it"]),
    ],
)
def test_forbidden_terms(text, terms):
    assert [t.term for t in find_forbidden_terms(text)] == terms
