"""Phrases for where things are and how the whole picture's tone changes, built from the lexicon.

* own sides: "her left hand", "the bird's left", "to their right", "the left eye";
* frame positions: "on the left (side)", "in the top-right corner", "the left cat",
  "the bottom sheep", "at the center right";
* positions relative to another thing: "to the left of the sofa", "right of the ipad",
  "above the vase", "on top of the table";
* global tone: "increase the brightness", "make the image warmer", "darken the picture".
"""

from __future__ import annotations

import re

from . import lexicon as L
from .lexicon import alt

_DET = r"(?:the|a|an|this|that|these|those|some|one|two|three|four|five|six|several|many|both|each|every)"
_POSSESSOR = r"(?P<owner>[a-z]+'s|[a-z]+s'|his|her|their|its|my|your|our)"
_PART = r"(?:(?:side|edge|corner|part|third|area|region|portion|section|border|margin|quadrant|end)s?|half|halves)"
_V = r"(?:top|upper|bottom|lower|middle|center|centre)"
_HX = r"(?:left|right|center|centre|middle)"

# ----------------------------------------------------------------------------- own sides

# "he's left sitting": a contraction, not an owner
OWN_POSSESSIVE = re.compile(rf"\b(?!(?:he|she|that|there|who|what|here|let|where)'s\b){_POSSESSOR}\s+(?:own\s+)?(?:(?:upper|lower|top|bottom|front|back|far|immediate|direct)[\s-]+)?"
                            r"(?P<h>left|right)\b(?:[\s-]+(?:hand[\s-]+)?side\b)?")
OWN_BODY_PART = re.compile(rf"\b(?P<h>left|right)[\s-]+(?:(?:front|back|rear|hind|index|ring|middle|little|big)[\s-]+)?"  # "the right front
                           # paw", "the left ring finger"
                           rf"(?P<part>{alt(L.BODY_PARTS | L.WORN_IN_PAIRS)})(?:e?s)?\b")

# ------------------------------------------------------------------------ frame positions

# "on the left", "at the top-right corner", "in the center", "to the left side", "at left of"
PREP_PHRASE = re.compile(
    r"\b(?:on|at|in|to|into|onto|near|along|toward|towards|from|across|by|"
    # "inside the top right quadrant" (a part of the frame; not "inside the center-cut areas")
    r"(?:inside|within)(?=\s+the\s+(?:[a-z]+\s+){1,2}(?:quadrant|corner|half|section)s?\b))"
    r"\s+(?P<the>the\s+)?(?:(?:very|far|extreme|front|back|rear)\s+|(?:exact|dead)\s+(?=cent(?:er|re)\b(?!\s+of\b)))?"
    # ("in the exact centre", "the dead center": the frame's very middle; not "the exact center of each edge")
    # the vertical part before or after the side: "top left", "left bottom", "left side bottom", "right upper corner"
    rf"(?:corner[\s-]+)?(?:(?P<v>{_V})[\s-]+)?(?P<h>{_HX})(?:[\s-]+(?:side[\s-]+)?(?P<v2>top|bottom(?![\s-]+(?!{_PART}\b)[a-z]+\s+of\b)|"
    rf"(?:upper|lower)(?=[\s-]+{_PART}\b)))?"
    # ("the bottom lefthand side": the hand may be run together with the side)
    rf"(?:(?:[\s-]*hand)?[\s-]+(?P<part>{_PART}|foreground|background)|[\s-]*hand(?=\s+of\b))?\b")
# "the middle of the plane", "the centre of the image" (no preposition before it)
MIDDLE_OF = re.compile(r"(?:\b(?P<the>the\s+)|(?<=\bin\s))(?:very\s+)?(?P<h>middle|center|centre)(?=\s+of\b)")  # "in middle of"
# "on the top", "at the bottom edge", "on top of the fork", "to the bottom of the sink"
PREP_VERTICAL = re.compile(
    r"\b(?:on|at|in|to|into|onto|near|along|toward|towards|from|across|"
    # "drives past the bottom of the screen" (but "walks past the top of the stairs" is a path)
    r"past(?=\s+the\s+[a-z]+(?:\s+[a-z]+)?\s+of\s+the\s+(?:screen|frame|image|picture|video|shot)\b)|"
    # "touching the bottom of a box": in contact with that part of a thing
    r"touch(?:es|ed|ing)?(?=\s+the\s+(?:top|bottom)(?:\s+[a-z]+)?\s+of\b))\s+(?P<the>the\s+)?(?:very\s+)?"
    rf"(?P<v>top|bottom|upper|lower)(?:[\s-]+(?P<part>{_PART}|row))?\b(?!-)")
# "the left side", "the bottom half" (a frame part named as a thing)
SIDE_NOUN = re.compile(rf"\bthe\s+(?:(?P<v>{_V})[\s-]+)?(?P<h>left|right|top|bottom|upper|lower)[\s-]+(?:hand[\s-]+)?"
                       r"(?P<part>side|half|part|portion|corner|edge|third)\b")
# adjectives: "the left cat", "remove the right shower head", "top right giraffe", "right-side animals"
ADJECTIVE = re.compile(
    rf"(?:\b(?P<pre>{_DET}|of|to|from|in|on|at|near|with|and|remove|delete|erase|change|replace|make|turn|convert|"
    r"paint|color|colour|shift|swap|give|add|put|morph|recolou?r|touch(?:es|ed|ing)?|select|click|tap|choose|press)\s+|^\s*)"  # or the text's first word: "leftmost zebra"
    r"(?:(?:front|back|rear|far|very)[\s-]+)?(?:(?P<v>top|upper|bottom|lower|middle|center|centre)[\s-]+)?"
    r"(?P<h>left|right|top|bottom|upper|lower|middle|center|centre|leftmost|rightmost|topmost|bottommost)"
    r"(?:[\s-]+(?:side|most)|-hand(?=\s+[a-z]))?\s+(?P<noun>[a-z][a-z-]*(?:'s)?)")  # "the left-hand door"
# relative to a thing without a preposition: "right of the ipad", "left of the bread"
BARE_RELATIVE = re.compile(rf"\b(?P<h>left|right)\s+of\s+(?:{_DET}\s+)?[a-z]")
# a word that makes "to the ..." a way or a place rather than a thing: "left to right", "right to the edge"
PLACE_WORD = r"(?:left|right|top|bottom|center|centre|middle|edge|end|side|corner|front|back)\b"
# "the icon right to map", "the gift icon left side of text giveaways": beside a thing, said without "of the"
# or with "to" (but "Extend the hand a bit left to take pictures": "to" and a verb, a purpose)
# (only verbs of the body: a program's label may start with a verb, "the button right to use integrated video
# player", "open", "show", "help")
_A_PURPOSE = r"(?:take|get|grab|reach|hold|pick|put|place|make|look|touch|keep|give|catch|wave|point|avoid|move|turn|face)\b"
SIDE_TO = re.compile(rf"\b(?P<h>left|right)(?:[\s-]+(?:hand[\s-]+)?side)?\s+(?:to|of)\s+(?!(?:the\s+)?{PLACE_WORD}|{_A_PURPOSE})"
                     rf"(?:the\s+)?[a-z0-9]")
# vertical relations: "above the vase", "beneath the lamp post", "atop the bottle"
_STOP = r"(?!(?:and|or|with|in|into|on|onto|at|to|of|while|as|by|for|from|a|an|the|is|are|was|were|be|that|which)\b)"
# "below the 2nd description"; the head is no place word before a noun ("above the upper entablature")
_NP = rf"(?P<np>(?:{_STOP}[a-z0-9'-]+ +){{0,2}}?(?P<head>{_STOP}(?!(?:upper|lower|top|bottom)\s+(?!of\b)[a-z])[a-z][a-z'-]*))"
VERTICAL_RELATION = re.compile(rf"\b(?P<w>above|below|under|underneath|beneath|atop)\s+(?:{_DET}\s+|his\s+|her\s+|"
                               rf"their\s+|its\s+|[a-z]+'s\s+){_NP}\b"  # "under barney's foot"
                               # "above water", "above towels": a bare noun ("under" takes too many idioms)
                               # or a bare name of up to four words: "above glass panels", "below life expectancy"
                               rf"|\b(?P<w2>above|below|beneath|underneath|atop)\s+(?P<np2>(?:{_STOP}[a-z0-9][a-z0-9'-]*\s+){{0,3}}?"
                               rf"(?P<head2>{_STOP}[a-z0-9][a-z0-9'-]*))"
                               r"(?=\s*(?:$|[,.;!?]|\s+(?:and|with|in|on|at|while|beside|near|from|which|that)\b))")
# two relations sharing one thing: "10cm above and 5cm to the left of the bowl", "to the left of and on
# top of the tray" (the first has no thing of its own)
_RELATION = r"(?:above|below|beneath|underneath|on\s+top\s+of|(?:to\s+the\s+)?(?:left|right)\s+of)"
COORDINATED = re.compile(rf"\b(?P<first>{_RELATION})\s+(?:and|or)\s+(?:(?:about\s+)?\d[\d.]*\s*[a-z]{{0,6}}\s+)?"
                         rf"(?P<second>{_RELATION})\s+(?:{_DET}\s+|[a-z]+'s\s+|its\s+|their\s+)?(?P<thing>[a-z][a-z'-]*)")
# a measure after a vertical relation: "plants below 9ft tall", "above 30C", "under 20 dollars", "below $20"
# (a bare number is a thing on a screen: "click on option below 50", "just below 1259")
MEASURE = re.compile(r"\s+(?:about\s+|around\s+|roughly\s+)?(?P<money>[$\u00a3\u20ac])?\d[\d.,]*\s*(?P<unit>%|[a-z]+\b)?")
_UNITS = {"ft", "feet", "foot", "inch", "inches", "cm", "mm", "m", "km", "meter", "meters", "metre", "metres", "mile",
          "miles", "kg", "lb", "lbs", "pound", "pounds", "dollars", "dollar", "usd", "euros", "euro", "cents", "degrees",
          "degree", "c", "f", "k", "mph", "percent", "%", "calories", "kcal"}


def measure_after(low: str, pos: int) -> bool:
    """Whether a measure, not a thing, follows ``pos``: "below 9ft", "under 20 dollars", "above 30c"."""
    m = MEASURE.match(low, pos)
    return m is not None and (m.group("money") is not None or m.group("unit") in _UNITS)


# "under the Volume tab", "under the Tools & Hardware Category": inside a menu of an app, no place (the
# name is capitalised, as an app shows it; "under the water tab" is a tap)
MENU_PATH = re.compile(r"\b(?i:under)\s+(?:(?i:the)\s+)?(?:(?i:open|opened|expanded)\s+)?"
                       r"(?:[\"\u201c][^\"\u201d]{1,40}[\"\u201d]|[A-Z][\w'-]*(?:\s+(?:&\s+)?[A-Z][\w'-]*){0,4}(?:\s+[a-z][\w'-]*)?)\s+"
                       r"(?i:(?:drop-?down|context|pop-?up)\s+)?(?i:tab|tabs|"
                       r"category|categories|section|menu|submenu|option|options|settings|heading|folder|page)\b")
# "holds a towel over a bowl": "over" as a place only after a verb that keeps a thing there (it is
# mostly a path, "flies over the town", or a cover, "a coat over a shirt")
OVER_RELATION = re.compile(rf"\bover\s+(?:{_DET}\s+|his\s+|her\s+|their\s+|its\s+|[a-z]+'s\s+){_NP}\b")
HELD_THERE = re.compile(rf"\b{alt(L.forms('hang', 'hold', 'raise', 'dangle', 'suspend', 'hover', 'mount'))}\b")
# places in a structured prompt: a field ("- Position: Center", "Placement: top left") or a side as the
# label of a line or a sentence ("- Left: front view of the robot", a catalogue's "Top row: Europa and
# bull.", "Center, octagonal representation of Apollo")
LABELLED_PLACE = re.compile(r"(?:^|\n|(?<=[.;])\s+|(?<=[.;][\"'\u201d])\s+)[ \t]*(?:[-*\u2022][ \t]*)?(?:(?P<key>position|placement|location|alignment)[ \t]*:[ \t]*"
                            r"(?P<field>(?:(?:top|bottom|upper|lower)[\s-]+)?(?:left|right|center|centre|middle)|top|bottom)\b"
                            r"|(?P<label>left|right|center|centre|top|bottom)(?:[ \t]+row)?[ \t]*(?::|(?<!right),(?=[ \t]+[a-z])))")  # ("Right, now ...": a word of assent)
# "center" as a request: "Center the result", "and centre it" (the thing goes to the middle of the frame)
CENTER_VERB = re.compile(r"(?:^|[.;!\n]\s*|[-*\u2022]\s+|\b(?:and|then|please|now)\s+)(?P<v>center|centre)\s+"
                         r"(?:the|it|them|this|that|his|her|its|their|everything)\b")
# "the apple screen furthest left": the thing nearest that side of the frame
FURTHEST = re.compile(r"\b(?:furthest|farthest)\s+(?P<h>left|right)\b(?!\s+(?:of|on|in|at)\b)")  # not "furthest left on the plate"
# "centered" said of a thing, or as a prompt's tag: "the plate that is centered", "..., centered" (not
# "centered on the cat", a framing, nor "self-centered")
CENTERED = re.compile(r"(?:\b(?:is|are|was|were|be|been|being|stays?|remains?|sits?|displayed|and)|,)\s+(?:[a-z]+ly\s+)?"
                      r"(?P<w>cent(?:er|r)ed)\b(?!\s+(?:on|upon|around|at|over|about|within|between|by|to|under|"
                      r"above|below|inside|with|in(?!\s+the\s+(?:image|frame|picture|photo|shot|composition)\b))\b)")
# "a single centered logo", "Output: centered product" (not "user-centered design"); "subject centered with
# negative space on left", a prompt's shorthand (but "keep the person centered" is a framing)
CENTERED_THING = re.compile(r"(?<![-\w])(?P<w>cent(?:er|r)ed)\s+(?P<noun>[a-z][a-z-]*)\b|"
                            r"\b(?P<noun2>[a-z][a-z-]*)\s+(?P<w2>cent(?:er|r)ed)(?=\s*(?:$|[,.;:!)]|\s+(?:with|and)\b))")
# a thing and its corner in a prompt's shorthand: "logo top-right", "signature bottom left, date below"
THING_AT_A_CORNER = re.compile(r"\b(?P<noun>[a-z][a-z-]*)\s+(?P<v>top|bottom|upper|lower)[\s-]+(?P<h>left|right)\b"
                               r"(?![\s-]+(?:of|side|half|hand)\b)(?=\s*(?:$|[,.;:!)\"\u201d]|\s+(?:and|with|corner)\b))")
# "a second skier enters the frame, far right": a bare frame side after a pause
FAR_SIDE = re.compile(r"(?:^|[,;(]\s*)(?P<far>(?:far|extreme)[\s-]+(?P<h>left|right))\b(?![\s-]+(?:of|side|hand)\b)")
# a slide of a deck (not a slide show, a slide phone)
_SLIDE = r"slide(?![\s-]+(?:show|phone)\b)"
# "at the bottom of the page", "at top right corner of web page", "to the left side of the slide": on a
# screen the page is the picture, and in a slide deck the slide is
# (a 3D program's viewport too; but "to the left of the page number" is beside a thing on the page)
THE_PAGE = re.compile(r"\s+of\s+(?:the\s+|this\s+|that\s+|each\s+|every\s+|current\s+)?(?:(?:web[\s-]?|sign-in\s+|login\s+|"
                      rf"home\s+|default\s+|main\s+|settings\s+|search\s+|landing\s+|start\s+)?page|webpage|{_SLIDE}|viewport)\b"
                      r"(?!\s+(?:number|numbers|count|title|break|layout|size|margin|margins|header|footer|thumbnails?|range)\b)")
ON_A_SLIDE = re.compile(rf"\s+(?:on|in)\s+(?:the\s+|this\s+)?{_SLIDE}\b")  # "Move the image to the right side on Slide 2"
# a mouse, cursor or pointer: a hand at a desk, no thing in the picture ("the cursor hovers over a commit")
POINTER_WORDS = {"mouse", "cursor", "pointer"}
POINTER = re.compile(rf"\b{alt(POINTER_WORDS)}\b")
# regions of a program's screen, named by where they lie: "the bottom bar", "the left sidebar", "the middle pane"
UI_REGIONS = {"bar", "toolbar", "sidebar", "pane", "panel", "menubar"}
# what a program's picture is called: "the top-right corner of the window", "of the editor", "of the viewer"
PROGRAM_SCREENS = {"window", "editor", "interface", "workspace", "map", "viewer", "monitor", "ide", "gui"}
# a side named after the frame: "enters from frame left", "sits screen right"
# "Move the picture to slide right", "to slide top" (but "slide left the block" is the verb)
FRAME_SIDE = re.compile(r"(?:\b(?:(?:from|on|at|to|in)\s+(?:the\s+)?)?(?:frame|screen)\s+(?P<h>left|right)|"
                        r"\b(?:on|at|to|in|into|onto)\s+(?:the\s+)?slide\s+(?:(?P<h2>left|right)|(?P<v>top|bottom)))\b"
                        r"(?![\s-]+(?:of|side|hand|to\s+(?:the\s+)?(?:left|right))\b)")  # not "frame right to left": a path
# a place on a thing named by a pronoun: "at its top", "in its center", "above it", "below them"
OWN_PLACE = re.compile(r"\b(?:at|in|on)\s+(?:its|his|her|their)\s+(?:very\s+)?(?P<w>top|bottom|center|centre|middle)\b"
                       r"(?![\s-]+(?:left|right|half|part|portion|third|corner|edge|side|row|shelf|drawer|\d+|two|three|"
                       r"four|five|ten|twenty)\b)")  # not "in their top 3 posts": a ranking
# (not "the diagram above you can see ...": "above" is an adverb, "you" the subject of what follows)
PRONOUN_RELATION = re.compile(r"\b(?P<w>above|below|under|underneath|beneath|atop)\s+(?:it|them|you|us|him|her(?=\s*(?:$|[,.;!?])))\b(?!\s*-)"
                              r"(?!\s+(?:can|could|will|would|should|may|might|see|need|have|get)\b)")
# "stacked on top of each other": a relation among the things, no place
RECIPROCAL = re.compile(r"\b(?:on\s+top\s+of|above|below|under|beside|next\s+to)\s+(?:each\s+other|one\s+another|"
                        r"the\s+other(?:\s+one)?)\b")
# both sides at once: "to the left and right of the tree", "paw prints at the top and bottom" place
# nothing on one side (checked for opposite words by the reader)
_SIDE = r"(?:left|right|top|bottom|upper|lower)"
BOTH_SIDES = re.compile(rf"\b(?:on|at|in|to|into|onto|from|along|toward|towards|near|by|between)\s+(?:the\s+|both\s+)?"
                        rf"(?:(?:very|far)\s+)?(?P<a>{_SIDE})(?:[\s-]+(?:hand[\s-]+)?{_PART})?\s+(?:and|or|&)\s+"
                        rf"(?:the\s+)?(?:(?:very|far)\s+)?(?P<b>{_SIDE})\b(?:[\s-]+(?:hand[\s-]+)?{_PART}\b)?(?:\s+of\b)?")
OF_NOUN = re.compile(rf"\s+of\s+(?:(?:at\s+least|at\s+most|exactly|only)\s+)?(?:{_DET}\s+|his\s+|her\s+|their\s+|its\s+|my\s+|your\s+)?{_NP}")

VERTICAL_WORD = {"top": "top", "upper": "top", "topmost": "top", "bottom": "bottom", "lower": "bottom",
                 "bottommost": "bottom", "middle": "middle", "center": "middle", "centre": "middle",
                 "above": "top", "atop": "top", "below": "bottom", "under": "bottom", "underneath": "bottom",
                 "beneath": "bottom"}
HORIZONTAL_WORD = {"left": "left", "leftmost": "left", "right": "right", "rightmost": "right", "center": "center",
                   "centre": "center", "middle": "center"}

FUNCTION_WORDS = {"and", "or", "of", "to", "in", "on", "at", "by", "with", "the", "a", "an", "is", "are", "was",
                  "be", "it", "as", "so", "but", "then", "while", "from", "into", "onto", "for", "than", "that",
                  "this", "which", "who", "where", "when", "until", "after", "before", "if", "not", "no", "has",
                  "have", "had", "will", "would", "can", "could", "should", "must", "may", "might", "one", "ones",
                  "thing", "things", "sides", "towards", "toward", "through", "across", "along", "past", "over",
                  "around", "behind", "beside", "till", "off", "out", "up", "down", "he's", "she's", "it's",
                  "they're", "we're", "you're", "i'm", "he", "she", "they", "we", "you", "i", "again",
                  # "the two left together", "walked left instead": "left" the verb or an adverb
                  "together", "alone", "instead", "about", "among", "amongst", "too", "also", "like", "unlike", "next",
                  "do", "does", "did", "were", "isn't", "aren't", "doesn't", "don't", "didn't"}
NOT_A_THING = L.NOT_POSITION_NOUNS | FUNCTION_WORDS
# what "above"/"under" may name though "top"/"left" before it would not make a place: "above the deck"
# is a place, "the top deck" a part (shelves, drawers and cabinets: lexicon.FURNITURE_UNITS)
NOT_A_REFERENCE = NOT_A_THING - {"hat", "hats", "floor", "floors", "bunk",
                                 "deck", "tier", "layer", "lip", "lips", "jaw", "teeth", "tooth", "line", "lines",
                                 "body", "bodies", "wing", "lens", "lateral", "medial", "anterior", "posterior",
                                 "limb", "limbs"}  # ("Above the lateral parts are two statues")
# "on the bottom deck", "the top floor": a part of a thing, not a place in the frame (furniture, named by
# height or by side: lexicon.FURNITURE_UNITS)
SUBPART_NOUNS = {"floor", "floors", "bunk", "deck", "tier", "layer", "row",
                 "rows", "level", "levels", "lip", "lips", "jaw", "teeth", "tooth", "step", "steps", "picture",
                 "pictures", "photo", "photos", "panel", "panels", "poster", "posters", "painting", "paintings",
                 "compartment", "compartments", "page", "pages", "pane", "panes", "slot", "slots"}


def thing_noun(word: str) -> bool:
    """Whether ``word`` after a position adjective names a thing ("left cat"), not a filler ("left turn")."""
    w = word.removesuffix("'s")
    return w not in NOT_A_THING and w not in L.TIME_NOUNS and not w.endswith("ly")


# ------------------------------------------------------------------------ words

WORD = re.compile(r"[a-z]+")
PREVIOUS_WORD = re.compile(r"(?P<w>[a-z']+)[\s-]+$")  # the word just before a position
# words after which a verb form is an adjective or a noun: "the rising sun", "of falling leaves"
NOT_BEFORE_A_VERB = L.DETERMINERS | {"of", "on", "at", "in", "to", "into", "onto", "from", "by", "near", "upper"}


def place_parts(words: str) -> tuple[str | None, str | None]:
    """The horizontal and vertical parts of a place in the frame: "upper left" → ("left", "top")."""
    parts = re.split(r"[\s-]+", words)
    h = next((HORIZONTAL_WORD[w] for w in parts if w in ("left", "right")), None)
    v = next((VERTICAL_WORD[w] for w in parts if w in ("top", "upper", "bottom", "lower")), None)
    return h, v


# ------------------------------------------------------------------------------- tone

_INCREASE = alt((L.INCREASE_VERBS - {"add", "up", "more", "higher", "greater", "stronger", "turn", "lift"} -
                 L.forms("turn", "up", "raise")) | {"turn up", "turning up", "turns up", "raise", "raises",
                                                     "raising"})
_DECREASE = alt(L.DECREASE_VERBS - {"less", "lower", "weaker", "drop", "cut"} | {"lower", "lowers", "lowering"})
_LIGHT, _SAT, _CON = alt(L.LIGHT_NOUNS), alt(L.SATURATION_NOUNS), alt(L.CONTRAST_NOUNS)
TONE_NOUN = re.compile(rf"\b(?:(?P<inc>{_INCREASE})|(?P<dec>{_DECREASE}))(?:\s+(?:up|down))?\s+(?:the\s+|its\s+|an\s+|"
                       r"(?:image|picture|photo)'s\s+)?(?:overall\s+|global\s+|general\s+|sunshine\s+|sunlight\s+|natural\s+)?"
                       rf"(?:(?P<light>{_LIGHT})|(?P<sat>{_SAT})|(?P<con>{_CON}))\b")
_GLOBAL = alt(L.GLOBAL_NOUNS)
TONE_MAKE = re.compile(rf"\b(?:make|makes|making|made|render|renders|get|turn|let|have)\s+(?:the\s+|this\s+|my\s+|its\s+)?"
                       rf"(?:whole\s+|entire\s+|overall\s+)?(?:{_GLOBAL})(?:\s+(?:look|appear|seem|feel|be|become))?"
                       r"(?:\s+(?:a\s+(?:bit|little|touch)|slightly|much|even|somewhat|far|way|significantly))?\s+"
                       rf"(?P<cmp>{alt(L.TONE_COMPARATIVES)})\b")
# the picture said to be brighter, darker, ...: "the picture is brighter", "The photo should be warmer",
# "change to a brighter photograph" (a comparative of the whole picture asks for the change)
_PICTURE = r"image|picture|pic|photo|photograph|shot|scene|video|footage|frame"
TONE_STATED = re.compile(rf"\b(?:(?:the|this|my|its)\s+(?:whole\s+|entire\s+|overall\s+)?(?:{_PICTURE})\s+(?:is|are|should\s+be|"
                         r"must\s+be|needs\s+to\s+be|looks|appears|seems|gets|becomes)(?:\s+(?:now|a\s+(?:bit|little|touch)|"
                         r"slightly|much|even|somewhat|far|way|significantly)){0,2}\s+"
                         rf"(?P<cmp>{alt(L.TONE_COMPARATIVES)})|(?:a|an)\s+(?P<cmp2>{alt(L.TONE_COMPARATIVES)})\s+(?:{_PICTURE})s?)\b")
TONE_ADJECTIVE = re.compile(rf"\b(?P<cmp>{alt(L.TONE_COMPARATIVES)})(?:\s*,\s*[a-z]+er)?\s+(?:{alt(L.TONE_NOUN_AFTER_ADJECTIVE)})\b")
TONE_VERB = re.compile(r"\b(?P<verb>brighten\w*|lighten\w*|darken\w*|dim(?:s|med|ming)?|desaturat(?:e|es|ed|ing)\b|warm(?:s|ed|ing)?\s+up|"
                       r"cool(?:s|ed|ing)?\s+down|illuminat(?:e|es|ed|ing)|light(?:s|ed|ing)?\s+up)\b(?:\s+up)?"
                       r"(?P<rest>(?:\s+(?:the|this|my|its|his|her|their|your|our)\s+(?:whole\s+|entire\s+)?(?P<obj>[a-z]+))?)")
# verbs that state a tone change only with the picture as their object ("illuminate the scene",
# not "illuminating with precision", nor "the lamp lights up")
TONE_VERB_NEEDS_OBJECT = ("illuminat", "light")
TONE_TOO = re.compile(r"\btoo\s+(?P<w>dark|dim|bright|underexposed|overexposed)\b")
# "allowing more sunshine into image": more light let into the whole picture
MORE_LIGHT_IN = re.compile(rf"\bmore\s+(?:sunshine|sunlight|light|daylight)\s+(?:into|in|to)\s+(?:the\s+)?(?:{_PICTURE})\b")
# a change said as a noun: "a nice boost to contrast and saturation", "an overall increase in contrast"
_TONE_KIND = rf"(?:(?P<light{{n}}>{_LIGHT})|(?P<sat{{n}}>{_SAT})|(?P<con{{n}}>{_CON}))"
TONE_CHANGE_NOUN = re.compile(r"\b(?:a|an)\s+(?:[a-z]+\s+){0,2}?(?:(?P<inc>boost|increase|bump|rise|lift)|"
                              r"(?P<dec>reduction|decrease|drop|cut))\s+(?:to|in|of)\s+(?:the\s+)?(?:overall\s+|global\s+)?"
                              + _TONE_KIND.format(n="") + r"\b(?:\s+and\s+" + _TONE_KIND.format(n="2") + r"\b)?")
# more of it, said of the picture: "The overall image still has more contrast", "the higher contrast in the image"
TONE_MORE = re.compile(rf"\b(?:(?:{_PICTURE})\s+(?:still\s+|now\s+)?(?:has|have|had|gets?)|with|gives?(?:\s+it)?|giving(?:\s+it)?)\s+"
                       r"(?:(?:much|far|a\s+lot|a\s+bit|even)\s+)?"
                       rf"(?:(?P<inc>more|higher|greater|stronger)|(?P<dec>less|lower))\s+" + _TONE_KIND.format(n="") + r"\b|"
                       rf"\bthe\s+(?:(?P<inc2>higher|greater|stronger)|(?P<dec2>lower))\s+(?P<con2>{_CON})\s+(?:in|of)\s+"
                       rf"(?:the|this|your)\s+(?:{_PICTURE})\b")
TONE_FULL = re.compile(r"(?:\b(?:full|maximum|max)|\b100\s*%)\s+(?P<w>saturation|brightness|contrast)\b")

TONE_VERB_WORD = {"brighten": "brighter", "lighten": "brighter", "illuminat": "brighter", "light": "brighter",
                  "darken": "darker", "dim": "darker", "desaturat": "less_saturated", "warm": "warmer", "cool": "cooler"}
