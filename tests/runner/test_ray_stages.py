"""Score, eval judge and gt draft on Ray (a 2-CPU Ray in this process) give what the local executor gives.

The whole pipeline runs twice on the same pairs — every model stage local, then every one on
Ray actors — and the instructions, ground truth, scores and export files are equal byte for
byte. A second Ray run finds everything done (resume) and asks nothing again. A 401 from the
server stops a Ray run with the reason, as it stops a local one.
"""

from __future__ import annotations

import pytest

from caption.captionhelpers import make_pairs
from cluster.pipeline import caption_config, judge_config, run_pipeline, score_config, snapshot, standin
from editcaption.caption import run_caption
from editcaption.evaluate.judge import run_judge
from editcaption.ingest import ingest
from editcaption.runner.ray_executor import RayOptions
from editcaption.scoring import run_scoring
from editcaption.testing.stub_openai import Reply, StubOpenAI
from editcaption.workspace import Workspace

pytestmark = pytest.mark.slow

N = 6


def test_every_stage_on_ray_equals_local_byte_for_byte(local_ray, tmp_path):
    pairs = make_pairs(tmp_path / "pairs", N)
    with StubOpenAI(standin) as stub:
        local = Workspace.init(tmp_path / "local")
        want = run_pipeline(local, pairs, stub.base_url, tmp_path / "out-local")
        on_ray = Workspace.init(tmp_path / "ray")
        got = run_pipeline(on_ray, pairs, stub.base_url, tmp_path / "out-ray",
                           ray=RayOptions(workers=2, batch_size=2, cpus_per_worker=0.5))
        assert got == want
        assert len(got["scores"]) == N and all(len(v) == 2 for v in got["scores"].values())
        assert {s[1] for v in got["scores"].values() for s in v} == {"ok"}

        # Everything is done: a rerun on Ray skips every item and sends no request.
        before = stub.count
        ray = RayOptions(workers=2, batch_size=2, cpus_per_worker=0.5)
        assert run_scoring(on_ray, score_config(stub.base_url), ray=ray).attempted == 0
        assert run_judge(on_ray, judge_config(stub.base_url), ray=ray).selected == N
        assert stub.count == before and snapshot(on_ray, tmp_path / "again") == want
        local.close()
        on_ray.close()


def test_a_refused_key_stops_a_ray_run_with_the_reason_and_a_rerun_finishes(local_ray, tmp_path):
    pairs = make_pairs(tmp_path / "pairs", N)
    with StubOpenAI(standin) as stub:
        ws = Workspace.init(tmp_path / "ws")
        run_pipeline_until_scoring(ws, pairs, stub.base_url)
        stub.responder = lambda req: Reply.unauthorized()
        ray = RayOptions(workers=2, batch_size=2, cpus_per_worker=0.5)
        refused = run_scoring(ws, score_config(stub.base_url), ray=ray)
        assert refused.status == "aborted" and "401" in (refused.stopped or "")
        assert refused.ok == 0
        stub.responder = standin
        again = run_scoring(ws, score_config(stub.base_url), ray=ray)
    assert (again.ok, again.status) == (N, "done")
    ws.close()


def run_pipeline_until_scoring(ws: Workspace, pairs, base_url: str) -> None:  # noqa: ANN001
    assert ingest(ws, pairs).ingested == N
    assert run_caption(ws, caption_config(base_url)).done == N
