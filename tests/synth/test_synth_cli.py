"""`editcaption synth …` end to end: generate, ingest cleanly, score from files."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from editcaption.cli import app

runner = CliRunner()


def test_generate_ingest_and_score(tmp_path: Path) -> None:
    out = tmp_path / "ew"
    result = runner.invoke(app, ["synth", "editworld", "--n", "20", "--seed", "4", "--out", str(out), "--size",
                                 "128x96", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["generated"] == 20 and sum(report["by_category"].values()) == 20
    manifest = out / "manifest.jsonl"

    ingested = runner.invoke(app, ["ingest", str(manifest), "--json", "-w", str(tmp_path / "ws")])
    assert ingested.exit_code == 0, ingested.output
    assert json.loads(ingested.stdout) == {"ingested": 20, "duplicates": 0, "rejected": []}
    again = runner.invoke(app, ["ingest", str(manifest), "--json", "-w", str(tmp_path / "ws")])
    assert json.loads(again.stdout)["duplicates"] == 20
    listed = runner.invoke(app, ["pairs", "list", "--json", "--where", "origin=editworld", "-w", str(tmp_path / "ws")])
    pairs = [json.loads(x) for x in listed.stdout.splitlines()]
    assert len(pairs) == 20 and {p["source"]["width"] for p in pairs} == {128}

    refs = runner.invoke(app, ["synth", "references", str(manifest)])
    preds = tmp_path / "refs.jsonl"
    preds.write_text(refs.stdout)
    scored = runner.invoke(app, ["synth", "score", str(manifest), str(preds), "--json", "--per-sample",
                                 str(tmp_path / "per.jsonl")])
    assert scored.exit_code == 0, scored.output
    summary = json.loads(scored.stdout)
    assert list(summary) == ["n", "S", "accuracy", "completeness", "clarity", "unparsable", "errors", "p0_rate"]
    assert summary["S"] == 5.0 and summary["n"] == 20
    per = [json.loads(x) for x in (tmp_path / "per.jsonl").read_text().splitlines()]
    assert len(per) == 20 and all(p["status"] == "scored" and p["parsed"] for p in per)

    table = runner.invoke(app, ["synth", "score", str(manifest), str(preds), "--by", "category"])
    assert table.exit_code == 0 and "structural" in table.output


def test_swapped_references_show_p0_errors(tmp_path: Path) -> None:
    out = tmp_path / "ew"
    runner.invoke(app, ["synth", "editworld", "--n", "16", "--seed", "2", "--out", str(out), "--family", "objects",
                        "--subtypes", "move_object,camera_pan", "--json"])
    swapped = runner.invoke(app, ["synth", "references", str(out / "manifest.jsonl"), "--swap", "horizontal"])
    preds = tmp_path / "sw.jsonl"
    preds.write_text(swapped.stdout)
    summary = json.loads(runner.invoke(app, ["synth", "score", str(out / "manifest.jsonl"), str(preds),
                                             "--json"]).stdout)
    lines = [json.loads(x) for x in swapped.stdout.splitlines()]
    horizontal = sum(1 for x in lines if " left" in x["instruction"] or " right" in x["instruction"])
    assert horizontal > 0
    assert summary["errors"]["orientation"] + summary["errors"]["viewpoint"] == horizontal
    assert summary["p0_rate"] == round(horizontal / 16, 4)


def test_bad_input_is_a_one_line_error(tmp_path: Path) -> None:
    for args, message in (
        (["--size", "big"], "is not W or WxH"),
        (["--mix", "semantic=1,oops"], "is not category=weight"),
        (["--objects", "a-b"], "is not N or MIN-MAX"),
        (["--subtypes", "teleport"], "unknown subtype"),
    ):
        result = runner.invoke(app, ["synth", "editworld", "--n", "2", "--out", str(tmp_path / "x"), *args])
        assert result.exit_code == 2 and message in result.output, result.output
    missing = runner.invoke(app, ["synth", "score", str(tmp_path / "nope.jsonl"), str(tmp_path / "p.jsonl")])
    assert missing.exit_code == 2 and "no such manifest" in missing.output
