"""Verb frames: the regular-expression building blocks the reader matches, built from the lexicon.

A frame is a verb class with the complements it takes: an inherent camera verb ("pan",
"truck", "dolly", "zoom") with a direction; a motion verb ("move", "fly", "advance") with an
optional object and a direction, whose agent (the camera or a thing in the picture) the
reader decides from the clause; a rotation verb with a sense; a mirror verb with an axis.
Everything matches the folded (lower-cased, same-length) text.
"""

from __future__ import annotations

import re

from . import lexicon as L
from .lexicon import alt

# ----------------------------------------------------------------------------- pieces

# adverbs and fillers that may sit between a verb and its direction ("moves slowly and
# smoothly downward", "pans slightly to the left", "trucks a little right")
ADV = (r"(?:\s+(?:[a-z]+ly|and|a\s+(?:little|bit|touch)(?:\s+bit)?|straight|further|farther|just|very|then|also|"
       r"now|once\s+more|again|all\s+the\s+way|way|somewhat|quite|more|back\s+to(?:\s+the)?|even|much|"
       r"up(?=\s+close\s+to\b)|back(?=\s+(?:up|down)\b)))*")  # "get up close to the car", "pans back down"
H = r"(?:left|right)(?:wards?)?"
VM = r"(?:up|down)(?:wards?)?"
# "towards" alone (no direction after it) is an approach: a zoom in when the camera is the agent; so is
# "close to" ("Get close to the monkey")
FWD = r"(?:forwards?|ahead|closer|nearer|close(?=\s+to\b)|towards?|toward|inwards?|in(?=\s*(?:$|[,.;!?)]|\s+(?:on|to|toward|towards|closer|and|while|with|at)\b)))"
BACKW = r"(?:backwards?|back(?!\s+and\s+forth)(?!\s+to\s+(?:the\s+)?(?:left|right|top|bottom)\b)|away|(?:farther|further)(?=\s*(?:$|[,.;!?]|\s+(?:to|from|and|away)\b))|outwards?|out(?=\s*(?:$|[,.;!?)]|\s+(?:from|to|and|while|with|of\s+the\s+(?:scene|frame|shot))\b)))"
# "to the left", "towards the right", "from right to left" (the destination counts)
# "from" may be left out after the verb: "pans left to right"
LEAD = (r"(?:\s+(?:(?:from\s+(?:the\s+)?(?:left|right|top|bottom|up|down)(?:\s+(?:side|edge))?|left|right|top|bottom)\s+"
        r"(?:to(?:wards?)?|toward)|"
        r"to(?:wards?)?|toward|in\s+the\s+direction\s+of|over\s+to)(?:\s+the)?)?")
SENSE = L.SENSE
DET = r"(?:the|a|an|this|that|these|those|his|her|their|its|my|your|our|some)"

CAMERA_NOUN = alt(L.CAMERA_NOUNS - {"view", "shot", "framing", "perspective", "gaze"})  # as an agent or object
VIEW_NOUN = alt({"view", "shot", "framing", "perspective", "camera view", "frame", "viewport"})
CONTENT_NOUN = alt(L.CONTENT_NOUNS)


def rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def direction_spec(words: str) -> str:
    """A direction complement: optional lead-in, adverbs, then one of ``words`` as group ``d``."""
    return rf"{ADV}{LEAD}{ADV}\s+(?P<d>{words})\b"


def normalise(word: str) -> str:
    """A direction word in our vocabulary: "leftwards" → "left", "forward" → "in"."""
    w = word.replace(" ", "")
    for stem in ("left", "right", "up", "down"):
        if w.startswith(stem):
            return stem
    if w in ("top",):
        return "up"
    if w in ("bottom",):
        return "down"
    if w.startswith(("forward", "ahead", "clos", "nearer", "in", "tight", "toward")):
        return "in"
    if w.startswith(("back", "away", "out", "wide", "far")):
        return "out"
    return w


def camera_kind(direction: str) -> str:
    return "zoom" if direction in ("in", "out") else "pan"


# ------------------------------------------------------------------- camera verb frames

# inherent camera verbs: (pattern, allowed directions); the camera is always the agent
CAMERA_FRAMES: list[tuple[set[str], re.Pattern[str]]] = [
    # pan / tilt: "pan (the camera) (to the) left", "tilts slightly upward", "pans from right to left"
    # "pans all the way to the top (of the tree)": the top is where the view goes
    # "pans closer to the cat": an approach, a zoom
    # "pans from a low angle upwards": where it starts said between
    (L.PAN_VERBS, rx(rf"\b{alt(L.PAN_VERBS)}(?:\s+(?:the\s+)?(?:{CAMERA_NOUN}|{VIEW_NOUN}))?(?:\s+from\s+an?\s+(?:low|high|wide|side)\s+angle)?"
                     rf"{direction_spec(H + '|' + VM + '|top|bottom')}"
                     r"|\b" + alt(L.PAN_VERBS) + r"\s+(?P<d2>closer|nearer|(?:farther|further)(?=\s+(?:to|from|away)\b))\b")),
    (L.TILT_VERBS, rx(rf"\b{alt(L.TILT_VERBS)}(?:\s+(?:the\s+)?(?:{CAMERA_NOUN}|{VIEW_NOUN}))?{direction_spec(VM + '|top|bottom')}")),
    # "The camera angles down and captures a boat": a tilt said with "angle" (only with the camera named,
    # since "a shelf angled down" is a thing's pose)
    ({"angles", "angled", "angling"}, rx(rf"\b(?:camera|drone|lens)\s+(?:[a-z]+ly\s+|then\s+)?(?:angles|angled|angling)\s+(?P<d>{VM})\b"
                                        r"(?!\s+(?:the|a|an)\s)")),
    # noun forms: "a gentle downward tilt", "an upward pan"
    ({"tilt", "pan"}, rx(rf"\b(?P<d>{VM}|{H})(?:\s+[a-z]+)?\s+(?:tilt|pan)\b(?!\s*-)")),
    # truck / track sideways, pedestal / crane / boom vertically, dolly / track along the axis
    (L.TRUCK_VERBS, rx(rf"\b{alt(L.TRUCK_VERBS)}(?:\s+the\s+camera)?{direction_spec(H + '|forwards?|backwards?')}")),
    (L.PEDESTAL_VERBS, rx(rf"\b{alt(L.PEDESTAL_VERBS)}(?:\s+the\s+camera)?{direction_spec(VM + '|top|bottom')}")),
    (L.DOLLY_VERBS, rx(rf"\b{alt(L.DOLLY_VERBS)}(?:\s+the\s+camera)?"
                       rf"{direction_spec(FWD + '|' + BACKW + '|in|out|' + H + '|' + VM)}")),
    # zoom: "zoom in", "zooms out", "zoom into the face", "a quick zoom-in"
    # "zooms back into" (back = again), "zooms to a river" (to a thing: in)
    (L.ZOOM_VERBS, rx(rf"(?<!-)\b{alt(L.ZOOM_VERBS)}(?:\s+(?:the\s+)?(?:{CAMERA_NOUN}|lens|{VIEW_NOUN}))?{ADV}[\s-]+"
                      r"(?:back\s+(?=in|out))?(?P<d>into|inwards?|in|outwards?|out|closer|back|away(?=\s+from\b))\b")),
    # a pan or a move that ends in a close-up or a wide view: "pans to a close-up of the pouring", "pans from a
    # distance to close-up on a building", "pans to a wide-angle of the room" (a cut to a close-up is no camera move)
    (L.PAN_VERBS | L.DOLLY_VERBS | L.TRUCK_VERBS, rx(rf"\b{alt(L.PAN_VERBS | L.DOLLY_VERBS | L.TRUCK_VERBS)}(?:\s+[a-z]+ly)?"
                                                    r"(?:\s+from\s+(?:a\s+)?(?:distance|afar|a\s+wide\s+shot|wide))?\s+(?:in)?to\s+"
                                                    r"(?:a\s+|an\s+)?(?:extreme\s+)?(?P<d>close(?=[\s-]?up)|wide(?=[\s-]?(?:angle|shot|view)))"
                                                    r"[\s-]?(?:up|angle|shot|view)\b")),
    # push in / pull back / pull out (as verbs or as the named move "performs a push in")
    # (but "pushed in the chest with a stick": "in" opens a phrase)
    (L.forms("push"), rx(r"\b(?:push(?:es|ed|ing)?)(?:\s+the\s+camera)?[\s-]+(?P<d>in)\b(?!\s+front)"
                         rf"(?!\s+{DET}\s)")),
    (L.forms("pull") | L.forms("back"),
     # not "pull out some contents", "pulls back the curtain": a thing pulled
     rx(rf"\b(?:pull(?:s|ed|ing)?|back(?:s|ed|ing)?)(?:\s+the\s+camera)?[\s-]+(?P<d>back|out|away)\b"
        rf"(?!\s+of\b)(?!\s+(?:{DET}|all|any)\s+(?!camera\b|view\b|shot\b|lens\b|frame\b))")),
    # the named move "a pull forward shot" (the way back, "a pull back shot", is read above)
    ({"pull"}, rx(r"\b(?:a|an|the)\s+(?:[a-z]+\s+)?pull[\s-]+(?P<d>forward)\b")),
    (L.forms("crop"), rx(r"\bcrop(?:s|ped|ping)?(?:\s+(?:the\s+(?:image|picture|photo|shot|frame)))?\s+(?P<d>in|tighter)\b")),
    # "a closer shot", "a more close shot", "a farther shot of the balls"
    ({"closer", "wider", "tighter", "close", "farther"},
     rx(r"\b(?P<d>closer|wider|tighter|(?<=more\s)close|farther)\s+(?:view|shot|framing|crop|angle)\b")),
    (L.forms("widen", "tighten"), rx(r"\b(?P<d>widen|tighten)(?:s|ed|ing)?\s+the\s+(?:view|shot|framing|crop)\b")),
    ({"close", "wide"}, rx(r"\b(?:add|make|give|use|take|get|create)\s+(?:it\s+)?an?\s+(?P<d>close(?=[\s-]?up)|wide)"
                           r"(?:[\s-]?up|[\s-]angle)?(?:\s+lens)?\s+(?:shot|view)\b")),
    # "show more of the scene on the left" = the new view lies further left = pan left
    ({"more"}, rx(r"\b(?:show|shows|reveal|reveals|include|includes)\s+more(?:\s+of\s+(?:the\s+)?[\w-]+)?\s+"
                  r"(?:on|to|towards?|at)\s+the\s+(?P<d>left|right)\b(?!\s+of\s+(?:the\s+|a\s+|an\s+)?(?!image\b|"
                  r"picture\b|photo\b|frame\b|scene\b)\w)")),
]

# camera moves whose direction the words imply without naming it: (words needed, pattern, direction)
IMPLIED_CAMERA_FRAMES: list[tuple[set[str], re.Pattern[str], str]] = [
    # "zooms to a river" (to a thing), "Zoom on the dog's face" (no particle): a zoom in
    # (but "Adjusts the zoom to have the full width fit": a purpose; "zoom to 100%", "zooms to the extent of the
    # features": a level; no way)
    (L.ZOOM_VERBS, rx(rf"\b{alt(L.ZOOM_VERBS)}\s+to\b(?!\s+(?:the\s+(?:left|right|top|bottom)|fit|have|make|show|see|get|"
                      r"match|fill|display|keep|increase|enlarge|magnify|my|your|selected|selection)\b|\s+\d|"
                      # a map's or a program's own things: "Zoom to my location", "zoom to your GPS data"
                      r"\s+(?:[a-z]+\s+){0,4}?(?:levels?|values?|extent|scale|data|features|layers?|location|cursor)\b)"), "in"),
    # "increases the zoom level", "decrease the zoom": more or less zoom
    ({"increase", "increases", "increasing", "increased"},
     rx(r"\bincreas(?:e|es|ed|ing)\s+the\s+zoom(?:\s+(?:level|factor))?\b(?!\s+to\b)"), "in"),
    ({"decrease", "decreases", "decreasing", "decreased"},
     rx(r"\bdecreas(?:e|es|ed|ing)\s+the\s+zoom(?:\s+(?:level|factor))?\b(?!\s+to\b)"), "out"),
    # "zooms up on the players" (not "turn zoom on and off": a setting switched)
    (L.ZOOM_VERBS, rx(rf"\b{alt(L.ZOOM_VERBS)}(?:\s+up)?(?=\s+on\s+)(?!\s+on\s+(?:and|or)\s+off\b)"), "in"),
    # a closer framing asked for: "a closer-up photograph", "the same scene more close up", "Close up on
    # dog face" (as a request)
    ({"closer", "close"}, rx(r"\b(?:closer|more\s+close)[\s-]+up\b|^\s*close[\s-]?up\s+on\b"), "in"),
]

# a camera move continued by "and (then) <direction>": "pans left and then right",
# "dollies forward and downward"
CONTINUATION = rx(rf"\s*,?\s+(?:and\s+then|and|then){ADV.replace('and|', '')}\s+(?:to(?:wards?)?\s+(?:the\s+)?)?"
                  rf"(?P<d>{H}|{VM})\b(?!\s+and\b)(?!\s+(?:of|side\s+of)\b(?!\s+the\s+(?:screen|frame|image|picture)\b))")

# ------------------------------------------------------------------------ rotation

# a camera roll turns the picture content the other way
ROLL = rx(rf"\b{alt(L.ROLL_VERBS)}{ADV}(?:\s+(?:in\s+an?\s+)?)?\s*(?P<s>{SENSE})\b")
ROLL_NOUN = rx(rf"\b(?P<s>{SENSE})\s+(?:roll|rolling)\b")
# an orbit's sense is about the path around the subject, not the picture: reserved, no fact
ORBIT = rx(rf"\b(?:{alt(L.ORBIT_VERBS)})\b[^.;,]{{0,40}}?\b{SENSE}\b|\b{SENSE}\s+(?:arc|orbit|circle|path)\b")
ROTATE = rx(rf"\b(?P<verb>{alt(L.ROTATE_VERBS - L.ROLL_VERBS)})\b(?P<obj>[^.;]{{0,60}}?)\b(?P<s>{SENSE})\b")
# a turn told by a side with its sense in brackets, far from its verb: "rotates the camera in the active 3D view
# around the view direction in 90-degree increments towards the left (counterclockwise)"
ROTATE_BY_SIDE = rx(rf"\b(?P<verb>{alt(L.ROTATE_VERBS - L.ROLL_VERBS)})\b(?P<obj>(?:[^.;]|\.(?=\w)){{0,140}}?)\btowards?\s+the\s+(?:left|right)"
                    rf"\s*\((?P<s>{SENSE})\)")
ROTATE_NOUN = rx(rf"\b(?P<s>{SENSE})\s+(?:rotation|turn|spin|twist)\b")

# ------------------------------------------------------------------------- mirrors

_PICTURE = (r"(?:the\s+)?(?:whole\s+|entire\s+|input\s+|source\s+)?(?:image|picture|photo|photograph|scene|view|viewport|frame|shot|pic|"
            r"composition|canvas|video|footage)")
# "mirror the image", "flip it horizontally", "flip the picture left to right"; "invert"/"reverse"
# only with an axis ("invert the colors" is no mirror)
_BARE_MIRROR = alt(L.forms("mirror", "flip", "flop"))
MIRROR = rx(rf"\b(?:{alt(L.MIRROR_VERBS)})\b(?:\s+{_PICTURE}|\s+it)?\s+(?:along\s+the\s+vertical\s+axis|horizontally|"
            r"left[\s-]+(?:to|for)[\s-]+right|right[\s-]+to[\s-]+left|from\s+left\s+to\s+right|from\s+right\s+to\s+left|"
            r"side[\s-]+to[\s-]+side)"
            rf"|\b{_BARE_MIRROR}\s+{_PICTURE}(?=\s*(?:$|[,.;!?]|\s+(?:and|to)\b|\s+so\b(?!\s+(?:that\s+)?the\s+top\b)))"
            r"|\bhorizontal(?:ly)?[\s-]+(?:flip(?:ped)?|mirror(?:ed|ing)?)\b|\bmirror(?:ed)?[\s-]+(?:image|version)\s+of\s+the\b"
            # "the left side is now on the right, and the right now on the left": the sides swapped
            r"|\b(?:the\s+)?left(?:\s+side)?\s+(?:is\s+now|becomes|ends\s+up)\s+(?:on\s+)?the\s+right(?:\s+side)?"
            r"(?:\s*,?\s+and\s+(?:the\s+)?right(?:\s+side)?\s+(?:is\s+)?(?:now\s+)?(?:on\s+)?the\s+left(?:\s+side)?)?\b"
            # "The left and right sides are swapped."
            r"|\b(?:the\s+)?(?:left\s+and\s+right|right\s+and\s+left)(?:\s+sides)?\s+(?:are|get|were|will\s+be)\s+"
            r"(?:swapped|switched|exchanged|reversed|inverted)\b")
# both axes at once: "flip the image horizontally and vertically" (a mirror and a flip); "horizontally or
# vertically" is either, no fact
BOTH_AXES = rx(rf"\b(?:{alt(L.MIRROR_VERBS)})\b\s+{_PICTURE}\s+(?P<h>horizontally)\s+(?P<c>and|or)\s+vertically\b")
FLIP_V = rx(rf"\b(?:{alt(L.MIRROR_VERBS)})\b(?:\s+{_PICTURE}|\s+it)?\s+(?:vertically|upside[\s-]+down|top[\s-]+to[\s-]+bottom)"
            r"|\bvertical(?:ly)?[\s-]+(?:flip(?:ped)?|mirror(?:ed|ing)?)\b"
            # "Mirrors the image so the top becomes the bottom"
            r"|\b(?:the\s+)?top\s+(?:becomes|is\s+now|ends\s+up)\s+(?:at\s+|on\s+)?the\s+bottom\b"
            # "The top and bottom are swapped."
            r"|\b(?:the\s+)?(?:top\s+and\s+(?:the\s+)?bottom|bottom\s+and\s+(?:the\s+)?top)(?:\s+sides)?\s+"
            r"(?:are|get|were|will\s+be)\s+(?:swapped|switched|exchanged|reversed|inverted)\b")

# ---------------------------------------------------------------------- motion verbs

# Verb-anchored frames: (the verbs, what must follow the verb). The reader finds the verb as a
# word of the text and matches the rest right after it, which is much faster than one
# alternation of hundreds of verb forms tried at every position.
_MOTION_DIRECTIONS = direction_spec(H + '|' + VM + '|' + FWD + '|' + BACKW)
# the camera as the verb's object: "move the camera down", "shift the view right"
CAMERA_OBJECT = (L.MOTION_VERBS, rx(rf"\s+(?:(?:the|his|her|their|my|your|our)\s+)?(?:{CAMERA_NOUN}|{VIEW_NOUN})"
                                    rf"{_MOTION_DIRECTIONS}"))
# the picture as the verb's object: which way it moves is ambiguous (camera or content)
CONTENT_OBJECT = (L.forms("move", "shift", "slide", "pan", "scroll", "drag", "push", "offset", "nudge"),
                  rx(rf"\s+(?:the\s+)?(?:{CONTENT_NOUN}){direction_spec(H + '|' + VM)}"))
# turn/point with a direction: a pan only when the camera turns ("camera view turns to the right")
TURN_INTRANSITIVE = (L.forms("turn"), rx(direction_spec(H + '|' + VM)))
# an intransitive motion verb with a direction; its agent comes from the clause
MOTION_INTRANSITIVE = (L.MOTION_VERBS - L.ROLL_VERBS - L.forms("turn", "point") | L.forms("continue"),
                       rx(_MOTION_DIRECTIONS))
# a transitive move of a thing: "move the red circle (to the) left", "shift the cup on the left right"
NAMED_AT = rx(r"\b(?:on|at|in|near)\s+the\s+(?:(?:top|upper|bottom|lower|middle)[\s-]+)?(?:left|right|centre|center)"
              r"(?:[\s-]+(?:side|half|edge|corner|part))?\b")
# "put the mug further right", "move the black and yellow hammer further left": a thing already there, moved on
FURTHER_MOVE = rx(rf"\b(?:put|puts|putting|place|places|placed|placing|set|sets|setting|position|positions|positioned|"
                  rf"{alt(L.forms('move', 'shift', 'slide', 'push', 'nudge', 'drag'))})\b"
                  r"[^.,;:!?]{1,60}?\b(?:further|farther)\s+(?:to(?:wards?)?\s+(?:the\s+)?)?(?P<d>left|right|up|down)\b")
MOVE_VERB_WORDS = L.forms("move", "shift", "slide", "push", "drag", "nudge", "relocate", "reposition", "pull", "lift",
                          "raise", "lower", "bring", "roll", "carry", "scoot")
# the first direction word after a moved thing, with what may lead into it
MOVE_DIRECTION = rx(rf"(?:\s+(?:to(?:wards?)?|toward|over\s+to)(?:\s+the)?|\s+from\s+(?:the\s+)?(?:left|right|top|bottom)\s+to"
                    rf"(?:\s+the)?)?{ADV}\s+(?P<d>{H}|{VM})\b")
NOT_IN_AN_OBJECT = {"and", "while", "then", "into", "onto", "from", "by", "for", "so", "as", "is", "are", "was",
                    "forward", "forwards", "backward", "backwards", "back", "away", "out", "in", "to", "towards",
                    "toward", "up", "down", "left", "right", "across", "along", "past", "through", "around"}
CLAUSE_END = rx(r"[.,;:!?()\n]")

# a camera move named as a noun with its direction: "an upward movement", "a slight forward movement",
# "a leftward trucking motion" (an indefinite article: "the upward motion", "its backward motion" restate one)
MOTION_NOUN = rx(r"\b(?:a|an)\s+(?:[a-z]+\s+){0,3}?(?P<d>(?:up|down|left|right|for|back)wards?)"
                 r"(?:\s+(?:trucking|tracking|dolly|dollying|pedestal|craning|crane|booming|boom|lateral|vertical|camera))?"
                 r"\s+(?:movement|motion|move|drift|shift|translation|glide|travel)\b")
# after a verb whose own meaning is a vertical way (L.VERTICAL_VERBS), no direction word of its
# own follows: "the camera gently descends" (not "descends towards the sea", read elsewhere)
NO_WAY_AFTER = rx(r"(?!\s+(?:up|down|upwards?|downwards?|forwards?|backwards?|towards?|toward|"
                  r"in|out|left|right|above|over|across|through|along|around|past|high)\b)")

# a thing's path between two places of the frame: "flies from right to the left", "moves from top to
# bottom", "streaks from upper left to lower right corner", "moving left to right" (after a verb)
_END = r"(?:(?:upper|lower|top|bottom)[\s-]+)?(?:left|right)|top|bottom"
# (the first place may name the picture: "walked from the bottom of the screen to the top")
_OF_THE_PICTURE = rf"(?:\s+of\s+the\s+(?:{alt(L.FRAME_NOUNS - {'view', 'foreground', 'background', 'composition', 'gaze'})}))?"
# (a transition's path may start or end off the screen, or end in the middle: "Slides from left offscreen
# to center", "from top offscreen down to center")
_OFFSCREEN = r"(?:[\s-]+off[\s-]?screen)?"
PATH = rx(rf"\b(?:from\s+(?:the\s+)?)?(?P<a>{_END})(?:[\s-]+(?:hand[\s-]+)?(?:side|edge|corner))?{_OFFSCREEN}{_OF_THE_PICTURE}"
          rf"(?:\s+(?:up|down))?\s+(?:to(?:wards?)?|toward)"
          rf"\s+(?:the\s+)?(?P<b>{_END}|cent(?:er|re)|middle)\b(?:[\s-]+(?:hand[\s-]+)?(?:side|edge|corner)\b)?{_OFFSCREEN}")
PATH_VERBS = L.MOTION_VERBS | L.forms("sweep", "streak", "stream", "flow", "pass", "cross", "scroll", "spread", "fly",
                                     "drive", "ride", "race", "dash", "dart", "zip", "zoom", "pop", "bounce", "leap",
                                     "jump", "hop", "crawl", "march", "wander", "slide", "glide", "blow", "shoot",
                                     "disappear", "vanish", "return", "carry", "flash", "throw", "toss", "fling", "hurl",
                                     "kick")  # "disappears to the left": out of the frame that way

# a thing leaving the frame: "exits frame left", "exits to the right", "leaves the screen to the left";
# a direction named as one: "takes off in the left direction"
EXIT = rx(r"\b(?:(?:exit|exits|exited|exiting)(?:\s+(?:the\s+)?(?:frame|screen|shot|view|scene|picture))?|"
          r"(?:leave|leaves|leaving)\s+(?:the\s+)?(?:frame|screen|shot|view|scene|picture))"
          r"(?:\s+(?:to(?:wards?)?|toward|on)(?:\s+the)?)?\s+(?P<d>left|right|top|bottom)\b(?!\s+(?:of|side|hand|corner)\b)"
          r"|\b(?:in|to|towards?)\s+(?:the\s+|a\s+)?(?P<d2>left|right|up|down)(?:wards?)?\s+direction\b"
          # "exits left of frame", "exits the left of the frame": the frame's side it leaves by
          r"|\b(?:exit|exits|exited|exiting|leave|leaves|left|leaving)\s+(?:(?:through|by|via)\s+)?(?:the\s+)?"
          r"(?P<d3>left|right|top|bottom)(?:[\s-]+(?:side|edge))?\s+of\s+(?:the\s+)?(?:frame|screen|shot|picture)\b"
          # "walks out from the left side": the side it leaves by
          rf"|\b{alt(L.forms('walk', 'go', 'run', 'move', 'step', 'drive', 'ride', 'fly'))}\s+out\s+(?:from|through|by|via|to)\s+"
          r"(?:the\s+)?(?P<d4>left|right)(?=[\s-]+side\b|\s*(?:$|[,.;!?]|\s+(?:and|while|then)\b))"
          # "a left exit is made": the exit named by its side (but "take the right exit" is a road's)
          r"|(?<!take\s)(?<!takes\s)(?<!took\s)(?<!taking\s)\b(?:a|an|the|its|his|her|their)\s+(?P<d5>left|right)\s+exit\b"
          # "turns and leaves to the left": after a word that makes "leaves" the verb (see grammar)
          r"|\b(?:and|then|he|she|it|they|who|which|that)\s+(?:[a-z]+ly\s+)?(?:leaves|left)\s+(?:to(?:wards?)?|toward)\s+"
          r"(?:the\s+)?(?P<d6>left|right)\b(?![\s-]+(?:of|side|hand|corner|edge)\b)")
# a thing leaving through a side or corner of the picture: "left quickly from the right side", "leave from
# the top of the screen", "walked out of the upper left corner of the screen" (it goes that way, per axis)
_LEAVES = alt(L.forms("exit", "leave") | {"left"})
EXIT_BY = rx(rf"\b(?:(?P<verb>{_LEAVES})(?:\s+[a-z]+ly)?\s+(?:from|through|out\s+of)|"
             rf"{alt(L.forms('walk', 'go', 'run', 'move', 'step', 'drive', 'ride', 'fly', 'get', 'come'))}"
             r"(?:\s+[a-z]+ly)?\s+out\s+of)\s+(?:the\s+)?(?P<p>(?:(?:upper|lower|top|bottom)[\s-]+)?(?:left|right)|top|bottom)"
             rf"(?:[\s-]+(?:hand[\s-]+)?(?:side|edge|corner))?{_OF_THE_PICTURE}"
             r"(?=\s*(?:$|[,.;!?]|(?:and|while|then|to|into|onto|toward|towards|as)\b))")  # not "the left door"
# a move said by where it starts alone: "the camera moves from left" (and so goes right)
FROM_ONE_SIDE = rx(rf"\b{alt(L.MOTION_VERBS)}\s+from\s+(?:the\s+)?(?P<d>left|right)(?:[\s-]+side)?\b"
                   r"(?!\s+(?:to|toward|towards|of|(?:and|or)\s+(?:the\s+)?(?:left|right))\b)")

# a relation to another thing right after a direction word ("left of the sofa")
OF_TAIL = rx(rf"(?:[\s-]+(?:hand[\s-]+)?(?:side|half|edge|corner|part|end))?\s+of\s+(?:{DET}\s+)?(?P<noun>[a-z][a-z'-]*)")
# a clause whose subject is the camera, or that starts with a camera verb: where the camera
# is ("the camera begins at the top", "soars above the desert") is no edited thing's place
CAMERA_CLAUSE = rx(rf"\b(?:{CAMERA_NOUN})\b|^\s*(?:[a-z]+ly\s+)*(?:{alt(L.PAN_VERBS | L.TILT_VERBS | L.TRUCK_VERBS | L.DOLLY_VERBS | L.ZOOM_VERBS | L.PEDESTAL_VERBS | L.ORBIT_VERBS | L.ROLL_VERBS)})\b")

# a sentence whose subject is the camera ("The camera, mounted on the car, trucks left")
CAMERA_SUBJECT = rx(rf"\b(?:{CAMERA_NOUN}|the\s+view)\b(?:\s*,[^,.;]{{0,80}},)?(?:\s+(?:[a-z]+ly|first|then|also|now|still|again))*"
                    r"\s+(?:is\s+|"
                    r"begins\s+to\s+|starts\s+to\s+|continues\s+to\s+)?(?:[a-z]+-)?[a-z]+(?:s|ed)\b")  # "lead-tracks"
CAMERA_WORD_SET = {w for w in L.CAMERA_NOUNS if " " not in w} | {"view", "shot", "framing", "perspective", "frame"}
