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
   frame position;
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
from .statement import DirectionStatement

_SENTENCE_END = re.compile(r"(?<!\d)[.!?;]+(?!\d)|\n+")
_BOUNDARY = re.compile(r"[,;:()]|\b(?:while|whilst|and|then|before|after|as|when|until|but|so|with|once|since|"
                       r"initially|first|finally|simultaneously)\b")
_ADVERBS = re.compile(r"\b(?:[a-z]+ly|also|then|now|just|still|again|slowly|smoothly)\b")
_CAMERA_WORD = re.compile(rf"\b(?:{F.CAMERA_NOUN}|view)\b")
_IT = re.compile(r"^\s*(?:it|it\s+then)\s*$")
_NEXT_WORD = re.compile(r"(?:[\s-]+side)?[\s-]+(?P<w>[a-z][a-z'-]*)")
_WORD = re.compile(r"[a-z]+")
# words without which a rule cannot match: a rule runs only when the text has one of them (speed)
_SIDES = {"left", "right", "leftward", "leftwards", "rightward", "rightwards"}
_NEEDS_OWN = _SIDES
_NEEDS_MIRROR = {w for w in L.MIRROR_VERBS} | {"horizontal", "horizontally", "vertical", "vertically", "mirror"}
_NEEDS_SENSE = {"clockwise", "counterclockwise", "anticlockwise", "counter", "anti", "ccw", "cw"}
_NEEDS_MOTION = _SIDES | {"up", "down", "upward", "upwards", "downward", "downwards", "forward", "forwards", "backward",
                          "backwards", "back", "away", "ahead", "closer", "nearer", "in", "out", "inward", "inwards",
                          "outward", "outwards", "toward", "towards", "top", "bottom", "upper", "lower", "farther",
                          "further"}
_NEEDS_CAMERA_MOTION = set(L.VERTICAL_VERBS) | {"movement", "motion", "move", "drift", "shift", "translation",
                                              "glide", "travel"}
_DRONE_OR_CAMERA = {"camera", "drone", "shot", "view"}  # a camera named as a verb's subject: "a drone shot that descends"
_NEEDS_PLACE = _SIDES | {"top", "bottom", "upper", "lower", "middle", "center", "centre", "leftmost", "rightmost",
                         "topmost", "bottommost", "above", "below", "under", "underneath", "beneath", "atop", "over"}
_NEEDS_TONE = {w for p in (L.INCREASE_VERBS, L.DECREASE_VERBS) for w in p if " " not in w} | {
    "brighten", "brightens", "brightened", "brightening", "lighten", "lightens", "lightened", "lightening", "darken",
    "darkens", "darkened", "darkening", "dim", "dims", "dimmed", "dimming", "warm", "warms", "warmed", "warming",
    "cool", "cools", "cooled", "cooling", "too", "full", "maximum", "max", "desaturate", "desaturated",
    "desaturating", "desaturates", "make", "makes", "making", "made", "render", "renders", "get", "turn", "let",
    "have", "saturation", "illuminate", "illuminates", "illuminated", "illuminating", "light", "lights", "lighted",
    "lighting"} | {w.split()[-1] for w in L.TONE_COMPARATIVES}
_VERTICAL_RELATION_WORDS = {"above", "below", "under", "underneath", "beneath", "atop"}
_PREVIOUS_WORD = re.compile(r"(?P<w>[a-z']+)[\s-]+$")
_NOT_BEFORE_A_VERB = L.DETERMINERS | {"of", "on", "at", "in", "to", "into", "onto", "from", "by", "near", "upper"}
_AND_PLACE = re.compile(r"\s+(?:and|or|&)\s+(?:the\s+|in\s+the\s+)?(?:(?P<v>top|bottom|upper|lower)[\s-]+)?"
                        r"(?P<h>left|right|center|centre|middle)\b(?![\s-]+(?!(?:sides?|corners?)\b)[a-z])")
# a request phrased as a question states what it asks for ("Can you make the image brighter?")
_REQUEST = re.compile(r"\s*(?:please[\s,]+)?(?:(?:can|could|would|will)\s+(?:you|u|we|it\s+be|there\s+be)(?:\s+please)?|"
                      r"what\s+if|"
                      r"(?:is|would)\s+it\s+(?:be\s+)?possible\s+to|(?:would|do)\s+you\s+mind)\b")
_ON_A_THING_AFTER = re.compile(r"\s+(?:on|atop)\s+(?:a|an|the)\s+[a-z]")
# the way back after a path: "from right to left and (from) left to right"
_AND_BACK = re.compile(r"\s+(?:and|or|&)\s+(?:then\s+)?(?:from\s+)?(?:the\s+)?(?P<a>left|right|top|bottom)\s+to\s+(?:the\s+)?"
                       r"(?P<b>left|right|top|bottom)\b")
_BOTH_WAYS = re.compile(r"\s+(?:and|or|&)\s+(?:forth|(?P<back>back)(?!\s+and\s+forth)|down|up|left|right|out|in)\b")


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


class _Reader:
    def __init__(self, text: str, tone: bool = True) -> None:
        self.with_tone = tone
        self.text = text
        self.low = L.fold(text)
        self.sentences = _sentences(self.low)
        self.starts = [s.start for s in self.sentences]
        self.found: list[DirectionStatement] = []
        self.taken: list[tuple[int, int]] = []
        self.tokens = [(w.group(), w.start(), w.end()) for w in _WORD.finditer(self.low)]
        self.words = {w for w, _, _ in self.tokens}
        # a text that follows a camera move describes the scene it films: where things stand in it
        # relative to each other ("a village beneath the peaks") is the scene's layout, not a fact asked for
        self.scene_text = any(s.camera for s in self.sentences)
        # "I am washing the sink on the left": a narrator standing in the scene; a side with no owner is
        # where things are around them, and there is no picture whose side it could be
        self.situated = _SITUATED.match(self.low) is not None

    # ------------------------------------------------------------------ bookkeeping

    def free(self, a: int, b: int) -> bool:
        return not any(a < e and s < b for s, e in self.taken)

    def take(self, a: int, b: int) -> None:
        self.taken.append((a, b))

    def emit(self, kind: str, direction: str | None, a: int, b: int, vertical: str | None = None,
             convention: str | None = None) -> None:
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
        if (self.scene_text or w & _DRONE_OR_CAMERA) and w & _NEEDS_CAMERA_MOTION:
            self.camera_without_a_camera_verb()
        if w & _NEEDS_PLACE:
            self.positions()
        if self.with_tone and w & _NEEDS_TONE:
            self.tone()
        self.found.sort(key=lambda st: st.start)
        return self.found

    def own_sides(self) -> None:
        for m in self.scan(P.OWN_POSSESSIVE):
            owner = m.group("owner").removesuffix("'s").removesuffix("'")
            h = m.group("h")
            after = re.match(r"\s+(?P<w>[a-z]+)", self.low[m.end():m.end() + 20])
            if h == "right" and after and after.group("w") in L.CORRECT_NOUNS:
                self.take(*m.span())  # "got their right order": the correct one
                continue
            if owner in L.VIEWER_NOUNS and not (after and after.group("w") in L.BODY_PARTS):
                if self.facing(m.start()):
                    self.take(*m.span())  # "facing viewer's right": a facing
                else:
                    self.emit("position", h, *m.span())  # "on the viewer's left": the frame's left
            elif owner in L.FRAME_NOUNS:
                self.emit("position", h, *m.span())
            elif owner in L.PLACE_NOUNS:
                self.emit("relative", h, *m.span())
            else:
                self.emit("own_side", h, *m.span())
        for m in self.scan(P.OWN_BODY_PART):
            if m.group("part") in L.WORN_IN_PAIRS and not self.words & L.WEARER_WORDS:
                continue  # "the left shoe" of a picture of shoes: a frame position, read with the adjectives
            if m.group("part") == "hand" and re.match(r"[\s-]+(?:side|corner)\b", self.low[m.end():m.end() + 10]):
                continue  # "in upper left hand side of screen": a side, read with the places
            of = _HAND_OF.match(self.low, m.end()) if m.group("part") == "hand" else None
            if of and not set(of.group("owner").split()) & L.WEARER_WORDS and \
                    re.search(r"\b(?:on|to|at)\s+the\s+$", self.low[max(0, m.start() - 12):m.start()]):
                continue  # "on the right hand of the towel" (not "of the man"): the towel's right side
            self.emit("own_side", m.group("h"), *m.span())

    def mirrors(self) -> None:
        for m in self.scan(F.FLIP_V):
            self.emit("flip_vertical", None, *m.span())
        for m in self.scan(F.MIRROR):
            if self.noun_before(m.start()):
                continue  # "add a mirror frame": a thing
            self.emit("mirror", None, *m.span())

    def camera_verbs(self) -> None:
        for needs, pattern, implied in _CAMERA_FRAMES:
            if not self.words & needs:
                continue
            for m in self.scan(pattern):
                if self.noun_before(m.start()) or self.cookware(m.start()):
                    continue  # "a truck left of a refrigerator", "lift the frying pan up": a thing, not a move
                if self.low.startswith("pulled", m.start()) and not self.sentence(m.start()).camera:
                    continue  # "dark hair pulled back": a participle of a thing
                if self.low.startswith("back", m.start()) and self.after_a_motion_verb(m.start()):
                    continue  # "walks right back out": "back" says where the walk goes, not the camera
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
        """Whether a "pan" at ``pos`` is a thing: "the frying pan", "put the pan down", "in a pan"."""
        if not self.low.startswith("pan", pos):
            return False
        if any(m.start() <= pos < m.end() for m in L.PAN_THING.finditer(self.low, max(0, pos - 24), pos + 6)):
            return True
        before = re.search(r"([a-z']+)\s+([a-z']+)\s+$", self.low[max(0, pos - 40):pos])
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
        for m in self.scan(F.ROTATE):
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
        nouns = [w for w in _WORD.findall(said) if w not in P.NOT_A_THING and w not in _NOT_WHAT_TURNS and
                 not w.endswith("ly") and not w.isdigit()]
        return bool(nouns) and not any(w in L.FRAME_NOUNS or w in L.CONTENT_NOUNS for w in _WORD.findall(said))

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
        for m in self.anchored(F.CONTENT_OBJECT):
            self.camera_fact(m, m.group("d"), convention="ambiguous")
        for m in self.anchored(F.CAMERA_OBJECT):
            self.camera_fact(m, m.group("d"))
        for m in self.scan(F.FURTHER_MOVE):
            self.emit("move", m.group("d"), *m.span())
        if self.words & F.MOVE_VERB_WORDS:
            for v in [w for w in _WORD.finditer(self.low) if w.group() in F.MOVE_VERB_WORDS]:
                if self.free(*v.span()):
                    self.object_move(v)
        if self.words & F.PATH_VERBS or self.words & _CAMERA_WORK:
            for m in self.scan(F.PATH):
                self.path(m)
        for m in self.scan(F.EXIT):
            if m.group("d2") == "right" and re.search(r"\bthe\s+right", m.group()) and "left direction" not in self.low \
                    and not self.camera_agent(m.start()):
                self.take(*m.span())  # "starts moving the car in the right direction": the correct way
                continue  # (but "the camera pans in the right direction" is a pan)
            d = F.normalise(m.group("d") or m.group("d2") or m.group("d3") or m.group("d4") or m.group("d5"))
            self.emit("pan" if self.camera_agent(m.start()) else "move", d, *m.span())
        if "from" in self.words:
            for m in self.scan(F.FROM_ONE_SIDE):
                if self.camera_agent(m.start()):
                    self.emit("pan", opposite(m.group("d")), *m.span())
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
        before = _PREVIOUS_WORD.search(self.low, 0, pos)
        if before and (before.group("w") in L.DETERMINERS or before.group("w") in _NOT_BEFORE_A_VERB):
            return False  # "the rising sun", "of falling leaves": an adjective
        subject = self.subject(pos)
        return bool(_CAMERA_LAST.search(subject)) or (self.sentence(pos).camera and _no_subject(subject))

    def both_ways(self, end: int, d: str) -> bool:
        """Whether the direction ending at ``end`` is said with its opposite ("up and down", "forward
        and back"). "left and back", "zooms in and back out" go one way and return: the first way stands."""
        m = _BOTH_WAYS.match(self.low, end)
        if m is None:
            return False
        return not m.group("back") or d in ("in", "out") and not re.match(r"\s+(?:out|in)\b", self.low[m.end():m.end() + 5])

    def path(self, m: re.Match[str]) -> None:
        """A path across the frame: its direction is the way from the first place to the second."""
        start = max(self.sentence(m.start()).start, m.start() - 80)
        words = _WORD.findall(self.low, start, m.start())
        if not any(w in F.PATH_VERBS for w in words) and not (
                _CAMERA_WORK.intersection(words) and self.camera_agent(m.start())):
            return  # "the people from left to right are ...": an order, not a motion
        before = _PREVIOUS_WORD.search(self.low, 0, m.start())
        if not self.low.startswith("from", m.start()) and before and before.group("w") not in F.PATH_VERBS:
            return  # a bare "left to right" only right after its verb ("moving left to right")
        back = _AND_BACK.match(self.low, m.end())
        if back and _place(back.group("a")) == _place(m.group("b")) and _place(back.group("b")) == _place(m.group("a")):
            self.take(m.start(), back.end())  # "from right to left and left to right": both ways, no one way
            return
        (ha, va), (hb, vb) = _place(m.group("a")), _place(m.group("b"))
        ways = [hb] if ha and hb and ha != hb else []
        if va and vb and va != vb:
            ways.append(L.VERTICAL_MOTION[vb])
        kind = "pan" if self.camera_agent(m.start()) else "move"
        for way in ways:
            self.emit(kind, way, *m.span())

    def camera_agent(self, pos: int) -> bool:
        """Whether the camera does what the clause at ``pos`` says: it is the clause's subject, the
        clause is about where it goes, or the clause has no subject in a sentence about the camera."""
        subject = self.subject(pos)
        return self.about_the_camera(pos) or _camera_subject(subject) or (self.sentence(pos).camera and _no_subject(subject))

    def bare_path(self, end: int) -> bool:
        """Whether a bare noun follows up/down: "walk up stairs", "runs down road" (a path, no article)."""
        nxt = re.match(r"\s+([a-z][a-z'-]*)", self.low[end:end + 30])
        return nxt is not None and P.thing_noun(nxt.group(1)) and nxt.group(1) not in _NOT_A_PATH

    def subject(self, pos: int) -> str:
        """The words of the clause before ``pos``, adverbs left out."""
        return _ADVERBS.sub(" ", self.low[self.clause_start(pos):pos]).strip()

    def object_move(self, v: re.Match[str]) -> None:
        """A thing moved: "move the red circle (to the) left", "shift the cup on the left right"."""
        stop = F.CLAUSE_END.search(self.low, v.end())
        end = min(stop.start() if stop else len(self.low), v.end() + 100)
        # a position naming the thing ("the cup on the left") is part of the object
        window = F.NAMED_AT.sub(lambda n: "x" * len(n.group()), self.low[v.end():end])
        for d in F.MOVE_DIRECTION.finditer(window):
            words = window[:d.start()].split()
            if not 1 <= len(words) <= 8 or words[0] in ("the",) and len(words) > 1 and \
                    F.CAMERA_WORD_SET.intersection(words[1:3]):
                return
            if any(w in F.NOT_IN_AN_OBJECT or w.endswith("ly") for w in words):
                return
            if _TURNED_PARTS.intersection(words):
                self.take(v.start(), v.end() + d.end())  # "moves his face left": a turn of the head
                return
            a, b = v.start(), v.end() + d.end()
            horizontal = d.group("d").startswith(("left", "right"))
            nxt = _NEXT_WORD.match(self.low, b) if horizontal else None
            if self.relative_after(b) or (nxt and P.thing_noun(nxt.group("w"))) or self.both_ways(b, F.normalise(d.group("d"))):
                return  # "move it to the left of the sofa", "shift the right-side tree"
            if not horizontal and v.group() in L.PARTICLE_VERBS and not (
                    d.group("d").endswith(("ward", "wards")) and v.group() not in _VERTICAL_ON_ITS_OWN):
                # (but "push the switch upwards": a direction adverb after a verb with no way of its own)
                self.take(a, b)  # "lift the container up", "push the toy down": the verb's own particle
                return
            if self.free(a, b):
                self.emit("move", F.normalise(d.group("d")), a, b)
            return

    def intransitive(self, m: _Hit) -> None:
        before = _PREVIOUS_WORD.search(self.low, 0, m.start())
        prev = before.group("w") if before else ""
        verb = self.low[m.start():m.end()].split()[0]
        if prev in _NOT_BEFORE_A_VERB and (prev != "to" or verb in _HOMOGRAPHS):
            return  # "at the lower left": an adjective, not the verb "lower" (but "starts to move right")
        if verb in _HOMOGRAPHS and (prev in L.FACING_VERBS or prev in L.MOTION_VERBS):
            return  # "turns head to left": a noun after a verb
        if m.group("d") == "right" and L.INTENSIFIED.match(self.low, m.end()):
            return  # "runs right into Beckett": right as an intensifier
        if m.group("d") == "up" and re.match(r"\s+to\s+(?!the\s+(?:top|sky|ceiling|roof|surface|level))", self.low[m.end():m.end() + 30]):
            self.take(*m.span())  # "walks up to the tv": an approach
            return
        d = F.normalise(m.group("d"))
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
        asked = not subject and clause_start == s.start and d in ("in", "out") and verb in _TO_THE_VIEWER and \
            not m.group("d").startswith("toward")  # "go towards the blue block": a trip to a thing
        if _camera_subject(subject) or (_IT.match(subject) and s.camera) or (_no_subject(subject) and s.camera) or pov or asked:
            if d == "out" and self.returns_after_a_pan(m):
                self.take(*m.span())
                return
            if d in ("in", "out") and verb in L.VERTICAL_VERBS:
                # "an aerial view descending towards the sea": the way the verb goes, not an approach
                self.emit("pan", L.VERTICAL_VERBS[verb], *m.span())
                return
            self.camera_fact(m, m.group("d"))
        elif d in ("left", "right", "up", "down") and (subject or verb != "back" and not self.facing(m.start())):
            # the thing the clause is about, or with no subject the sentence's ("a ball drops and bounces
            # upwards"; but "turns his head to the left, then back to the right" is a turn)
            straight = _STRAIGHT.search(self.low, m.start(), m.end()) is not None  # "going straight up": a way
            if m.group("d") in ("up", "down") and (
                    verb in L.PARTICLE_VERBS and not straight or _PATH_AFTER.match(self.low, m.end())
                    or _PATH_PRONOUN.match(self.low, m.end()) or self.bare_path(m.end())):
                self.take(*m.span())  # "lift up the bag", "walk down the stairs": a particle, a path
                return
            self.emit("move", d, *m.span())
            c = F.CONTINUATION.match(self.low, m.end())  # "runs right then left", "goes left, then upwards"
            if c and self.free(m.end(), c.end()) and not self.relative_after(c.end()):
                d2 = F.normalise(c.group("d"))
                if d2 in ("left", "right", "up", "down") and d2 != d:
                    self.emit("move", d2, m.end() + c.start("d") - c.start(), c.end())

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

    # -------------------------------------------------------------------- positions

    def positions(self) -> None:
        for m in self.scan(P.RECIPROCAL):
            self.take(*m.span())
        for m in self.scan(P.BOTH_SIDES):
            if _side(m.group("a")) == opposite(_side(m.group("b"))):
                self.take(*m.span())  # "on the left and right side of the image": no one side
        for pattern in (P.PREP_PHRASE, P.PREP_VERTICAL, P.SIDE_NOUN, P.VERTICAL_RELATION):
            for m in self.scan(pattern):
                tail = P.OF_NOUN.match(self.low, m.end())
                if self.about_the_camera(m.start()) and not (tail and self.names_the_frame(tail)) and \
                        not self.placed_after_a_thing(m.start()):
                    self.take(*m.span())  # where the camera is; but "the baby on the left of the scene" is a place
        for pattern in (P.PREP_PHRASE, P.PREP_VERTICAL, P.SIDE_NOUN):
            for m in self.scan(pattern):
                self.position(m)
        for m in self.scan(P.MIDDLE_OF):
            self.position(m)
        for m in self.scan(P.OWN_PLACE):
            w = m.group("w")
            h, v = ("center", None) if w in ("center", "centre", "middle") else (None, P.VERTICAL_WORD[w])
            self.relative(h, m.start(), m.end(), v)
        for m in self.scan(P.PRONOUN_RELATION):
            if _SEARCHED.search(self.low, max(0, m.start() - 30), m.start()):
                self.take(*m.span())  # "looks under it": where someone looks, nothing placed
                continue
            self.relative(None, m.start(), m.end(), P.VERTICAL_WORD[m.group("w")])
        for m in self.scan(P.BARE_RELATIVE):
            if self.facing(m.start()):
                self.take(*m.span())  # "face the left of the image": a facing
                continue
            self.relative(m.group("h"), m.start(), m.end() - 1)
        for m in self.scan(P.FRAME_SIDE):
            self.emit("position", m.group("h"), *m.span())
        for m in self.scan(P.CENTER_VERB):
            self.emit("position", "center", m.start("v"), m.end())
        for m in self.scan(P.LABELLED_PLACE) if ":" in self.low else ():
            words = m.group("field") or m.group("label")
            h, v = _place(words)
            if h is None and re.search(r"\b(?:center|centre|middle)\b", words):
                h = "center"
            self.emit("position", h, m.start("key") if m.group("field") else m.start("label"), m.end(), v)
        for m in self.scan(P.FAR_SIDE):
            self.emit("position", m.group("h"), m.start("far"), m.end())
        for m in self.scan(P.ADJECTIVE):
            self.adjective(m)
        if "over" in self.words:
            self.held_over()
        for m in self.scan(P.VERTICAL_RELATION) if self.words & _VERTICAL_RELATION_WORDS else ():
            w, head = (m.group("w"), m.group("head")) if m.group("w") else (m.group("w2"), m.group("head2"))
            words = _noun_phrase(self.low, m.start())
            if _SEARCHED.search(self.low, max(0, m.start() - 30), m.start()):
                self.take(*m.span())  # "reaches under her coat", "looks under his pillow": where a hand or eye goes
            elif head in L.HEAD_PARTS and w in ("under", "underneath", "beneath"):
                self.take(*m.span())  # "rubs under his chin": a place on someone's face ("above its head" is one)
            elif not _ambient(words, self.low[m.start():m.end() + 40], head, self.low[m.end():m.end() + 20]) and \
                    head not in P.NOT_A_REFERENCE:
                self.relative(None, m.start(), m.end(), P.VERTICAL_WORD[w])

    def placed_after_a_thing(self, pos: int) -> bool:
        """Whether the place at ``pos`` follows a thing the camera is on ("zooms in on the baby on the
        right", "pans from a bunny on the right"): that thing's place, not where the camera goes."""
        if not re.match(r"(?:on|at|in)\s", self.low[pos:pos + 3]):
            return False
        before = _PREVIOUS_WORD.search(self.low, self.clause_start(pos), pos)
        if before is None or not re.search(r"\b(?:on|at|from|to|of|shows?|showing|reveals?|revealing)\s+(?:[a-z'-]+\s+){0,3}$",
                                           self.low[max(0, before.start() - 40):before.start()]):
            return False
        w = before.group("w")
        return P.thing_noun(w) and w not in L.FRAME_NOUNS and w not in L.CAMERA_NOUNS

    def held_over(self) -> None:
        """A thing held or hung over another: "holds a paper towel over a dish", "a canopy hangs over
        the bed" (a path, "flies over the town", and a cover, "a coat over a shirt", are not places)."""
        for m in self.scan(P.OVER_RELATION):
            if P.HELD_THERE.search(self.low, self.clause_start(m.start()), m.start()) and m.group("head") not in P.NOT_A_REFERENCE:
                self.relative(None, m.start(), m.end(), "top")

    def names_the_frame(self, tail: re.Match[str]) -> bool:
        """Whether an "of ..." tail (:data:`.places.OF_NOUN`) names the picture itself ("of the image"),
        not a thing called a frame ("of the wooden picture frame")."""
        words = {w.removesuffix("'s") for w in re.findall(r"[a-z']+", self.low[tail.start("np"):tail.end() + 24])[:2]}
        return bool(words & L.FRAME_NOUNS) and not L.OBJECT_FRAME.search(self.low, tail.start("np"), tail.end() + 24)

    def relative(self, h: str | None, a: int, b: int, v: str | None = None) -> None:
        """A place beside another thing; in a filmed scene's description it is layout, read as nothing."""
        if self.scene_text:
            self.take(a, b)
        else:
            self.emit("relative", h, a, b, v)

    def position(self, m: re.Match[str]) -> None:
        groups = m.groupdict()
        h = P.HORIZONTAL_WORD.get(groups.get("h") or "")
        v_raw = groups.get("v") or groups.get("v2")  # "at the top left", "on the left bottom"
        if h is None and v_raw in ("top", "upper", "bottom", "lower"):  # the vertical-only pattern
            h_out, v = None, P.VERTICAL_WORD[v_raw]
        elif groups.get("h") in ("top", "bottom", "upper", "lower"):  # SIDE_NOUN "the bottom half"
            h_out, v = None, P.VERTICAL_WORD[groups["h"]]
        else:
            h_out, v = h, P.VERTICAL_WORD.get(v_raw or "")
            if v == "middle" and h_out == "center":
                v = None
        tail = P.OF_NOUN.match(self.low, m.end())
        if tail:
            words = {w.removesuffix("'s") for w in re.findall(r"[a-z']+", self.low[tail.start("np"):tail.end() + 24])[:2]}
            if h_out == "center" and not v and (words & _PLAYED or "attention" in words or _DOING.match(self.low, tail.start())):
                self.take(m.start(), tail.end())  # "in the middle of the video", "of taking a photo": a time
            elif self.names_the_frame(tail):
                if self.low.startswith("to", m.start()) and self.travels(m.start(), far=True):
                    # "one ray swimming to the top right of the image": where it goes, a move per axis
                    for way in (h_out if h_out in ("left", "right") else None, L.VERTICAL_MOTION.get(v or "")):
                        if way:
                            self.emit("move", way, m.start(), tail.end())
                    return
                self.emit("position", h_out, m.start(), tail.end(), v)
            elif words & L.TIME_NOUNS or words & L.AMBIENT_NOUNS and h_out == "center" or \
                    tail.group("head") in ("camera", "cameras") and h_out in ("left", "right"):
                # "walks to the right of the camera": beside the viewer, no thing in the frame
                self.take(m.start(), tail.end())
            elif self.low.startswith("to", m.start()) and _FACING_JUST_BEFORE.search(self.low, max(0, m.start() - 12), m.start()):
                self.take(m.start(), tail.end())  # "facing towards the top of the water": a facing
            else:
                self.relative(h_out, m.start(), tail.end(), v)
            return
        nxt = re.match(r"\s+(?P<w>[a-z][a-z'-]*)(?P<particle>\s+(?:down|up|forward|forwards|back|backward|backwards|"
                       r"out|in|into|aside|away|off|onto|over|toward|towards|to)\b)?", self.low[m.end():m.end() + 40])
        if nxt and nxt.group("particle") and nxt.group("w") in ("step", "steps"):
            nxt = None  # "the man on the left steps down": the verb, not the stairs
        if not groups.get("part") and nxt and (nxt.group("w") in P.SUBPART_NOUNS or nxt.group("w") in L.BODY_PARTS):
            self.take(*m.span())  # "on the bottom shelf": a part of a thing, not of the frame
            return
        if not groups.get("part") and not v_raw and groups.get("h") == "middle" and nxt and \
                P.thing_noun(nxt.group("w")) and self.low.startswith(("on", "at"), m.start()):
            self.take(*m.span())  # "on the middle pedestal": the middle one of a row, not of the frame
            return
        if groups.get("h") == "right" and not v_raw and not groups.get("part") and nxt and nxt.group("w") in L.CORRECT_NOUNS:
            self.take(*m.span())  # "at the right location": the correct one
            return
        if self.situated and h_out in ("left", "right") and not v:
            self.take(*m.span())  # "a trash can is to the right" of a narrator in the room: no frame
            return
        if self.low.startswith("to", m.start()) and self.facing(m.start()) or \
                self.low.startswith("at", m.start()) and _LOOKING_AT.search(self.low, max(0, m.start() - 12), m.start()):
            self.take(*m.span())  # "make her turn to the left", "looking at the left": which way she faces
            return
        if self.low.startswith("to", m.start()) and h_out in ("left", "right") and not v and self.travels(m.start()):
            self.emit("move", h_out, *m.span())  # "driving a plane across a rainbow to the right": where it goes
            return
        if self.low.startswith("to", m.start()) and h_out in ("left", "right") and \
                _ON_A_THING_AFTER.match(self.low, m.end()):
            self.take(*m.span())  # "an owl perched to the right on a branch": the branch's right, not the frame's
            return
        if self.low.startswith("to", m.start()) and h_out == "center" and not v and self.travels(m.start()):
            self.take(*m.span())  # "runs ..., then to the middle": where it goes, which no side names
            return
        if self.refines_a_place(m.start()):
            self.take(*m.span())  # "in the middle, slightly to the right": within the place just named
            return
        if self.names_the_other_part(m.start(), h_out or v):
            self.take(*m.span())  # "the left side of the paper is full, the right side is empty": the paper's
            return
        if _ON_A_THING_PREP.match(self.low, m.start()) and self.on_a_named_thing(m.start(), upright=h_out is None):
            self.take(*m.span())  # "a TV screen with the text at the bottom": the screen's bottom, not the frame's
            return
        outside = _OUTSIDE.search(self.low, max(0, m.start() - 30), m.start())
        if outside and outside.group("shine") and outside.group("shine").startswith(("com", "fall")) and \
                not _A_LIGHT.search(self.low, max(self.clause_start(m.start()), m.start() - 50), outside.start()):
            outside = None  # "a crow comes from the right" enters the frame; "light coming from the right" does not
        if outside and not (outside.group("shine") and _WITHIN.match(self.low, m.start())) or (
                self.low.startswith("from", m.start()) and _LIGHT_FROM.search(self.low, max(0, m.start() - 30), m.start())):
            self.take(*m.span())  # "off-screen to the left", "sunlight shining from the upper left": outside the frame
            return
        if not groups.get("the") and not groups.get("part") and not (
                h_out in ("left", "right") and re.match(r"(?:on|from|at|in)\s", self.low[m.start():m.start() + 5])
                and not re.match(r"\s+to\s+(?:the\s+)?(?:left|right)\b", self.low[m.end():m.end() + 20])):
            return  # "on top", "to left": no frame position without "the" or a part word ("on left" is one)
        if h_out is None and v is None:
            return
        self.emit("position", h_out, *m.span(), vertical=v)
        # "the elephant on the left and center": a second place for the same kind of thing
        c = _AND_PLACE.match(self.low, m.end())
        if c and h_out and not self.relative_after(c.end()) and (c.group("v") is None) == (v is None) and \
                self.free(c.start("h"), c.end()):
            # "on the bottom-left and bottom-right sides": a second corner, said with its own vertical part
            a = c.start("v") if c.group("v") else c.start("h")
            self.emit("position", P.HORIZONTAL_WORD[c.group("h")], a, c.end(), P.VERTICAL_WORD.get(c.group("v") or ""))

    def refines_a_place(self, pos: int) -> bool:
        """Whether the place at ``pos`` is a small offset after a place just read ("in the center of
        the frame, slightly toward the top"): it narrows that place and states no second one."""
        offset = _OFFSET.search(self.low, max(0, pos - 30), pos)
        return offset is not None and any(
            st.kind in ("position", "relative") and offset.start() - 2 <= st.end <= offset.start() for st in self.found)

    def names_the_other_part(self, pos: int, side: str | None) -> bool:
        """Whether a bare place at ``pos`` answers a part of a thing named earlier in its sentence with
        the opposite side ("the left side of the table is neat, but the right side is cluttered",
        "sketches on the left page and blank space on the right"): the other part of that thing.

        A part read as a frame place ("the left side of the image") is not such a thing."""
        if side is None:
            return False
        for part in _PART_OF_A_THING.finditer(self.low, self.sentence(pos).start, pos):
            if _side(part.group("h")) != opposite(side):
                continue
            tail = P.OF_NOUN.match(self.low, part.end())
            if part.group("part") in ("page", "pages") or tail and not self.names_the_frame(tail):
                if not any(st.kind == "position" and st.start <= part.start() < st.end for st in self.found):
                    return True
        return False

    def on_a_named_thing(self, pos: int, upright: bool = False) -> bool:
        """Whether a bare place at ``pos`` lies on a thing the sentence names as carrying something:
        "a white shelf has a board placed on the top", "a lamp with ceramic base at the bottom".

        The place belongs to the carrier when, after its "with"/"has", nothing starts a new clause
        (a comma, "is", "can be seen") and either the carrier is a thing with faces (a wall, a
        shelf, a screen) or what it carries exists only on a thing (a text, a logo, a base). An
        ``upright`` place (top, bottom: no side) belongs to any carrier that is a thing, not a whole
        scene or a person: "a harp with a carved eagle at the top" (a side, "a desk with a can on the
        left", still needs a carrier with faces: "a table" is one, "a dog" is not)."""
        start = self.sentence(pos).start
        for have in reversed(list(_POSSESSION.finditer(self.low, start, pos))):
            carried = self.low[have.end():pos]
            words = _WORD.findall(carried)
            if "," in carried or _LINKS.intersection(words):
                return False
            holder = _HOLDER.search(self.low, start, have.start())
            if holder is None or holder.group("w") in _NOT_A_HOLDER or self.names_the_picture(holder):
                continue  # "Have the text on the left", "the image has text at the bottom": the frame's
            if _surface(holder.group("w")) or L.MARKING_NOUNS.intersection(words) or upright and _has_a_top(holder.group("w")):
                return True
        return False

    def names_the_picture(self, word: re.Match[str]) -> bool:
        """Whether a frame noun is the picture itself ("the image", "this screen"), not a thing named
        with one ("a flat LED TV screen")."""
        if word.group("w") not in L.FRAME_NOUNS:
            return False
        before = _PREVIOUS_WORD.search(self.low, 0, word.start())
        return before is None or before.group("w") in L.DETERMINERS or before.group("w") in _NOT_BEFORE_A_VERB

    def tone_subject(self, pos: int) -> bool:
        """Whether a tone participle at ``pos`` is said of the whole picture: it opens its clause
        ("Brightening.", "Darkened, please") or follows a word for the picture ("the scene darkening")."""
        before = _PREVIOUS_WORD.search(self.low, self.clause_start(pos), pos)
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
        words = _WORD.findall(self.low, start, pos)
        then = re.search(r"[,;]?\s*(?:and\s+)?then\s+$", self.low[max(0, pos - 16):pos])
        if then and pos - len(then.group()) > self.sentence(pos).start and not [w for w in words if w not in ("and", "then")]:
            return self.travels(pos - len(then.group()))  # "runs to the right side corner, then to the middle": the same run
        return any(w in F.PATH_VERBS for w in words) and not any(w in L.EDIT_VERBS["add"] for w in words)

    def facing(self, pos: int) -> bool:
        """Whether a verb of facing comes shortly before ``pos`` in its sentence ("turns his head slightly
        to the left, then back to the right")."""
        start = max(self.sentence(pos).start, pos - 60)
        last = None  # the verb nearest ``pos`` decides: "looks at the camera ... and then moves to the left" moves
        for w in _WORD.findall(self.low, start, pos):
            if w in L.FACING_VERBS:
                last = "facing"
            elif w in F.PATH_VERBS and w not in _HOMOGRAPHS:
                last = "travel"
        return last == "facing"

    def adjective(self, m: re.Match[str]) -> None:
        noun = m.group("noun")
        if noun in ("one", "ones") and m.group("h") in ("left", "right", "leftmost", "rightmost") and \
                m.group("pre") == "the" and not m.group("v") and self.one_of_a_pair(m.group("h")):
            self.emit("position", P.HORIZONTAL_WORD[m.group("h")], m.start("h"), m.end())  # "the left one"
            return
        if not P.thing_noun(noun) or noun in L.BODY_PARTS and noun not in L.WORN_IN_PAIRS:
            return
        w, v_raw = m.group("h"), m.group("v")
        if w == "left" and m.group("pre") not in L.DETERMINERS and self.text[m.start("noun"):m.start("noun") + 1].isupper():
            return  # "and left Lisa and James": the verb, before a name
        if w == "right" and not v_raw and noun in L.CORRECT_NOUNS:
            return  # "the right answer"
        if w == "middle" and not v_raw:
            self.take(m.start("h"), m.end())  # "the middle toilet": the middle one of a row, frame or group
            return
        a = m.start("v") if v_raw else m.start("h")
        if w in ("top", "bottom", "upper", "lower", "topmost", "bottommost"):
            if v_raw:
                return
            self.emit("position", None, a, m.end(), P.VERTICAL_WORD[w])
            return
        h = P.HORIZONTAL_WORD[w]
        v = P.VERTICAL_WORD.get(v_raw or "")
        if v == "middle" and h == "center":
            v = None
        self.emit("position", h, a, m.end(), v)

    def one_of_a_pair(self, side: str) -> bool:
        """Whether "the <side> one" picks a thing by its side: always for "left"; for "right" ("the
        right one" is also the correct one) only when the text names the left one too."""
        return side.startswith("left") or _THE_LEFT_ONE.search(self.low) is not None

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
        for pattern in (P.TONE_MAKE, P.TONE_ADJECTIVE):
            for m in self.scan(pattern):
                self.emit("tone", L.TONE_COMPARATIVES[re.sub(r"[\s-]+", " ", m.group("cmp"))], *m.span())
        for m in self.scan(P.TONE_VERB):
            obj = m.group("obj")
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
            if not obj and verb.endswith(("ing", "ed")) and not self.tone_subject(m.start()):
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
_PLAYED = {"video", "clip", "sequence", "footage"}  # its middle is a time
_DOING = re.compile(r"\s+of\s+[a-z]+ing\b")  # "in the middle of taking a photo": an activity, no thing named
_THE_LEFT_ONE = re.compile(r"\bthe\s+left(?:most)?\s+ones?\b")
# a camera that shows, films or records something: what it shows may be what moves
_SHOWING_FORMS = (r"shows|showed|showing|captures|captured|capturing|films|filmed|filming|records|recorded|recording|"
                  r"sees|saw|displays|displayed")
_SHOWING = re.compile(rf"\b(?:{_SHOWING_FORMS})$")
_SHOWS_A_THING = re.compile(rf"\s+(?:[a-z]+ly\s+)?(?:{_SHOWING_FORMS})\s+[a-z]")
_CAMERA_WORK = L.forms("record", "film", "shoot", "capture", "scan")  # "starts recording from left to right"
_DESCRIBED = re.compile(r"\b(?:that|which)\s+(?:is|are|was|were)\s+$")
_POSTURE_VERBS = L.forms("lean", "tilt", "bend", "slant", "slope")  # "leaning to the left": how it stands
_TURNED_PARTS = {"head", "face", "eyes", "gaze", "chin", "nose"}  # moved left or right, they turn
_THING_PREPOSITIONS = {"in", "on", "into", "onto", "from", "of", "off", "under", "inside"}
_HAND_OF = re.compile(r"(?:[\s-]+side)?\s+of\s+(?P<owner>(?:[a-z'-]+\s*){1,4})")
_STRAIGHT = re.compile(r"\b(?:straight|directly|vertically)\b")  # "going straight up": a way, not a particle
_PATH_PRONOUN = re.compile(r"\s+(?:it|them)\b")  # "about to ski down it"
# "walk down the stairs", "climbs up a ladder": up/down as a preposition of a path
_PATH_AFTER = re.compile(r"\s+(?:the|a|an|his|her|their|its|some|this|that|these|those)\b")
# what lies outside the picture or only sends light into it has no place in the frame
_OUTSIDE = re.compile(r"\b(?:off[\s-]?(?:screen|camera|frame)|out\s+of\s+(?:frame|shot|view)|(?P<shine>(?:shin|stream|pour|"
                      r"glow|beam|spill|com|fall|filter)(?:e|es|ed|ing|s)?|lit))\s+$")
# "a light is shining in the right upper corner": the light is in the frame, where it shines
_FACING_JUST_BEFORE = re.compile(r"\b(?:fac(?:e|es|ed|ing)|look(?:s|ed|ing)?|point(?:s|ed|ing)?)\s+$")
# words between a turn verb and its sense that name no thing: "rotate it by 90 degrees clockwise"
_NOT_WHAT_TURNS = {"degrees", "degree", "deg", "it", "everything", "slightly", "slowly", "gently", "by", "about",
                   "around", "direction", "way", "angle", "bit", "little", "more", "turn", "turns", "half", "quarter",
                   "full", "then", "that", "which", "so", "also", "rotating", "rotates", "rotated", "rotate",
                   "spinning", "spins", "spin", "turning", "turned", "please", "whole", "entire"}
_RETURNS = re.compile(r"\b(?:comes?|coming|came|goes|going|went|swings?|swung|turns?|turning|turned)\s+back\b")
_BACK_TO_A_THING = re.compile(r"\s+(?:to|onto|on)\s+(?!(?:reveal|show|see|capture|display|frame|include|expose)\b)")
_LOOKING_AT = re.compile(r"\b(?:look|looks|looked|looking|stare|stares|staring|gaz(?:e|es|ing)|glanc(?:e|es|ing))\s+$")
_PASSES_A_THING = re.compile(r"\b(?:pass|passes|passed|passing)\s+(?:a|an|the|some|two|three|several)\s")
_WITHIN = re.compile(r"(?:in|at|on)\s")
_A_LIGHT = re.compile(r"\b(?:light|lights|lighting|sun|sunlight|sunshine|daylight|moonlight|rays?|glow|beams?|shadows?|"
                      r"lamps?|flash|illumination)\b")
_LIGHT_FROM = re.compile(r"\b(?:lights?|lighting|sunlight|daylight)\s+$")  # "lights from the right"
_TO_THE_VIEWER = L.forms("get", "move", "step", "come", "go", "pull", "back")
# verbs that are also nouns: "turns head to left", "his back up"
_HOMOGRAPHS = {"head", "heads", "back", "backs", "lower", "fall", "drop", "step", "steps", "point", "points", "slide",
               "roll", "draw", "lean", "run", "walk", "jump", "swing", "dive", "climb", "float", "crawl", "hop", "turn"}
_NOT_A_PATH = {"towards", "toward", "to", "into", "and", "then", "again", "slowly", "quickly", "here", "there"}
_POV = re.compile(r"\b(?:aerial|drone|pov|fpv|first[\s-]+person|point[\s-]+of[\s-]+view)\b")
_FRAMING_NOUN = re.compile(r"[\s-]+(?:view|shot|photo|photograph|image|picture|version|perspective)\b")
_ASKS = re.compile(r"\b(?:make|give|show|change|convert|switch|turn|want|need|edit)\b")
# the thing a "too dark" is said of: "the background is too dark"
_SAID_OF = re.compile(r"(?P<w>[a-z]+)\s+(?:is|are|was|were|looks|look|seems|seem|appears|appear)\s+$")
_DIM_OBJECT = re.compile(r"\s+(?:down|it|everything|all|them)\b")


# a text told by someone in the scene ("I am sitting ...", "I just placed ..."), not a request ("I want ...")
_SITUATED = re.compile(r"\s*i\s+(?!(?:want|need|would|wish|like|think|hope|can|could|will|shall|should|must|'d|'ll)\b)"
                       r"(?:am|'m|was|just|have|had|[a-z]+ed|sat|stood|got|went|took|threw|shut|ma)\b")
# a part of a thing named by its side: "the left side of the table", "the left page"
_PART_OF_A_THING = re.compile(r"\bthe\s+(?P<h>left|right|top|bottom|upper|lower)\s+(?P<part>side|half|part|end|edge|page)s?\b")
_OFFSET = re.compile(r"\s*,\s*(?:slightly|a\s+(?:little|bit)|somewhat|just)\s+(?:more\s+)?$")
# verbs of looking and reaching: what follows is where someone looks or reaches, no thing's place
_SEARCHED = re.compile(r"\b(?:look|reach|search|peek|peer|rummag|grop)(?:s|es|ed|ing|e)?(?:\s+(?:out|around|in))?\s+$")
# verbs with a vertical way of their own: "lift the box upwards" names no extra direction
_VERTICAL_ON_ITS_OWN = L.forms("lift", "raise", "lower", "rise", "drop", "fall", "sink", "climb", "pick", "hang")
# the camera as the clause's subject, also through a relative clause ("a drone shot that slowly descends")
_CAMERA_LAST = re.compile(rf"\b(?:{F.CAMERA_NOUN})$|\b(?:{F.CAMERA_NOUN}|shot|view)\s+(?:that|which)$")
_CAMERA_AS_OBJECT = re.compile(r"\b(?:holding|holds|held|carrying|carries|using|uses|with|of|at|behind|toward|towards|"
                               r"into|facing|faces|past)\s+(?:[a-z]+\s+)?$")
_GERUND_LEADS = {"by", "into", "with", "in", "on", "through", "a", "an"}
_POSSESSION = re.compile(r"\b(?:with|has|have|having)\b")
# words that start a new statement about where something is: "a wall with graffiti is on the left"
_LINKS = {"is", "are", "was", "were", "be", "been", "being", "seen", "visible", "appears", "appear", "shown"}
# the word before "with"/"has", relative pronouns skipped: "a bookshelf that has space"
_HOLDER = re.compile(r"(?P<w>[a-z]+)(?:'s)?(?:\s+(?:that|which|also))?\s+$")
_NOT_A_HOLDER = L.DETERMINERS | L.PRONOUN_SUBJECTS | {"it", "there", "and", "or", "to", "i", "we", "can", "will",
                                                      "would", "should", "must", "please", "let's", "made"}
_ON_A_THING_PREP = re.compile(r"(?:on|at|in|to|near|along|toward|towards)\s")


# what a picture may be of as a whole, or a person: "a kitchen with a lamp at the top", "a man with a hat
# at the bottom" do not name a thing whose top or bottom is meant
_WHOLES = L.GLOBAL_NOUNS | L.FRAME_NOUNS | {
    "room", "kitchen", "bathroom", "bedroom", "street", "field", "park", "beach", "city", "town", "area", "yard",
    "office", "space", "road", "sky", "forest", "lake", "river", "market", "setting", "man", "woman", "person",
    "people", "girl", "boy", "child", "men", "women", "lady", "guy", "group", "crowd"}


def _has_a_top(word: str) -> bool:
    """A thing with a top and a bottom of its own: in "a harp with a carved eagle figure at the top",
    "a building has a clock at the top", the top is the harp's or the building's."""
    return P.thing_noun(word) and word not in _WHOLES


def _surface(word: str) -> bool:
    """A thing with faces that carry other things; compounds count ("bookshelf", "signboard")."""
    return word in L.SURFACE_NOUNS or any(word.endswith(w) for w in ("shelf", "board", "wall"))


_NP_END = {"at", "in", "on", "with", "of", "and", "or", "while", "as", "by", "for", "from", "to", "into", "onto",
           "near", "during", "under", "over", "that", "which", "who", "where", "when", "is", "are"}


def _noun_phrase(low: str, start: int) -> set[str]:
    """The words of the noun phrase after the relation word at ``start`` (up to five, until the next
    preposition): "above a mountain at night" → {a, mountain}."""
    words: list[str] = []
    for w in re.findall(r"[a-z']+", low[start:start + 60])[1:]:
        if w in _NP_END or len(words) == 5:
            break
        words.append(w)
    return set(words)


def _place(words: str) -> tuple[str | None, str | None]:
    """The horizontal and vertical parts of a place in the frame: "upper left" → ("left", "top")."""
    parts = re.split(r"[\s-]+", words)
    h = next((P.HORIZONTAL_WORD[w] for w in parts if w in ("left", "right")), None)
    v = next((P.VERTICAL_WORD[w] for w in parts if w in ("top", "upper", "bottom", "lower")), None)
    return h, v


def _shown_moving(body: str, said: re.Match[str]) -> bool:
    """Whether the camera's verb shows a thing that moves in the same clause ("the camera shows a tank
    drive down a hill and turns left"): the sentence's later moves are that thing's. ("The drone
    captures the city, moving forward" is the camera's own move.)"""
    if not _SHOWING.search(said.group()):
        return False
    shown = re.match(r"[^,;:.]*", body[said.end():]).group()  # type: ignore[union-attr]
    return any(w in F.PATH_VERBS for w in _WORD.findall(shown)[:8])


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


def _side(word: str) -> str:
    """A side word in one vocabulary: "upper" → "top", "left" → "left"."""
    return P.HORIZONTAL_WORD.get(word) or P.VERTICAL_WORD[word]


def _ambient(words: set[str], after: str, head: str, rest: str) -> bool:
    """Whether the thing a vertical relation names is the light, the weather or a time ("under the
    sun", "beneath a clear sky") or what a thing under it is sunk in ("under the water", "beneath
    the earth"), not a thing in the picture. A light that is a thing ("below a traffic light") and
    anything seen from above or below it ("above the fluffy white clouds") is one."""
    if words & L.TIME_NOUNS:
        return True
    if head in L.UNDER_SETTINGS and after.startswith(("under", "beneath", "below")):
        nxt = re.match(r"\s+([a-z]+)", rest)
        return nxt is None or not P.thing_noun(nxt.group(1))  # (but "under the water tab": a tap)
    ambient = words & L.AMBIENT_NOUNS - L.SEEN_FROM_ABOVE
    if ambient & {"light", "lights"} and L.LIGHT_THING.search(after):
        ambient -= {"light", "lights"}
    return bool(ambient)
