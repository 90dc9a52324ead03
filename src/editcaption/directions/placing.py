"""The reader's rules for places: where a thing is in the frame, beside another thing, or on a thing.

``PlaceReading`` holds the place rules of the grammar's reader (:class:`.grammar._Reader`, which
mixes it in): frame positions ("on the left", "the top sheep", "- Position: Center"), places
relative to a thing ("to the left of the sofa", "above the vase", "holds a towel over a bowl")
and the many phrasings that look like places but are not ("the left side of the table is neat,
but the right side ...", "a desk with a can on the left", "rubs under his chin", "walks to the
right of the camera"). The rules read the reader's folded text and its bookkeeping (``scan``,
``take``, ``emit``, the sentences and clauses), and ask it about the clause around a place
(``travels``, ``facing``, ``about_the_camera``, ``relative_after``).
"""

from __future__ import annotations

import re

from . import frames as F
from . import lexicon as L
from . import places as P
from .conventions import opposite
from .statement import DirectionStatement

_VERTICAL_RELATION_WORDS = {"above", "below", "under", "underneath", "beneath", "atop"}

_AND_PLACE = re.compile(r"\s+(?:and|or|&)\s+(?:the\s+|in\s+the\s+)?(?:(?P<v>top|bottom|upper|lower)[\s-]+)?"
                        r"(?P<h>left|right|center|centre|middle)\b(?![\s-]+(?!(?:sides?|corners?)\b)[a-z])")
# "an owl perched to the right on a branch": the side of the thing it is on
_ON_A_THING_AFTER = re.compile(r"\s+(?:on|atop)\s+(?:a|an|the)\s+[a-z]")
_PLAYED = {"video", "clip", "sequence", "footage"}  # its middle is a time
_DOING = re.compile(r"\s+of\s+[a-z]+ing\b")  # "in the middle of taking a photo": an activity, no thing named
_THE_LEFT_ONE = re.compile(r"\bthe\s+left(?:most)?\s+ones?\b")

# what lies outside the picture or only sends light into it has no place in the frame
_OUTSIDE = re.compile(r"\b(?:off[\s-]?(?:screen|camera|frame)|out\s+of\s+(?:frame|shot|view)|(?P<shine>(?:shin|stream|pour|"
                      r"glow|beam|spill|com|fall|filter)(?:e|es|ed|ing|s)?|lit))\s+$")

# "a light is shining in the right upper corner": the light is in the frame, where it shines
_WITHIN = re.compile(r"(?:in|at|on)\s")
# verbs of facing right before a place: "facing towards the top of the water", "looking at the left"
_FACES = L.forms("face", "look", "point", "stare", "gaze", "glance")
# "the guy in center without a shirt", "put the vase at centre.": the middle of the frame without "the"
# (not "in center field": a noun after it makes it a name)
_BARE_CENTER = re.compile(r"(?:in|at)\s+(?:cent(?:er|re)|middle)\b")
_NO_NOUN_AFTER = re.compile(r"\s*(?:$|[,.;:!?)]|(?:and|with|without|while|of|is|are|was|were|who|that|which|to|as|in|on|"
                            r"[a-z]+ing)\b)")
_TOUCHING = L.forms("touch")  # "touching the bottom of a box": in contact with that part, a place by it
# words after which a part named by its side is a place beside the thing ("on the left side of the street")
_BEFORE_A_PLACE = {"on", "at", "in", "to", "into", "onto", "from", "near", "along", "toward", "towards", "across", "by",
                   "over", "under", "through", "past", "around", "off", "beside", "behind", "inside", "up", "down", "of",
                   "within", "upon", "against", "with"} | _TOUCHING
# "of" before a thing named by a quote, a number or a mark: 'to the right of "Settings"', "of [45 49 66]"
# 'to the right of "Settings"', 'To the right of the "History" tab' (a name as an app shows it)
_OF_A_NAME = re.compile(r"""\s+of\s+(?:(?:the|a)\s+(?=["\u201c*]))?["'\[(#@\d\u201c*][^\s,;]*""")
# a unit of furniture right after a place word, perhaps after one more word ("on the lower grill rack")
_A_UNIT = re.compile(rf"\s+(?:(?P<w>[a-z-]+)\s+)?{L.alt(L.FURNITURE_UNITS)}\b")
_DESCRIBING = {w for w in L.forms("show", "display", "depict", "feature", "contain", "include", "list", "read", "say",
                                  "illustrate", "explain", "describe") if w.endswith(("ing", "s"))}  # "The image
# below illustrates this", "a bar chart below showing ...": "below" as an adverb
_AN_ADVERB_THEN = re.compile(rf"(?:{'|'.join(sorted(_DESCRIBING))}|when|would|will|should|can)\s|[a-z]+ly\s+[a-z]+(?:s|ed)\s")
# (not "above Lily and ..."; "the example above when you omit arguments", "above would export slides 1": the
# text before, "above" as an adverb)
# an order counted from a side ("the second check box from top"; not "last": the last from the top is at the bottom)
_COUNTED = re.compile(r"\b(?:count(?:ing|ed)|first|second|third|fourth|fifth|sixth|\d+(?:st|nd|rd|th))\b")
_FIRST_WORD = re.compile(r"[\s\-*\u2022]*(?P<w>[a-z]+)")
_PUT_THERE = re.compile(rf"\b(?:{L.alt(L.EDIT_VERBS['add'])}|there\s+be|have)\b(?!-)")  # (not "this add-on")
_WORN_OVER = {"shirt", "shirts", "dress", "sweater", "blouse", "jacket", "coat", "suit", "t-shirt", "uniform", "top",
              "background"}
# a text's alignment in its own box (a format, no place in the picture): "align the titles to the left",
# "center aligned" (but "top-aligned in slide" puts the box at the slide's top)
_ALIGN_WORDS = {"align", "aligns", "aligned", "aligning", "alignment"}
_TEXT_ALIGNED = re.compile(r"\balign(?:s|ed|ing)?\s+(?:[\w\"']+\s+){0,3}?to\s+(?:the\s+)?(?:left|right|center|centre)\b|"
                           r"\b(?:left|right|center|centre)[\s-]+align(?:ed|ment)?\b")
_STARRED_RELATION = re.compile(r"\b(?P<w>above|below|under|underneath|beneath)\s+(?:the\s+)?(?:\*[^*\n]{1,60}\*|\"[^\"\n]{1,60}\")"
                               r"(?:\s+(?:heading|section|button|link|tab|field|label|icon|option|panel))?")
# a title-cased name that ends in a part of a program's screen: "the Background Settings pane"
_A_NAMED_PANE = re.compile(r"(?:[A-Z][a-z]+\s+){1,3}(?:pane|panel|tab|dialog|window|menu|sidebar|toolbar|section)s?\b")
_APP_FRAMES = {"window", "dialog", "app", "application", "browser"}
# "at the bottom of the editor", with words of a screen (in a screenshot the editor is a pane of it)
_OF_THE_SCREEN = re.compile(rf"\s+of\s+(?:the\s+)?{L.alt(P.PROGRAM_SCREENS | {'screen', 'viewport'})}\b")
_POINTERS = P.POINTER_WORDS | {"brush"}
_VALUES = {"threshold", "thresholds", "limit", "average", "baseline", "zero"}
# a program's name as it spells itself: "RViz", "GIMP", "GitHub" (not "the Victorian window")
_CAMEL = r"[A-Z][a-z]+[A-Z]\w*"
_AN_APP_NAME = re.compile(rf"[A-Z]{{2,}}\w*|{_CAMEL}")
_A_PROGRAM_WINDOW = re.compile(r"(?:application|drawing|program|document|editor|app)\s+windows?\b(?!'s)")
_FRAMES_IN_GENERAL = {"screens", "pages", "slides"}  # every one of them: "at the bottom of screens"
# words of a figure, without which a panel named by its side is a program's ("the left panel shows the residuals")
_A_FIGURE = {"figure", "figures", "plot", "plots", "graph", "graphs", "chart", "charts", "diagram", "diagrams", "image",
             "images", "photo", "photos", "illustration", "caption", "panels", "shows"}
# amounts that are lower or higher, not lower down: "a lower resolution", "lower file sizes", "the upper limit"
_AMOUNTS = {"resolution", "resolutions", "quality", "file", "size", "sizes", "value", "values", "number", "numbers",
            "rate", "rates", "bitrate", "priority", "price", "prices", "cost", "costs", "level", "levels", "opacity",
            "limit", "limits", "bound", "bounds", "threshold", "frequency", "speed", "version", "versions", "case"}
_A_CAMEL_NAME = re.compile(_CAMEL)  # "JupyterLab", "GitHub" (not "London", nor "the EPUB content")
_A_NAMED_WINDOW = re.compile(rf"\s+{L.alt(P.PROGRAM_SCREENS)}\b")
_A_PART_OF_A_WINDOW = re.compile(r"[\s-]+(?:list|lists|menu|title|switcher|manager|border|decoration|panel|pane)\b")  # "the window list"
_A_MENU_AFTER = re.compile(r"\s+(?:drop-?down\s+|context\s+|pop-?up\s+)?(?:menu|menus|folder|directory)\b")
_A_FOLDER_BEFORE = re.compile(r"\b(?:folder|folders|directory|directories|file|files)\s+$")
_UI_REGION = re.compile(rf"\b(?:(?P<v>top|bottom|upper|lower)[\s-]+)?(?P<h>left|right|top|bottom|upper|lower|middle|center|centre)"
                        r"(?:[\s-]+hand)?[\s-]+"
                        rf"{L.alt(P.UI_REGIONS)}\b(?P<of>\s+of\s+(?:the\s+|an?\s+)?[\w\"']+)?")
# words of a program's screen: with them, "the top-right corner of the window" is the screen's (but a
# dialog is a thing on it: "At the bottom of the dialog, you can enable ...")
_ON_A_SCREEN = P.UI_REGIONS | P.POINTER_WORDS - {"mouse"} | {
    "screenshot", "click", "clicks", "clicking", "clicked", "select", "dock", "press", "toggles", "scroll", "kbd", "lmb", "rmb",
    "mmb", "button", "buttons", "menu", "menus", "dialog", "gui", "tab", "icon", "icons", "status", "canvas", "console"}
_RELATION_BEFORE = re.compile(r"\b(?:above|below|under|underneath|beneath|atop|over|top\s+of)\s+$")
_TO_DO = re.compile(r"\b(?:[a-z]+ing|continues?|continued|starts?|started|begins?|began|tries|tried|try|seems?|wants?|needs?)\s+to$")
_GESTURE = re.compile(rf"\b{L.alt(L.GESTURE_VERBS)}\b")
_MOVING = L.alt(L.forms("move", "shift", "drag", "push", "slide"))  # a thing moved by someone
_MOVE_VERB = re.compile(rf"\b{_MOVING}\b")
_MOVED_IT = re.compile(rf"\b{_MOVING}\s+(?:it|them)\s+$")  # "move it on the top"
_OVERHEAD = re.compile(r"\b(?:canop(?:y|ies)|awnings?|parasols?|umbrellas?|chandeliers?)\s+$")
_CORNER_HEIGHTS, _CORNER_SIDES = {"top", "bottom", "upper", "lower"}, {"left", "right"}  # "logo top-right" needs both
_GESTURING_PARTS = {"hand", "hands", "arm", "arms", "finger", "fingers"}
_REACH = L.forms("reach")
# the frame's centre with a side off it: "visible to the left of center", "close to the left of the centre" (a
# place in the picture, not beside a thing; but "left of the center of his body" is beside the body)
_OFF_CENTRE = re.compile(r"\b(?:to\s+the\s+)?(?P<h>left|right)\s+of\s+(?:the\s+)?cent(?:er|re)\b(?!\s+of\b)")
_MIDDLE_DISTANCE = re.compile(r"\bmiddle[\s-]+(?:distance|ground)\b")  # a painter's depth, no place
_A_HAND_JUST_BEFORE = re.compile(rf"\b{L.alt(_GESTURING_PARTS)}\s+$")  # "puts his right hand| over the saucepan"
_PUTTING_ON = re.compile(r"\b(?:put|puts|putting)\s+on\b|\b(?:clothing|clothes|garment)\b")  # dressing, not placing
_GESTURE_WORDS = _GESTURING_PARTS | _REACH | L.forms("wave") | {"side"}
_GESTURE_TO_A_SIDE = re.compile(rf"\b(?:{L.alt(L.forms('extend', 'stretch', 'reach', 'point', 'wave'))})\s+(?:out\s+)?"
                                rf"(?:(?:{L.alt(L.POSSESSIVES)}|a|the|one|both)\s+)?(?:(?:left|right)\s+)?{L.alt(_GESTURING_PARTS)}\s+"
                                r"(?:out\s+)?(?:[a-z]+ly\s+)?(?:to|toward|towards)\s+the\s+(?:left|right)\b(?!\s+of\b)"
                                rf"|\b{L.alt(L.forms('face'))}\s+the\s+(?:left|right)\s+side\b(?!\s+of\b)"
                               # "reaches over to the left": an arm stretched that way, not a move
                               rf"|\b{L.alt(_REACH)}\s+(?:out\s+|over\s+)?(?:to|toward|towards)\s+the\s+(?:left|right)\b(?!\s+of\b)"
                               # "raising one hand and waving to the right": a wave that way
                               rf"|\b{L.alt(L.forms('wave'))}\s+(?:[a-z]+ly\s+)?(?:to|toward|towards)\s+the\s+(?:left|right)\b(?!\s+of\b)"
                               # "stretches out her arms towards the top of the fridge": a reach, nothing put there
                               rf"|\b{L.alt(_GESTURING_PARTS)}\s+(?:out\s+)?(?:toward|towards)\s+the\s+(?:top|bottom|(?:lower|upper)\s+(?:part|half|end))\s+of\b")
_GROUPS = {"set", "sets", "group", "groups", "pair", "pairs", "bunch", "cluster", "pile", "stack", "crowd", "team"}
_DEGREE = {"more", "less", "most", "least", "well", "not", "off", "too", "very"}  # "more centered": how, not what
_KEPT = re.compile(r"\b(?:keep|keeps|keeping|kept|hold|holds|holding)\b")  # "keep the person centered": a framing
_COUNTS = {"two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "few", "several", "couple", "half"}
# a turn through a corner right before its side: "the cyclist rounds a corner to the right" turns
_ROUNDS_A_CORNER = re.compile(rf"\b(?:{'|'.join(sorted(L.forms('round', 'take', 'turn')))})\s+(?:a|the)\s+(?:[a-z]+\s+)?"
                              r"(?:corner|bend|curve)\s+$")
_A_LIGHT = re.compile(r"\b(?:light|lights|lighting|sun|sunlight|sunshine|daylight|moonlight|rays?|glow|beams?|shadows?|"
                      r"lamps?|flash|illumination)\b")
_LIGHT_FROM = re.compile(r"\b(?:lights?|lighting|sunlight|daylight)\s+$")  # "lights from the right"

# one photograph of several, named by its side: "the left image shows", "in the image on the right", "in
# the right side pic". Only where the phrase is not something acted on ("remove the left photo" is the left
# one of the photos in a picture): at a clause's start or after a preposition. A picture hangs on walls,
# so only the nouns that name a photograph as such.
_PANEL_NOUN = r"(?:image|photo|photograph|pic|picture|panel|figure|drawing|illustration|diagram)s?"
_PANEL_WORDS = {w + s for w in ("image", "photo", "photograph", "pic", "picture", "panel", "figure", "drawing",
                                "illustration", "diagram") for s in ("", "s")}
_PANEL_AT = r"(?:^|(?<=[.;,:!?(])\s*|\b(?:in|of|from|for|and|while|than|as|to|at|on)\s+)"
_PANEL = re.compile(rf"{_PANEL_AT}(?:the\s+)?(?:(?:(?:top|bottom|upper|lower)[\s-]+)?(?:left|right)(?:most)?(?:[\s-]+(?:hand[\s-]+)?side)?[\s-]+{_PANEL_NOUN}\b"
                    # "The top panel shows the inferior view", "In the middle panel": a figure's panels stacked
                    rf"|(?:top|bottom|upper|lower|middle|center|centre)[\s-]+panels?\b"
                    rf"|{_PANEL_NOUN}\s+(?:on|to|at)\s+the\s+(?:left|right)(?:[\s-]+(?:hand[\s-]+)?side)?\b(?!\s+of\b))")
# a textbook's figure named by its side: "In panel (a), on the left, ...", "Panel (b), at right, shows", "On the
# left is a drawing of a rocket"
_FIGURE_SIDE = re.compile(r"\b(?:panel|figure|part)\s+\(?[a-z]\)?\s*,\s*(?P<s>(?:on\s+the|at)\s+(?:left|right))\b|"
                          rf"(?:^|(?<=[.;:!?])\s*)(?P<t>on\s+the\s+(?:left|right))(?=\s*,?\s+(?:is|are)\s+(?:a|an|the)\s+{_PANEL_NOUN}\b)")
# a text about several photographs ("each image", "both photos", "the pair of images", "in at least one
# image", "the other image"; not "one image", which may be the one picture asked for): a bare side in
# it picks one of them ("the dog on the left" is the left photograph's)
_SEVERAL_PICTURES = re.compile(rf"\b(?:(?:each|both|every|either|neither|other|another|least\s+one)\s+(?:of\s+the\s+)?{_PANEL_NOUN}"
                               r"|pair\s+of\s+(?:images|photos|photographs|pics|pictures)"
                               r"|(?:all|both|two|these|those|the)\s+(?:[a-z-]+\s+)?(?:images|photos|photographs|pics|panels))\b")
_ON_ONES_BODY = re.compile(r"\bon\s+top\s+of\s+(?:his|her|its|their|my|your|our)\s+(?:head|heads)\b")
_VIEWPOINT = re.compile(r"\b(?:shown|seen|viewed|photographed|shot|taken|pictured)\s+from\s+(?:the\s+)?"
                        r"(?:top|bottom|side|above|below|(?:left|right)(?:\s+(?:corner|side|back|front))?)\b")  # "shown from the right back"
_VANISHES = re.compile(rf"\b{L.alt(L.forms('disappear', 'vanish', 'exit'))}\b")  # "disappears to the top": where it was last
# a text that is only a place ("top right corner", "the bottom corners."): an answer or a field's value
_ONLY_A_PLACE = re.compile(r"\s*(?:the\s+)?(?:(?P<v>top|bottom|upper|lower)[\s-]+)?(?:(?P<h>left|right)[\s-]+)?"
                           r"(?:hand[\s-]+)?(?:corner|side|edge|half)s?\s*[.!]?\s*$")
_BETWEEN = re.compile(r"\s+betwe+n\b")  # "in the middle between the bowl and the block": a place among things
_THING_BEFORE = re.compile(r"(?P<w>[a-z]+)\s+(?:(?:which|that)\s+(?:is|are)\s+)?(?:(?:just|immediately|directly|next)\s+)?$")
_ARROWS = {"arrow", "arrows", "key", "keys"}  # "click the right arrow", "the left key": pointing that way, not the right one
_NOT_BEFORE_SIDE_TO = L.DETERMINERS | {"been", "being", "get", "gets", "got"}  # "is being left to ..."
# "on the left to the close button": beside it (a screen's writers say "to" for "of")
# ("on the right next to the windows" is still the frame's right: another labeller read it so)
_TO_A_THING = re.compile(rf"\s+to\s+the\s+(?!{P.PLACE_WORD})[a-z]|\s+to\s+(?:text|icon|button|image|option|symbol|logo|tab|box|field|menu|link)\b")
# "go to top left corner": told to someone moving a focus over a screen, no thing moves
_GO_TO = re.compile(r"(?:^|[.;,!?]\s*)(?:please\s+)?(?:go|navigate|scroll|jump)\s+to\b")
_NOTHING_THERE = re.compile(r"\bthere\s+(?:is|are|was|were|'s)\s+no\b[^.;,!?]*")
_FRONT_AND_CENTER = re.compile(r"\bfront[\s-]+(?:and|&)[\s-]+cent(?:er|re)\b")  # the idiom: in the middle, foremost
# a part of a thing named by its side: "the left side of the table", "the left page"
_PART_OF_A_THING = re.compile(r"\bthe\s+(?P<h>left|right|top|bottom|upper|lower)\s+(?P<part>side|half|part|end|edge|page)s?\b")

_OFFSET = re.compile(r"\s*,\s*(?:slightly|a\s+(?:little|bit)|somewhat|just)\s+(?:more\s+)?$")

# verbs of looking and reaching: what follows is where someone looks or reaches, no thing's place
_SEARCHED = re.compile(r"\b(?:look|reach|search|peek|peer|rummag|grop)(?:s|es|ed|ing|e)?(?:\s+(?:out|around|in))?\s+$")
_POSSESSION = re.compile(r"\b(?:with|has|have|having)\b")

# words that start a new statement about where something is: "a wall with graffiti is on the left"
_LINKS = {"is", "are", "was", "were", "be", "been", "being", "seen", "visible", "appears", "appear", "shown"}

# words that start another clause: "mugs with patterns while a bunch of roses on the left"
_NEW_CLAUSE = {"while", "whilst", "whereas", "but"}
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


def _side(word: str) -> str:
    """A side word in one vocabulary: "upper" → "top", "left" → "left"."""
    return P.HORIZONTAL_WORD.get(word) or P.VERTICAL_WORD[word]


def _a_time(words: list[str]) -> bool:
    """Whether the first words of a noun phrase name a time ("the night", "a sunny day", "dinner"), not
    a thing named after one ("the dinner table", "the night sky")."""
    first, second = (words + [""])[:2]
    if second in L.TIME_NOUNS:
        return True
    return first in L.TIME_NOUNS and not (second and P.thing_noun(second) and not second.endswith(("ing", "ed")))


def _relation_sides(words: str) -> tuple[str | None, str | None]:
    """(side, height) of a relation: "to the left of" → ("left", None), "on top of" → (None, "top")."""
    for side in ("left", "right"):
        if side in words:
            return side, None
    return None, P.VERTICAL_WORD.get(words.split()[0], "top")  # "on top of": top


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
    if head in ("title", "heading") and not re.match(r"\s*[\"'\u201c]", rest):
        ambient.discard(head)  # "a logo above the title." is a place (but 'under the title "Has anyone ..."' names it)
    return bool(ambient)


class PlaceReading:
    """The place rules of the reader; the attributes below are the reader's own."""

    low: str
    text: str
    found: list[DirectionStatement]
    words: set[str]
    scene_text: bool
    situated: bool
    several_pictures: bool  # the text is about several photographs (set by :meth:`positions`)

    def positions(self) -> None:
        pictures = bool(self.words & _PANEL_WORDS)
        self.several_pictures = pictures and _SEVERAL_PICTURES.search(self.low) is not None
        only = _ONLY_A_PLACE.match(self.low)
        if only and (only.group("v") or only.group("h")):
            self.emit("position", only.group("h"), 0, len(self.low.rstrip(" .!")), P.VERTICAL_WORD.get(only.group("v") or ""))
        for m in self.scan(_OFF_CENTRE) if self.words & {"center", "centre"} else ():
            self.emit("position", m.group("h"), *m.span())  # "visible to the left of center"
        for m in self.scan(_MIDDLE_DISTANCE) if "middle" in self.words else ():
            self.take(*m.span())  # "in the middle distance": depth
        for m in self.scan(_NOTHING_THERE) if "no" in self.words else ():
            self.take(*m.span())  # "there is no blue block above a black block": a place said not to hold
        for m in self.scan(_FRONT_AND_CENTER) if "front" in self.words else ():
            self.emit("position", "center", *m.span())
        for m in self.scan(_ON_ONES_BODY) if "top" in self.words else ():
            if _PUT_THERE.search(self.low, self.clause_start(m.start()), m.start()):
                continue  # "Put a blanket on top of their head": a thing put there, above the head (read as a relation)
            self.take(*m.span())  # "a colour on top of their heads": a place on their own body
        for m in self.scan(_TEXT_ALIGNED) if self.words & _ALIGN_WORDS else ():
            self.take(*m.span())  # "Align the text to the left", "right aligned": how lines sit in their box
        for m in self.scan(_VIEWPOINT) if "from" in self.words else ():
            self.take(*m.span())  # "shown from the top": where it is seen from, no place in the picture
        for m in self.scan(_PANEL) if pictures else ():
            if "panel" in m.group() and (self.words & _ON_A_SCREEN - {"panel", "panels"} or not self.words & _A_FIGURE):
                # ("in right panel" of a program's changelog: a region of its screen; a figure's panel comes
                # with words of a figure)
                continue  # "The panel on the right side of the interface": a region of a program's screen
            self.take(*m.span())  # "the left image": a photograph of several, no place in one
            self.several_pictures = True
        for m in _FIGURE_SIDE.finditer(self.low) if pictures else ():
            side = m.span("s") if m.group("s") else m.span("t")
            if self.free(*side):
                self.take(*side)
        for m in _GESTURE_TO_A_SIDE.finditer(self.low) if self.words & _GESTURE_WORDS else ():
            self.take(*m.span())  # "extend hand to the left", "faces the right side": a gesture or a facing (its
            # hand may be read already as an own side, so the span is not asked to be free)
        for m in self.scan(P.RECIPROCAL):
            self.take(*m.span())
        for m in self.scan(P.BOTH_SIDES):
            if _side(m.group("a")) == opposite(_side(m.group("b"))):
                self.take(*m.span())  # "on the left and right side of the image": no one side
        for m in self.scan(P.COORDINATED) if "and" in self.words or "or" in self.words else ():
            self.coordinated(m)
        for pattern in (P.PREP_PHRASE, P.PREP_VERTICAL, P.SIDE_NOUN, P.VERTICAL_RELATION):
            for m in self.scan(pattern):
                tail = P.OF_NOUN.match(self.low, m.end())
                if self.about_the_camera(m.start()) and not (tail and self.names_the_frame(tail)) and \
                        not self.placed_after_a_thing(m.start()):
                    self.take(*m.span())  # where the camera is; but "the baby on the left of the scene" is a place
        for pattern in (P.PREP_PHRASE, P.PREP_VERTICAL, P.SIDE_NOUN):
            for m in self.scan(pattern):
                self.position(m)
        if self.words & P.UI_REGIONS and self.words & _ON_A_SCREEN:
            for m in _UI_REGION.finditer(self.low):
                if self.free(*m.span()) or self.inside_a_relation(m.start()):
                    # "more readable bottom pane", "at the left of the bottom bar": a region of the program's
                    # window, named by where it lies (also inside a relation to it)
                    h = P.HORIZONTAL_WORD.get(m.group("h"))
                    v = P.VERTICAL_WORD.get(m.group("v") or ("" if h else m.group("h")))
                    # "the right sidebar of a discussion": a side part of the page named, beside the rest of it
                    of_a_thing = m.group("of") and not _OF_THE_SCREEN.match(m.group("of"))  # ("the top bar of the window")
                    self.emit("relative" if of_a_thing else "position", h, *m.span(), v)
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
            tail = P.OF_NOUN.match(self.low, m.end("h"))
            if tail and self.names_the_frame(tail):
                continue  # "out of the top right of the frame": the frame's side, no thing beside
            if self.facing(m.start()) and self.after_an_article(m.start()):
                self.take(*m.span())  # "face the left of the image": a facing (not "face the counter left of the fridge")
                continue
            self.relative(m.group("h"), m.start(), m.end() - 1)
        for m in self.scan(P.FRAME_SIDE):
            h, v = m.group("h") or m.group("h2"), P.VERTICAL_WORD.get(m.group("v") or "")
            if not m.group("h") and _TO_DO.search(self.low, max(0, m.start() - 16), m.start() + 2):
                continue  # "continuing to slide left": the verb "slide", not a slide's side
            if self.low.startswith("to", m.start()) and self.travels(m.start(), far=True):
                self.emit_moves(h, v, *m.span())
                continue  # "Move the picture to slide right": where it goes
            self.emit("position", h, *m.span(), v)
        for m in self.scan(P.SIDE_TO):
            if self.after_a_thing(m.start()):
                self.relative(m.group("h"), m.start(), m.end() - 1)
        for m in self.scan(P.CENTER_VERB):
            self.emit("position", "center", m.start("v"), m.end())
        for m in self.scan(P.FURTHEST) if "furthest" in self.words or "farthest" in self.words else ():
            self.emit("position", m.group("h"), *m.span())
        for m in self.scan(P.CENTERED) if "centered" in self.words or "centred" in self.words else ():
            self.emit("position", "center", m.start("w"), m.end())
        for m in self.scan(P.CENTERED_THING) if "centered" in self.words or "centred" in self.words else ():
            noun = m.group("noun") or m.group("noun2")
            if P.thing_noun(noun) and noun not in _DEGREE and not _KEPT.search(self.low, self.clause_start(m.start()), m.start()):
                self.emit("position", "center", *m.span())
        for m in self.scan(P.THING_AT_A_CORNER) if self.words & _CORNER_HEIGHTS and self.words & _CORNER_SIDES else ():
            if P.thing_noun(m.group("noun")) and m.group("noun") not in L.MOTION_VERBS and self.free(*m.span()):
                self.emit("position", m.group("h"), *m.span(), P.VERTICAL_WORD[m.group("v")])
        for m in self.scan(P.LABELLED_PLACE) if ":" in self.low or "," in self.low else ():
            words = m.group("field") or m.group("label")
            h, v = P.place_parts(words)
            if h is None and re.search(r"\b(?:center|centre|middle)\b", words):
                h = "center"
            self.emit("position", h, m.start("key") if m.group("field") else m.start("label"), m.end(), v)
        for m in self.scan(P.FAR_SIDE):
            self.emit("position", m.group("h"), m.start("far"), m.end())
        for m in self.scan(P.ADJECTIVE):
            self.adjective(m)
        if "over" in self.words:
            self.held_over()
        for m in self.scan(_STARRED_RELATION) if "*" in self.low or '"' in self.low else ():
            if m.group("w") == "under" and (m.group().endswith(" tab") or "/" in m.group() or _A_MENU_AFTER.match(self.low, m.end()) or
                                            _A_FOLDER_BEFORE.search(self.low, max(0, m.start() - 16), m.start())):
                # "Under the *General* tab, choose ...", 'Under the "GitHub Desktop" dropdown menu', 'the "user"
                # folder under "home"', 'under "Font/Data/0"': inside a tab, a menu, a folder or a path
                self.take(*m.span())
                continue
            # "listed under *Learners*", "under the *Audience* section": below a label as a test script marks it
            self.relative(None, m.start(), m.end(), P.VERTICAL_WORD[m.group("w")])
        for m in self.scan(P.VERTICAL_RELATION) if self.words & _VERTICAL_RELATION_WORDS else ():
            w, head = (m.group("w"), m.group("head")) if m.group("w") else (m.group("w2"), m.group("head2"))
            words = _noun_phrase(self.low, m.start())
            if _SEARCHED.search(self.low, max(0, m.start() - 30), m.start()):
                self.take(*m.span())  # "reaches under her coat", "looks under his pillow": where a hand or eye goes
            elif P.measure_after(self.low, m.start() + len(w)):
                self.take(*m.span())  # "plants below 9ft tall": a measure, no thing
            elif head in _VALUES or head in _POINTERS and self.last_noun(m.end(), _POINTERS):
                self.take(*m.span())  # "the colors under the cursor", "roughness above the threshold": a pointer's
                # spot or a value, no thing in the picture
            elif head in L.CAMERA_NOUNS and self.low.endswith("from ", 0, m.start()):
                self.take(*m.span())  # "monks walking from below the camera": from beside the viewer, no thing pictured
            elif m.group("np2") and _AN_ADVERB_THEN.match(m.group("np2") + " "):
                self.take(*m.span())  # "a bar chart below showing ...", "a person below quickly reacts": "below" as an adverb
            elif w == "under" and (path := P.MENU_PATH.match(self.text, m.start())):
                self.take(m.start(), path.end())  # "under the Volume tab": inside an app's menu
            elif head in L.HEAD_PARTS and w in ("under", "underneath", "beneath") and \
                    not self.low.startswith(" of ", m.end()):  # (but "under the head of lettuce" is a thing)
                self.take(*m.span())  # "rubs under his chin": a place on someone's face ("above its head" is one)
            elif not _ambient(words, self.low[m.start():m.end() + 40], head, self.low[m.end():m.end() + 20]) and \
                    head not in P.NOT_A_REFERENCE:
                self.relative(None, m.start(), m.end(), P.VERTICAL_WORD[w])

    def coordinated(self, m: re.Match[str]) -> None:
        """The first of two relations that share one thing ("above and to the left of the bowl", "text
        above and below the animal"): a place beside that thing too, unless the thing is the picture."""
        if P.thing_noun(m.group("thing")) and m.group("thing") not in L.FRAME_NOUNS:
            side, height = _relation_sides(m.group("first"))
            self.relative(side, m.start("first"), m.end("first"), height)

    def placed_after_a_thing(self, pos: int) -> bool:
        """Whether the place at ``pos`` follows a thing the camera is on ("zooms in on the baby on the
        right", "pans from a bunny on the right"): that thing's place, not where the camera goes."""
        if not re.match(r"(?:on|at|in)\s", self.low[pos:pos + 3]):
            return False
        before = P.PREVIOUS_WORD.search(self.low, self.clause_start(pos), pos)
        if before is None or not re.search(r"\b(?:on|at|from|to|of|shows?|showing|reveals?|revealing)\s+(?:[a-z'-]+\s+){0,3}$",
                                           self.low[max(0, before.start() - 40):before.start()]):
            return False
        w = before.group("w")
        return P.thing_noun(w) and w not in L.FRAME_NOUNS and w not in L.CAMERA_NOUNS

    def held_over(self) -> None:
        """A thing held or hung over another: "holds a paper towel over a dish", "a canopy hangs over
        the bed" (a path, "flies over the town", and a cover, "a coat over a shirt", are not places)."""
        for m in self.scan(P.OVER_RELATION):
            if self.faces_just_before(m.start()):
                continue  # "Have the woman look over her shoulder": where she looks
            clause = self.low[self.clause_start(m.start()):m.start()]
            # a hand put over a thing reaches out over it, no place ("puts his right hand over the saucepan"; but over
            # the head it is above, and a hand raised over a thing is above it: "raise his hand over the glass"); and
            # clothes put on cover ("has put on a dark piece of clothing over both arms")
            reached = _A_HAND_JUST_BEFORE.search(clause) is not None and m.group("head") not in ("head", "heads")
            dressed = _PUTTING_ON.search(clause) is not None
            # ("The cursor hovers over a commit": a pointer on a screen, no thing kept there)
            held = P.HELD_THERE.search(clause) is not None and P.POINTER.search(clause) is None
            # "let there be a stop sign over the truck", "Have the room ... and a canopy over the bed": a thing
            # put there (but "put a coat over the shirt" covers it)
            opening = _FIRST_WORD.match(self.low, self.sentence(m.start()).start)
            asked = opening is not None and _PUT_THERE.fullmatch(opening.group("w")) is not None  # a request to put
            put = ((asked or _PUT_THERE.search(clause) is not None) and m.group("head") not in _WORN_OVER and
                   not any(w in F.PATH_VERBS for w in P.WORD.findall(clause)) and not reached and not dressed)
            # "a canopy over three children": a thing that is over what it shelters by what it is
            overhead = _OVERHEAD.search(self.low, max(0, m.start() - 16), m.start()) is not None
            if (held or put or overhead) and m.group("head") not in P.NOT_A_REFERENCE:
                self.relative(None, m.start(), m.end(), "top")

    def last_noun(self, end: int, also: set[str]) -> bool:
        """Whether the noun phrase ending at ``end`` ends there ("under the cursor, and ...") or goes on only
        with a word of ``also`` ("under the mouse cursor"; not "under the mouse pad")."""
        nxt = re.match(r"\s+([a-z]+)", self.low[end:end + 24])
        return nxt is None or nxt.group(1) in also or not P.thing_noun(nxt.group(1))

    def inside_a_relation(self, pos: int) -> bool:
        """Whether ``pos`` lies in the thing of a relation read already ("at the left of the bottom bar")."""
        return any(st.kind == "relative" and st.start < pos < st.end for st in self.found)

    def names_the_frame(self, tail: re.Match[str]) -> bool:
        """Whether an "of ..." tail (:data:`.places.OF_NOUN`) names the picture itself ("of the image"),
        not a thing called a frame ("of the wooden picture frame"); in a screenshot's description the
        app's window is the picture ("At the top of the window")."""
        if P.THE_PAGE.match(self.low, tail.start()):
            return True
        screenshot = "screenshot" in self.words
        if tail.group("head") in _APP_FRAMES and screenshot:
            return True
        words = {w.removesuffix("'s") for w in re.findall(r"[a-z']+", self.low[tail.start("np"):tail.end() + 24])[:2]}
        if not screenshot and self.a_program_screen(tail, words) or _A_PROGRAM_WINDOW.match(self.low, tail.start("np")):
            return True  # (and "on the left side of the drawing window", "at the bottom of the application window")
        if _A_NAMED_PANE.match(self.text, tail.start("np")):
            return False  # "at the bottom of the Background Settings pane": a pane's name, not the picture's background
        words |= {w[:-1] for w in words if w in _FRAMES_IN_GENERAL}  # "at the bottom of mobile screens"
        if words & {"plot", "plots"}:
            return True  # "in the bottom right of the plot": a plot described is the picture
        return bool(words & L.FRAME_NOUNS) and not L.OBJECT_FRAME.search(self.low, tail.start("np"), tail.end() + 24)

    def a_program_screen(self, tail: re.Match[str], words: set[str]) -> bool:
        """Whether an "of ..." tail names a program's screen, outside a screenshot's description: "of your Web
        interface", "of JupyterLab" (a program named as it spells itself), "of the RViz window", "of the
        <app>Cheese</app> window" (a window named after its program), or a window, editor, viewer ... with
        words of a program in the text ("click", "button", "toolbar", help-page markup)."""
        head = tail.group("head")
        named = _A_NAMED_WINDOW.match(self.low, tail.end()) if self.text[tail.start("head")].isupper() or \
            self.marked_up else None
        spelt_as_a_program = _AN_APP_NAME.fullmatch(self.text, tail.start("head"), tail.end("head"))
        return ("interface" in words
                or bool(_A_CAMEL_NAME.fullmatch(self.text, tail.start("head"), tail.end("head")))
                and tail.group("np") == head and not _A_NAMED_WINDOW.match(self.low, tail.end())
                or bool(named and spelt_as_a_program) and not _A_PART_OF_A_WINDOW.match(self.low, named.end())
                or bool(head in P.PROGRAM_SCREENS or named) and bool(self.words & _ON_A_SCREEN or self.marked_up)
                and not _A_PART_OF_A_WINDOW.match(self.low, named.end() if named else tail.end()))

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
        if self.words & L.GESTURE_VERBS and self.low.startswith("to", m.start()) and \
                _GESTURE.search(self.low, self.clause_start(m.start()), m.start()):
            # "swiping the image to the right", "When I scroll down to the bottom of the container": a finger's
            # gesture on a screen, no place of a thing
            self.take(m.start(), tail.end() if tail else m.end())
            return
        if self.low.startswith(("on", "in", "at", "the"), m.start()) and h_out != "center" and \
                _MOVED_IT.search(self.low, max(0, m.start() - 24), m.start()) and (tail is None or self.names_the_frame(tail)):
            # "move it in the left corner", "move it on the bottom of the slide", "Move it the top corner of the
            # slide" (the "to" left out): where it is moved to
            self.emit_moves(h_out, v, m.start(), tail.end() if tail else m.end())
            return
        if tail is None and (name := _OF_A_NAME.match(self.low, m.end())):
            self.relative(h_out, m.start(), name.end(), v)  # 'to the right of "Settings"', "of [45 49 66]"
            return
        if tail:
            words = {w.removesuffix("'s") for w in re.findall(r"[a-z']+", self.low[tail.start("np"):tail.end() + 24])[:2]}
            if h_out == "center" and not v and (words & _PLAYED or "attention" in words or _DOING.match(self.low, tail.start())):
                self.take(m.start(), tail.end())  # "in the middle of the video", "of taking a photo": a time
            elif self.names_the_frame(tail):
                if self.low.startswith("to", m.start()) and self.faces_just_before(m.start()):
                    self.take(m.start(), tail.end())  # "glancing to the left of the frame": where she looks
                    return
                # ("Move the mouse pointer towards the bottom of the window": where the pointer goes, a place)
                pointer = P.POINTER.search(self.low, self.clause_start(m.start()), m.start()) is not None
                if not pointer and (self.low.startswith("to", m.start()) and self.travels(m.start(), far=True) or
                                    self.low.startswith("into", m.start()) and self.moved_into(m.start())):
                    # "one ray swimming to the top right of the image", "Move the star into the right side of
                    # the slide": where it goes, a move per axis
                    self.emit_moves(h_out, v, m.start(), tail.end())
                    return
                self.emit("position", h_out, m.start(), tail.end(), v)
            elif self.low.startswith("the", m.start()) and h_out != "center" and not self.after_a_preposition(m.start()):
                self.take(m.start(), tail.end())  # "the left half of a sandwich": a part named, no place of it
            elif _a_time(re.findall(r"[a-z']+", self.low[tail.start("np"):tail.end() + 24])[:2]) or \
                    words & L.AMBIENT_NOUNS and h_out == "center" or \
                    tail.group("head") in ("camera", "cameras") and h_out in ("left", "right"):
                # "walks to the right of the camera": beside the viewer, no thing in the frame
                self.take(m.start(), tail.end())
            elif self.low.startswith(("to", "into"), m.start()) and self.faces_just_before(m.start()):
                self.take(m.start(), tail.end())  # "facing towards the top of the water", "looks into the upper corner"
            else:
                self.relative(h_out, m.start(), tail.end(), v)
            return
        nxt = re.match(r"\s+(?P<w>[a-z][a-z'-]*)(?P<particle>\s+(?:down|up|forward|forwards|back|backward|backwards|"
                       r"out|in|into|aside|away|off|onto|over|toward|towards|to)\b)?", self.low[m.end():m.end() + 40])
        if nxt and nxt.group("particle") and nxt.group("w") in ("step", "steps"):
            nxt = None  # "the man on the left steps down": the verb, not the stairs
        if not groups.get("part") and nxt and nxt.group("w") in _ARROWS:
            self.take(*m.span())  # "click on the right arrow button": an arrow pointing right
            return
        unit = _A_UNIT.match(self.low, m.end()) if not groups.get("part") else None
        if unit and (unit.group("w") is None or unit.group("w") not in P.NOT_A_THING):
            if h_out in ("left", "right") and not v and not self.of_a_thing(unit.end()):
                self.emit("position", h_out, m.start(), unit.end())  # "on the left shelf": one of a row
            else:
                self.take(*m.span())  # "in the top cabinet", "on the lower grill rack": one of a stack, a part
            return
        if not groups.get("part") and nxt and nxt.group("w") in P.UI_REGIONS and self.words & _ON_A_SCREEN:
            return  # "in the middle pane": a region of a program's screen, read with them
        if not groups.get("part") and nxt and (nxt.group("w") in P.SUBPART_NOUNS or nxt.group("w") in L.BODY_PARTS):
            self.take(*m.span())  # "on the bottom deck": a part of a thing, not of the frame
            return
        if not groups.get("part") and not v_raw and groups.get("h") == "middle" and nxt and \
                P.thing_noun(nxt.group("w")) and self.low.startswith(("on", "at", "by", "to", "from", "near"), m.start()):
            self.take(*m.span())  # "on the middle pedestal": the middle one of a row, not of the frame
            return
        if groups.get("h") == "right" and not v_raw and not groups.get("part") and nxt and nxt.group("w") in L.CORRECT_NOUNS \
                and not self.low.startswith(" of ", m.end() + nxt.end("w")):
            self.take(*m.span())  # "at the right location": the correct one (not "on the right option of wave")
            return
        if self.several_pictures and h_out in ("left", "right") and not v and groups.get("part") in (None, "side") and \
                not self.low.startswith("to", m.start()):
            self.take(*m.span())  # "each image shows a dog, and the dog on the right ...": the right photograph's
            return
        if self.situated and h_out in ("left", "right") and not v:
            self.take(*m.span())  # "a trash can is to the right" of a narrator in the room: no frame
            return
        if self.low.startswith("to", m.start()) and (self.facing(m.start()) or self.rounds_a_corner(m.start())) or \
                self.low.startswith("at", m.start()) and self.faces_just_before(m.start()):
            self.take(*m.span())  # "make her turn to the left", "looking at the left": which way she faces
            return
        if self.low.startswith("to", m.start()) and h_out in ("left", "right") and not v and self.travels(m.start()):
            if not groups.get("part") and self.noun_after(m.end()):
                return  # "walked to the left window": the left one of the windows (read as "the left window")
            self.emit("move", h_out, *m.span())  # "driving a plane across a rainbow to the right": where it goes
            return
        if v in ("top", "bottom") and not h_out and not groups.get("part") and nxt and P.thing_noun(nxt.group("w")) and \
                self.of_a_thing(m.end() + nxt.end("w")):
            self.take(*m.span())  # "Move the hand to the lower door of the wardrobe": a part of the wardrobe
            return
        if v in ("top", "bottom") and h_out in (None, "left", "right") and self.goes_up_or_down(m.start(), h_out, groups.get("part")):
            self.emit_moves(h_out, v, *m.span())
            return
        if self.low.startswith("to", m.start()) and h_out in ("left", "right") and \
                _ON_A_THING_AFTER.match(self.low, m.end()):
            self.take(*m.span())  # "an owl perched to the right on a branch": the branch's right, not the frame's
            return
        if self.low.startswith("to", m.start()) and h_out == "center" and not v and self.travels(m.start()):
            self.take(*m.span())  # "runs ..., then to the middle": where it goes, which no side names
            return
        to_a_thing = _TO_A_THING.match(self.low, m.end()) if h_out in ("left", "right") and not v else None
        if to_a_thing and re.match(r"(?:on|at)\s", self.low[m.start():m.start() + 3]):
            self.relative(h_out, m.start(), to_a_thing.end() - 1)
            return
        if h_out == "center" and not v and _BETWEEN.match(self.low, m.end()):
            self.relative("center", *m.span())
            return
        if self.refines_a_place(m.start()):
            self.take(*m.span())  # "in the middle, slightly to the right": within the place just named
            return
        if self.names_the_other_part(m.start(), h_out or v):
            self.take(*m.span())  # "the left side of the paper is full, the right side is empty": the paper's
            return
        if h_out in ("left", "right") and not v and not groups.get("part") and self.answers_a_relative(m.start(), h_out):
            self.relative(h_out, *m.span())  # "one is to the right of its box, the other to the left": of its box
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
                and not re.match(r"\s+to\s+(?:the\s+)?(?:left|right)\b", self.low[m.end():m.end() + 20])) and not (
                _BARE_CENTER.match(self.low, m.start()) and _NO_NOUN_AFTER.match(self.low, m.end())) and not (
                # "Two cornucopiae at bottom.": the picture's bottom (but "on top" is on top of something)
                v in ("top", "bottom") and self.low.startswith("at", m.start()) and _NO_NOUN_AFTER.match(self.low, m.end())) and not (
                self.low.startswith("from", m.start()) and _COUNTED.search(self.low, max(0, m.start() - 40), m.start())):
            return  # "on top", "to left": no frame position without "the" or a part word ("on left" is one; so is
            # "the second suitcase counting from top", an order counted from a side)
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

    def after_a_thing(self, pos: int) -> bool:
        """Whether a thing is named right before ``pos`` ("the icon left to grocery", "the option which is
        right side to the timer"), so that "left to ..." places it; after a verb or a person it is the
        verb "left" ("Ross is left to babysit") or a way ("turn right to face her")."""
        before = _THING_BEFORE.search(self.low, max(0, pos - 40), pos)
        if before is None:
            return False
        w = before.group("w")
        return P.thing_noun(w) and w not in _NOT_BEFORE_SIDE_TO and w not in L.MOTION_VERBS and \
            w not in L.FACING_VERBS and w not in L.GESTURE_VERBS

    def goes_up_or_down(self, pos: int, side: str | None, part: str | None) -> bool:
        """Whether a place with a top or bottom at ``pos`` is where something travels: "pulling a sled
        across the snow to the lower right", "move the block to the top right corner", "move all blocks
        toward the top" (a move on each axis named). A corner, side or edge may follow; "disappears to
        the top", with no side, is where it was last seen."""
        return (self.low.startswith("to", pos) or self.low.startswith("into", pos) and self.moved_into(pos)) and \
            (part or "corner").removesuffix("s") in ("corner", "side", "edge") and \
            self.travels(pos) and not (side is None and _VANISHES.search(self.low, self.clause_start(pos), pos)) and \
            not _GO_TO.search(self.low, self.clause_start(pos), pos + 2)

    def emit_moves(self, h: str | None, v: str | None, a: int, b: int) -> None:
        """A move on each axis a place names: "to the top right corner" is right and up (a centre, or a
        middle height, names no way). A pointer moved there ("move your mouse pointer to the top-left hot
        corner") names a place on the screen, no move in the picture."""
        if P.POINTER.search(self.low, self.clause_start(a), a):
            self.emit("position", h, a, b, v)
            return
        for way in (h if h in ("left", "right") else None, L.VERTICAL_MOTION.get(v or "")):
            if way:
                self.emit("move", way, a, b)

    def moved_into(self, pos: int) -> bool:
        """Whether a thing is moved into the place at ``pos`` ("Move the star into the right side of the
        slide"); a thing that comes into a place by itself ("drove into the lower right corner of the
        screen") is seen there, a position."""
        return _MOVE_VERB.search(self.low, self.clause_start(pos), pos) is not None

    def faces_just_before(self, pos: int) -> bool:
        """Whether the word right before ``pos`` is a verb of facing ("looking at the left")."""
        before = P.PREVIOUS_WORD.search(self.low, max(0, pos - 16), pos)
        return before is not None and before.group("w") in _FACES

    def after_a_preposition(self, pos: int) -> bool:
        """Whether a preposition (or a verb of touching) comes right before ``pos`` ("on the left side of the
        street", "touching the bottom of a box")."""
        before = P.PREVIOUS_WORD.search(self.low, max(0, pos - 16), pos)
        return before is not None and before.group("w") in _BEFORE_A_PLACE

    def rounds_a_corner(self, pos: int) -> bool:
        """Whether a turn through a corner ends right before ``pos`` ("rounds a corner to the right")."""
        return _ROUNDS_A_CORNER.search(self.low, max(0, pos - 40), pos) is not None

    def answers_a_relative(self, pos: int, side: str) -> bool:
        """Whether a bare side at ``pos`` answers a place beside a thing read earlier in its sentence with
        the opposite side ("one perfume is to the right of its box, while the other is to the left"):
        the same kind of place, its thing left unsaid."""
        start = self.sentence(pos).start
        return any(st.kind == "relative" and st.direction == opposite(side) and start <= st.start and st.end <= pos
                   for st in self.found)

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
            words = P.WORD.findall(carried)
            if "," in carried or _LINKS.intersection(words) or _NEW_CLAUSE.intersection(words):
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
        before = P.PREVIOUS_WORD.search(self.low, 0, word.start())
        return before is None or before.group("w") in L.DETERMINERS or before.group("w") in P.NOT_BEFORE_A_VERB

    def adjective(self, m: re.Match[str]) -> None:
        noun = m.group("noun")
        if noun in L.NOT_A_NOUN_AFTER_A_SIDE:
            return  # "has moved to the right closer to the cabinets": a way, then how near (read as a move)
        if m.group("v") is None and m.group("h") in ("upper", "lower", "top", "bottom") and \
                _RELATION_BEFORE.search(self.low, max(0, m.start() - 14), m.start()):
            return  # "Above the upper entablature": the thing a relation names, read with the relation
        if noun in ("one", "ones") and m.group("h") in ("left", "right", "leftmost", "rightmost") and \
                m.group("pre") == "the" and not m.group("v") and self.one_of_a_pair(m.group("h")):
            self.emit("position", P.HORIZONTAL_WORD[m.group("h")], m.start("h"), m.end())  # "the left one"
            return
        w, v_raw = m.group("h"), m.group("v")
        if noun in L.FURNITURE_UNITS:
            if w in ("left", "right", "leftmost", "rightmost") and not v_raw and not self.of_a_thing(m.end()):
                self.emit("position", P.HORIZONTAL_WORD[w], m.start("h"), m.end())  # "the left shelf"
            else:
                self.take(m.start("h"), m.end())  # "the top cabinet": one of a stack, a part
            return
        if not P.thing_noun(noun) or noun in L.BODY_PARTS and noun not in L.WORN_IN_PAIRS or noun in _ARROWS and not v_raw:
            return  # (but "the lower right arrow to expand the header" is where that arrow is)
        if w == "top" and not v_raw and noun in L.RANK_NOUNS:
            self.take(m.start("h"), m.end())  # "the top comment": the first of a ranked list
            return
        if re.match(r"\s+of\s", self.low[m.end():m.end() + 4]):
            tail = P.OF_NOUN.match(self.low, m.end())
            if m.group("pre") in _TOUCHING and tail and not self.names_the_frame(tail) and w in P.HORIZONTAL_WORD:
                self.relative(P.HORIZONTAL_WORD[w], m.start("h"), tail.end())  # "touching right wall of a box"
                return
            if noun in _GROUPS and w in P.HORIZONTAL_WORD and not v_raw:
                self.emit("position", P.HORIZONTAL_WORD[w], m.start("h"), tail.end() if tail else m.end())
                return  # "the right set of cabinets", "the left group of people": where the group is
            self.take(m.start("h"), m.end())  # "bottom slice of a pizza", "left end of mural": a part of a thing
            return
        if w == "left" and m.group("pre") not in L.DETERMINERS and self.text[m.start("noun"):m.start("noun") + 1].isupper():
            return  # "and left Lisa and James": the verb, before a name
        if w == "right" and not v_raw and noun in L.CORRECT_NOUNS and not self.low.startswith(" of ", m.end()):
            return  # "the right answer", "choose the right option" (but "the right option of wave" is a place)
        if w == "middle" and not v_raw:
            self.take(m.start("h"), m.end())  # "the middle toilet": the middle one of a row, frame or group
            return
        a = m.start("v") if v_raw else m.start("h")
        if w in ("top", "bottom", "upper", "lower", "topmost", "bottommost"):
            if v_raw:
                return
            after = re.match(r"\s+([a-z]+)", self.low[m.end():m.end() + 20])
            if w in ("lower", "upper") and noun in _AMOUNTS:
                self.take(a, m.end())  # "exporting to a lower resolution": less of an amount, no place
                return
            if noun in _COUNTS and after and after.group(1) not in L.DETERMINERS and after.group(1) not in P.NOT_BEFORE_A_VERB:
                self.take(a, m.end())  # "the top three rows", "the top two things": a ranking or a stack (not
                return  # "the bottom two a pale tan": the two at the bottom)
            self.emit("position", None, a, m.end(), P.VERTICAL_WORD[w])
            return
        h = P.HORIZONTAL_WORD[w]
        v = P.VERTICAL_WORD.get(v_raw or "")
        if v == "middle" and h == "center":
            v = None
        self.emit("position", h, a, m.end(), v)

    def of_a_thing(self, pos: int) -> bool:
        """Whether "of <a thing>" follows ``pos`` ("the left drawer of the desk": a part of the desk)."""
        tail = P.OF_NOUN.match(self.low, pos)
        return tail is not None and not self.names_the_frame(tail)

    def one_of_a_pair(self, side: str) -> bool:
        """Whether "the <side> one" picks a thing by its side: always for "left"; for "right" ("the
        right one" is also the correct one) only when the text names the left one too."""
        return side.startswith("left") or _THE_LEFT_ONE.search(self.low) is not None
