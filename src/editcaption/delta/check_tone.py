"""Checker rules about global tone: brightness, warmth and grayscale left out or reversed
(the paper's Table 6 row 5, severity P1)."""

from __future__ import annotations

import re

from .flags import Flag
from .report import DeltaReport
from .thresholds import CheckThresholds

_BRIGHT_WORDS = re.compile(r"\b(?:bright\w*|dark\w*|dim\w*|light(?:en|er|ing|s)?|exposure|expose\w*|lumin\w*|"
                           r"shad\w*|night|dusk|dawn|gloom\w*)\b", re.I)
_BRIGHTER = re.compile(r"\b(?:bright(?:en\w*|er)|lighten\w*|lighter|increase\w*\s+(?:the\s+)?(?:brightness|exposure))\b", re.I)
_DARKER = re.compile(r"\b(?:dark(?:en\w*|er)|dimm?\w*|decrease\w*\s+(?:the\s+)?(?:brightness|exposure))\b", re.I)
_WARM_WORDS = re.compile(r"\b(?:warm\w*|cool\w*|cold\w*|temperature|tint\w*|cast|golden|sepia|yellow\w*|orange\w*|"
                         r"blu(?:e|ish|er)\w*|white\s+balance|sunset|amber|teal)\b", re.I)
_WARMER = re.compile(r"\bwarm(?:er|th|ing|en)?\b", re.I)
_COOLER = re.compile(r"\b(?:cool(?:er|ing)?|cold(?:er)?)\b", re.I)
_GRAY_WORDS = re.compile(r"\b(?:gr[ae]y\s*-?\s*scale|black[\s-]+(?:and|&)[\s-]+white|b\s*&\s*w|monochrom\w*|"
                         r"desaturat\w*|colou?rless|(?:remove|drain|strip)\w*\s+(?:all\s+)?(?:the\s+)?colou?rs?|"
                         r"no\s+colou?r|without\s+colou?r)\b", re.I)


# a named look explains the tone shifts it brings (sepia brightens and warms, blur mixes colours)
_STYLE_WORDS = re.compile(r"\b(?:sepia|posteri[sz]\w*|blur\w*|vintage|retro|filter|film|noir|cartoon\w*|paint\w*\s+"
                          r"style|sketch\w*|watercolou?r|oil[\s-]+painting|hdr|vignett\w*|style)\b", re.I)


def tone_flags(report: DeltaReport, text: str, t: CheckThresholds) -> list[Flag]:
    p = report.photometric
    flags: list[Flag] = []
    styled = bool(_STYLE_WORDS.search(text))
    if p.brightness != "same" and abs(p.delta_l) >= t.brightness_delta_l:
        evidence = f"median lightness changed by {p.delta_l:+.1f} L*"
        opposite = _DARKER if p.brightness == "brighter" else _BRIGHTER
        if opposite.search(text) and not (_BRIGHTER if p.brightness == "brighter" else _DARKER).search(text):
            flags.append(Flag("detail", "P1", f"says the image gets {'darker' if p.brightness == 'brighter' else 'brighter'}"
                              f", but it gets {p.brightness}", evidence))
        elif not _BRIGHT_WORDS.search(text) and not styled:
            flags.append(Flag("detail", "P1", f"does not mention that the whole image gets {p.brightness}", evidence))
    if p.grayscale:
        if not _GRAY_WORDS.search(text):
            flags.append(Flag("detail", "P1", "does not mention that the image becomes black and white",
                              f"colour removed: 95th-percentile chroma {p.chroma_before:.0f} → {p.chroma_after:.0f}"))
    elif p.temperature != "same" and abs(p.delta_warm) >= (t.warmth_delta if p.warmth_reliable
                                                             else t.warmth_delta_unreliable):
        evidence = f"red/blue balance of neutral tones changed by {p.delta_warm:+.0f}%"
        opposite = _COOLER if p.temperature == "warmer" else _WARMER
        same_way = _WARMER if p.temperature == "warmer" else _COOLER
        if opposite.search(text) and not same_way.search(text):
            flags.append(Flag("detail", "P1", f"says the colours get {'cooler' if p.temperature == 'warmer' else 'warmer'}"
                              f", but they get {p.temperature}", evidence))
        elif not _WARM_WORDS.search(text) and not styled:
            flags.append(Flag("detail", "P1", f"does not mention that the colours get {p.temperature}", evidence))
    return flags
