"""Cohen's and Fleiss' κ against values worked out by hand."""

from __future__ import annotations

import pytest

from editcaption.annotate.agreement import (
    agreement_summary,
    cohen_kappa,
    fleiss_counts,
    fleiss_kappa,
    fleiss_kappa_from_counts,
    pairwise_cohen,
)


def test_cohen_small_example_by_hand():
    # 6 items: agreements at 1, 3, 4, 5 → p_o = 4/6; each rater says "y" 3 times → p_e = 0.5.
    # κ = (2/3 − 1/2) / (1 − 1/2) = 1/3.
    a = ["y", "y", "n", "n", "y", "n"]
    b = ["y", "n", "n", "n", "y", "y"]
    k = cohen_kappa(a, b)
    assert k.observed == pytest.approx(4 / 6)
    assert k.expected == pytest.approx(0.5)
    assert k.value == pytest.approx(1 / 3)
    assert k.n_items == 6


def test_cohen_two_by_two_table():
    # 50 items: yes/yes 20, yes/no 5, no/yes 10, no/no 15 → p_o = 0.7;
    # rater A yes 25/50, rater B yes 30/50 → p_e = 0.5·0.6 + 0.5·0.4 = 0.5 → κ = 0.4.
    a = ["yes"] * 25 + ["no"] * 25
    b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    assert cohen_kappa(a, b).value == pytest.approx(0.4)


def test_cohen_perfect_and_chance_level():
    labels = ["P0", "P1", "P2", "correct"]
    assert cohen_kappa(labels, labels).value == pytest.approx(1.0)
    # Every pairing equally often: p_o = 1/4 = p_e → κ = 0.
    a = ["x", "x", "y", "y"]
    b = ["x", "y", "x", "y"]
    assert cohen_kappa(a, b).value == pytest.approx(0.0)


def test_cohen_undefined_is_reported_not_invented():
    k = cohen_kappa(["P0"] * 5, ["P0"] * 5)
    assert k.value is None and "undefined" in k.reason and k.observed == 1.0
    empty = cohen_kappa([], [])
    assert empty.value is None and empty.n_items == 0 and empty.reason
    with pytest.raises(ValueError):
        cohen_kappa(["a"], ["a", "b"])


def test_fleiss_small_example_by_hand():
    # 3 items × 3 raters: AAA, AAB, BBB → counts (3,0), (2,1), (0,3).
    # P_i = 1, 1/3, 1 → P̄ = 7/9; p_A = 5/9, p_B = 4/9 → P̄_e = 41/81; κ = (63−41)/(81−41) = 0.55.
    k = fleiss_kappa([["A", "A", "A"], ["A", "A", "B"], ["B", "B", "B"]])
    assert k.observed == pytest.approx(7 / 9)
    assert k.expected == pytest.approx(41 / 81)
    assert k.value == pytest.approx(0.55)


def test_fleiss_fourteen_raters_published_table():
    # Fleiss (1971)-style worked example: 10 subjects, 14 raters, 5 categories → κ ≈ 0.210.
    table = [
        [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
    ]
    k = fleiss_kappa_from_counts(table)
    assert k.observed == pytest.approx(0.378, abs=5e-4)
    assert k.expected == pytest.approx(0.213, abs=5e-4)
    assert k.value == pytest.approx(0.210, abs=5e-4)


def test_fleiss_with_two_raters_matches_its_definition():
    # Two raters, items (a,a), (a,b), (b,b), (b,b): P_i = 1, 0, 1, 1 → P̄ = 0.75;
    # p_a = 3/8, p_b = 5/8 → P̄_e = 34/64; κ = (0.75 − 0.53125) / 0.46875 = 0.4667.
    k = fleiss_kappa([["a", "a"], ["a", "b"], ["b", "b"], ["b", "b"]])
    assert k.value == pytest.approx((0.75 - 34 / 64) / (1 - 34 / 64))


def test_fleiss_guards():
    assert fleiss_kappa([["P0", "P0"], ["P0", "P0"]]).value is None
    assert fleiss_kappa([]).reason == "no items"
    assert fleiss_kappa([["a"], ["b"]]).value is None
    with pytest.raises(ValueError):
        fleiss_kappa([["a", "b"], ["a", "b", "c"]])
    cats, table = fleiss_counts([["x", "y"], ["y", "y"]])
    assert cats == ["x", "y"] and table == [[1, 1], [0, 2]]


def test_pairwise_and_summary():
    items = {
        1: {"alice": "P0", "bob": "P0"},
        2: {"alice": "P1", "bob": "P2"},
        3: {"alice": "correct", "bob": "correct"},
        4: {"alice": "P0"},  # still waiting for a second rating
    }
    pairs = pairwise_cohen(items)
    assert len(pairs) == 1 and pairs[0]["raters"] == ["alice", "bob"] and pairs[0]["n_items"] == 3
    # p_o = 2/3; alice P0,P1,correct; bob P0,P2,correct → p_e = (1+0+0+1)/9 = 2/9 → κ = (2/3−2/9)/(7/9) = 4/7.
    assert pairs[0]["value"] == pytest.approx(4 / 7)
    summary = agreement_summary(items, overlap=2)
    assert summary["items"] == 3 and summary["unanimous"] == 2
    assert summary["percent_agreement"] == pytest.approx(2 / 3)
    assert summary["cohen"]["value"] == pytest.approx(4 / 7)
    assert summary["fleiss"]["n_items"] == 3
