"""A frozen copy of the pattern-list parser that ``editcaption.directions`` used before the
grammar reader (issue 20): the side-by-side peer of ``benchmarks/phrasing.py``. Not imported
by the package; do not change it, or the comparison stops meaning anything."""

from __future__ import annotations

import re
from dataclasses import dataclass

_DIR_WORD = {
    "left": "left",
    "leftward": "left",
    "leftwards": "left",
    "right": "right",
    "rightward": "right",
    "rightwards": "right",
    "up": "up",
    "upward": "up",
    "upwards": "up",
    "down": "down",
    "downward": "down",
    "downwards": "down",
}

_DIR = r"(?P<dir>left|right|up|down)(?:ward|wards)?"
_TO_THE = r"(?:\s+(?:to|towards?)(?:\s+the)?)?\s+"
_CAMERA_NOUN = r"(?:camera|view|viewpoint|shot|frame|framing|perspective|vantage point)"

# A depicted person's or object's own side ("the woman's left hand", "her right arm",
# "its left wing") is theirs, not a position in the frame: such spans are ignored.
# "on the left" inside an object's name ("move the cup on the left to the right"): a
# position that identifies the object, skipped as a unit when reading the move's direction
_NAMED_AT = (
    r"(?:on|at|in|near)\s+the\s+(?:(?:top|upper|bottom|lower|middle)[\s-]+)?(?:left|right|centre|center)"
    r"(?:[\s-]+(?:side|half|edge|corner|part))?"
)

# Nouns that make "the left of the ___" a position in the frame; any other noun makes it a
# position relative to that thing ("to the left of the sofa").
_FRAME_NOUNS = ("image", "picture", "photo", "photograph", "frame", "scene", "canvas", "view", "shot", "composition")
_RELATIVE_TAIL = re.compile(
    r"\s+of\s+(?:the\s+|a\s+|an\s+|his\s+|her\s+|their\s+|its\s+|this\s+|that\s+)?(?P<noun>[\w-]+)", re.I
)

_OWN_SIDE = re.compile(
    r"\b(?:\w+'s|\w+s'|his|her|their|its|my|your)\s+(?:own\s+)?(?:left|right)\b", re.IGNORECASE
)

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    # pan / tilt: "pan (the camera) (to the) left", "shift the view left",
    # "move the camera to the right", "turn the camera left", "tilt up"
    ("pan", re.compile(rf"\b(?:pan|swing|swivel)(?:s|ned|ning)?(?:\s+the\s+{_CAMERA_NOUN})?{_TO_THE}{_DIR}\b", re.I)),
    (
        "pan",
        re.compile(
            rf"\b(?:move|moves|moved|shift|shifts|shifted|turn|turns|turned|rotate|rotates|slide|slides|swing|"
            rf"point|pan|truck|trucks)\s+(?:the\s+)?{_CAMERA_NOUN}{_TO_THE}{_DIR}\b",
            re.I,
        ),
    ),
    ("pan", re.compile(rf"\b{_CAMERA_NOUN}\s+(?:pans|moves|shifts|turns|swings)(?:\s+to\s+the)?\s+{_DIR}\b", re.I)),
    ("pan", re.compile(rf"\btilt(?:s|ed|ing)?(?:\s+the\s+{_CAMERA_NOUN})?\s+(?P<dir>up|down)(?:ward|wards)?\b", re.I)),
    # "show more of the scene on the left" = the new view lies further left = pan left
    (
        "pan",
        re.compile(
            r"\b(?:show|shows|reveal|reveals|include|includes)\s+more(?:\s+of\s+(?:the\s+)?[\w-]+)?\s+"
            r"(?:on|to|towards?|at)\s+the\s+(?P<dir>left|right)\b"
            r"(?!\s+of\s+(?:the\s+|a\s+|an\s+)?(?!image\b|picture\b|photo\b|frame\b|scene\b)\w)",
            re.I,
        ),
    ),
    # zoom
    ("zoom", re.compile(r"\bzoom(?:s|ed|ing)?\s+(?P<dir>into|in|out)\b", re.I)),
    ("zoom", re.compile(r"\b(?:push|pushes|dolly|dollies|move|moves|step|steps|get|gets)\s+(?P<dir>in)(?:wards?)?\b(?!\s+front)", re.I)),
    ("zoom", re.compile(r"\b(?:pull|pulls|dolly|dollies|step|steps|move|moves|back|backs)\s+(?P<dir>back|out)\b", re.I)),
    ("zoom", re.compile(r"\bcrop(?:s|ped|ping)?\s+(?P<dir>in)\b", re.I)),
    ("zoom", re.compile(r"\b(?P<dir>closer)\s+(?:view|shot|framing|crop)\b|\bmove\s+(?:the\s+camera\s+)?(?P<dir2>closer)\b", re.I)),
    ("zoom", re.compile(r"\b(?P<dir>wider)\s+(?:view|shot|framing|angle)\b|\bwiden(?:s|ed)?\s+the\s+(?:view|shot|framing)\b", re.I)),
    ("zoom", re.compile(r"\b(?P<dir>tighter)\s+(?:view|shot|framing|crop)\b|\btighten(?:s|ed)?\s+the\s+(?:view|shot|framing|crop)\b", re.I)),
    # mirror
    (
        "mirror",
        re.compile(
            r"\b(?:mirror(?:s|ed|ing)?|flip(?:s|ped|ping)?\s+(?:the\s+(?:image|picture|photo|scene)\s+)?"
            r"(?:horizontally|left[\s-]+(?:to|for)[\s-]+right)|reflect(?:s|ed)?\s+the\s+(?:image|scene)\s+horizontally)\b",
            re.I,
        ),
    ),
    ("flip_vertical", re.compile(r"\b(?:flip(?:s|ped)?\s+(?:the\s+\w+\s+)?vertically|upside[\s-]+down)\b", re.I)),
    # rotation
    (
        "rotate",
        re.compile(
            r"\b(?:rotat\w*|turn\w*|tilt\w*)\b[^.;]{0,60}?\b(?P<dir>counter[\s-]?clockwise|anti[\s-]?clockwise|clockwise)\b",
            re.I,
        ),
    ),
    # an object moved: "move the red circle (to the) left", "shift the cup right"
    (
        "move",
        re.compile(
            rf"\b(?:move|moves|moved|shift|shifts|shifted|slide|slides|slid|push|pushes|drag|drags|nudge|nudges|"
            rf"relocate|relocates)\s+(?!the\s+{_CAMERA_NOUN}\b)(?:{_NAMED_AT}\s+|(?!{_NAMED_AT})[\w'-]+\s+){{0,6}}?"
            rf"(?:(?:to|towards?)\s+(?:the\s+)?)?{_DIR}\b",
            re.I,
        ),
    ),
    # frame positions: "on the left side", "at the upper right", "in the top-left corner",
    # "the left half of the image"
    (
        "position",
        re.compile(
            r"\b(?:on|at|in|to|near|along|toward|towards)\s+the\s+(?:(?P<v>top|upper|bottom|lower|middle)[\s-]+)?"
            r"(?P<h>left|right|center|centre)(?:[\s-]+(?:hand\s+)?(?:side|half|edge|corner|part|third))?\b",
            re.I,
        ),
    ),
    (
        "position",
        re.compile(r"\b(?:on|at|in|near|along)\s+the\s+(?P<v>top|bottom)(?:\s+(?:edge|half|part|side))?\b(?!\s*-)", re.I),
    ),
]


@dataclass(frozen=True)
class DirectionStatement:
    """A direction claim found in an instruction.

    ``kind`` is one of pan, zoom, mirror, flip_vertical, rotate, move, position, relative
    (a position beside another thing, "to the left of the sofa", which is not a frame position);
    ``direction`` uses our vocabulary (left/right/up/down, in/out, clockwise/counter-clockwise,
    and for positions "left"/"center"/"right" with ``vertical`` top/middle/bottom or None).
    """

    kind: str
    direction: str | None
    start: int
    end: int
    phrase: str
    vertical: str | None = None


def _normalise(kind: str, raw: str | None) -> str | None:
    if raw is None:
        return None
    w = raw.lower().replace(" ", "-")
    if kind == "zoom":
        return {"in": "in", "into": "in", "closer": "in", "tighter": "in", "out": "out", "back": "out",
                "wider": "out"}.get(w, w)
    if kind == "rotate":
        return "clockwise" if w == "clockwise" else "counter-clockwise"
    if kind in ("position", "relative"):
        return {"centre": "center"}.get(w, w)
    return _DIR_WORD.get(w, w)


def find_statements(text: str) -> list[DirectionStatement]:
    """All direction statements in ``text``, in reading order, without overlaps.

    Camera statements win over object moves and positions on the same words; a person's
    or object's own side ("her left hand") is never read as a frame position.
    """
    own = [m.span() for m in _OWN_SIDE.finditer(text)]
    found: list[DirectionStatement] = []
    taken: list[tuple[int, int]] = []

    def overlaps(a: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
        return any(a[0] < b[1] and b[0] < a[1] for b in spans)

    for pattern_kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            span = m.span()
            if overlaps(span, taken) or overlaps(span, own):
                continue
            kind = pattern_kind
            groups = m.groupdict()
            raw = groups.get("dir") or groups.get("dir2")
            vertical = None
            if kind == "position":
                tail = _RELATIVE_TAIL.match(text, span[1])
                if tail and tail.group("noun").lower() not in _FRAME_NOUNS:
                    kind = "relative"  # beside another thing, not a place in the frame
                raw = groups.get("h") or "center"
                v = (groups.get("v") or "").lower()
                vertical = {"top": "top", "upper": "top", "bottom": "bottom", "lower": "bottom", "middle": "middle"}.get(v)
                if groups.get("h") is None:  # "at the top": vertical only
                    raw = None
            if kind in ("mirror", "flip_vertical"):
                raw = None
            if kind == "zoom" and groups.get("dir") is None and groups.get("dir2") is None:
                # "widen the view" / "tighten the framing"
                raw = "out" if "wid" in m.group(0).lower() else "in"
            found.append(DirectionStatement(kind, _normalise(kind, raw), span[0], span[1], m.group(0), vertical))
            taken.append(span)
    found.sort(key=lambda s: s.start)
    return found


_SWAPS = {
    "horizontal": {"left": "right", "right": "left", "leftward": "rightward", "rightward": "leftward"},
    "vertical": {"up": "down", "down": "up", "top": "bottom", "bottom": "top", "upper": "lower", "lower": "upper"},
    "zoom": {"in": "out", "out": "in"},
    "rotation": {"clockwise": "counter-clockwise", "counter-clockwise": "clockwise"},
}


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
