"""Balancing a dataset to target proportions of one key (category, failure type, ...).

The paper builds its SFT set as 25% semantic / 25% stylistic / 50% structural edits (§4.1)
and balances its 10K preference pairs across failure modes, 34.2% orientation / 31.5%
viewpoint / 34.3% detail (§4.2). Given what is available, we keep the largest set whose
per-value counts are the targets rounded by largest remainder — so every count is within
one item of ``proportion × total`` — and drop a seeded random choice of the surplus.
What was dropped is reported, so the user sees what balancing cost.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from .splits import target_counts

T = TypeVar("T")

# Positional targets (``category=25:25:50``) follow these orders.
KEY_ORDERS: dict[str, tuple[str, ...]] = {
    "category": ("semantic", "stylistic", "structural"),
    "error_type": ("orientation", "viewpoint", "detail"),
    "severity": ("P0", "P1", "P2"),
}
PAPER_ERROR_TYPE_SPLIT = "error_type=34.2:31.5:34.3"


class BalanceError(ValueError):
    pass


@dataclass(frozen=True)
class BalanceSpec:
    key: str
    targets: dict[str, float]  # value → proportion (sums to 1)

    def describe(self) -> str:
        return f"{self.key}=" + ",".join(f"{v}:{p * 100:.1f}%" for v, p in self.targets.items())


def parse_balance(text: str, allowed_keys: Sequence[str]) -> BalanceSpec | None:
    """Parse ``key=a:b:c`` (positional, in :data:`KEY_ORDERS`) or ``key=v1:a,v2:b``; ``none`` → None."""
    text = text.strip()
    if text.lower() in ("", "none", "off"):
        return None
    if "=" not in text:
        raise BalanceError(f"--balance expects key=proportions (e.g. category=25:25:50), got {text!r}")
    key, spec = (x.strip() for x in text.split("=", 1))
    if key not in allowed_keys:
        raise BalanceError(f"--balance key {key!r} is not one of {', '.join(allowed_keys)}")
    raw: dict[str, str] = {}
    if "," in spec or any(not _is_number(p) for p in spec.split(":")):
        for item in (s.strip() for s in spec.split(",") if s.strip()):
            if ":" not in item:
                raise BalanceError(f"--balance item {item!r} should be value:proportion")
            value, share = (x.strip() for x in item.rsplit(":", 1))
            raw[value] = share
    else:
        order = KEY_ORDERS.get(key)
        parts = spec.split(":")
        if order is None:
            raise BalanceError(f"--balance {key}: name the values (e.g. {key}=a:50,b:50)")
        if len(parts) != len(order):
            raise BalanceError(f"--balance {key} needs {len(order)} proportions ({':'.join(order)}), got {len(parts)}")
        raw = dict(zip(order, parts, strict=True))
    shares: dict[str, float] = {}
    for value, share in raw.items():
        if not _is_number(share) or float(share) < 0:
            raise BalanceError(f"--balance proportion for {value!r} is not a non-negative number: {share!r}")
        if key in KEY_ORDERS and value not in KEY_ORDERS[key]:
            raise BalanceError(f"--balance {key} value {value!r} is not one of {', '.join(KEY_ORDERS[key])}")
        shares[value] = float(share)
    total = sum(shares.values())
    if total <= 0:
        raise BalanceError("--balance proportions add up to zero")
    return BalanceSpec(key=key, targets={v: s / total for v, s in shares.items()})


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@dataclass
class BalanceResult(Generic[T]):
    kept: list[T]
    dropped: list[T]
    available: dict[str, int]
    selected: dict[str, int]
    outside: int = 0  # items whose value has no target (or is missing), dropped
    extra: dict[str, Any] = field(default_factory=dict)


def balanced_counts(available: dict[str, int], targets: dict[str, float]) -> dict[str, int]:
    """The per-value counts of the largest balanced selection that ``available`` allows."""
    positive = {v: p for v, p in targets.items() if p > 0}
    missing = [v for v in positive if available.get(v, 0) == 0]
    if missing:
        raise BalanceError(
            f"cannot balance: nothing with {', '.join(missing)} to fill its target share; "
            "give it share 0 or pass --balance none"
        )
    # Upper bound from the scarcest value, then step down until the rounded counts fit.
    total = min(int(available[v] / p) + 1 for v, p in positive.items())
    total = min(total, sum(available.get(v, 0) for v in positive))
    while total > 0:
        counts = target_counts(total, targets)
        if all(counts[v] <= available.get(v, 0) for v in counts):
            return counts
        total -= 1
    return {v: 0 for v in targets}


def _seeded_rank(seed: int, ident: str) -> str:
    return hashlib.sha256(f"{seed}:{ident}".encode()).hexdigest()


def balance(
    items: Sequence[T], spec: BalanceSpec, value_of: Callable[[T], str | None], ident: Callable[[T], str], seed: int = 0
) -> BalanceResult[T]:
    """Keep a balanced subset of ``items`` (seeded choice within each value)."""
    by_value: dict[str, list[T]] = {}
    outside: list[T] = []
    for item in items:
        v = value_of(item)
        if v is None or v not in spec.targets:
            outside.append(item)
        else:
            by_value.setdefault(v, []).append(item)
    available = {v: len(by_value.get(v, [])) for v in spec.targets}
    counts = balanced_counts(available, spec.targets)
    kept: list[T] = []
    dropped: list[T] = list(outside)
    for v, group in by_value.items():
        ranked = sorted(group, key=lambda it: _seeded_rank(seed, ident(it)))
        kept.extend(ranked[: counts[v]])
        dropped.extend(ranked[counts[v] :])
    order = {id(it): n for n, it in enumerate(items)}
    kept.sort(key=lambda it: order[id(it)])
    return BalanceResult(kept=kept, dropped=dropped, available=available,
                         selected=dict(Counter(value_of(k) for k in kept)), outside=len(outside))
