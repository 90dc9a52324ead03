"""Benchmarks: seeded, order-independent sampling; HQ-Edit, ByteMorph, EditWorld and custom sets."""

from __future__ import annotations

import json

import pytest
from evalhelpers import bytemorph_parquet, hqedit_parquet, manifest_workspace
from sqlalchemy import select
from typer.testing import CliRunner

from editcaption.cli import app
from editcaption.evaluate.benchmarks import (
    BenchmarkError,
    benchmark_pair_ids,
    prepare_bytemorph,
    prepare_custom,
    prepare_hqedit,
    quotas,
    sample,
    seeded_order,
    stratified_sample,
)
from editcaption.ingest import ingest
from editcaption.workspace import Workspace
from editcaption.workspace.models import GroundTruthRecord, PairRecord

runner = CliRunner()


@pytest.fixture
def datasets_ws(tmp_path):  # noqa: ANN001
    """12 HQ-Edit rows (ingested both ways) and 10 ByteMorph-Bench rows (2 per category)."""
    ws = Workspace.init(tmp_path / "ws")
    assert ingest(ws, hqedit_parquet(tmp_path / "hq", 12), both_directions=True).ingested == 24
    assert ingest(ws, bytemorph_parquet(tmp_path / "bm.parquet")).ingested == 10
    yield ws
    ws.close()


def test_seeded_sampling_ignores_input_order():
    ids = [f"pair{i}" for i in range(50)]
    assert seeded_order(ids, 7) == seeded_order(list(reversed(ids)), 7)
    assert seeded_order(ids, 7) != seeded_order(ids, 8)
    assert sample(ids, 5, 7) == seeded_order(ids, 7)[:5] and sample(ids, None, 7) == seeded_order(ids, 7)


def test_quotas_largest_remainder():
    # ByteMorph-Bench-like category sizes (613 in all) sampled down to 600, worked out by hand:
    # exact shares 117.455, 122.349, 115.498, 127.243, 117.455 → floors sum to 598; the two largest
    # remainders (.498 object_motion, then .455 camera_zoom before interaction by name) get +1.
    sizes = {"camera_zoom": 120, "camera_motion": 125, "object_motion": 118, "human_motion": 130, "interaction": 120}
    assert quotas(sizes, 600) == {"camera_zoom": 118, "camera_motion": 122, "object_motion": 116,
                                  "human_motion": 127, "interaction": 117}
    assert quotas(sizes, 1000) == sizes
    groups = {"a": [f"a{i}" for i in range(6)], "b": [f"b{i}" for i in range(3)]}
    picked = stratified_sample(groups, 3, 0)
    assert sorted(p[0] for p in picked) == ["a", "a", "b"]


def test_hqedit_sample_forward_train_rows(datasets_ws):
    bench = prepare_hqedit(datasets_ws, n=5, seed=1)
    assert bench.created and len(bench.pair_ids) == 5 and bench.available == 12  # forward edits only
    with datasets_ws.session() as s:
        pairs = [s.get(PairRecord, pid) for pid in benchmark_pair_ids(s, "hqedit")]
    assert all(p.origin["direction"] == "forward" for p in pairs)
    assert [p.id for p in pairs] == bench.pair_ids
    # same settings again: nothing changes; other settings need --replace
    assert not prepare_hqedit(datasets_ws, n=5, seed=1).created
    with pytest.raises(BenchmarkError, match="already exists with other settings"):
        prepare_hqedit(datasets_ws, n=5, seed=2)
    other = prepare_hqedit(datasets_ws, n=5, seed=2, replace=True)
    assert other.created and other.pair_ids != bench.pair_ids
    both = prepare_hqedit(datasets_ws, n=100, seed=0, name="hq-both", both_directions=True)
    assert len(both.pair_ids) == 24 and "only 24 HQ-Edit pairs" in both.warnings[0]


def test_bytemorph_all_rows_or_stratified(datasets_ws):
    full = prepare_bytemorph(datasets_ws)
    assert len(full.pair_ids) == 10 and full.by_category == {
        "camera_motion": 2, "camera_zoom": 2, "human_motion": 2, "interaction": 2, "object_motion": 2}
    half = prepare_bytemorph(datasets_ws, n=5, seed=3, name="bm5")
    assert half.by_category == {"camera_motion": 1, "camera_zoom": 1, "human_motion": 1, "interaction": 1,
                                "object_motion": 1}


def test_missing_datasets_say_what_to_ingest(tmp_path):
    ws, _ = manifest_workspace(tmp_path, ["semantic"])
    with pytest.raises(BenchmarkError, match="no HQ-Edit pairs"):
        prepare_hqedit(ws)
    with pytest.raises(BenchmarkError, match="no ByteMorph-Bench pairs"):
        prepare_bytemorph(ws)
    with pytest.raises(BenchmarkError, match="has ground truth"):
        prepare_custom(ws, name="c")
    ws.close()


def test_custom_needs_ground_truth(tmp_path):
    ws, pids = manifest_workspace(tmp_path, ["semantic", "stylistic", "semantic"])
    with ws.session() as s:
        s.add(GroundTruthRecord(pair_id=pids[0], primary=[{"text": "x"}], verified=True))
        s.add(GroundTruthRecord(pair_id=pids[1], primary=[{"text": "y"}], verified=False))
    bench = prepare_custom(ws, name="mine")
    assert sorted(bench.pair_ids) == sorted(pids[:2]) and "1 selected pair(s) have no usable" in bench.warnings[0]
    strict = prepare_custom(ws, name="strict", verified_only=True)
    assert strict.pair_ids == [pids[0]]
    sem = prepare_custom(ws, name="sem", where={"category": ["semantic"]})
    assert sem.pair_ids == [pids[0]]
    ws.close()


def test_editworld_benchmark_is_ingested_with_verified_truth(tmp_path):
    ws = Workspace.init(tmp_path / "ws")
    result = runner.invoke(app, ["eval", "prepare", "editworld", "--n", "3", "--size", "96", "--family", "objects",
                                 "--json", "-w", str(ws.root)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["name"], data["pairs"], data["created"]) == ("editworld-s0-n3", 3, True)
    with ws.session() as s:
        ids = benchmark_pair_ids(s, "editworld-s0-n3")
        gts = list(s.scalars(select(GroundTruthRecord).where(GroundTruthRecord.pair_id.in_(ids))))
    assert len(gts) == 3 and all(g.verified and g.primary and g.primary[0].get("op") for g in gts)
    again = runner.invoke(app, ["eval", "prepare", "editworld", "--n", "3", "--size", "96", "--family", "objects",
                                "--json", "-w", str(ws.root)])
    assert json.loads(again.stdout)["created"] is False
    listed = runner.invoke(app, ["eval", "benchmarks", "--json", "-w", str(ws.root)])
    row = json.loads(listed.stdout.splitlines()[0])
    assert (row["name"], row["pairs"], row["ground_truth"], row["verified_ground_truth"]) == ("editworld-s0-n3", 3, 3, 3)
    bad = runner.invoke(app, ["eval", "prepare", "imagenet", "-w", str(ws.root)])
    assert bad.exit_code == 2 and "unknown benchmark kind 'imagenet'" in bad.output
    ws.close()
