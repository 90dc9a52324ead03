"""Checker rules about local changes: the frame side of an edited thing, and object moves."""

from __future__ import annotations

import re

from ..directions import DirectionStatement, position_phrase
from ..directions.conventions import opposite
from ..directions.lexicon import EDIT_VERBS
from .flags import Flag
from .moves import object_moves
from .report import DeltaReport, Region
from .thresholds import CheckThresholds
from .wording import percent


def _verbs(*kinds: str, extra: tuple[str, ...] = ()) -> re.Pattern[str]:
    """Every form of the edit verbs of ``kinds`` (lexicon ``EDIT_VERBS``) and ``extra``, as whole words."""
    words = {re.escape(v).replace(r"\ ", r"\s+") for k in kinds for v in EDIT_VERBS[k]} | set(extra)
    return re.compile(r"\b(?:" + "|".join(sorted(words, key=len, reverse=True)) + r")\b", re.I)


# a clause with one of these edits something: a position in it is where the edit happens
_EDIT_VERB = _verbs(*EDIT_VERBS, extra=("get\\s+rid", "fill", "fills", "convert", "converts", "morph", "morphs"))
# what an added or removed thing leaves in the picture: a region of this kind
_ASKED_KIND = (("appeared", _verbs("add")), ("disappeared", _verbs("remove")))
_OTHER_EDITS = _verbs("recolour", "replace", "move")
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


def _edit_clause(clause: str) -> bool:
    """Whether a clause asks for an edit: it has an edit verb, or it is no statement about a subject.

    "The woman on the left smiles" describes (it opens with a subject); "add a red disc ...",
    "With a man standing on the right", "more vaporwave for the left" and "Shape the shoe ..."
    ask (an edit verb, or an imperative or a fragment that opens with no subject).
    """
    if _EDIT_VERB.search(clause):
        return True
    first = _FIRST_WORD.search(clause)
    return first is not None and first.group(1).lower() not in _SUBJECT_OPENERS


_WISH_WORDS = 25
_FIRST_WORD = re.compile(r"([A-Za-z']+)")
_SUBJECT_OPENERS = {"the", "a", "an", "this", "that", "these", "those", "his", "her", "their", "its", "my", "your",
                    "our", "some", "one", "two", "three", "both", "each", "every", "another", "other", "he", "she",
                    "they", "it", "we", "i", "there", "here", "as", "while", "when", "in", "on", "at", "from",
                    "under", "above", "behind", "beside", "near", "against", "amid", "inside", "outside", "all"}


def position_flags(report: DeltaReport, statements: list[DirectionStatement], text: str,
                    t: CheckThresholds) -> list[Flag]:
    regions = [r for r in report.regions if r.area >= t.region_min_area and r.area <= 0.5]
    if not regions:
        return []
    flags: list[Flag] = []
    # each edit clause with a frame position, and the regions that could be its change
    asks: list[tuple[DirectionStatement, int, list[int]]] = []
    # a short text without any edit verb states the wished result ("the man on the left is a caveman")
    wish = not _EDIT_VERB.search(text) and len(text.split()) <= _WISH_WORDS
    for s in statements:
        if s.kind != "position":
            continue
        clause = _clause(text, s.start, s.end)
        if not (_edit_clause(clause) or wish):
            continue  # a position in a description, not of an edit
        # a colour word names the likeliest region for the message; it does not rule the others out
        # (colour names of measured regions are approximate, and the word may describe something else)
        colours = {_canonical_colour(c) for c in _COLOUR_WORD.findall(clause)}
        named = [i for i, r in enumerate(regions) if colours & {r.color_before, r.color_after}]
        fits = [i for i in range(len(regions)) if not _contradicts_statement(s, regions[i])]
        if not fits:
            flags.append(_position_flag(s, regions[(named or [0])[0]]))
            continue
        kind = _asked_kind(clause)
        of_kind = [i for i, r in enumerate(regions) if r.kind == kind] if kind else []
        if of_kind and not set(of_kind) & set(fits):
            # a thing was added (removed), but away from the stated place, and whatever changed there
            # is another kind of change: "delete the left suitcase" where the suitcase on the right is
            # gone and the bed on the left was recoloured
            flags.append(_position_flag(s, regions[of_kind[0]], kind=kind))
            continue
        asks.append((s, _clause_start(text, s.start), fits))
    if flags:
        return flags
    # several positioned edits: each needs a change of its own ("the left carrot ... the right
    # carrot"), so one region cannot answer two of them. Positions in one clause that agree name one
    # thing ("the left chair on the left side"); ones that differ name two ("on the left and center").
    # Edits stated at the same place may share one region (two things side by side can merge).
    items: list[tuple[DirectionStatement, int, set[int]]] = []
    for s, c, fits in asks:
        same = next((k for k, (s2, c2, _) in enumerate(items) if c2 == c and _agree(s, s2) or _same_place(s, s2)),
                    None)
        if same is None:
            items.append((s, c, set(fits)))
        else:
            s2, _, f2 = items[same]
            items[same] = (s2, c, f2 & set(fits))
    if len(items) < 2 or len(items) > len(regions):
        return flags
    # among several, "the left X" is the one on the left: the matching asks for the stated half
    options = [sorted(i for i in fits if _on_stated_half(s, regions[i])) for s, _, fits in items]
    if None not in _matching(options):
        return flags
    # no way to give each edit its own change: the edits left without one, when the nearest
    # stated places are served first, are the ones whose words disagree with the picture
    pairs = sorted((_distance(items[k][0], regions[j]), k, j) for k, o in enumerate(options) for j in o)
    served: set[int] = set()
    used: set[int] = set()
    for _, k, j in pairs:
        if k not in served and j not in used:
            served.add(k)
            used.add(j)
    for k, (s, _, fits) in enumerate(items):
        if k not in served:
            flags.append(_position_flag(s, regions[min(fits)], shared=True))
    return flags


_AT = {"left": 0.2, "center": 0.5, "right": 0.8, "top": 0.2, "middle": 0.5, "bottom": 0.8}


def _distance(s: DirectionStatement, r: Region) -> float:
    """How far a region's centre is from the stated place (an axis the words leave open counts 0)."""
    dx = r.centroid[0] - _AT[s.direction] if s.direction in _AT else 0.0
    dy = r.centroid[1] - _AT[s.vertical] if s.vertical in _AT else 0.0
    return dx * dx + dy * dy


def _same_place(a: DirectionStatement, b: DirectionStatement) -> bool:
    return a.direction == b.direction and (a.vertical or "middle") == (b.vertical or "middle")


def _asked_kind(clause: str) -> str | None:
    """The region kind a clause's one edit leaves: "appeared" for an addition, "disappeared" for a
    removal, when the clause opens with that verb ("delete the right suitcase", "Please add ...");
    None for a description ("two poles hanging in front of the shed"), another edit, or more than
    one kind ("remove the cat and add a dog")."""
    kinds = [kind for kind, verbs in _ASKED_KIND if verbs.search(clause)]
    if len(kinds) != 1 or _OTHER_EDITS.search(clause):
        return None
    verb = dict(_ASKED_KIND)[kinds[0]].match(clause, _IMPERATIVE_START.match(clause).end())  # type: ignore[union-attr]
    return kinds[0] if verb else None


_IMPERATIVE_START = re.compile(r"\s*(?:(?:please|now|then|also|and|just|kindly|finally|next)[\s,]+)*", re.I)


def _agree(a: DirectionStatement, b: DirectionStatement) -> bool:
    return (a.direction is None or b.direction is None or a.direction == b.direction) and \
        (a.vertical in (None, "middle") or b.vertical in (None, "middle") or a.vertical == b.vertical)


# a region whose centre is within this share of the frame from its middle line is on neither half:
# among several edits, "the left X" is distinctly on the left, and the middle of a centred thing
# measures a little off 0.5 either way
_HALF_MARGIN = 0.02


def _on_stated_half(s: DirectionStatement, r: Region) -> bool:
    """Whether a region's centre lies on the stated half of the frame (the centre: its middle half)."""
    ok = True
    for word, c in ((s.direction, r.centroid[0]), (s.vertical, r.centroid[1])):
        if word in ("left", "top"):
            ok &= c < 0.5 - _HALF_MARGIN
        elif word in ("right", "bottom"):
            ok &= c > 0.5 + _HALF_MARGIN
        elif word in ("center", "middle"):
            ok &= 0.25 < c < 0.75
    return ok


def _contradicts_statement(s: DirectionStatement, r: Region) -> bool:
    h_bad = s.direction in ("left", "right", "center") and _contradicts(s.direction, r, 0)
    v_bad = s.vertical in ("top", "bottom", "middle") and _contradicts(s.vertical, r, 1)
    return h_bad or v_bad


def _clause_start(text: str, pos: int) -> int:
    return max(text.rfind(ch, 0, pos) for ch in ".;\n") + 1


def _matching(options: list[list[int]]) -> list[int | None]:
    """A largest one-to-one assignment of items to the options each accepts (augmenting paths)."""
    owner: dict[int, int] = {}

    def assign(k: int, seen: set[int]) -> bool:
        for j in options[k]:
            if j in seen:
                continue
            seen.add(j)
            if j not in owner or assign(owner[j], seen):
                owner[j] = k
                return True
        return False

    for k in range(len(options)):
        assign(k, set())
    out: list[int | None] = [None] * len(options)
    for j, k in owner.items():
        out[k] = j
    return out


def _position_flag(s: DirectionStatement, r: Region, shared: bool = False, kind: str | None = None) -> Flag:
    said = position_phrase(s.direction, s.vertical or "middle") if s.direction else s.vertical
    if kind:
        done = "added" if kind == "appeared" else "removed"
        message = (f"places the edit at the {said} ({s.phrase.strip()!r}), but the thing {done} is at the "
                   f"{_place(r)}; what changed at the {said} is another kind of change")
    elif shared:
        message = (f"places the edit at the {said} ({s.phrase.strip()!r}), but no change there is left for it: "
                   f"the changes that fit belong to the instruction's other edits")
    else:
        message = f"places the edit at the {said} ({s.phrase.strip()!r}), but the change is at the {_place(r)}"
    return Flag("orientation", "P0", message, _region_evidence(r))


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
    said = {s.direction for s in statements if s.kind == "move"}
    for s in statements:
        if s.kind != "move" or s.direction is None or opposite(s.direction) in said:
            continue  # "runs right then left": one pair of pictures cannot tell which way it ended up
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
