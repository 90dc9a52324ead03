"""Error types and severities of the paper's Table 6, as rules on structured findings.

Types are the paper's failure modes (§4.2) plus ``other``: *orientation* (left/right,
up/down, positions, object moves, mirroring), *viewpoint* (camera pan, zoom, view
rotation), *detail* (a missing or wrong attribute or change), *other* (fabricated or
reversed operations, statements about unchanged things, redundancy).

Severity, line by line of Table 6:

* row 4 — viewpoint and spatial relations, errors *or omissions*: always P0;
* row 5 — global tone (brightness, warmth, saturation) wrong or missing: P1;
* row 1 — text: P0 on the subject (a primary change), P1 otherwise;
* rows 2–3 — attribute errors and omissions: P0 for a primary change or one touching more
  than a tenth of the image, P1 for a non-primary change below that;
* row 7 — redundant wording (remove + add where replace was meant, repeated clauses): P2;
* row 8 — other minor issues (an incomplete but unambiguous description): P2.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

VIEWPOINT_OPS = frozenset({"pan", "zoom", "rotate"})
ORIENTATION_OPS = frozenset({"move", "mirror"})
SPATIAL_OPS = VIEWPOINT_OPS | ORIENTATION_OPS
ERROR_TYPES = ("orientation", "viewpoint", "detail", "other")
SUBJECT_AREA = 0.10


@dataclass(frozen=True)
class ErrorRecord:
    """One classified defect of a scored instruction."""

    type: str  # orientation | viewpoint | detail | other
    severity: str  # P0 | P1 | P2
    kind: str
    message: str
    change: int | None = None  # index into primary + secondary truth changes
    clause: int | None = None  # index into the parsed clauses

    def as_json(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


def spatial_type(op: str) -> str:
    return "viewpoint" if op in VIEWPOINT_OPS else "orientation"


def change_severity(op: str, primary: bool, area: float | None) -> str:
    """Severity of a wrong or missing non-spatial attribute of one truth change (rows 1–3, 5)."""
    if op in SPATIAL_OPS:
        return "P0"
    if op == "tone":
        return "P1"
    if op == "text":
        return "P0" if primary else "P1"
    if primary or (area is not None and area >= SUBJECT_AREA):
        return "P0"
    return "P1"


def direction_error(op: str, kind: str, message: str, change: int | None, clause: int | None) -> ErrorRecord:
    """A wrong or missing direction/position (row 4): P0, orientation or viewpoint."""
    return ErrorRecord(spatial_type(op), "P0", kind, message, change, clause)


def detail_error(op: str, primary: bool, area: float | None, kind: str, message: str, change: int | None,
                 clause: int | None) -> ErrorRecord:
    return ErrorRecord("detail", change_severity(op, primary, area), kind, message, change, clause)


def minor_detail(kind: str, message: str, change: int | None, clause: int | None) -> ErrorRecord:
    """An incomplete but unambiguous description (row 8)."""
    return ErrorRecord("detail", "P2", kind, message, change, clause)


def hallucination(op: str, message: str, clause: int) -> ErrorRecord:
    """A fabricated operation: a made-up camera move or object move misleads on direction
    (row 4, P0); any other made-up edit is an instruction error off the subject (row 2, P1)."""
    if op in SPATIAL_OPS:
        return ErrorRecord(spatial_type(op), "P0", "hallucination", message, None, clause)
    return ErrorRecord("other", "P1", "hallucination", message, None, clause)


def unchanged_object(op: str, message: str, clause: int) -> ErrorRecord:
    """An edit claimed on an object that did not change (Table 8's "bag to red")."""
    if op in SPATIAL_OPS:
        return ErrorRecord(spatial_type(op), "P0", "unchanged_object", message, None, clause)
    return ErrorRecord("other", "P1", "unchanged_object", message, None, clause)


def reversed_action(message: str, change: int, clause: int) -> ErrorRecord:
    """Add said for remove or the reverse: the primary instruction is wrong (row 2)."""
    return ErrorRecord("other", "P0", "reversed_action", message, change, clause)


def redundant(message: str, change: int | None, clause: int | None) -> ErrorRecord:
    return ErrorRecord("other", "P2", "redundant", message, change, clause)
