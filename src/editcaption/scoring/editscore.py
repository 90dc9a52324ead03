"""Scoring one (source, target, instruction) with an EditScore model behind an OpenAI-compatible API.

Per pass ``i`` (seed ``seed + i``) two calls are made — semantic consistency with both images,
perceptual quality with the target — through the shared :class:`~editcaption.llm.ChatClient`
(retries, concurrency, response cache). An answer that cannot be read gets exactly one repair
request (the same conversation plus "answer with the JSON only"); if that fails too, or a
score is out of range, or a request fails after the client's retries, the item is
``unscored`` with the reason. A number is never made up: every pass of the requested
``passes`` must be read, or there is no score.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass, field
from typing import Any

from ..llm import ChatClient, ChatResult, EncodedPair, FatalServerError, LLMError
from ..prompts import PromptTemplate
from . import layout
from .prompts import load_scoring_prompt, render
from .protocol import SCORE_RANGE, PassScores, average_passes
from .replies import OUT_OF_RANGE, UNREADABLE, ScoreReply, read_score_reply

PROTOCOL = "editscore"
DEFAULT_SEED = 42  # EditScore's default; pass i uses seed + i

# Reason codes of an unscored item (the text before the first colon of ScoreRecord.reason).
REQUEST_FAILED = "request_failed"
IMAGE_UNREADABLE = "image_unreadable"


@dataclass(frozen=True)
class ScoringPrompts:
    sc: PromptTemplate
    pq: PromptTemplate
    repair: PromptTemplate

    @classmethod
    def load(cls, sc_path: str | None = None, pq_path: str | None = None) -> ScoringPrompts:
        return cls(sc=load_scoring_prompt("sc", path=sc_path), pq=load_scoring_prompt("pq", path=pq_path),
                   repair=load_scoring_prompt("repair"))

    def ids(self) -> dict[str, str]:
        return {"sc": self.sc.id, "pq": self.pq.id, "repair": self.repair.id}


@dataclass
class CallOutcome:
    """One call of one pass (with its repair, if one was needed), as stored in the score's components."""

    kind: str  # sc | pq
    seed: int
    text: str | None = None  # the answer exactly as the model wrote it
    raw: list[float] | None = None
    reasoning: str | None = None
    repairs: list[str] = field(default_factory=list)
    repair: dict[str, Any] | None = None  # {"problem": ..., "text": ...} when a repair request was sent
    problem: str | None = None  # why there is no score
    code: str | None = None  # unreadable | out_of_range | request_failed
    fatal: bool = False
    calls: int = 0  # requests that reached the server
    cached: int = 0  # requests answered from the cache
    usage: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.raw is not None

    def to_json(self) -> dict[str, Any]:
        return {"raw": self.raw, "reasoning": self.reasoning, "text": self.text, "repairs": self.repairs,
                "repair": self.repair, "problem": self.problem, "code": self.code}

    def count(self, result: ChatResult) -> None:
        if result.cached:
            self.cached += 1
        else:
            self.calls += 1
            for key, value in result.usage.items():
                self.usage[key] = self.usage.get(key, 0) + value


@dataclass
class ScoreOutcome:
    """The score of one item: ``ok`` with ``overall`` and components, or ``unscored`` with a reason."""

    status: str  # ok | unscored
    overall: float | None
    components: dict[str, Any]
    reason: str | None = None
    fatal: bool = False
    calls: int = 0
    cached: int = 0
    usage: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def code(self) -> str | None:
        return self.reason.split(":", 1)[0] if self.reason else None


def instruction_sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class EditScorer:
    """``await scorer.score(instruction, pair)`` → :class:`ScoreOutcome` (see the module docstring)."""

    def __init__(self, client: ChatClient, model: str, *, base: str, passes: int = 1, seed: int = DEFAULT_SEED,
                 prompts: ScoringPrompts | None = None, score_range: int = SCORE_RANGE,
                 extra_body: dict[str, Any] | None = None, temperature: float | None = None):
        if base not in layout.BASES:
            raise ValueError(f"base must be one of {', '.join(layout.BASES)}, not {base!r}")
        if passes < 1:
            raise ValueError("passes must be at least 1")
        self.client = client
        self.model = model
        self.base = base
        self.passes = passes
        self.seed = seed
        self.prompts = prompts or ScoringPrompts.load()
        self.score_range = score_range
        self.extra_body = {**layout.EXTRA_SAMPLING, **(extra_body or {})}
        # The protocol's sampling; a temperature given by the user replaces its 0.7.
        self.sampling = {**layout.SAMPLING, **({} if temperature is None else {"temperature": temperature})}

    @property
    def name(self) -> str:
        """The stable scorer name stored with every score (the server's address is left out)."""
        return f"{PROTOCOL}:{self.model}"

    def settings(self) -> dict[str, Any]:
        """Everything that decides a score besides the item itself (stored; a change means rescoring)."""
        return {"protocol": PROTOCOL, "model": self.model, "base": self.base, "passes": self.passes,
                "seeds": self.seeds, "score_range": self.score_range, "prompts": self.prompts.ids(),
                "sampling": {**self.sampling, **self.extra_body}, "pq_images": "target"}

    @property
    def seeds(self) -> list[int]:
        return [self.seed + i for i in range(self.passes)]

    async def score(self, instruction: str, pair: EncodedPair) -> ScoreOutcome:
        sc_text = render(self.prompts.sc, instruction=instruction, max_score=self.score_range)
        pq_text = render(self.prompts.pq, max_score=self.score_range)
        sc_msgs = layout.sc_messages(self.base, sc_text, pair)
        pq_msgs = layout.pq_messages(self.base, pq_text, pair.target)
        jobs = []
        for seed in self.seeds:
            jobs.append(self._call("sc", sc_msgs, seed))
            jobs.append(self._call("pq", pq_msgs, seed))
        done = await asyncio.gather(*jobs)
        pairs = [(done[2 * i], done[2 * i + 1]) for i in range(self.passes)]
        return self._combine(instruction, pairs)

    # -- one call, with its one repair -----------------------------------------------------
    async def _call(self, kind: str, messages: list[dict[str, Any]], seed: int) -> CallOutcome:
        out = CallOutcome(kind=kind, seed=seed)
        try:
            first = await self._chat(messages, seed)
        except LLMError as exc:
            return self._failed(out, exc)
        out.count(first)
        out.text = first.raw_text  # as the model wrote it, reasoning included; the parser removes that itself
        reply = read_score_reply(first.raw_text, score_range=self.score_range)
        if reply.kind == UNREADABLE:
            repair_text = render(self.prompts.repair, problem=reply.problem, max_score=self.score_range)
            try:
                second = await self._chat(layout.repair_messages(messages, first.text, repair_text), seed)
            except LLMError as exc:
                out.repair = {"problem": reply.problem, "text": None}
                return self._failed(out, exc)
            out.count(second)
            out.repair = {"problem": reply.problem, "text": second.raw_text}
            reply = read_score_reply(second.raw_text, score_range=self.score_range)
            if reply.kind == UNREADABLE:
                reply = ScoreReply(problem=f"unreadable after one repair request: {reply.problem}", kind=UNREADABLE,
                                   repairs=reply.repairs)
        out.repairs = list(reply.repairs)
        out.reasoning = reply.reasoning
        if reply.ok:
            out.raw = reply.raw
        else:
            out.problem, out.code = reply.problem, reply.kind
        return out

    async def _chat(self, messages: list[dict[str, Any]], seed: int) -> ChatResult:
        # allow_empty: an empty answer is an unreadable answer (it gets its repair), not a failed request.
        return await self.client.chat(messages, model=self.model, seed=seed, extra_body=self.extra_body,
                                      allow_empty=True, **self.sampling)

    @staticmethod
    def _failed(out: CallOutcome, exc: LLMError) -> CallOutcome:
        out.problem, out.code = exc.record(), REQUEST_FAILED
        out.fatal = isinstance(exc, FatalServerError)
        return out

    # -- the item's score --------------------------------------------------------------------
    def _combine(self, instruction: str, pairs: list[tuple[CallOutcome, CallOutcome]]) -> ScoreOutcome:
        per_pass: list[dict[str, Any]] = []
        scores: list[PassScores] = []
        problems: list[tuple[str, str]] = []
        calls = cached = 0
        usage: dict[str, int] = {}
        fatal = False
        for i, (sc, pq) in enumerate(pairs):
            for call in (sc, pq):
                calls, cached = calls + call.calls, cached + call.cached
                for key, value in call.usage.items():
                    usage[key] = usage.get(key, 0) + value
                fatal = fatal or call.fatal
                if not call.ok:
                    problems.append((call.code or UNREADABLE,
                                     f"pass {i + 1} (seed {call.seed}) {call.kind.upper()}: {call.problem}"))
            entry: dict[str, Any] = {"seed": sc.seed, "sc": sc.to_json(), "pq": pq.to_json(), "scores": None}
            if sc.ok and pq.ok:
                assert sc.raw is not None and pq.raw is not None
                ps = PassScores.from_raw(sc.raw, pq.raw, self.score_range)
                scores.append(ps)
                entry["scores"] = ps.to_json()
            per_pass.append(entry)
        # Headline numbers first (when there are any), then how they were made, then each pass in full.
        components: dict[str, Any] = average_passes(scores) if not problems else {}
        components.update(self.settings())
        components["instruction_sha256"] = instruction_sha(instruction)
        components["per_pass"] = per_pass
        outcome = ScoreOutcome(status="ok", overall=components.get("overall"), components=components, calls=calls,
                               cached=cached, usage=usage, fatal=fatal)
        if problems:
            # Report the most actionable problem first: a failed request is retried by re-running.
            order = {REQUEST_FAILED: 0, OUT_OF_RANGE: 1, UNREADABLE: 2}
            problems.sort(key=lambda p: order.get(p[0], 3))
            code, first = problems[0]
            more = f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""
            outcome.status, outcome.reason = "unscored", f"{code}: {first}{more}"
        return outcome

def unscored(reason_code: str, message: str, components: dict[str, Any] | None = None) -> ScoreOutcome:
    """An item that could not even be sent (e.g. an unreadable image file)."""
    return ScoreOutcome(status="unscored", overall=None, components=components or {},
                        reason=f"{reason_code}: {message}")
