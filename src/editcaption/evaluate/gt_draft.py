"""``gt draft``: draft structured ground truth with a model, for people to verify.

The judge needs ground truth (primary changes, secondary changes, overall description).
Public datasets carry pieces of it — HQ-Edit's edit text, inverse edit and the two
captions; ByteMorph's prompt, rewritten instruction and captions — and a multimodal model
sees the images. This module asks a model (any OpenAI-compatible server) to write the
structured truth from both, and stores it as a ``GroundTruthRecord`` with
``verified=False`` and ``source="llm:<model>"``; the annotation studio's Verify-GT queue
is where people correct and verify it.

A verified ground truth is never touched; an existing unverified draft is kept unless
``overwrite``. A reply that cannot be read gets one repair request, then the pair is
reported as failed with the reason — nothing is written for it.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select

from ..imageio import ImageDecodeError
from ..llm import ChatClient
from ..llm.errors import FatalServerError, LLMError
from ..llm.images import ImageEncoding, encode_pair_files
from ..llm.jsonparse import parse_json_reply
from ..llm.retry import RetryPolicy
from ..prompts import PromptTemplate
from ..schema import GroundTruth
from ..workspace import Workspace
from ..workspace.llm_cache import WorkspaceResponseCache
from ..workspace.models import GroundTruthRecord, InstructionRecord
from ..workspace.queries import finish_run, get_or_start_run, list_pairs
from .benchmarks import benchmark_pair_ids
from .judge_request import IMAGES_SHOWN, two_image_messages
from .llm_calls import Asker, FindingError, openai_model
from .prompts import fill, load_eval_prompt
from .scores import EvalError

# Fields of PairRecord.extra that describe the edit, with the label the model sees.
EXTRA_FIELDS = (
    ("input_caption", "caption of the source image"),
    ("output_caption", "caption of the edited image"),
    ("inverse_edit", "instruction for the reverse edit (edited → source)"),
    ("edit_prompt_rewrite_instruction", "rewritten edit instruction"),
    ("src_img_caption", "caption of the source image"),
    ("tgt_img_caption", "caption of the edited image"),
    ("edit_type", "edit type"),
)
NO_IMAGES = "The images are not shown to you: work from what the dataset says."


@dataclass
class DraftConfig:
    llm: str  # openai:<model>@<base_url>
    where: dict[str, list[str]] = field(default_factory=dict)
    benchmark: str | None = None
    images: bool = True
    overwrite: bool = False  # replace existing unverified drafts (verified truth is never replaced)
    limit: int | None = None
    concurrency: int = 8
    prompt_version: str = "v1"
    api_key_env: str = "OPENAI_API_KEY"
    timeout: float = 120.0
    max_retries: int = 5
    max_tokens: int = 1024
    temperature: float = 0.0
    image_max_side: int = 1024

    def model(self) -> tuple[str, str]:
        return openai_model(self.llm, "--llm")


@dataclass
class DraftSummary:
    selected: int = 0
    drafted: int = 0
    kept: int = 0  # already had ground truth (verified, or a draft without --overwrite)
    failed: list[dict[str, str]] = field(default_factory=list)
    calls: int = 0
    cached: int = 0
    stopped: str | None = None

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def dataset_text(extra: dict[str, Any], instructions: list[str], category: str | None, subtype: str | None) -> str:
    """What a dataset says about a pair, one labelled line per piece (or a note that it says nothing)."""
    lines = [f"- edit instruction: {' '.join(t.split())}" for t in instructions if t and t.strip()]
    for key, label in EXTRA_FIELDS:
        value = (extra or {}).get(key)
        if value not in (None, ""):
            lines.append(f"- {label}: {' '.join(str(value).split())}")
    if category or subtype:
        lines.append(f"- category: {' / '.join(x for x in (category, subtype) if x)}")
    return "\n".join(lines) if lines else "- (the dataset carries no text for this pair)"


def read_draft(reply: str) -> GroundTruth:
    """The drafted truth, or :class:`FindingError` (no primary change and no overall text is not a draft)."""
    parsed = parse_json_reply(reply, expect="object", required_keys=("primary",))
    if not parsed.ok:
        raise FindingError(parsed.error or "no usable JSON")
    obj = parsed.value
    for key in ("primary", "secondary"):
        value = obj.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, (str, dict)) for v in value):
            raise FindingError(f"{key!r} should be a list of sentences")
    if "overall" in obj and not isinstance(obj["overall"], str):
        raise FindingError("'overall' should be a string")
    try:
        gt = GroundTruth.model_validate({"primary": [v for v in obj["primary"] if v],
                                         "secondary": [v for v in obj.get("secondary") or [] if v],
                                         "overall": (obj.get("overall") or "").strip()})
    except ValidationError as exc:
        first = exc.errors()[0]
        raise FindingError(f"malformed change at {'.'.join(map(str, first['loc']))}: {first['msg']}") from None
    if any(not c.text.strip() for c in gt.primary + gt.secondary):
        raise FindingError("a change has no text")
    if not gt.primary and not gt.overall:
        raise FindingError("the draft names no primary change and no overall description")
    return gt


@dataclass
class _Job:
    pair_id: str
    text: str
    source_path: str
    target_path: str


def _select(ws: Workspace, config: DraftConfig, summary: DraftSummary) -> list[_Job]:
    with ws.session() as s:
        if config.benchmark:
            wanted = set(benchmark_pair_ids(s, config.benchmark))
            pairs = [p for p in list_pairs(s, config.where) if p.id in wanted]
        else:
            pairs = list_pairs(s, config.where)
        if config.limit:
            pairs = pairs[: config.limit]
        summary.selected = len(pairs)
        existing = {g.pair_id: g.verified for g in s.scalars(select(GroundTruthRecord).where(
            GroundTruthRecord.pair_id.in_([p.id for p in pairs])))}
        carried: dict[str, list[str]] = {}
        stmt = select(InstructionRecord.pair_id, InstructionRecord.text).where(
            InstructionRecord.pair_id.in_([p.id for p in pairs]), InstructionRecord.run_id.like("source:%"),
            InstructionRecord.status == "ok")
        for pid, text in s.execute(stmt):
            carried.setdefault(pid, []).append(text or "")
        jobs = []
        for p in pairs:
            if p.id in existing and (existing[p.id] or not config.overwrite):
                summary.kept += 1
                continue
            jobs.append(_Job(p.id, dataset_text(p.extra or {}, carried.get(p.id, []), p.category, p.subtype),
                             str(ws.store.path_for(p.source.sha256, p.source.ext)),
                             str(ws.store.path_for(p.target.sha256, p.target.ext))))
    return jobs


def _store(ws: Workspace, pair_id: str, gt: GroundTruth, source: str) -> bool:
    """Write the draft unless someone verified the pair's truth meanwhile; True if written."""
    with ws.session() as s:
        rec = s.scalar(select(GroundTruthRecord).where(GroundTruthRecord.pair_id == pair_id))
        if rec is not None and rec.verified:
            return False
        if rec is None:
            rec = GroundTruthRecord(pair_id=pair_id)
            s.add(rec)
        rec.primary = [c.model_dump(exclude_none=True) for c in gt.primary]
        rec.secondary = [c.model_dump(exclude_none=True) for c in gt.secondary]
        rec.overall = gt.overall
        rec.verified = False
        rec.source = source
        rec.updated_by = source
    return True


async def _draft_all(ws: Workspace, asker: Asker, prompt: PromptTemplate, config: DraftConfig, jobs: list[_Job],
                     summary: DraftSummary) -> None:
    encoding = ImageEncoding(max_side=config.image_max_side)
    gate = asyncio.Semaphore(config.concurrency)
    source = f"llm:{asker.model}"[:128]

    async def one(job: _Job) -> tuple[_Job, GroundTruth | None, str | None, Counter[str]]:
        counts: Counter[str] = Counter()
        async with gate:
            pair = None
            if config.images:
                try:
                    pair = await asyncio.to_thread(encode_pair_files, job.source_path, job.target_path, encoding)
                except (ImageDecodeError, OSError) as exc:
                    return job, None, f"images: {exc}", counts
            text = fill(prompt, images_note=IMAGES_SHOWN if pair is not None else NO_IMAGES, dataset_text=job.text)
            try:
                gt, _ = await asker.ask_and_read(two_image_messages(text, pair), read_draft, counts)
            except FindingError as exc:
                return job, None, f"unusable reply: {exc}", counts
            except FatalServerError:
                raise
            except LLMError as exc:
                return job, None, exc.record(), counts
            return job, gt, None, counts

    tasks = [asyncio.create_task(one(j)) for j in jobs]
    try:
        for fut in asyncio.as_completed(tasks):
            try:
                job, gt, problem, counts = await fut
            except FatalServerError as exc:
                summary.stopped = str(exc)
                break
            summary.calls += counts["calls"]
            summary.cached += counts["cached"]
            if gt is None:
                summary.failed.append({"pair_id": job.pair_id, "reason": problem or "unknown"})
            elif _store(ws, job.pair_id, gt, source):
                summary.drafted += 1
            else:
                summary.kept += 1
    finally:
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await asker.client.aclose()


def run_gt_draft(ws: Workspace, config: DraftConfig) -> DraftSummary:
    """Draft ground truth for the selected pairs (see the module docstring)."""
    model, base_url = config.model()
    if config.concurrency < 1:
        raise EvalError("--concurrency must be at least 1")
    summary = DraftSummary()
    jobs = _select(ws, config, summary)
    run_name = f"gt-draft:{model}"[:128]
    prompt = load_eval_prompt("gt-draft", config.prompt_version)
    with ws.session() as s:
        get_or_start_run(s, run_name, "gt-draft", {"llm": config.llm, "images": config.images, "prompt": prompt.id,
                                                   "api_key_env": config.api_key_env})
    client = ChatClient(base_url, api_key_env=config.api_key_env, timeout=config.timeout,
                        max_concurrency=config.concurrency, retry=RetryPolicy(max_retries=config.max_retries),
                        cache=WorkspaceResponseCache(ws))
    asker = Asker(client, model, load_eval_prompt("judge-repair", config.prompt_version),
                  temperature=config.temperature, max_tokens=config.max_tokens)
    status = "interrupted"
    try:
        asyncio.run(_draft_all(ws, asker, prompt, config, jobs, summary))
        status = "aborted" if summary.stopped else ("done" if not summary.failed else "partial")
    finally:
        with ws.session() as s:
            finish_run(s, run_name, status, {"drafted": summary.drafted, "kept": summary.kept,
                                             "failed": len(summary.failed), "calls": summary.calls,
                                             "cached": summary.cached})
    return summary
