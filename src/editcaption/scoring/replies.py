"""Reading one EditScore answer: two raw scores and the reasoning, or why they cannot be read.

An answer is ``{"reasoning": "...", "score": [a, b]}``. Accepted without guessing: the forms
:func:`editcaption.llm.jsonparse.parse_json_reply` reads (fences, prose, single quotes,
trailing commas, reasoning blocks ...), numbers written as strings (``"20"``), a list holding
that one object, and a reply that is *nothing but* the score list (``[20, 18]``). Everything
else is ``unreadable`` (worth one repair request); a score outside ``0..score_range`` is
``out_of_range`` (final: a model that answers 30 on a 0–25 scale has not scored).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..llm.jsonparse import JsonFieldError, number_list, parse_json_reply
from .protocol import SCORE_RANGE

UNREADABLE = "unreadable"
OUT_OF_RANGE = "out_of_range"


@dataclass(frozen=True)
class ScoreReply:
    raw: list[float] | None = None  # the two raw scores, when read and in range
    reasoning: str | None = None
    problem: str | None = None  # why not, one line
    kind: str | None = None  # unreadable | out_of_range
    repairs: tuple[str, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return self.problem is None


def read_score_reply(text: str | None, *, score_range: int = SCORE_RANGE, n_scores: int = 2) -> ScoreReply:
    parsed = parse_json_reply(text, expect="any", required_keys=("score",))
    if not parsed.ok:
        return ScoreReply(problem=parsed.error, kind=UNREADABLE, repairs=parsed.repairs)
    value: Any = parsed.value
    repairs = parsed.repairs
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], dict):
        value, repairs = value[0], (*repairs, "single-item list unwrapped")
    reasoning = None
    if isinstance(value, dict):
        if "score" not in value:
            have = ", ".join(sorted(map(str, value))) or "none"
            return ScoreReply(problem=f"missing key 'score' (keys present: {have})", kind=UNREADABLE, repairs=repairs)
        scores = value["score"]
        if isinstance(value.get("reasoning"), str):
            reasoning = value["reasoning"]
    elif "surrounding text ignored" in repairs:
        # A list found inside prose ("on a scale [0, 25] ...") is not an answer.
        return ScoreReply(problem="no JSON object with a 'score' key in the reply", kind=UNREADABLE, repairs=repairs)
    else:
        scores, repairs = value, (*repairs, "bare score list")
    try:
        raw = number_list(scores, length=n_scores, name="score")
    except JsonFieldError as exc:
        return ScoreReply(problem=str(exc), kind=UNREADABLE, reasoning=reasoning, repairs=repairs)
    for i, v in enumerate(raw):
        if not 0 <= v <= score_range:
            return ScoreReply(problem=f"score[{i}] = {v:g} is outside 0–{score_range}", kind=OUT_OF_RANGE,
                              reasoning=reasoning, repairs=repairs)
    return ScoreReply(raw=raw, reasoning=reasoning, repairs=repairs)
