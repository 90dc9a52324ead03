"""What every task kind shares: the loaded item, form access and the validation error."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

MAX_TEXT = 4000

Form = Mapping[str, Sequence[str]]  # every field as a list of values (a form may repeat a field)


class InvalidSubmission(ValueError):
    """A submission that cannot be saved; the message is shown to the annotator."""


# The item as read for a page or a submission: plain values from one Core query
# (see :func:`..submissions.context_select`), not ORM objects.


@dataclass(frozen=True)
class Queue:
    id: int
    name: str
    kind: str
    overlap: int
    lease_seconds: int


@dataclass(frozen=True)
class Task:
    id: int
    pair_id: str
    instruction_id: int | None


@dataclass(frozen=True)
class Image:
    sha256: str
    ext: str
    width: int
    height: int


@dataclass(frozen=True)
class Pair:
    id: str
    name: str | None
    source: Image
    target: Image

    @property
    def source_sha(self) -> str:
        return self.source.sha256

    @property
    def target_sha(self) -> str:
        return self.target.sha256


@dataclass(frozen=True)
class Instruction:
    id: int
    text: str | None


@dataclass(frozen=True)
class GroundTruth:
    id: int
    primary: list[Any]
    secondary: list[Any]
    overall: str
    verified: bool


@dataclass
class TaskContext:
    queue: Queue
    task: Task
    pair: Pair
    instruction: Instruction | None
    ground_truth: GroundTruth | None


@dataclass(frozen=True)
class Saved:
    outcome: str
    record_kind: str | None = None
    record_id: int | None = None


def first(form: Form, key: str, default: str = "") -> str:
    values = form.get(key) or []
    return values[0] if values else default


def clean_text(value: str, what: str, *, required: bool = True) -> str:
    """Normalise line endings and outer space; refuse empty (when required) or oversized text."""
    text = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    if required and not text:
        raise InvalidSubmission(f"the {what} is empty")
    if len(text) > MAX_TEXT:
        raise InvalidSubmission(f"the {what} is longer than {MAX_TEXT} characters")
    return text


def same_text(a: str | None, b: str | None) -> bool:
    return " ".join((a or "").split()) == " ".join((b or "").split())
