"""Scoring runs on a workspace against the stub: scores written, cache, resume, retry, failures."""

from __future__ import annotations

import dataclasses
import os

import pytest
from scoring_helpers import SAMPLE_RUN, answer, editscore_responder, instruction_of, kind_of
from sqlalchemy import select

from editcaption.llm import ModelCallConfig
from editcaption.scoring import ScoreConfig, run_scoring
from editcaption.scoring.records import select_items
from editcaption.testing.stub_openai import Reply
from editcaption.workspace.models import LLMCacheRecord, RunRecord, ScoreRecord

# The sample manifest's reference instructions, answered with a known SC per instruction.
SC_BY_INSTRUCTION = {
    "Pan the camera to the left.": answer([10, 5]),  # SC 2
    "Brighten the whole image.": answer([25, 25]),  # SC 10
    "Mirror the image horizontally.": answer([20, 15]),  # SC 6
    "Zoom in on the center of the image.": answer([5, 20]),  # SC 2
    "Convert the whole image to black and white.": answer([22, 24]),  # SC 8.8
    "Add a red disc at the upper right of the image.": answer([15, 20]),  # SC 6
}
PQ = answer([25, 25])  # PQ 10 → overall = sqrt(10 × SC)


def config(stub, **kw) -> ScoreConfig:  # noqa: ANN001
    """A scoring run on the stub; model-call settings (retries, concurrency ...) go to the shared ModelCallConfig."""
    calls = {k: kw.pop(k) for k in list(kw) if k in {f.name for f in dataclasses.fields(ModelCallConfig)}}
    calls.setdefault("max_retries", 1)
    return ScoreConfig(scorer=f"editscore:EditScore-7B@{stub.base_url}", calls=ModelCallConfig(**calls), **kw)


def scores_by_text(ws) -> dict[str, ScoreRecord]:  # noqa: ANN001
    from editcaption.workspace.models import InstructionRecord

    with ws.session() as s:
        rows = s.execute(select(InstructionRecord.text, ScoreRecord).join(
            ScoreRecord, ScoreRecord.instruction_id == InstructionRecord.id)).all()
    return {text: rec for text, rec in rows}


def test_a_run_scores_every_ok_instruction_and_a_rerun_makes_no_calls(samples_ws, stub):
    stub.responder = editscore_responder(SC_BY_INSTRUCTION, PQ)
    summary = run_scoring(samples_ws, config(stub))
    assert (summary.run, summary.scorer, summary.selected, summary.ok, summary.unscored) == (
        SAMPLE_RUN, "editscore:EditScore-7B", 6, 6, 0)
    assert summary.status == "done" and summary.calls == 12 and stub.count == 12
    scores = scores_by_text(samples_ws)
    assert scores["Brighten the whole image."].overall == pytest.approx(10.0)
    assert scores["Pan the camera to the left."].overall == pytest.approx(20 ** 0.5)
    assert scores["Convert the whole image to black and white."].overall == pytest.approx(88 ** 0.5)
    rec = scores["Mirror the image horizontally."]
    assert rec.status == "ok" and rec.scorer == "editscore:EditScore-7B" and rec.run_id == summary.score_run
    assert rec.components["per_pass"][0]["sc"]["raw"] == [20, 15] and rec.components["semantic_consistency"] == 6.0
    with samples_ws.session() as s:
        run = s.get(RunRecord, summary.score_run)
        assert run.kind == "score" and run.status == "done" and run.counts["ok"] == 6
        assert run.config["model"] == "EditScore-7B" and run.config["prompt_ids"]["sc"].startswith("editscore-sc-v1@")
        # Every answer is cached: 6 SC + 6 PQ.
        assert len(list(s.scalars(select(LLMCacheRecord.key)))) == 12

    again = run_scoring(samples_ws, config(stub))
    assert stub.count == 12 and again.calls == 0 and again.already_scored == 6 and again.resumed

    # Scoring again from scratch (another scoring run, or --rescore) is answered by the cache alone.
    other = run_scoring(samples_ws, config(stub, score_run="second-opinion"))
    rescored = run_scoring(samples_ws, config(stub, rescore=True))
    assert stub.count == 12
    assert (other.calls, other.cached_calls, other.ok) == (0, 12, 6)
    assert (rescored.calls, rescored.cached_calls, rescored.ok) == (0, 12, 6)
    with samples_ws.session() as s:  # rescoring replaced the rows, it did not add more
        assert len(list(s.scalars(select(ScoreRecord.id).where(ScoreRecord.run_id == summary.score_run)))) == 6


def test_more_passes_reuse_the_cached_first_pass(samples_sqlite, stub):
    stub.responder = editscore_responder(SC_BY_INSTRUCTION, PQ)
    run_scoring(samples_sqlite, config(stub, limit=2))
    assert stub.count == 4
    four = run_scoring(samples_sqlite, config(stub, limit=2, passes=4))
    # The settings changed (passes), so both items are scored again; seed 42 comes from the cache.
    assert four.attempted == 2 and four.cached_calls == 4 and four.calls == 12 and stub.count == 16


def test_no_cache_asks_the_server_again(samples_sqlite, stub):
    stub.responder = editscore_responder(SC_BY_INSTRUCTION, PQ)
    run_scoring(samples_sqlite, config(stub, limit=1))
    fresh = run_scoring(samples_sqlite, config(stub, limit=1, rescore=True, use_cache=False))
    assert fresh.calls == 2 and fresh.cached_calls == 0 and stub.count == 4


def test_failed_requests_are_unscored_and_retried_by_running_again(samples_sqlite, stub):
    broken = {"Pan the camera to the left.", "Add a red disc at the upper right of the image."}
    ok = editscore_responder(SC_BY_INSTRUCTION, PQ)
    stub.responder = lambda req: (Reply.server_error(502, "bad gateway")
                                  if kind_of(req) == "sc" and instruction_of(req) in broken else ok(req))
    first = run_scoring(samples_sqlite, config(stub))
    assert (first.ok, first.unscored, first.unscored_by_reason) == (4, 2, {"request_failed": 2})
    assert first.status == "partial"
    rec = scores_by_text(samples_sqlite)["Pan the camera to the left."]
    assert rec.status == "unscored" and rec.overall is None and rec.reason.startswith("request_failed: pass 1")
    assert "http_502" in rec.reason
    n = stub.count

    stub.responder = ok  # the server recovered
    second = run_scoring(samples_sqlite, config(stub))
    assert (second.attempted, second.ok, second.unscored, second.status) == (2, 2, 0, "done")
    assert second.calls == 2 and second.cached_calls == 2 and stub.count == n + 2  # only the failed SC calls
    assert scores_by_text(samples_sqlite)["Pan the camera to the left."].overall == pytest.approx(20 ** 0.5)


def test_unreadable_answers_are_unscored_with_the_reason(samples_sqlite, stub):
    sc = dict(SC_BY_INSTRUCTION, **{"Brighten the whole image.": "Brighter indeed: 25/25."})
    stub.responder = editscore_responder(sc, PQ, repair="25 and 25.")
    summary = run_scoring(samples_sqlite, config(stub))
    assert summary.unscored_by_reason == {"unreadable": 1}
    rec = scores_by_text(samples_sqlite)["Brighten the whole image."]
    assert rec.status == "unscored" and rec.overall is None
    assert rec.reason.startswith("unreadable: pass 1 (seed 42) SC: unreadable after one repair request")
    sc_call = rec.components["per_pass"][0]["sc"]
    assert sc_call["text"] == "Brighter indeed: 25/25." and sc_call["repair"]["text"] == "25 and 25."
    # The answers are cached: running again reproduces the same verdict with no new calls.
    n = stub.count
    again = run_scoring(samples_sqlite, config(stub))
    assert again.attempted == 1 and again.calls == 0 and again.unscored == 1 and stub.count == n


def test_a_missing_image_is_unscored_and_the_batch_goes_on(samples_sqlite, stub):
    stub.responder = editscore_responder(SC_BY_INSTRUCTION, PQ)
    items = select_items(samples_sqlite, SAMPLE_RUN)
    victim = next(i for i in items if i.text == "Zoom in on the center of the image.")
    os.remove(samples_sqlite.store.local_path(victim.target))
    summary = run_scoring(samples_sqlite, config(stub))
    assert (summary.ok, summary.unscored_by_reason) == (5, {"image_unreadable": 1})
    rec = scores_by_text(samples_sqlite)["Zoom in on the center of the image."]
    assert rec.reason.startswith("image_unreadable:") and "not in the store" in rec.reason


def test_an_unauthorised_server_stops_the_run(samples_sqlite, stub):
    stub.responder = lambda req: Reply.unauthorized()
    summary = run_scoring(samples_sqlite, config(stub, concurrency=1))
    assert summary.status == "aborted" and "http_401" in summary.stopped
    assert summary.ok == 0 and summary.unscored < 6  # it stopped instead of failing item after item


def test_selection_needs_a_run_when_there_are_several(samples_sqlite, stub):
    from editcaption.scoring import ScoringSelectionError
    from editcaption.workspace.models import InstructionRecord

    with samples_sqlite.session() as s:
        s.add(RunRecord(id="teacher", kind="caption", config={}, package_version="0", status="done"))
        pid = s.scalars(select(InstructionRecord.pair_id)).first()
        s.flush()
        s.add(InstructionRecord(pair_id=pid, run_id="teacher", text="Do something.", producer="x", status="ok"))
        s.add(RunRecord(id="empty", kind="caption", config={}, package_version="0"))  # no instructions: not counted
    with pytest.raises(ScoringSelectionError, match="has 2 runs with instructions; choose one with --run"):
        run_scoring(samples_sqlite, config(stub))
    with pytest.raises(ScoringSelectionError, match="no run 'nope'"):
        run_scoring(samples_sqlite, config(stub, run="nope"))
    stub.responder = editscore_responder(answer([20, 20]), PQ)
    summary = run_scoring(samples_sqlite, config(stub, run="teacher"))
    assert summary.selected == 1 and summary.ok == 1 and summary.score_run == "score-teacher-EditScore-7B"
