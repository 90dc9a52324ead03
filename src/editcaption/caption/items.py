"""The units a caption run moves around: a pair to do, its loaded inputs, its outcome."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..store import ImageKey


@dataclass(frozen=True)
class PairTask:
    """A pair to caption: its id and its two images' store keys (read wherever the pair is prepared)."""

    pair_id: str
    source: ImageKey
    target: ImageKey


@dataclass(frozen=True)
class PairFiles:
    """A pair's two images as local files, on the machine preparing it (what ``encode_files`` reads)."""

    pair_id: str
    source_path: str
    target_path: str


@dataclass
class PairInput:
    """A pair ready for a backend: upright RGB arrays and the rendered prompt (None for delta)."""

    pair_id: str
    source: np.ndarray
    target: np.ndarray
    prompt: str | None = None
    hints: str | None = None


@dataclass
class Outcome:
    """The result for one pair: text, or a failure ``reason`` code with a one-line ``message``.

    ``fatal`` marks a failure no other pair can get past either (an invalid API key, an
    unknown model); the run stops instead of failing pair after pair.
    """

    pair_id: str
    text: str | None = None
    reason: str | None = None
    message: str | None = None
    usage: dict[str, Any] = field(default_factory=dict)
    attempts: int = 1
    fatal: bool = False

    @property
    def ok(self) -> bool:
        return self.reason is None and self.text is not None

    @property
    def error(self) -> str | None:
        """The stored form, ``"<reason>: <message>"``."""
        if self.ok:
            return None
        return f"{self.reason}: {self.message}" if self.message else str(self.reason)

    @classmethod
    def failed(cls, pair_id: str, reason: str, message: str, **kw: Any) -> Outcome:
        return cls(pair_id=pair_id, reason=reason, message=message, **kw)

    def to_row(self) -> dict[str, Any]:
        return {"pair_id": self.pair_id, "text": self.text, "reason": self.reason, "message": self.message,
                "usage": dict(self.usage), "attempts": int(self.attempts), "fatal": bool(self.fatal)}

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Outcome:
        return cls(pair_id=str(row["pair_id"]), text=row.get("text"), reason=row.get("reason"),
                   message=row.get("message"), usage=dict(row.get("usage") or {}),
                   attempts=int(row.get("attempts") or 1), fatal=bool(row.get("fatal")))


def reason_of(error: str | None) -> str:
    """The reason code of a stored error (the part before the first colon)."""
    if not error:
        return "unknown"
    return error.split(":", 1)[0].strip() or "unknown"
