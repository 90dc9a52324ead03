"""The simulated annotator: the person of the paper's refinement and preference steps, played by
EditWorld's exact truth.

* Refinement (§4.1): for each kept teacher caption it writes the pair's reference instruction
  (a :class:`RefinementRecord` with ``simulated=True``).
* Preferences (§4.2): for each failed SFT instruction it writes the corrected instruction as the
  chosen answer — the reference phrasing of the truth closest in wording to the model's own
  sentence, so chosen and rejected differ where the error is rather than in style — and labels
  the failure mode and severity from the exact scorer's classified errors (Table 6).

Every record carries ``annotator = "simulated:editworld-truth"``, so exports and dataset cards
show the provenance as simulated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from ..synth import phrasings
from ..synth.ops import Edit
from ..workspace import Workspace
from ..workspace.models import PreferenceRecord, RefinementRecord

ANNOTATOR = "simulated:editworld-truth"
FAILURE_MODES = ("orientation", "viewpoint", "detail")
SEVERITY_ORDER = ("P0", "P1", "P2")


# -------------------------------------------------------------------------- refinement


def refine(ws: Workspace, kept: list[tuple[str, int]], rows: dict[str, dict[str, Any]],
           texts: dict[str, str] | None = None) -> int:
    """One simulated refinement per kept (pair id, teacher instruction id); returns how many were added.

    The refinement is the pair's reference instruction, or ``texts[pair id]`` where given (the
    systematic regime's habits, :mod:`.habits`)."""
    texts = texts or {}
    with ws.session() as s:
        done = set(s.scalars(select(RefinementRecord.pair_id).where(RefinementRecord.annotator == ANNOTATOR)))
        added = 0
        for pid, instruction_id in kept:
            if pid in done:
                continue
            text = texts.get(pid, rows[pid]["reference_instruction"])
            s.add(RefinementRecord(pair_id=pid, instruction_id=instruction_id, text=text,
                                   annotator=ANNOTATOR, simulated=True))
            added += 1
    return added


# -------------------------------------------------------------------------- preferences


@dataclass(frozen=True)
class Failure:
    """The failure mode and severity a rejected instruction is labelled with."""

    error_type: str
    severity: str
    kind: str


def classify(errors: list[dict[str, Any]]) -> Failure | None:
    """The most severe error among the three failure modes (ties: orientation, viewpoint, detail);
    None when the instruction shows none of them (no error, or only fabricated/redundant edits)."""
    typed = [e for e in errors if e.get("type") in FAILURE_MODES and e.get("severity") in SEVERITY_ORDER]
    if not typed:
        return None
    best = min(typed, key=lambda e: (SEVERITY_ORDER.index(e["severity"]), FAILURE_MODES.index(e["type"])))
    return Failure(best["type"], best["severity"], str(best.get("kind") or ""))


def _edit(change: dict[str, Any]) -> Edit | None:
    op = change.get("op")
    if not op:
        return None
    position = None
    if op == "add":
        from ..synth.assertion import position_from_phrase

        position = position_from_phrase(change.get("after"))
    return Edit(op, change.get("object"), change.get("attribute"), change.get("before"), change.get("after"),
                change.get("direction"), position)


_WORD = re.compile(r"[a-z]+")


def _overlap(a: str, b: str) -> float:
    wa, wb = set(_WORD.findall(a.lower())), set(_WORD.findall(b.lower()))
    return len(wa & wb) / max(1, len(wa | wb))


def corrected(row: dict[str, Any], rejected: str) -> str:
    """The reference instruction for the pair, in the phrasing closest to ``rejected``."""
    truth = row.get("ground_truth") or {}
    sentences = []
    for change in (truth.get("primary") or []) + (truth.get("secondary") or []):
        edit = _edit(change)
        options = phrasings(edit) if edit is not None else []
        if not options:
            return str(row["reference_instruction"])
        sentences.append(max(options, key=lambda p: (_overlap(p, rejected), -options.index(p))))
    return " ".join(sentences) or str(row["reference_instruction"])


@dataclass(frozen=True)
class MinedPreference:
    pair_id: str
    instruction_id: int
    rejected: str
    chosen: str
    failure: Failure


def write_preferences(ws: Workspace, mined: list[MinedPreference]) -> int:
    """Store the preferences (skipping rejected instructions already labelled); returns how many were added."""
    with ws.session() as s:
        done = set(s.scalars(select(PreferenceRecord.rejected_instruction_id)
                             .where(PreferenceRecord.annotator == ANNOTATOR)))
        added = 0
        for m in mined:
            if m.instruction_id in done:
                continue
            s.add(PreferenceRecord(pair_id=m.pair_id, rejected_instruction_id=m.instruction_id, chosen=m.chosen,
                                   rejected=m.rejected, error_type=m.failure.error_type, severity=m.failure.severity,
                                   annotator=ANNOTATOR, simulated=True))
            added += 1
    return added
