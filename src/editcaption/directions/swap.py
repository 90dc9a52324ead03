"""Swapping the direction words of one axis, to make instructions with known mistakes."""

from __future__ import annotations

import re

_SWAPS = {
    "horizontal": {"left": "right", "right": "left", "leftward": "rightward", "rightward": "leftward",
                   "leftwards": "rightwards", "rightwards": "leftwards"},
    "vertical": {"up": "down", "down": "up", "top": "bottom", "bottom": "top", "upper": "lower", "lower": "upper",
                 "upward": "downward", "downward": "upward", "upwards": "downwards", "downwards": "upwards"},
    "zoom": {"in": "out", "out": "in"},
    "rotation": {"clockwise": "counter-clockwise", "counter-clockwise": "clockwise"},
}

# a depicted person's or thing's own side ("the man's left arm", "her right hand") stays
_OWN_SIDE = re.compile(r"\b(?:\w+'s|\w+s'|his|her|their|its|my|your)\s+(?:own\s+)?(?:left|right)\b", re.IGNORECASE)


def swap_direction_words(text: str, axis: str = "horizontal") -> str:
    """Swap the direction words of one axis (horizontal, vertical, zoom, rotation).

    Used to inject orientation/viewpoint mistakes (tests, the miniature reproduction).
    Zoom swaps only touch "zoom in/out"; a person's own side is left alone.
    """
    if axis == "zoom":
        return re.sub(
            r"\b(zoom(?:s|ed|ing)?\s+)(in|out)\b",
            lambda m: m.group(1) + _SWAPS["zoom"][m.group(2).lower()],
            text,
            flags=re.I,
        )
    if axis == "rotation":
        return re.sub(
            r"\b(counter-clockwise|clockwise)\b", lambda m: _SWAPS["rotation"][m.group(1).lower()], text, flags=re.I
        )
    table = _SWAPS[axis]
    own = [m.span() for m in _OWN_SIDE.finditer(text)]

    def repl(m: re.Match[str]) -> str:
        if any(a <= m.start() < b for a, b in own):
            return m.group(0)
        word = m.group(0)
        new = table[word.lower()]
        return new.capitalize() if word[0].isupper() else new

    return re.sub(r"\b(" + "|".join(sorted(table, key=len, reverse=True)) + r")\b", repl, text, flags=re.I)
