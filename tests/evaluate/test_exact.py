"""``eval exact``: EditWorld instructions scored by the exact scorer and stored as scores."""

from __future__ import annotations

import json

import pytest
from evalhelpers import REFERENCE_RUN, add_run, manifest_workspace
from sqlalchemy import select
from typer.testing import CliRunner

from editcaption.cli import app
from editcaption.evaluate.exact import SCORER, editworld_row, score_run_exact
from editcaption.workspace.models import GroundTruthRecord, PairRecord, ScoreRecord


def _by_name(ws) -> dict[str, str]:  # noqa: ANN001
    with ws.session() as s:
        return {p.name: p.id for p in s.scalars(select(PairRecord)).unique()}


def _scores(ws, ids: dict[str, int]) -> dict[str, ScoreRecord]:  # noqa: ANN001
    with ws.session() as s:
        rows = {r.instruction_id: r for r in s.scalars(select(ScoreRecord).where(ScoreRecord.scorer == SCORER))}
    return {pid: rows[iid] for pid, iid in ids.items() if iid in rows}


def test_reference_instructions_score_full_marks(ew4):
    summary = score_run_exact(ew4, REFERENCE_RUN)
    assert (summary.selected, summary.scored, summary.unscored, summary.not_applicable) == (4, 4, 0, 0)
    assert summary.means == {"n": 4, "S": 5.0, "accuracy": 5.0, "completeness": 5.0, "clarity": 5.0}
    with ew4.session() as s:
        recs = list(s.scalars(select(ScoreRecord).where(ScoreRecord.scorer == SCORER)))
    assert all(r.components["level"] == "correct" and r.components["errors"] == [] for r in recs)
    again = score_run_exact(ew4, REFERENCE_RUN)
    assert (again.scored, again.skipped) == (0, 4)
    assert score_run_exact(ew4, REFERENCE_RUN, rescore=True).scored == 4


def test_wrong_unparsable_and_foreign_instructions(ew4, tmp_path):
    from editcaption.synth import score_one

    names = _by_name(ew4)
    p = [names[f"editworld-s0-0000{i}"] for i in range(4)]
    ids = add_run(ew4, "model", {
        p[0]: "Make the black star striped.",  # the texture is checkered, not striped
        p[1]: "Make it nicer.",  # not in the instruction language: unparsable
        p[3]: "Rotate the image counter-clockwise.",  # the view turns clockwise
    })
    summary = score_run_exact(ew4, "model")
    assert (summary.selected, summary.scored, summary.unscored) == (3, 2, 1)
    assert summary.unscored_reasons == {"unparsable": 1}
    got = _scores(ew4, ids)
    assert got[p[1]].status == "unscored" and got[p[1]].overall is None
    assert got[p[1]].reason.startswith("unparsable: ")
    with ew4.session() as s:
        for pid, text in ((p[0], "Make the black star striped."), (p[3], "Rotate the image counter-clockwise.")):
            pair = s.get(PairRecord, pid)
            gt = s.scalar(select(GroundTruthRecord).where(GroundTruthRecord.pair_id == pid))
            expected = score_one(editworld_row(pair, gt), text)
            rec = got[pid]
            assert rec.overall == expected.S < 5.0
            assert (rec.components["accuracy"], rec.components["completeness"], rec.components["clarity"]) == (
                expected.accuracy, expected.completeness, expected.clarity)
            assert rec.components["level"] == "P0"  # a wrong primary attribute / a wrong view direction
    assert {e["type"] for e in got[p[3]].components["errors"]} == {"viewpoint"}
    # pairs without EditWorld truth are not the exact scorer's business
    ws2, pids = manifest_workspace(tmp_path / "other", ["semantic"])
    add_run(ws2, "m", {pids[0]: "Add a yellow square."})
    other = score_run_exact(ws2, "m")
    assert (other.scored, other.not_applicable) == (0, 1)
    ws2.close()


def test_cli_eval_exact_with_benchmark(ew4):
    from editcaption.evaluate.benchmarks import prepare_editworld

    prepare_editworld(ew4, n=2, seed=3, size=96, family="objects", name="tiny")
    runner = CliRunner()
    out = runner.invoke(app, ["eval", "exact", "--run", REFERENCE_RUN, "--benchmark", "tiny", "--json",
                              "-w", str(ew4.root)])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert (data["selected"], data["scored"], data["means"]["S"]) == (2, 2, pytest.approx(5.0))
    missing = runner.invoke(app, ["eval", "exact", "--run", REFERENCE_RUN, "--benchmark", "nope", "-w", str(ew4.root)])
    assert missing.exit_code == 2 and "no benchmark named 'nope'" in missing.output and "known: ew, tiny" in missing.output


def test_benchmark_scores_and_report_on_both_databases(workspace, tmp_path):
    """The evaluate queries on SQLite and (under `make test`) PostgreSQL."""
    from editcaption.evaluate.benchmarks import list_benchmarks, prepare_editworld
    from editcaption.evaluate.report import write_report

    bench = prepare_editworld(workspace, n=3, seed=1, size=96, family="objects", name="ew3")
    summary = score_run_exact(workspace, REFERENCE_RUN, benchmark="ew3")
    assert (summary.scored, summary.means["S"]) == (3, 5.0)
    with workspace.session() as s:
        (row,) = list_benchmarks(s)
    assert (row["pairs"], row["verified_ground_truth"], sum(row["by_category"].values())) == (3, 3, 3)
    files = write_report(workspace, tmp_path / "report", charts=False)
    cells = files.report.table3[SCORER]["rows"][0]["cells"]["ew3"]
    assert (cells["n"], cells["S"]) == (3, 5.0) and len(bench.pair_ids) == 3
