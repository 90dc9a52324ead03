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
* Scores are written in batches as instructions finish (through the stage runner,
  :mod:`editcaption.runner`), so an interrupted run resumes: the instructions that already
  hold an ``ok`` score from this judge are skipped.
* 401/403/404 from the server stop the run (every request would fail the same way); the
  instruction that met it is left as it was, to be judged by the next run.
* With ``ray=RayOptions(...)`` the requests are made by Ray actors, each building its own judge
  from a :class:`JudgeRecipe` (:mod:`editcaption.runner.ray_executor`).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..imageio import ImageDecodeError
from ..llm import ChatClient, ModelCallConfig, ModelCallConfigError
from ..llm.errors import FatalServerError, LLMError
from ..llm.images import EncodedPair, ImageEncoding, encode_pair_files
from ..runner import DONE, Finished, ProgressSink, Stage, Verdict, one_by_one, plan, run_stage, workers_for
from ..schema import GroundTruth, Score
from ..store import ImageKey
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

if TYPE_CHECKING:
    from ..runner.ray_executor import RayOptions

EVAL_KIND = "eval"
NO_TRUTH = "no ground truth for this pair (draft it with `editcaption gt draft`)"
NOT_VERIFIED = "ground truth not verified yet (verify it in the annotation studio, or drop --verified-only)"


DEFAULT_CONCURRENCY = 16  # requests in flight; each instruction needs three
DEFAULT_TEMPERATURE = 0.0


@dataclass
class JudgeConfig:
    judge: str  # openai:<model>@<base_url>
    run: str
    benchmark: str | None = None
    images: bool = True
    # API key variable, extra body, temperature (default 0), timeout, retries, requests in flight (default 16)
    calls: ModelCallConfig = field(default_factory=ModelCallConfig)
    rescore: bool = False  # recompute scores that exist (from the cache where possible)
    refresh: bool = False  # ask the server again instead of reading the cache
    verified_only: bool = False  # unverified ground truth → unscored
    limit: int | None = None
    prompt_version: str = "v1"
    max_tokens: int = 1024
    image_max_side: int = 1024

    def model(self) -> tuple[str, str]:
        """(model name, base URL) of the judge; only OpenAI-compatible servers judge."""
        return openai_model(self.judge, "--model", " (or editworld-exact)")

    @property
    def scorer(self) -> str:
        return f"judge:{self.model()[0]}"

    @property
    def concurrency(self) -> int:
        return self.calls.in_flight(DEFAULT_CONCURRENCY)

    @property
    def temperature(self) -> float:
        return self.calls.temperature_or(DEFAULT_TEMPERATURE)

    def validate(self) -> None:
        self.model()
        try:
            self.calls.validate()
        except ModelCallConfigError as exc:
            raise EvalError(str(exc)) from None
        if self.limit is not None and self.limit < 1:
            raise EvalError("--limit must be at least 1")

    def record(self, prompts: JudgePrompts) -> dict[str, Any]:
        return {"scorer": self.scorer, "judge": self.judge, "run": self.run, "benchmark": self.benchmark,
                "images": self.images, "prompts": prompts.ids, "temperature": self.temperature,
                "max_tokens": self.max_tokens, "verified_only": self.verified_only,
                "api_key_env": self.calls.api_key_env, "image_max_side": self.image_max_side}


@dataclass
class _Item:
    instruction_id: int
    text: str
    pair_id: str
    gt: GroundTruth | None
    source: ImageKey  # the pair's images, by store key
    target: ImageKey
    gt_problem: str | None = None  # why the ground truth cannot be used, if it cannot


@dataclass
class _Outcome:
    score: Score | None  # None when the server refused the request for good (``fatal``)
    calls: int = 0
    cached: int = 0
    fatal: str | None = None


def _verdict(outcome: _Outcome) -> Verdict:
    if outcome.score is None:
        return Verdict(ok=False, reason="fatal", fatal=outcome.fatal)
    ok = outcome.score.status == "ok"
    return Verdict(ok=ok, reason=None if ok else (outcome.score.reason or "").split(":", 1)[0])


class Judge:
    """Runs the three dimension requests for one instruction and combines them."""

    def __init__(self, client: ChatClient, config: JudgeConfig, prompts: JudgePrompts, store: Any):
        self.client = client
        self.store = store  # where the images are read: the workspace's store, or a Ray worker's copy
        self.config = config
        self.prompts = prompts
        self.scorer = config.scorer
        self.encoding = ImageEncoding(max_side=config.image_max_side)
        self.asker = Asker(client, config.model()[0], prompts.repair, temperature=config.temperature,
                           max_tokens=config.max_tokens)

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

    def prepare(self, item: _Item) -> Any:
        """On a worker thread: the pair's images, encoded once for the three requests (or a final outcome)."""
        if item.gt is None or item.gt_problem:
            return Finished(_Outcome(self._unscored(item, item.gt_problem or NO_TRUTH)))
        if not self.config.images:
            return item, None
        try:
            return item, encode_pair_files(str(self.store.local_path(item.source)),
                                           str(self.store.local_path(item.target)), self.encoding)
        except (ImageDecodeError, OSError) as exc:
            return Finished(_Outcome(self._unscored(item, f"images: {exc}")))
        except Exception as exc:  # noqa: BLE001 - the store cannot be reached: unscored, judged again next run
            return Finished(_Outcome(self._unscored(item, f"images: {type(exc).__name__}: {exc}")))

    async def score(self, prepared: tuple[_Item, EncodedPair | None]) -> _Outcome:
        item, pair = prepared
        assert item.gt is not None
        counts: Counter[str] = Counter()
        results = await asyncio.gather(*(self.dimension(d, item, pair, counts) for d in DIMENSIONS),
                                       return_exceptions=True)
        components: dict[str, Any] = {"findings": {}, "gt_verified": item.gt.verified, "prompts": self.prompts.ids,
                                      "images": pair is not None}
        problems = []
        for dim, res in zip(DIMENSIONS, results, strict=True):
            if isinstance(res, FatalServerError):
                return _Outcome(None, fatal=str(res))
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


class _JudgingStage:
    """The judging run's select and write, for the stage runner (the judge makes the calls)."""

    def __init__(self, ws: Workspace, config: JudgeConfig, judge: Judge, eval_run: str, summary: ScoringSummary):
        self.ws, self.config, self.judge, self.eval_run, self.summary = ws, config, judge, eval_run, summary
        self.reasons: Counter[str] = Counter()

    def select(self) -> list[tuple[Any, str | None]]:
        config = self.config
        with self.ws.session() as s:
            pair_ids = benchmark_pair_ids(s, config.benchmark) if config.benchmark else None
            instructions: list[InstructionRecord] = run_instructions(s, config.run, pair_ids)
            if config.limit:
                instructions = instructions[: config.limit]
            done = set() if config.rescore else scored_ids(s, config.scorer, [i.id for i in instructions])
            todo = [i for i in instructions if i.id not in done]
            pairs = {p.id: p for p in s.scalars(select(PairRecord).where(
                PairRecord.id.in_([i.pair_id for i in todo]))).unique()}
            items: dict[int, _Item] = {}
            for ins in todo:
                p = pairs[ins.pair_id]
                gt = ground_truth_for(s, ins.pair_id)
                problem = None
                if gt is None:
                    problem = NO_TRUTH
                elif config.verified_only and not gt.verified:
                    problem = NOT_VERIFIED
                items[ins.id] = _Item(ins.id, ins.text or "", ins.pair_id, gt, ImageKey(p.source.sha256, p.source.ext),
                                      ImageKey(p.target.sha256, p.target.ext), problem)
        # Instructions already scored are named by id only: they are skipped.
        return [(ins.id, DONE) if ins.id in done else (items[ins.id], None) for ins in instructions]

    def write(self, s: Session, outcomes: list[_Outcome]) -> None:
        summary = self.summary
        for outcome in outcomes:
            if outcome.score is None:
                continue  # refused for good: judged again by the next run
            summary.calls += outcome.calls
            summary.cached += outcome.cached
            save_score(s, outcome.score, self.eval_run)
            if outcome.score.status == "ok":
                summary.scored += 1
            else:
                summary.unscored += 1
                self.reasons[(outcome.score.reason or "").split(":", 1)[0]] += 1


@dataclass
class JudgeRecipe:
    """What a Ray actor needs to judge: the settings, the prompts, the store and the database (for the cache)."""

    config: JudgeConfig
    prompts: JudgePrompts
    store: Any
    db_url: str

    def build(self) -> Any:
        from ..runner.ray_executor import CarriedCache, WorkerSide

        cache = CarriedCache(self.db_url, read=not self.config.refresh)
        judge = _judge(self.config, self.prompts, self.store, cache)
        return WorkerSide(one_by_one(judge.score), prepare=judge.prepare, workers=_workers(self.config),
                          fatal=lambda o: o.fatal is not None, carry=cache.take)


def _judge(config: JudgeConfig, prompts: JudgePrompts, store: Any, cache: Any) -> Judge:
    client = config.calls.client(config.model()[1], default_concurrency=DEFAULT_CONCURRENCY, cache=cache)
    return Judge(client, config, prompts, store)


def _workers(config: JudgeConfig) -> int:
    return workers_for(config.concurrency, len(DIMENSIONS))


def run_judge(ws: Workspace, config: JudgeConfig, *, progress: ProgressSink | None = None,
              ray: RayOptions | None = None) -> ScoringSummary:
    """Judge the run's instructions (on Ray actors if ``ray``; see the module docstring).

    Raises EvalError on bad settings.
    """
    config.validate()
    prompts = JudgePrompts.load(config.prompt_version)
    summary = ScoringSummary(run=config.run, scorer=config.scorer, benchmark=config.benchmark)
    eval_run = eval_run_name(config.scorer, config.run)
    cache = WorkspaceResponseCache(ws, read=not config.refresh, deferred=True)
    judge = _judge(config, prompts, ws.store, cache)
    judging = _JudgingStage(ws, config, judge, eval_run, summary)
    stage = Stage("judge", select=judging.select, prepare=judge.prepare, call=one_by_one(judge.score),
                  write=judging.write, verdict=_verdict, flush=cache.flush, close=judge.client.aclose,
                  workers=_workers(config))
    report = plan(stage)
    summary.selected, summary.skipped = report.selected, report.already_done
    with ws.session() as s:
        get_or_start_run(s, eval_run, EVAL_KIND, config.record(prompts))
    executor = None
    if report.pending and ray is not None:
        from ..runner.ray_executor import RayExecutor, absorb_answers

        executor = RayExecutor(JudgeRecipe(config, prompts, ws.store, ws.db_url), ray, absorb=absorb_answers(cache))
    try:
        run_stage(ws, stage, report, executor=executor, progress=progress, description=f"judge {config.scorer}")
    finally:
        summary.stopped = report.stopped
        summary.unscored_reasons.update(dict(sorted(judging.reasons.items())))
        status = report.status(complete=summary.unscored == 0)
        with ws.session() as s:
            summary.means = score_means(s, config.scorer, _all_ids(s, config))
            finish_run(s, eval_run, status, {"scored": summary.scored, "unscored": summary.unscored,
                                             "skipped": summary.skipped, "calls": summary.calls,
                                             "cached": summary.cached, "cache": cache.stats()})
    return summary


def _all_ids(s: Any, config: JudgeConfig) -> list[int]:
    pair_ids = benchmark_pair_ids(s, config.benchmark) if config.benchmark else None
    return [i.id for i in run_instructions(s, config.run, pair_ids)]
