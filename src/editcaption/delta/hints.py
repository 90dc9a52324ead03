"""Grounding hints: a short factual block about a pair, for a VLM prompt.

The grounded prompt (``prompts/instruction-grounded-v1.txt``) asks the model to trust these
lines for directions and camera motion and to describe objects from what it sees. So the
block states directions in the project's words, says plainly when something could not be
measured, and never names objects (only colour, position and size).
"""

from __future__ import annotations

from .describe import confident_regions
from .moves import Move, object_moves
from .report import DeltaReport, Region
from .wording import content_motion, percent, where

_CAMERA_CONFIDENCE = 0.5


def _camera_line(report: DeltaReport) -> str:
    c = report.camera
    if c.method == "none" or c.confidence < _CAMERA_CONFIDENCE:
        return "- Camera: could not be measured reliably (too few matching details between the images)."
    facts: list[str] = []
    if c.flip == "horizontal":
        facts.append("the image is mirrored horizontally (left-right)")
    elif c.flip == "vertical":
        facts.append("the image is flipped vertically (upside down)")
    if c.pan_horizontal != "none" or c.pan_vertical != "none":
        words = [w for w in (f"pans {c.pan_horizontal}" if c.pan_horizontal != "none" else "",
                             f"tilts {c.pan_vertical}" if c.pan_vertical != "none" else "") if w]
        facts.append(f"the camera {' and '.join(words)} (the scene content moved {content_motion(c)})")
    if c.zoom != "none":
        facts.append(f"the camera zooms {c.zoom} (common content is {c.scale:.2f}× its source size)")
    if c.rotation_deg:
        facts.append(f"the view rotates {'counter-clockwise' if c.rotation_deg > 0 else 'clockwise'} "
                     f"(about {abs(c.rotation_deg):.0f} degrees)")
    if c.shift_only:
        facts.append("zoom and rotation could not be measured")
    if not facts:
        return f"- Camera: no change of framing (same viewpoint, zoom and orientation; confidence {c.confidence:.2f})."
    return f"- Camera: {'; '.join(facts)} (confidence {c.confidence:.2f})."


def _tone_line(report: DeltaReport) -> str:
    p = report.photometric
    facts: list[str] = []
    if p.brightness != "same":
        facts.append(f"{p.brightness} overall")
    if p.grayscale:
        facts.append("all colour removed (black and white)")
    else:
        if p.temperature != "same":
            facts.append(f"{p.temperature} colour tone")
        if p.saturation != "same":
            facts.append(f"{p.saturation} saturated colours")
    if not facts:
        return "- Tone: no global change of brightness, colour temperature or saturation."
    return f"- Tone: {', '.join(facts)}."


def _region_text(r: Region) -> str:
    place = where(r).removeprefix("at the ").removesuffix(" of the image")
    area = percent(r.area)
    if r.kind == "appeared":
        what = f"something {r.color_after or 'new'} appeared" + (f" (the place was {r.color_before})"
                                                                  if r.color_before and r.color_before != r.color_after
                                                                  else "")
    elif r.kind == "disappeared":
        what = f"something {r.color_before or ''} disappeared".replace("  ", " ") + (
            f" (the place now shows {r.color_after})" if r.color_after and r.color_after != r.color_before else "")
    elif r.kind == "recolored":
        what = f"recoloured from {r.color_before} to {r.color_after}"
    else:
        what = f"content changed ({r.color_before} before, {r.color_after} after)"
    return f"{place}, {area} of the frame: {what}"


def _move_text(m: Move) -> str:
    start = m.origin or m.regions[0]
    distance = percent(abs(m.dx) if m.direction in ("left", "right") else abs(m.dy))
    axis = "width" if m.direction in ("left", "right") else "height"
    return (f"a {m.colour or 'coloured'} thing at the {where(start).removeprefix('at the ').removesuffix(' of the image')} "
            f"moved {m.direction} by {distance} of the frame {axis}")


def grounding_hints(report: DeltaReport) -> str:
    """A few lines of measured facts (positions are the viewer's, in the target image)."""
    if report.same:
        return "- The two images are identical: nothing changed."
    lines = [_camera_line(report), _tone_line(report)]
    regions = confident_regions(report)
    moves = [m for m in object_moves(report) if all(r in regions for r in m.regions)]
    if moves:
        lines.append("- Moved: " + "; ".join(_move_text(m) for m in moves) + ".")
    if regions:
        listed = "; ".join(f"({i}) {_region_text(r)}" for i, r in enumerate(regions, 1))
        lines.append(f"- Local changes (viewer's positions in image 2): {listed}.")
    else:
        lines.append("- Local changes: none found after aligning the images.")
    return "\n".join(lines)
