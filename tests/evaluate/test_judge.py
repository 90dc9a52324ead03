"""The LLM judge against the stub OpenAI server: what is sent, how answers become scores,
repair, unscored items, the workspace cache, and the CLI."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from evalhelpers import REFERENCE_RUN, add_run, dimension_of, good_reply, manifest_workspace
from sqlalchemy import select
from typer.testing import CliRunner

from editcaption.cli import app
from editcaption.evaluate.judge import JudgeConfig, run_judge
from editcaption.evaluate.judge_request import IMAGES_NOT_SHOWN, SOURCE_LABEL, TARGET_LABEL
from editcaption.imageio import load_rgb
from editcaption.llm import ModelCallConfig
from editcaption.llm.images import ImageEncoding, encode_image
from editcaption.testing.stub_openai import Reply
from editcaption.workspace.models import InstructionRecord, PairRecord, ScoreRecord

runner = CliRunner()


def _config(stub, **kw) -> JudgeConfig:  # noqa: ANN001
    calls = ModelCallConfig(concurrency=kw.pop("concurrency", 2), max_retries=kw.pop("max_retries", 0))
    return JudgeConfig(judge=f"openai:stub-judge@{stub.base_url}", run=kw.pop("run", REFERENCE_RUN), calls=calls,
                       **kw)


def _encoded(ws, sha: str, ext: str) -> str:  # noqa: ANN001
    return encode_image(load_rgb(ws.store.path_for(sha, ext)), ImageEncoding()).url


def _scores(ws, scorer: str = "judge:stub-judge") -> dict[int, ScoreRecord]:  # noqa: ANN001
    with ws.session() as s:
        return {r.instruction_id: r for r in s.scalars(select(ScoreRecord).where(ScoreRecord.scorer == scorer))}


def _instructions(ws) -> dict[int, tuple[str, PairRecord]]:  # noqa: ANN001
    with ws.session() as s:
        rows = s.execute(select(InstructionRecord, PairRecord).join(
            PairRecord, PairRecord.id == InstructionRecord.pair_id).where(InstructionRecord.run_id == REFERENCE_RUN))
        return {ins.id: (ins.text, pair) for ins, pair in rows}


def test_requests_carry_truth_instruction_and_both_images(ew4, stub):
    stub.responder = good_reply
    summary = run_judge(ew4, _config(stub))
    assert (summary.selected, summary.scored, summary.unscored, summary.calls) == (4, 4, 0, 12)
    reqs = stub.requests
    assert len(reqs) == 12
    instructions = _instructions(ew4)
    by_instruction: dict[str, list[str]] = {}
    for req in reqs:
        body = req.json
        assert body["model"] == "stub-judge" and body["temperature"] == 0.0 and body["max_tokens"] == 1024
        assert req.texts[0] == SOURCE_LABEL and req.texts[1] == TARGET_LABEL
        prompt = req.texts[-1]
        (text, pair), = [(t, p) for t, p in instructions.values() if f"Instruction to check\n{t}\n" in prompt]
        by_instruction.setdefault(text, []).append(dimension_of(req))
        assert "- primary-1:" in prompt and "Overall description:" in prompt
        # the two images are the pair's, source first, exactly as the shared encoder sends them
        assert req.image_urls == [_encoded(ew4, pair.source_sha, pair.source.ext),
                                  _encoded(ew4, pair.target_sha, pair.target.ext)]
        assert req.images()[0].shape == (96, 96, 3)
    assert [sorted(v) for v in by_instruction.values()] == [["accuracy", "clarity", "completeness"]] * 4
    scores = _scores(ew4)
    assert len(scores) == 4
    for rec in scores.values():
        c = rec.components
        assert rec.status == "ok" and rec.run_id == "eval:judge:stub-judge:source:manifest"
        assert (c["accuracy"], c["completeness"], c["clarity"]) == (5.0, 5.0, 4.0)
        assert rec.overall == c["S"] == pytest.approx(0.4 * 5 + 0.4 * 5 + 0.2 * 4)
        assert set(c["findings"]) == {"accuracy", "completeness", "clarity"} and c["gt_verified"] is True
        assert c["prompts"]["accuracy"].startswith("judge-accuracy-v1@")


def test_cache_means_no_calls_on_a_rerun(ew4, stub):
    stub.responder = good_reply
    first = run_judge(ew4, _config(stub))
    before = {k: (v.overall, v.components) for k, v in _scores(ew4).items()}
    again = run_judge(ew4, _config(stub))
    assert (again.skipped, again.scored, again.calls) == (4, 0, 0)
    rescored = run_judge(ew4, _config(stub, rescore=True))
    assert (rescored.scored, rescored.calls, rescored.cached) == (4, 0, 12)
    assert stub.count == first.calls == 12
    assert {k: (v.overall, v.components) for k, v in _scores(ew4).items()} == before
    refreshed = run_judge(ew4, _config(stub, rescore=True, refresh=True))
    assert refreshed.calls == 12 and stub.count == 24


def test_one_repair_then_unscored_with_the_reason(ew4, stub):
    calls: Counter[str] = Counter()

    def responder(req):  # noqa: ANN001, ANN202
        dim = dimension_of(req)
        repair = req.messages[-1]["role"] == "user" and len(req.messages) > 1
        calls[dim + (" repair" if repair else "")] += 1
        if dim == "accuracy":
            return "Looks accurate to me: 5/5." if not repair else "```json\n" + good_reply(req) + "\n```"
        if dim == "completeness":
            return '{"dimension": "completeness", "primary": []}'  # leaves changes out, twice
        return good_reply(req, detail=3)

    stub.responder = responder
    summary = run_judge(ew4, _config(stub, limit=1))
    assert (summary.scored, summary.unscored) == (0, 1)
    assert calls == {"accuracy": 1, "accuracy repair": 1, "completeness": 1, "completeness repair": 1, "clarity": 1}
    repair = next(r for r in stub.requests if dimension_of(r) == "accuracy" and len(r.messages) > 1)
    assert repair.messages[-2] == {"role": "assistant", "content": "Looks accurate to me: 5/5."}
    assert "could not be used: no JSON object in the reply" in repair.messages[-1]["content"]
    assert len(repair.image_urls) == 2  # the conversation is continued, images included
    (rec,) = _scores(ew4).values()
    assert rec.status == "unscored" and rec.overall is None
    assert rec.reason.startswith("completeness: unusable reply: primary-1")
    assert "one repair attempted" in rec.reason
    # what could be read is kept for inspection, never turned into an overall number
    assert rec.components["accuracy"] == 5.0 and "no JSON object" in rec.components["findings"]["accuracy"]["repaired"]
    assert rec.components["clarity"] == 3.0 and "completeness" not in rec.components
    # unscored items are tried again on the next run; the same answers come from the cache
    again = run_judge(ew4, _config(stub, limit=1))
    assert (again.unscored, again.calls, again.cached) == (1, 0, 5)


def test_transport_failures_are_unscored_and_retried_next_time(ew4, stub):
    broken = {"on": True}

    def responder(req):  # noqa: ANN001, ANN202
        if dimension_of(req) == "clarity" and broken["on"]:
            return Reply.server_error(503, "overloaded")
        return good_reply(req)

    stub.responder = responder
    summary = run_judge(ew4, _config(stub, limit=2))
    assert (summary.scored, summary.unscored) == (0, 2)
    assert all(r.reason.startswith("clarity: http_503") for r in _scores(ew4).values())
    assert summary.unscored_reasons == {"clarity": 2}
    broken["on"] = False
    sent = stub.count
    fixed = run_judge(ew4, _config(stub, limit=2))
    # accuracy and completeness come from the cache; only clarity is asked again
    assert (fixed.scored, fixed.calls, fixed.cached) == (2, 2, 4) and stub.count == sent + 2


def test_a_rejected_key_stops_the_run(ew4, stub):
    stub.responder = lambda req: Reply.unauthorized()
    result = runner.invoke(app, ["eval", "judge", "--run", REFERENCE_RUN, "-m",
                                 f"openai:stub-judge@{stub.base_url}", "--max-retries", "0", "--concurrency", "1",
                                 "-w", str(ew4.root)])
    assert result.exit_code == 1 and "judging stopped early" in result.output and "401" in result.output
    assert stub.count <= 3  # the requests of the one instruction in flight, not the whole run
    with ew4.session() as s:
        from editcaption.workspace.models import RunRecord

        assert s.get(RunRecord, "eval:judge:stub-judge:source:manifest").status == "aborted"


def test_without_images_and_without_truth(tmp_path, stub):
    ws, pids = manifest_workspace(tmp_path, ["semantic", "semantic"])
    from editcaption.workspace.models import GroundTruthRecord

    with ws.session() as s:
        s.add(GroundTruthRecord(pair_id=pids[0], primary=[{"text": "A yellow square is added at the top left."}],
                                overall="A blue field; a yellow square appears.", verified=False))
    add_run(ws, "m", {pids[0]: "Add a yellow square at the top left.", pids[1]: "Add a square."})
    stub.responder = good_reply
    summary = run_judge(ws, _config(stub, run="m", images=False))
    assert (summary.scored, summary.unscored, summary.calls) == (1, 1, 3)
    assert all(not r.image_urls and IMAGES_NOT_SHOWN in r.texts[-1] for r in stub.requests)
    scores = {r.components.get("gt_verified"): r for r in _scores(ws).values()}
    assert scores[False].status == "ok"
    (missing,) = [r for r in _scores(ws).values() if r.status == "unscored"]
    assert missing.reason.startswith("no ground truth for this pair")
    strict = run_judge(ws, _config(stub, run="m", images=False, rescore=True, verified_only=True))
    assert (strict.scored, strict.unscored, strict.calls) == (0, 2, 0)
    assert {r.reason.split(" (")[0] for r in _scores(ws).values()} == {
        "ground truth not verified yet", "no ground truth for this pair"}
    ws.close()


def test_cli_judge_benchmark_and_exact_route(ew4, stub, tmp_path):
    from editcaption.evaluate.benchmarks import prepare_editworld

    other = prepare_editworld(ew4, n=2, seed=5, size=96, family="objects", name="ew-small")
    stub.responder = good_reply
    result = runner.invoke(app, ["eval", "judge", "--run", REFERENCE_RUN, "-m",
                                 f"openai:stub-judge@{stub.base_url}", "--benchmark", "ew-small", "--json",
                                 "-w", str(ew4.root)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["selected"], data["scored"], data["calls"], data["benchmark"]) == (2, 2, 6, "ew-small")
    assert data["means"]["S"] == pytest.approx(4.8)
    scored_pairs = {ins.pair_id for ins in _instruction_rows(ew4, _scores(ew4))}
    assert scored_pairs == set(other.pair_ids)
    exact = runner.invoke(app, ["eval", "judge", "--run", REFERENCE_RUN, "--model", "editworld-exact", "--json",
                                "-w", str(ew4.root)])
    assert exact.exit_code == 0, exact.output
    assert json.loads(exact.stdout)["scorer"] == "editworld-exact"
    bad = runner.invoke(app, ["eval", "judge", "--run", REFERENCE_RUN, "-m", "delta", "-w", str(ew4.root)])
    assert bad.exit_code == 2 and "--model must be openai:" in bad.output
    unknown = runner.invoke(app, ["eval", "judge", "--run", "nope", "-m", f"openai:m@{stub.base_url}",
                                  "-w", str(ew4.root)])
    assert unknown.exit_code == 2 and "no run named 'nope'" in unknown.output


def test_the_old_judge_spelling_still_judges_and_says_it_is_deprecated(ew4, stub):
    stub.responder = good_reply
    old = runner.invoke(app, ["eval", "judge", "--run", REFERENCE_RUN, "--judge", f"openai:stub-judge@{stub.base_url}",
                              "--limit", "1", "--json", "-w", str(ew4.root)])
    assert old.exit_code == 0, old.output
    assert json.loads(old.stdout)["scored"] == 1 and stub.count == 3
    assert "Deprecated: --judge will be removed in the next release; use --model" in old.stderr
    new = runner.invoke(app, ["eval", "judge", "--run", REFERENCE_RUN, "-m", f"openai:stub-judge@{stub.base_url}",
                              "--limit", "2", "--json", "-w", str(ew4.root)])
    assert new.exit_code == 0 and "Deprecated" not in new.stderr
    assert (json.loads(new.stdout)["scored"], json.loads(new.stdout)["skipped"], stub.count) == (1, 1, 6)
    missing = runner.invoke(app, ["eval", "judge", "--run", REFERENCE_RUN, "-w", str(ew4.root)])
    assert missing.exit_code == 2 and "Missing option '-m' / '--model'" in missing.output


def _instruction_rows(ws, scores: dict[int, ScoreRecord]) -> list[InstructionRecord]:  # noqa: ANN001
    with ws.session() as s:
        return list(s.scalars(select(InstructionRecord).where(InstructionRecord.id.in_(list(scores)))))


def test_the_malformed_corpus_end_to_end(tmp_path, stub):
    """Every malformed reply of the corpus, sent by the server twice (answer and repair), leaves the
    instruction unscored with that reply's reason; a good reply after it scores it."""
    from judge_corpus import GT, MALFORMED

    from editcaption.workspace.models import GroundTruthRecord

    ws, pids = manifest_workspace(tmp_path, ["stylistic"])
    with ws.session() as s:
        s.add(GroundTruthRecord(pair_id=pids[0], primary=[c.model_dump() for c in GT.primary],
                                secondary=[c.model_dump() for c in GT.secondary], overall=GT.overall, verified=True))
    add_run(ws, "m", {pids[0]: "Change the dress to pink."})
    current: dict[str, str] = {}

    def responder(req):  # noqa: ANN001, ANN202
        dim = dimension_of(req)
        return current["reply"] if dim == current["dimension"] else good_reply(req)

    stub.responder = responder
    for dimension, reply, reason in MALFORMED:
        current.update(dimension=dimension, reply=reply)
        summary = run_judge(ws, _config(stub, run="m", images=False, rescore=True, refresh=True))
        (rec,) = _scores(ws).values()
        assert summary.unscored == 1 and rec.status == "unscored" and rec.overall is None, reply
        # an empty answer is refused by the shared client itself (empty_content: not cached, retried
        # on the next run); every other one is the judge reader's, after one repair request
        kind = "empty_content: " if not reply.strip() else "unusable reply: "
        assert rec.reason.startswith(f"{dimension}: {kind}") and reason in rec.reason, (reply, rec.reason)
    # per case: two good answers, the bad one and (unless empty) its repair
    assert stub.count == sum(3 if not reply.strip() else 4 for _, reply, _ in MALFORMED)
    current.update(dimension="none")
    assert run_judge(ws, _config(stub, run="m", images=False, rescore=True, refresh=True)).scored == 1
    ws.close()
