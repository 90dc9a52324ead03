"""One item through the scorer against the stub: known answers, the repair path, and `unscored`."""

from __future__ import annotations

import asyncio
import math

import numpy as np
import pytest
from scoring_helpers import answer, editscore_responder, kind_of

from editcaption.llm import ChatClient, ImageEncoding, RetryPolicy, encode_pair
from editcaption.scoring import EditScorer
from editcaption.testing.stub_openai import Reply

INSTRUCTION = "Add a red disc at the upper right."
FAST = RetryPolicy(max_retries=1, base_delay=0.01, max_delay=0.02)


def pair():  # noqa: ANN201
    src = np.full((48, 64, 3), 120, np.uint8)
    tgt = src.copy()
    tgt[5:20, 40:60] = (230, 10, 10)
    return encode_pair(src, tgt, ImageEncoding(max_side=64, format="png"))


def run_scorer(stub, passes: int = 1, **client_kw):  # noqa: ANN001, ANN201
    client = ChatClient(stub.base_url, retry=client_kw.pop("retry", FAST), **client_kw)
    scorer = EditScorer(client, "EditScore-7B", base="qwen25vl", passes=passes)

    async def go():  # noqa: ANN202
        try:
            return await scorer.score(INSTRUCTION, pair())
        finally:
            await client.aclose()

    return asyncio.run(go())


def test_known_answers_give_the_scaled_components_and_composite(stub):
    stub.responder = editscore_responder(answer([20, 15], "Disc added; sky untouched."), answer([25, 22], "Clean."))
    out = run_scorer(stub)
    assert out.ok and out.reason is None
    c = out.components
    assert (c["prompt_following"], c["consistency"], c["semantic_consistency"]) == (8.0, 6.0, 6.0)
    assert (c["naturalness"], c["artifacts"], c["perceptual_quality"]) == (10.0, 8.8, 8.8)
    assert out.overall == pytest.approx(math.sqrt(6.0 * 8.8)) == c["overall"]
    (p,) = c["per_pass"]
    assert p["seed"] == 42 and p["sc"]["raw"] == [20, 15] and p["pq"]["raw"] == [25, 22]
    assert p["sc"]["reasoning"] == "Disc added; sky untouched." and p["sc"]["text"] == answer([20, 15],
                                                                                              "Disc added; sky untouched.")
    assert p["sc"]["repair"] is None and c["base"] == "qwen25vl" and c["passes"] == 1
    assert out.calls == 2 and out.cached == 0 and out.usage["total_tokens"] > 0


def test_passes_are_averaged_with_one_seed_each(stub):
    # Seed 42 → SC [25, 25]; seed 43 → SC [10, 25]; PQ always [25, 25]: overalls 10 and sqrt(4 × 10).
    stub.responder = editscore_responder(lambda req: answer([25, 25] if req.json["seed"] == 42 else [10, 25]),
                                         answer([25, 25]))
    out = run_scorer(stub, passes=2)
    assert out.ok
    assert [p["seed"] for p in out.components["per_pass"]] == [42, 43]
    assert out.overall == pytest.approx((10 + math.sqrt(40)) / 2)
    assert out.components["prompt_following"] == pytest.approx(7.0)


def test_an_unreadable_answer_gets_one_repair_request(stub):
    stub.responder = editscore_responder("The disc is there; I'd say twenty and fifteen.", answer([25, 25]),
                                         repair="Sure!\n```json\n{'reasoning': 'Disc added.', 'score': [20, 15],}\n```")
    out = run_scorer(stub)
    assert out.ok and out.components["prompt_following"] == 8.0
    kinds = [kind_of(r) for r in stub.requests]
    assert sorted(kinds) == ["pq", "repair", "sc"]
    repair = next(r for r in stub.requests if kind_of(r) == "repair")
    # The repair request replays the conversation, shows the model its answer and asks for the JSON only.
    assert [m["role"] for m in repair.messages] == ["user", "assistant", "user"]
    assert repair.messages[1]["content"] == "The disc is there; I'd say twenty and fifteen."
    assert "no JSON" in repair.texts[-1] and "integers from 0 to 25" in repair.texts[-1]
    assert len(repair.image_urls) == 2 and repair.json["seed"] == 42
    sc = out.components["per_pass"][0]["sc"]
    assert sc["repair"]["problem"].startswith("no JSON") and "Disc added." in sc["repair"]["text"]
    assert "single quotes" in sc["repairs"] and out.calls == 3


def test_a_second_unreadable_answer_leaves_the_item_unscored(stub):
    stub.responder = editscore_responder(answer([20, 15]), "Quality is high.", repair="It really is high quality.")
    out = run_scorer(stub)
    assert not out.ok and out.overall is None and out.status == "unscored"
    assert out.reason == ("unreadable: pass 1 (seed 42) PQ: unreadable after one repair request: "
                          "no JSON value in the reply: 'It really is high quality.'")
    assert sorted(kind_of(r) for r in stub.requests) == ["pq", "repair", "sc"]  # exactly one repair
    assert "overall" not in out.components and out.components["per_pass"][0]["sc"]["raw"] == [20, 15]


def test_an_empty_answer_is_unreadable_not_a_failed_request(stub):
    stub.responder = editscore_responder(answer([20, 15]), Reply.empty(), repair=Reply.empty())
    out = run_scorer(stub)
    assert out.reason == "unreadable: pass 1 (seed 42) PQ: unreadable after one repair request: the reply is empty"
    pq = out.components["per_pass"][0]["pq"]
    assert pq["text"] == "" and pq["repair"] == {"problem": "the reply is empty", "text": ""}


def test_out_of_range_is_unscored_without_a_repair(stub):
    stub.responder = editscore_responder(answer([30, 15]), answer([25, 25]))
    out = run_scorer(stub)
    assert out.status == "unscored" and out.overall is None
    assert out.reason == "out_of_range: pass 1 (seed 42) SC: score[0] = 30 is outside 0–25"
    assert len(stub.requests) == 2


def test_one_bad_pass_of_several_leaves_no_score(stub):
    stub.responder = editscore_responder(lambda req: answer([20, 15] if req.json["seed"] != 43 else [26, 1]),
                                         answer([25, 25]))
    out = run_scorer(stub, passes=3)
    assert out.status == "unscored" and out.overall is None
    assert out.reason.startswith("out_of_range: pass 2 (seed 43) SC")
    # The good passes are kept in full for inspection, but nothing is averaged.
    assert [p["scores"] is not None for p in out.components["per_pass"]] == [True, False, True]


def test_a_failed_request_is_unscored_with_the_error(stub):
    stub.responder = lambda req: (Reply.server_error(503, "overloaded") if kind_of(req) == "pq" else answer([20, 15]))
    out = run_scorer(stub)
    assert out.status == "unscored" and not out.fatal
    assert out.reason.startswith("request_failed: pass 1 (seed 42) PQ: http_503:")
    assert "overloaded" in out.reason and "gave up after 2 attempts" in out.reason


def test_an_unauthorised_server_is_fatal(stub):
    stub.responder = lambda req: Reply.unauthorized()
    out = run_scorer(stub)
    assert out.status == "unscored" and out.fatal and "http_401" in out.reason


def test_reasoning_before_the_answer_is_kept_in_the_record_and_skipped_by_the_parser(stub):
    thinking = '<think>The disc is small but clearly red.</think>\n{"reasoning": "Disc added.", "score": [20, 15]}'
    stub.responder = editscore_responder(thinking, answer([25, 25]))
    out = run_scorer(stub)
    assert out.ok and out.components["prompt_following"] == 8.0
    sc = out.components["per_pass"][0]["sc"]
    assert sc["text"] == thinking and "reasoning removed" in sc["repairs"] and sc["repair"] is None
