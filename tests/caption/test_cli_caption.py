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
    result = invoke("caption", "--model", model, "--run-name", "t1", "--concurrency", "2", "--extra-body",
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
