"""What every task kind shares: the loaded item, form access and the validation error."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ...workspace.models import (
    AnnotationQueueRecord,
    AnnotationTaskRecord,
    GroundTruthRecord,
    InstructionRecord,
    PairRecord,
)

MAX_TEXT = 4000

Form = Mapping[str, Sequence[str]]  # every field as a list of values (a form may repeat a field)


class InvalidSubmission(ValueError):
    """A submission that cannot be saved; the message is shown to the annotator."""


@dataclass
class TaskContext:
    queue: AnnotationQueueRecord
    task: AnnotationTaskRecord
    pair: PairRecord
    instruction: InstructionRecord | None
    ground_truth: GroundTruthRecord | None


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
