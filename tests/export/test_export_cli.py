"""`editcaption export`: the real CLI on real workspaces — output, the card, errors, overwrite and resume."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from export_helpers import add_run, sample_preferences
from typer.testing import CliRunner

from editcaption.cli import app

runner = CliRunner()


def run(*args: str):  # noqa: ANN202
    return runner.invoke(app, list(args))


def test_export_sft_json_report_and_card(sample_ws, tmp_path):  # noqa: ANN001
    out = tmp_path / "sft"
    res = run("export", "sft", "--out", str(out), "--format", "jsonl", "--split", "train=1", "--json",
              "-w", str(sample_ws.root))
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)
    assert report["splits"] == {"train": 6} and report["kind"] == "sft" and report["format"] == "jsonl"
    card = (out / "README.md").read_text()
    assert f"editcaption export sft --out {out} --format jsonl --split train=1 --json" in card
    assert "| structural | 3 | 3 |" in card and "| camera_pan | 1 | 1 |" in card
    assert "Annotators: 2" in card and "instruction-v1@" in card
    assert not list(tmp_path.glob(".*partial*"))


def test_card_records_the_exact_command_line_when_run_as_editcaption(sample_ws, tmp_path):  # noqa: ANN001
    sample_preferences(sample_ws, sample_ws.ids)
    exe = Path(sys.executable).parent / "editcaption"
    out = tmp_path / "prefs"
    cmd = [str(exe), "export", "prefs", "-o", str(out), "-f", "swift", "--balance", "error_type=34.2:31.5:34.3",
           "-w", str(sample_ws.root)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "balanced to error_type=orientation:34.2%,viewpoint:31.5%,detail:34.3%" in done.stdout
    card = (out / "README.md").read_text()
    assert "editcaption export prefs -o " + str(out) + " -f swift --balance error_type=34.2:31.5:34.3 -w " in card
    assert "| orientation | 1 | 1 | 0 |" in card  # failure type × severity table (P0, P1, P2)


def test_clear_errors_and_nothing_written(sample_ws, tmp_path):  # noqa: ANN001
    ws = str(sample_ws.root)
    out = tmp_path / "x"
    cases = [
        (["export", "sft", "--out", str(out), "--source", "latest"], "--source must be 'refined' or 'run:NAME'"),
        (["export", "sft", "--out", str(out), "--source", "run:nope"], "no run named 'nope'"),
        (["export", "sft", "--out", str(out), "--format", "webdataset"], "cannot hold a sft dataset"),
        (["export", "sft", "--out", str(out), "--split", "train=0.9,dev=0.1"], "--split name 'dev'"),
        (["export", "sft", "--out", str(out), "--balance", "category=1:2"], "needs 3 proportions"),
        (["export", "sft", "--out", str(out), "--where", "colour=red"], "--where key 'colour'"),
        (["export", "prefs", "--out", str(out)], "nothing to export from preferences"),
        (["export", "triplets", "--out", str(out), "--source", "refined", "--min-score", "4"],
         "--min-score applies to run"),
    ]
    for args, message in cases:
        res = run(*args, "-w", ws)
        assert res.exit_code == 2, (args, res.output)
        assert message in res.output, (args, res.output)
        assert not out.exists()
    add_run(sample_ws, "empty", {})
    res = run("export", "sft", "--out", str(out), "--source", "run:empty", "-w", ws)
    assert res.exit_code == 2 and "6 no instruction in the run" in res.output


def test_existing_output_needs_overwrite(sample_ws, tmp_path):  # noqa: ANN001
    ws = str(sample_ws.root)
    out = tmp_path / "tri"
    out.mkdir()
    (out / "old.txt").write_text("keep me unless told")
    res = run("export", "triplets", "--out", str(out), "-f", "webdataset", "-w", ws)
    assert res.exit_code == 2 and "already exists; pass --overwrite" in res.output
    assert (out / "old.txt").exists()
    res = run("export", "triplets", "--out", str(out), "-f", "webdataset", "--overwrite", "-w", ws)
    assert res.exit_code == 0, res.output
    assert not (out / "old.txt").exists() and (out / "train-000000.tar").is_file()


def test_an_interrupted_export_is_finished_by_the_next_run(sample_ws, tmp_path):  # noqa: ANN001
    """What a kill leaves behind (a partial folder) never shows under the final name and is reused."""
    ws = str(sample_ws.root)
    out = tmp_path / "lf"
    first = run("export", "sft", "--out", str(out), "-f", "llamafactory", "-w", ws)
    assert first.exit_code == 0, first.output
    images = sorted(p.relative_to(out) for p in (out / "images").rglob("*.jpg"))
    # Recreate the state of an export killed while copying images: some copied, a stale data file.
    partial = tmp_path / ".lf2.partial"
    for rel in images[:4]:
        (partial / rel).parent.mkdir(parents=True, exist_ok=True)
        (partial / rel).write_bytes((out / rel).read_bytes())
    (partial / "train.json").write_text("[{\"truncated\": ")
    assert not (tmp_path / "lf2").exists()
    res = run("export", "sft", "--out", str(tmp_path / "lf2"), "-f", "llamafactory", "--json", "-w", ws)
    assert res.exit_code == 0, res.output
    manifest = json.loads((tmp_path / "lf2" / "export.json").read_text())
    assert manifest["images"]["written"] == len(images) - 4  # the 4 copied before the "kill" are reused
    assert manifest["images"]["written"] + manifest["images"]["reused"] == 12  # 6 pairs × 2 image uses
    assert not partial.exists()
    assert json.loads((tmp_path / "lf2" / "train.json").read_text()) == json.loads((out / "train.json").read_text())


def test_card_provenance_for_a_filtered_scored_run(sample_ws, tmp_path):  # noqa: ANN001
    from export_helpers import SAMPLE_TEXTS, add_score

    ids = sample_ws.ids
    ins = add_run(sample_ws, "teacher", {ids[n]: t for n, t in SAMPLE_TEXTS.items()},
                  kept={ids["coffee_brighter"]: False})
    for n, score in (("chelsea_pan_left", 4.5), ("astronaut_mirror", 4.0), ("rocket_zoom_in", 3.9)):
        add_score(sample_ws, ins[ids[n]], score)
    out = tmp_path / "scored"
    res = run("export", "sft", "--out", str(out), "--source", "run:teacher", "--min-score", "4", "-f", "jsonl",
              "-w", str(sample_ws.root))
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for f in out.glob("*.jsonl") for line in f.read_text().splitlines()]
    assert sorted(r["name"] for r in rows) == ["astronaut_mirror", "chelsea_pan_left"]
    card = (out / "README.md").read_text()
    assert "- Source: `run:teacher`" in card
    assert "- Run `teacher` (caption, done, editcaption 0.1.0; model openai:glm-4.5v@http://x, " \
           "prompt instruction-v1@abc)" in card
    assert "- Producers: `openai:glm-4.5v@http://x` × 2" in card
    assert "- Score threshold: overall ≥ 4.0 (latest score of any scorer); unscored instructions never pass" in card
    assert "- Scorers (instructions scored ok): `editscore:qwen3vl@http://x` × 2" in card
    assert "| unscored | 2 |" in card and "| dropped by filter | 1 |" in card and "| below min score | 1 |" in card
    assert "left out: " in res.output


def test_exporting_imports_neither_torch_nor_datasets(sample_ws, tmp_path):  # noqa: ANN001
    sample_preferences(sample_ws, sample_ws.ids)
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from editcaption.cli import app\n"
        f"ws, out = {str(sample_ws.root)!r}, {str(tmp_path)!r}\n"
        "for kind, fmt in (('sft', 'hf'), ('prefs', 'llamafactory'), ('triplets', 'webdataset')):\n"
        "    r = CliRunner().invoke(app, ['export', kind, '-o', f'{out}/{kind}', '-f', fmt, '-w', ws])\n"
        "    assert r.exit_code == 0, r.output\n"
        "print(sorted(m for m in ('torch', 'transformers', 'trl', 'datasets') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_positional_output_folder_still_works_with_a_deprecation_line(sample_ws, tmp_path):  # noqa: ANN001
    ws = str(sample_ws.root)
    out = tmp_path / "old-style"
    res = run("export", "sft", str(out), "-f", "jsonl", "--split", "train=1", "--json", "-w", ws)
    assert res.exit_code == 0, res.output
    assert res.stderr == ("Deprecated: the output folder as a positional argument will be removed in the next "
                          "release; use --out/-o\n")
    assert json.loads(res.stdout)["splits"] == {"train": 6} and (out / "train.jsonl").is_file()
    both = run("export", "sft", str(tmp_path / "a"), "--out", str(tmp_path / "b"), "-w", ws)
    assert both.exit_code == 2
    assert "the output folder as a positional argument and --out/-o name the same thing; give only --out/-o" \
        in both.output
    neither = run("export", "triplets", "-w", ws)
    assert neither.exit_code == 2 and "give the output folder with --out" in neither.output
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_progress_bar_with_totals_and_silence_with_json(sample_ws, tmp_path):  # noqa: ANN001
    ws = str(sample_ws.root)
    quiet = run("export", "sft", "-o", str(tmp_path / "quiet"), "--json", "-w", ws)
    assert quiet.exit_code == 0, quiet.output
    assert quiet.stderr == "" and json.loads(quiet.stdout)["kind"] == "sft"
    # rich draws its bar only on a terminal: TTY_COMPATIBLE says there is one (read when the CLI starts)
    env = {**os.environ, "TTY_COMPATIBLE": "1", "NO_COLOR": "1", "COLUMNS": "200"}
    shown = subprocess.run([sys.executable, "-m", "editcaption.cli", "export", "sft", "-o", str(tmp_path / "shown"),
                            "-w", ws], env=env, capture_output=True, text=True, timeout=300)
    assert shown.returncode == 0, shown.stderr
    # the six sample pairs have 11 distinct images (two share their source)
    assert "hashing images" in shown.stderr and " 11/11 " in shown.stderr
    assert "writing parquet" in shown.stderr and " 6/6 " in shown.stderr
