"""Train / val / test splits that never leak an image across sides.

Pairs are grouped (union-find) when they share an image by content — the same source, or
one pair's target being another's source (multi-turn editing sessions, both-direction
ingests) — or when their images are near-duplicates by perceptual hash
(:mod:`editcaption.export.phash`). A whole group always goes to one side.

A split already recorded on a pair (from its dataset, or from an earlier export with
``save_splits``) is kept, and the other pairs of its group follow it. Groups without one
are taken in a seeded order and each goes to the side whose target is least filled among
those it fits in, so the result is reproducible for a given seed, close to the requested
ratios, and val/test hold multi-pair groups as well as single pairs.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .phash import ImageHash, near_duplicate_pairs

SPLIT_NAMES = ("train", "val", "test")
DEFAULT_SPLIT = "train=0.9,val=0.05,test=0.05"
DEFAULT_NEAR_DUP_DISTANCE = 8  # bits of 64; re-encodes/resizes land at 0-2, unrelated photos near 30


class SplitSpecError(ValueError):
    pass


@dataclass(frozen=True)
class SplitSpec:
    ratios: dict[str, float]
    seed: int = 0
    near_dup_distance: int = DEFAULT_NEAR_DUP_DISTANCE  # negative: exact image matches only


def parse_split_spec(text: str) -> dict[str, float]:
    """``train=0.9,val=0.05,test=0.05`` → ratios summing to 1 (percentages are accepted too)."""
    ratios: dict[str, float] = {}
    for part in (p.strip() for p in text.split(",") if p.strip()):
        if "=" not in part:
            raise SplitSpecError(f"--split expects name=ratio items, got {part!r}")
        name, value = (x.strip() for x in part.split("=", 1))
        if name == "validation":
            name = "val"
        if name not in SPLIT_NAMES:
            raise SplitSpecError(f"--split name {name!r} is not one of {', '.join(SPLIT_NAMES)}")
        try:
            ratio = float(value)
        except ValueError:
            raise SplitSpecError(f"--split ratio for {name} is not a number: {value!r}") from None
        if ratio < 0:
            raise SplitSpecError(f"--split ratio for {name} is negative")
        ratios[name] = ratios.get(name, 0.0) + ratio
    total = sum(ratios.values())
    if total <= 0:
        raise SplitSpecError("--split ratios add up to zero")
    return {name: ratios.get(name, 0.0) / total for name in SPLIT_NAMES}


@dataclass(frozen=True)
class SplitMember:
    """What the splitter needs to know about a pair."""

    pair_id: str
    source_sha: str
    target_sha: str
    split: str | None = None  # already recorded on the pair


@dataclass
class SplitResult:
    assignment: dict[str, str]  # pair id → split
    groups: int = 0
    largest_group: int = 0
    preset: int = 0  # pairs whose recorded split was kept
    inherited: int = 0  # pairs that followed a recorded split in their group
    near_duplicate_links: int = 0
    conflicts: list[dict[str, Any]] = field(default_factory=list)  # groups with several recorded splits

    def counts(self) -> dict[str, int]:
        c = Counter(self.assignment.values())
        return {name: c.get(name, 0) for name in SPLIT_NAMES}

    def as_json(self) -> dict[str, Any]:
        return {
            "counts": self.counts(),
            "groups": self.groups,
            "largest_group": self.largest_group,
            "preset": self.preset,
            "inherited": self.inherited,
            "near_duplicate_links": self.near_duplicate_links,
            "conflicts": self.conflicts,
        }


class UnionFind:
    def __init__(self, n: int):
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        root = i
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[i] != root:  # path compression
            self.parent[i], i = root, self.parent[i]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def leakage_groups(
    members: Sequence[SplitMember], hashes: dict[str, ImageHash], near_dup_distance: int
) -> tuple[list[list[int]], int]:
    """Indices of ``members`` grouped by shared or near-duplicate images; also the near-dup link count.

    ``hashes`` maps image sha256 → perceptual hash; images without one (or with an
    uninformative one) only match exactly.
    """
    uf = UnionFind(len(members))
    by_image: dict[str, int] = {}
    for i, m in enumerate(members):
        for sha in (m.source_sha, m.target_sha):
            if sha in by_image:
                uf.union(by_image[sha], i)
            else:
                by_image[sha] = i
    links = 0
    if near_dup_distance >= 0:
        usable = {sha: h.value for sha, h in hashes.items() if h.informative and sha in by_image}
        for a, b in near_duplicate_pairs(usable, near_dup_distance):
            if uf.find(by_image[a]) != uf.find(by_image[b]):
                links += 1
            uf.union(by_image[a], by_image[b])
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(members)):
        groups[uf.find(i)].append(i)
    return list(groups.values()), links


def target_counts(total: int, ratios: dict[str, float]) -> dict[str, int]:
    """Largest-remainder rounding of ``total × ratio`` (the counts add up to ``total``)."""
    raw = {k: total * r for k, r in ratios.items()}
    counts = {k: int(v) for k, v in raw.items()}
    rest = total - sum(counts.values())
    for k in sorted(raw, key=lambda k: (-(raw[k] - counts[k]), list(raw).index(k)))[:rest]:
        counts[k] += 1
    return counts


def _order_key(seed: int, group_ids: list[str]) -> str:
    # Seeded, and stable for a group whatever else is exported alongside it.
    return hashlib.sha256(f"{seed}:{min(group_ids)}".encode()).hexdigest()


def assign_splits(members: Sequence[SplitMember], spec: SplitSpec, hashes: dict[str, ImageHash]) -> SplitResult:
    """Assign every member a split; whole leakage groups go to one side."""
    groups, links = leakage_groups(members, hashes, spec.near_dup_distance)
    result = SplitResult(assignment={}, groups=len(groups), near_duplicate_links=links,
                         largest_group=max((len(g) for g in groups), default=0))
    open_groups: list[list[int]] = []
    for g in groups:
        recorded = Counter(members[i].split for i in g if members[i].split)
        if not recorded:
            open_groups.append(g)
            continue
        if len(recorded) > 1:
            result.conflicts.append({"pairs": sorted(members[i].pair_id for i in g), "splits": dict(recorded)})
        # The group follows its most common recorded split; recorded splits themselves are kept.
        side = sorted(recorded.items(), key=lambda kv: (-kv[1], SPLIT_NAMES.index(kv[0])))[0][0]
        for i in g:
            if members[i].split:
                result.assignment[members[i].pair_id] = members[i].split
                result.preset += 1
            else:
                result.assignment[members[i].pair_id] = side
                result.inherited += 1
    want = target_counts(len(members), spec.ratios)
    have = Counter(result.assignment.values())
    sides = [s for s in SPLIT_NAMES if spec.ratios.get(s, 0) > 0]

    def fill_gap(side: str) -> float:  # share of the side's target still missing
        return (want[side] - have[side]) / want[side] if want[side] else float("-inf")

    # Seeded order; each group goes where it fits and the target is least filled, so val and
    # test receive multi-pair groups too (not only the leftovers). A group too big to fit
    # anywhere goes where the most room is left.
    open_groups.sort(key=lambda g: _order_key(spec.seed, [members[i].pair_id for i in g]))
    for g in open_groups:
        fits = [s for s in sides if have[s] + len(g) <= want[s]]
        if fits:
            side = max(fits, key=lambda s: (fill_gap(s), spec.ratios[s], -SPLIT_NAMES.index(s)))
        else:
            side = max(sides, key=lambda s: (want[s] - have[s], spec.ratios[s], -SPLIT_NAMES.index(s)))
        for i in g:
            result.assignment[members[i].pair_id] = side
        have[side] += len(g)
    return result
