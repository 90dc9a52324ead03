"""`editcaption annotate ...` from the command line."""

from __future__ import annotations

import json
import os
import signal
import socket
import sys

import httpx
from typer.testing import CliRunner

from children import start_child
from editcaption.cli import app

runner = CliRunner()


def cli(ws, *args: str, input: str | None = None):  # noqa: ANN001, A002
    return runner.invoke(app, ["annotate", *args, "-w", str(ws.root)], input=input)


def test_people_from_the_command_line(studio_sqlite):
    r = cli(studio_sqlite, "user", "add", "dora", "--role", "admin", "--password-stdin", input="dora-password\n")
    assert r.exit_code == 0, r.output
    assert "already exists" in cli(studio_sqlite, "user", "add", "dora", "--password-stdin", input="xxxxxxxxxx\n").output
    short = cli(studio_sqlite, "user", "add", "eve", "--password-stdin", input="short\n")
    assert short.exit_code == 2 and "at least 8 characters" in short.output
    assert "role must be one of" in cli(studio_sqlite, "user", "add", "eve", "--role", "boss", "--password-stdin",
                                        input="long-enough\n").output
    users = {json.loads(line)["name"]: json.loads(line) for line in cli(studio_sqlite, "user", "list", "--json").stdout.splitlines()}
    assert users["dora"]["role"] == "admin" and "eve" not in users
    assert cli(studio_sqlite, "user", "disable", "dora").exit_code == 0
    assert '"active": false' in cli(studio_sqlite, "user", "list", "--json").stdout


def test_queues_from_the_command_line(studio_sqlite, tmp_path):
    r = cli(studio_sqlite, "queue", "add", "judge", "--run", "source:manifest", "--overlap", "2", "--json",
            "--no-precompute")
    assert r.exit_code == 0, r.output
    made = json.loads(r.stdout)
    assert (made["queue"], made["added"], made["overlap"]) == ("judge-source:manifest", 6, 2)
    warm = cli(studio_sqlite, "queue", "add", "prefer", "--run", "wrong", "--json")  # heatmaps and hints now
    assert json.loads(warm.stdout)["precomputed"] == 1
    assert len(list((studio_sqlite.root / "cache" / "annotate" / "heatmap").glob("*.png"))) == 1
    assert len(list((studio_sqlite.root / "cache" / "annotate" / "hints").glob("*.json"))) == 1
    bad = cli(studio_sqlite, "queue", "add", "judge", "--run", "nope")
    assert bad.exit_code == 2 and "no run 'nope'" in bad.output
    assert "--where key 'colour'" in cli(studio_sqlite, "queue", "add", "judge", "--run", "source:manifest",
                                         "--where", "colour=red").output
    rows = [json.loads(line) for line in cli(studio_sqlite, "queue", "list", "--json").stdout.splitlines()]
    assert rows[0]["slots"] == 12 and rows[0]["submitted"] == 0
    out = tmp_path / "q.jsonl"
    assert cli(studio_sqlite, "queue", "export", "judge-source:manifest", "--out", str(out)).exit_code == 0
    assert out.read_text() == ""
    assert "no queue 'nope'" in cli(studio_sqlite, "queue", "export", "nope").output


def test_label_studio_round_trip_from_the_command_line(studio_sqlite, tmp_path):
    # the recorded Label Studio exports and every option are in tests/annotate/test_labelstudio.py
    r = cli(studio_sqlite, "export-labelstudio", "--run", "source:manifest", "--ls-url", "http://localhost:8080",
            "--out", str(tmp_path / "ls"), "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["tasks"] == 6 and (tmp_path / "ls" / "SETUP.md").is_file()
    tasks = json.loads((tmp_path / "ls" / "tasks.json").read_text())
    export = [{"id": 1, "project": 2, "data": tasks[0]["data"], "annotations": [{
        "id": 1, "completed_by": 3, "created_at": "2026-11-23T10:00:00Z", "updated_at": "2026-11-23T10:00:00Z",
        "lead_time": 4.5, "result": [
            {"from_name": "verdict", "to_name": "target", "type": "choices", "value": {"choices": ["corrected"]}},
            {"from_name": "instruction", "to_name": "target", "type": "textarea", "value": {"text": ["New text."]}},
            {"from_name": "failure_type", "to_name": "target", "type": "choices", "value": {"choices": ["detail"]}},
            {"from_name": "severity", "to_name": "target", "type": "choices", "value": {"choices": ["P2"]}}]}]}]
    (tmp_path / "export.json").write_text(json.dumps(export))
    r = cli(studio_sqlite, "import-labelstudio", str(tmp_path / "export.json"), "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout) == {
        "refinements": 1, "preferences": 1, "revisions": 0, "history": 0, "duplicates": 0, "cancelled": 0,
        "ls_url": "http://localhost:8080", "ls_project": 2, "skipped": [], "notes": []}
    r = cli(studio_sqlite, "import-labelstudio", str(tmp_path / "export.json"), "--json")
    assert json.loads(r.stdout)["duplicates"] == 1  # safe to repeat
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    r = cli(studio_sqlite, "import-labelstudio", str(broken))
    assert r.exit_code == 2 and "cannot read" in r.output


def test_serve_starts_the_studio(module_ws, tmp_path):
    studio_sqlite = module_ws
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    cmd = [sys.executable, "-m", "editcaption.cli", "annotate", "serve", "-w", str(studio_sqlite.root), "--port", str(port)]
    child = start_child(cmd, tmp_path / "serve.log", env={**os.environ})
    proc = child.proc
    try:
        child.wait_for("Uvicorn running on")  # printed once the port is bound
        r = httpx.get(f"http://127.0.0.1:{port}/login", timeout=30)
        assert r.status_code == 200 and "Log in" in r.text
        assert httpx.get(f"http://127.0.0.1:{port}/", timeout=5).status_code == 401
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=20)


def test_demo_step_makes_queues_and_says_how_to_open_the_studio(studio_sqlite, tmp_path):
    from rich.console import Console

    from editcaption.demo import DemoContext, step_annotate

    ctx = DemoContext(out=tmp_path, console=Console(record=True, width=300), workspace=studio_sqlite)
    step_annotate(ctx)
    text = " ".join(ctx.console.export_text().split())  # undo line wrapping
    assert f"editcaption annotate serve -w {studio_sqlite.root}" in text
    assert f"editcaption annotate user add me --role admin -w {studio_sqlite.root}" in text
    assert ctx.results["annotate"] == {"refine-source:manifest": 6, "prefer-source:manifest": 6,
                                       "judge-source:manifest": 6, "verify-gt": 6}
    step_annotate(ctx)  # a second demo run adds nothing
    assert ctx.results["annotate"]["verify-gt"] == 6
