"""Leak-free splits: perceptual hashes, grouping, assignment, and a real export that keeps groups together."""

from __future__ import annotations

import itertools
import json
import random

import numpy as np
import pyarrow.parquet as pq
import pytest
from export_helpers import add_refinement, ingest_generated, near_copy, textured

from editcaption.export import ExportOptions, export_sft
from editcaption.export.phash import ImageHash, dhash_rgb, near_duplicate_pairs
from editcaption.export.splits import (
    SplitMember,
    SplitSpec,
    SplitSpecError,
    assign_splits,
    leakage_groups,
    parse_split_spec,
    target_counts,
)
from editcaption.workspace import Workspace

# -- perceptual hash ------------------------------------------------------------------


def matched(x: ImageHash, y: ImageHash, threshold: int) -> bool:
    """Whether the near-duplicate matcher pairs the two hashes at ``threshold`` bits."""
    return list(near_duplicate_pairs({"x": x.value, "y": y.value}, threshold)) == [("x", "y")]


def test_dhash_is_stable_under_reencoding_and_separates_different_pictures():
    a, b = textured(1, 160, 120), textured(2, 160, 120)
    ha, hb = dhash_rgb(a), dhash_rgb(b)
    assert ha.informative and hb.informative
    assert matched(ha, dhash_rgb(near_copy(a)), 2)
    half = np.asarray(__import__("PIL.Image").Image.fromarray(a).resize((80, 60)))
    assert matched(ha, dhash_rgb(half), 2)
    assert not matched(ha, hb, 12)
    assert not matched(ha, dhash_rgb(a[:, ::-1]), 12)  # a mirror is a different picture


def test_flat_images_are_marked_uninformative():
    flat = np.full((48, 64, 3), 128, np.uint8)
    noisy_flat = np.clip(flat + np.random.default_rng(0).integers(-1, 2, flat.shape), 0, 255).astype(np.uint8)
    assert not dhash_rgb(flat).informative
    assert not dhash_rgb(noisy_flat).informative


def test_near_duplicate_pairs_match_brute_force():
    rng = random.Random(3)
    base = [rng.getrandbits(64) for _ in range(40)]
    hashes = {}
    for i, v in enumerate(base):
        hashes[f"k{i}"] = v
        for j in range(3):  # variants with 0..10 flipped bits
            flipped = v
            for bit in rng.sample(range(64), rng.randint(0, 10)):
                flipped ^= 1 << bit
            hashes[f"k{i}-{j}"] = flipped
    for threshold in (0, 3, 8):
        fast = {tuple(sorted(p)) for p in near_duplicate_pairs(hashes, threshold)}
        brute = {tuple(sorted((a, b))) for a, b in itertools.combinations(hashes, 2)
                 if (hashes[a] ^ hashes[b]).bit_count() <= threshold}
        assert fast == brute, threshold
    assert list(near_duplicate_pairs(hashes, -1)) == []


# -- spec and grouping --------------------------------------------------------------------


def test_parse_split_spec_normalises_and_rejects_bad_input():
    assert parse_split_spec("train=0.9,val=0.05,test=0.05") == pytest.approx({"train": 0.9, "val": 0.05, "test": 0.05})
    assert parse_split_spec("train=80,validation=20") == pytest.approx({"train": 0.8, "val": 0.2, "test": 0.0})
    for bad in ("train", "dev=1", "train=x", "train=-1", "train=0"):
        with pytest.raises(SplitSpecError):
            parse_split_spec(bad)


def test_target_counts_use_largest_remainder():
    assert target_counts(20, {"train": 0.9, "val": 0.05, "test": 0.05}) == {"train": 18, "val": 1, "test": 1}
    assert target_counts(7, {"a": 1 / 3, "b": 1 / 3, "c": 1 / 3}) == {"a": 3, "b": 2, "c": 2}
    assert sum(target_counts(101, {"a": 0.342, "b": 0.315, "c": 0.343}).values()) == 101


def _m(pid, src, tgt, split=None):  # noqa: ANN001, ANN202
    return SplitMember(pid, src, tgt, split)


def test_groups_join_shared_sources_chains_and_near_duplicates():
    members = [
        _m("p1", "s1", "t1"), _m("p2", "s1", "t2"),  # same source
        _m("p3", "t2", "t3"),  # p2's target is p3's source (a multi-turn chain)
        _m("p4", "s4", "t4"), _m("p5", "s5", "t5"),  # s4 and s5 are near-duplicates
        _m("p6", "s6", "t6"),  # alone
        _m("p7", "s7", "t7"), _m("p8", "s8", "t8"),  # uninformative hashes equal: not joined
    ]
    hashes = {"s4": ImageHash(0b1011, True), "s5": ImageHash(0b1001, True), "s6": ImageHash(2**63 - 1, True),
              "s7": ImageHash(0, False), "s8": ImageHash(0, False)}
    groups, links = leakage_groups(members, hashes, near_dup_distance=2)
    as_sets = sorted(sorted(members[i].pair_id for i in g) for g in groups)
    assert as_sets == [["p1", "p2", "p3"], ["p4", "p5"], ["p6"], ["p7"], ["p8"]]
    assert links == 1
    exact_only, _ = leakage_groups(members, hashes, near_dup_distance=-1)
    assert len(exact_only) == 6


def test_assignment_keeps_recorded_splits_and_group_members_follow_them():
    members = [_m("a1", "s1", "t1", "test"), _m("a2", "s1", "t2"), _m("b1", "s2", "t3", "val"),
               *[_m(f"c{i}", f"x{i}", f"y{i}") for i in range(17)]]
    res = assign_splits(members, SplitSpec({"train": 0.9, "val": 0.05, "test": 0.05}), {})
    assert res.assignment["a1"] == "test" and res.assignment["a2"] == "test" and res.assignment["b1"] == "val"
    assert res.preset == 2 and res.inherited == 1
    assert res.counts() == {"train": 17, "val": 1, "test": 2}  # the preset pairs already exceed val/test
    conflicted = assign_splits([_m("a", "s", "t", "train"), _m("b", "s", "u", "test"), _m("c", "s", "v")],
                               SplitSpec({"train": 1.0}), {})
    assert conflicted.conflicts and conflicted.assignment == {"a": "train", "b": "test", "c": "train"}


def test_assignment_is_seeded_and_reproducible():
    members = [_m(f"p{i}", f"s{i}", f"t{i}") for i in range(40)]
    spec = SplitSpec({"train": 0.5, "val": 0.25, "test": 0.25}, seed=1)
    first = assign_splits(members, spec, {}).assignment
    assert first == assign_splits(list(reversed(members)), spec, {}).assignment
    assert assign_splits(members, spec, {}).counts() == {"train": 20, "val": 10, "test": 10}
    other = assign_splits(members, SplitSpec(spec.ratios, seed=2), {}).assignment
    assert other != first


# -- a real export never leaks ----------------------------------------------------------------


@pytest.fixture
def leaky_ws(tmp_path):  # noqa: ANN001
    """30 pairs: 4 share one source, 3 form a chain, 3 have near-duplicate sources, 20 are unrelated."""
    ws = Workspace.init(tmp_path / "ws")
    rows = []
    shared = textured(100)
    for i in range(4):
        rows.append({"name": f"shared{i}", "src": shared, "tgt": textured(200 + i)})
    chain = [textured(300 + i) for i in range(4)]
    for i in range(3):
        rows.append({"name": f"chain{i}", "src": chain[i], "tgt": chain[i + 1]})
    near = textured(400)
    rows.append({"name": "near0", "src": near, "tgt": textured(401)})
    rows.append({"name": "near1", "src": near_copy(near), "tgt": textured(402)})
    rows.append({"name": "near2", "src": near_copy(near_copy(near)), "tgt": textured(403)})
    for i in range(20):
        rows.append({"name": f"solo{i}", "src": textured(500 + i), "tgt": textured(600 + i)})
    ids = ingest_generated(ws, tmp_path / "gen", rows)
    for name, pid in ids.items():
        add_refinement(ws, pid, f"Instruction for {name}.")
    ws.ids = ids  # type: ignore[attr-defined]
    yield ws
    ws.close()


def _split_of(out) -> dict[str, str]:  # noqa: ANN001
    found = {}
    for path in out.glob("*.parquet"):
        for pid in pq.read_table(path, columns=["id"]).column("id").to_pylist():
            found[pid] = path.stem
    return found


def test_shared_and_near_duplicate_sources_never_cross_splits(leaky_ws, tmp_path):  # noqa: ANN001
    ids = leaky_ws.ids
    families = {"shared": [f"shared{i}" for i in range(4)], "chain": [f"chain{i}" for i in range(3)],
                "near": [f"near{i}" for i in range(3)]}
    seen_sides: dict[str, set[str]] = {k: set() for k in families}
    for seed in range(6):
        out = tmp_path / f"sft-{seed}"
        report = export_sft(leaky_ws, out, ExportOptions(split="train=0.5,val=0.25,test=0.25", seed=seed))
        split_of = _split_of(out)
        assert len(split_of) == 30
        for fam, names in families.items():
            sides = {split_of[ids[n]] for n in names}
            assert len(sides) == 1, (seed, fam, sides)
            seen_sides[fam] |= sides
        info = report.manifest["split"]
        assert info["groups"] == 23 and info["largest_group"] == 4 and info["near_duplicate_links"] >= 1
        counts = {s: v["rows"] for s, v in report.manifest["splits"].items()}
        assert abs(counts["train"] - 15) <= 3 and abs(counts["val"] - 7.5) <= 3 and abs(counts["test"] - 7.5) <= 3
    # The groups do move between seeds: the test is not passing by keeping everything in train.
    assert any(len(s) > 1 for s in seen_sides.values())
    # With near-duplicate matching off, the near copies are free to land on different sides.
    sides = set()
    for seed in range(6):
        out = tmp_path / f"exact-{seed}"
        export_sft(leaky_ws, out, ExportOptions(split="train=0.5,val=0.25,test=0.25", seed=seed, near_dup_distance=-1))
        split_of = _split_of(out)
        sides.add(len({split_of[ids[n]] for n in families["near"]}))
    assert max(sides) > 1


def test_save_splits_makes_later_exports_agree(leaky_ws, tmp_path):  # noqa: ANN001
    first = export_sft(leaky_ws, tmp_path / "a", ExportOptions(split="train=0.6,val=0.2,test=0.2", save_splits=True))
    assert first.manifest["split"]["saved_pairs"] == 30
    again = export_sft(leaky_ws, tmp_path / "b", ExportOptions(split="train=1.0", seed=9))
    assert _split_of(tmp_path / "a") == _split_of(tmp_path / "b")
    assert again.manifest["split"]["preset"] == 30
    card = json.loads((tmp_path / "a" / "export.json").read_text())
    assert card["split"]["saved"] is True
