"""The `score`, `filter` and `scores export` commands end to end, and what other commands see of the scores."""

from __future__ import annotations

import json

import pytest
from scoring_helpers import SAMPLE_RUN, answer, editscore_responder
from typer.testing import CliRunner

from editcaption.cli import app

runner = CliRunner()

SC = {
    "Pan the camera to the left.": answer([5, 25]),  # overall 4.47
    "Brighten the whole image.": answer([25, 25]),  # 10
    "Mirror the image horizontally.": answer([15, 20]),  # 7.75
    "Zoom in on the center of the image.": answer([25, 2.5]),  # 3.16
    "Convert the whole image to black and white.": "I cannot judge this.",  # unscored after the repair
    "Add a red disc at the upper right of the image.": answer([15, 15]),  # 7.75
}


@pytest.fixture
def ws_dir(samples_sqlite):  # noqa: ANN001
    return str(samples_sqlite.root)


def invoke(*args: str):  # noqa: ANN201
    return runner.invoke(app, list(args))


def test_score_filter_export_and_show(ws_dir, stub, tmp_path):  # noqa: ANN001
    stub.responder = editscore_responder(SC, answer([25, 25]), repair="Still cannot judge.")
    spec = f"editscore:EditScore-7B@{stub.base_url}"
    first = invoke("score", "-m", spec, "--no-progress", "-w", ws_dir)
    assert first.exit_code == 0, first.output
    assert "score-source:manifest-EditScore-7B" in first.output and "unreadable" in first.output
    assert "13 to the server, 0 answered from the workspace cache" in first.output  # 12 + one repair
    assert stub.count == 13

    again = invoke("score", "--model", spec, "--json", "-w", ws_dir)
    data = json.loads(again.stdout)
    assert stub.count == 13 and data["calls"] == 0 and data["already_scored"] == 5 and data["attempted"] == 1
    assert data["cached_calls"] == 3 and data["run_totals"] == {"ok": 5, "unscored": 1,
                                                                 "unscored_by_reason": {"unreadable": 1}}

    shown = invoke("filter", "--min", "4.0", "-w", ws_dir)
    assert shown.exit_code == 0, shown.output
    assert "Keep rates by category" in shown.output and "structural / camera_zoom" in shown.output
    assert "66.7%" in shown.output  # 4 of 6 kept
    assert "1 instructions have no ok score (1 unscored, 0 never scored)" in shown.output
    report = json.loads(invoke("filter", "--min", "structural=3.0", "--json", "-w", ws_dir).stdout)
    assert report["thresholds"] == {"default": 4.0, "structural": 3.0}
    assert report["by_category"]["structural"]["keep_rate"] == 1.0 and report["overall"]["kept"] == 5

    out = tmp_path / "scores.jsonl"
    exported = invoke("scores", "export", "--run", SAMPLE_RUN, "-o", str(out), "-w", ws_dir)
    assert exported.exit_code == 0, exported.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 6 and {r["status"] for r in rows} == {"ok", "unscored"}
    bw = next(r for r in rows if r["instruction"].startswith("Convert"))
    assert bw["overall"] is None and bw["reason"].startswith("unreadable:") and bw["category"] == "stylistic"
    assert bw["components"]["per_pass"][0]["sc"]["repair"]["text"] == "Still cannot judge."
    only_bad = invoke("scores", "export", "--run", "score-source:manifest-EditScore-7B", "--status", "unscored",
                      "-w", ws_dir)
    assert len(only_bad.stdout.splitlines()) == 1

    pair = json.loads(invoke("pairs", "show", "astronaut_mirror", "--json", "-w", ws_dir).stdout)
    (ins,) = pair["instructions"]
    (sc,) = ins["scores"]
    assert ins["kept"] is True and sc["scorer"] == "editscore:EditScore-7B" and sc["status"] == "ok"
    assert sc["overall"] == pytest.approx(60 ** 0.5) and sc["components"]["prompt_following"] == 6.0


def test_export_min_score_uses_ok_scores_only(ws_dir, stub, tmp_path):  # noqa: ANN001
    stub.responder = editscore_responder(SC, answer([25, 25]), repair="Still cannot judge.")
    assert invoke("score", "-m", f"editscore:EditScore-7B@{stub.base_url}", "--no-progress",
                  "-w", ws_dir).exit_code == 0
    result = invoke("export", "sft", "--out", str(tmp_path / "sft"), "--source", f"run:{SAMPLE_RUN}",
                    "--min-score", "4.0", "--scorer", "editscore:EditScore-7B", "--json", "-w", ws_dir)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["splits"] == {"train": 4}
    assert summary["skipped"] == {"below min score": 1, "unscored": 1}


def test_bad_arguments_are_one_line_errors(ws_dir):  # noqa: ANN001
    cases = [
        (["score", "-m", "openai:gpt-4o"], "names a model that writes instructions"),
        (["score", "-m", "editscore:EditScore-7B"], "names no server"),
        (["score", "-m", "editscore:m@http://h/v1", "--base", "qwen2"], "--base must be one of qwen25vl, qwen3vl"),
        (["score", "-m", "editscore:m@http://h/v1", "--passes", "0"], "--passes must be at least 1"),
        (["score", "-m", "editscore:m@http://h/v1", "--run", "nope"], "no run 'nope'"),
        (["score", "-m", "editscore:m@http://h/v1", "--extra-body", "[1]"], "--extra-body must be a JSON object"),
        (["score"], "Missing option '-m' / '--model'"),
        (["score", "-m", "editscore:m@http://h/v1", "--scorer", "editscore:n@http://h/v1"],
         "--scorer and --model name the same thing; give only --model"),
        (["score", "-m", "editscore:m@http://h/v1", "--max-retries", "-1"], "--max-retries must be at least 0"),
        (["filter", "--min", "high"], "--min expects a number"),
        (["filter"], "have no scores yet; run `editcaption score` first"),
        (["scores", "export", "--run", "nope"], "no run 'nope'"),
    ]
    for args, message in cases:
        result = invoke(*args, "-w", ws_dir)
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output, (args, result.output)
        assert "Traceback" not in result.output


def test_the_old_scorer_spelling_still_scores_and_says_it_is_deprecated(ws_dir, stub):  # noqa: ANN001
    stub.responder = editscore_responder(SC, answer([25, 25]), repair="Still cannot judge.")
    result = invoke("score", "--scorer", f"editscore:EditScore-7B@{stub.base_url}", "--limit", "1", "--json",
                    "-w", ws_dir)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["ok"] == 1 and stub.count == 2
    assert "Deprecated: --scorer will be removed in the next release; use --model" in result.stderr
    again = invoke("score", "-m", f"editscore:EditScore-7B@{stub.base_url}", "--limit", "1", "--json", "-w", ws_dir)
    assert again.exit_code == 0 and "Deprecated" not in again.stderr
    assert json.loads(again.stdout)["already_scored"] == 1
