"""Image pairs that show a corpus text's stated facts, and the text with its facts reversed.

Used by ``benchmarks/phrasing.py`` (the checker on real phrasing). Everything is built from
the hand labels of ``tests/data/phrasing/corpus.jsonl``, never from the reader under test:

* camera facts (pan/tilt, zoom, rotation, mirror) become a crop, shift, zoom, rotation or flip
  of one of the four bundled sample photos, chosen by the text's id;
* frame positions become a shaded object pasted at that place (added, removed or recoloured
  after the fact's ``edit``), object moves an object at the opposite side in the source;
* the reversed text swaps the direction words inside each realised fact's labelled ``words``
  ("pans left" → "pans right", "dollies forward" → "dollies backward", "the top sheep" →
  "the bottom sheep").

Texts whose facts one pair cannot show (a truck right while panning left, camera and local
facts together, only relative positions or own sides) are left out and counted.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from delta_edits import _paint, _shape_mask, jpeg

from editcaption.imageio import load_rgb

ROOT = Path(__file__).resolve().parents[1]
PHOTOS = ("astronaut", "chelsea", "coffee", "rocket")
CAMERA_KINDS = ("pan", "zoom", "rotate", "mirror", "flip_vertical")
LOCAL_KINDS = ("position", "move")
# colours of pasted objects: (source, target) for a recoloured thing
COLOURS = ("red", "blue", "green", "yellow", "purple", "orange", "cyan", "pink")

# the words a reversal swaps, by the kind of fact their span states (a rotation's "in a clockwise
# direction" keeps its "in"; a position's "back right cup" keeps its "back")
_HORIZONTAL = {"left": "right", "right": "left", "leftward": "rightward", "rightward": "leftward",
               "leftwards": "rightwards", "rightwards": "leftwards"}
_VERTICAL = {"up": "down", "down": "up", "upward": "downward", "downward": "upward", "upwards": "downwards",
             "downwards": "upwards", "top": "bottom", "bottom": "top", "upper": "lower", "lower": "upper"}
_ZOOM = {"in": "out", "out": "in", "into": "out of", "forward": "backward", "backward": "forward",
         "forwards": "backwards", "backwards": "forwards", "back": "forward", "closer": "farther", "wider": "tighter",
         "tighter": "wider", "close-up": "wide-angle"}
_SENSE = {"clockwise": "counterclockwise", "counterclockwise": "clockwise", "counter-clockwise": "clockwise",
          "anticlockwise": "clockwise", "anti-clockwise": "clockwise"}
_SWAPS = {"pan": {**_HORIZONTAL, **_VERTICAL}, "move": {**_HORIZONTAL, **_VERTICAL},
          "position": {**_HORIZONTAL, **_VERTICAL}, "zoom": _ZOOM, "rotate": _SENSE}


def _swapper(table: dict[str, str]) -> re.Pattern[str]:
    return re.compile(r"\b(" + "|".join(sorted(map(re.escape, table), key=len, reverse=True)) + r")\b", re.I)


_SWAP_WORD = {kind: _swapper(table) for kind, table in _SWAPS.items()}


@dataclass
class Case:
    id: str
    text: str
    reversed: str | None  # None when no realised fact has a direction to reverse
    src: np.ndarray
    tgt: np.ndarray
    facts: list[dict[str, Any]]
    symmetric: bool = False  # the reversed text states the same set of facts (left X, right Y)
    same_places: bool = False  # not symmetric, but the reversed text names the same places (counts differ)
    meta: dict[str, Any] = field(default_factory=dict)


def _seed(text_id: str) -> int:
    return int(hashlib.sha1(text_id.encode()).hexdigest()[:8], 16)


def _photo(name: str) -> np.ndarray:
    return load_rgb(ROOT / "src" / "editcaption" / "samples" / "photos" / f"{name}.jpg")


def _crop(rgb: np.ndarray, cx: float, cy: float, frac: float, out: tuple[int, int]) -> np.ndarray:
    h, w = rgb.shape[:2]
    ww, wh = w * frac, h * frac
    x0, y0 = cx * w - ww / 2, cy * h - wh / 2
    m = np.array([[out[0] / ww, 0, -x0 * out[0] / ww], [0, out[1] / wh, -y0 * out[1] / wh]], np.float32)
    return cv2.warpAffine(rgb, m, out, flags=cv2.INTER_AREA if out[0] < ww else cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_REFLECT)


def camera_pair(photo: np.ndarray, facts: list[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray] | None:
    """Source and target views of ``photo`` that show the camera facts, or None if they conflict."""
    want: dict[str, set[str]] = {"h": set(), "v": set(), "zoom": set(), "rotate": set()}
    mirror = flip = False
    for f in facts:
        d = f["direction"]
        if f["kind"] == "pan":
            want["h" if d in ("left", "right") else "v"].add(d)
        elif f["kind"] == "zoom":
            want["zoom"].add(d)
        elif f["kind"] == "rotate":
            want["rotate"].add(d)
        elif f["kind"] == "mirror":
            mirror = True
        elif f["kind"] == "flip_vertical":
            flip = True
    if any(len(v) > 1 for v in want.values()):
        return None  # "trucks right while panning left": no single pair shows both
    h, w = photo.shape[:2]
    base = 0.55
    out = (int(w * base) // 2 * 2, int(h * base) // 2 * 2)
    src = _crop(photo, 0.5, 0.5, base, out)
    # the camera words name where the new view lies: pan left = the window moves left
    dx = {"left": -0.09, "right": 0.09}.get(next(iter(want["h"]), ""), 0.0)
    dy = {"up": -0.09, "down": 0.09}.get(next(iter(want["v"]), ""), 0.0)
    frac = {"in": base / 1.35, "out": base * 1.3}.get(next(iter(want["zoom"]), ""), base)
    angle = {"counter-clockwise": 12.0, "clockwise": -12.0}.get(next(iter(want["rotate"]), ""), 0.0)
    view = photo
    if angle:
        # turn the content about the new view's centre (a positive angle turns it counter-clockwise)
        m = cv2.getRotationMatrix2D(((0.5 + dx) * w, (0.5 + dy) * h), angle, 1.0)
        view = cv2.warpAffine(photo, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    tgt = _crop(view, 0.5 + dx, 0.5 + dy, frac, out)
    if mirror:
        tgt = tgt[:, ::-1]
    if flip:
        tgt = tgt[::-1]
    return jpeg(np.ascontiguousarray(src)), jpeg(np.ascontiguousarray(tgt))


_X = {"left": 0.2, "center": 0.5, "right": 0.8, None: 0.5}
_Y = {"top": 0.22, "middle": 0.5, "bottom": 0.78, None: 0.5}


def local_pair(photo: np.ndarray, facts: list[dict[str, Any]], seed: int,
               text: str = "") -> tuple[np.ndarray, np.ndarray] | None:
    """Pasted objects at the labelled frame positions (or moved the labelled way).

    Their colours are ones the text does not name, so that no pasted object contradicts a
    colour the text states (the pair shows the stated facts, and nothing that contradicts them).
    """
    rng = np.random.default_rng(seed)
    named = set(re.findall(r"[a-z]+", text.lower()))
    palette = [c for c in COLOURS if c not in named] or list(COLOURS)
    h0, w0 = photo.shape[:2]
    src = _crop(photo, 0.5, 0.5, 0.9, (int(w0 * 0.9) // 2 * 2, int(h0 * 0.9) // 2 * 2))
    tgt = src.copy()
    h, w = src.shape[:2]
    r = 0.07 * min(h, w)
    placed: set[tuple[float, float]] = set()
    for i, f in enumerate(facts):
        colour = palette[(seed + i) % len(palette)]
        if f["kind"] == "move":
            d = f["direction"]
            start = {"left": (0.78, 0.5), "right": (0.22, 0.5), "up": (0.5, 0.78), "down": (0.5, 0.22)}[d]
            end = (1 - start[0], start[1]) if d in ("left", "right") else (start[0], 1 - start[1])
            src = _paint(src, _shape_mask(h, w, "disc", start[0], start[1], r), colour, rng)
            tgt = _paint(tgt, _shape_mask(h, w, "disc", end[0], end[1], r), colour, rng)
            continue
        where = (_X[f["direction"]], _Y[f.get("vertical")])
        if where in placed:
            continue
        placed.add(where)
        mask = _shape_mask(h, w, "disc", where[0], where[1], r)
        edit = f.get("edit")
        if edit == "add":
            tgt = _paint(tgt, mask, colour, rng)
        elif edit == "remove":
            src = _paint(src, mask, colour, rng)
        else:  # recoloured, replaced or otherwise changed in place
            src = _paint(src, mask, colour, rng)
            tgt = _paint(tgt, mask, palette[(seed + i + 3) % len(palette)], rng)
    return jpeg(src), jpeg(tgt)


def reverse(text: str, facts: list[dict[str, Any]]) -> str | None:
    """``text`` with the direction words inside each fact's labelled words swapped."""
    spans = []
    for f in facts:
        if f["kind"] not in _SWAPS:
            continue
        at = text.find(f["words"])
        while at != -1 and any(a <= at < b for a, b, _ in spans):
            at = text.find(f["words"], at + 1)
        if at != -1:
            spans.append((at, at + len(f["words"]), f["kind"]))
    out, pos = [], 0
    for a, b, kind in sorted(set(spans)):
        if a < pos:
            continue
        table = _SWAPS[kind]
        out.append(text[pos:a])
        out.append(_SWAP_WORD[kind].sub(lambda m, t=table: _keep_case(m.group(0), t[m.group(0).lower()]), text[a:b]))
        pos = b
    out.append(text[pos:])
    new = "".join(out)
    return new if new != text else None


def _keep_case(old: str, new: str) -> str:
    return new.capitalize() if old[:1].isupper() else new


def _fact_key(f: dict[str, Any]) -> tuple[str, str | None, str | None]:
    return f["kind"], f["direction"], f.get("vertical")


_OPP = {"left": "right", "right": "left", "up": "down", "down": "up", "in": "out", "out": "in", "top": "bottom",
        "bottom": "top", "clockwise": "counter-clockwise", "counter-clockwise": "clockwise"}


def build(row: dict[str, Any]) -> Case | str:
    """The case for one corpus row, or why it has none."""
    facts = [f for f in row["facts"] if f["kind"] in CAMERA_KINDS + LOCAL_KINDS]
    if not facts:
        return "no frame-checkable fact (only relative positions, own sides, tone or none)"
    camera = [f for f in facts if f["kind"] in CAMERA_KINDS]
    local = [f for f in facts if f["kind"] in LOCAL_KINDS]
    if camera and local:
        return "camera and local facts together"
    seed = _seed(row["id"])
    photo = _photo(PHOTOS[seed % len(PHOTOS)])
    pair = camera_pair(photo, camera) if camera else local_pair(photo, local, seed, row["text"])
    if pair is None:
        return "contradictory camera facts (e.g. a truck right while panning left)"
    rev = reverse(row["text"], [f for f in facts if f["direction"] or f.get("vertical") in ("top", "bottom")])
    flipped = Counter((k, _OPP.get(d or "", d), _OPP.get(v or "", v)) for k, d, v in map(_fact_key, facts))
    symmetric = flipped == Counter(map(_fact_key, facts))
    # the pair shows one object per place, so "left X, left Y, right Z" reversed to "right X, right Y,
    # left Z" names the same places as the pair shows: a reversal the pair cannot tell apart
    same_places = not symmetric and set(flipped) == set(map(_fact_key, facts))
    return Case(row["id"], row["text"], rev, pair[0], pair[1], facts, symmetric, same_places)
