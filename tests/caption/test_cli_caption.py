"""`editcaption caption`, `runs list/show` and `instructions export` on the command line."""

from __future__ import annotations

import json

from captionhelpers import make_workspace
from typer.testing import CliRunner

from editcaption.cli import app
from editcaption.testing.stub_openai import Reply

runner = CliRunner()


def invoke(*args):  # noqa: ANN002
    return runner.invoke(app, [str(a) for a in args])


def test_caption_runs_and_export_from_the_cli(tmp_path, stub):
    ws = make_workspace(tmp_path, 4)
    ws.close()
    w = ("-w", tmp_path / "ws")
    stub.script(Reply.bad_request("image too large"))
    model = f"openai:teacher-vl@{stub.base_url}"
    result = invoke("caption", "-m", model, "--run-name", "t1", "--concurrency", "2", "--extra-body",
                    '{"chat_template_kwargs": {"enable_thinking": false}}', "--json", *w)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["done"], summary["failed"], summary["failed_by_reason"]) == (3, 1, {"http_400": 1})
    assert {r.json["chat_template_kwargs"]["enable_thinking"] for r in stub.requests} == {False}

    listed = [json.loads(line) for line in invoke("runs", "list", "--json", *w).stdout.splitlines()]
    [run] = [r for r in listed if r["id"] == "t1"]
    assert run["kind"] == "caption" and run["status"] == "partial" and run["counts"]["ok"] == 3

    shown = json.loads(invoke("runs", "show", "t1", "--json", *w).stdout)
    assert shown["config"]["model"] == model and shown["config"]["prompt_id"].startswith("instruction-v1@")
    assert shown["config"]["extra_body"] == {"chat_template_kwargs": {"enable_thinking": False}}
    assert shown["counts"]["failed_by_reason"] == {"http_400": 1} and shown["package_version"]

    out = tmp_path / "t1.jsonl"
    exported = invoke("instructions", "export", "--run", "t1", "-o", out, *w)
    assert exported.exit_code == 0, exported.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 3 and {r["status"] for r in rows} == {"ok"}
    assert all(r["instruction"].startswith("Apply edit ") and r["pair_name"].startswith("p0") for r in rows)
    failed = [json.loads(line) for line in invoke("instructions", "export", "--run", "t1", "--status", "failed",
                                                  *w).stdout.splitlines()]
    assert len(failed) == 1 and failed[0]["error"].startswith("http_400: ") and failed[0]["instruction"] is None

    # the human summary, on resume
    again = invoke("caption", "--model", model, "--run-name", "t1", "--retry-failed", "--no-progress", *w)
    assert again.exit_code == 0, again.output
    assert "resumed" in again.stdout and "already done" in again.stdout and "run status: done" in again.stdout


def test_cli_errors_are_one_line(tmp_path, stub):
    make_workspace(tmp_path, 1).close()
    w = ("-w", tmp_path / "ws")
    cases = [
        (("caption", "--model", "gpt-4o", *w), "expected delta, openai:<model>@<base_url> or hf:<path>"),
        (("caption", "--model", "delta", "--grounded", *w), "--prompt and --grounded apply to openai: and hf:"),
        (("caption", "--model", f"openai:m@{stub.base_url}", "--extra-body", "[1]", *w), "--extra-body must be a JSON"),
        (("caption", "--model", f"openai:m@{stub.base_url}", "--where", "colour=red", *w), "--where key 'colour'"),
        (("caption", "--model", f"openai:m@{stub.base_url}", "--executor", "spark", *w), "--executor must be"),
        (("caption", "--model", f"openai:m@{stub.base_url}", "--concurrency", "0", *w), "--concurrency must be at least 1"),
        (("caption", "--model", f"openai:m@{stub.base_url}", "--timeout", "0", *w), "--timeout must be more than 0"),
        (("runs", "show", "nope", *w), "no run 'nope'"),
        (("instructions", "export", "--run", "nope", *w), "no run 'nope'"),
    ]
    for args, message in cases:
        result = invoke(*args)
        assert result.exit_code == 2, (args, result.output)
        assert message in " ".join(result.output.split()), (args, result.output)


def test_fatal_error_exits_nonzero_with_the_reason(tmp_path, stub):
    make_workspace(tmp_path, 3).close()
    stub.responder = lambda req: Reply.unauthorized()
    result = invoke("caption", "--model", f"openai:m@{stub.base_url}", "--concurrency", "1", "--no-progress",
                    "--api-key-env", "NO_SUCH_VARIABLE_SET", "-w", tmp_path / "ws")
    assert result.exit_code == 1
    assert "run stopped early: http_401" in " ".join(result.output.split())
    assert "$NO_SUCH_VARIABLE_SET" in result.output


def test_delta_and_openai_runs_never_import_torch(tmp_path, stub):
    import subprocess
    import sys

    make_workspace(tmp_path, 2).close()
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from editcaption.cli import app\n"
        f"ws = {str(tmp_path / 'ws')!r}\n"
        "for model in ('delta', " + repr(f"openai:m@{stub.base_url}") + "):\n"
        "    r = CliRunner().invoke(app, ['caption', '--model', model, '--no-progress', '-w', ws])\n"
        "    assert r.exit_code == 0, r.output\n"
        "print(sorted(m for m in ('torch', 'transformers') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"
    assert len(stub.requests) == 2


def test_ctrl_c_keeps_what_finished_and_says_how_to_resume(tmp_path, stub):
    import signal
    import subprocess
    import sys

    from captionhelpers import pair_index

    from editcaption.testing.stub_openai import Gate

    make_workspace(tmp_path, 6).close()
    held = Gate()  # the fourth request and every later one wait here until the test is over
    stub.responder = lambda req: Reply.held(held) if req.index >= 3 else Reply.ok(f"Pan left {pair_index(req)}.")
    args = ["caption", "-m", f"openai:m@{stub.base_url}", "--concurrency", "1", "--run-name", "ctrl-c"]
    # Ctrl-C raises KeyboardInterrupt even where the test runner was started with SIGINT ignored
    # (a background job), which the child would otherwise inherit.
    code = ("import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
            "from editcaption.cli import app; app(sys.argv[1:])")
    cmd = [sys.executable, "-c", code, *args, "--no-progress", "-w", str(tmp_path / "ws")]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert held.wait_until_held(1), "the fourth request never arrived"
        proc.send_signal(signal.SIGINT)  # three answers are in, the fourth request is in flight
        _out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert err.strip().splitlines()[-1] == "Interrupted: finished pairs are saved; run the same command again to resume."
    shown = json.loads(invoke("runs", "show", "ctrl-c", "--json", "-w", tmp_path / "ws").stdout)
    assert shown["status"] == "interrupted" and shown["counts"]["ok"] == 3 and shown["counts"]["failed"] == 0
    answered = {pair_index(r) for r in stub.requests[:3]}

    stub.responder = lambda req: Reply.ok(f"Pan left {pair_index(req)}.")
    resumed = invoke(*args, "--json", "-w", tmp_path / "ws")
    assert resumed.exit_code == 0, resumed.output
    summary = json.loads(resumed.stdout)
    assert (summary["already_done"], summary["done"], summary["status"]) == (3, 3, "done")
    assert {pair_index(r) for r in stub.requests[4:]} == set(range(6)) - answered  # only the unfinished pairs
