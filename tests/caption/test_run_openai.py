"""Caption runs against the stub server: exact requests, faults per pair, resume, retry, abort.

No test here depends on how fast the machine is: healthy replies answer at once and run
under the default (long) client timeout; a timeout is a request the stub holds at a gate,
which no client timeout can outrun.
"""

from __future__ import annotations

import dataclasses
import threading
from collections import Counter

import numpy as np
import pytest
from captionhelpers import STEP, names_by_id, pair_index
from sqlalchemy import select

from editcaption.caption import CaptionConfig, CaptionConfigError, GenerationOptions, run_caption
from editcaption.llm import ModelCallConfig
from editcaption.prompts import SOURCE_LABEL, TARGET_LABEL, load_prompt
from editcaption.testing.stub_openai import Gate, Reply
from editcaption.workspace.models import InstructionRecord, RunRecord


def rows(ws, run):  # noqa: ANN001
    with ws.session() as s:
        return list(s.scalars(select(InstructionRecord).where(InstructionRecord.run_id == run)))


def by_index(ws, run):  # noqa: ANN001
    names = names_by_id(ws)
    return {int(names[r.pair_id][1:]): r for r in rows(ws, run)}


CALL_SETTINGS = {f.name for f in dataclasses.fields(ModelCallConfig)}


def config(stub, **kw):  # noqa: ANN001
    """A run on the stub; model-call settings (timeout, concurrency ...) go to the shared ModelCallConfig."""
    kw.setdefault("run_name", "r1")
    calls = {k: kw.pop(k) for k in list(kw) if k in CALL_SETTINGS}
    calls.setdefault("concurrency", 4)
    return CaptionConfig(model=f"openai:teacher-vl@{stub.base_url}", calls=ModelCallConfig(**calls), **kw)


# pair index → what the server does for it (every attempt unless a list gives attempt by attempt)
FAULTS = {
    0: [Reply.rate_limited(retry_after=0.05)],  # one 429, then fine
    1: Reply.server_error(500),  # 500 every time → gives up
    3: Reply.malformed(),  # garbled body every time
    4: Reply.empty(),  # answered, but nothing in it
    5: Reply.bad_request("image too large"),  # refused, not retried
    6: [Reply.server_error(502), Reply.server_error(503)],  # 502, 503, then fine
}


def scripted(fault_table):  # noqa: ANN001
    seen: Counter[int] = Counter()
    lock = threading.Lock()

    def responder(req):  # noqa: ANN001
        i = pair_index(req)
        with lock:
            n = seen[i]
            seen[i] += 1
        fault = fault_table.get(i)
        if isinstance(fault, list):
            return fault[n] if n < len(fault) else Reply.ok(f"Add a yellow square to pair {i}.")
        return fault or Reply.ok(f"Add a yellow square to pair {i}.")

    return responder, seen


def test_every_pair_ends_done_or_failed_with_its_reason(ws12, stub):
    stub.responder, seen = scripted(FAULTS)
    summary = run_caption(ws12, config(stub, max_retries=2))
    got = by_index(ws12, "r1")
    assert sorted(got) == list(range(12))  # exactly one row per pair
    reasons = {i: (r.error or "").split(":")[0] for i, r in got.items() if r.status == "failed"}
    assert reasons == {1: "http_500", 3: "malformed_response", 4: "empty_content", 5: "http_400"}
    for i in {0, 2, 6, 7, 8, 9, 10, 11}:
        assert got[i].status == "ok" and got[i].text == f"Add a yellow square to pair {i}."
        assert got[i].usage["completion_tokens"] == 7 and got[i].error is None
        assert got[i].producer == f"openai:teacher-vl@{stub.base_url}"
        assert got[i].prompt_version == load_prompt().id
    assert (got[0].attempts, got[6].attempts, got[7].attempts) == (2, 3, 1)
    assert (seen[1], seen[3], seen[4], seen[5], seen[6]) == (3, 3, 1, 1, 3)  # retried only what is transient
    assert "gave up after 3 attempts" in got[1].error and "image too large" in got[5].error
    assert (summary.done, summary.failed) == (8, 4) and summary.status == "partial"
    assert summary.failed_by_reason == {"empty_content": 1, "http_400": 1, "http_500": 1, "malformed_response": 1}
    assert summary.tokens["completion_tokens"] == 8 * 7
    with ws12.session() as s:
        run = s.get(RunRecord, "r1")
        assert run.status == "partial" and run.counts["ok"] == 8 and run.counts["failed"] == 4
        assert run.config["model"] == f"openai:teacher-vl@{stub.base_url}"
        assert run.config["prompt_id"] == load_prompt().id and run.package_version
        assert (run.config["max_retries"], run.config["concurrency"], run.config["temperature"]) == (2, 4, 0.0)


def test_a_request_that_never_answers_fails_as_a_timeout_after_every_attempt(ws12, stub):
    never = Gate()  # released only at the end: every request held there outlives the client's timeout
    stub.responder, seen = scripted({2: Reply.held(never), 7: Reply.held(never)})
    summary = run_caption(ws12, config(stub, where={"name": ["p02", "p07"]}, timeout=1.0, max_retries=1))
    never.release()
    got = by_index(ws12, "r1")
    assert sorted(got) == [2, 7] and set(seen) == {2, 7}
    for row in got.values():  # every attempt timed out: a held request cannot answer in time on any machine
        assert row.status == "failed" and row.attempts == 2 and row.text is None
        assert row.error.startswith("timeout: no answer from ") and "within 1s (gave up after 2 attempts)" in row.error
    assert (summary.done, summary.failed, summary.failed_by_reason) == (0, 2, {"timeout": 2})
    assert summary.status == "partial"


def test_request_is_the_prompt_with_source_then_target(ws12, stub):
    cfg = config(stub, limit=1, extra_body={"chat_template_kwargs": {"enable_thinking": False}}, temperature=0.0,
                 generation=GenerationOptions(max_tokens=200, seed=7), image_max_side=32)
    run_caption(ws12, cfg)
    [req] = stub.requests
    body = req.json
    assert body["model"] == "teacher-vl" and body["chat_template_kwargs"] == {"enable_thinking": False}
    assert (body["temperature"], body["max_tokens"], body["seed"]) == (0.0, 200, 7)
    assert req.texts == [SOURCE_LABEL, TARGET_LABEL, load_prompt().render()]
    source, target = req.images()
    assert source.shape == target.shape == (24, 32, 3)  # 64×48 → longest side 32
    assert abs(source[..., 0].mean() - 0 * STEP) < 4  # pair p00's source ...
    assert target[8:14, 12:20].mean(axis=(0, 1))[2] < 60  # ... and its target, with the yellow square


def test_prompt_file_overrides_and_is_recorded(ws12, stub, tmp_path):
    mine = tmp_path / "terse.txt"
    mine.write_text("Say in one sentence what changed.\n")
    summary = run_caption(ws12, config(stub, limit=2, prompt_path=str(mine), run_name=None))
    custom = load_prompt(path=mine)
    assert summary.prompt_id == custom.id and summary.run.startswith("caption-openai-teacher-vl-terse-custom-")
    assert {r.texts[-1] for r in stub.requests} == {"Say in one sentence what changed."}
    assert {r.prompt_version for r in rows(ws12, summary.run)} == {custom.id}


def test_resume_skips_done_pairs_and_retry_failed_redoes_failures(ws12, stub):
    stub.responder, seen = scripted({3: Reply.bad_request(), 8: Reply.bad_request()})
    first = run_caption(ws12, config(stub))
    assert (first.done, first.failed) == (10, 2)
    again = run_caption(ws12, config(stub))
    assert again.resumed and again.attempted == 0 and again.already_done == 10 and again.failed_not_retried == 2
    assert len(stub.requests) == 12
    stub.responder, seen = scripted({})
    retried = run_caption(ws12, config(stub, retry_failed=True))
    assert retried.attempted == 2 and retried.done == 2 and retried.status == "done"
    assert sorted(pair_index(r) for r in stub.requests[12:]) == [3, 8]
    got = by_index(ws12, "r1")
    assert len(got) == 12 and all(r.status == "ok" and r.error is None for r in got.values())
    assert got[3].attempts == 2 and got[3].text == "Add a yellow square to pair 3."


def test_a_401_stops_the_run_and_a_fixed_key_finishes_it(ws12, stub, monkeypatch):
    monkeypatch.setenv("TEACHER_KEY", "sk-wrong")
    stub.responder = lambda req: (Reply.unauthorized() if req.headers.get("authorization") != "Bearer sk-right"
                                  else Reply.ok("Add a yellow square."))
    summary = run_caption(ws12, config(stub, concurrency=2, api_key_env="TEACHER_KEY"))
    assert summary.status == "aborted" and "$TEACHER_KEY" in summary.stopped and "sk-wrong" not in summary.stopped
    assert len(stub.requests) <= 2 + 2  # the workers stop taking pairs after the first 401
    assert summary.done == 0 and 1 <= summary.failed <= 4
    monkeypatch.setenv("TEACHER_KEY", "sk-right")
    fixed = run_caption(ws12, config(stub, concurrency=2, api_key_env="TEACHER_KEY", retry_failed=True))
    assert fixed.status == "done"
    got = rows(ws12, "r1")
    assert len(got) == 12 and {r.status for r in got} == {"ok"}
    with ws12.session() as s:
        run = s.get(RunRecord, "r1")
        assert run.config["api_key_env"] == "TEACHER_KEY" and "sk-" not in str(run.config)


def test_where_and_limit_select_the_run(ws12, stub):
    summary = run_caption(ws12, config(stub, where={"name": ["p02", "p05", "p09"]}, limit=2))
    assert summary.selected == 2
    assert sorted(by_index(ws12, "r1")) == [2, 5]


def test_resuming_with_another_model_or_prompt_is_refused(ws12, stub):
    run_caption(ws12, config(stub, limit=1))
    with pytest.raises(CaptionConfigError, match="was started with model 'openai:teacher-vl'"):
        run_caption(ws12, CaptionConfig(model=f"openai:other@{stub.base_url}", run_name="r1"))
    with pytest.raises(CaptionConfigError, match="was started with prompt"):
        run_caption(ws12, config(stub, grounded=True))
    # the same model served elsewhere is the same producer: resuming is allowed
    summary = run_caption(ws12, CaptionConfig(model=f"openai:teacher-vl@{stub.base_url}/", run_name="r1", limit=1))
    assert summary.resumed and summary.attempted == 0


def test_bad_images_fail_alone(ws12, stub):
    from editcaption.workspace.models import PairRecord

    with ws12.session() as s:
        victim = s.scalar(select(PairRecord).where(PairRecord.name == "p04"))
        path = ws12.store.path_for(victim.source.sha256, victim.source.ext)
    path.write_bytes(b"\x89PNG\r\n\x1a\n broken")
    summary = run_caption(ws12, config(stub))
    got = by_index(ws12, "r1")
    assert got[4].status == "failed" and got[4].error.startswith("image_decode: ")
    assert summary.done == 11 and all(got[i].status == "ok" for i in got if i != 4)
    assert np.all([pair_index(r) != 4 for r in stub.requests])
