"""The CLI explains itself, stays free of torch, and the demo runs offline."""

from __future__ import annotations

import json
import subprocess
import sys

import typer
from typer.testing import CliRunner

from editcaption.cli import app

runner = CliRunner()


def _all_commands() -> list[list[str]]:
    root = typer.main.get_command(app)
    paths: list[list[str]] = []

    def walk(cmd, prefix: list[str]) -> None:  # noqa: ANN001 - typer's (vendored) click command
        if getattr(cmd, "commands", None):
            for name, sub in cmd.commands.items():
                walk(sub, prefix + [name])
        else:
            paths.append(prefix)

    walk(root, [])
    return paths


def test_every_command_has_help_with_an_example():
    commands = _all_commands()
    assert ["ingest"] in commands and ["pairs", "list"] in commands and ["demo"] in commands
    for path in commands:
        result = runner.invoke(app, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "Example" in result.output, f"`editcaption {' '.join(path)} --help` shows no example"


# Commands that train (or generate with local weights) are the only ones allowed to import torch.
TORCH_ALLOWED = {("train",), ("reproduce",)}


def test_non_training_commands_do_not_import_torch():
    code = (
        "import sys, json\n"
        "from typer.testing import CliRunner\n"
        "from editcaption.cli import app\n"
        "r = CliRunner()\n"
        f"for path in {json.dumps(_all_commands())}:\n"
        "    r.invoke(app, [*path, '--help'])\n"
        "print(json.dumps(sorted(m for m in ('torch', 'transformers', 'trl') if m in sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


def test_demo_runs_offline(tmp_path):
    result = runner.invoke(app, ["demo", "--out", str(tmp_path / "demo")])
    assert result.exit_code == 0, result.output
    assert "6 new pairs" in result.output
    again = runner.invoke(app, ["demo", "--out", str(tmp_path / "demo")])
    assert "0 new pairs, 6 already present" in again.output
    # The bundled samples (the evaluate step adds EditWorld pairs of its own).
    listed = runner.invoke(app, ["pairs", "list", "--json", "--where", "origin=samples",
                                 "-w", str(tmp_path / "demo" / "workspace")])
    names = {json.loads(line)["name"] for line in listed.stdout.splitlines()}
    assert "chelsea_pan_left" in names and len(names) == 6


def test_pairs_show_includes_ground_truth_and_instruction(tmp_path):
    runner.invoke(app, ["demo", "--out", str(tmp_path / "demo")])
    ws = str(tmp_path / "demo" / "workspace")
    shown = runner.invoke(app, ["pairs", "show", "astronaut_mirror", "--json", "-w", ws])
    data = json.loads(shown.stdout)
    assert data["ground_truth"]["primary"][0]["op"] == "mirror"
    assert data["instructions"][0]["text"] == "Mirror the image horizontally."
    missing = runner.invoke(app, ["pairs", "show", "nope", "-w", ws])
    assert missing.exit_code == 2 and "no pair 'nope'" in missing.output


def test_bad_where_is_a_clear_error(tmp_path):
    runner.invoke(app, ["init", str(tmp_path / "ws")])
    result = runner.invoke(app, ["pairs", "list", "--where", "colour=red", "-w", str(tmp_path / "ws")])
    assert result.exit_code == 2 and "--where key 'colour'" in result.output


def test_a_missing_extra_is_one_clear_line_naming_it(tmp_path):
    # torch made unimportable, as in a core-only install; brackets in the message are not markup
    code = (
        "import sys\n"
        "sys.modules['torch'] = None\n"
        "from editcaption.cli import app\n"
        f"app(['reproduce', 'mini', '--quick', '--out', {str(tmp_path / 'run')!r}])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 2, out.stderr
    assert "needs torch: install the `train` extra, e.g. pip install 'editcaption[train]'" in out.stderr
    assert not (tmp_path / "run").exists()


def _command(*path: str):  # noqa: ANN202 - typer's (vendored) click command
    cmd = typer.main.get_command(app)
    for name in path:
        cmd = cmd.commands[name]
    return cmd


MODEL_CALLERS = [("caption",), ("score",), ("eval", "judge"), ("gt", "draft")]
SHARED_CALL_OPTIONS = ["--api-key-env", "--extra-body", "--temperature", "--timeout", "--max-retries", "--concurrency"]


def test_every_command_that_calls_a_model_takes_it_as_m_and_the_same_call_options():
    helps: dict[str, set[str]] = {opt: set() for opt in SHARED_CALL_OPTIONS}
    for path in MODEL_CALLERS:
        params = {opt: p for p in _command(*path).params for opt in p.opts}
        assert {"-m", "--model"} <= set(params) and params["-m"] is params["--model"], path
        for opt in SHARED_CALL_OPTIONS:
            helps[opt].add(params[opt].help)
        help_text = " ".join(runner.invoke(app, [*path, "--help"]).output.split())
        assert f"Example: editcaption {' '.join(path)}" in help_text and " -m " in help_text, path
    assert all(len(texts) == 1 for texts in helps.values()), helps  # one help text per option, everywhere


def test_old_spellings_are_hidden_and_outputs_are_out_o():
    hidden = {path: sorted(o for p in _command(*path).params if getattr(p, "hidden", False) for o in p.opts)
              for path in MODEL_CALLERS}
    assert hidden == {("caption",): [], ("score",): ["--scorer"], ("eval", "judge"): ["--judge"],
                      ("gt", "draft"): ["--llm"]}
    for path in _all_commands():
        for p in _command(*path).params:
            if p.name == "out" and not getattr(p, "hidden", False):
                assert p.opts[:2] == ["--out", "-o"], (path, p.opts)


def test_the_output_folder_given_positionally_still_works_with_a_deprecation_line(tmp_path):
    old = runner.invoke(app, ["train", "synth-data", str(tmp_path / "old"), "--n", "2", "--n-val", "0"])
    assert old.exit_code == 0, old.output
    assert "Deprecated: the output path as a positional argument will be removed in the next release; use --out/-o" \
        in " ".join(old.stderr.split())
    new = runner.invoke(app, ["train", "synth-data", "-o", str(tmp_path / "new"), "--n", "2", "--n-val", "0"])
    assert new.exit_code == 0 and "Deprecated" not in new.stderr
    assert sorted(p.name for p in (tmp_path / "old").iterdir()) == sorted(p.name for p in (tmp_path / "new").iterdir())
    assert (tmp_path / "new" / "train.parquet").read_bytes() == (tmp_path / "old" / "train.parquet").read_bytes()
    both = runner.invoke(app, ["train", "synth-data", str(tmp_path / "a"), "-o", str(tmp_path / "b")])
    assert both.exit_code == 2 and "give only --out/-o" in " ".join(both.output.split())
    neither = runner.invoke(app, ["train", "synth-data"])
    assert neither.exit_code == 2 and "Missing option '-o' / '--out'" in neither.output
