"""The instruction split into plain and flagged pieces, for highlighting in the gallery."""

from __future__ import annotations

from dataclasses import dataclass

from .findings import SEVERITIES, Example


@dataclass(frozen=True)
class Piece:
    text: str
    severity: str | None = None  # the most severe finding that points here; None: not flagged
    note: str = ""  # the findings' messages, shown on hover


def pieces(ex: Example) -> list[Piece]:
    """``ex.text`` cut at every finding span; overlapping spans merge, keeping the most
    severe severity and every message."""
    text = ex.text
    marks: list[tuple[int, int, str, str]] = [(a, b, f.severity, f"{f.severity} {f.type}: {f.message}")
                                              for f in ex.findings for a, b in f.spans if 0 <= a < b <= len(text)]
    if not marks:
        return [Piece(text)]
    cuts = sorted({0, len(text), *(a for a, *_ in marks), *(b for _, b, *_ in marks)})
    out: list[Piece] = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        over = [m for m in marks if m[0] <= a and b <= m[1]]
        if not over:
            out.append(Piece(text[a:b]))
            continue
        severity = min((m[2] for m in over), key=lambda s: SEVERITIES.index(s) if s in SEVERITIES else 9)
        out.append(Piece(text[a:b], severity, " · ".join(dict.fromkeys(m[3] for m in over))))
    return out
