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
reported as failed with the reason — nothing is written for it. Pairs are drafted through
the stage runner (:mod:`editcaption.runner`), which writes the drafts in batches — locally, or
with ``ray=RayOptions(...)`` from Ray actors built from a :class:`DraftRecipe`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..imageio import ImageDecodeError
from ..llm import ModelCallConfig, ModelCallConfigError
from ..llm.errors import FatalServerError, LLMError
from ..llm.images import EncodedPair, ImageEncoding, encode_pair_files
from ..llm.jsonparse import parse_json_reply
from ..prompts import PromptTemplate
from ..runner import DONE, Finished, ProgressSink, Stage, Verdict, one_by_one, plan, run_stage, workers_for
from ..schema import GroundTruth
from ..store import ImageKey
from ..workspace import Workspace
from ..workspace.llm_cache import WorkspaceResponseCache
from ..workspace.models import GroundTruthRecord, InstructionRecord
from ..workspace.queries import finish_run, get_or_start_run, list_pairs
from .benchmarks import benchmark_pair_ids
from .judge_request import IMAGES_SHOWN, two_image_messages
from .llm_calls import Asker, FindingError, openai_model
from .prompts import fill, load_eval_prompt
from .scores import EvalError

if TYPE_CHECKING:
    from ..runner.ray_executor import RayOptions

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


DEFAULT_CONCURRENCY = 8  # requests in flight
DEFAULT_TEMPERATURE = 0.0


@dataclass
class DraftConfig:
    llm: str  # openai:<model>@<base_url>
    where: dict[str, list[str]] = field(default_factory=dict)
    benchmark: str | None = None
    images: bool = True
    overwrite: bool = False  # replace existing unverified drafts (verified truth is never replaced)
    limit: int | None = None
    # API key variable, extra body, temperature (default 0), timeout, retries, requests in flight (default 8)
    calls: ModelCallConfig = field(default_factory=ModelCallConfig)
    prompt_version: str = "v1"
    max_tokens: int = 1024
    image_max_side: int = 1024

    def model(self) -> tuple[str, str]:
        return openai_model(self.llm, "--model")

    @property
    def concurrency(self) -> int:
        return self.calls.in_flight(DEFAULT_CONCURRENCY)

    def validate(self) -> None:
        self.model()
        try:
            self.calls.validate()
        except ModelCallConfigError as exc:
            raise EvalError(str(exc)) from None
        if self.limit is not None and self.limit < 1:
            raise EvalError("--limit must be at least 1")


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
    source: ImageKey  # the pair's images, by store key
    target: ImageKey


@dataclass
class _Drafted:
    job: _Job
    gt: GroundTruth | None = None
    problem: str | None = None  # why there is no draft
    counts: Counter[str] = field(default_factory=Counter)
    fatal: str | None = None  # the server refused the request for good


def _verdict(d: _Drafted) -> Verdict:
    if d.fatal:
        return Verdict(ok=False, reason="fatal", fatal=d.fatal)
    return Verdict(ok=d.gt is not None, reason=None if d.gt is not None else (d.problem or "unknown").split(":", 1)[0])


class DraftCalls:
    """The call side of drafting — read and encode a pair's images, ask the model — on the driver or a Ray actor."""

    def __init__(self, config: DraftConfig, asker: Asker, prompt: PromptTemplate, store: Any):
        self.config, self.asker, self.prompt, self.store = config, asker, prompt, store
        self.encoding = ImageEncoding(max_side=config.image_max_side)

    def prepare(self, job: _Job) -> Any:
        if not self.config.images:
            return job, None
        try:
            return job, encode_pair_files(str(self.store.local_path(job.source)),
                                          str(self.store.local_path(job.target)), self.encoding)
        except (ImageDecodeError, OSError) as exc:
            return Finished(_Drafted(job, problem=f"images: {exc}"))
        except Exception as exc:  # noqa: BLE001 - the store cannot be reached: this pair fails, drafted next run
            return Finished(_Drafted(job, problem=f"images: {type(exc).__name__}: {exc}"))

    async def call(self, prepared: tuple[_Job, EncodedPair | None]) -> _Drafted:
        job, pair = prepared
        out = _Drafted(job)
        text = fill(self.prompt, images_note=IMAGES_SHOWN if pair is not None else NO_IMAGES, dataset_text=job.text)
        try:
            out.gt, _ = await self.asker.ask_and_read(two_image_messages(text, pair), read_draft, out.counts)
        except FindingError as exc:
            out.problem = f"unusable reply: {exc}"
        except FatalServerError as exc:
            out.fatal = str(exc)
        except LLMError as exc:
            out.problem = exc.record()
        return out


def _calls(config: DraftConfig, store: Any, cache: Any) -> DraftCalls:
    """The drafting calls for ``config``, with an HTTP client answering from ``cache`` first."""
    model, base_url = config.model()
    client = config.calls.client(base_url, default_concurrency=DEFAULT_CONCURRENCY, cache=cache)
    asker = Asker(client, model, load_eval_prompt("judge-repair", config.prompt_version),
                  temperature=config.calls.temperature_or(DEFAULT_TEMPERATURE), max_tokens=config.max_tokens)
    return DraftCalls(config, asker, load_eval_prompt("gt-draft", config.prompt_version), store)


@dataclass
class DraftRecipe:
    """What a Ray actor needs to draft: the settings, the store and the database (for the cache)."""

    config: DraftConfig
    store: Any
    db_url: str

    def build(self) -> Any:
        from ..runner.ray_executor import CarriedCache, WorkerSide

        cache = CarriedCache(self.db_url)
        calls = _calls(self.config, self.store, cache)
        return WorkerSide(one_by_one(calls.call), prepare=calls.prepare, workers=workers_for(self.config.concurrency, 1),
                          fatal=lambda d: d.fatal is not None, carry=cache.take)


class _DraftingStage:
    """Ground-truth drafting's select and write, for the stage runner (the calls: :class:`DraftCalls`)."""

    def __init__(self, ws: Workspace, config: DraftConfig, model: str, summary: DraftSummary):
        self.ws, self.config, self.summary = ws, config, summary
        self.source = f"llm:{model}"[:128]

    def select(self) -> list[tuple[Any, str | None]]:
        config = self.config
        with self.ws.session() as s:
            if config.benchmark:
                wanted = set(benchmark_pair_ids(s, config.benchmark))
                pairs = [p for p in list_pairs(s, config.where) if p.id in wanted]
            else:
                pairs = list_pairs(s, config.where)
            if config.limit:
                pairs = pairs[: config.limit]
            existing = {g.pair_id: g.verified for g in s.scalars(select(GroundTruthRecord).where(
                GroundTruthRecord.pair_id.in_([p.id for p in pairs])))}
            carried: dict[str, list[str]] = {}
            stmt = select(InstructionRecord.pair_id, InstructionRecord.text).where(
                InstructionRecord.pair_id.in_([p.id for p in pairs]), InstructionRecord.run_id.like("source:%"),
                InstructionRecord.status == "ok")
            for pid, text in s.execute(stmt):
                carried.setdefault(pid, []).append(text or "")
            selected: list[tuple[Any, str | None]] = []
            for p in pairs:
                if p.id in existing and (existing[p.id] or not config.overwrite):
                    selected.append((p.id, DONE))  # already has ground truth: kept
                    continue
                selected.append((_Job(p.id, dataset_text(p.extra or {}, carried.get(p.id, []), p.category,
                                                         p.subtype),
                                      ImageKey(p.source.sha256, p.source.ext), ImageKey(p.target.sha256, p.target.ext)), None))
        return selected

    def write(self, s: Session, results: list[_Drafted]) -> None:
        summary = self.summary
        drafted = [d.job.pair_id for d in results if d.gt is not None and not d.fatal]
        existing = {g.pair_id: g for g in s.scalars(select(GroundTruthRecord).where(
            GroundTruthRecord.pair_id.in_(drafted)))} if drafted else {}
        for d in results:
            if d.fatal:
                continue  # refused for good: drafted by the next run
            summary.calls += d.counts["calls"]
            summary.cached += d.counts["cached"]
            if d.gt is None:
                summary.failed.append({"pair_id": d.job.pair_id, "reason": d.problem or "unknown"})
            elif _store(s, existing.get(d.job.pair_id), d.job.pair_id, d.gt, self.source):
                summary.drafted += 1
            else:
                summary.kept += 1


def _store(s: Session, rec: GroundTruthRecord | None, pair_id: str, gt: GroundTruth, source: str) -> bool:
    """Write the draft over ``rec`` (the pair's row, if any) unless someone verified it meanwhile; True if written."""
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


def run_gt_draft(ws: Workspace, config: DraftConfig, *, progress: ProgressSink | None = None,
                 ray: RayOptions | None = None) -> DraftSummary:
    """Draft ground truth for the selected pairs (on Ray actors if ``ray``; see the module docstring)."""
    config.validate()
    model, _ = config.model()
    summary = DraftSummary()
    run_name = f"gt-draft:{model}"[:128]
    cache = WorkspaceResponseCache(ws, deferred=True)
    calls = _calls(config, ws.store, cache)
    prompt = calls.prompt
    drafting = _DraftingStage(ws, config, model, summary)
    stage = Stage("gt-draft", select=drafting.select, prepare=calls.prepare, call=one_by_one(calls.call),
                  write=drafting.write, verdict=_verdict, flush=cache.flush, close=calls.asker.client.aclose,
                  workers=workers_for(config.concurrency, 1))
    report = plan(stage)
    summary.selected, summary.kept = report.selected, report.already_done
    with ws.session() as s:
        get_or_start_run(s, run_name, "gt-draft", {"llm": config.llm, "images": config.images, "prompt": prompt.id,
                                                   "api_key_env": config.calls.api_key_env})
    executor = None
    if report.pending and ray is not None:
        from ..runner.ray_executor import RayExecutor, absorb_answers

        executor = RayExecutor(DraftRecipe(config, ws.store, ws.db_url), ray, absorb=absorb_answers(cache))
    try:
        run_stage(ws, stage, report, executor=executor, progress=progress, description=f"gt draft {model}")
    finally:
        summary.stopped = report.stopped
        status = report.status(complete=not summary.failed)
        with ws.session() as s:
            finish_run(s, run_name, status, {"drafted": summary.drafted, "kept": summary.kept,
                                             "failed": len(summary.failed), "calls": summary.calls,
                                             "cached": summary.cached})
    return summary
