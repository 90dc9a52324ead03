"""Inter-annotator agreement: Cohen's κ (two raters) and Fleiss' κ (any fixed number).

Plain functions on label lists, shared by the studio's dashboard and ``eval human``.
A κ that is undefined (no items, or chance agreement of 1 because every rating falls in
one category) is returned as ``value=None`` with the reason — never as an invented number.

Cohen (1960): κ = (p_o − p_e) / (1 − p_e), p_e = Σ_k p_A(k)·p_B(k).
Fleiss (1971): P_i = (Σ_j n_ij² − n) / (n(n − 1)), P̄ = mean P_i, p_j = Σ_i n_ij / (N·n),
P̄_e = Σ_j p_j², κ = (P̄ − P̄_e) / (1 − P̄_e).
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Kappa:
    value: float | None
    n_items: int
    observed: float | None  # observed agreement (p_o or P̄)
    expected: float | None  # chance agreement (p_e or P̄_e)
    reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _undefined(n: int, reason: str, observed: float | None = None, expected: float | None = None) -> Kappa:
    return Kappa(None, n, observed, expected, reason)


def cohen_kappa(a: Sequence[Hashable], b: Sequence[Hashable]) -> Kappa:
    """Cohen's κ for two raters who labelled the same items (``a[i]`` and ``b[i]`` rate item i)."""
    if len(a) != len(b):
        raise ValueError(f"both raters must rate the same items ({len(a)} vs {len(b)} labels)")
    n = len(a)
    if n == 0:
        return _undefined(0, "no items rated by both")
    p_o = sum(x == y for x, y in zip(a, b, strict=True)) / n
    ca, cb = Counter(a), Counter(b)
    p_e = sum(ca[k] * cb[k] for k in ca.keys() | cb.keys()) / (n * n)
    if p_e >= 1.0:
        return _undefined(n, "every rating falls in one category, so chance agreement is 1 and κ is undefined",
                          p_o, p_e)
    return Kappa((p_o - p_e) / (1.0 - p_e), n, p_o, p_e)


def fleiss_counts(ratings: Sequence[Sequence[Hashable]]) -> tuple[list[Hashable], list[list[int]]]:
    """The item × category count table of Fleiss' κ, from each item's list of labels."""
    categories = sorted({label for item in ratings for label in item}, key=str)
    table = [[Counter(item)[c] for c in categories] for item in ratings]
    return categories, table


def fleiss_kappa_from_counts(table: Sequence[Sequence[int]]) -> Kappa:
    """Fleiss' κ from an item × category table of counts (each row sums to the raters per item)."""
    n_items = len(table)
    if n_items == 0:
        return _undefined(0, "no items")
    raters = {sum(row) for row in table}
    if len(raters) != 1:
        raise ValueError(f"Fleiss' κ needs the same number of ratings per item, got {sorted(raters)}")
    n = raters.pop()
    if n < 2:
        return _undefined(n_items, "Fleiss' κ needs at least two ratings per item")
    p_items = [(sum(c * c for c in row) - n) / (n * (n - 1)) for row in table]
    p_bar = sum(p_items) / n_items
    totals = [sum(col) for col in zip(*table, strict=True)]
    p_e = sum((t / (n_items * n)) ** 2 for t in totals)
    if p_e >= 1.0:
        return _undefined(n_items, "every rating falls in one category, so chance agreement is 1 and κ is undefined",
                          p_bar, p_e)
    return Kappa((p_bar - p_e) / (1.0 - p_e), n_items, p_bar, p_e)


def fleiss_kappa(ratings: Sequence[Sequence[Hashable]]) -> Kappa:
    """Fleiss' κ from each item's labels (every item rated by the same number of raters)."""
    return fleiss_kappa_from_counts(fleiss_counts(ratings)[1])


def pairwise_cohen(items: Mapping[Hashable, Mapping[str, Hashable]], min_items: int = 1) -> list[dict[str, Any]]:
    """Cohen's κ for every pair of raters over the items both rated.

    ``items`` maps an item to ``{rater: label}``. Pairs sharing fewer than ``min_items``
    items are left out.
    """
    raters = sorted({r for labels in items.values() for r in labels})
    out = []
    for r1, r2 in itertools.combinations(raters, 2):
        shared = [labels for labels in items.values() if r1 in labels and r2 in labels]
        if len(shared) < min_items:
            continue
        k = cohen_kappa([s[r1] for s in shared], [s[r2] for s in shared])
        out.append({"raters": [r1, r2], **k.to_json()})
    return out


def agreement_summary(items: Mapping[Hashable, Mapping[str, Hashable]], overlap: int) -> dict[str, Any]:
    """Agreement on items rated ``overlap`` times: raw agreement, Fleiss' κ and (for two) Cohen's κ.

    Items with fewer ratings than ``overlap`` (still in progress) are left out; with more
    (after an import), the first ``overlap`` raters by name are used so every item counts
    the same number of ratings.
    """
    complete = {k: dict(sorted(v.items())[:overlap]) for k, v in items.items() if len(v) >= overlap}
    labels = [list(v.values()) for v in complete.values()]
    unanimous = sum(len(set(v)) == 1 for v in labels)
    out: dict[str, Any] = {
        "items": len(labels),
        "overlap": overlap,
        "unanimous": unanimous,
        "percent_agreement": (unanimous / len(labels)) if labels else None,
        "fleiss": fleiss_kappa(labels).to_json() if overlap >= 2 else None,
        "cohen_pairs": pairwise_cohen(complete) if overlap == 2 else [],
    }
    if overlap == 2:
        # Raters differ between items in a pooled queue; the first and second rating of each
        # item (by rater name) stand in for "rater A" and "rater B".
        a = [v[0] for v in labels]
        b = [v[1] for v in labels]
        out["cohen"] = cohen_kappa(a, b).to_json()
    return out
