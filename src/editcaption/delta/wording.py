"""Shared phrasing of measurements (used by the captioner, the hints and the checker).

Only *what a measurement says* lives here; which measurements are confident enough to be
said is decided by the caller.
"""

from __future__ import annotations

from typing import Any

from ..directions import position_phrase
from .report import CameraMotion, Region


def where(region: Region) -> str:
    """"at the upper right of the image", "at the center of the image"."""
    return f"at the {position_phrase(region.side, region.vertical)} of the image"


def size_word(region: Region) -> str:
    """A size adjective for an object-like region ("" for a medium one)."""
    if region.area < 0.015:
        return "small "
    if region.area > 0.12:
        return "large "
    return ""


def percent(fraction: float) -> str:
    value = abs(fraction) * 100
    return f"{value:.0f}%" if value >= 1 else f"{value:.1f}%"


def content_motion(camera: CameraMotion) -> str:
    """How the scene content moved in the frame, e.g. "8% of the frame to the right"."""
    parts = []
    if camera.pan_horizontal != "none":
        parts.append(f"{percent(camera.shift_x)} of the frame width to the {'right' if camera.shift_x > 0 else 'left'}")
    if camera.pan_vertical != "none":
        parts.append(f"{percent(camera.shift_y)} of the frame height {'down' if camera.shift_y > 0 else 'up'}")
    return " and ".join(parts)


def summary(row: dict[str, Any]) -> tuple[str, str, str]:
    """(camera, tone, regions) of an analyze JSON object, in a few words each (CLI and demo tables)."""
    cam = row["camera"]
    words = [w for w in (
        f"pan {cam['pan']['horizontal']}" if cam["pan"]["horizontal"] != "none" else "",
        f"tilt {cam['pan']['vertical']}" if cam["pan"]["vertical"] != "none" else "",
        f"zoom {cam['zoom']} ×{cam['scale']:.2f}" if cam["zoom"] != "none" else "",
        f"rotate {cam['rotation_deg']:+.0f}°" if cam["rotation_deg"] else "",
        f"flip {cam['flip']}" if cam["flip"] != "none" else "",
    ) if w]
    camera = (", ".join(words) or "still") + f" (conf {cam['confidence']:.2f})"
    p = row["photometric"]
    tone = ", ".join(w for w in (
        p["brightness"] if p["brightness"] != "same" else "",
        p["temperature"] if p["temperature"] != "same" else "",
        f"{p['saturation']} saturated" if p["saturation"] != "same" and not p["grayscale"] else "",
        "grayscale" if p["grayscale"] else "",
    ) if w) or "same"
    regions = "; ".join(f"{r['kind']} {r['vertical']}-{r['side']} {r['color_before']}→{r['color_after']} "
                        f"({r['area'] * 100:.1f}%)" for r in row["regions"][:3]) or "none"
    return camera, tone, regions
