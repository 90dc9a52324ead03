"""The Ray executor (local 2-CPU Ray) gives the same instructions as the local executor."""

from __future__ import annotations

import pytest
from captionhelpers import make_workspace, names_by_id
from sqlalchemy import select

from editcaption.caption import CaptionConfig, run_caption
from editcaption.demo import samples_dir
from editcaption.ingest import ingest
from editcaption.llm import ModelCallConfig
from editcaption.testing.stub_openai import Reply
from editcaption.workspace.models import InstructionRecord

pytestmark = pytest.mark.slow


def texts(ws, run):  # noqa: ANN001
    with ws.session() as s:
        return {r.pair_id: (r.status, r.text, r.error) for r in
                s.scalars(select(InstructionRecord).where(InstructionRecord.run_id == run))}


def test_ray_equals_local_for_delta_and_resumes(local_ray, tmp_path):
    ws = make_workspace(tmp_path, 6)
    ingest(ws, samples_dir() / "pairs" / "manifest.jsonl")  # real photos: pans, zoom, mirror, tone, an added disc
    local = run_caption(ws, CaptionConfig(model="delta", run_name="local"))
    remote = run_caption(ws, CaptionConfig(model="delta", executor="ray", run_name="on-ray", ray_workers=2,
                                           ray_batch_size=3))
    assert local.done == remote.done == 12 and remote.executor == "ray"
    a, b = texts(ws, "local"), texts(ws, "on-ray")
    assert a == b and len(a) == 12
    names = names_by_id(ws)
    assert all(status == "ok" and text for status, text, _ in b.values()), b
    assert {names[p] for p in b} >= {"chelsea_pan_left", "astronaut_mirror", "rocket_zoom_in"}
    again = run_caption(ws, CaptionConfig(model="delta", executor="ray", run_name="on-ray"))
    assert again.resumed and again.attempted == 0 and texts(ws, "on-ray") == b
    ws.close()


def test_ray_carries_failures_and_usage_from_an_openai_backend(local_ray, tmp_path, stub):
    ws = make_workspace(tmp_path, 8)
    stub.script(Reply.bad_request("too many images"))
    summary = run_caption(ws, CaptionConfig(model=f"openai:teacher-vl@{stub.base_url}", executor="ray",
                                            run_name="r", ray_batch_size=4, calls=ModelCallConfig(concurrency=2)))
    got = texts(ws, "r")
    assert len(got) == 8 and summary.done == 7 and summary.failed_by_reason == {"http_400": 1}
    [failed] = [v for v in got.values() if v[0] == "failed"]
    assert failed[1] is None and failed[2].startswith("http_400: ") and "too many images" in failed[2]
    assert all(text.startswith("Apply edit ") for status, text, _ in got.values() if status == "ok")
    assert summary.tokens["completion_tokens"] == 7 * 7
    ws.close()
