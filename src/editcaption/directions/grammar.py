"""The instruction reader: direction facts out of free text, by clause and verb frame.

The text is folded (:func:`~.lexicon.fold`) and cut into sentences. Each sentence knows
whether its subject is the camera ("The camera, mounted on the car, trucks left"), so that
a bare motion verb later in it ("..., then moves backward") is read as the camera's. Rules
run in priority order and never reuse words another rule has read:

1. a question states nothing ("Does the camera move backward?");
2. own sides ("her left hand", "the left eye", "to their right");
3. mirrors and vertical flips;
4. inherent camera verbs (pan, tilt, truck, pedestal, dolly, zoom, push in, pull back);
5. rolls (the picture turns the other way), orbits (no fact: the sense is the path's),
   rotations of the picture or a thing;
6. a move of the picture itself ("shift the image left": ambiguous between the camera and
   the content, marked so), of the camera ("move the camera down"), of a thing ("move the
   red ball to the left"), or intransitive ("..., moving forward"; "the character moves
   right"), whose agent is the clause's subject; in a sentence about the camera, a move named
   as a noun ("an upward movement") or by a vertical verb alone ("then descends");
7. frame positions, positions relative to another thing, adjectives ("the left cat"); a bare
   place on a thing the sentence names as carrying it ("a shelf has a board on the top") is no
   frame position (these rules are :class:`.placing.PlaceReading`, which the reader mixes in);
8. global tone.

Deterministic, offline and fast (regular expressions compiled once; see
``benchmarks/phrasing.py`` for the speed against the old pattern list).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass

from . import frames as F
from . import lexicon as L
from . import places as P
from .conventions import opposite
from .placing import PlaceReading
from .statement import DirectionStatement

# a closing quote between two marks belongs to the end: 'the headline "Nifty below 8200; banks weigh."?' asks
_SENTENCE_END = re.compile(r"(?<!\d)[.!?;]+(?:[\"'\u201d\u2019)]+[.!?;]+)*(?!\d)|\n+")
_BOUNDARY = re.compile(r"[,;:()]|\b(?:while|whilst|and|then|where|before|after|as|when|until|but|so|with|once|since|"
                       r"initially|first|finally|simultaneously)\b")
_ADVERBS = re.compile(r"\b(?:[a-z]+ly|also|then|now|just|still|again|slowly|smoothly)\b")
_CAMERA_WORD = re.compile(rf"\b(?:{F.CAMERA_NOUN}|view)\b")
_IT = re.compile(r"^\s*(?:it|it\s+then)\s*$")
_NEXT_WORD = re.compile(r"(?:[\s-]+side)?[\s-]+(?P<w>[a-z][a-z'-]*)")
# words without which a rule cannot match: a rule runs only when the text has one of them (speed)
_SIDES = {"left", "right", "leftward", "leftwards", "rightward", "rightwards"}
_NEEDS_OWN = _SIDES | {"lefthand", "righthand"}
_NEEDS_MIRROR = {w for w in L.MIRROR_VERBS} | {"horizontal", "horizontally", "vertical", "vertically", "mirror", "becomes", "now",
                                                 "ends", "swapped", "switched", "exchanged", "reversed", "inverted"}
# ("the left side is now on the right", "The left and right sides are swapped")
_NEEDS_SENSE = {"clockwise", "counterclockwise", "anticlockwise", "counter", "anti", "ccw", "cw"}
_NEEDS_MOTION = _SIDES | {"up", "down", "upward", "upwards", "downward", "downwards", "forward", "forwards", "backward",
                          "backwards", "back", "away", "ahead", "closer", "nearer", "in", "out", "inward", "inwards",
                          "outward", "outwards", "toward", "towards", "top", "bottom", "upper", "lower", "farther",
                          "further", "approach", "close"}
_NEEDS_CAMERA_MOTION = set(L.VERTICAL_VERBS) | {"movement", "motion", "move", "drift", "shift", "translation",
                                              "glide", "travel"}
# a camera named as a verb's subject ("a drone shot that descends"), also in a text about no camera
_CAMERA_NAMED = {w for w in L.CAMERA_NOUNS if " " not in w}
_NEEDS_PLACE = _SIDES | {"top", "bottom", "upper", "lower", "middle", "center", "centre", "leftmost", "rightmost",
                         "topmost", "bottommost", "above", "below", "under", "underneath", "beneath", "atop", "over", "centered", "centred"}
# (a verb of several words is gated by its first word, "tone down" by "tone"; "add more" by "more", since
# "add" alone is in nearly every edit)
_NEEDS_TONE = {w.split()[0] if " " not in w or not w.endswith(" more") else "more"
               for p in (L.INCREASE_VERBS, L.DECREASE_VERBS) for w in p} | {
    "brighten", "brightens", "brightened", "brightening", "lighten", "lightens", "lightened", "lightening", "darken",
    "darkens", "darkened", "darkening", "dim", "dims", "dimmed", "dimming", "warm", "warms", "warmed", "warming",
    "cool", "cools", "cooled", "cooling", "too", "full", "maximum", "max", "desaturate", "desaturated",
    "desaturating", "desaturates", "make", "makes", "making", "made", "render", "renders", "get", "turn", "let",
    "have", "saturation", "illuminate", "illuminates", "illuminated", "illuminating", "light", "lights", "lighted",
    "lighting"} | {w.split()[-1] for w in L.TONE_COMPARATIVES}
# a request phrased as a question states what it asks for ("Can you make the image brighter?"), also after
# a phrase put first ("From the top row, can you add the two items ...?")
_REQUEST = re.compile(r"\s*(?:(?!(?:what|which|who|whom|whose|where|when|why|how|is|are|was|were|do|does|did|has|have)\b)"
                      r"[^,?]{1,60},\s*)?(?:please[\s,]+)?(?:(?:can|could|would|will)\s+(?:you|u|we|it\s+(?:be|have|get)|there\s+be)(?:\s+please)?|"
                      r"what\s+if|"
                      r"(?:is|would)\s+it\s+(?:be\s+)?possible\s+to|(?:would|do)\s+you\s+mind)\b")
# the way back after a path: "from right to left and (from) left to right"
_AND_BACK = re.compile(r"\s+(?:and|or|&)\s+(?:then\s+)?(?:from\s+)?(?:the\s+)?(?P<a>left|right|top|bottom)\s+to\s+(?:the\s+)?"
                       r"(?P<b>left|right|top|bottom)\b")
_BOTH_WAYS = re.compile(r"\s+(?:and|or|&)\s+(?:forth|(?P<back>back)(?!\s+and\s+forth)|(?P<way>down|up|left|right|out|in))\b")


class _Hit:
    """A verb-anchored match: its span and its direction word (the parts of re.Match the rules use)."""

    __slots__ = ("a", "b", "d")

    def __init__(self, a: int, b: int, d: str) -> None:
        self.a, self.b, self.d = a, b, d

    def start(self) -> int:
        return self.a

    def end(self) -> int:
        return self.b

    def span(self) -> tuple[int, int]:
        return self.a, self.b

    def group(self, _name: str) -> str:
        return self.d


@dataclass(frozen=True)
class _Sentence:
    start: int
    end: int
    camera: bool  # the sentence's subject is the camera
    question: bool


def _sentences(low: str) -> list[_Sentence]:
    out: list[_Sentence] = []
    start = 0
    previous_camera = False
    for m in [*_SENTENCE_END.finditer(low), None]:
        end = m.start() if m else len(low)
        stop = m.end() if m else len(low)
        body = low[start:end]
        if body.strip():
            said = F.CAMERA_SUBJECT.search(body)
            camera = bool(said and not _shown_moving(body, said)) or (
                previous_camera and re.search(r"(?:^\s*|[,;]\s*|\b(?:as|while|then|and|now|here)\s+)it\b", body) is not None)
            question = "?" in low[end:stop] and not _REQUEST.match(body)
            out.append(_Sentence(start, end, camera, question))
            previous_camera = camera
        start = stop
    return out


# markup of help pages ("the <gui>Filename format</gui> box", "<link xref=...>tools</link>"): a label's tags
# become the marks a label gets in plain text (*Filename format*), other tags blanks, the length kept
_MARKUP = re.compile(r"<(?P<close>/?)(?P<tag>[a-z][a-z0-9]*)(?:\s+[a-z:-]+\s*=\s*\"[^\"]*\")*\s*/?>")
_LABEL_TAGS = {"gui", "em", "key", "code", "b", "strong", "i"}


# a direction constant in backticks said as the word ("shifted one unit ``LEFT``"): its backticks become
# blanks (a value in lower case, "`left`: Clear items floated to the left", stays code)
_DIRECTION_CONSTANT = re.compile(r"(?<!`)(``?)(?:UP|DOWN|LEFT|RIGHT)\1(?!`)")


# a direction word stressed in bold, in lower case ("to the **left** of the dog"): the stars become blanks
_STRESSED = re.compile(r"(?<!\*)(\*\*)(?:up|down|left|right|top|bottom|upper|lower)\1(?!\*)")


# a control named in code after "the" ("to the left of the ``Start call`` button"): a label, marked as
# help pages mark one (*Start call*), so that it can be the thing of a relation
_CODE_LABEL = re.compile(r"(?<=\bthe )``([^`\n]{1,40})``(?=\s+(?:button|menu|field|icon|box|checkbox|toggle|link|tab|switch)s?\b)")


# Markdown's italics by underscores, at a word's edge (not inside a name such as "snake_case")
_EDGE_UNDERSCORE = re.compile(r"(?<!\w)_+(?=\w)|(?<=\w)_+(?!\w)")


# a reStructuredText cross-reference is prose ("in the :ref:`left sidebar <right-sidebar>`"): its role, its
# backticks and its target become blanks, its words stay
_RST_REFERENCE = re.compile(r":(?:ref|doc|term):`(?P<words>[^`<\n]+?)(?P<target>\s*<[^>`\n]*>)?`")


def _blank(low: str, a: int, b: int) -> str:
    return low[:a] + " " * (b - a) + low[b:]


def _read_through_markup(text: str, low: str) -> str:
    """``low`` with the marks of Markdown and reStructuredText that hide words made blanks (same length):
    a direction constant's backticks, a stressed word's stars, a cross-reference's role and target,
    italics by underscores; a control named in code becomes a label (*Start call*)."""
    for pattern in (_DIRECTION_CONSTANT, _STRESSED):
        for m in pattern.finditer(text):
            q = len(m.group(1))
            low = _blank(_blank(low, m.start(), m.start() + q), m.end() - q, m.end())
    for m in _RST_REFERENCE.finditer(low):
        low = _blank(_blank(low, m.start(), m.start("words")), m.end("words"), m.end())
    for m in _CODE_LABEL.finditer(low):
        low = low[:m.start()] + " *" + m.group(1) + "* " + low[m.end():]
    for m in _EDGE_UNDERSCORE.finditer(low):
        low = _blank(low, *m.span())
    return low


def _unmark(low: str) -> str:
    if "<" not in low:
        return low

    def blank(m: re.Match[str]) -> str:
        n = len(m.group())
        if m.group("tag") not in _LABEL_TAGS:
            return " " * n
        return "*" + " " * (n - 1) if m.group("close") else " " * (n - 1) + "*"
    return _MARKUP.sub(blank, low)


class _Reader(PlaceReading):
    def __init__(self, text: str, tone: bool = True) -> None:
        self.with_tone = tone
        self.text = text
        folded = L.fold(text)
        if "`" in text or "*" in text or "_" in text:  # marks of Markdown and reStructuredText
            folded = _read_through_markup(text, folded)
        self.low = _unmark(folded)
        self.marked_up = self.low != folded  # a help page's markup: its windows are a program's
        self.sentences = _sentences(self.low)
        self.starts = [s.start for s in self.sentences]
        self.found: list[DirectionStatement] = []
        self.taken: list[tuple[int, int]] = []
        self.tokens = [(w.group(), w.start(), w.end()) for w in P.WORD.finditer(self.low)]
        self.words = {w for w, _, _ in self.tokens}
        for word_marks, other_marks, pattern, group in _SET_ASIDE_MARKS:
            if self.words & word_marks or any(mark in self.low for mark in other_marks):
                self.taken += [m.span(group) for m in pattern.finditer(self.low)]
        if "**" in text:  # "select **Move Primary Side Bar Right**", "**Left** - The panel spans ...": a label
            self.taken += [m.span() for m in _BOLD_LABEL.finditer(text)]
        if '"' in text or "\u201c" in text:  # 'by selecting "Show Left Sidebar"': a menu item's name
            self.taken += [m.span() for m in _QUOTED_LABEL.finditer(text)]
        # a text that follows a camera move describes the scene it films: where things stand in it
        # relative to each other ("a village beneath the peaks") is the scene's layout, not a fact asked for
        self.scene_text = any(s.camera for s in self.sentences)
        # "I am washing the sink on the left": a narrator standing in the scene; a side with no owner is
        # where things are around them, and there is no picture whose side it could be
        # "Turn to the right, walk to the desk, ...": someone walking through a room is told where to
        # go; a side with no owner is around them, and their own steps are no move in a picture
        # "There should be a store to your right", "Go through the next intersection": a walker told the way
        self.situated = _SITUATED.match(self.low) is not None or (
            _IMPERATIVE.match(self.low) is not None and _NAVIGATION.search(self.low) is not None) or \
            _WALKER.search(self.low) is not None

    # ------------------------------------------------------------------ bookkeeping

    def free(self, a: int, b: int) -> bool:
        return not any(a < e and s < b for s, e in self.taken)

    def take(self, a: int, b: int) -> None:
        self.taken.append((a, b))

    def emit(self, kind: str, direction: str | None, a: int, b: int, vertical: str | None = None,
             convention: str | None = None) -> None:
        if kind != "own_side" and _NEGATED.search(self.low, max(0, a - 40), a):
            self.take(a, b)  # "the chair not under the umbrella", "neither blue nor on the left", "instead of the
            return  # closer view": said not to hold
        self.found.append(DirectionStatement(kind, direction, a, b, self.text[a:b], vertical, convention))
        self.take(a, b)

    def sentence(self, pos: int) -> _Sentence:
        i = max(0, bisect.bisect_right(self.starts, pos) - 1)
        return self.sentences[i] if self.sentences else _Sentence(0, len(self.low), False, False)

    def scan(self, pattern: re.Pattern[str], pos: int = 0) -> Iterator[re.Match[str]]:
        """Matches over words nobody has read yet (a clash retries one character later)."""
        while True:
            m = pattern.search(self.low, pos)
            if m is None:
                return
            if m.end() > m.start() and self.free(*m.span()):
                yield m
                pos = m.end()
            else:
                pos = m.start() + 1

    # ------------------------------------------------------------------------- rules

    def run(self) -> list[DirectionStatement]:
        for s in self.sentences:
            if s.question:
                self.take(s.start, s.end)
        for m in _GEOMETRY.finditer(self.low) if self.words & _SIDES else ():
            self.take(*m.span())  # "forming a right angle": geometry, no side
        w = self.words
        if w & _NEEDS_OWN:
            self.own_sides()
        if w & _NEEDS_MIRROR:
            self.mirrors()
        self.camera_verbs()
        if w & _NEEDS_SENSE:
            self.rotations()
        if w & _NEEDS_MOTION:
            self.moves()
        if (self.scene_text or w & _CAMERA_NAMED) and w & _NEEDS_CAMERA_MOTION:
            self.camera_without_a_camera_verb()
        if w & _SIDE_PARTS and w & _SIDES:
            self.side_parts()
        if w & _NEEDS_PLACE:
            self.positions()
        if self.with_tone and w & _NEEDS_TONE:
            self.tone()
        self.found.sort(key=lambda st: st.start)
        return self.found

    def side_parts(self) -> None:
        """"Open the right door of the wardrobe", "look at the left side of the blanket": a side part of a named
        thing, as the object of a verb, is beside that thing (after a preposition it is a place, read with them)."""
        for m in self.scan(_SIDE_PART_OF):
            if not L.FRAME_NOUNS.intersection(m.group("things").split()) and _HANDLED_PART.search(self.low, 0, m.start()):
                self.relative(m.group("h"), *m.span())

    def own_sides(self) -> None:
        for m in self.scan(P.OWN_POSSESSIVE):
            owner = m.group("owner").removesuffix("'s").removesuffix("'")
            h = m.group("h")
            after = re.match(r"\s+(?P<w>[a-z]+)", self.low[m.end():m.end() + 20])
            if h == "right" and after and after.group("w") in L.CORRECT_NOUNS:
                self.take(*m.span())  # "got their right order": the correct one
                continue
            if owner == "your" and self.looked_at_by_another(m.start()):
                self.take(*m.span())  # "the girl is looking to your left": where she looks, told to a viewer
                continue
            v = _CORNER_SIDE.search(m.group())
            if v and after and after.group("w") in _CORNERS and owner in ("its", "their"):
                # "a label at its upper left corner": a corner of the thing, not its own side
                self.relative(h, m.start(), m.end() + after.end(), P.VERTICAL_WORD[v.group("v")])
                continue
            if owner in L.VIEWER_NOUNS and not (after and after.group("w") in L.BODY_PARTS):
                if self.facing(m.start()):
                    self.take(*m.span())  # "facing viewer's right": a facing
                else:
                    self.emit("position", h, *m.span())  # "on the viewer's left": the frame's left
            elif owner in L.FRAME_NOUNS or owner in _SCREEN_OWNERS:  # "in the viewport's top-left corner"
                self.emit("position", h, *m.span(), P.VERTICAL_WORD[v.group("v")] if v else None)
            elif owner in L.PLACE_NOUNS:
                self.emit("relative", h, *m.span())
            else:
                self.emit("own_side", h, *m.span())
        for m in self.scan(P.OWN_BODY_PART):
            if m.group("part") in L.WORN_IN_PAIRS and not self.words & L.WEARER_WORDS:
                continue  # "the left shoe" of a picture of shoes: a frame position, read with the adjectives
            if m.group("part") == "hand" and _A_HAND_SIDE.match(self.low, m.end()):
                continue  # "in upper left hand side of screen", "in right-hand sidebar": a side, read with the places
            if m.group("part") == "hand" and self.a_thing_on_that_side(m):
                continue  # "The right-hand cupboard door": the thing on that side
            of = _HAND_OF.match(self.low, m.end()) if m.group("part") == "hand" else None
            if of and not set(of.group("owner").split()) & L.WEARER_WORDS and \
                    re.search(r"\b(?:on|to|at)\s+the\s+$", self.low[max(0, m.start() - 12):m.start()]):
                continue  # "on the right hand of the towel" (not "of the man"): the towel's right side
            self.emit("own_side", m.group("h"), *m.span())
            # "a green left eye and a blue right one": the other of the pair, its owner's too
            other = _THE_OTHER_ONE.match(self.low, m.end())
            if other and other.group("h") == opposite(m.group("h")):
                self.emit("own_side", other.group("h"), other.start("h"), other.end())

        for m in self.scan(_RUN_TOGETHER_HAND):
            self.emit("own_side", m.group("h"), *m.span())  # "Lift righthand up": the hand, one word

    def a_thing_on_that_side(self, m: re.Match[str]) -> bool:
        """Whether a thing's noun follows "left-hand"/"right-hand" (``m``, hyphenated), so the hand names a side
        ("the right-hand cupboard door"); a hand's own doing ("two right-hand punches") does not, nor two words
        ("raise left hand bit", "put the right hand further": a hand)."""
        nxt = _NEXT_WORD.match(self.low, m.end())
        return nxt is not None and self.low[m.start("part") - 1] == "-" and P.thing_noun(nxt.group("w")) and \
            nxt.group("w") not in _WHAT_A_HAND_DOES and not nxt.group("w").endswith(("ing", "ed"))

    def looked_at_by_another(self, pos: int) -> bool:
        """Whether the clause before ``pos`` has someone other than the listener look or turn ("the
        girl is looking to your left"), not the listener told to ("Turn to your right")."""
        told = P.WORD.findall(_LOOKS_LIKE.sub(" ", self.subject(pos)))  # "a light that looks like a lantern": no gaze
        return bool(told) and not _IMPERATIVE.match(told[0]) and bool(L.FACING_VERBS.intersection(told))

    def mirrors(self) -> None:
        for m in self.scan(F.BOTH_AXES):
            if m.group("c") == "and" and not self.a_thing_flipped(m.start()):
                self.emit("mirror", None, m.start(), m.end("h"))
                self.emit("flip_vertical", None, *m.span())
            else:
                self.take(*m.span())
        for m in self.scan(F.FLIP_V):
            if self.a_thing_flipped(m.start()):
                continue
            self.emit("flip_vertical", None, *m.span())
        for m in self.scan(F.MIRROR):
            if self.noun_before(m.start()) or self.a_thing_flipped(m.start()):
                continue  # "add a mirror frame": a thing
            self.emit("mirror", None, *m.span())

    def a_thing_flipped(self, pos: int) -> bool:
        """Whether a participle at ``pos`` says a thing, not the picture, was flipped: "the white drug bottle
        is flipped upside down" (but "The image is flipped horizontally" is the picture's mirror)."""
        if not self.low.startswith(("flipped", "mirrored", "flopped"), pos):
            return False
        said = P.WORD.findall(self.subject(pos))
        return bool(said) and not L.FRAME_NOUNS.intersection(said) and not {"it", "everything"}.intersection(said) \
            and any(P.thing_noun(w) for w in said)

    def camera_verbs(self) -> None:
        for needs, pattern, implied in _CAMERA_FRAMES:
            if not self.words & needs:
                continue
            for m in self.scan(pattern):
                pan_at = self.low.find("pan", m.start() + 1, m.end())  # a noun "pan" inside: "down a pan"
                if self.noun_before(m.start()) or self.cookware(m.start()) or pan_at > 0 and self.cookware(pan_at):
                    continue  # "a truck left of a refrigerator", "lift the frying pan up", "put down a pan": a thing
                if self.low.startswith(("pulled", "tilted"), m.start()) and not self.sentence(m.start()).camera:
                    continue  # "dark hair pulled back", "two blankets tilted up": a participle of a thing
                if self.low.startswith("back", m.start()) and self.after_a_motion_verb(m.start()):
                    continue  # "walks right back out": "back" says where the walk goes, not the camera
                if self.low.startswith(("backed", "backs ", "backing"), m.start()) and not self.camera_agent(m.start()):
                    continue  # "the puppy squatted down, then suddenly backed away", "it ... backs away": its step back
                if self.low.startswith("pull", m.start()) and L.BODY_PARTS.intersection(P.WORD.findall(self.subject(m.start()))) \
                        and not self.camera_agent(m.start()):
                    continue  # "the right foot pulls back to scoop the ball up": a limb drawn back
                if self.low.startswith("tilt", m.start()) and _TURNED_PARTS.intersection(P.WORD.findall(self.subject(m.start()))):
                    self.take(*m.span())  # "her head is tilted down": a pose of the head
                    continue
                if self.low.startswith("zoomed", m.start()) and _FRAMING_NOUN.match(self.low, m.end()) and \
                        not _ASKS.search(self.low, self.sentence(m.start()).start, m.start()):
                    continue  # "Zoomed out view of a giraffe": the framing of a picture described, no change
                if self.low.startswith("zoomed", m.start()) and _DESCRIBED.search(self.low, 0, m.start()) and \
                        re.match(r"\s+in(?:to|\s+to)\s+(?:a|an|the)\b", self.low[m.start() + 6:]):
                    continue  # "a map that is zoomed into a location": a thing in the picture described
                if self.returns_after_a_pan(m):
                    self.take(*m.span())
                    continue
                self.camera_fact(m, implied or m.group("d") or m.groupdict()["d2"])
        if self.words & _ENDING:
            for m in self.scan(_ENDS_IN_A_CLOSE_UP):
                if self.sentence(m.start()).camera:
                    self.camera_fact(m, "close")  # "The camera then moves to the right, ending with a close-up of"

    def returns_after_a_pan(self, m: re.Match[str] | _Hit) -> bool:
        """Whether a "back" at ``m`` returns to a thing after a pan ("pans right then quickly comes back
        to the guy"): the pan undone, not a dolly out ("pulls back to reveal the city" is one)."""
        return bool(_RETURNS.search(self.low, m.start(), m.end())) and _BACK_TO_A_THING.match(self.low, m.end()) is not None and \
            any(st.kind == "pan" and st.end <= m.start() for st in self.found)

    def after_a_motion_verb(self, pos: int) -> bool:
        """Whether the word at ``pos`` follows a verb of motion, "right" as an intensifier between."""
        before = re.search(r"([a-z']+)(?:\s+right)?\s+$", self.low[max(0, pos - 30):pos])
        return before is not None and before.group(1) in L.MOTION_VERBS

    def noun_before(self, pos: int) -> bool:
        """Whether the word at ``pos`` is a thing named after a determiner: "a truck", "a mirror frame"
        (but "performs a push in", "a boom up" name camera moves)."""
        if not self.low.startswith(_THING_WORDS, pos):
            return False
        before = re.search(r"([a-z']+)\s+$", self.low[max(0, pos - 20):pos])
        return before is not None and before.group(1) in L.DETERMINERS

    def cookware(self, pos: int) -> bool:
        """Whether a "pan" at ``pos`` is a thing: "the frying pan", "put the pan down", "put down a pan", "in a pan"."""
        if not self.low.startswith("pan", pos):
            return False
        if any(m.start() <= pos < m.end() for m in L.PAN_THING.finditer(self.low, max(0, pos - 24), pos + 6)):
            return True
        before = re.search(r"([a-z']+)\s+(?:(?:down|up|out|away|back)\s+)?([a-z']+)\s+$", self.low[max(0, pos - 40):pos])
        return before is not None and before.group(2) in L.DETERMINERS and (
            before.group(1) in L.HANDLING_VERBS or before.group(1) in _THING_PREPOSITIONS)

    def camera_fact(self, m: re.Match[str] | _Hit, word: str, convention: str | None = None) -> None:
        d = F.normalise(word)
        if self.both_ways(m.end(), d):  # "tilting up and down", "moves back and forth"
            self.take(m.start(), _BOTH_WAYS.match(self.low, m.end()).end())  # (not "right again" as a place)
            return
        kind = F.camera_kind(d)
        self.emit(kind, d, *m.span(), convention=convention)
        # "pans left and then right", "dollies forward and downward"
        c = F.CONTINUATION.match(self.low, m.end())
        if c and self.free(m.end(), c.end()):
            d2 = F.normalise(c.group("d"))
            self.emit(F.camera_kind(d2), d2, m.end() + c.start("d") - c.start(), c.end(), convention=convention)

    def rotations(self) -> None:
        for pattern in (F.ROLL, F.ROLL_NOUN):
            for m in self.scan(pattern):
                self.emit("rotate", _sense(m.group("s"), camera=True), *m.span())
        for pattern in (F.ORBIT,):
            for m in self.scan(pattern):
                self.take(*m.span())
        for m in [*self.scan(F.ROTATE), *self.scan(F.ROTATE_BY_SIDE)]:
            obj = m.group("obj")
            camera = bool(re.search(rf"\b(?:{F.CAMERA_NOUN})\b", obj)) or (
                not re.search(r"\b(?:the|a|an|it|this|his|her|their|its)\b", obj) and self.sentence(m.start()).camera)
            if not camera and self.a_thing_turns(m):
                self.take(*m.span())  # "a turntable that rotates clockwise": a thing turning, not the picture
                continue
            self.emit("rotate", _sense(m.group("s"), camera=camera), *m.span())
        for m in self.scan(F.ROTATE_NOUN):
            self.emit("rotate", _sense(m.group("s"), camera=self.sentence(m.start()).camera), *m.span())

    def a_thing_turns(self, m: re.Match[str]) -> bool:
        """Whether the turn at ``m`` is a thing's in the picture, not the picture's or the camera's: a
        thing names what turns ("spin the wheel clockwise", "a rotating platform that rotates
        clockwise"), where "rotate it 90 degrees clockwise" and "the image rotates clockwise" turn
        the picture."""
        said = m.group("obj") + " " + self.subject(m.start())
        nouns = [w for w in P.WORD.findall(said) if w not in P.NOT_A_THING and w not in _NOT_WHAT_TURNS and
                 not w.endswith("ly") and not w.isdigit()]
        return bool(nouns) and not any(w in L.FRAME_NOUNS or w in L.CONTENT_NOUNS for w in P.WORD.findall(said))

    def anchored(self, frame: tuple[set[str], re.Pattern[str]]) -> Iterator[_Hit]:
        """Matches of a verb-anchored frame: a verb of the set, then the frame's rest right after it."""
        verbs, rest = frame
        if not self.words & verbs:
            return
        for word, a, b in self.tokens:
            if word in verbs:
                t = rest.match(self.low, b)
                if t and self.free(a, t.end()):
                    yield _Hit(a, t.end(), t.group("d"))

    def moves(self) -> None:
        for m in self.scan(_FLOATED) if "floated" in self.words else ():
            # "Two are floated left", "Clear items floated to the left": a page's box set at that side (but "the
            # balloon floated to the left" drifts there)
            self.emit("position", m.group("d"), m.start("v"), m.end())
        for m in self.anchored(F.CONTENT_OBJECT):
            after = _PART_NOUN.match(self.low, m.end()).end()
            if P.OF_NOUN.match(self.low, after) or P.ON_A_SLIDE.match(self.low, after):
                # "Move the picture to the right side of the slide", "... on Slide 2": a picture on a slide; "move
                # the image to the left side of the table": beside a thing (read with the places)
                continue
            self.camera_fact(m, m.group("d"), convention="ambiguous")
        for m in self.anchored(F.CAMERA_OBJECT):
            self.camera_fact(m, m.group("d"))
        for m in self.scan(F.FURTHER_MOVE):
            self.emit("move", m.group("d"), *m.span())
        if self.words & F.MOVE_VERB_WORDS:
            for v in [w for w in P.WORD.finditer(self.low) if w.group() in F.MOVE_VERB_WORDS]:
                if self.free(*v.span()):
                    self.object_move(v)
        for v in [w for w in P.WORD.finditer(self.low) if w.group() in _HELD_OUT] if self.words & _HELD_OUT else ():
            if self.free(*v.span()):
                self.object_move(v, only=_A_WARD_ADVERB)
        for m in self.scan(_SET_DOWN_AT_A_SIDE) if self.words & _SET_DOWN else ():
            self.emit("move", m.group("d"), *m.span())
        for m in self.scan(_TAKEN_TO_A_SIDE) if self.words & _TAKE else ():
            self.emit("move", m.group("d"), *m.span())
        for m in self.scan(_MOVED_LOWER_OR_HIGHER) if self.words & {"lower", "higher"} else ():
            self.emit("move", "down" if m.group("d") == "lower" else "up", *m.span())
        for m in self.scan(_TOWARDS_THE_CENTRE) if self.words & {"center", "centre"} else ():
            verbs = set(P.WORD.findall(self.low, self.clause_start(m.start()), m.start()))
            if verbs & F.MOVE_VERB_WORDS:
                self.emit("position", "center", *m.span())  # "Move the book towards the center": it ends there
            elif verbs & _HELD_OUT:
                self.take(*m.span())  # "hold it towards the center": held out that way, nothing placed
        if self.words & _TAKE:  # "Take the clothes towards the left": carried that way (but "take the road to
            for v in [w for w in P.WORD.finditer(self.low) if w.group() in _TAKE]:  # the right" is a route)
                if self.free(*v.span()):
                    self.object_move(v, only=_TOWARDS)
            for m in self.scan(_STEP_ASIDE):
                if self.requested(m.start()) or self.situated:
                    self.take(*m.span())  # "Take a step to the right": the reader's own step, told the way
                else:  # "Have the man take a step to the left": someone seen steps aside
                    self.emit("move", m.group("d"), *m.span())
        if self.words & F.PATH_VERBS or self.words & _CAMERA_WORK or self.words & _MOVEMENT:
            for m in self.scan(F.PATH):
                self.path(m)
        for m in self.scan(F.EXIT):
            if m.group().startswith("left") and self.after_an_article(m.start()):
                continue  # "at the left bottom of the screen": the side, not the verb
            if m.group("d2") == "right" and re.search(r"\bthe\s+right", m.group()) and "left direction" not in self.low \
                    and not self.camera_agent(m.start()):
                self.take(*m.span())  # "starts moving the car in the right direction": the correct way
                continue  # (but "the camera pans in the right direction" is a pan)
            d = F.normalise(m.group("d") or m.group("d2") or m.group("d3") or m.group("d4") or m.group("d5") or m.group("d6"))
            self.emit("pan" if self.camera_agent(m.start()) else "move", d, *m.span())
        for m in self.scan(F.EXIT_BY):
            if m.group("verb") == "left" and self.after_an_article(m.start()):
                continue  # "on the left from the ...": the side, not the verb
            self.emit_moves(*P.place_parts(m.group("p")), *m.span())
        if "from" in self.words:
            for m in self.scan(F.FROM_ONE_SIDE):
                if self.camera_agent(m.start()):
                    self.emit("pan", opposite(m.group("d")), *m.span())
        for m in self.scan(_APPROACH) if "approach" in self.words else ():
            if self.requested(m.start()):
                self.camera_fact(m, "in")  # "Approach the dog, remove the bird ...": come closer, a zoom in
        for m in self.anchored(F.MOTION_INTRANSITIVE):
            self.intransitive(m)
        for m in self.anchored(F.TURN_INTRANSITIVE):
            if self.camera_agent(m.start()):
                self.camera_fact(m, m.group("d"))  # "camera view turns to the right": a pan

    def camera_without_a_camera_verb(self) -> None:
        """Camera moves said without a camera verb or a direction word of the verb's own, in a
        sentence about the camera: "incorporating an upward movement", "then quickly descends"."""
        for m in self.scan(F.MOTION_NOUN):
            if self.sentence(m.start()).camera and self.camera_agent(m.start()):
                self.camera_fact(m, m.group("d"))
        for word, a, b in self.tokens:
            if word in L.VERTICAL_VERBS and self.free(a, b) and F.NO_WAY_AFTER.match(self.low, b) and \
                    self.camera_moves_itself(a):
                self.emit("pan", L.VERTICAL_VERBS[word], a, b)

    def camera_moves_itself(self, pos: int) -> bool:
        """Whether the verb at ``pos`` is the camera's own: the camera is its subject ("the drone
        descends"), or the clause has none in a sentence about the camera ("..., then descends")."""
        before = P.PREVIOUS_WORD.search(self.low, 0, pos)
        if before and (before.group("w") in L.DETERMINERS or before.group("w") in P.NOT_BEFORE_A_VERB):
            return False  # "the rising sun", "of falling leaves": an adjective
        subject = self.subject(pos)
        return bool(_CAMERA_LAST.search(subject)) or self.camera_by_default(pos, subject)

    def both_ways(self, end: int, d: str) -> bool:
        """Whether the direction ending at ``end`` is said with its opposite ("up and down", "forward
        and back"). "left and back", "zooms in and back out" go one way and return: the first way stands."""
        m = _BOTH_WAYS.match(self.low, end)
        if m is None:
            return False
        if m.group("way"):
            return m.group("way") == opposite(d)  # "pans left and up", "closer-up and in black and white": one way each
        return not m.group("back") or d in ("in", "out") and not re.match(r"\s+(?:out|in)\b", self.low[m.end():m.end() + 5])

    def path(self, m: re.Match[str]) -> None:
        """A path across the frame: its direction is the way from the first place to the second."""
        start = max(self.sentence(m.start()).start, m.start() - 80)
        words = P.WORD.findall(self.low, start, m.start())
        if not any(w in F.PATH_VERBS for w in words) and not (
                _CAMERA_WORK.intersection(words) and self.camera_agent(m.start())) and \
                not _MOVEMENT_IS.search(self.low, start, m.start()):
            return  # "the people from left to right are ...": an order, not a motion (but "The movement of
            # this person is from the right towards the left" names the motion)
        before = P.PREVIOUS_WORD.search(self.low, 0, m.start())
        if not self.low.startswith("from", m.start()) and before and before.group("w") not in F.PATH_VERBS:
            return  # a bare "left to right" only right after its verb ("moving left to right")
        if _SWAYING.search(self.low, max(0, m.start() - 20), m.start()):
            self.take(*m.span())  # "moves back and forth from left to right": a sway, no one way
            return
        if _BACK_AGAIN.match(self.low, m.end()):
            self.take(*m.span())  # "Moving from the left to the right and back again": both ways
            return
        back = _AND_BACK.match(self.low, m.end())
        if back and P.place_parts(back.group("a")) == P.place_parts(m.group("b")) and P.place_parts(back.group("b")) == P.place_parts(m.group("a")):
            self.take(m.start(), back.end())  # "from right to left and left to right": both ways, no one way
            return
        (ha, va), (hb, vb) = P.place_parts(m.group("a")), P.place_parts(m.group("b"))
        if m.group("b") in ("center", "centre", "middle"):
            if not self.low.startswith("from", m.start()):
                return  # "turn right towards the middle of the bed": a turn, then a place
            hb, vb = ha and opposite(ha), va and opposite(va)  # "from left offscreen to center": towards the other side
        ways = [hb] if ha and hb and ha != hb else []
        if va and vb and va != vb:
            ways.append(L.VERTICAL_MOTION[vb])
        kind = "pan" if self.camera_agent(m.start()) else "move"
        if kind == "move" and L.GESTURE_VERBS.intersection(words):
            self.take(*m.span())  # "Scroll from the bottom to the top": a finger's way on a screen
            return
        for way in ways:
            self.emit(kind, way, *m.span())

    def camera_agent(self, pos: int) -> bool:
        """Whether the camera does what the clause at ``pos`` says: it is the clause's subject, the
        clause is about where it goes, or the clause has no subject in a sentence about the camera."""
        subject = self.subject(pos)
        return self.about_the_camera(pos) or _camera_subject(subject) or self.camera_by_default(pos, subject)

    def bare_path(self, end: int) -> bool:
        """Whether a bare noun follows up/down: "walk up stairs", "runs down road" (a path, no article)."""
        nxt = re.match(r"\s+([a-z][a-z'-]*)", self.low[end:end + 30])
        return nxt is not None and P.thing_noun(nxt.group(1)) and nxt.group(1) not in _NOT_A_PATH

    def subject(self, pos: int) -> str:
        """The words of the clause before ``pos``, adverbs left out."""
        return _ADVERBS.sub(" ", self.low[self.clause_start(pos):pos]).strip()

    def object_move(self, v: re.Match[str], only: re.Pattern[str] | None = None) -> None:
        """A thing moved: "move the red circle (to the) left", "shift the cup on the left right"; with
        ``only``, only a way said in words it matches ("towards the left", "upwards")."""
        stop = F.CLAUSE_END.search(self.low, v.end())
        end = min(stop.start() if stop else len(self.low), v.end() + 100)
        # a position naming the thing ("the cup on the left") is part of the object
        window = F.NAMED_AT.sub(lambda n: "x" * len(n.group()), self.low[v.end():end])
        if v.group() in _MOVE:  # "moved the plate in his (right) hands down": the plate, held
            window = _HELD_IN.sub(lambda n: "x" * len(n.group()), window)
        window = _OWN_SIDE_WORDS.sub(lambda n: "x" * len(n.group()), window)  # "moved his left hand up": his own hand
        for d in F.MOVE_DIRECTION.finditer(window):
            if d.group("d") == "right" and _ALL_THE_WAY.match(window, d.end()):
                continue  # "raised the sandwich right up to her mouth": "right" is "all the way", no side
            if only and not only.search(d.group()):
                return
            words = window[:d.start()].split()
            if len(words) > 2 and words[-1] == "and" and words[-2] in _DEPTH_WAYS:
                words = words[:-2]  # "moved their hand out and to the right": depth, then a side it goes to
            if words and (words[-1] in L.DETERMINERS or words[-1] in L.PARTICLE_VERBS and d.group("d") in ("up", "down")):
                return  # "drag the left border": the side names the thing; "the Slide being set up": another verb's up
            if not 1 <= len(words) <= 8 or words[0] in ("the",) and len(words) > 1 and \
                    F.CAMERA_WORD_SET.intersection(words[1:3]):
                return
            if any((w in F.NOT_IN_AN_OBJECT and not (w == "and" and i + 1 < len(words) and (
                    words[i + 1] in L.DETERMINERS or words[i + 1] in L.BODY_PARTS or
                    i > 0 and words[i - 1] in L.COLOUR_WORDS and words[i + 1] in L.COLOUR_WORDS)))
                   or w.endswith("ly") for i, w in enumerate(words)):
                return  # (but "Move the head and the mug down": two things moved; "the green and black blanket": one)
            if _TURNED_PARTS.intersection(words) and d.group("d").startswith(("left", "right", "toward")) and \
                    not (self.requested(v.start()) and not v.group().endswith(("s", "ed", "ing"))):
                # "moves his face left": a turn of the head ("moved her head up" lifts it); but "Move the head
                # towards the left" asks for the head drawn further left
                self.take(v.start(), v.end() + d.end())
                return
            said = self.low[v.end():v.end() + d.start()].split()  # the object's words, own sides unmasked
            if L.BODY_PARTS.intersection(said) and (L.POSSESSIVES.intersection(said) or v.group() in _RAISE) and \
                    not self.requested(v.start()) and not self.caused(v.start()) and \
                    d.group("d").startswith(("left", "right", "toward")) and not _PERFECT.search(self.low, max(0, v.start() - 8), v.start()):
                # "she moves her finger left", "..., and raise a hand toward the left": a gesture to a side in a
                # description (but "Move her hands with the bread down" and "Make her lower her hands towards the
                # right" ask for an edit, and "the man has moved
                # his left hand up" or "... his right hand to the right" is a change between two pictures)
                self.take(v.start(), v.end() + d.end())
                return
            a, b = v.start(), v.end() + d.end()
            horizontal = d.group("d").startswith(("left", "right"))
            nxt = _NEXT_WORD.match(self.low, b) if horizontal else None
            if self.relative_after(b) or (nxt and P.thing_noun(nxt.group("w"))) or self.both_ways(b, F.normalise(d.group("d"))) \
                    or horizontal and _SECOND_AXIS.match(self.low, b):
                # "move it to the left of the sofa", "shift the right-side tree"; "to the left top of the slide"
                return  # is a corner, read with the place (a move per axis)
            if not horizontal and d.group("d") in ("up", "down") and _ALONG_A_PATH.match(self.low, b):
                self.take(a, b)  # "Move the man down the hall": along a path, no way in the picture
                return
            if not horizontal and v.group() in L.PARTICLE_VERBS and not (
                    d.group("d").endswith(("ward", "wards")) and v.group() not in _VERTICAL_ON_ITS_OWN):
                # (but "push the switch upwards": a direction adverb after a verb with no way of its own)
                self.take(a, b)  # "lift the container up", "push the toy down": the verb's own particle
                return
            if self.moves_a_pointer(a, b):
                self.take(a, b)  # "move the mouse to the right": a hand on a mouse, not a thing in the picture
                return
            if self.free(a, b):
                self.emit("move", F.normalise(d.group("d")), a, b)
                second = _AND_THE_OTHER_AXIS.match(self.low, b)
                if second and (second.group("d") in ("up", "down")) == horizontal and self.free(b, second.end()):
                    # "Drag the layer to the right and down a bit": a move on each axis
                    self.emit("move", second.group("d"), a, second.end())
            elif self.free(v.end() + d.start("d"), v.end() + d.end("d")):
                # "moved his left hand up": the own side is read already; the way is the direction word's
                self.emit("move", F.normalise(d.group("d")), v.end() + d.start("d"), v.end() + d.end("d"))
            return

    def moves_a_pointer(self, a: int, b: int) -> bool:
        """Whether the move from ``a`` to ``b`` is of a mouse, cursor or pointer named in its clause ("the
        mouse was moved to the left", "move the cursor to the right"): a hand at a desk, no thing pictured."""
        return P.POINTER.search(self.low, self.clause_start(a), b) is not None

    def requested(self, pos: int) -> bool:
        """Whether the verb at ``pos`` opens its sentence with no subject: a request ("Move the cup")."""
        return self.clause_start(pos) == self.sentence(pos).start and not self.subject(pos)

    def caused(self, pos: int) -> bool:
        """Whether the verb at ``pos`` follows "Make her", "Have the man" at the start of its sentence: someone in
        the picture asked to do it ("Make her lower her hands towards the right")."""
        return self.clause_start(pos) == self.sentence(pos).start and _CAUSATIVE.fullmatch(self.subject(pos)) is not None

    def after_an_article(self, pos: int) -> bool:
        """Whether ``pos`` starts the text or follows a determiner or a preposition (so "left" there is
        the side, not the verb)."""
        before = P.PREVIOUS_WORD.search(self.low, 0, pos)
        return not before or before.group("w") in P.NOT_BEFORE_A_VERB

    def intransitive(self, m: _Hit) -> None:
        before = P.PREVIOUS_WORD.search(self.low, 0, m.start())
        prev = before.group("w") if before else ""
        verb = self.low[m.start():m.end()].split()[0]
        if prev in P.NOT_BEFORE_A_VERB and (prev != "to" or verb in _HOMOGRAPHS) and \
                not (prev == "that" and verb.endswith(("s", "ed")) and verb not in _HOMOGRAPHS and verb not in L.VERTICAL_VERBS) \
                and not _MADE_TO.search(self.low, 0, m.start()):
            return  # "at the lower left": an adjective, not the verb "lower" (but "starts to move right", "the
            # rod that moves to the right": a relative clause, and "Make her move towards the left": her, made to)
        if verb in _HOMOGRAPHS and (prev in L.FACING_VERBS or prev in L.MOTION_VERBS or prev in L.PAN_VERBS):
            return  # "turns head to left": a noun after a verb; "panning back towards his head": back again
        if m.group("d") == "right" and L.INTENSIFIED.match(self.low, m.end()):
            return  # "runs right into Beckett": right as an intensifier
        if m.group("d") == "up" and re.match(r"\s+(?:to\s+(?!the\s+(?:top|sky|ceiling|roof|surface|level))|behind\b|beside\b|"
                                             r"alongside\b|next\s+to\b)", self.low[m.end():m.end() + 30]):
            self.take(*m.span())  # "walks up to the tv", "a puppy running up behind him": an approach
            return
        d = F.normalise(m.group("d"))
        if d in ("left", "right") and re.search(r"\bthe\s+(?:left|right)$", self.low[m.start():m.end()]) and \
                self.noun_after(m.end()):
            return  # "walked to the left window": the left one of the windows (its place is read), no move
        if verb in _HEADED:
            self.take(*m.span())  # "a train headed leftward": which way it points in a picture, not a move
            return
        if verb in _DRAG and not self.subject(m.start()):
            self.take(*m.span())  # "Holding the middle mouse button, dragging left, ...": a drag with nothing
            return  # dragged is a gesture (but "the first keyframe dragged down" moves the keyframe)
        if verb in _SWERVE and d in ("left", "right"):
            self.take(*m.span())  # "the black car swerves to the left": a turn of its course, not a move across
            return
        if verb in _POSTURE_VERBS and d in ("left", "right"):
            self.take(*m.span())  # "a clock leaning slightly to the left": a posture, not a move
            return
        if self.relative_after(m.end()):
            return
        if self.both_ways(m.end(), d):
            self.take(m.start(), _BOTH_WAYS.match(self.low, m.end()).end())
            return
        s = self.sentence(m.start())
        clause_start = self.clause_start(m.start())
        subject = self.subject(m.start())
        # "Driving forward under an arch", "Aerial shot over a town, flying forwards": with no
        # subject, a gerund of travel is the viewer's own motion (a point-of-view shot)
        pov = not subject and verb.endswith("ing") and d in ("in", "out") and (
            clause_start == s.start or _POV.search(self.low, s.start, m.start()) is not None)
        # "Get closer to the dog's face", "Step back": a request to whoever holds the camera
        # ("go towards the blue block", "go back to the previous page": a trip to a thing or a place)
        # ("Leave only four, come closer": a later request in a sentence of requests, but not "move": "Keep
        # the book on the desk and move closer a bit" asks the person in the picture; and not "Go forward to
        # the door, hang a right": someone walking through a room is told where to go)
        later_request = verb in _LATER_REQUESTS and _REQUEST_OPENER.match(self.low, s.start) is not None
        asked = not subject and (clause_start == s.start or later_request) and \
            d in ("in", "out") and verb in _TO_THE_VIEWER and not self.situated and \
            not (verb.endswith("s") and not verb.endswith("ss")) and \
            not m.group("d").startswith("toward") and not (m.group("d") == "back" and _BACK_TO_A_PLACE.match(self.low, m.end())) \
            and not (m.group("d") in ("back", "in", "forward", "forwards") and _ON_TOWARDS.match(self.low, m.end())) \
            and not self.someone_in_the_picture_steps(m, verb)
        if _camera_subject(subject) or (_IT.match(subject) and s.camera) or self.camera_by_default(m.start(), subject) or pov or asked:
            if d == "out" and self.returns_after_a_pan(m):
                self.take(*m.span())
                return
            if d in ("in", "out") and verb in L.VERTICAL_VERBS:
                # "an aerial view descending towards the sea": the way the verb goes, not an approach
                self.emit("pan", L.VERTICAL_VERBS[verb], *m.span())
                return
            self.camera_fact(m, m.group("d"))
        elif verb in L.GESTURE_VERBS:
            self.take(*m.span())  # "Scroll down to find the recipe", "swipe left": a finger on a screen, no picture
        elif self.situated and (not subject or _THE_EGO.search(subject)) and d in ("left", "right"):
            # "veer left to the desk", told to someone walking, "forcing the ego to move right": their own step
            self.take(*m.span())
        elif d in ("in", "out") and subject and not _camera_subject(subject):
            # "The man has moved slightly forward and to the right": depth, then a side it moves to
            c = F.CONTINUATION.match(self.low, m.end())
            if c and self.free(m.end(), c.end()) and not self.relative_after(c.end()) and \
                    F.normalise(c.group("d")) in ("left", "right", "up", "down"):
                self.emit("move", F.normalise(c.group("d")), m.start(), c.end())
        elif d in ("left", "right", "up", "down") and (subject or verb != "back" and not self.facing(m.start())):
            # the thing the clause is about, or with no subject the sentence's ("a ball drops and bounces
            # upwards"; but "turns his head to the left, then back to the right" is a turn)
            straight = _STRAIGHT.search(self.low, m.start(), m.end()) is not None  # "going straight up": a way
            if verb in _SPIN_VERBS and d in ("left", "right"):
                self.take(*m.span())  # "rotate left the blue block": it turns where it stands, no move
                return
            if m.group("d") in ("up", "down") and not _UP_THE_FRAME.match(self.low, m.end()) and (
                    verb in L.PARTICLE_VERBS and not straight or _PATH_AFTER.match(self.low, m.end())
                    or _PATH_PRONOUN.match(self.low, m.end()) or self.bare_path(m.end())):
                self.take(*m.span())  # "lift up the bag", "walk down the stairs": a particle, a path
                return
            if verb in F.MOVE_VERB_WORDS and self.moves_a_pointer(m.start(), m.end()):
                self.take(*m.span())  # "the mouse was moved to the left": a hand on a mouse (but "a mouse runs left")
                return
            self.emit("move", d, *m.span())
            c = F.CONTINUATION.match(self.low, m.end())  # "runs right then left", "goes left, then upwards"
            if c and self.free(m.end(), c.end()) and not self.relative_after(c.end()):
                d2 = F.normalise(c.group("d"))
                if d2 in ("left", "right", "up", "down") and d2 != d:
                    self.emit("move", d2, m.end() + c.start("d") - c.start(), c.end())

    def noun_after(self, pos: int) -> bool:
        """Whether the word right after ``pos`` is a noun that a side word before it describes ("the left
        window"): a thing word that is no verb form, adverb, preposition or function word."""
        nxt = re.match(r"\s+([a-z]+)\b(?!')", self.low[pos:pos + 30])
        if nxt is None or self.text[pos + nxt.start(1)].isupper():
            return False  # "runs to the right Tom": a name after the place
        w = nxt.group(1)
        return P.thing_noun(w) and not w.endswith(("ing", "ed", "ly")) and w not in L.MOTION_VERBS and \
            w not in L.FACING_VERBS and w not in P.NOT_BEFORE_A_VERB and w not in _WAYS and w not in L.NOT_A_NOUN_AFTER_A_SIDE

    def someone_in_the_picture_steps(self, m: _Hit, verb: str) -> bool:
        """Whether a request to come, go or move in, out, back or closer (``m``, its ``verb``) is for someone in
        the picture, not the camera: any request in a sentence that opens by making someone do things ("Make the
        man open the door and go out"), "Come in and hold the door" (but "Come in closer"), "Move closer to the
        desk", "Move back a bit while holding the jacket", "Move out from the window", "Move back to close the
        door", "Move in closer towards the clothes", "Move in with the bag"."""
        if _A_CAUSED_SENTENCE.match(self.low, self.sentence(m.start()).start):
            return True
        way, after = m.group("d"), m.end()
        if verb in _COME:
            return way == "in" and not _CLOSE.match(self.low, after)
        return verb in _MOVE and (
            _NEARER_A_THING.match(self.low, after) is not None or way in ("closer", "nearer")
            or way.startswith(("back", "out")) and _A_STEP_GOES_ON.match(self.low, after) is not None
            or _TO_DO_SOMETHING_THERE.match(self.low, after) is not None
            or way == "in" and _CLOSER_OR_CARRYING.match(self.low, after) is not None)

    def camera_by_default(self, pos: int, subject: str) -> bool:
        """Whether a verb with no subject of its own in its clause is the camera's: the sentence is
        about the camera and the last clause before it that names a subject does not name a thing
        ("The camera cuts to the car, where the man gets out, closes the door, and runs forward": the
        man runs). A clause opened by "as", "while", "when" ... keeps its subject to itself ("The camera
        moves back as the lid closes, then quickly descends": the camera descends), unless its own verbs go on
        with "and" ("... as the man rides down some steps and turns to the left": the man turns)."""
        s = self.sentence(pos)
        if not (s.camera and _no_subject(subject)):
            return False
        named = None
        bounds = [None, *_BOUNDARY.finditer(self.low, s.start, self.clause_start(pos))]
        for i, b in enumerate(bounds):
            after = bounds[i + 1] if i + 1 < len(bounds) else None
            if b is not None and b.group() in _SUBORDINATORS and not (after is not None and after.group() == "and"):
                continue  # (but "as the man rides down the steps and turns left": its verbs go on with "and")
            said = _CLAUSE_SUBJECT.match(self.low, s.start if b is None else b.end())
            if said and said.group("name") and not self.a_name(said.start("name"), said.group("name")):
                said = None
            named = said or named
        if named is None or named.group("who2") or named.group("name"):
            return named is None  # "he walks ..., then runs forward", "SpongeBob reached out ..., ran forward": theirs
        who = named.group("who")  # a noun of any kind ("a man with a red hat takes ...": the man's)
        camera = _CAMERA_WORD.search(self.low, named.start(), named.end()) if who is None or who in L.CAMERA_NOUNS else None
        shows = _SHOWS_A_THING.match(self.low, camera.end()) if camera else None
        if who in L.FRAME_NOUNS and _SHOWS_A_THING.match(self.low, named.end("who")):
            return False  # "The video shows a man ..., walking towards a grave": the man walks
        if shows and "follow" not in shows.group() and _PARTICIPLE.match(self.low, pos):
            # (but "The camera follows it, first moving downward": the camera moves as it follows)
            return False  # "The camera cuts to a puppy running forward, then tumbling and falling": the puppy's
        return who is None or who in P.FUNCTION_WORDS or who in L.FRAME_NOUNS or who in L.CAMERA_NOUNS

    def a_name(self, pos: int, word: str) -> bool:
        """Whether the word at ``pos`` is a name written with a capital ("SpongeBob reached out"), not a
        verb or a word that opens the sentence."""
        return self.text[pos:pos + 1].isupper() and word not in _SOME_VERBS and word not in P.FUNCTION_WORDS and \
            word not in L.CAMERA_NOUNS and word not in L.DETERMINERS and not word.endswith("ly")

    def clause_start(self, pos: int) -> int:
        s = self.sentence(pos)
        start = s.start
        for b in _BOUNDARY.finditer(self.low, s.start, pos):
            start = b.end()
        return start

    def about_the_camera(self, pos: int) -> bool:
        """Whether the clause around ``pos`` is about where the camera is or goes."""
        return self.sentence(pos).camera and bool(F.CAMERA_CLAUSE.search(self.low[self.clause_start(pos):pos]))

    def relative_after(self, end: int) -> bool:
        """Whether the direction that ends at ``end`` is relative to a thing ("left of the sofa")."""
        t = F.OF_TAIL.match(self.low, end)
        return bool(t) and t.group("noun") not in L.FRAME_NOUNS

    def tone_subject(self, pos: int) -> bool:
        """Whether a tone participle at ``pos`` is said of the whole picture: it opens its clause
        ("Brightening.", "Darkened, please") or follows a word for the picture ("the scene darkening")."""
        before = P.PREVIOUS_WORD.search(self.low, self.clause_start(pos), pos)
        while before is not None and before.group("w").endswith("ly"):  # "the image gradually darkening"
            before = P.PREVIOUS_WORD.search(self.low, self.clause_start(pos), before.start())
        return before is None or before.group("w") in L.GLOBAL_NOUNS

    def travels(self, pos: int, far: bool = False) -> bool:
        """Whether the clause before ``pos`` has a verb of travel and no verb that puts a thing there
        ("flies across the sky to the left", not "add a bird flying to the left" nor "walk up stairs
        to the far left", a place; but ``far`` places of the frame are goals: "moves to the far right
        of the screen")."""
        if not far and re.match(r"to\s+the\s+(?:very|far|extreme)\b", self.low[pos:pos + 25]):
            return False
        start = self.clause_start(pos)
        if _PASSES_A_THING.search(self.low, start, pos):
            return False  # "we pass a blue birdhouse to the right": where the thing passed stands
        words = P.WORD.findall(self.low, start, pos)
        then = re.search(r"[,;]?\s*(?:and\s+)?then\s+$", self.low[max(0, pos - 16):pos])
        if then and pos - len(then.group()) > self.sentence(pos).start and not [w for w in words if w not in ("and", "then")]:
            return self.travels(pos - len(then.group()))  # "runs to the right side corner, then to the middle": the same run
        verbs = [w for prev, w in zip(["", *words], words, strict=False) if prev not in _ARTICLES]  # "the back of someone": a noun
        return any(w in F.PATH_VERBS for w in verbs) and not any(w in L.EDIT_VERBS["add"] or w in _SWERVE for w in words)

    def facing(self, pos: int) -> bool:
        """Whether a verb of facing comes shortly before ``pos`` in its sentence ("turns his head slightly
        to the left, then back to the right")."""
        start = max(self.sentence(pos).start, pos - 60)
        last = None  # the verb nearest ``pos`` decides: "looks at the camera ... and then moves to the left" moves
        prev = ""
        for w in P.WORD.findall(self.low, start, pos):
            a_noun, prev = prev in ("a", "an", "the") and w in ("point", "points", "angle", "angles"), w
            if a_noun:
                continue  # "a point 10cm left of the bowl", "change the angle ... to the left": a noun, not a facing
            if w in L.FACING_VERBS:
                last = "facing"
            elif w in F.PATH_VERBS and w not in _HOMOGRAPHS:
                last = "travel"
        return last == "facing"

    # ------------------------------------------------------------------------- tone

    def tone(self) -> None:
        for m in self.scan(P.TONE_NOUN):
            inc = m.group("inc") is not None
            if m.group("light"):
                d = "brighter" if inc else "darker"
            elif m.group("sat"):
                d = "more_saturated" if inc else "less_saturated"
            else:
                d = "more_contrast" if inc else "less_contrast"
            self.emit("tone", d, *m.span())
        for pattern in (P.TONE_CHANGE_NOUN, P.TONE_MORE):
            for m in self.scan(pattern):
                inc = bool(m.group("inc") or m.groupdict().get("inc2"))
                for n in ("", "2"):
                    if m.groupdict().get("light" + n):
                        self.emit("tone", "brighter" if inc else "darker", *m.span())
                    elif m.groupdict().get("sat" + n):
                        self.emit("tone", "more_saturated" if inc else "less_saturated", *m.span())
                    elif m.groupdict().get("con" + n):
                        self.emit("tone", "more_contrast" if inc else "less_contrast", *m.span())
        for pattern in (P.TONE_MAKE, P.TONE_ADJECTIVE, P.TONE_STATED):
            for m in self.scan(pattern):
                if pattern is P.TONE_ADJECTIVE and _A_RANGE_NAMED.search(self.low, 0, m.start()):
                    self.take(*m.span())  # "push the darker tones into teal": a part of the tonal range, no change
                    continue
                cmp = m.group("cmp") or m.group("cmp2")
                self.emit("tone", L.TONE_COMPARATIVES[re.sub(r"[\s-]+", " ", cmp)], *m.span())
        for m in self.scan(P.TONE_VERB):
            obj = m.group("obj")
            if _PART_OF_THE_TONES.match(self.low, m.end()):
                continue  # "darken the dark tones", "lighten portions of an image": a part of the picture's tones
            if obj and obj not in L.GLOBAL_NOUNS:
                continue  # "lighten her hair": a thing's tone, not the picture's
            verb = m.group("verb")
            if not obj and verb.startswith(P.TONE_VERB_NEEDS_OBJECT):
                continue  # "illuminating with precision": no picture lit
            if verb.startswith(P.TONE_VERB_NEEDS_OBJECT) and (
                    re.match(r"[a-z]+s\b", verb) and self.subject(m.start())
                    or verb.endswith("ing") and not self.tone_subject(m.start())):
                continue  # "The sun illuminates the garden", "a full moon illuminating the scene": a light described
            if verb == "dim" and not obj and not _DIM_OBJECT.match(self.low, m.end("verb")):
                continue  # "the lighting is dim", "a dim room": the adjective, no change asked for
            if not obj and verb.split()[0].endswith(("ing", "ed")) and not self.tone_subject(m.start()):
                continue  # "a banana's peel darkening": a thing's tone changes, not the picture's
            d = next(v for k, v in P.TONE_VERB_WORD.items() if verb.startswith(k))
            self.emit("tone", d, *m.span())
        for m in self.scan(P.TONE_TOO):
            said_of = _SAID_OF.search(self.low, self.sentence(m.start()).start, m.start())
            if said_of and said_of.group("w") not in L.GLOBAL_NOUNS:
                continue  # "The background is too dark": a part of the picture described, no change asked
            self.emit("tone", "brighter" if m.group("w") in ("dark", "dim", "underexposed") else "darker", *m.span())
        for m in self.scan(P.TONE_FULL):
            self.emit("tone", {"saturation": "more_saturated", "brightness": "brighter",
                               "contrast": "more_contrast"}[m.group("w")], *m.span())
        for m in self.scan(P.MORE_LIGHT_IN) if "more" in self.words else ():
            self.emit("tone", "brighter", *m.span())
        # one global tone change said twice in a sentence ("too dark, improve exposure") is one fact
        seen: set[tuple[int, str | None]] = set()
        kept = []
        for st in sorted(self.found, key=lambda x: x.start):
            key = (self.sentence(st.start).start, st.direction)
            if st.kind == "tone" and key in seen:
                continue
            if st.kind == "tone":
                seen.add(key)
            kept.append(st)
        self.found = kept


def _sense(word: str, camera: bool) -> str:
    """The content's sense of turn: a camera rolling clockwise turns the picture counter-clockwise."""
    sense = L.SENSES.get(re.sub(r"[\s-]+", " ", word).replace("counter clockwise", "counter-clockwise")
                         .replace("anti clockwise", "anti-clockwise"), "clockwise")
    if sense not in ("clockwise", "counter-clockwise"):
        sense = "counter-clockwise" if "counter" in word or "anti" in word else "clockwise"
    if camera:
        return "clockwise" if sense == "counter-clockwise" else "counter-clockwise"
    return sense


def read(text: str) -> list[DirectionStatement]:
    """Every direction fact in ``text``, own sides and global tone included, in reading order."""
    return _Reader(text or "").run()


def find_statements(text: str) -> list[DirectionStatement]:
    """The direction statements the checker compares with measurements, in reading order.

    Camera readings win over object moves and positions on the same words; a person's or
    thing's own side ("her left hand") and global tone are left out (see :func:`read`).
    """
    return [s for s in _Reader(text or "", tone=False).run() if s.kind != "own_side"]


# every camera frame with the direction it implies (None: the frame's "d" group names it)
_CAMERA_FRAMES = [(needs, pattern, None) for needs, pattern in F.CAMERA_FRAMES] + F.IMPLIED_CAMERA_FRAMES
_THING_WORDS = ("truck", "track", "mirror")  # camera and mirror verbs that are also everyday things
# a camera that shows, films or records something: what it shows may be what moves
_SHOWING_FORMS = (r"shows|showed|showing|captures|captured|capturing|films|filmed|filming|records|recorded|recording|"
                  r"sees|saw|displays|displayed|follows|followed|following|"
                  # "The camera cuts to a woman crawling forward": she crawls
                  r"cuts\s+(?:back\s+)?to|cut\s+(?:back\s+)?to|switches\s+to|switched\s+to")
_PARTICIPLE = re.compile(r"[a-z]+ing\b")
_SHOWING = re.compile(rf"\b(?:{_SHOWING_FORMS})$")
_TO_SHOW_VERBS = r"(?:show|reveal|capture|film|record|display)"
_TO_SHOW = re.compile(rf"\s+(?:again\s+)?to\s+{_TO_SHOW_VERBS}\b")
_SHOWS_A_THING = re.compile(rf"\s+(?:[a-z]+ly\s+)?(?:{_SHOWING_FORMS}|[a-z]+(?:\s+again)?\s+to\s+{_TO_SHOW_VERBS})\s+[a-z]")
# ("the camera switched to show the boy getting up": what it shows moves)
_CAMERA_WORK = L.forms("record", "film", "shoot", "capture", "scan")  # "starts recording from left to right"
_DESCRIBED = re.compile(r"\b(?:that|which)\s+(?:is|are|was|were)\s+$")
_WAYS = {"left", "right", "up", "down", "forward", "forwards", "backward", "backwards", "back", "away", "side", "hand",
         "corner", "edge", "half", "part", "end", "now", "here", "there", "once", "twice"}
_ARTICLES = {"the", "a", "an", "his", "her", "their", "its", "my", "your", "our", "this", "that"}  # a noun follows
_SPIN_VERBS = L.forms("rotate", "spin", "twist", "swivel")  # turning in place, not a move (the camera's is a pan)
_POSTURE_VERBS = L.forms("lean", "tilt", "bend", "slant", "slope")  # "leaning to the left": how it stands
_HEADED = {"headed", "heading"}  # "headed towards the left", said of a train in a photo: its orientation
_DRAG = L.forms("drag")
_SWERVE = L.forms("swerve", "veer")  # "the car swerves to the left": its course turns
# geometry, no side: "forming a right angle", "a left-handed coordinate system", "the right-hand rule"
_GEOMETRY = re.compile(r"\bright[\s-]+(?:angle[sd]?|triangles?)\b|"
                       r"\b(?:left|right)[\s-]+hand(?:ed)?\s+(?:(?:cartesian\s+)?coordinate|rule|system)s?\b")
_CORNERS = {"corner", "corners", "edge", "edges"}
_CORNER_SIDE = re.compile(r"\b(?P<v>upper|lower|top|bottom)[\s-]+(?:left|right)\b")
_THE_OTHER_ONE = re.compile(rf"\s+(?:and|or|but)\s+(?:{L.alt(L.DETERMINERS)}\s+)?(?:[a-z]+\s+)?(?P<h>left|right)\s+one\b")
# a fact said not to hold, right before it: "not under", "nor on the left", "not located in the middle", "instead
# of the closer view"
_NEGATED = re.compile(r"\b(?:not|nor|never|no\s+longer|instead\s+of|rather\s+than)\s+(?:(?:the|a|an)\s+)?(?:(?:located|placed|positioned|sitting|standing|lying|"
                      r"hanging|mounted|found|seen|shown|visible|be|being|been|directly|exactly|right|just|even)\s+){0,2}$")
_APPROACH = re.compile(rf"\bapproach\s+{L.alt(L.DETERMINERS)}\s+[a-z]+")
_SWAYING = re.compile(r"\b(?:back\s+and\s+forth|to\s+and\s+fro|side\s+to\s+side)\s+$")
_OWN_SIDE_WORDS = re.compile(rf"\b{L.alt(L.POSSESSIVES)}\s+(?:left|right)\b|\b(?:left|right)(?=\s+{L.alt(L.BODY_PARTS)}\b)")
_RAISE = L.forms("raise", "wave", "lift")
_TAKE = L.forms("take")
_TOWARDS = re.compile(r"^\s*toward|\b(?:left|right)wards?$")  # a way said with "towards" or "-ward" (what "take" carries)
# "Make her move towards the left": after "make her", "let him", "have them", "move" is a verb, not "her move"
_MADE_TO = re.compile(r"\b(?:make|makes|made|let|lets|have|has|had|help|helps)\s+(?:her|him|them)\s+$")
# what follows "right-hand" when it is the hand's own: "two right-hand punches", "a left-hand glove"
_WHAT_A_HAND_DOES = {"punch", "punches", "glove", "gloves", "grip", "grips", "man", "side", "sides", "rule",
                     "drive", "traffic", "turn", "turns", "shot", "shots", "throw", "throws", "ring", "rings", "finger",
                     "fingers", "thumb", "palm", "wrist", "pocket", "pockets", "mitt", "mitten", "sleeve"}
# "Come in and hold the door": someone asked to enter (but "come in close" is the camera's)
_COME = L.forms("come")
_CLOSE = re.compile(r"\s+(?:close|closer|tight|tighter|nearer)\b")
# "Move in closer towards the clothes", "Move in with the bag": someone in the picture steps in
_CLOSER_OR_CARRYING = re.compile(r"\s+(?:closer|nearer|with)\b")
# the right hand written as one word, not before a noun ("the righthand image" is a side of the frame)
_RUN_TOGETHER_HAND = re.compile(r"\b(?P<h>left|right)hand(?=\s*(?:$|[.,;!?]|\s(?:up|down|towards?|toward|to|on|in|into|"
                                r"onto|and|with|over|under|above|below|from|off|out|while|then|at|near|by|behind|"
                                r"forwards?|back|backwards?|away|a|the|his|her|their)\b))")
# ways into or out of the picture's depth, with no side of their own ("moved their hand out and to the right")
_DEPTH_WAYS = {"out", "forward", "forwards", "back", "backward", "backwards", "away", "closer", "nearer"}
_ALL_THE_WAY = re.compile(r"\s+(?:up|down)\s+to\b")  # "raised the sandwich right up to her mouth"
# a thing in someone's hands, as the object of a verb ("it", "the snack pack", "her hands"), and the end of the
# place that follows it (the clause ends, or goes on with another verb)
_A_THING_HANDLED = r"(?:it|them|(?:the|his|her|their|its)(?:\s+[a-z]+){1,3}?)"
_THE_PLACE_ENDS = r"(?=\s*(?:$|[.,;!]|\s(?:and|while|then|with|so|to)\b))"
# a thing in hand kept or dropped at a bare side is moved there: "keep the shoe by the left side", "The person drops
# the pillow on the left"; so is one put or placed at a side, or set down there ("place the book at the right", "Put
# the bowl down on the left side", "has placed a dark object down on the right"; but a bare "place the perfume on the
# right" is where it is, "Keep the snack pack on the right cabinet" names a thing there, and "put a strawberry to the
# left" adds one at a place)
_KEPT_OR_DROPPED, _PUT_OR_PLACED = L.forms("keep", "drop"), L.forms("place", "put")
_SET_DOWN = _KEPT_OR_DROPPED | _PUT_OR_PLACED
_SET_DOWN_AT_A_SIDE = re.compile(rf"\b(?:{L.alt(_KEPT_OR_DROPPED)}\s+{_A_THING_HANDLED}\s+(?:down\s+)?(?:at|by|on)|"
                                 rf"{L.alt(_PUT_OR_PLACED)}\s+(?:{_A_THING_HANDLED}\s+(?:at|by|on(?=\s+the\s+(?:left|right)"
                                 rf"[\s-]+side\b))|(?:an?(?:\s+[a-z]+){{1,3}}?|{_A_THING_HANDLED})\s+down\s+(?:at|by|on)))\s+the\s+"
                                 rf"(?P<d>left|right)(?:[\s-]+(?:hand[\s-]+)?side)?{_THE_PLACE_ENDS}")
# "Take the clothes to the right side": carried to that side of the picture (but "take the road to the right" is
# a route, and "to the right side of the bed" is beside the bed)
_TAKEN_TO_A_SIDE = re.compile(rf"\b{L.alt(_TAKE)}\s+{_A_THING_HANDLED}\s+to\s+the\s+(?P<d>left|right)[\s-]+side\b(?!\s+of\b)")
# "Move her hands lower", "move the picture higher": a comparative height after the thing moved (but "to the
# lower door", "the lower shelf" name a thing, and "move them lower down the stack" is an order of layers)
_MOVED_LOWER_OR_HIGHER = re.compile(rf"\b{L.alt(L.forms('move', 'shift'))}\s+{_A_THING_HANDLED}\s+(?P<d>lower|higher)\b"
                                    r"(?!\s+(?:down|up|in|part|half|side|end|shelf|shelves|edge|corner|[a-z]+\s+of)\b)")
# "Move the book towards the center": it ends there; "hold it towards the center": held out (see moves)
_TOWARDS_THE_CENTRE = re.compile(rf"\btowards?\s+the\s+cent(?:er|re)\b{_THE_PLACE_ENDS}")
# a thing held or reached out one way is drawn there: "Hold the bag upward", "She extends her left arm downwards"
# (only with -ward: "hold the door open to the right", "reach the left side" name no way)
_HELD_OUT = L.forms("hold", "extend", "reach")
_A_WARD_ADVERB = re.compile(r"\b(?:up|down)wards?$")
_MOVEMENT = {"movement", "motion"}
_MOVEMENT_IS = re.compile(r"\b(?:movement|motion)\s+(?:of\s+(?:[a-z]+\s+){1,3})?(?:is|was|goes|went)\s+$")
_BACK_AGAIN = re.compile(r"\s+and\s+back(?:\s+again)?\b")
_CAUSATIVE = re.compile(r"(?:make|have|let|get)\s+(?:him|her|them|it|(?:the|a|this|that)\s+(?:[a-z]+\s+)?[a-z]+)")
# "Make the man open the door and go out": every request in the sentence is the man's, none the camera's
_A_CAUSED_SENTENCE = re.compile(rf"\s*(?:please\s+)?{_CAUSATIVE.pattern}\s+(?!(?:zoom|pan|tilt|dolly|move\s+the\s+camera)\b)")
_HELD_IN = re.compile(r"\bin\s+(?:his|her|their|its|one|both)\s+(?:left\s+|right\s+)?(?:hands?|arms?|mouth|fingers)\b")
_PERFECT = re.compile(r"\b(?:has|have|had)\s+$")
# owners whose side is the picture's with no word of a program around ("in the viewport's top-left corner"; a
# monitor's or an editor's side needs one, see placing._ON_A_SCREEN)
_SCREEN_OWNERS = {"viewport", "window", "screen", "page", "slide"}
# "in upper left hand side of screen", "in right-hand sidebar": a side, not a hand
_A_HAND_SIDE = re.compile(rf"[\s-]+{L.alt(P.UI_REGIONS | P.PROGRAM_SCREENS | {'side', 'corner', 'column', 'menu', 'box', 'list'})}\b")
# a camera's move that ends closer, said after it: "..., ending with a close-up of the door lock"
_ENDING = {"ending", "finishing", "settling"}
_ENDS_IN_A_CLOSE_UP = re.compile(r"(?:(?<=, )|(?<=,))(?:ending|finishing|settling)\s+(?:with|on|in)\s+(?:a|an)\s+(?:extreme\s+)?"
                                 r"close[\s-]?up\b")
_MOVE = L.forms("move")
# "Move closer to the wardrobe", "Move away from the red towel": someone in the picture steps to or from a thing
# (but "Get closer to the dog's face" asks the one holding the camera)
_NEARER_A_THING = re.compile(rf"(?<=closer|nearer)\s+(?:to(?:wards?)?|toward)\s+{L.alt(L.DETERMINERS)}\b|"
                             rf"(?:(?<=away)|(?<=back)|(?<=backward)|(?<=backwards))(?:\s+a\s+(?:little|bit)(?:\s+bit)?)?\s+from\s+"
                             rf"{L.alt(L.DETERMINERS)}\b")
_SIDE_PARTS = {"part", "side", "half", "door", "drawer", "wing", "panel"}
# the verbs whose object can be a side part of a thing: "opened up the left door of", "face the left side of"
_HANDLED_PART = re.compile(r"\b(?:open|opens|opened|opening|close|closes|closed|closing|shut|shuts|shutting|hold|holds|"
                           r"holding|held|make|face|faces|facing|(?:look|looks|looking|looked)\s+at)(?:\s+up)?\s+$")
_SIDE_PART_OF = re.compile(rf"\bthe\s+(?P<h>left|right)\s+{L.alt(_SIDE_PARTS)}\s+of\s+{L.alt(L.DETERMINERS)}\s+"
                           r"(?P<things>(?:[a-z]+\s+)?[a-z]+)\b")
_STEP_ASIDE = re.compile(r"\b(?:take|takes|took|taking)\s+(?:a|one|two|three|a\s+few|several)\s+(?:(?:small|big|little|"
                         r"quick|short|large)\s+)?steps?\s+(?:to(?:wards?)?|toward)\s+(?:the\s+)?(?P<d>left|right)\b"
                         r"(?!\s+(?:of|side\s+of)\b)")
_TURNED_PARTS = {"head", "face", "eyes", "gaze", "chin", "nose"}  # moved left or right, they turn
_THING_PREPOSITIONS = {"in", "on", "into", "onto", "from", "of", "off", "under", "inside"}
_HAND_OF = re.compile(r"(?:[\s-]+side)?\s+of\s+(?P<owner>(?:[a-z'-]+\s*){1,4})")
_STRAIGHT = re.compile(r"\b(?:straight|directly|vertically)\b")  # "going straight up": a way, not a particle
_ALONG_A_PATH = re.compile(r"\s+(?:the|this|that)\s+(?!(?:same|other)\b)[a-z]")  # "Move the man down the hall"
_PATH_PRONOUN = re.compile(r"\s+(?:it|them)\b")  # "about to ski down it"
# "walk down the stairs", "climbs up a ladder": up/down as a preposition of a path
# "walking up along a ridge", "slides down from the summit", "walks up from a slope"
# up or down the picture itself is a way in it ("the cards slide up the screen"), not a path like "down the hall"
_UP_THE_FRAME = re.compile(r"\s+(?:the\s+)?(?:screen|frame|page|picture|image|display|viewport)\b")
_PATH_AFTER = re.compile(r"\s+(?:along\s+|through\s+|from\s+)?(?:the|a|an|his|her|their|its|some|this|that|these|those)\b"
                         r"(?!\s+(?:bit|little|touch|tad)\b)")  # (but "Move up a bit": how far, no path)
# words between a turn verb and its sense that name no thing: "rotate it by 90 degrees clockwise"
_NOT_WHAT_TURNS = {"degrees", "degree", "deg", "it", "everything", "slightly", "slowly", "gently", "by", "about",
                   "around", "direction", "way", "angle", "bit", "little", "more", "turn", "turns", "half", "quarter",
                   "full", "then", "that", "which", "so", "also", "rotating", "rotates", "rotated", "rotate",
                   "spinning", "spins", "spin", "turning", "turned", "please", "whole", "entire"}
_RETURNS = re.compile(rf"\b{L.alt(L.forms('come', 'go', 'swing', 'turn'))}\s+back\b")
_BACK_TO_A_THING = re.compile(r"\s+(?:to|onto|on)\s+(?!(?:reveal|show|see|capture|display|frame|include|expose)\b)")
_PASSES_A_THING = re.compile(r"\b(?:pass|passes|passed|passing)\s+(?:a|an|the|some|two|three|several)\s")
_VIEWER_STEPS = ("get", "step", "come", "go", "pull", "back")
_TO_THE_VIEWER = L.forms("move", *_VIEWER_STEPS)
_LATER_REQUESTS = set(_VIEWER_STEPS)  # the bare verb later in a sentence: a request (not "move", see intransitive)
# "Move back towards the door", "Move forward towards the door": a trip towards a thing or a side
_ON_TOWARDS = re.compile(r"\s+towards?\b")
# a sentence that opens with a request ("Leave only four, ...", "Go up a bit and ...")
_REQUEST_OPENER = re.compile(r"\s*(?:please\s+)?(?:leave|keep|make|add|remove|change|replace|show|put|place|take|get|move|"
                             r"step|come|go|pull|back|walk|zoom|let|have|give|use|crop|include|focus|capture|shoot|stay)\b")
# "go back to the previous page" (but "pull back to a wide shot" is a zoom out)
_BACK_TO_A_PLACE = re.compile(r"\s+to\s+(?:the|a|an|your|my|our|this|that)\s+(?![a-z-]+\s+(?:shot|view|angle|framing)\b|"
                              r"(?:shot|view|angle|framing|wide|close)\b)[a-z]")
# verbs that are also nouns: "turns head to left", "his back up"
_HOMOGRAPHS = {"head", "heads", "back", "backs", "lower", "fall", "drop", "step", "steps", "point", "points", "slide",
               "roll", "draw", "lean", "run", "walk", "jump", "swing", "dive", "climb", "float", "crawl", "hop", "turn"}
_NOT_A_PATH = {"towards", "toward", "to", "into", "and", "then", "again", "slowly", "quickly", "here", "there"}
_POV = re.compile(r"\b(?:aerial|drone|pov|fpv|first[\s-]+person|point[\s-]+of[\s-]+view)\b")
# "Zoomed out view of a giraffe", "a zoomed out DSLR photo of a bunny" (a modifier or two before the noun)
_FRAMING_NOUN = re.compile(r"[\s-]+(?:(?!(?:on|in|to|at|of|the|a|an|into|onto|and|with|from|by)\b)[a-z0-9]+\s+){0,2}?"
                           r"(?:view|shot|photo|photograph|image|picture|version|perspective)\b")
_ASKS = re.compile(r"\b(?:make|give|show|change|convert|switch|turn|want|need|edit)\b")
# the thing a "too dark" is said of: "the background is too dark"
_SAID_OF = re.compile(r"(?P<w>[a-z]+)\s+(?:is|are|was|were|looks|look|seems|seem|appears|appear)\s+$")
_DIM_OBJECT = re.compile(r"\s+(?:down|it|everything|all|them)\b")


# a text told by someone in the scene ("I am sitting ...", "I just placed ..."), not a request ("I want ...")
_SITUATED = re.compile(r"\s*i\s+(?!(?:want|need|would|wish|like|think|hope|can|could|will|shall|should|must|'d|'ll)\b)"
                       r"(?:am|'m|was|just|have|had|[a-z]+ed|sat|stood|got|went|took|threw|shut|ma)\b")
# a text that opens by telling the listener what to do with their own hands or feet
_IMPERATIVE = re.compile(r"\s*(?:turn|walk|go|head|take|carry|pick|put|place|grab|open|close|step|face|bring|get|hold|"
                         r"veer|move|look|then)\b")
# an instruction to walk through a room: a clause that opens by telling the listener to turn, walk or step
_NAVIGATION = re.compile(r"(?:^|[.,;!]\s*|\b(?:and|then)\s+)(?:turn\s+(?:to\s+(?:the|your)\s+)?(?:left|right|around)|"
                         # (but "Close the door and walk to the left" asks someone in the picture to go there)
                         r"walk\s+(?:(?:to|toward|towards)(?!\s+the\s+(?:left|right)\b)|forward|straight|around|across|over|"
                         r"left|right|back|up|down|into)|"
                         # ("Walk to the right and go to the first cabinet": a route to a thing)
                         r"go\s+(?:straight|forward|left|right|to\s+the\s+(?!(?:left|right|cent(?:er|re)|middle)\b))|"
                         r"head\s+(?:to|toward|towards|left|right|straight)|"
                         r"take\s+a\s+step|veer\s+(?:left|right))\b")
_WAY_WORD = r"(?:left|right|up|down|in|out|top|bottom|sideways|forwards?|backwards?|clockwise|counter-?clockwise)"
_SLASHED_WAYS = re.compile(rf"\b{_WAY_WORD}(?:\s*/\s*{_WAY_WORD})+\b")
_BOTH_HANDS = re.compile(r"\b(?:both|alternating|alternate)\s+(?:the\s+|his\s+|her\s+|their\s+)?(?:left|right)\s+and\s+(?:left|right)\s+[a-z]+")
_THE_EGO = re.compile(r"\bthe\s+ego\b")
_MORE_OR_LESS = r"(?:increase|decrease|raise|lower|reduce|brighten|darken|lighten)"
_EITHER_WAY = re.compile(rf"\b{_MORE_OR_LESS}\s+or\s+{_MORE_OR_LESS}\b(?:\s+(?:the\s+)?[a-z]+)?|"
                         r"\bzoom(?:s|ed|ing)?\s+in\b[^.;:]{0,30}?\band\s+out\b|"  # "zooming in one step and out one step"
                         r"\btoo\s+(?:dark|light|bright|dim)\s+or\s+too\s+(?:dark|light|bright|dim)\b|"  # "too dark or too light"
                         r"\b(?:darker|lighter|brighter|dimmer)\s+(?:and|or)\s+(?:darker|lighter|brighter|dimmer)\b|"
                         # a zoom in and a zoom out in one sentence, each for its use: "zoom out to select large regions,
                         # zoom in to select smaller ones", "Scroll up to zoom in or scroll down to zoom out", "Ctrl+ to
                         # zoom in, or Ctrl- to zoom out"
                         r"\bzoom(?:s|ed|ing)?\s+(?P<w1>in|out)\b[^.;]{0,80}?\bzoom(?:s|ed|ing)?\s+(?!(?P=w1)\b)(?:in|out)\b|"
                         # "Zooming in will cause the rectangle to appear smaller and vice versa"
                         r"\bzoom(?:s|ed|ing)?\s+(?:in|out)\b[^.;]{0,80}?\band\s+vice\s+versa\b|"
                         # "Rotating an edge clockwise (CW) or counterclockwise (CCW)"
                         r"\b(?:counter-?|anti-?)?clockwise\b(?:\s*\([^)]{1,12}\))?\s+or\s+(?:counter-?|anti-?)?clockwise\b|"
                         # "to darken as well as lighten portions of an image"
                         r"\b(?:darken|lighten|brighten)(?:s|ed|ing)?\s+(?:or|and|as\s+well\s+as)\s+(?:darken|lighten|brighten)\w*")
_WHEN_ZOOMED = re.compile(r"\b(?:when|while|if|whenever)\s+(?:(?:it|the\s+[a-z]+)\s+is\s+)?zoomed\s+(?:in|out)\b")
_FLOATED = re.compile(r"\b(?:is|are|be|been|being|was|were|items?|elements?|boxes|box|images?|content)\s+"
                      r"(?P<v>floated)\s+(?:to\s+the\s+)?(?P<d>left|right)\b")
# a diagram's layout: "for commits to run from left to right", "a bar that extends from the left to the right"
_LAYOUT_ORDER = re.compile(r"\b(?:commits|edges|arrows|nodes|items|tasks|bars?|flows?|layout|timeline|graph|chart|diagram|text)\s+"
                           r"(?:[a-z]+\s+){0,2}?(?:runs?|flows?|goes|go|extends?|reads?)\s+from\s+(?:the\s+)?(?:left|right|top|bottom)"
                           r"\s+to\s+(?:the\s+)?(?:left|right|top|bottom)\b")
_WAY_OF_WRITING = re.compile(r"\b(?:languages?|scripts?|text|writing)\s+(?:that\s+)?(?:runs?|reads?|(?:is|are)\s+written)\s+"
                             r"(?:from\s+)?(?:left|right)[\s-]+to[\s-]+(?:left|right)\b|"
                             # "causes text to flow to the left from the cursor"
                             r"\btext\s+(?:to\s+)?flows?\s+(?:to\s+the\s+|from\s+)?(?:left|right)\b|"
                             r"\b(?:axis|axes)\s+(?:runs?|points?|goes|go|increases?)\s+(?:[a-z]+\s+)?(?:to\s+the\s+)?"
                             r"(?:left|right|up|down)(?:\s+and\s+(?:to\s+the\s+)?(?:left|right|up|down))?\b|"
                             # a graph's quantity: "height ... is shown increasing to the right"
                             r"\b(?:is|are)\s+shown\s+(?:increasing|decreasing)\s+(?:to\s+the\s+)?(?:left|right|upwards?|downwards?)\b")
# a tree of nodes: "created under the current root node", "drag it above the Sphere node": its order, no place
_IN_A_TREE = re.compile(r"\b(?:under|above|below|beneath)\s+(?:the|that|this|a|its|their)\s+(?:[a-z]+\s+){0,2}nodes?\b")
# an axis's way: "with the direction of x going towards the right, y going upwards", "x goes towards the right"
_AXIS_WAY = re.compile(r"\b[xyz](?:[\s-]+axis)?\s+(?:going|goes|go|points?|pointing|runs?|running|increases?|increasing)\s+"
                       rf"(?:towards?\s+the\s+|to\s+the\s+)?(?:{F.H}|{F.VM})\b")
# a diagram's axes: "with positive x to the right, and positive z up", "the positive y direction is upward"
_AXIS_SENSE = re.compile(r"\b(?:positive|negative)\s+[xyz](?:[\s-]+(?:axis|direction))?\s+(?:is\s+|points?\s+|pointing\s+)?"
                         rf"(?:vertically\s+|horizontally\s+)?(?:to\s+the\s+|toward\s+the\s+)?(?:{F.H}|{F.VM})\b")
_INDENTED = re.compile(r"\b(?:nested|indented|indents?|indenting)\b(?:\s+[a-z-]+){0,4}?\s+(?:to\s+the\s+|further\s+to\s+the\s+)?"
                       r"(?:left|right)\b")
# the order of stacked layers: "just above the top layer", "up one level in the layer stack", "to the top of the
# layer order", "Move layer up", "the topmost layers"
_LAYER_ORDER = re.compile(r"\b(?:above|below|under|underneath|beneath|over)\s+(?:the\s+|that\s+|this\s+|a\s+|those\s+|these\s+|"
                          r"their\s+|its\s+)?(?:[a-z]+\s+)?layers?\b(?!\s+(?:list|panel|dock|tab|menu|window|controls?)\b)|"
                          r"\b(?:up|down)\s+(?:one|a|\d+)\s+levels?\s+in\s+the\s+layer|"
                          r"\bto\s+(?:the\s+)?(?:top|bottom)\s+of\s+the\s+(?:layer|stack(?:ing)?)(?:\s+order)?\b|"
                          r"\blayers?\s+(?:to\s+)?(?:top|bottom|up|down)\b|\b(?:top|bottom)most\s+layers?\b|"
                          # a video editor's stacked tracks: "from the lower track to the upper track"
                          r"\b(?:upper|lower|topmost|bottommost)\s+(?:video\s+|audio\s+)?tracks?\b|"
                          # a map's data over its imagery: "data on top of a background", "beneath the map data"
                          r"\b(?:on\s+top\s+of|beneath|underneath)\s+(?:the\s+|a\s+)?(?:background(?:\s+imagery)?|imagery|"
                          r"map\s+data|overlays?)\b")
_UNDER_A_LICENCE = re.compile(r"\bunder\s+(?:the\s+|a\s+|an\s+)?(?:(?:terms|conditions)\b|(?:[a-z\d.-]+\s+){0,3}?"
                              r"(?:licen[cs]es?|lgpl|gpl|agpl|mit|apache|bsd|cc[\s-]by)\b)")
_PAGE_KEY = re.compile(r"\bpage\s+(?:up|down)\b")
_MENU_ITEM_CHOSEN = re.compile(r"\b(?:choose|select|selecting|selects|click|clicking|press|pick)\s+(?:on\s+)?(?:the\s+)?\*[^*\n]{1,40}\*"
                               r"(?:\s+or\s+\*[^*\n]{1,40}\*)?")
_BUILT_ON_TOP = re.compile(r"\b(?:(?:built|based|layered|implemented)\s+|features\s+)on\s+top\s+of\b")
# a name in bold, each word capitalised, that holds a direction word: a command, a menu item or a setting's value
_BOLD_LABEL = re.compile(r"\*\*(?=[^*\n]*\b(?:Left|Right|Top|Bottom|Up|Down|Center|Centre|Middle|Horizontally|Vertically|In|Out)\b)"
                         r"(?:[A-Z][\w-]*:?\s+|[\u2192>\u00bb]\s+){0,8}[A-Z][\w-]*\*\*")  # ("**View → Zoom In**": a menu path)
_QUOTED_LABEL = re.compile(r"[\"\u201c](?=[^\"\u201d\n]*\b(?:Left|Right|Top|Bottom|Up|Down|Center|Centre|Middle|Horizontally|"
                           r"Vertically|In|Out)\b)"
                           r"(?:[A-Z][\w-]*:?\s+){0,6}[A-Z][\w-]*[\"\u201d]")
_PART_OF_THE_TONES = re.compile(r"\s*(?:[a-z]+\s+)?(?:tones|areas|parts|portions|regions|shadows|highlights|midtones)\b")
# a part of the tonal range: "put a point in the lower midtones", "the skin tones are in the upper mids"
_TONAL_RANGE = re.compile(r"\b(?:upper|lower|top|bottom)\s+(?:mid[\s-]?tones?|mids|highs|lows|tones|shadows|highlights|"
                          r"quarter[\s-]?tones?)\b|\b(?:upper|lower)\s+mids?\b")
_AND_THE_OTHER_AXIS = re.compile(r"\s+and\s+(?:then\s+)?(?:to\s+the\s+)?(?P<d>left|right|up|down)\b(?!\s+(?:of|the|this|that)\b)")
# "Move back a bit while holding the jacket", "Move back and close the door": someone in the picture steps back
# (a bare "Move backward." is the viewer's)
_A_STEP_GOES_ON = re.compile(r"\s+(?:a\s+bit|a\s+little|and|while|from|towards?)\b")
# "Move forward a bit to extend the left hand", "Move back to close the door", "Move out and leave the door
# open": someone in the picture steps there to do something (but "move forward and pan left" is the camera's)
_TO_DO_SOMETHING_THERE = re.compile(r"\s+(?:a\s+bit\s+|a\s+little\s+)?(?:to\s+(?!(?:the|a|an|reveal|show|frame|see|capture)\b)[a-z]+|"
                                    r"and\s+(?!(?:then|pan|tilt|zoom|dolly|truck|track|rotate|orbit|move|look|reveal|"
                                    r"show|frame|focus|capture|get|push|pull)\w*\b)[a-z]+)\b")
_A_RANGE_NAMED = re.compile(r"\b(?:the|these|those|to|into)\s+$")
# code to be typed ("Try setting `top: 0; left: 0;`"); reStructuredText's double backticks are one span, not
# two with the prose between them (a direction constant said as the word is read before: _DIRECTION_CONSTANT)
_CODE_SPAN = re.compile(r"(?P<q>``?)[^`\n]+(?P=q)")
_EITHER_SIDE = re.compile(r"\b(?:(?:to\s+|on\s+|around\s+)?the\s+)?(?:left|right)(?:\s+of)?\s*,?\s+or\s+(?:to\s+the\s+|the\s+)?(?:left|right)\b"
                          r"(?:\s+(?:side|edge)s?)?(?:\s+of\b)?")
_SIDE_WORD = r"(?:left|right|top|bottom|up|down)"
_ANY_SIDE = re.compile(rf"\b(?:to\s+|on\s+|at\s+)?(?:the\s+)?{_SIDE_WORD}(?:\s*,\s*(?:the\s+)?{_SIDE_WORD}){{1,3}}\s*,?\s+(?:or|and)\s+"
                       rf"(?:the\s+)?{_SIDE_WORD}\b(?:\s+(?:side|edge)s?)?(?:\s+of\b)?")
_RELATIVE_TO_AN_EDGE = re.compile(r"\brelative\s+to\s+(?:the\s+)?(?:left|right|top|bottom)(?:\s+(?:edge|side|corner))?\b")
_IT_IS_RIGHT = re.compile(r"\bit's\s+right(?=\s+(?:outside|inside|next|there|here|above|below|behind|beside|under|in|on|at|"
                          r"by|before|after|where|now)\b)")  # (but "on it's right", "it's right arm": its)
_TOP_DOWN_VIEW = re.compile(r"\btop[\s-]+down(?=\s+(?:view|views|shot|perspective|diagram|angle|image|photo|camera|map|"
                            r"projection|drawing)\b)")
_PACE = re.compile(r"\b(?:speed(?:s|ed|ing)?|sped|slow(?:s|ed|ing)?)\s+(?:it\s+|them\s+|things\s+)?(?:up|down)\b")
# a quantity: "loads in under five seconds", "over 20 pixels"
_UNDER_A_QUANTITY = re.compile(r"\b(?:under|over|above|below)\s+(?:\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|"
                               r"a\s+few)\s+(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?|percent|ms|milliseconds?|"
                               r"pixels?|px|dp|mb|gb|kb|meters?|metres?|feet|inches)\b")
_ABOUT_A_NUMBER = re.compile(r"\b(?:above|below|under|over)\s+(?:about|around|roughly|approximately|nearly|almost)\s+\d")
# (but "click on option below 50" is below a number shown on a screen)
_OVER_A_NUMBER = re.compile(r"\b(?:values?|numbers?|scores?|anything|settings?)\s+(?:above|below|under|over)\s+-?\d")
# a distance from the middle: "sits on the edge of the seesaw three meters from the center"
_FROM_THE_MIDDLE = re.compile(r"\b(?:\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|a\s+few)\s+"
                              r"(?:[a-z]+\s+)?from\s+the\s+(?:cent(?:er|re)|middle)\b")
# the reader's own document: "a link at the bottom of this guide" (not "this page", which may be the picture)
_IN_THIS_TEXT = re.compile(r"\b(?:top|bottom|end|beginning)\s+of\s+this\s+(?:guide|article|document|tutorial|section|post|"
                           r"chapter|manual|readme)\b")
# a sound's side: "Left and Right channels", "the right channel" (stereo, no place)
_SOUND_CHANNEL = re.compile(r"\b(?:left|right)(?:\s+(?:and|or|&)\s+(?:left|right))?\s+(?:audio\s+|stereo\s+)?channels?\b")
_TOP_OF_A_VOICE = re.compile(r"\bat\s+the\s+top\s+of\s+(?:his|her|their|my|your|its|the)\s+(?:voice|lungs)\b")  # loudly
_CENTER_OF_MASS = re.compile(r"\bcent(?:er|re)\s+of\s+(?:gravity|mass|rotation|coordinates|focus|attention)\b|"
                             r"\bcent(?:er|re)[\s-]+points?\b|"  # "assigning a centre point": a point of a shape
                             r"\b(?:middle|cent(?:er|re))\s+of\s+(?:the|its|their)\s+(?:range|scale|spectrum)\b")  # a value
# a pointer's spot and a key held: "as you hover over a target entity", "press the Shift key down"
_HOVER_OR_KEY = re.compile(r"\b(?:(?:you|when|while|by|after|before)\s+hover(?:s|ed|ing)?|hover(?:s|ed|ing)?\s+(?:the|your)\s+"
                           r"(?:mouse|cursor|pointer))\s+over\b|\bkeys?\*{0,2}\s+down\b")  # (but "a drone hovering over the house")
# a place in a file's text: "the import statement at the top of the file", "add this to the bottom of your script"
_IN_A_FILE = re.compile(r"\b(?:top|bottom|end|beginning)\s+of\s+(?:the|your|this|each|a)\s+(?:[a-z_.]+\s+)?"
                        r"(?:file|script|module|code|program)s?\b")
_THE_ABOVE = re.compile(r"\b(?:the|this|these)\s+(?:above|below)\b(?=\s+[a-z])|"
                        # "The table below summarises ...", "the example above" (but "the image above the sofa")
                        r"\b(?:the|this|these)\s+(?:[a-z]+\s+)?(?:tables?|examples?|figures?|code|lists?|diagrams?|snippets?|"
                        r"screenshots?|steps|sections?|commands?|output|paragraphs?)\s+(?:below|above)\b"
                        r"(?!\s+(?:the|a|an|his|her|its|their|this|that)\b)")
_BACK_TO_A_SIDE = re.compile(r"\bwith\s+(?:his|her|their|its|the)\s+backs?\s+(?:turned\s+)?to(?:wards?)?\s+(?:the\s+)?"
                             r"(?:left|right)\b")
_RIGHT_OF_WAY = re.compile(r"\bright\s+of\s+(?:the\s+)?way\b")
# "right-click on it", "hold down the left mouse button", "Left Mouse Button Click": a button of the mouse used,
# no place (but "Change the material of the left mouse button" is the mouse's own side, in a picture of it)
_MOUSE_BUTTON = re.compile(r"\b(?:left|right)[\s-]?(?:double[\s-]?)?click(?:s|ed|ing)?\b|"
                           r"(?<!\bof\sthe\s)\b(?:left|right)(?:\s+and\s+(?:left|right))?\s+mouse\s+buttons?\b")
# a quoted text to be written (on a slide, a sign, a page), after the word that says so
_LITERAL_TEXT = re.compile(r"\b(?:text|texts|content|contents|title|titles|caption|captions|word|words|saying|says|reads|"
                           r"label|heading|subtitle|slogan|phrase|message|quote)\s*:?\s*(?P<q>\"[^\"]{3,}\"|\u201c[^\u201d]{3,}\u201d)")
_SECOND_AXIS = re.compile(r"[\s-]+(?:top|bottom|upper|lower)\b")
# "to the right (side) of ...", "to the left top (corner) of ..."
_PART_NOUN = re.compile(r"(?:[\s-]+(?:top|bottom|upper|lower|left|right))?(?:[\s-]+(?:side|half|edge|corner|part|end))?")
# words that state no direction, set aside before any rule runs: (a mark the text must hold, the pattern,
# the group to set aside)
_SET_ASIDE = (
    # (marks: a word the text must hold, or any other mark it must contain; pattern; group taken)
    (('"', "\u201c"), _LITERAL_TEXT, "q"),  # 'Insert the content "... falls under the Ministry ..."': words to be written
    (("/",), _SLASHED_WAYS, 0),  # "Zoom the view in/out": either way
    (("`",), _CODE_SPAN, 0),  # "Try setting `top: 0; left: 0;`": code to be typed, no place
    (("click", "clicks", "clicked", "clicking", "rightclick", "leftclick", "mouse"), _MOUSE_BUTTON, 0),  # "right-click on it"
    (("both", "alternating", "alternate"), _BOTH_HANDS, 0),  # "using both right and left hands", "with alternating
    # left and right feet": neither side
    (("way",), _RIGHT_OF_WAY, 0),  # "has the right of the way": a priority
    (("or", "and", "as", "zoom", "zoomed", "zooms", "zooming"), _EITHER_WAY, 0),
    (("page",), _PAGE_KEY, 0),  # "press Shift+Page Up": a key
    (("choose", "select", "selecting", "selects", "click", "clicking", "press", "pick"), _MENU_ITEM_CHOSEN, 0),
    # "choose *Move Left* or *Move Right*": a menu item's name  # "increase or decrease the saturation", "Scroll up to zoom in or scroll down
    # to zoom out", "To zoom in, click ..., and to zoom out click ...": either way, a control described
    (("or",), _EITHER_SIDE, 0),  # "wrapping around the left or right of it", "shifted to the left, or right"
    (("or", "and"), _ANY_SIDE, 0),  # "move the region to the left, right, bottom, or top of the editor", "can
    # be moved left, right, up and down": any of them
    (("zoomed",), _WHEN_ZOOMED, 0),  # "Smooth images when zoomed out": a state it may be in, no change
    (("above", "below"), _THE_ABOVE, 0),  # "In the above figure", "in the below image", "The table below
    # summarises": the one shown before or after
    (("value", "values", "number", "numbers", "score", "scores", "anything", "setting", "settings"), _OVER_A_NUMBER, 0),
    # "Values above 1.0 are not allowed": a value
    (("center", "centre", "middle"), _FROM_THE_MIDDLE, 0),  # "five meters from the center": a distance, no place
    (("center", "centre", "middle"), _CENTER_OF_MASS, 0),  # "The center of gravity is ...": a point of physics, no place
    (("hover", "hovers", "hovered", "hovering", "key", "keys"), _HOVER_OR_KEY, 0),  # "as you hover over a target"
    (("file", "files", "script", "scripts", "module", "modules", "code", "program", "programs"), _IN_A_FILE, 0),  # "at the top of the file": a line
    (("speed", "speeds", "sped", "speeding", "slow", "slows", "slowed", "slowing"), _PACE, 0),  # "the animation will
    # speed up or slow down": faster or slower, no way
    (("about", "around", "roughly", "approximately", "nearly", "almost"), _ABOUT_A_NUMBER, 0),  # "below about 35": a value
    (("under", "over", "above", "below"), _UNDER_A_QUANTITY, 0),  # "in under five seconds": a quantity
    (("top",), _TOP_DOWN_VIEW, 0),  # "the top down diagram", "a top-down view": seen from above, no place
    (("upper", "lower", "top", "bottom"), _TONAL_RANGE, 0),  # "in the lower midtones": a part of the tonal range
    (("voice", "lungs"), _TOP_OF_A_VOICE, 0),  # "shouts at the top of his voice": loudly, no place
    (("channel", "channels"), _SOUND_CHANNEL, 0),  # "Left and Right channels": a stereo side, no place
    (("this",), _IN_THIS_TEXT, 0),  # "at the bottom of this guide": the text being read, no picture
    (("it's",), _IT_IS_RIGHT, 0),  # "so it's right outside the camera's view": "it is right", no side
    (("nested", "indented", "indent", "indents", "indenting"), _INDENTED, 0),  # "a bulleted item nested one level to
    # the right": how far a line is indented, a text format
    (("run", "runs", "read", "reads", "written", "point", "points", "go", "goes", "flow", "flows", "increase", "increases", "increasing",
      "decreasing"),
     _WAY_OF_WRITING, 0),  # "languages that run left to right", "the axes run across to the right": a way of writing
    (("relative",), _RELATIVE_TO_AN_EDGE, 0),  # "the X coordinate relative to the left edge": a reference, no place
    (("run", "runs", "flow", "flows", "go", "goes", "extend", "extends", "read", "reads"), _LAYOUT_ORDER, 0),  # a
    # diagram's layout: "commits run from left to right"
    (("positive", "negative"), _AXIS_SENSE, 0),  # "positive y to the right": an axis of a diagram, no place
    (("x", "y", "z"), _AXIS_WAY, 0),  # "x going towards the right": an axis, no move
    (("node", "nodes"), _IN_A_TREE, 0),  # "the new node will be created under the current root node": a tree
    (("back", "backs"), _BACK_TO_A_SIDE, 0),  # "With their back to the right, they face left": which way they face
    (("layer", "layers", "track", "tracks", "background", "imagery", "data", "overlay", "overlays"), _LAYER_ORDER, 0),
    # "Move layer up", "just above the top layer", "from the lower track to the upper track": a stacking order
    (("under",), _UNDER_A_LICENCE, 0),  # "released under the LGPL": terms, no place
    (("top",), _BUILT_ON_TOP, 0),  # "Slidev is built on top of Vite", "adds a few features on top of CommonMark"
)
# a word mark must be a word of the text ("or", not the "or" of "color"); other marks may be anywhere
_SET_ASIDE_MARKS = [(frozenset(m for m in marks if m.isalpha()), tuple(m for m in marks if not m.isalpha()), pattern, group)
                    for marks, pattern, group in _SET_ASIDE]
_LOOKS_LIKE = re.compile(r"\blooks?\s+like\b")
# a text addressed to someone walking a street: the listener placed among things, or the street's own ways
_WALKER = re.compile(r"\b(?:(?:orient|turn|position|place)\s+yourself|(?:in\s+front|ahead)\s+of\s+you|behind\s+you|"
                     r"(?:to|on)\s+your?\s+(?:left|right)|"
                     r"you(?:'ll|\s+will|\s+should|\s+want\s+to)\s+(?:reach|pass|come|see|have|arrive|approach|notice|find|be|"
                     r"head|go|walk|turn)|as\s+you\s+(?:proceed|go|walk|continue|head|pass|approach)|"
                     r"^\s*(?:stop|proceed|continue\s+(?:along|down|straight|forward|past|through))\b|"
                     r"(?:next|first|second|third)\s+(?:[a-z\d]+-way\s+)?(?:intersection|light|corner|block)|"
                     # a driving scenario told from the car under test ("forcing the ego to move right")
                     r"the\s+ego(?:\s+(?:vehicle|car))?|hero\s+vehicle|"
                     r"(?:follow|with)\s+(?:the\s+)?(?:flow\s+of\s+)?traffic)\b")
# verbs with a vertical way of their own: "lift the box upwards" names no extra direction
_VERTICAL_ON_ITS_OWN = L.forms("lift", "raise", "lower", "rise", "drop", "fall", "sink", "climb", "pick", "hang")
# a clause that opens with its subject and verb: "the camera pans", "where the man quickly gets out", "he
# walks"; after "as", "while", "when" ... the subject is the clause's own (see camera_by_default)
_SOME_VERBS = L.MOTION_VERBS | F.PATH_VERBS | L.FACING_VERBS | L.HANDLING_VERBS | L.forms(
    "open", "close", "stand", "sit", "hand", "give", "play", "talk", "say", "watch", "reach", "hold", "wave", "fight")
_CLAUSE_SUBJECT = re.compile(rf"\s*(?:(?:where|who|which|that|then)\s+)?(?:(?:the\s+|a\s+)?(?:{F.CAMERA_NOUN})|"
                             r"(?:the|a|an|his|her|their|its|this|that)\s+(?:[a-z'-]+\s+){0,5}?(?P<who>[a-z'-]+)|"
                             r"(?P<who2>he|she|they)|(?P<name>[a-z][a-z'-]*))\s+(?:[a-z]+ly\s+)?(?:is\s+|are\s+)?"
                             rf"(?:[a-z]+(?:s|ed)|{L.alt(_SOME_VERBS)})\b")
_SUBORDINATORS = {"while", "whilst", "as", "when", "until", "before", "after", "since", "once"}
# the camera as the clause's subject, also through a relative clause ("a drone shot that slowly descends")
_CAMERA_LAST = re.compile(rf"\b(?:{F.CAMERA_NOUN})$|\b(?:{F.CAMERA_NOUN}|shot|view)\s+(?:that|which)$")
_CAMERA_AS_OBJECT = re.compile(r"\b(?:holding|holds|held|carrying|carries|using|uses|with|of|at|behind|toward|towards|"
                               r"into|facing|faces|past)\s+(?:[a-z]+\s+)?$")
_GERUND_LEADS = {"by", "into", "with", "in", "on", "through", "a", "an"}


def _shown_moving(body: str, said: re.Match[str]) -> bool:
    """Whether the camera's verb shows a thing that moves in the same clause ("the camera shows a tank
    drive down a hill and turns left"): the sentence's later moves are that thing's. ("The drone
    captures the city, moving forward" is the camera's own move.)"""
    rest = body[said.end():]
    to_show = _TO_SHOW.match(rest)  # "the camera switched to show the boy getting up"
    if to_show:
        rest = rest[to_show.end():]
    elif not _SHOWING.search(said.group()):
        return False
    shown = re.match(r"[^,;:.]*", rest).group()  # type: ignore[union-attr]
    return any(w in F.PATH_VERBS for w in P.WORD.findall(shown)[:8])


def _camera_subject(subject: str) -> bool:
    """Whether a clause's subject words name the camera: "the drone camera", but not "woman holding
    camera" nor "the twins cross in front of the camera" (there the camera is an object), nor "the
    camera shows the group walking" (there what it shows moves)."""
    m = _CAMERA_WORD.search(subject)
    return m is not None and not _CAMERA_AS_OBJECT.search(subject, 0, m.start()) and \
        not _SHOWS_A_THING.match(subject, m.end())


def _no_subject(subject: str) -> bool:
    """Whether a clause has no subject of its own: nothing, or only a gerund and its lead-in ("by
    continuously moving backward", "smoothly incorporating an upward movement")."""
    return all(w.endswith("ing") or w in _GERUND_LEADS for w in subject.split())
