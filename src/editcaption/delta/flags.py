"""A problem the checker found in an instruction (the `editcaption check` JSON item)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Flag:
    """One problem found in an instruction."""

    type: str  # orientation | viewpoint | detail
    severity: str  # P0 | P1 | P2
    message: str
    evidence: str

    def to_json(self) -> dict[str, Any]:
        return {"type": self.type, "severity": self.severity, "message": self.message, "evidence": self.evidence}
