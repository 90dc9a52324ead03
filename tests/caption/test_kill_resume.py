"""A caption run killed with SIGKILL mid-way resumes, and every pair ends with exactly one instruction."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from captionhelpers import make_workspace, names_by_id, pair_index
from sqlalchemy import func, select

from editcaption import testhook
from editcaption.testing.stub_openai import Reply, StubOpenAI, default_reply
from editcaption.workspace import Workspace
from editcaption.workspace.models import InstructionRecord, RunRecord

N = 40
KILL_AFTER = 8  # outcomes committed before the caption process kills itself


def count(ws_path) -> int:  # noqa: ANN001
    ws = Workspace.open(ws_path)
    try:
        with ws.session() as s:
            return s.scalar(select(func.count()).select_from(InstructionRecord).where(InstructionRecord.run_id == "kr"))
    finally:
        ws.close()


def test_sigkill_then_resume(tmp_path):
    ws = make_workspace(tmp_path, N)
    ws_path = ws.root
    ws.close()
    # The two processes send different API keys, so the stub tells their requests apart. It answers the
    # first KILL_AFTER requests of the process to be killed and holds its later ones unanswered, so that
    # process can finish exactly KILL_AFTER pairs; it answers every request of the resumed process.
    def responder(req):  # noqa: ANN001, ANN202
        resumed = req.headers.get("authorization") == "Bearer resumed"
        return default_reply(req) if resumed or req.index < KILL_AFTER else Reply.hang(3600)

    with StubOpenAI(responder) as stub:
        cmd = [sys.executable, "-m", "editcaption.cli", "caption", "--model", f"openai:stub-vl@{stub.base_url}",
               "--concurrency", "4", "--timeout", "3600", "--run-name", "kr", "--no-progress", "-w", str(ws_path)]
        env = {**os.environ, "EDITCAPTION_WORKSPACE": ""}
        # The process SIGKILLs itself once its 8th outcome is committed (editcaption.testhook).
        killed = subprocess.run(cmd, env={**env, "OPENAI_API_KEY": "killed", testhook.ENV: f"caption:{KILL_AFTER}"},
                                capture_output=True, text=True, timeout=300)
        assert killed.returncode == -signal.SIGKILL, killed.stderr
        assert count(ws_path) == KILL_AFTER  # killed mid-way, right after the 8th commit
        ws = Workspace.open(ws_path)
        with ws.session() as s:
            assert s.get(RunRecord, "kr").status == "running"  # nobody finished it
            finished_pairs = set(s.scalars(select(InstructionRecord.pair_id).where(InstructionRecord.run_id == "kr")))
        names = names_by_id(ws)
        ws.close()

        resumed = subprocess.run(cmd + ["--json"], env={**env, "OPENAI_API_KEY": "resumed"}, capture_output=True,
                                 text=True, timeout=300)
        assert resumed.returncode == 0, resumed.stderr

    ws = Workspace.open(ws_path)
    with ws.session() as s:
        got = list(s.scalars(select(InstructionRecord).where(InstructionRecord.run_id == "kr")))
        assert s.get(RunRecord, "kr").status == "done"
    ws.close()
    assert len(got) == N and len({r.pair_id for r in got}) == N  # one instruction per pair
    assert {r.status for r in got} == {"ok"}
    # Each text is the stub's answer for that pair's own images (not another pair's).
    answer = {pair_index(r): default_reply(r).text for r in stub.requests}
    assert all(r.text == answer[int(names[r.pair_id][1:])] for r in got)
    # The resumed process asked only about the N - 8 pairs that had no instruction yet, each once.
    asked_after = [pair_index(r) for r in stub.requests if r.headers.get("authorization") == "Bearer resumed"]
    finished = {int(names[p][1:]) for p in finished_pairs}
    assert len(asked_after) == N - KILL_AFTER and not (set(asked_after) & finished)
    assert set(asked_after) | finished == set(range(N))
