"""``gt draft``: ground truth drafted by a model (stub server) from the images and the dataset's text,
stored unverified; verified truth is never touched; unusable answers are repaired once, then reported."""

from __future__ import annotations

import json

import pytest
from evalhelpers import hqedit_parquet
from sqlalchemy import select
from typer.testing import CliRunner

from editcaption.cli import app
from editcaption.evaluate.gt_draft import DraftConfig, run_gt_draft
from editcaption.ingest import ingest
from editcaption.llm import ModelCallConfig
from editcaption.workspace import Workspace
from editcaption.workspace.models import GroundTruthRecord, PairRecord

DRAFT = {"primary": ["The scene is edited."], "secondary": ["A small detail changes."],
         "overall": "A scene, edited once."}


@pytest.fixture
def hq3(tmp_path):  # noqa: ANN001
    ws = Workspace.init(tmp_path / "ws")
    assert ingest(ws, hqedit_parquet(tmp_path / "hq", 3)).ingested == 3
    yield ws
    ws.close()


def _config(stub, **kw) -> DraftConfig:  # noqa: ANN001
    return DraftConfig(llm=f"openai:drafter@{stub.base_url}", calls=ModelCallConfig(max_retries=0), **kw)


def _truths(ws) -> dict[str, GroundTruthRecord]:  # noqa: ANN001
    with ws.session() as s:
        names = {p.id: p.name for p in s.scalars(select(PairRecord)).unique()}
        return {names[g.pair_id]: g for g in s.scalars(select(GroundTruthRecord))}


def test_drafts_from_images_and_dataset_text(hq3, stub):
    stub.responder = lambda req: "Here is the ground truth:\n```json\n" + json.dumps(DRAFT) + "\n```"
    summary = run_gt_draft(hq3, _config(stub))
    assert (summary.selected, summary.drafted, summary.kept, summary.failed, summary.calls) == (3, 3, 0, [], 3)
    req = next(r for r in stub.requests if "Edit number 1." in r.texts[-1])
    prompt = req.texts[-1]
    for line in ("- edit instruction: Edit number 1.", "- caption of the source image: scene 1",
                 "- caption of the edited image: edited scene 1",
                 "- instruction for the reverse edit (edited → source): Undo edit 1."):
        assert line in prompt
    assert len(req.image_urls) == 2
    truths = _truths(hq3)
    assert set(truths) == {"hqedit-1", "hqedit-2", "hqedit-3"}  # rows are numbered from 1
    g = truths["hqedit-2"]
    assert (g.verified, g.source) == (False, "llm:drafter")
    assert g.primary == [{"text": "The scene is edited."}] and g.overall == "A scene, edited once."


def test_verified_truth_is_never_redrafted(hq3, stub):
    stub.responder = lambda req: json.dumps(DRAFT)
    run_gt_draft(hq3, _config(stub))
    with hq3.session() as s:
        g = s.scalar(select(GroundTruthRecord).join(PairRecord, PairRecord.id == GroundTruthRecord.pair_id)
                     .where(PairRecord.name == "hqedit-1"))
        g.primary, g.verified = [{"text": "Checked by a person."}], True
    again = run_gt_draft(hq3, _config(stub))
    assert (again.drafted, again.kept, again.calls) == (0, 3, 0)
    redraft = run_gt_draft(hq3, _config(stub, overwrite=True))
    # the two unverified drafts are redone (from the cache: same request); the verified one is kept
    assert (redraft.drafted, redraft.kept, redraft.calls, redraft.cached) == (2, 1, 0, 2)
    assert _truths(hq3)["hqedit-1"].primary == [{"text": "Checked by a person."}]


def test_repair_and_failure(hq3, stub):
    def responder(req):  # noqa: ANN001, ANN202
        repair = len(req.messages) > 1
        if "Edit number 0." in "\n".join(req.texts):
            return json.dumps(DRAFT) if repair else "The dress became pink."  # fixed by the repair
        if "Edit number 1." in "\n".join(req.texts):
            return '{"primary": [], "overall": ""}'  # says nothing, twice
        return '{"primary": ["ok."], "overall": 5}'  # malformed, twice

    stub.responder = responder
    summary = run_gt_draft(hq3, _config(stub, images=False))
    assert summary.drafted == 1 and summary.calls == 6
    reasons = sorted(f["reason"] for f in summary.failed)
    assert reasons[0].startswith("unusable reply: 'overall' should be a string")
    assert reasons[1].startswith("unusable reply: the draft names no primary change and no overall description")
    assert all(not r.image_urls and "not shown" in r.texts[-1] for r in stub.requests if len(r.messages) == 1)
    assert set(_truths(hq3)) == {"hqedit-1"}  # the row of "Edit number 0."


def test_cli_gt_draft(hq3, stub):
    stub.responder = lambda req: json.dumps(DRAFT)
    out = CliRunner().invoke(app, ["gt", "draft", "-m", f"openai:drafter@{stub.base_url}", "--where",
                                   "origin=hqedit", "--limit", "2", "--temperature", "0.3", "--extra-body",
                                   '{"chat_template_kwargs": {"enable_thinking": false}}', "--json",
                                   "-w", str(hq3.root)])
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["drafted"] == 2 and "Deprecated" not in out.stderr
    assert [(r.json["temperature"], r.json["chat_template_kwargs"]) for r in stub.requests] == [
        (0.3, {"enable_thinking": False})] * 2
    bad = CliRunner().invoke(app, ["gt", "draft", "--model", "hf:/nowhere", "-w", str(hq3.root)])
    assert bad.exit_code == 2 and "--model must be openai:" in bad.output


def test_the_old_llm_spelling_still_drafts_and_says_it_is_deprecated(hq3, stub):
    stub.responder = lambda req: json.dumps(DRAFT)
    out = CliRunner().invoke(app, ["gt", "draft", "--llm", f"openai:drafter@{stub.base_url}", "--limit", "1",
                                   "--json", "-w", str(hq3.root)])
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["drafted"] == 1 and stub.count == 1
    assert "Deprecated: --llm will be removed in the next release; use --model" in out.stderr
