"""The direction-word convention itself: positions, camera words and their conversions.

See the package docstring (:mod:`editcaption.directions`) for the convention in words.
"""

from __future__ import annotations

from typing import Literal

Horizontal = Literal["left", "right", "none"]
VerticalMotion = Literal["up", "down", "none"]
Zoom = Literal["in", "out", "none"]
Side = Literal["left", "center", "right"]
Vertical = Literal["top", "middle", "bottom"]

OPPOSITE: dict[str, str] = {
    "left": "right",
    "right": "left",
    "up": "down",
    "down": "up",
    "in": "out",
    "out": "in",
    "top": "bottom",
    "bottom": "top",
    "upper": "lower",
    "lower": "upper",
    "clockwise": "counter-clockwise",
    "counter-clockwise": "clockwise",
    "brighter": "darker",
    "darker": "brighter",
    "warmer": "cooler",
    "cooler": "warmer",
    "larger": "smaller",
    "smaller": "larger",
    "more_saturated": "less_saturated",
    "less_saturated": "more_saturated",
    "more_contrast": "less_contrast",
    "less_contrast": "more_contrast",
}


def opposite(word: str) -> str:
    """The opposite direction word ("left" → "right", "in" → "out"); unknown words unchanged."""
    return OPPOSITE.get(word, word)


# --------------------------------------------------------------------------- positions


def side_of(x_fraction: float) -> Side:
    """Viewer's horizontal position of a point at ``x_fraction`` (0 = left edge) of the frame."""
    if x_fraction < 1 / 3:
        return "left"
    if x_fraction > 2 / 3:
        return "right"
    return "center"


def vertical_of(y_fraction: float) -> Vertical:
    """Viewer's vertical position of a point at ``y_fraction`` (0 = top edge) of the frame."""
    if y_fraction < 1 / 3:
        return "top"
    if y_fraction > 2 / 3:
        return "bottom"
    return "middle"


def position_phrase(side: Side, vertical: Vertical) -> str:
    """A short phrase for a frame position: ("right", "top") → "upper right"."""
    v = {"top": "upper", "middle": "", "bottom": "lower"}[vertical]
    h = {"left": "left", "center": "center", "right": "right"}[side]
    if not v:
        return "center" if h == "center" else h
    if h == "center":
        return {"upper": "top", "lower": "bottom"}[v] + " center"
    return f"{v} {h}"


# ------------------------------------------------------------------------------ camera


def pan_from_content_shift(dx: float, dy: float, threshold: float = 0.0) -> tuple[Horizontal, VerticalMotion]:
    """Camera pan words from how far scene content moved in the frame.

    ``dx``/``dy`` are the content's displacement from source to target, in any unit, with
    x to the right and y downwards (image coordinates). Content sliding right means the
    camera turned left; content sliding down means it turned up.
    """
    h: Horizontal = "none"
    v: VerticalMotion = "none"
    if dx > threshold:
        h = "left"
    elif dx < -threshold:
        h = "right"
    if dy > threshold:
        v = "up"
    elif dy < -threshold:
        v = "down"
    return h, v


def content_shift_for_pan(horizontal: Horizontal, vertical: VerticalMotion, amount: float) -> tuple[float, float]:
    """Inverse of :func:`pan_from_content_shift`: the (dx, dy) content shift a pan causes."""
    dx = {"left": amount, "right": -amount, "none": 0.0}[horizontal]
    dy = {"up": amount, "down": -amount, "none": 0.0}[vertical]
    return dx, dy


def zoom_from_scale(scale: float, tolerance: float = 0.0) -> Zoom:
    """Zoom word from the magnification of common content (target size / source size)."""
    if scale > 1.0 + tolerance:
        return "in"
    if scale < 1.0 - tolerance:
        return "out"
    return "none"


def rotation_word(rotation_deg: float) -> str:
    """"counter-clockwise" for positive angles (our convention), "clockwise" for negative."""
    return "counter-clockwise" if rotation_deg > 0 else "clockwise"
