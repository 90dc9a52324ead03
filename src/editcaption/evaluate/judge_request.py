"""What the LLM judge is sent: the ground truth as numbered text, and the chat messages.

Each ground-truth change gets an id (``primary-1``, ``secondary-2`` …) that the judge must
use in its findings; :class:`TruthIds` holds them so replies can be checked against the
exact list that was sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..llm.images import EncodedPair
from ..llm.messages import openai_messages
from ..prompts import PromptTemplate
from ..schema import Change, GroundTruth
from .prompts import DIMENSION_PROMPTS, fill, load_eval_prompt

SOURCE_LABEL = "Image A (source):"
TARGET_LABEL = "Image B (edited result):"
IMAGES_SHOWN = "Image A (the source) and Image B (the edited result) are shown above."
IMAGES_NOT_SHOWN = "The images are not shown to you: the ground truth below describes the change."


@dataclass(frozen=True)
class TruthIds:
    """The ids of a pair's ground-truth changes, as numbered in the judge's prompt."""

    primary: tuple[str, ...]
    secondary: tuple[str, ...]

    @classmethod
    def of(cls, gt: GroundTruth) -> TruthIds:
        return cls(tuple(f"primary-{i}" for i in range(1, len(gt.primary) + 1)),
                   tuple(f"secondary-{i}" for i in range(1, len(gt.secondary) + 1)))

    @property
    def all(self) -> tuple[str, ...]:
        return self.primary + self.secondary


def change_sentence(change: Change) -> str:
    """A change as one line: its text, or (for structure-only changes) its fields in words."""
    if change.text.strip():
        return " ".join(change.text.split())
    parts = [change.op or "change", change.object or "", change.attribute or ""]
    if change.before or change.after:
        parts.append(f"from {change.before or '?'} to {change.after or '?'}")
    if change.direction:
        parts.append(f"({change.direction})")
    return " ".join(p for p in parts if p)


def render_truth(gt: GroundTruth) -> str:
    """The ground truth as the judge reads it: numbered primary and secondary changes, overall text."""
    lines = ["Primary changes:"]
    lines += [f"- primary-{i}: {change_sentence(c)}" for i, c in enumerate(gt.primary, 1)] or ["- (none)"]
    lines.append("Secondary changes:")
    lines += [f"- secondary-{i}: {change_sentence(c)}" for i, c in enumerate(gt.secondary, 1)] or ["- (none)"]
    lines.append(f"Overall description: {' '.join(gt.overall.split()) or '(none)'}")
    return "\n".join(lines)


def two_image_messages(text: str, pair: EncodedPair | None) -> list[dict[str, Any]]:
    """One user turn: the two labelled images (when given) followed by ``text``."""
    if pair is None:
        return [{"role": "user", "content": text}]
    template = [{"role": "user", "content": [
        {"type": "text", "text": SOURCE_LABEL}, {"type": "image"},
        {"type": "text", "text": TARGET_LABEL}, {"type": "image"},
        {"type": "text", "text": text},
    ]}]
    return openai_messages(template, pair.urls)


@dataclass(frozen=True)
class JudgePrompts:
    """The three dimension prompts and the repair prompt of one version."""

    dimensions: dict[str, PromptTemplate]
    repair: PromptTemplate

    @classmethod
    def load(cls, version: str = "v1") -> JudgePrompts:
        return cls({d: load_eval_prompt(n, version) for d, n in DIMENSION_PROMPTS.items()},
                   load_eval_prompt("judge-repair", version))

    @property
    def ids(self) -> dict[str, str]:
        return {**{d: p.id for d, p in self.dimensions.items()}, "repair": self.repair.id}


def dimension_messages(prompts: JudgePrompts, dimension: str, gt: GroundTruth, instruction: str,
                       pair: EncodedPair | None) -> list[dict[str, Any]]:
    text = fill(prompts.dimensions[dimension], images_note=IMAGES_SHOWN if pair is not None else IMAGES_NOT_SHOWN,
                ground_truth=render_truth(gt), instruction=instruction.strip())
    return two_image_messages(text, pair)
