"""``eval judge``: an LLM judge scores a run's instructions against ground truth (§5.2.2, App. B).

For every instruction, three requests — one per dimension (accuracy, completeness,
clarity) — carry the pair's ground truth, the instruction and, for a multimodal judge,
both images. The judge answers with findings in JSON; :mod:`.judge_findings` turns them
into the dimension scores with the shared rubric, and S = 0.4·Acc + 0.4·Comp + 0.2·Clar.

* An unusable reply gets one repair request (the conversation continued with the reason);
  still unusable → the instruction is stored ``unscored`` with the reason. A request that
  fails at the transport level (after the client's retries) is unscored too; it is not
  cached, so running the command again tries it again.
* Every request goes through the workspace response cache: running the same judgement
  again costs no calls (``--rescore`` recomputes every score from the cache;
  ``--refresh`` asks the server again).
* Scores are written as each instruction finishes, so an interrupted run resumes: the
  instructions that already hold an ``ok`` score from this judge are skipped.
* 401/403/404 from the server stop the run (every request would fail the same way).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from ..imageio import ImageDecodeError
from ..llm import ChatClient
from ..llm.errors import FatalServerError, LLMError
from ..llm.images import EncodedPair, ImageEncoding, encode_pair_files
from ..llm.retry import RetryPolicy
from ..schema import GroundTruth, Score
from ..workspace import Workspace
from ..workspace.llm_cache import WorkspaceResponseCache
from ..workspace.models import InstructionRecord, PairRecord
from ..workspace.queries import finish_run, get_or_start_run, ground_truth_for
from .benchmarks import benchmark_pair_ids
from .judge_findings import read_reply
from .judge_request import JudgePrompts, TruthIds, dimension_messages
from .llm_calls import Asker, FindingError, openai_model
from .rubric import overall_score
from .scores import (
    DIMENSIONS,
    EvalError,
    ScoringSummary,
    eval_run_name,
    run_instructions,
    save_score,
    score_means,
    scored_ids,
)

EVAL_KIND = "eval"
NO_TRUTH = "no ground truth for this pair (draft it with `editcaption gt draft`)"
NOT_VERIFIED = "ground truth not verified yet (verify it in the annotation studio, or drop --verified-only)"


@dataclass
class JudgeConfig:
    judge: str  # openai:<model>@<base_url>
    run: str
    benchmark: str | None = None
    images: bool = True
    concurrency: int = 16  # requests in flight (the shared client's limit); each instruction needs three
    rescore: bool = False  # recompute scores that exist (from the cache where possible)
    refresh: bool = False  # ask the server again instead of reading the cache
    verified_only: bool = False  # unverified ground truth → unscored
    limit: int | None = None
    prompt_version: str = "v1"
    api_key_env: str = "OPENAI_API_KEY"
    timeout: float = 120.0
    max_retries: int = 5
    max_tokens: int = 1024
    temperature: float = 0.0
    image_max_side: int = 1024
    extra_body: dict[str, Any] = field(default_factory=dict)

    def model(self) -> tuple[str, str]:
        """(model name, base URL) of the judge; only OpenAI-compatible servers judge."""
        return openai_model(self.judge, "--judge", " (or editworld-exact)")

    @property
    def scorer(self) -> str:
        return f"judge:{self.model()[0]}"

    def validate(self) -> None:
        self.model()
        if self.concurrency < 1:
            raise EvalError("--concurrency must be at least 1")
        if self.limit is not None and self.limit < 1:
            raise EvalError("--limit must be at least 1")

    def record(self, prompts: JudgePrompts) -> dict[str, Any]:
        return {"scorer": self.scorer, "judge": self.judge, "run": self.run, "benchmark": self.benchmark,
                "images": self.images, "prompts": prompts.ids, "temperature": self.temperature,
                "max_tokens": self.max_tokens, "verified_only": self.verified_only,
                "api_key_env": self.api_key_env, "image_max_side": self.image_max_side}


@dataclass
class _Item:
    instruction_id: int
    text: str
    pair_id: str
    gt: GroundTruth | None
    source_path: str
    target_path: str
    gt_problem: str | None = None  # why the ground truth cannot be used, if it cannot


@dataclass
class _Outcome:
    score: Score
    calls: int = 0
    cached: int = 0


class _Stop(Exception):
    """The server refuses every request (bad key, unknown model): the run ends here."""


class Judge:
    """Runs the three dimension requests for one instruction and combines them."""

    def __init__(self, client: ChatClient, config: JudgeConfig, prompts: JudgePrompts):
        self.client = client
        self.config = config
        self.prompts = prompts
        self.scorer = config.scorer
        self.encoding = ImageEncoding(max_side=config.image_max_side)
        self.asker = Asker(client, config.model()[0], prompts.repair, temperature=config.temperature,
                           max_tokens=config.max_tokens, extra_body=config.extra_body)

    async def dimension(self, dimension: str, item: _Item, pair: EncodedPair | None,
                        counts: Counter[str]) -> tuple[float, dict[str, Any]]:
        """One dimension's score and findings; :class:`FindingError` / :class:`LLMError` if none."""
        assert item.gt is not None
        ids = TruthIds.of(item.gt)
        messages = dimension_messages(self.prompts, dimension, item.gt, item.text, pair)
        (score, findings), repaired = await self.asker.ask_and_read(
            messages, lambda reply: read_reply(dimension, reply, ids, item.text), counts)
        if repaired:
            findings["repaired"] = repaired
        return score, findings

    async def score(self, item: _Item) -> _Outcome:
        counts: Counter[str] = Counter()
        if item.gt is None or item.gt_problem:
            return _Outcome(self._unscored(item, item.gt_problem or NO_TRUTH))
        pair = None
        if self.config.images:
            try:
                pair = await asyncio.to_thread(encode_pair_files, item.source_path, item.target_path, self.encoding)
            except (ImageDecodeError, OSError) as exc:
                return _Outcome(self._unscored(item, f"images: {exc}"))
        results = await asyncio.gather(*(self.dimension(d, item, pair, counts) for d in DIMENSIONS),
                                       return_exceptions=True)
        components: dict[str, Any] = {"findings": {}, "gt_verified": item.gt.verified, "prompts": self.prompts.ids,
                                      "images": pair is not None}
        problems = []
        for dim, res in zip(DIMENSIONS, results, strict=True):
            if isinstance(res, FatalServerError):
                raise _Stop(str(res))
            if isinstance(res, FindingError):
                problems.append(f"{dim}: unusable reply: {res}")
            elif isinstance(res, LLMError):
                problems.append(f"{dim}: {res.record()}")
            elif isinstance(res, BaseException):
                raise res
            else:
                components[dim], components["findings"][dim] = res
        if problems:
            outcome = _Outcome(Score(instruction_id=item.instruction_id, scorer=self.scorer, components=components,
                                     status="unscored", reason="; ".join(problems)))
        else:
            s_value = round(overall_score(components["accuracy"], components["completeness"],
                                          components["clarity"]), 4)
            components["S"] = s_value
            outcome = _Outcome(Score(instruction_id=item.instruction_id, scorer=self.scorer, components=components,
                                     overall=s_value))
        outcome.calls, outcome.cached = counts["calls"], counts["cached"]
        return outcome

    def _unscored(self, item: _Item, reason: str) -> Score:
        return Score(instruction_id=item.instruction_id, scorer=self.scorer, status="unscored", reason=reason)


def _select(ws: Workspace, config: JudgeConfig, summary: ScoringSummary) -> list[_Item]:
    with ws.session() as s:
        pair_ids = benchmark_pair_ids(s, config.benchmark) if config.benchmark else None
        instructions: list[InstructionRecord] = run_instructions(s, config.run, pair_ids)
        if config.limit:
            instructions = instructions[: config.limit]
        summary.selected = len(instructions)
        done = set() if config.rescore else scored_ids(s, config.scorer, [i.id for i in instructions])
        summary.skipped = sum(i.id in done for i in instructions)
        todo = [i for i in instructions if i.id not in done]
        pairs = {p.id: p for p in s.scalars(select(PairRecord).where(
            PairRecord.id.in_([i.pair_id for i in todo]))).unique()}
        items = []
        for ins in todo:
            p = pairs[ins.pair_id]
            gt = ground_truth_for(s, ins.pair_id)
            problem = None
            if gt is None:
                problem = NO_TRUTH
            elif config.verified_only and not gt.verified:
                problem = NOT_VERIFIED
            items.append(_Item(ins.id, ins.text or "", ins.pair_id, gt,
                               str(ws.store.path_for(p.source.sha256, p.source.ext)),
                               str(ws.store.path_for(p.target.sha256, p.target.ext)), problem))
    return items


async def _judge_all(ws: Workspace, judge: Judge, items: list[_Item], eval_run: str, summary: ScoringSummary,
                     reasons: Counter[str]) -> str | None:
    """Score every item, writing each result as it arrives; returns why the run stopped, if it did."""
    gate = asyncio.Semaphore(judge.config.concurrency)

    async def one(item: _Item) -> _Outcome:
        async with gate:
            return await judge.score(item)

    tasks = [asyncio.create_task(one(it)) for it in items]
    stopped = None
    try:
        for fut in asyncio.as_completed(tasks):
            try:
                outcome = await fut
            except _Stop as exc:
                stopped = str(exc)
                break
            summary.calls += outcome.calls
            summary.cached += outcome.cached
            with ws.session() as s:
                save_score(s, outcome.score, eval_run)
            if outcome.score.status == "ok":
                summary.scored += 1
            else:
                summary.unscored += 1
                reasons[(outcome.score.reason or "").split(":", 1)[0]] += 1
    finally:
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await judge.client.aclose()
    return stopped


def run_judge(ws: Workspace, config: JudgeConfig) -> ScoringSummary:
    """Judge the run's instructions (see the module docstring); raises EvalError on bad settings."""
    config.validate()
    model, base_url = config.model()
    prompts = JudgePrompts.load(config.prompt_version)
    summary = ScoringSummary(run=config.run, scorer=config.scorer, benchmark=config.benchmark)
    items = _select(ws, config, summary)
    eval_run = eval_run_name(config.scorer, config.run)
    with ws.session() as s:
        get_or_start_run(s, eval_run, EVAL_KIND, config.record(prompts))
    cache = WorkspaceResponseCache(ws, read=not config.refresh)
    client = ChatClient(base_url, api_key_env=config.api_key_env, timeout=config.timeout,
                        max_concurrency=config.concurrency, retry=RetryPolicy(max_retries=config.max_retries),
                        cache=cache)
    judge = Judge(client, config, prompts)
    reasons: Counter[str] = Counter()
    status = "interrupted"
    try:
        summary.stopped = asyncio.run(_judge_all(ws, judge, items, eval_run, summary, reasons))
        status = "aborted" if summary.stopped else ("done" if summary.unscored == 0 else "partial")
    finally:
        summary.unscored_reasons.update(dict(sorted(reasons.items())))
        with ws.session() as s:
            summary.means = score_means(s, config.scorer, _all_ids(s, config))
            finish_run(s, eval_run, status, {"scored": summary.scored, "unscored": summary.unscored,
                                             "skipped": summary.skipped, "calls": summary.calls,
                                             "cached": summary.cached, "cache": cache.stats()})
    return summary


def _all_ids(s: Any, config: JudgeConfig) -> list[int]:
    pair_ids = benchmark_pair_ids(s, config.benchmark) if config.benchmark else None
    return [i.id for i in run_instructions(s, config.run, pair_ids)]
