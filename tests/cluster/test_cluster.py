"""The pipeline on a real local cluster: images on an S3 server, the workspace on PostgreSQL, the model
stages on a Ray cluster of two nodes (separate processes) — and what each failure does.

* ingest → caption → gt draft → score → judge → export on a workspace whose folder holds no
  image file equals a local run (folder store, SQLite, local executor) byte for byte;
* the object store going down mid-run fails the items it could not read, with the store's
  reason, and a rerun completes them;
* wrong credentials on the workers stop the run with one line saying so;
* a driver (the `editcaption score --executor ray` command) killed after K saved scores
  resumes from the database when run again;
* a worker node killed mid-run (after K scores are saved, from the runner's progress hook):
  its items are redone on the node left, and none is stored twice.

The tests run in this order and share the cluster; the node kill comes last.
"""

from __future__ import annotations

import difflib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from caption.captionhelpers import make_pairs
from cluster.pipeline import (
    HEAD_KEY,
    SCORER,
    WORKER_KEY,
    caption_config,
    run_pipeline,
    score_config,
    standin,
)
from editcaption.caption import run_caption
from editcaption.ingest import ingest
from editcaption.runner.ray_executor import RayOptions, RayWorkerError
from editcaption.scoring import run_scoring
from editcaption.testing.stub_openai import Gate, Reply, StubOpenAI, StubRequest
from editcaption.workspace import Workspace
from editcaption.workspace.models import InstructionRecord, ScoreRecord
from scoring.scoring_helpers import instruction_of, kind_of

pytestmark = pytest.mark.slow

N = 8


def on_cluster(cluster) -> RayOptions:  # noqa: ANN001
    # One actor per node (spread), two items per batch.
    return RayOptions(address=cluster.address, workers=2, batch_size=2, cpus_per_worker=1)


def node_of(req: StubRequest) -> str:
    return {f"Bearer {HEAD_KEY}": "head", f"Bearer {WORKER_KEY}": "worker"}.get(
        req.headers.get("authorization", ""), "driver")


def both_nodes_work(respond, worker_reply=None):  # noqa: ANN001, ANN201
    """The responder ``respond``, except that no node's request is answered before both nodes have
    sent one (a barrier): actors get batches as they come up, and a node up first could otherwise
    take every batch. ``worker_reply`` (if given) answers the worker node's requests instead."""
    both_up = Gate()
    seen: set[str] = set()

    def wrapped(req: StubRequest) -> Reply | str:
        node = node_of(req)
        seen.add(node)
        if {"head", "worker"} <= seen:
            both_up.release()
        reply = worker_reply(req) if node == "worker" and worker_reply is not None else respond(req)
        if isinstance(reply, Reply) and reply.gate is not None:
            return reply  # held anyway
        if node in ("head", "worker") and not both_up.is_open:
            return Reply.held(both_up, then=reply if isinstance(reply, Reply) else Reply.ok(reply))
        return reply

    return wrapped


def image_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and p.suffix in {".png", ".jpg", ".jpeg", ".webp"}]


def remote_workspace(tmp_path: Path, pg_url: str, s3, prefix: str) -> Workspace:  # noqa: ANN001
    return Workspace.init(tmp_path / prefix, pg_url, store_url=s3.store_url(prefix))


def test_the_pipeline_on_the_cluster_equals_a_local_run_byte_for_byte(ray_cluster, cluster_s3, pg_url, tmp_path):
    pairs = make_pairs(tmp_path / "pairs", N)
    with StubOpenAI(standin) as stub:
        local = Workspace.init(tmp_path / "local")
        want = run_pipeline(local, pairs, stub.base_url, tmp_path / "out-local")
        assert {node_of(r) for r in stub.requests} == {"driver"}
        n_local = stub.count

        remote = remote_workspace(tmp_path, pg_url, cluster_s3, "pipeline")
        assert remote.db_url.startswith("postgresql") and not remote.store.is_local
        stub.responder = both_nodes_work(standin)
        got = run_pipeline(remote, pairs, stub.base_url, tmp_path / "out-cluster", ray=on_cluster(ray_cluster))
        on_ray = stub.requests[n_local:]

    for name, files in want["exports"].items():  # file by file, so a difference reads as a diff
        for rel, content in files.items():
            other = got["exports"][name].get(rel)
            assert other == content, f"{name}/{rel} differs:\n" + "\n".join(
                difflib.unified_diff(content.splitlines(), (other or "").splitlines(), "local", "cluster", lineterm=""))
    assert got == want
    assert image_files(tmp_path / "pipeline") == []  # the workspace folder holds no image at all
    # Every model request of the cluster run came from the cluster's two nodes, none from this process.
    assert {node_of(r) for r in on_ray} == {"head", "worker"}
    assert len(on_ray) == n_local
    local.close()
    remote.close()


def test_the_store_down_mid_run_fails_items_with_its_reason_and_a_rerun_completes(ray_cluster, cluster_s3, pg_url,
                                                                                  tmp_path):
    pairs = make_pairs(tmp_path / "pairs", N)
    ws = remote_workspace(tmp_path, pg_url, cluster_s3, "down")
    assert ingest(ws, pairs).ingested == N
    callers: set[str] = set()
    went_down = False

    def store_goes_down_once_both_nodes_call(req: StubRequest) -> Reply | str:
        nonlocal went_down
        callers.add(node_of(req))
        if callers == {"head", "worker"} and not went_down:
            went_down = True
            # Both actors are up and each holds its first batch at the model (a batch is read
            # when it starts, and an actor starts its next batch only when this one is answered).
            cluster_s3.stop()
        return standin(req)

    with StubOpenAI(both_nodes_work(store_goes_down_once_both_nodes_call)) as stub:
        first = run_caption(ws, caption_config(stub.base_url, on_cluster(ray_cluster)))
        # Two batches of two were read before the store went away; no other item could be.
        assert first.done >= 1 and first.failed >= N - 4 and first.done + first.failed == N
        with ws.session() as s:
            errors = list(s.scalars(select(InstructionRecord.error).where(InstructionRecord.status == "failed")))
        assert len(errors) == first.failed
        assert all(e.startswith("image_read: ") and cluster_s3.store_url("down") in e and "failed while reading" in e
                   for e in errors), errors

        cluster_s3.start()
        again = run_caption(ws, caption_config(stub.base_url, on_cluster(ray_cluster), retry_failed=True))
    with ws.session() as s:
        still = list(s.scalars(select(InstructionRecord.error).where(InstructionRecord.status == "failed")))
    assert (again.attempted, again.done, again.status) == (first.failed, first.failed, "done"), still
    with ws.session() as s:
        rows = list(s.execute(select(InstructionRecord.status, func.count()).where(
            InstructionRecord.run_id == "r1").group_by(InstructionRecord.status)))
    assert rows == [("ok", N)]
    ws.close()


def test_wrong_credentials_on_the_workers_stop_the_run_with_one_line(ray_cluster, cluster_s3, pg_url, tmp_path):
    import ray

    ws = remote_workspace(tmp_path, pg_url, cluster_s3, "creds")
    assert ingest(ws, make_pairs(tmp_path / "pairs", 2)).ingested == 2
    # This job's workers get a wrong secret key (the nodes' own environment stays right).
    ray.shutdown()
    ray.init(address=ray_cluster.address, log_to_driver=False, logging_level="warning",
             runtime_env={"env_vars": {"AWS_SECRET_ACCESS_KEY": "not-the-secret"}})
    try:
        with StubOpenAI(standin) as stub, pytest.raises(RayWorkerError) as err:
            run_caption(ws, caption_config(stub.base_url, on_cluster(ray_cluster)))
        assert stub.count == 0
    finally:
        ray.shutdown()
        ray.init(address=ray_cluster.address, log_to_driver=False, logging_level="warning")
    message = str(err.value)
    assert "\n" not in message and "StoreUnavailable" in message and "access denied" in message, message
    assert cluster_s3.store_url("creds") in message and "not-the-secret" not in message
    with ws.session() as s:
        assert s.scalar(select(func.count()).select_from(InstructionRecord).where(
            InstructionRecord.run_id == "r1")) == 0
    ws.close()


def test_a_killed_driver_resumes_from_the_database(ray_cluster, cluster_s3, pg_url, tmp_path):
    pairs = make_pairs(tmp_path / "pairs", N)
    with StubOpenAI(standin) as stub:
        local = Workspace.init(tmp_path / "local")
        assert ingest(local, pairs).ingested == N
        run_caption(local, caption_config(stub.base_url))
        run_scoring(local, score_config(stub.base_url))
        ws = remote_workspace(tmp_path, pg_url, cluster_s3, "driver")
        assert ingest(ws, pairs).ingested == N
        run_caption(ws, caption_config(stub.base_url))
        command = [sys.executable, "-m", "editcaption.cli", "score", "-w", str(ws.root), "--json", "--run", "r1",
                   "-m", f"editscore:{SCORER}@{stub.base_url}", "--score-run", "score-r1", "--max-retries", "0",
                   "--executor", "ray", "--ray-address", ray_cluster.address, "--ray-batch-size", "2"]
        # The driver (this command) kills itself once its second score is saved (testhook).
        killed = subprocess.run(command, env={**os.environ, "EDITCAPTION_TEST_KILL_AFTER": "score:2"},
                                capture_output=True, text=True)
        assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
        with ws.session() as s:
            saved = s.scalar(select(func.count()).select_from(ScoreRecord))
        assert 2 <= saved < N
        resumed = subprocess.run(command, capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    summary = json.loads(resumed.stdout)
    assert (summary["resumed"], summary["already_scored"], summary["ok"], summary["status"]) == (
        True, saved, N - saved, "done")
    assert scores_by_text(ws) == scores_by_text(local)
    local.close()
    ws.close()


def scores_by_text(ws: Workspace) -> list[tuple[str, float, str]]:
    """(instruction, overall, components) of every score, sorted: one row per instruction scored."""
    with ws.session() as s:
        return sorted((text, rec.overall, json.dumps(rec.components, sort_keys=True)) for rec, text in s.execute(
            select(ScoreRecord, InstructionRecord.text).join(InstructionRecord,
                                                            InstructionRecord.id == ScoreRecord.instruction_id)))


class KillNodeAfter:
    """A progress sink: after ``k`` results are saved, the worker node dies (SIGKILL to all its processes).

    It dies holding work: the kill waits (on the gate, not the clock) until one of its requests
    is held at the model, which never answers it.
    """

    def __init__(self, cluster, k: int, held: Gate):  # noqa: ANN001
        self.cluster, self.k, self.held, self.saved, self.killed_at = cluster, k, held, 0, None

    def start(self, total: int, description: str) -> None:
        pass

    def advance(self, ok: int, failed: int) -> None:
        self.saved += ok + failed
        if self.killed_at is None and self.saved >= self.k:
            self.killed_at = self.saved
            assert self.held.wait_until_held(1), "the worker node never sent a request"
            self.cluster.kill_worker_node()

    def stop(self) -> None:
        pass


def test_a_worker_node_killed_mid_run_has_its_items_redone_and_none_twice(ray_cluster, cluster_s3, pg_url, tmp_path):
    pairs = make_pairs(tmp_path / "pairs", N)
    held = Gate()  # the worker node's requests are never answered: its items are certainly unfinished

    with StubOpenAI(standin) as stub:
        # What the scores must be: the same steps, locally.
        local = Workspace.init(tmp_path / "local")
        assert ingest(local, pairs).ingested == N
        run_caption(local, caption_config(stub.base_url))
        run_scoring(local, score_config(stub.base_url))
        n_local = stub.count

        ws = remote_workspace(tmp_path, pg_url, cluster_s3, "kill")
        assert ingest(ws, pairs).ingested == N
        run_caption(ws, caption_config(stub.base_url))
        stub.responder = both_nodes_work(standin, worker_reply=lambda req: Reply.held(held))
        hook = KillNodeAfter(ray_cluster, k=2, held=held)
        summary = run_scoring(ws, score_config(stub.base_url), ray=on_cluster(ray_cluster), progress=hook)
        requests = stub.requests[n_local:]

    assert hook.killed_at is not None and hook.killed_at < N
    assert (summary.ok, summary.unscored, summary.status) == (N, 0, "done")
    # The dead node had items in hand; each was scored again on the head node.
    lost = {instruction_of(r) for r in requests if node_of(r) == "worker" and kind_of(r) == "sc"}
    redone = {instruction_of(r) for r in requests if node_of(r) == "head" and kind_of(r) == "sc"}
    assert lost and lost <= redone
    with ws.session() as s:
        rows = list(s.scalars(select(ScoreRecord).where(ScoreRecord.run_id == "score-r1")))
    assert len(rows) == len({r.instruction_id for r in rows}) == N  # one score per instruction, none twice
    assert scores_by_text(ws) == scores_by_text(local)
    local.close()
    ws.close()
