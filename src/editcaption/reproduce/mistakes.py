"""Teacher mistakes: the failure modes of a teacher VLM, injected into the delta captioner's text.

The paper's teacher (GLM-4.5V) writes noisy captions that EditScore then filters (§4.1). Our
stand-in teacher is the offline ``delta`` captioner, which is wrong only where its measurements
are; on top of that we inject, at configurable rates, the three kinds of mistake the paper names
(§4.2):

* ``direction_swap`` — the direction words of one axis mirrored
  (:func:`editcaption.directions.swap_direction_words`): orientation or viewpoint errors;
* ``wrong_camera`` — a camera operation in place of the right one (a pan said as a zoom and the
  reverse, or an object move said as the camera pan that shifts content the same way);
* ``dropped_attribute`` — a colour, a target colour or a camera direction left out: detail errors.

Each function returns the new text, or ``None`` when the mistake does not apply to this caption.
They work on the delta captioner's fixed wording (:mod:`editcaption.delta.describe`).
"""

from __future__ import annotations

import random
import re

from ..colors import COLOR_NAMES
from ..directions import opposite, swap_direction_words
from .config import TeacherMistakes

_AXES = {
    "horizontal": re.compile(r"\b(?:left|right)\b", re.I),
    "vertical": re.compile(r"\b(?:up|down)\b", re.I),
    "zoom": re.compile(r"\bzoom\s+(?:in|out)\b", re.I),
    "rotation": re.compile(r"\bclockwise\b", re.I),
}
_PAN = re.compile(r"\bpan the camera to the (left|right)\b", re.I)
_TILT = re.compile(r"\btilt the camera (up|down)\b", re.I)
_ZOOM = re.compile(r"\bzoom (in|out)\b", re.I)
_ROTATE = re.compile(r"\brotate the view (?:counter-clockwise|clockwise) by about \d+ degrees\b", re.I)
_MOVE = re.compile(r"\bmove the (?P<obj>[a-z ]*?object) at the (?P<at>[a-z -]+?) (?P<way>to the left|to the right|up|down)\b",
                   re.I)
_COLOUR = "(?:" + "|".join(sorted(COLOR_NAMES, key=len, reverse=True)) + ")"
_FROM_TO = re.compile(rf" from {_COLOUR} to {_COLOUR}\b", re.I)
_COLOURED_OBJECT = re.compile(rf"\b{_COLOUR} (object|region)\b", re.I)
_WITH_SOMETHING = re.compile(rf" with something {_COLOUR}\b", re.I)

KINDS = ("direction_swap", "wrong_camera", "dropped_attribute")


def swap_directions(text: str, rng: random.Random) -> str | None:
    """Mirror the direction words of one axis the caption uses."""
    axes = [a for a, pattern in _AXES.items() if pattern.search(text)]
    if not axes:
        return None
    new = swap_direction_words(text, rng.choice(axes))
    return new if new != text else None


def _camera_instead(way: str) -> str:
    """The pan that slides content the way an object moved (content right = pan left)."""
    word = way.replace("to the ", "")
    if word in ("left", "right"):
        return f"pan the camera to the {opposite(word)}"
    return f"tilt the camera {opposite(word)}"


def wrong_camera(text: str, rng: random.Random) -> str | None:
    """Replace a camera operation by another one, or an object move by a camera pan."""
    options: list[tuple[re.Pattern[str], str]] = []
    if _PAN.search(text) or _TILT.search(text):
        options.append((_PAN if _PAN.search(text) else _TILT, f"zoom {rng.choice(['in', 'out'])}"))
    if _ZOOM.search(text):
        options.append((_ZOOM, f"pan the camera to the {rng.choice(['left', 'right'])}"))
    if _ROTATE.search(text):
        options.append((_ROTATE, f"zoom {rng.choice(['in', 'out'])}"))
    if options:
        pattern, replacement = rng.choice(options)
        return pattern.sub(replacement, text, count=1)
    m = _MOVE.search(text)
    if m:
        return text[: m.start()] + _camera_instead(m.group("way").lower()) + text[m.end():]
    return None


def drop_attribute(text: str, rng: random.Random) -> str | None:
    """Leave out one attribute: a colour change's target, an object's colour, a camera direction."""
    edits = []
    if _FROM_TO.search(text):
        edits.append(lambda t: _FROM_TO.sub("", t, count=1))
    if _WITH_SOMETHING.search(text):
        edits.append(lambda t: _WITH_SOMETHING.sub("", t, count=1))
    if _COLOURED_OBJECT.search(text):
        edits.append(lambda t: _COLOURED_OBJECT.sub(lambda m: m.group(1), t, count=1))
    if _PAN.search(text):
        edits.append(lambda t: _PAN.sub("pan the camera", t, count=1))
    if _TILT.search(text):
        edits.append(lambda t: _TILT.sub("move the camera", t, count=1))
    if _ZOOM.search(text):
        edits.append(lambda t: _ZOOM.sub("change the zoom", t, count=1))
    if not edits:
        return None
    new = rng.choice(edits)(text)
    return new if new != text else None


_APPLY = {"direction_swap": swap_directions, "wrong_camera": wrong_camera, "dropped_attribute": drop_attribute}


def inject(text: str, rates: TeacherMistakes, rng: random.Random) -> tuple[str, list[str]]:
    """The caption with mistakes drawn at ``rates`` (each kind independently), and which were made."""
    made: list[str] = []
    for kind in KINDS:
        if rng.random() >= getattr(rates, kind):
            continue
        new = _APPLY[kind](text, rng)
        if new is not None:
            text = new
            made.append(kind)
    return (text[:1].upper() + text[1:]) if text else text, made
