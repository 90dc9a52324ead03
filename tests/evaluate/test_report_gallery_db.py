"""The gallery's queries on SQLite and PostgreSQL: EditWorld pairs, their reference
instructions and the same with directions swapped, both scored exactly; the comparison lists
as worse exactly the pairs whose exact level got more severe."""

from __future__ import annotations

import json

from sqlalchemy import select

from editcaption.directions import swap_direction_words
from editcaption.evaluate.benchmarks import prepare_editworld
from editcaption.evaluate.exact import score_run_exact
from editcaption.evaluate.report import write_report
from editcaption.workspace.models import InstructionRecord, RunRecord, ScoreRecord

REF = "source:manifest"
RANK = {"correct": 0, "P2": 1, "P1": 2, "P0": 3}


def test_compare_on_both_databases(workspace, tmp_path):  # noqa: ANN001
    ws = workspace
    bench = prepare_editworld(ws, n=6, seed=1, size=96, family="objects", name="ew")  # one pans left
    with ws.session() as s:
        s.add(RunRecord(id="swapped", kind="caption", config={"model": "swapped"}, package_version="test",
                        status="done", tags={}))
        s.flush()
        for ins in s.scalars(select(InstructionRecord).where(InstructionRecord.run_id == REF)):
            s.add(InstructionRecord(pair_id=ins.pair_id, run_id="swapped", text=swap_direction_words(ins.text),
                                    producer="swap", status="ok"))
    for run in (REF, "swapped"):
        score_run_exact(ws, run, benchmark=bench.name)
    levels: dict[str, dict[str, str]] = {REF: {}, "swapped": {}}
    with ws.session() as s:
        for score, ins in s.execute(select(ScoreRecord, InstructionRecord).join(
                InstructionRecord, InstructionRecord.id == ScoreRecord.instruction_id)):
            if score.status == "ok":
                levels[ins.run_id][ins.pair_id] = score.components["level"]
    files = write_report(ws, tmp_path / "out", runs=[REF, "swapped"], charts=False)
    c = json.loads(files.data.read_text())["gallery"]["compare"]
    assert c["pairs"] == 6
    # the checker adds its own findings, so a pair may also get worse on the checker's word; every
    # pair whose exact level got more severe must be among the worse ones
    more_severe = {p for p in levels[REF] if RANK[levels["swapped"][p]] > RANK[levels[REF][p]]}
    assert more_severe, "the swapped directions should cost at least one pair its level"
    worse = {ch["pair_id"] for ch in c["worse"]}
    assert more_severe <= worse
    for ch in c["worse"]:
        assert RANK[ch["b"]["level"]] >= RANK[ch["a"]["level"]]
    assert c["worse_total"] + c["better_total"] + c["unchanged"] == 6
