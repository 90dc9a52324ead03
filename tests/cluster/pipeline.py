"""The whole model-call pipeline on a workspace — ingest → caption → gt draft → score → judge → export —
with one stub OpenAI server standing in for every model, and a snapshot of what it produced.

The stand-ins answer from the request's content only (images, instruction, ground truth), so two
runs of the pipeline — local and on Ray, on a folder store and on S3 — must give the same
snapshot, byte for byte. Used by tests/runner (Ray in this process) and tests/cluster (a real
cluster of two nodes, PostgreSQL and an S3 server).
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from sqlalchemy import select

from editcaption.caption import CaptionConfig, run_caption
from editcaption.evaluate.gt_draft import DraftConfig, run_gt_draft
from editcaption.evaluate.judge import JudgeConfig, run_judge
from editcaption.export.builders import ExportOptions, export_sft, export_triplets
from editcaption.ingest import ingest
from editcaption.llm import ModelCallConfig
from editcaption.scoring import ScoreConfig, run_scoring
from editcaption.testing.stub_openai import Reply, StubRequest, default_reply
from editcaption.workspace import Workspace
from editcaption.workspace.models import GroundTruthRecord, InstructionRecord, PairRecord, ScoreRecord
from evaluate.evalhelpers import good_reply
from scoring.scoring_helpers import answer, instruction_of, kind_of

RUN = "r1"
CAPTIONER, SCORER, JUDGE, DRAFTER = "teacher-vl", "EditScore-7B", "judge-vl", "drafter-vl"
SCORE_RUN = "score-r1"
# The API-key value each Ray node of tests/cluster has in its environment: it reaches the stand-in
# in the Authorization header, which tells which node made a request.
HEAD_KEY, WORKER_KEY = "key-of-the-head-node", "key-of-the-worker-node"
# What an export's export.json records about where and when it ran, not about the data.
RUN_FIELDS = ("command", "created_at")


def _digest(*parts: str) -> int:
    return int(hashlib.sha256("|".join(parts).encode()).hexdigest()[:8], 16)


def standin(req: StubRequest) -> Reply | str:
    """Every model of the pipeline, told apart by the request's model name; answers depend on content only."""
    images = "".join(req.image_urls)
    if req.model == CAPTIONER:
        return default_reply(req)
    if req.model == DRAFTER:
        d = _digest(images)
        return json.dumps({"primary": [f"A yellow square appears (draft {d % 97})."],
                           "secondary": ["The background keeps its colour."], "overall": f"Scene {d % 13}, edited."})
    if req.model == SCORER:
        if kind_of(req) == "sc":
            d = _digest(instruction_of(req) or "", images)
            return answer([10 + d % 16, 5 + d % 21])
        return answer([20 + _digest(images) % 6, 25])
    if req.model == JUDGE:
        return good_reply(req, detail=1 + _digest("\n".join(req.texts), images) % 5)
    return Reply.bad_request(f"no stand-in for model {req.model!r}")


def calls(concurrency: int = 2) -> ModelCallConfig:
    return ModelCallConfig(concurrency=concurrency, max_retries=0)


def caption_config(base_url: str, ray: Any = None, **kw: Any) -> CaptionConfig:
    extra = {}
    if ray is not None:
        extra = {"executor": "ray", "ray_address": ray.address, "ray_workers": ray.workers,
                 "ray_batch_size": ray.batch_size}
    return CaptionConfig(model=f"openai:{CAPTIONER}@{base_url}", run_name=RUN, calls=calls(), **extra, **kw)


def draft_config(base_url: str) -> DraftConfig:
    return DraftConfig(llm=f"openai:{DRAFTER}@{base_url}", calls=calls())


def score_config(base_url: str) -> ScoreConfig:
    return ScoreConfig(scorer=f"editscore:{SCORER}@{base_url}", run=RUN, score_run=SCORE_RUN, calls=calls())


def judge_config(base_url: str) -> JudgeConfig:
    return JudgeConfig(judge=f"openai:{JUDGE}@{base_url}", run=RUN, calls=calls())


def run_pipeline(ws: Workspace, pairs: Path, base_url: str, out: Path, ray: Any = None) -> dict[str, Any]:
    """Every stage, each on Ray when ``ray`` (RayOptions) is given; returns :func:`snapshot`."""
    n = len(list(pairs.glob("*_src.png")))
    assert ingest(ws, pairs).ingested == n
    assert run_caption(ws, caption_config(base_url, ray)).done == n
    assert len(run_gt_draft(ws, draft_config(base_url), ray=ray).failed) == 0
    assert run_scoring(ws, score_config(base_url), ray=ray).ok == n
    assert run_judge(ws, judge_config(base_url), ray=ray).scored == n
    return snapshot(ws, out)


def export_all(ws: Workspace, out: Path) -> dict[str, dict[str, str]]:
    exports = {}
    scorer = f"editscore:{SCORER}"
    for name, fn, opts in (
            ("sft-jsonl", export_sft, ExportOptions(format="jsonl", source=f"run:{RUN}", min_score=4.0,
                                                    scorer=scorer, command="export")),
            ("triplets-hf", export_triplets, ExportOptions(format="hf", source=f"run:{RUN}", command="export"))):
        fn(ws, out / name, opts)
        exports[name] = files_of(out / name)
    return exports


def snapshot(ws: Workspace, out: Path) -> dict[str, Any]:
    """Instructions, ground truth, EditScore and judge scores (by pair name), and the export files' hashes."""
    with ws.session() as s:
        names = {p.id: p.name for p in s.scalars(select(PairRecord)).unique()}
        instructions = {names[r.pair_id]: (r.status, r.text, r.error) for r in s.scalars(
            select(InstructionRecord).where(InstructionRecord.run_id == RUN))}
        by_id = {r.id: names[r.pair_id] for r in s.scalars(select(InstructionRecord))}
        scores: dict[str, list[Any]] = {}
        for r in s.scalars(select(ScoreRecord).order_by(ScoreRecord.scorer)):
            scores.setdefault(by_id[r.instruction_id], []).append(
                (r.scorer, r.status, r.overall, r.reason, json.dumps(r.components, sort_keys=True)))
        truth = {names[g.pair_id]: (g.primary, g.secondary, g.overall, g.verified, g.source)
                 for g in s.scalars(select(GroundTruthRecord))}
    return {"instructions": instructions, "scores": scores, "truth": truth, "exports": export_all(ws, out)}


def _content(p: Path) -> bytes:
    if p.name == "README.md":  # the dataset card names the export's time
        return re.sub(rb", exported \d{4}-\d\d-\d\dT[0-9:+-]+", b"", p.read_bytes())
    if p.name != "export.json":
        return p.read_bytes()
    manifest = json.loads(p.read_text())
    return json.dumps({k: v for k, v in manifest.items() if k not in RUN_FIELDS}, sort_keys=True).encode()


def files_of(folder: Path) -> dict[str, str]:
    """relative path → sha256 of every file an export wrote (export.json without its command and time);
    the text itself for the small ones, so that a difference reads as one."""
    return {p.relative_to(folder).as_posix(): _content(p).decode() if p.suffix in (".md", ".json")
            else hashlib.sha256(_content(p)).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}
