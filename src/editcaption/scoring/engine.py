"""The scoring run: score a run's instructions with an EditScore server, resumably.

``run_scoring(ws, config)``:

1. resolves the instruction run and selects its ok instructions (``where``, ``limit``);
2. skips those this scoring run already scored ``ok`` with the same settings and text (unless
   ``rescore``); unscored ones are tried again — a failed request is retryable by re-running;
3. scores the rest through one :class:`~editcaption.llm.ChatClient` whose response cache is
   the workspace (:class:`~editcaption.workspace.llm_cache.WorkspaceResponseCache`): a
   request made before, by any run, is answered with no new call;
4. writes each score as soon as it is known (a kill loses only the items in flight, and
   their finished calls are already cached), and finishes the run with its totals.

A 401/403/404 from the server stops the run (every other item would fail the same way).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..caption.progress import NoProgress, ProgressSink
from ..imageio import ImageDecodeError
from ..llm import ChatClient, ImageEncoding, RetryPolicy, encode_pair_files
from ..workspace import Workspace
from ..workspace.llm_cache import WorkspaceResponseCache
from ..workspace.models import RunRecord
from ..workspace.queries import finish_run, get_or_start_run
from .config import ScoreConfig, ScoreConfigError
from .editscore import IMAGE_UNREADABLE, EditScorer, ScoreOutcome, ScoringPrompts, instruction_sha, unscored
from .prompts import ScoringPromptError
from .records import (
    SCORE_RUN_KIND,
    ScoreItem,
    existing_scores,
    resolve_run,
    score_run_counts,
    select_items,
    write_score,
)


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


def run_scoring(ws: Workspace, config: ScoreConfig, *, progress: ProgressSink | None = None) -> ScoreSummary:
    """Score the selected instructions; see the module docstring. Raises ScoreConfigError and friends."""
    config.validate()
    try:
        prompts = ScoringPrompts.load(config.sc_prompt, config.pq_prompt)
    except ScoringPromptError as exc:
        raise ScoreConfigError(str(exc)) from None
    progress = progress or NoProgress()
    spec = config.spec()
    with ws.session() as s:
        run = resolve_run(s, config.run)
    score_run = config.score_run or config.default_score_run(run)
    items = select_items(ws, run, config.where, config.limit)
    cache = WorkspaceResponseCache(ws, read=config.use_cache)
    client = ChatClient(spec.base_url or "", api_key_env=config.api_key_env, timeout=config.timeout,
                        max_concurrency=config.concurrency, retry=RetryPolicy(max_retries=config.max_retries),
                        cache=cache)
    scorer = EditScorer(client, spec.model or "", base=config.resolved_base(), passes=config.passes,
                        seed=config.seed, prompts=prompts, extra_body=config.extra_body)
    settings = scorer.settings()
    with ws.session() as s:
        existing = s.get(RunRecord, score_run)
        if existing is not None and existing.kind != SCORE_RUN_KIND:
            raise ScoreConfigError(f"run {score_run!r} already exists as a {existing.kind} run; "
                                   "choose another --score-run")
        done = existing_scores(s, score_run, scorer.name)
    pending = [it for it in items if config.rescore or not _still_valid(done.get(it.instruction_id), it, settings)]
    summary = ScoreSummary(score_run=score_run, run=run, scorer=scorer.name, base=scorer.base, passes=scorer.passes,
                           resumed=existing is not None, selected=len(items), attempted=len(pending),
                           already_scored=len(items) - len(pending))
    with ws.session() as s:
        rec, _ = get_or_start_run(s, score_run, SCORE_RUN_KIND, {})
        rec.config = config.to_record(run, prompts.ids())  # the latest settings this run was scored with
    tally = _Tally()
    started = time.perf_counter()
    interrupted = True
    try:
        if pending:
            progress.start(len(pending), f"score {scorer.name}")
            asyncio.run(_score_all(ws, scorer, score_run, pending, config, tally, progress))
        interrupted = False
    finally:
        progress.stop()
        summary.wall_time = time.perf_counter() - started
        summary.ok, summary.unscored = tally.ok, tally.unscored
        summary.unscored_by_reason = dict(sorted(tally.reasons.items()))
        summary.calls, summary.cached_calls = tally.calls, tally.cached
        summary.tokens = dict(tally.tokens)
        summary.stopped = tally.stopped
        with ws.session() as s:
            totals = score_run_counts(s, score_run)
            summary.run_totals = totals
            summary.status = ("interrupted" if interrupted else "aborted" if tally.stopped
                              else "done" if totals["unscored"] == 0 and totals["ok"] >= len(items) else "partial")
            finish_run(s, score_run, summary.status,
                       {**totals, "selected": len(items), "last": {"ok": tally.ok, "unscored": tally.unscored,
                                                                  "calls": tally.calls, "cached_calls": tally.cached,
                                                                  "wall_time": round(summary.wall_time, 3)}})
    return summary


def _still_valid(rec: Any, item: ScoreItem, settings: dict[str, Any]) -> bool:
    """An ok score made with these settings for this exact text needs no new scoring."""
    if rec is None or rec.status != "ok":
        return False
    comp = rec.components or {}
    if comp.get("instruction_sha256") != instruction_sha(item.text):
        return False
    return all(comp.get(k) == v for k, v in settings.items())


class _Tally:
    def __init__(self) -> None:
        self.ok = 0
        self.unscored = 0
        self.reasons: Counter[str] = Counter()
        self.calls = 0
        self.cached = 0
        self.tokens: Counter[str] = Counter()
        self.stopped: str | None = None

    def add(self, outcome: ScoreOutcome) -> None:
        if outcome.ok:
            self.ok += 1
        else:
            self.unscored += 1
            self.reasons[outcome.code or "unknown"] += 1
            if outcome.fatal and self.stopped is None:
                self.stopped = outcome.reason
        self.calls += outcome.calls
        self.cached += outcome.cached
        self.tokens.update(outcome.usage)


async def _score_all(ws: Workspace, scorer: EditScorer, score_run: str, pending: list[ScoreItem],
                     config: ScoreConfig, tally: _Tally, progress: ProgressSink) -> None:
    """Workers pull items, encode the pair off the event loop, score it and write the result."""
    encoding = ImageEncoding(max_side=config.image_max_side, format=config.image_format)
    queue: Iterator[ScoreItem] = iter(pending)
    stop = asyncio.Event()

    async def worker() -> None:
        for item in queue:  # a shared iterator: each item goes to exactly one worker
            if stop.is_set():
                return
            try:
                pair = await asyncio.to_thread(encode_pair_files, item.source_path, item.target_path, encoding)
            except ImageDecodeError as exc:
                outcome = unscored(IMAGE_UNREADABLE, f"{exc.name}: {exc.reason}")
            else:
                outcome = await scorer.score(item.text, pair)
            with ws.session() as s:
                write_score(s, score_run, scorer.name, item.instruction_id, outcome)
            tally.add(outcome)
            progress.advance(1 if outcome.ok else 0, 0 if outcome.ok else 1)
            if outcome.fatal:
                stop.set()

    try:
        # Each item makes 2 × passes requests at once; the client's semaphore bounds the total,
        # and a few more items than that keep the server busy while images are being encoded.
        n_workers = max(1, min(len(pending), config.concurrency // 2 + 2))
        await asyncio.gather(*(worker() for _ in range(n_workers)))
    finally:
        await scorer.client.aclose()

