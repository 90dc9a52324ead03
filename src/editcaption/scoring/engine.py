"""The scoring run: score a run's instructions with an EditScore server, resumably.

``run_scoring(ws, config)``:

1. resolves the instruction run and selects its ok instructions (``where``, ``limit``);
2. skips those this scoring run already scored ``ok`` with the same settings and text (unless
   ``rescore``); unscored ones are tried again — a failed request is retryable by re-running;
3. scores the rest through the stage runner (:mod:`editcaption.runner`) and one
   :class:`~editcaption.llm.ChatClient` whose response cache is the workspace
   (:class:`~editcaption.workspace.llm_cache.WorkspaceResponseCache`): a request made
   before, by any run, is answered with no new call;
4. writes scores in batches as they are known, the cached answers with them (a kill loses
   the items in flight and at most the last fraction of a second of results), and finishes
   the run with its totals.

A 401/403/404 from the server stops the run (every other item would fail the same way).
With ``ray=RayOptions(...)`` the calls are made by Ray actors, each building its own scorer
from a :class:`ScoreRecipe` (:mod:`editcaption.runner.ray_executor`); the scores are the same.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from ..imageio import ImageDecodeError
from ..llm import EncodedPair, ImageEncoding, encode_pair_files
from ..runner import DONE, Finished, ProgressSink, RunReport, Stage, Verdict, one_by_one, plan, run_stage, workers_for
from ..workspace import Workspace
from ..workspace.llm_cache import WorkspaceResponseCache
from ..workspace.models import RunRecord
from ..workspace.queries import finish_run, get_or_start_run
from .config import DEFAULT_CONCURRENCY, ScoreConfig, ScoreConfigError
from .editscore import IMAGE_UNREADABLE, EditScorer, ScoreOutcome, ScoringPrompts, instruction_sha, unscored
from .prompts import ScoringPromptError
from .records import (
    SCORE_RUN_KIND,
    ScoreItem,
    existing_scores,
    resolve_run,
    score_run_counts,
    select_items,
    write_scores,
)

if TYPE_CHECKING:
    from ..runner.ray_executor import RayOptions


@dataclass
class ScoreSummary:
    """What one invocation did, and where the scoring run stands (``run_totals``)."""

    score_run: str
    run: str
    scorer: str
    base: str
    passes: int
    resumed: bool
    selected: int = 0
    already_scored: int = 0
    attempted: int = 0
    ok: int = 0
    unscored: int = 0
    unscored_by_reason: dict[str, int] = field(default_factory=dict)
    calls: int = 0  # requests that reached the server
    cached_calls: int = 0  # requests answered from the workspace cache
    tokens: dict[str, int] = field(default_factory=dict)
    wall_time: float = 0.0
    status: str = "running"
    stopped: str | None = None
    run_totals: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["wall_time"] = round(self.wall_time, 3)
        return out


@dataclass
class _Scored:
    item: ScoreItem
    outcome: ScoreOutcome


def _verdict(scored: _Scored) -> Verdict:
    o = scored.outcome
    return Verdict(ok=o.ok, reason=o.code, fatal=o.reason if o.fatal else None)


class ScoreCalls:
    """The call side of scoring — read and encode a pair's images, ask the scorer — on the driver or a Ray actor."""

    def __init__(self, config: ScoreConfig, scorer: EditScorer, store: Any):
        self.scorer, self.store = scorer, store
        self.encoding = ImageEncoding(max_side=config.image_max_side, format=config.image_format)
        # Each item sends its requests (two per pass) at once; the client bounds them.
        self.workers = workers_for(config.concurrency, 2 * scorer.passes)

    def prepare(self, item: ScoreItem) -> Any:
        try:
            return item, encode_pair_files(str(self.store.local_path(item.source)),
                                           str(self.store.local_path(item.target)), self.encoding)
        except ImageDecodeError as exc:
            return Finished(_Scored(item, unscored(IMAGE_UNREADABLE, f"{exc.name}: {exc.reason}")))
        except Exception as exc:  # noqa: BLE001 - the store cannot be reached: unscored, tried again next run
            return Finished(_Scored(item, unscored(IMAGE_UNREADABLE, f"{type(exc).__name__}: {exc}")))

    async def call(self, prepared: tuple[ScoreItem, EncodedPair]) -> _Scored:
        item, pair = prepared
        return _Scored(item, await self.scorer.score(item.text, pair))


def build_scorer(config: ScoreConfig, prompts: ScoringPrompts, cache: Any) -> EditScorer:
    """The scorer (and its HTTP client, answering from ``cache`` first) for ``config``."""
    spec = config.spec()
    client = config.calls.client(spec.base_url or "", default_concurrency=DEFAULT_CONCURRENCY, cache=cache)
    return EditScorer(client, spec.model or "", base=config.resolved_base(), passes=config.passes,
                      seed=config.seed, prompts=prompts, extra_body=config.calls.extra_body,
                      temperature=config.calls.temperature)


@dataclass
class ScoreRecipe:
    """What a Ray actor needs to score: the settings, the prompts, the store and the database (for the cache)."""

    config: ScoreConfig
    prompts: ScoringPrompts
    store: Any
    db_url: str

    def build(self) -> Any:
        from ..runner.ray_executor import CarriedCache, WorkerSide

        cache = CarriedCache(self.db_url, read=self.config.use_cache)
        calls = ScoreCalls(self.config, build_scorer(self.config, self.prompts, cache), self.store)
        return WorkerSide(one_by_one(calls.call), prepare=calls.prepare, workers=calls.workers,
                          fatal=lambda r: _verdict(r).fatal is not None, carry=cache.take)


class _ScoringStage:
    """The scoring run's select and write, for the stage runner (the calls: :class:`ScoreCalls`)."""

    def __init__(self, ws: Workspace, config: ScoreConfig, run: str, score_run: str, scorer: EditScorer,
                 cache: WorkspaceResponseCache):
        self.ws, self.config, self.run, self.score_run = ws, config, run, score_run
        self.scorer, self.cache = scorer, cache
        self.settings = scorer.settings()
        self.items: list[ScoreItem] = []
        self.calls = self.cached = 0  # of this invocation, counted as scores are written
        self.tokens: Counter[str] = Counter()

    def select(self) -> list[tuple[ScoreItem, str | None]]:
        self.items = select_items(self.ws, self.run, self.config.where, self.config.limit)
        with self.ws.session() as s:
            done = existing_scores(s, self.score_run, self.scorer.name)
        # Unscored items are always tried again: a failed request may succeed now.
        return [(it, DONE if not self.config.rescore and _still_valid(done.get(it.instruction_id), it, self.settings)
                 else None) for it in self.items]

    def write(self, s: Session, results: list[_Scored]) -> None:
        write_scores(s, self.score_run, self.scorer.name, [(r.item.instruction_id, r.outcome) for r in results])
        for r in results:
            self.calls += r.outcome.calls
            self.cached += r.outcome.cached
            self.tokens.update(r.outcome.usage)

    def stage(self) -> Stage[ScoreItem, _Scored]:
        calls = ScoreCalls(self.config, self.scorer, self.ws.store)
        return Stage("score", select=self.select, prepare=calls.prepare, call=one_by_one(calls.call),
                     write=self.write, verdict=_verdict, flush=self.cache.flush, close=self.scorer.client.aclose,
                     workers=calls.workers)


def run_scoring(ws: Workspace, config: ScoreConfig, *, progress: ProgressSink | None = None,
                ray: RayOptions | None = None) -> ScoreSummary:
    """Score the selected instructions (on Ray actors if ``ray``); see the module docstring.

    Raises ScoreConfigError and friends.
    """
    config.validate()
    try:
        prompts = ScoringPrompts.load(config.sc_prompt, config.pq_prompt)
    except ScoringPromptError as exc:
        raise ScoreConfigError(str(exc)) from None
    with ws.session() as s:
        run = resolve_run(s, config.run)
    score_run = config.score_run or config.default_score_run(run)
    cache = WorkspaceResponseCache(ws, read=config.use_cache, deferred=True)
    scorer = build_scorer(config, prompts, cache)
    with ws.session() as s:
        existing = s.get(RunRecord, score_run)
        if existing is not None and existing.kind != SCORE_RUN_KIND:
            raise ScoreConfigError(f"run {score_run!r} already exists as a {existing.kind} run; "
                                   "choose another --score-run")
    scoring = _ScoringStage(ws, config, run, score_run, scorer, cache)
    stage = scoring.stage()
    report = plan(stage)
    summary = ScoreSummary(score_run=score_run, run=run, scorer=scorer.name, base=scorer.base, passes=scorer.passes,
                           resumed=existing is not None, selected=report.selected, attempted=report.attempted,
                           already_scored=report.already_done)
    with ws.session() as s:
        rec, _ = get_or_start_run(s, score_run, SCORE_RUN_KIND, {})
        rec.config = config.to_record(run, prompts.ids())  # the latest settings this run was scored with
    executor = None
    if report.pending and ray is not None:
        from ..runner.ray_executor import RayExecutor, absorb_answers

        executor = RayExecutor(ScoreRecipe(config, prompts, ws.store, ws.db_url), ray, absorb=absorb_answers(cache))
    try:
        run_stage(ws, stage, report, executor=executor, progress=progress, description=f"score {scorer.name}")
    finally:
        _finish(ws, summary, report, scoring)
    return summary


def _finish(ws: Workspace, summary: ScoreSummary, report: RunReport, scoring: _ScoringStage) -> None:
    summary.wall_time = report.wall_time
    summary.ok, summary.unscored = report.ok, report.failed
    summary.unscored_by_reason = dict(sorted(report.failed_by_reason.items()))
    summary.calls, summary.cached_calls = scoring.calls, scoring.cached
    summary.tokens = dict(scoring.tokens)
    summary.stopped = report.stopped
    with ws.session() as s:
        totals = score_run_counts(s, summary.score_run)
        summary.run_totals = totals
        summary.status = report.status(complete=totals["unscored"] == 0 and totals["ok"] >= report.selected)
        finish_run(s, summary.score_run, summary.status,
                   {**totals, "selected": report.selected,
                    "last": {"ok": report.ok, "unscored": report.failed, "calls": scoring.calls,
                             "cached_calls": scoring.cached, "wall_time": round(report.wall_time, 3)}})


def _still_valid(rec: Any, item: ScoreItem, settings: dict[str, Any]) -> bool:
    """An ok score made with these settings for this exact text needs no new scoring."""
    if rec is None or rec.status != "ok":
        return False
    comp = rec.components or {}
    if comp.get("instruction_sha256") != instruction_sha(item.text):
        return False
    return all(comp.get(k) == v for k, v in settings.items())
