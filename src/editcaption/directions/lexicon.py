"""The words the reader knows, grouped by what they do in a sentence.

Everything here is lower case: the reader matches a lower-cased copy of the text that keeps
every character's offset (:func:`fold`). Word classes are plain sets; the regular-expression
fragments built from them are the grammar's building blocks (:mod:`.frames`, :mod:`.places`,
read by :mod:`.grammar`).
"""

from __future__ import annotations

import re

from ..colors import COLOR_NAMES

# ------------------------------------------------------------------------------ helpers

_FOLD = str.maketrans({"\u2019": "'", "\u2018": "'", "\u2011": "-", "\u2010": "-", "\u2013": "-", "\u00a0": " "})


# slips of typing that hide a place ("in teh center", "comes in form the left", "to the right of of the
# cinnamon", "under a a tarp", a lone quote for a comma): the repaired text keeps every offset, a doubled
# word becomes spaces
_SLIPS = re.compile(r"(?<![\w-])(?:(?P<teh>teh)|(?P<form>form)(?=\s+the\s+(?:left|right|top|bottom)\b)|"
                    r"(?P<w>of|a|an|the|to|on|in|at|[a-z]+ing)(?P<again>\s+(?P=w)))\b|(?<= )(?P<quote>')(?= )")


def _repair(m: re.Match[str]) -> str:
    if m.group("quote"):
        return ","  # "to show a bench ' a couple walk in": a lone quote typed for a comma
    if m.group("teh"):
        return "the"
    if m.group("form"):
        return "from"
    return m.group("w") + " " * len(m.group("again"))


def fold(text: str) -> str:
    """Lower case with typographic quotes and hyphens made plain, and a few slips of typing repaired;
    same length as ``text``."""
    return _SLIPS.sub(_repair, text.translate(_FOLD).lower())


def alt(words: set[str] | frozenset[str] | list[str] | tuple[str, ...]) -> str:
    """A regex alternation of words, longest first, spaces matching any run of spaces or hyphens."""
    parts = sorted(set(words), key=len, reverse=True)
    return "(?:" + "|".join(re.escape(w).replace(r"\ ", r"[\s-]+") for w in parts) + ")"


def forms(*verbs: str) -> set[str]:
    """The inflections of regular English verbs, with a few irregular ones spelt out."""
    out: set[str] = set()
    for v in verbs:
        if v in _IRREGULAR:
            out.update(_IRREGULAR[v])
            continue
        out.add(v)
        if v.endswith("e") and not v.endswith("ee"):
            out.update({v + "s", v + "d", v[:-1] + "ing"})
        elif v.endswith("y") and v[-2] not in "aeiou":
            out.update({v[:-1] + "ies", v[:-1] + "ied", v + "ing"})
        elif v.endswith(("s", "sh", "ch", "x", "z")):
            out.update({v + "es", v + "ed", v + "ing"})
        elif v in _DOUBLE:
            out.update({v + "s", v + v[-1] + "ed", v + v[-1] + "ing"})
        else:
            out.update({v + "s", v + "ed", v + "ing"})
    return out


# verbs that double their last consonant ("drag", "dragging")
_DOUBLE = {"pan", "step", "drop", "dip", "swivel", "travel", "slip", "hop", "tip", "drag", "flip", "flop", "crop", "tap",
           "pop", "snap", "stop", "skip", "trip", "jog", "trot", "grab", "nod", "wag", "zip", "clip", "rub", "stir",
           "chop", "pat", "scan", "slam", "flap", "strip", "wrap", "tug", "hug", "shrug", "plop", "bob"}
_IRREGULAR = {
    "fly": {"fly", "flies", "flew", "flown", "flying"},
    "go": {"go", "goes", "went", "gone", "going"},
    "swing": {"swing", "swings", "swung", "swinging"},
    "rise": {"rise", "rises", "rose", "risen", "rising"},
    "get": {"get", "gets", "got", "getting"},
    "come": {"come", "comes", "came", "coming"},
    "draw": {"draw", "draws", "drew", "drawn", "drawing"},
    "sink": {"sink", "sinks", "sank", "sinking"},
    "spin": {"spin", "spins", "spun", "spinning"},
    "dolly": {"dolly", "dollies", "dollys", "dollied", "dollying"},
    "slide": {"slide", "slides", "slid", "sliding"},
    "lead": {"lead", "leads", "led", "leading"},
    "bring": {"bring", "brings", "brought", "bringing"},
    "put": {"put", "puts", "putting"},
    "set": {"set", "sets", "setting"},
    "make": {"make", "makes", "made", "making"},
    "give": {"give", "gives", "gave", "given", "giving"},
    "take": {"take", "takes", "took", "taken", "taking"},
    "run": {"run", "runs", "ran", "running"},
    "swim": {"swim", "swims", "swam", "swimming"},
    "dive": {"dive", "dives", "dived", "dove", "diving"},
    "back": {"back", "backs", "backed", "backing"},
    "drive": {"drive", "drives", "drove", "driven", "driving"},
    "ride": {"ride", "rides", "rode", "ridden", "riding"},
    "hang": {"hang", "hangs", "hung", "hanging"},
    "hold": {"hold", "holds", "held", "holding"},
    "keep": {"keep", "keeps", "kept", "keeping"},
    "throw": {"throw", "throws", "threw", "thrown", "throwing"},
    "fling": {"fling", "flings", "flung", "flinging"},
}

# ------------------------------------------------------------------------ direction words

HORIZONTAL = {"left": "left", "leftward": "left", "leftwards": "left", "right": "right", "rightward": "right",
              "rightwards": "right"}
VERTICAL_MOTION = {"up": "up", "upward": "up", "upwards": "up", "down": "down", "downward": "down",
                   "downwards": "down", "top": "up", "bottom": "down"}
TOWARD_VIEWER = {"forward", "forwards", "ahead", "in", "inward", "inwards", "closer", "nearer", "into"}
AWAY = {"backward", "backwards", "back", "away", "out", "outward", "outwards", "farther", "further"}
SENSES = {
    "clockwise": "clockwise", "counterclockwise": "counter-clockwise", "counter-clockwise": "counter-clockwise",
    "counter clockwise": "counter-clockwise", "anticlockwise": "counter-clockwise",
    "anti-clockwise": "counter-clockwise", "anti clockwise": "counter-clockwise", "ccw": "counter-clockwise",
    "cw": "clockwise",
}
SENSE = r"(?:counter[\s-]?clockwise|anti[\s-]?clockwise|clockwise|ccw|cw)"

# ---------------------------------------------------------------------------------- nouns

CAMERA_NOUNS = {"camera", "cameras", "view", "viewpoint", "shot", "framing", "perspective", "vantage point", "lens",
                "drone", "drone camera", "handheld camera", "camera view", "point of view", "pov", "camera angle",
                "viewing angle", "angle of view", "gaze"}
# nouns naming the picture itself: "the left side of the image" is a frame position
FRAME_NOUNS = {"image", "images", "picture", "pic", "photo", "photograph", "frame", "scene", "canvas", "view", "shot",
               "composition", "screen", "foreground", "background", "panorama", "snapshot", "video", "shot's", "image's",
               "picture's", "photo's", "frame's"}
# what a "move"/"pan"/"shift" of the picture itself names: the camera or the content is ambiguous
CONTENT_NOUNS = {"image", "picture", "photo", "photograph", "scene", "content", "contents", "pic", "everything",
                 "whole image", "whole picture", "whole scene", "entire image", "entire picture", "entire scene",
                 "subject matter"}
# places: "on the playground's left" is the left part of a place (relative), not anyone's own side
PLACE_NOUNS = {"playground", "garden", "street", "road", "room", "kitchen", "lobby", "plaza", "park", "field", "yard",
               "house", "building", "table", "desk", "stage", "court", "river", "lake", "beach", "city", "town",
               "market", "square", "track", "path", "pathway", "sidewalk", "bridge", "shelf", "wall", "sky", "screen",
               "page", "board", "window", "door", "road's", "bed", "sofa", "couch", "counter", "floor", "ground",
               "forest", "valley", "mountain", "hill", "castle", "tower", "temple", "church", "shop", "store", "avenue",
               "alley", "parking", "lot", "area", "space", "tree", "cliff", "sea", "ocean", "water", "pond", "garage"}
BODY_PARTS = {"hand", "hands", "arm", "arms", "leg", "legs", "foot", "feet", "eye", "eyes", "ear", "ears", "cheek",
              "cheeks", "eyebrow", "eyebrows", "brow", "shoulder", "shoulders", "knee", "knees", "elbow", "wrist",
              "ankle", "hip", "thigh", "shin", "finger", "fingers", "thumb", "toe", "toes", "palm", "paw", "paws",
              "wing", "wings", "claw", "claws", "hoof", "hooves", "horn", "horns", "antler", "antlers", "fin", "flipper",
              "temple", "nostril", "breast", "lung", "eyelid", "pupil", "iris", "pinky", "forearm", "heel", "calf",
              "side of his face", "side of her face", "fist", "glove", "sleeve", "shoe", "boot", "sock", "earring",
              "mouse button", "click", "lens", "joystick", "thumbstick", "analog stick", "torso", "chest", "body", "abdomen", "belly", "waist", "neck",
              # the body's paired organs and bones, as anatomy names them: "the right atrium", "a left femur"
              "atrium", "ventricle", "femur", "tibia", "fibula", "humerus", "ulna", "clavicle", "scapula", "patella",
              "kidney", "ovary", "testis", "hip bone", "hemisphere", "bronchus", "ureter", "adrenal gland",
              "visual field", "eye socket", "lobe"}
# things worn in pairs: "the left shoe" is the wearer's side when the text names a wearer, and the
# shoe on the left of the picture when it names none (a product shot of two shoes)
WORN_IN_PAIRS = {"glove", "sleeve", "shoe", "boot", "sock", "earring", "slipper", "sneaker", "mitten"}
# words that name a wearer (a person or an animal with sides of its own)
WEARER_WORDS = {"he", "she", "him", "his", "her", "hers", "they", "them", "their", "man", "men", "woman", "women",
                "person", "people", "boy", "boys", "girl", "girls", "child", "children", "kid", "kids", "lady", "guy",
                "player", "athlete", "model", "baby", "someone", "somebody", "dancer", "runner", "skier", "rider",
                "soldier", "doctor", "worker", "teacher", "student", "king", "queen", "bride", "groom", "character",
                "figure", "dog", "cat", "horse", "bear", "monkey", "wear", "wearing", "wears", "wore", "worn",
                # a body bent is someone's: "Bend to remove the right shoe"
                "bend", "bends", "bending", "bent", "kneel", "kneels", "kneeling", "squat", "squats", "squatting",
                "crouch", "crouches", "crouching"}
# colour words: two joined by "and" describe one thing moved ("the green and black blanket"), not two things; the
# shared palette's names, and the other ways people write one
COLOUR_WORDS = set(COLOR_NAMES) | {"gray", "silver", "gold", "golden", "beige", "navy", "dark", "light"}
# nouns after "left"/"top"/... that make it something else than a position in the frame
NOT_POSITION_NOUNS = {"turn", "turns", "way", "ways", "moment", "time", "answer", "amount", "angle", "angles", "hat",
                      "indent", "indents", "indentation",  # "adjust the left indent": a setting
                      "value", "values",  # "Lower values give ...": a comparison
                      "hats", "notch", "line", "lines", "click", "view", "views", "speed", "floor",
                      "floors", "bunk", "deck", "tier", "layer", "lip", "lips", "jaw", "teeth",
                      "tooth", "half-", "over", "behind", "out", "alone", "unchanged", "intact", "untouched", "aside",
                      "to", "of", "and", "or", "side", "sides", "corner", "corners", "half", "edge", "edges", "part",
                      "parts", "third", "hand", "area", "region", "portion", "section", "quadrant", "border", "margin",
                      "next", "in", "on", "at", "above", "below", "under", "beside", "into", "onto", "by",
                      "near", "with", "without", "for", "from", "a", "an", "the", "his", "her", "its", "their", "this",
                      "that", "these", "those", "is", "are", "was", "were", "be", "it", "them", "him", "up", "down",
                      "quality", "priority", "secret", "class", "body", "bodies", "case", "cases",
                      "brain", "wing", "winger", "angled", "handed", "then", "while", "as", "so", "but", "now", "away",
                      "there", "here", "direction", "directions", "motion", "movement", "pan", "tilt", "roll", "arc",
                      "shift", "lens", "frame", "shot", "one's", "until", "after", "before", "when", "which",
                      "who", "where", "every", "each", "all", "both", "left", "right", "center", "centre", "middle",
                      "top", "bottom", "upper", "lower", "very", "far", "just", "only", "also", "down-facing",
                      "wear",  # "Remove the top wear": a garment
                      # anatomy's words after a side or height: "the upper limb", "left lateral view", "the lower
                      # esophageal sphincter" (a part of the body, named the way anatomy names it)
                      "limb", "limbs", "lateral", "medial", "anterior", "posterior", "posterolateral", "anterolateral",
                      "esophageal", "nasal",
                      "facing", "holding", "carrying", "looking",  # a verb form: "face the left holding a wire"
                      "aerial", "corner's", "row", "rows", "-", "down-view", "levels", "level"}
# the head and face: "under her chin", "under her hair" name a place on a person, where hands go,
# not where a thing stands in the picture
HEAD_PARTS = {"head", "heads", "chin", "chins", "face", "faces", "hair", "nose", "noses", "neck", "necks", "mouth",
              "lips", "jaw", "forehead"}
# things whose faces carry other things: in "a white shelf has a board placed on the top", "the
# roof with a yellow board fixed on the right", the bare place is on the shelf or roof, not the frame
SURFACE_NOUNS = {"wall", "walls", "shelf", "shelves", "surface", "surfaces", "screen", "board", "roof", "floor",
                 "ceiling", "door", "panel", "paper", "page", "poster", "banner", "sign", "signboard", "billboard",
                 "label", "lid", "cover", "plate", "tray", "circle", "ring", "table", "desk", "counter", "countertop",
                 "pizza", "notebook"}
# what exists only on a thing: "a TV screen with the text at the bottom", "a lamp with ceramic base at
# the bottom", "a flower with a cat's face in the middle" name a place on the thing that carries it
MARKING_NOUNS = {"text", "texts", "word", "words", "letter", "letters", "lettering", "writing", "inscription",
                 "caption", "logo", "logos", "label", "labels", "pattern", "patterns", "stain", "stains", "print",
                 "prints", "design", "designs", "graffiti", "decal", "decals", "sticker", "stickers", "emblem",
                 "carving", "engraving", "face", "base", "handle", "handles", "hook", "hooks", "knob", "knobs",
                 "baseboard", "baseboards", "trim", "stripe", "stripes", "marking", "markings", "symbol", "symbols",
                 "number", "numbers", "title"}
# time words: "in the middle of the night" is no place
TIME_NOUNS = {"night", "day", "afternoon", "morning", "evening", "season", "year", "summer", "winter", "spring",
              "autumn", "fall", "week", "month", "video", "shot", "clip", "movement", "motion", "sequence", "scene",
              "way", "process", "action", "journey", "song",
              # events: "in the middle of a discussion" is a time, not a place
              "conversation", "discussion", "argument", "meeting", "sentence", "speech", "game", "match", "talk",
              "fight", "meal", "dinner", "lunch", "breakfast", "party", "ceremony", "performance", "show", "story",
              "lecture", "class", "session", "interview", "call", "operation", "surgery", "procedure", "exam"}
# the light and the weather: "under the sun", "beneath a clear sky" relate nothing in the picture
AMBIENT_NOUNS = {"sky", "skies", "sun", "sunlight", "sunshine", "moon", "moonlight", "starlight", "stars", "light",
                 "lights", "lighting", "illumination", "glow", "rain", "snow", "weather", "gaze", "spotlight", "sunset", "sunrise",
                 "canopy", "heavens", "horizon", "surface", "influence", "control", "construction", "pressure",
                 "water", "waves", "clouds", "cloud", "mist", "fog", "shade",
                 # idioms: "under his given name", "under arrest", "under the impression"
                 "name", "names", "arrest", "oath", "impression", "circumstances", "situation", "situations",
                 "assumption", "assumptions", "guise", "care", "command",
                 "orders", "suspicion", "investigation", "review", "consideration", "threat", "attack", "stress",
                 "age", "title", "heading", "category", "breath", "radar", "wraps", "weight", "belief"}
# ambient nouns that are still places a thing can be above or below ("a plane above the clouds")
SEEN_FROM_ABOVE = {"clouds", "cloud", "water", "waves", "horizon", "surface", "canopy", "fog", "mist"}
# what a thing under it is sunk in or buried by, a setting ("under the water", "beneath the earth"),
# and the idiom "working under the hood"
UNDER_SETTINGS = {"water", "waves", "surface", "earth", "sea", "ocean", "ice", "hood"}
# lights that are things: "below a traffic light"
LIGHT_THING = re.compile(r"\b(?:traffic|street|ceiling|desk|table|floor|pendant|porch|neon|fairy|string|tail|head|"
                         r"flash|night|hanging|wall|garden|stage)[\s-]+lights?\b")
# a frame that is a thing: "the wooden picture frame", "a mirror frame", "the window frame"
OBJECT_FRAME = re.compile(r"\b(?:picture|photo|photograph|mirror|window|door|bed|glasses|bike|bicycle|wooden|metal|"
                          r"gold|golden|silver|ornate|empty|circular|oval|round|square|rectangular|octagonal|carved|gilded|"
                          r"decorative|ornamental)[\s-]+frames?\b"
                          # a device's screen is a thing in the picture: "the bottom left corner of a tv screen"
                          r"|\b(?:tv|television|computer|phone|laptop|tablet|monitor|led|lcd|touch|cinema)[\s-]+screens?\b"
                          # a frame noun that names a kind of thing: "a rear view mirror", "a picture book"
                          r"|\b(?:rear|side)[\s-]+view\b|\b(?:view|picture|photo)[\s-]+(?:mirror|finder|book|album)s?\b"
                          # an app's small picture of someone: "To the right of a profile picture"
                          r"|\b(?:profile|display|avatar|cover)[\s-]+(?:picture|photo|image)s?\b")
# verbs whose own meaning holds the way they go ("lift up", "fall down", "put the pan down"): an up
# or down after them is the verb's particle, not a stated direction in the frame
PARTICLE_VERBS = forms("lift", "raise", "rise", "climb", "ascend", "descend", "fall", "drop", "sink", "lower", "put", "bring",
                       "set", "sit", "stand", "lie", "lay", "pick", "hang", "push", "kneel", "crouch", "bend", "knock",
                       "tip", "pull", "hold", "look", "glance", "jump", "leap", "hop", "spring", "lean", "come", "stoop",
                       "duck", "bow", "squat", "pop", "calm", "settle", "slow", "shut", "break", "cheer", "wake",
                       "get", "go", "step", "back", "turn", "light", "fill", "clean", "tidy", "warm", "cool", "speed",
                       "line", "roll", "fold", "sum", "scale")
# verbs whose own meaning is a vertical way: the camera "descending towards the sea" goes down
VERTICAL_VERBS = {**{v: "down" for v in forms("descend", "sink", "drop", "dive", "fall")},
                  **{v: "up" for v in forms("ascend", "rise", "climb", "soar")}}
# a finger on a phone's screen: "Scroll down to find the recipe", "swipe left" (the camera's "scrolls down" is a pan)
GESTURE_VERBS = forms("scroll", "swipe")
# verbs of facing: "turn to the left", "face towards the right", "looks to the right" name which
# way a depicted thing faces, not a place in the frame
FACING_VERBS = forms("turn", "face", "look", "glance", "gaze", "stare", "point", "lean", "nod", "peer", "tilt", "spin",
                     "swivel", "rotate", "twist", "aim", "angle") | {"headed", "heading"}  # "a train headed leftward"
# cookware and other things called a pan: "the frying pan", "a cake pan"
PAN_THING = re.compile(r"\b(?:frying|sauce|saute|baking|cake|roasting|sheet|muffin|pie|grill|grilling|loaf|bread|"
                       r"dust|dish|cast[\s-]+iron|non[\s-]?stick|stir[\s-]+fry|metal|hot|empty|dirty)[\s-]+pans?\b")
# verbs that handle a thing: "lift the pan", "put the pan down" (a pan after them is cookware)
HANDLING_VERBS = forms("put", "place", "set", "lift", "raise", "hold", "take", "grab", "pick", "move", "wash", "clean",
                       "carry", "remove", "add", "fill", "heat", "open", "close", "empty", "drop", "shake", "stir",
                       "push", "pull", "slide", "turn", "flip", "lower", "replace", "bring", "give", "use")
# "the right location", "at the right time": right as correct
CORRECT_NOUNS = {"location", "place", "spot", "answer", "choice", "decision", "word", "words", "size", "idea", "number",
                 "order", "time", "moment", "way", "track", "direction", "amount", "kind", "address", "format", "option",
                 "options", "setting", "settings", "situation", "codec", "configuration", "type",
                 "ascension"}  # (and the sky's coordinate: "right ascension")
# "the top comment", "the top results": the first of a ranked list, no place
RANK_NOUNS = {"comment", "comments", "post", "posts", "result", "results", "story", "stories", "news", "headline",
              "headlines", "pick", "picks", "seller", "sellers", "chart", "charts", "hit", "hits", "rated", "ranked",
              "review", "reviews", "answer", "answers", "search", "searches", "priority", "priorities", "tier", "spot",
              "spots", "prize", "rank", "ranks"}
# units of a piece of furniture: one of a stack is named by its height and is a part ("the top shelf",
# "the bottom cabinet"), one of a row by its side and is where it stands ("the left shelf", "the right
# drawer"), as the corpus's labellers of four sources read them
# words after a side that are no thing it describes: "moved to the right closer to the cabinets"
NOT_A_NOUN_AFTER_A_SIDE = {"closer", "nearer", "further", "farther", "again", "slightly", "more", "then", "instead"}
FURNITURE_UNITS = {"shelf", "shelves", "drawer", "drawers", "cabinet", "cabinets", "cupboard", "cupboards", "rack",
                   "racks"}
# "runs right into Beckett", "right through the door": right as an intensifier
INTENSIFIED = re.compile(r"\s+(?:into|through|in|at|on|onto|over|under|up|down|back|behind|beside|next|there|here|away|"
                         r"now|after|before|by|around|across|past|outside|inside|above|below|out|along|toward|towards)\b")
DETERMINERS = {"the", "a", "an", "this", "that", "these", "those", "his", "her", "their", "its", "my", "your", "our",
               "some", "one", "two", "three", "both", "each", "every", "another", "other"}
PRONOUN_SUBJECTS = {"he", "she", "they", "we", "i", "you"}
POSSESSIVES = {"his", "her", "their", "its", "my", "your", "our"}  # "his left hand": an owner named

# ---------------------------------------------------------------------------------- verbs

# inherently camera verbs
PAN_VERBS = forms("pan", "swivel")
TILT_VERBS = forms("tilt")
TRUCK_VERBS = forms("truck", "track")
PEDESTAL_VERBS = forms("pedestal", "crane", "boom", "jib")
DOLLY_VERBS = forms("dolly")
ZOOM_VERBS = forms("zoom")
ROLL_VERBS = forms("roll")
ORBIT_VERBS = forms("orbit", "arc", "circle", "revolve")
# motion verbs whose agent decides between a camera move and an object move
MOTION_VERBS = forms("move", "shift", "slide", "glide", "drift", "travel", "fly", "go", "head", "swing", "turn", "point",
                     "sweep", "rotate", "rise", "climb", "ascend", "descend", "drop", "dive", "sink", "advance", "approach",
                     "retreat", "push", "pull", "step", "back", "draw", "get", "come", "proceed", "veer", "scroll",
                     "nudge", "drag", "relocate", "reposition", "bring", "lift", "raise", "lower", "walk", "run", "jump",
                     "swim", "roll", "float", "hover", "soar", "sail", "crawl", "burrow", "fall", "lean", "bend", "slip", "hop",
                     "drive", "ride", "race", "stream", "flow", "bounce", "streak", "transition", "snap", "dance",
                     "skate", "ski", "stroll", "hurry", "rush", "wade", "dodge", "lunge", "sidestep", "swerve", "propagate",
                     "craw")  # "Craw towards the left": a slip for "crawl" that AURORA's writers make again and again
# verbs whose moved thing is the object only (never the subject)
TRANSITIVE_ONLY = forms("nudge", "drag", "relocate", "reposition", "bring", "lift", "raise", "lower", "push", "put",
                        "place", "set")
ROTATE_VERBS = forms("rotate", "turn", "spin", "tilt", "twist", "roll", "swivel")
MIRROR_VERBS = forms("mirror", "flip", "reflect", "reverse", "invert", "flop")
# an instruction's edit verbs (the clause edits something), by the edit they name
EDIT_VERBS: dict[str, set[str]] = {
    "add": forms("add", "insert", "place", "put", "draw", "include", "introduce", "integrate", "embed", "attach",
                 "affix", "install", "hang", "set", "stand", "arrange", "position", "tuck", "create", "generate",
                 "paste", "give", "bring", "plant", "sprinkle", "scatter", "fill"),
    "remove": forms("remove", "delete", "erase", "eliminate", "clear", "drop", "crop", "cut") | {"take away",
                                                                                               "takes away",
                                                                                               "get rid of",
                                                                                               "rid"},
    "recolour": forms("recolour", "recolor", "colour", "color", "paint", "dye", "tint", "repaint"),
    "replace": forms("replace", "swap", "change", "turn", "convert", "transform", "morph", "make", "substitute",
                     "exchange", "switch", "modify", "alter", "adjust", "edit", "have", "dry", "wear", "let"),
    "move": forms("move", "shift", "slide", "drag", "nudge", "relocate", "reposition", "push", "pull", "raise", "lower"),
}

# ---------------------------------------------------------------------------------- tone

INCREASE_VERBS = forms("increase", "boost", "raise", "enhance", "augment", "intensify", "amplify", "elevate", "enrich",
                       "strengthen", "reinforce", "magnify", "improve", "enliven", "heighten", "lift", "maximize",
                       "maximise", "up", "crank", "pump", "turn", "advance", "push", "bump") | {"amp up", "amps up", "amping up", "amped up",
                                                                     "bump up", "bumps up", "turn up", "turning up",
                                                                     "crank up", "pump up", "more",
                                                                     "higher", "greater", "stronger", "add"} | {
    f"{v} more" for v in forms("add", "give")}  # "adding more brightness to the image"
DECREASE_VERBS = forms("decrease", "reduce", "lower", "lessen", "diminish", "cut", "drop", "soften", "weaken", "mute",
                       "dampen", "minimize", "minimise") | {"tone down", "turn down", "turning down", "tones down",
                                                           "less", "lower", "weaker", "dial down", "dials down"}
LIGHT_NOUNS = {"brightness", "luminosity", "luminous quality", "radiance", "light levels", "light level", "lighting",
               "brilliance", "exposure", "lightness", "luminance", "illumination", "light", "lights", "glow"}
SATURATION_NOUNS = {"saturation", "color saturation", "colour saturation", "colorfulness", "colourfulness", "vibrance",
                    "vividness", "color intensity", "colour intensity", "chroma"}
CONTRAST_NOUNS = {"contrast", "contrasts"}
# what a global tone change applies to
GLOBAL_NOUNS = {"image", "picture", "pic", "photo", "photograph", "scene", "frame", "shot", "colors", "colours",
                "color", "colour", "tones", "tone", "lighting", "light", "exposure", "everything", "it", "this", "all",
                "whole thing", "overall look", "look", "palette", "color palette", "colour palette", "atmosphere",
                "mood", "environment", "ambience", "ambiance", "video", "footage", "view", "lights", "room",
                "garden", "landscape", "interior"}
# whose left is the frame's left: "on the viewer's right"
VIEWER_NOUNS = {"viewer", "viewers", "camera", "audience", "observer", "spectator", "onlooker", "our"}
TONE_COMPARATIVES = {
    "brighter": "brighter", "lighter": "brighter", "darker": "darker", "dimmer": "darker", "warmer": "warmer",
    "cooler": "cooler", "colder": "cooler", "more saturated": "more_saturated", "less saturated": "less_saturated",
    "more vivid": "more_saturated", "more vibrant": "more_saturated", "more colorful": "more_saturated",
    "more colourful": "more_saturated", "less vivid": "less_saturated", "less vibrant": "less_saturated",
    "less colorful": "less_saturated", "less colourful": "less_saturated", "duller": "less_saturated",
    "more muted": "less_saturated", "more contrasty": "more_contrast", "more contrasted": "more_contrast",
    "less contrasty": "less_contrast", "more contrast": "more_contrast", "higher contrast": "more_contrast",
    "less contrast": "less_contrast", "lower contrast": "less_contrast", "flatter": "less_contrast",
}
TONE_NOUN_AFTER_ADJECTIVE = {"tone", "tones", "color temperature", "colour temperature", "temperature", "look", "cast",
                             "hue", "hues", "palette", "feel", "atmosphere", "lighting", "mood", "color tone",
                             "colour tone", "color grade", "colour grade", "grade", "tint", "white balance",
                             "color balance", "colour balance", "colors", "colours", "exposure"}

# ------------------------------------------------------------------ topics (mentions)

TOPIC_PATTERNS: dict[str, re.Pattern[str]] = {
    # anything about the camera or the framing (an instruction mentioning it does not leave it out)
    "camera": re.compile(
        r"\b(?:camera|view|viewpoint|angle|perspective|framing|frame|shot|zoom\w*|pan|pans|panned|panning|tilt\w*|"
        r"crop\w*|closer|wider|dolly|dollies|dollying|push(?:es)?\s+in|pull(?:s)?\s+(?:back|out)|close-up|vantage|"
        r"truck\w*|pedestal\w*|crane\w*|boom\w*|orbit\w*|lens|drone)\b", re.I),
    "mirror": re.compile(r"\b(?:mirror\w*|flip\w*|reflect\w*|upside[\s-]+down|reverse[sd]?\s+(?:left|the))\b", re.I),
    "brightness": re.compile(r"\b(?:bright\w*|dark\w*|dim\w*|light(?:en|er|ing|s)?|exposure|expose\w*|lumin\w*|"
                             r"shad\w*|night|dusk|dawn|gloom\w*|radian\w*|brilliance|illuminat\w*)\b", re.I),
    "warmth": re.compile(r"\b(?:warm\w*|cool\w*|cold\w*|temperature|tint\w*|cast|golden|sepia|yellow\w*|orange\w*|"
                         r"blu(?:e|ish|er)\w*|white\s+balance|sunset|amber|teal)\b", re.I),
    "grayscale": re.compile(r"\b(?:gr[ae]y\s*-?\s*scale|black[\s-]+(?:and|&)[\s-]+white|b\s*&\s*w|monochrom\w*|"
                            r"desaturat\w*|colou?rless|(?:remove|drain|strip)\w*\s+(?:all\s+)?(?:the\s+)?colou?rs?|"
                            r"no\s+colou?r|without\s+colou?r)\b", re.I),
    # a named look explains the tone shifts it brings (sepia brightens and warms, blur mixes colours)
    "style": re.compile(r"\b(?:sepia|posteri[sz]\w*|blur\w*|vintage|retro|filter|film|noir|cartoon\w*|paint\w*\s+"
                        r"style|sketch\w*|watercolou?r|oil[\s-]+painting|hdr|vignett\w*|style)\b", re.I),
}
