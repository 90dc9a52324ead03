"""The instruction checker: where an instruction contradicts (or leaves out) what was measured.

Flags use the paper's failure types and severities (Table 6):

* **viewpoint** (P0) — a stated pan/tilt or zoom direction opposite to the measured one, or
  a camera move stated when the framing measurably did not change (P1); a clearly measured
  pan or zoom left out of an instruction that says nothing about the camera (P0, row 4);
* **orientation** (P0) — a mirror stated but not measured, or measured but not stated; the
  frame side of an added, removed or recoloured thing opposite to the measured region; a
  stated object move opposite to the measured one;
* **detail** (P1, row 5) — a clearly measured global change of brightness, colour
  temperature or grayscale that the instruction does not mention (or states the other way).

A pan said of the picture itself ("move the image left") is ambiguous between the camera and the
content convention: instead of guessing, the checker adds a P2 clarity note (type viewpoint).

The checker speaks only when the measurement is clear: every rule has a margin beyond the
analyzer's own thresholds (:class:`~editcaption.delta.thresholds.CheckThresholds`), and a
camera with low confidence silences all camera rules. Text is read with
:func:`editcaption.directions.find_statements` (the grammar reader: camera moves said with any
camera or motion verb, rolls, the side of an added, removed or changed thing), so a person's own
side ("her left hand") and positions relative to other things ("left of the sofa") are never
taken as frame positions.
"""

from __future__ import annotations

from ..directions import find_statements
from .check_camera import camera_flags, mirror_flags
from .check_local import move_flags, position_flags
from .check_tone import tone_flags
from .flags import Flag
from .report import DeltaReport
from .thresholds import DEFAULT, CheckThresholds

__all__ = ["Flag", "check"]


def check(report: DeltaReport, instruction: str, thresholds: CheckThresholds | None = None) -> list[Flag]:
    """Flags for ``instruction`` against the measured ``report`` (empty when nothing is wrong
    or nothing is sure)."""
    t = thresholds or DEFAULT.check
    text = instruction or ""
    statements = find_statements(text)
    return [
        *camera_flags(report, statements, text, t),
        *mirror_flags(report, statements, text, t),
        *position_flags(report, statements, text, t),
        *move_flags(report, statements, t),
        *tone_flags(report, text, t),
    ]
