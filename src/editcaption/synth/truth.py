"""Ground truth in the data contract (docs/concepts/data-contracts.md), read off the generator's edit records.

``primary`` holds the edits the pair is about; ``secondary`` the minor ones (paper App. B:
"minor changes" earn a completeness bonus, never a penalty). In a hybrid pair the first
edit is the main one; a later edit is secondary when it is local, non-spatial and touches
less than a tenth of the frame — Table 6's line between subject (P0) and non-subject (P1)
changes. Spatial edits (moves, camera) are always primary: they are what orientation and
viewpoint errors are about.
"""

from __future__ import annotations

from typing import Any

from ..directions import opposite
from ..schema import Change, GroundTruth
from .language import where_phrase
from .ops import SPATIAL_OPS, Edit
from .scene import Backdrop, Photo, Scene
from .vocab import PHOTO_SUBJECTS, article

SECONDARY_AREA = 0.10  # Table 6: "affected area below 1/10 of image"

_STYLE_TEXT = {
    "grayscale": "The whole image is converted to grayscale.",
    "sepia": "A sepia tone is applied to the whole image.",
    "posterize": "The whole image is posterized into flat color bands.",
    "blur": "The whole image is blurred.",
}


def change_text(e: Edit) -> str:
    """One declarative sentence per change, in the direction convention's words."""
    if e.op == "add":
        assert e.position is not None and e.object is not None
        return f"{article(e.object).capitalize()} is added {where_phrase(e.position)}."
    if e.op == "remove":
        return f"The {e.object} is removed."
    if e.op == "replace":
        return f"The {e.object} is replaced by {article(e.after or '')}."
    if e.op == "background":
        return f"The background changes from {e.before} to {e.after}."
    if e.op == "recolor":
        return f"The {e.object} changes color from {e.before} to {e.after}."
    if e.op == "material":
        return f"The {e.object} changes from a {e.before} to a {e.after} texture."
    if e.op == "move":
        where = f"to the {e.direction}" if e.direction in ("left", "right") else e.direction
        return f"The {e.object} moves {where}, from the {e.before} to the {e.after} of the frame."
    if e.op == "resize":
        return f"The {e.object} becomes {e.after}."
    if e.op == "text":
        return f'The text on the sign changes from "{e.before}" to "{e.after}".'
    if e.op == "style":
        return _STYLE_TEXT[e.after or ""]
    if e.op == "tone":
        return f"The whole image becomes {e.after}."
    if e.op == "zoom":
        if e.direction == "in":
            return "The camera zooms in: the target shows a smaller part of the scene, enlarged."
        return "The camera zooms out: the target shows a wider part of the scene, reduced."
    if e.op == "pan":
        verb = "pans" if e.direction in ("left", "right") else "tilts"
        return f"The camera {verb} {e.direction}: the scene content slides {opposite(e.direction or 'left')} in the frame."
    if e.op == "rotate":
        return f"The view rotates {e.direction}: the content turns {e.direction} as seen."
    if e.op == "mirror":
        return "The image is mirrored horizontally: left and right are swapped."
    raise ValueError(f"unknown op {e.op!r}")


def to_change(e: Edit) -> Change:
    return Change(text=change_text(e), op=e.op, object=e.object, attribute=e.attribute, before=e.before,
                  after=e.after, direction=e.direction)


def is_secondary(index: int, e: Edit, n_edits: int) -> bool:
    return n_edits > 1 and index > 0 and e.op not in SPATIAL_OPS and e.object not in ("image", "camera", "background") \
        and e.area < SECONDARY_AREA


def describe_scene(scene: Scene) -> str:
    """A short description of the source scene for the overall text."""
    things = []
    for o in scene.objects:
        texture = "" if o.texture == "solid" else f"{o.texture} "
        things.append(article(f"{texture}{o.color} {o.shape}"))
    if scene.sign is not None:
        things.append(f'a sign reading "{scene.sign.word}"')
    listed = ", ".join(things[:-1]) + (" and " if len(things) > 1 else "") + (things[-1] if things else "")
    if isinstance(scene.base, Backdrop):
        head = f"A {scene.base.name} background"
        return f"{head} with {listed}." if listed else f"{head} with nothing on it."
    assert isinstance(scene.base, Photo)
    head = PHOTO_SUBJECTS[scene.base.name]
    head = head[0].upper() + head[1:]
    return f"{head}, with {listed} pasted on." if listed else f"{head}."


def ground_truth(source: Scene, edits: list[Edit]) -> tuple[GroundTruth, list[float], list[float]]:
    """(truth, areas of primary changes, areas of secondary changes)."""
    primary: list[Change] = []
    secondary: list[Change] = []
    area_p: list[float] = []
    area_s: list[float] = []
    for i, e in enumerate(edits):
        if is_secondary(i, e, len(edits)):
            secondary.append(to_change(e))
            area_s.append(round(e.area, 4))
        else:
            primary.append(to_change(e))
            area_p.append(round(e.area, 4))
    overall = describe_scene(source) + " " + " ".join(change_text(e) for e in edits) + " Nothing else changes."
    return GroundTruth(primary=primary, secondary=secondary, overall=overall), area_p, area_s


def truth_json(gt: GroundTruth) -> dict[str, Any]:
    return {
        "primary": [c.model_dump(exclude_none=True) for c in gt.primary],
        "secondary": [c.model_dump(exclude_none=True) for c in gt.secondary],
        "overall": gt.overall,
    }
