"""The arithmetic of the EditScore protocol, as pure functions (arXiv 2509.23909, §3; VIEScore).

Per pass, the reward model answers two calls with raw scores on ``0..score_range`` (25):

* semantic consistency (SC): ``[edit success, over-editing]`` → ``prompt_following`` and
  ``consistency``; ``SC = min`` of the two;
* perceptual quality (PQ): ``[naturalness, artifacts]``; ``PQ = min`` of the two.

Raw scores are scaled to 0–10 by dividing by ``score_range / 10`` (2.5), and the pass's
composite is the geometric mean ``overall = sqrt(SC × PQ)``. With several passes (seeds
``seed + i``), every quantity is the mean over passes; ``overall`` is the mean of the per-pass
composites (EditScore's default "average_last" reduction).

Unlike EditScore's own library, nothing here substitutes a value: a raw score outside
``0..score_range`` is an error, never clipped or replaced by a mid-scale number.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

SCORE_RANGE = 25  # the raw scale EditScore's models were trained to answer on
SCALE = 10.0  # the reported scale


class OutOfRange(ValueError):
    """A raw score outside ``0..score_range``."""


def scale(raw: float, score_range: int = SCORE_RANGE) -> float:
    """A raw score on ``0..score_range`` as 0–10; out of range raises :class:`OutOfRange`."""
    if not (0 <= raw <= score_range):
        raise OutOfRange(f"{raw:g} is outside 0–{score_range}")
    return raw / (score_range / SCALE)


@dataclass(frozen=True)
class PassScores:
    """One pass, on the 0–10 scale."""

    prompt_following: float
    consistency: float
    naturalness: float
    artifacts: float

    @property
    def semantic_consistency(self) -> float:
        return min(self.prompt_following, self.consistency)

    @property
    def perceptual_quality(self) -> float:
        return min(self.naturalness, self.artifacts)

    @property
    def overall(self) -> float:
        return math.sqrt(self.semantic_consistency * self.perceptual_quality)

    def to_json(self) -> dict[str, float]:
        return {**asdict(self), "semantic_consistency": self.semantic_consistency,
                "perceptual_quality": self.perceptual_quality, "overall": self.overall}

    @classmethod
    def from_raw(cls, sc_raw: list[float], pq_raw: list[float], score_range: int = SCORE_RANGE) -> PassScores:
        """From the two raw answers ``[success, over-editing]`` and ``[naturalness, artifacts]``."""
        pf, cons = (scale(v, score_range) for v in sc_raw)
        nat, art = (scale(v, score_range) for v in pq_raw)
        return cls(prompt_following=pf, consistency=cons, naturalness=nat, artifacts=art)


COMPONENTS = ("prompt_following", "consistency", "semantic_consistency", "naturalness", "artifacts",
              "perceptual_quality", "overall")


def average_passes(passes: list[PassScores]) -> dict[str, float]:
    """The mean of every component over passes; ``overall`` is the mean of per-pass composites."""
    if not passes:
        raise ValueError("no passes to average")
    rows = [p.to_json() for p in passes]
    return {key: sum(r[key] for r in rows) / len(rows) for key in COMPONENTS}
