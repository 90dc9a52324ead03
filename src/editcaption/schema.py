"""Data contracts shared by every stage (docs/concepts/data-contracts.md).

These pydantic records are what stages exchange and what `--json` outputs print. The
database rows in :mod:`editcaption.workspace.models` store the same fields; conversion
lives next to those models.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class Category(str, Enum):
    """The paper's three top-level edit categories (§4.1)."""

    semantic = "semantic"
    stylistic = "stylistic"
    structural = "structural"


class ErrorType(str, Enum):
    """The paper's three failure modes (§4.2)."""

    orientation = "orientation"
    viewpoint = "viewpoint"
    detail = "detail"


class Severity(str, Enum):
    """Defect levels of the paper's Table 6, most severe first."""

    P0 = "P0"
    P1 = "P1"
    P2 = "P2"


class JudgeLevel(str, Enum):
    """Outcome of a human judgement (§5.2.1): correct, or the most severe defect found."""

    correct = "correct"
    P0 = "P0"
    P1 = "P1"
    P2 = "P2"


class ScoreStatus(str, Enum):
    ok = "ok"
    unscored = "unscored"


class Split(str, Enum):
    train = "train"
    val = "val"
    test = "test"


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", use_enum_values=True)


class Change(_Record):
    """One change between source and target, as free text plus structure where known."""

    text: str
    op: str | None = None
    object: str | None = None
    attribute: str | None = None
    before: str | None = None
    after: str | None = None
    direction: str | None = None


class GroundTruth(_Record):
    pair_id: str | None = None
    primary: list[Change] = Field(default_factory=list)
    secondary: list[Change] = Field(default_factory=list)
    overall: str = ""
    verified: bool = False
    source: str | None = None

    @field_validator("primary", "secondary", mode="before")
    @classmethod
    def _strings_become_changes(cls, value: Any) -> Any:
        # Manifests often carry changes as plain sentences; accept both forms.
        if isinstance(value, list):
            return [{"text": v} if isinstance(v, str) else v for v in value]
        return value


class ImageRef(_Record):
    sha256: str
    width: int
    height: int
    format: str | None = None


class Pair(_Record):
    id: str
    name: str | None = None
    source: ImageRef
    target: ImageRef
    origin: dict[str, Any] = Field(default_factory=dict)
    category: Category | None = None
    subtype: str | None = None
    split: Split | None = None


class Instruction(_Record):
    id: int | None = None
    pair_id: str
    text: str | None
    producer: str
    run_id: str | None = None
    prompt_version: str | None = None
    status: str = "ok"
    error: str | None = None
    created_at: dt.datetime | None = None


class Score(_Record):
    instruction_id: int
    scorer: str
    components: dict[str, Any] = Field(default_factory=dict)
    overall: float | None = None
    status: ScoreStatus = ScoreStatus.ok
    reason: str | None = None

    @model_validator(mode="after")
    def _never_invent_a_number(self) -> Score:
        # An unscored item carries a reason and no number; a scored one carries a number.
        if self.status == ScoreStatus.unscored.value:
            if self.overall is not None:
                raise ValueError("an unscored Score cannot carry an overall value")
            if not self.reason:
                raise ValueError("an unscored Score needs a reason")
        elif self.overall is None:
            raise ValueError("a Score with status 'ok' needs an overall value")
        return self


class Refinement(_Record):
    pair_id: str
    instruction_id: int | None = None
    text: str
    annotator: str
    simulated: bool = False
    created_at: dt.datetime | None = None


class Preference(_Record):
    pair_id: str
    chosen: str
    rejected: str
    error_type: ErrorType
    severity: Severity
    annotator: str
    rejected_instruction_id: int | None = None
    simulated: bool = False
    created_at: dt.datetime | None = None


class Judgement(_Record):
    instruction_id: int
    level: JudgeLevel
    checklist: list[str] = Field(default_factory=list)
    annotator: str
    note: str | None = None
    created_at: dt.datetime | None = None


class Run(_Record):
    id: str
    kind: str
    config: dict[str, Any] = Field(default_factory=dict)
    package_version: str
    started_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None
    status: str = "running"
    counts: dict[str, Any] = Field(default_factory=dict)
