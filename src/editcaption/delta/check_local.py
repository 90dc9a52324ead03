"""Checker rules about local changes: the frame side of an edited thing, and object moves."""

from __future__ import annotations

import re

from ..directions import DirectionStatement, position_phrase
from ..directions.lexicon import EDIT_VERBS
from .flags import Flag
from .moves import object_moves
from .report import DeltaReport, Region
from .thresholds import CheckThresholds
from .wording import percent

# a clause with one of these edits something: a position in it is where the edit happens
_EDIT_VERB = re.compile(r"\b(?:" + "|".join(sorted({re.escape(v).replace(r"\ ", r"\s+") for verbs in EDIT_VERBS.values()
                                                    for v in verbs} | {"get\\s+rid", "fill", "fills", "convert", "converts",
                                                                       "morph", "morphs"}, key=len, reverse=True))
                        + r")\b", re.I)
_COLOUR_WORD = re.compile(
    r"\b(red|orange|yellow|green|cyan|blue|purple|violet|pink|brown|white|gr[ae]y|black)\b", re.I
)


def _clause(text: str, start: int, end: int) -> str:
    """The clause around a span: from the previous to the next ., ; or newline."""
    left = max(text.rfind(ch, 0, start) for ch in ".;\n")
    rights = [i for i in (text.find(ch, end) for ch in ".;\n") if i != -1]
    return text[left + 1: min(rights) if rights else len(text)]


_AXIS_ENDS = (("left", "right"), ("top", "bottom"))  # axis 0 = x, axis 1 = y


def _contradicts(stated: str, r: Region, axis: int) -> bool:
    """Whether the region sits clearly away from the stated side along one axis (0 = x, 1 = y)."""
    lo, hi, centre = r.bbox[axis], r.bbox[axis + 2], r.centroid[axis]
    low_end, high_end = _AXIS_ENDS[axis]
    if stated == low_end:
        return centre > 0.6 and lo > 0.4
    if stated == high_end:
        return centre < 0.4 and hi < 0.6
    return hi < 1 / 3 or lo > 2 / 3  # "center" / "middle": wholly inside a side third


def position_flags(report: DeltaReport, statements: list[DirectionStatement], text: str,
                    t: CheckThresholds) -> list[Flag]:
    regions = [r for r in report.regions if r.area >= t.region_min_area and r.area <= 0.5]
    if not regions:
        return []
    flags: list[Flag] = []
    for s in statements:
        if s.kind != "position":
            continue
        clause = _clause(text, s.start, s.end)
        if not _EDIT_VERB.search(clause):
            continue  # a position in a description, not of an edit
        colours = {_canonical_colour(c) for c in _COLOUR_WORD.findall(clause)}
        candidates = [r for r in regions if colours & {r.color_before, r.color_after}] or regions
        h_bad = s.direction in ("left", "right", "center") and all(_contradicts(s.direction, r, 0) for r in candidates)
        v_bad = s.vertical in ("top", "bottom", "middle") and all(_contradicts(s.vertical, r, 1) for r in candidates)
        if not (h_bad or v_bad):
            continue
        r = candidates[0]
        said = position_phrase(s.direction, s.vertical or "middle") if s.direction else s.vertical
        flags.append(Flag("orientation", "P0", f"places the edit at the {said} ({s.phrase.strip()!r}), but the "
                          f"change is at the {_place(r)}", _region_evidence(r)))
    return flags


def _place(r: Region) -> str:
    return position_phrase(r.side, r.vertical)


def _region_evidence(r: Region) -> str:
    x0, y0, x1, y1 = r.bbox
    colours = f", {r.color_before} → {r.color_after}" if r.color_before or r.color_after else ""
    return (f"{r.kind} region at x {x0:.2f}–{x1:.2f}, y {y0:.2f}–{y1:.2f} of the target frame "
            f"({percent(r.area)} of the frame{colours})")


def move_flags(report: DeltaReport, statements: list[DirectionStatement], t: CheckThresholds) -> list[Flag]:
    moves = object_moves(report, t.move_shift, t.move_same_colour, t.region_min_area)
    if not moves:
        return []
    flags: list[Flag] = []
    for s in statements:
        if s.kind != "move" or s.direction is None:
            continue
        colours = {_canonical_colour(c) for c in _COLOUR_WORD.findall(s.phrase)}
        candidates = [m for m in moves if m.colour in colours] or moves
        horizontal = s.direction in ("left", "right")
        words = set()
        for m in candidates:
            d = m.dx if horizontal else m.dy
            if abs(d) >= t.move_shift:
                words.add(("right" if d > 0 else "left") if horizontal else ("down" if d > 0 else "up"))
        if len(words) == 1 and s.direction not in words:
            measured = words.pop()
            flags.append(Flag("orientation", "P0", f"says the object moves {s.direction} ({s.phrase!r}), but it moves "
                              f"{measured}", candidates[0].evidence))
    return flags


def _canonical_colour(word: str) -> str:
    w = word.lower()
    return {"gray": "grey", "violet": "purple"}.get(w, w)
