"""A caption run killed with SIGKILL mid-way resumes, and every pair ends with exactly one instruction."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from captionhelpers import make_workspace, names_by_id, pair_index
from sqlalchemy import func, select

from editcaption.testing.stub_openai import StubOpenAI, default_reply
from editcaption.workspace import Workspace
from editcaption.workspace.models import InstructionRecord, RunRecord

N = 40


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
    with StubOpenAI(latency=0.25) as stub:
        cmd = [sys.executable, "-m", "editcaption.cli", "caption", "--model", f"openai:stub-vl@{stub.base_url}",
               "--concurrency", "4", "--run-name", "kr", "--no-progress", "-w", str(ws_path)]
        env = {**os.environ, "EDITCAPTION_WORKSPACE": ""}
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while count(ws_path) < 8:
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the caption run wrote nothing"
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        done_before = count(ws_path)
        assert 8 <= done_before < N  # killed mid-way
        ws = Workspace.open(ws_path)
        with ws.session() as s:
            assert s.get(RunRecord, "kr").status == "running"  # nobody finished it
            finished_pairs = set(s.scalars(select(InstructionRecord.pair_id).where(InstructionRecord.run_id == "kr")))
        names = names_by_id(ws)
        ws.close()
        requests_before = len(stub.requests)

        resumed = subprocess.run(cmd + ["--json"], env=env, capture_output=True, text=True, timeout=120)
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
    # The resumed process asked only about pairs that had no instruction yet.
    asked_after = {pair_index(r) for r in stub.requests[requests_before:]}
    finished = {int(names[p][1:]) for p in finished_pairs}
    assert asked_after and not (asked_after & finished)
    assert asked_after | finished == set(range(N))
