"""Human-evaluation statistics against rates, Wilson intervals and κ worked out by hand."""

from __future__ import annotations

import json
import math

import pytest
from evalhelpers import add_judgement, add_run, add_score, manifest_workspace
from typer.testing import CliRunner

from editcaption.cli import app
from editcaption.evaluate.human import consensus_level, human_statistics, judge_human_correlation
from editcaption.evaluate.stats import wilson_interval

CATS = ["semantic", "structural", "stylistic", "semantic", "semantic", "structural"]


@pytest.fixture
def judged(tmp_path):  # noqa: ANN001
    ws, pids = manifest_workspace(tmp_path, CATS)
    a = add_run(ws, "model-a", {pid: f"instruction {i}" for i, pid in enumerate(pids)})
    b = add_run(ws, "model-b", {pid: f"other {i}" for i, pid in enumerate(pids[:4])})
    ia = [a[p] for p in pids]
    add_judgement(ws, ia[0], "alice", "P0", ["4"])  # replaced by her later judgement below
    add_judgement(ws, ia[0], "alice", "correct")
    add_judgement(ws, ia[1], "alice", "P0", ["4"])
    add_judgement(ws, ia[1], "bob", "P0", ["2-subject"])
    add_judgement(ws, ia[2], "alice", "P1", ["5"])
    add_judgement(ws, ia[2], "bob", "correct")  # tie P1 / correct → P1 (the more severe)
    add_judgement(ws, ia[3], "alice", "correct")
    add_judgement(ws, ia[3], "bob", "correct")
    add_judgement(ws, ia[4], "alice", "P2", ["7"])
    ib = [b[p] for p in pids[:4]]
    for iid, level in zip(ib, ["correct", "correct", "P0", "P1"], strict=True):
        add_judgement(ws, iid, "carol", level)
    for iid, s_value in zip(ia[:5], [4.8, 2.0, 3.6, 4.6, 4.0], strict=True):
        # acc = comp = clar = s, so S = s
        add_score(ws, iid, "judge:x", s_value, s_value, s_value)
    add_score(ws, ia[5], "judge:x", None, reason="unusable reply")
    yield ws, ia, ib
    ws.close()


def _rate(p: dict, count: int, n: int) -> None:
    low, high = wilson_interval(count, n)
    assert (p["count"], p["n"]) == (count, n)
    assert p["rate"] == pytest.approx(count / n) and p["low"] == pytest.approx(low) and p["high"] == pytest.approx(high)


def test_consensus_ties_go_to_the_more_severe_level():
    assert consensus_level(["correct", "P1"]) == "P1"
    assert consensus_level(["correct", "correct", "P0"]) == "correct"
    assert consensus_level(["P2", "P1", "P0"]) == "P0"


def test_levels_checklist_categories(judged):
    ws, _, _ = judged
    with ws.session() as s:
        stats = human_statistics(s)
    a = stats["runs"]["model-a"]
    assert (a["items"], a["judgements"]) == (5, 8)  # 9 rows: alice's first look at item 1 was replaced
    _rate(a["levels"]["correct"], 2, 5)
    _rate(a["levels"]["P0"], 1, 5)
    _rate(a["levels"]["P1"], 1, 5)
    _rate(a["levels"]["P2"], 1, 5)
    # 40% of 5: Wilson by hand → [11.76%, 76.93%]
    assert (round(100 * a["levels"]["correct"]["low"], 2), round(100 * a["levels"]["correct"]["high"], 2)) == (
        11.76, 76.93)
    rows = {r["row"]: r for r in a["checklist"]}
    for row in ("4", "2-subject", "5", "7"):
        _rate(rows[row], 1, 8)
    assert rows["3-subject"]["count"] == 0 and rows["3-subject"]["n"] == 8
    cats = a["by_category"]
    assert {c: v["items"] for c, v in cats.items()} == {"semantic": 3, "structural": 1, "stylistic": 1}
    _rate(cats["semantic"]["levels"]["correct"], 2, 3)
    _rate(cats["semantic"]["levels"]["P2"], 1, 3)
    _rate(cats["structural"]["levels"]["P0"], 1, 1)
    b = stats["runs"]["model-b"]
    _rate(b["levels"]["correct"], 2, 4)
    assert stats["overall"]["items"] == 9


def test_agreement_on_overlapped_items(judged):
    ws, _, _ = judged
    with ws.session() as s:
        agreement = human_statistics(s, ["model-a"])["runs"]["model-a"]["agreement"]
    assert agreement["overlapped_items"] == 3
    pairs = agreement["pairs_of_ratings"]
    assert pairs["percent_agreement"] == pytest.approx(2 / 3)
    # Cohen by hand: p_o = 2/3, p_e = (1·1 + 1·0 + 1·2)/9 = 1/3 → κ = 0.5
    assert pairs["cohen"]["value"] == pytest.approx(0.5)
    assert pairs["cohen"]["expected"] == pytest.approx(1 / 3)
    # Fleiss by hand: P̄ = 2/3, P̄e = (1/3)² + (1/6)² + (1/2)² = 7/18 → κ = 5/11
    assert pairs["fleiss"]["value"] == pytest.approx(5 / 11)
    with ws.session() as s:
        single = human_statistics(s, ["model-b"])["runs"]["model-b"]["agreement"]
    assert single["overlapped_items"] == 0 and "no instruction" in single["reason"]


def test_judge_human_spearman(judged):
    ws, _, _ = judged
    with ws.session() as s:
        corr = judge_human_correlation(s, "judge:x")
    # S ranks [5, 1, 2, 4, 3]; level ranks [4.5, 1, 2, 4.5, 3] → ρ = 9.5 / √(10 · 9.5)
    assert corr["n"] == 5 and corr["rho"] == pytest.approx(9.5 / math.sqrt(95))
    with ws.session() as s:
        none = judge_human_correlation(s, "judge:nobody")
    assert none["rho"] is None and none["n"] == 0


def test_cli_eval_human(judged):
    ws, _, _ = judged
    out = CliRunner().invoke(app, ["eval", "human", "--run", "model-a", "--json", "-w", str(ws.root)])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert list(data["runs"]) == ["model-a"] and data["overall"]["levels"]["correct"]["count"] == 2
    table = CliRunner().invoke(app, ["eval", "human", "-w", str(ws.root)], env={"COLUMNS": "200"})
    assert "40.00% [11.76, 76.93]" in table.output and "Cohen" in table.output
