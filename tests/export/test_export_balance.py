"""Balancing to target proportions: parsing, the arithmetic, and a preference export that reports what it dropped."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest
from export_helpers import add_preference, add_refinement, ingest_generated, textured

from editcaption.export import ExportError, ExportOptions, export_prefs, export_sft
from editcaption.export.balance import BalanceError, BalanceSpec, balance, balanced_counts, parse_balance
from editcaption.workspace import Workspace


def test_parse_balance_positional_named_and_errors():
    spec = parse_balance("category=25:25:50", ["category"])
    assert spec.targets == {"semantic": 0.25, "stylistic": 0.25, "structural": 0.5}
    paper = parse_balance("error_type=34.2:31.5:34.3", ["error_type"])
    assert paper.targets == pytest.approx({"orientation": 0.342, "viewpoint": 0.315, "detail": 0.343})
    named = parse_balance("subtype=mirror:1,camera_pan:3", ["subtype"])
    assert named.targets == {"mirror": 0.25, "camera_pan": 0.75}
    assert parse_balance("none", ["category"]) is None
    for bad in ("category=1:1", "colour=1:1:1", "category=a:b:c", "category=semantic:-1", "category=0:0:0",
                "category=semantic:1,blue:1", "category"):
        with pytest.raises(BalanceError):
            parse_balance(bad, ["category"])


@pytest.mark.parametrize("available,targets", [
    ({"o": 50, "v": 9, "d": 40}, {"o": 0.342, "v": 0.315, "d": 0.343}),
    ({"o": 7, "v": 7, "d": 7}, {"o": 1 / 3, "v": 1 / 3, "d": 1 / 3}),
    ({"a": 3, "b": 100, "c": 100}, {"a": 0.25, "b": 0.25, "c": 0.5}),
    ({"a": 101, "b": 13, "c": 57}, {"a": 0.5, "b": 0.1, "c": 0.4}),
])
def test_balanced_counts_are_within_one_of_the_target_and_maximal(available, targets):
    counts = balanced_counts(available, targets)
    total = sum(counts.values())
    assert all(counts[v] <= available[v] for v in counts)
    assert all(abs(counts[v] - targets[v] * total) <= 1 for v in counts)
    # One more item would break the proportions: the selection is the largest possible.
    bigger = balanced_counts({v: n + (0 if counts[v] == n else 0) for v, n in available.items()}, targets)
    assert sum(bigger.values()) == total


def test_balance_is_seeded_and_missing_values_are_errors():
    items = [(f"id{i}", "o" if i % 3 else "v") for i in range(30)]
    spec = BalanceSpec("k", {"o": 0.5, "v": 0.5})
    a = balance(items, spec, lambda it: it[1], lambda it: it[0], seed=1)
    b = balance(items, spec, lambda it: it[1], lambda it: it[0], seed=1)
    c = balance(items, spec, lambda it: it[1], lambda it: it[0], seed=2)
    assert a.kept == b.kept and a.kept != c.kept
    assert a.selected == {"o": 11, "v": 10} and len(a.dropped) == 9  # 21 items: each count within 0.5 of 10.5
    with pytest.raises(BalanceError, match="nothing with d"):
        balance(items, BalanceSpec("k", {"o": 0.5, "d": 0.5}), lambda it: it[1], lambda it: it[0])


# -- preference export balanced across failure modes ------------------------------------------

TYPES = {"orientation": 30, "viewpoint": 12, "detail": 21}
SEVERITIES = ("P0", "P1", "P2")


@pytest.fixture(scope="module")
def prefs_ws(tmp_path_factory):  # noqa: ANN001
    """63 preferences on 63 pairs: 30 orientation, 12 viewpoint, 21 detail, severities cycling (read-only)."""
    tmp_path = tmp_path_factory.mktemp("prefs")
    ws = Workspace.init(tmp_path / "ws")
    rows = [{"name": f"p{i:02d}", "src": textured(1000 + i), "tgt": textured(2000 + i), "category": "structural"}
            for i in range(sum(TYPES.values()))]
    ids = ingest_generated(ws, tmp_path / "gen", rows)
    names = sorted(ids)
    n = 0
    for etype, count in TYPES.items():
        for k in range(count):
            add_preference(ws, ids[names[n]], f"Pan the camera left {n}.", f"Pan the camera right {n}.", etype,
                           SEVERITIES[k % 3], annotator=f"ann{n % 4}")
            n += 1
    yield ws
    ws.close()


def _rows(out):  # noqa: ANN001, ANN202
    return [r for p in sorted(out.glob("*.parquet")) for r in pq.read_table(p, columns=["id", "error_type", "severity"])
            .to_pylist()]


@pytest.mark.parametrize("spec,expected_total", [("error_type=34.2:31.5:34.3", 39), (None, 37)])
def test_preferences_are_balanced_within_one_item_and_the_card_reports_the_drop(prefs_ws, tmp_path, spec,
                                                                                 expected_total):
    out = tmp_path / "prefs"
    report = export_prefs(prefs_ws, out, ExportOptions(balance=spec, split="train=0.8,val=0.1,test=0.1"))
    rows = _rows(out)
    assert len(rows) == expected_total
    targets = {"orientation": 0.342, "viewpoint": 0.315, "detail": 0.343} if spec else \
        {t: 1 / 3 for t in TYPES}
    for etype, share in targets.items():
        got = sum(1 for r in rows if r["error_type"] == etype)
        assert abs(got - share * len(rows)) <= 1, (etype, got, share * len(rows))
    assert sum(1 for r in rows if r["error_type"] == "viewpoint") == 12  # the scarcest type is kept whole
    bal = report.manifest["balance"]
    assert bal["dropped"] == 63 - expected_total
    assert sum(bal["dropped_by"]["error_type"].values()) == 63 - expected_total
    assert sum(bal["dropped_by"]["severity"].values()) == 63 - expected_total
    assert "viewpoint" not in bal["dropped_by"]["error_type"]
    card = (out / "README.md").read_text()
    assert "Dropped by error type" in card and "Dropped by severity" in card
    assert f"dropped {63 - expected_total}" in card


def test_balance_none_keeps_everything_and_a_missing_type_is_a_clear_error(prefs_ws, tmp_path):  # noqa: ANN001
    report = export_prefs(prefs_ws, tmp_path / "all", ExportOptions(balance="none"))
    assert sum(v["rows"] for v in report.manifest["splits"].values()) == 63
    assert report.manifest["balance"] is None
    with pytest.raises(ExportError, match="give it share 0 or pass --balance none"):
        export_prefs(prefs_ws, tmp_path / "x", ExportOptions(where={"name": ["p00", "p01"]}))
    assert not (tmp_path / "x").exists()


def test_sft_category_balance(tmp_path):  # noqa: ANN001
    ws = Workspace.init(tmp_path / "ws")
    cats = ["semantic"] * 9 + ["stylistic"] * 4 + ["structural"] * 20 + [None] * 2
    rows = [{"name": f"c{i:02d}", "src": textured(3000 + i), "tgt": textured(4000 + i), "category": c}
            for i, c in enumerate(cats)]
    ids = ingest_generated(ws, tmp_path / "gen", rows)
    for pid in ids.values():
        add_refinement(ws, pid, "Rotate the mug a quarter turn clockwise.")
    report = export_sft(ws, tmp_path / "sft", ExportOptions(balance="category=25:25:50", split="train=1"))
    ws.close()
    counts = report.manifest["counts"]["total"]["category"]
    assert counts == {"semantic": 4, "stylistic": 4, "structural": 9}  # 17 kept: 4.25 / 4.25 / 8.5
    bal = report.manifest["balance"]
    assert bal["outside"] == 2 and bal["dropped_by"]["category"] == {"semantic": 5, "structural": 11, "unknown": 2}
    assert json.loads((tmp_path / "sft" / "export.json").read_text())["balance"]["kept"] == 17
