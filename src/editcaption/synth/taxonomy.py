"""The edit taxonomy (paper §4.1) and how a run's pairs are spread over it.

Semantic, stylistic and structural edits in the paper's default proportions 25/25/50;
hybrid pairs (2–3 edits at once) belong to the structural category, as in the paper.
Category counts follow the mix exactly (largest remainders), so a benchmark of 200 pairs
holds 50/50/100 pairs, not a random draw around it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FAMILIES = ("objects", "photos")


@dataclass(frozen=True)
class Subtype:
    name: str
    category: str
    families: tuple[str, ...] = FAMILIES


SUBTYPES: dict[str, Subtype] = {
    s.name: s
    for s in (
        Subtype("add_object", "semantic"),
        Subtype("remove_object", "semantic"),
        Subtype("replace_object", "semantic"),
        Subtype("background", "semantic", ("objects",)),  # photos have no separable background
        Subtype("recolor", "stylistic"),
        Subtype("style", "stylistic"),
        Subtype("tone", "stylistic"),
        Subtype("material", "stylistic"),
        Subtype("move_object", "structural"),
        Subtype("resize_object", "structural"),
        Subtype("camera_zoom", "structural"),
        Subtype("camera_pan", "structural"),
        Subtype("view_rotation", "structural"),
        Subtype("mirror", "structural"),
        Subtype("text", "structural"),
        Subtype("hybrid", "structural"),
    )
}
CATEGORIES = ("semantic", "stylistic", "structural")
DEFAULT_MIX: dict[str, float] = {"semantic": 25.0, "stylistic": 25.0, "structural": 50.0}


class MixError(ValueError):
    """A --mix, --family or --subtypes value that cannot be used."""


def parse_mix(text: str | dict[str, float] | None) -> dict[str, float]:
    """"semantic=25,stylistic=25,structural=50" → weights; missing categories get 0."""
    if text is None:
        return dict(DEFAULT_MIX)
    if isinstance(text, dict):
        items = list(text.items())
    else:
        items = []
        for part in (p.strip() for p in text.split(",") if p.strip()):
            if "=" not in part:
                raise MixError(f"mix entry {part!r} is not category=weight")
            k, v = part.split("=", 1)
            try:
                items.append((k.strip(), float(v)))
            except ValueError:
                raise MixError(f"mix weight {v!r} for {k.strip()!r} is not a number") from None
    mix = {c: 0.0 for c in CATEGORIES}
    for k, v in items:
        if k not in CATEGORIES:
            raise MixError(f"unknown category {k!r} in mix (use {', '.join(CATEGORIES)})")
        if v < 0:
            raise MixError(f"mix weight for {k!r} is negative")
        mix[k] = float(v)
    if sum(mix.values()) <= 0:
        raise MixError("mix weights sum to zero")
    return mix


def available_subtypes(category: str, family: str, allowed: tuple[str, ...] | None = None) -> list[str]:
    return [
        s.name
        for s in SUBTYPES.values()
        if s.category == category and family in s.families and (allowed is None or s.name in allowed)
    ]


def check_subtypes(names: tuple[str, ...] | None) -> tuple[str, ...] | None:
    if names is None:
        return None
    unknown = [n for n in names if n not in SUBTYPES]
    if unknown:
        raise MixError(f"unknown subtype(s) {', '.join(unknown)} (known: {', '.join(SUBTYPES)})")
    if not names:
        raise MixError("--subtypes is empty")
    return tuple(names)


def quotas(n: int, weights: dict[str, float]) -> dict[str, int]:
    """Split ``n`` over the keys in proportion to ``weights`` (largest remainders, stable order)."""
    total = sum(weights.values())
    raw = {k: n * w / total for k, w in weights.items()}
    counts = {k: int(np.floor(v)) for k, v in raw.items()}
    left = n - sum(counts.values())
    order = sorted(weights, key=lambda k: (-(raw[k] - counts[k]), list(weights).index(k)))
    for k in order[:left]:
        counts[k] += 1
    return counts


def plan(
    n: int, seed: int, mix: dict[str, float], family: str, allowed: tuple[str, ...] | None = None
) -> list[tuple[str, str]]:
    """(category, family) for each pair index: exact quotas, shuffled by the seed.

    Categories (or families) that have no usable subtype under ``allowed`` get no pairs.
    """
    families = FAMILIES if family == "both" else (family,)
    if family not in (*FAMILIES, "both"):
        raise MixError(f"unknown family {family!r} (use objects, photos or both)")
    usable = {
        c: w for c, w in mix.items() if w > 0 and any(available_subtypes(c, f, allowed) for f in families)
    }
    if not usable:
        raise MixError("no subtype is available for this mix, family and --subtypes")
    rng = np.random.default_rng([seed, 0x6D6978])  # a stream of its own, independent of the pairs
    cats = [c for c, k in quotas(n, usable).items() for _ in range(k)]
    rng.shuffle(cats)
    out: list[tuple[str, str]] = []
    fam_quota = quotas(n, {f: 1.0 for f in families})
    fams = [f for f, k in fam_quota.items() for _ in range(k)]
    rng.shuffle(fams)
    for cat, fam in zip(cats, fams, strict=True):
        if not available_subtypes(cat, fam, allowed):
            fam = next(f for f in families if available_subtypes(cat, f, allowed))
        out.append((cat, fam))
    return out
