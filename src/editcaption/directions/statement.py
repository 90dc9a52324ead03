"""What the reader returns: one direction claim, with where it sits in the text."""

from __future__ import annotations

from dataclasses import dataclass

# kinds the checker compares with a measurement, and the ones the reader only reports
CHECKED_KINDS = ("pan", "zoom", "mirror", "flip_vertical", "rotate", "move", "position", "relative")
REPORTED_KINDS = ("own_side", "tone")


@dataclass(frozen=True)
class DirectionStatement:
    """A direction claim found in an instruction.

    ``kind`` is one of pan, zoom, mirror, flip_vertical, rotate, move, position, relative
    (a position beside another thing, "to the left of the sofa", which is not a frame
    position), own_side (a depicted person's or thing's own side, "her left hand") or tone
    (a global brighter/darker/warmer/... change). ``direction`` uses our vocabulary
    (left/right/up/down, in/out, clockwise/counter-clockwise as the *content* turns, for
    positions "left"/"center"/"right" with ``vertical`` top/middle/bottom or None, for tone
    brighter/darker/warmer/cooler/more_saturated/less_saturated/more_contrast/less_contrast).

    ``convention`` is "ambiguous" for a pan said of the picture itself ("move the image
    left"): it may mean the camera moves left or the content slides left, so its direction
    cannot be checked; None otherwise.
    """

    kind: str
    direction: str | None
    start: int
    end: int
    phrase: str
    vertical: str | None = None
    convention: str | None = None
