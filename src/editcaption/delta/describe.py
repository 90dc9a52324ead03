"""The offline `delta` captioner: one imperative instruction from a :class:`DeltaReport`.

It states only what was measured with confidence, in the project's direction words:
camera changes first (the paper's viewpoint errors are the costliest), then the global
tone, then local changes from the largest down. It never guesses what an object *is*
(the analyzer measures colour, place and size, not identity), so objects are named by
those attributes. No vague verbs or degrees (the rubric's Clarity rules) are used.
"""

from __future__ import annotations

from ..directions import position_phrase
from .moves import Move, object_moves
from .report import CameraMotion, DeltaReport, Photometric, Region
from .wording import size_word, where

IDENTICAL = "Make no changes: the target image is identical to the source image."
NOTHING_CONFIDENT = "Make no changes to the image: no difference between the two images was measured with confidence."

# captioner-only margins (the report's own thresholds decide the words)
_CAMERA_CONFIDENCE = 0.5
_REGION_MIN_AREA = 0.003
_REGION_MIN_STRENGTH = 12.0
_MAX_REGIONS = 3


def _camera_clauses(c: CameraMotion) -> list[str]:
    if c.confidence < _CAMERA_CONFIDENCE:
        return []
    out: list[str] = []
    if c.flip == "horizontal":
        out.append("mirror the image horizontally")
    elif c.flip == "vertical":
        out.append("flip the image vertically (upside down)")
    if c.pan_horizontal != "none":
        out.append(f"pan the camera to the {c.pan_horizontal}")
    if c.pan_vertical != "none":
        out.append(f"tilt the camera {c.pan_vertical}")
    if c.zoom != "none":
        out.append(f"zoom {c.zoom}")
    if c.rotation_deg:
        # the direction only: the paper's checklist (Table 6) counts an angle a reader cannot
        # verify from the images as an error, and so does EditWorld's scorer
        out.append(f"rotate the view {'counter-clockwise' if c.rotation_deg > 0 else 'clockwise'}")
    return out


def _tone_clauses(p: Photometric) -> list[str]:
    out: list[str] = []
    if p.brightness == "brighter":
        out.append("brighten the whole image")
    elif p.brightness == "darker":
        out.append("darken the whole image")
    if p.grayscale:
        out.append("convert the whole image to black and white")
        return out
    if p.temperature != "same":
        out.append(f"make the whole image {p.temperature}")
    if p.saturation != "same":
        out.append(f"make the colours {p.saturation} saturated")
    return out


def _region_clause(r: Region) -> str:
    place = where(r)
    if r.area > 0.5:
        after = f" so that the image shows mostly {r.color_after}" if r.color_after else ""
        return f"change the content of most of the image{after}"
    size = size_word(r)
    if r.kind == "appeared":
        colour = f"{r.color_after} " if r.color_after else ""
        return f"add a {size}{colour}object {place}"
    if r.kind == "disappeared":
        colour = f"{r.color_before} " if r.color_before else ""
        return f"remove the {size}{colour}object {place}"
    if r.kind == "recolored" and r.color_before and r.color_after:
        return f"change the colour of the {size}region {place} from {r.color_before} to {r.color_after}"
    if r.color_after and r.color_after != r.color_before:
        return f"replace the content of the {size}region {place} with something {r.color_after}"
    return f"change the content of the {size}region {place}"


def confident_regions(report: DeltaReport) -> list[Region]:
    """The regions the captioner and the hints speak about (largest first)."""
    keep = [r for r in report.regions if r.area >= _REGION_MIN_AREA and r.strength >= _REGION_MIN_STRENGTH]
    return keep[:_MAX_REGIONS]


def _move_clause(m: Move) -> str:
    start = m.origin or m.regions[0]
    colour = f"{m.colour} " if m.colour else ""
    way = {"left": "to the left", "right": "to the right", "up": "up", "down": "down"}[m.direction]
    return f"move the {colour}object at the {position_phrase(start.side, start.vertical)} {way}"


def _local_clauses(report: DeltaReport) -> list[str]:
    """Moves first (a thing that left one place and arrived at another is one edit, not a
    removal plus an addition), then the other confident regions."""
    regions = confident_regions(report)
    moves = [m for m in object_moves(report) if all(r in regions for r in m.regions)]
    moved = {id(r) for m in moves for r in m.regions}
    return [_move_clause(m) for m in moves] + [_region_clause(r) for r in regions if id(r) not in moved]


def describe(report: DeltaReport) -> str:
    """One imperative instruction that turns the source into the target, from measurements only."""
    if report.same:
        return IDENTICAL
    groups = [
        _join(_camera_clauses(report.camera)),
        _join(_tone_clauses(report.photometric)),
        *_local_clauses(report),
    ]
    groups = [g for g in groups if g]
    if not groups:
        return NOTHING_CONFIDENT
    text = "; ".join(groups) + "."
    return text[0].upper() + text[1:]


def _join(clauses: list[str]) -> str:
    if len(clauses) <= 1:
        return "".join(clauses)
    return ", ".join(clauses[:-1]) + " and " + clauses[-1]
