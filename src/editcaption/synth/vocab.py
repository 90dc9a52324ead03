"""The closed vocabulary EditWorld speaks: colours, shapes, textures, styles, tones, words.

The generator draws every attribute from these lists and the parser reads exactly these
words back, so a model trained on EditWorld instructions can be scored without a judge.
Colour names are the shared palette's (:mod:`editcaption.colors`), so a colour analyzer
names a painted object back with the word the truth uses.
"""

from __future__ import annotations

from ..colors import COLOR_NAMES

COLORS: tuple[str, ...] = COLOR_NAMES
# Accepted spellings that mean a palette name.
COLOR_ALIASES: dict[str, str] = {"gray": "grey", "violet": "purple"}

SHAPES: tuple[str, ...] = ("circle", "square", "triangle", "diamond", "hexagon", "star", "heart", "cross")
# Nouns a prediction may use for an object whose shape it does not name ("region" is how the
# offline delta captioner names a changed patch it cannot identify).
GENERIC_NOUNS: tuple[str, ...] = ("object", "shape", "one", "item", "thing", "region")
SIGN = "sign"

TEXTURES: tuple[str, ...] = ("solid", "striped", "dotted", "checkered")
TEXTURE_ALIASES: dict[str, str] = {"plain": "solid", "stripy": "striped", "spotted": "dotted", "polka-dot": "dotted",
                                   "checked": "checkered", "chequered": "checkered"}

SIZE_CHANGES: tuple[str, ...] = ("larger", "smaller")
SIZE_ALIASES: dict[str, str] = {"bigger": "larger"}

STYLES: tuple[str, ...] = ("grayscale", "sepia", "posterize", "blur")
STYLE_ALIASES: dict[str, str] = {"greyscale": "grayscale", "black and white": "grayscale", "black-and-white": "grayscale",
                                 "posterized": "posterize", "blurred": "blur", "blurry": "blur"}

# Tone: attribute → (increase word, decrease word). The words are the Change's ``after``.
TONES: dict[str, tuple[str, str]] = {
    "brightness": ("brighter", "darker"),
    "warmth": ("warmer", "cooler"),
    "saturation": ("more saturated", "less saturated"),
}
TONE_OF_WORD: dict[str, str] = {w: attr for attr, words in TONES.items() for w in words}

BACKGROUND_PATTERNS: tuple[str, ...] = ("plain", "gradient", "checkered")
# Background colours: objects are never painted in the background's colour.
BACKGROUND_COLORS: tuple[str, ...] = ("white", "grey", "black", "yellow", "cyan", "pink", "green", "blue", "purple")

# Words on signs: short, unambiguous, and free of direction words (so that swapping
# left/right or up/down in an instruction never touches a sign's text).
SIGN_WORDS: tuple[str, ...] = ("SHOP", "OPEN", "CAFE", "SALE", "EXIT", "STOP", "BAR", "BOOKS", "PARK", "HOTEL",
                               "BANK", "TAXI", "MARKET", "BAKERY")

HORIZONTAL: tuple[str, ...] = ("left", "right")
VERTICAL: tuple[str, ...] = ("up", "down")
ZOOMS: tuple[str, ...] = ("in", "out")
ROTATIONS: tuple[str, ...] = ("counter-clockwise", "clockwise")

# The bundled photos (samples/photos/*.jpg) and how the overall description names them.
PHOTO_SUBJECTS: dict[str, str] = {
    "astronaut": "a portrait of an astronaut in an orange suit",
    "chelsea": "a close-up photo of a tabby cat",
    "coffee": "a photo of a red cup of coffee on a saucer",
    "rocket": "a photo of a rocket on its launch pad at dusk",
}


def article(noun_phrase: str) -> str:
    """"a red circle" / "an orange star"."""
    return ("an " if noun_phrase[:1].lower() in "aeiou" else "a ") + noun_phrase


def canonical_color(word: str | None) -> str | None:
    if word is None:
        return None
    w = word.lower()
    return COLOR_ALIASES.get(w, w) if COLOR_ALIASES.get(w, w) in COLORS else None
