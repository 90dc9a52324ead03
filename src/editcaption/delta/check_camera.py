"""Checker rules about the camera: pan/tilt, zoom and rotation directions, and mirrors.

A pan said of the picture itself ("move the image left") is ambiguous between the camera and
the content convention; the checker says so as a P2 clarity note instead of guessing.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..directions import DirectionStatement, opposite
from ..directions.lexicon import TOPIC_PATTERNS
from .flags import Flag
from .report import CameraMotion, DeltaReport
from .thresholds import CheckThresholds
from .wording import content_motion


@dataclass
class _Sure:
    """What the camera measurement says with confidence: a word, "none", or None (unsure)."""

    horizontal: str | None
    vertical: str | None
    zoom: str | None


def _sure_camera(c: CameraMotion, t: CheckThresholds) -> _Sure | None:
    if c.method == "none" or c.confidence < t.camera_confidence:
        return None

    def axis(shift: float, pos: str, neg: str) -> str | None:
        if abs(shift) >= t.pan_shift:
            return pos if shift > 0 else neg  # content slid right/down ⇒ the camera panned left/up
        if abs(shift) <= t.pan_still:
            return "none"
        return None

    zoom: str | None = None
    if c.shift_only:
        pass  # a shift-only measurement knows nothing about zoom
    elif c.scale >= 1 + t.zoom_scale:
        zoom = "in"
    elif c.scale <= 1 / (1 + t.zoom_scale):
        zoom = "out"
    elif abs(c.scale - 1) <= t.zoom_still:
        zoom = "none"
    return _Sure(axis(c.shift_x, "left", "right"), axis(c.shift_y, "up", "down"), zoom)


# any word about the camera or the framing: an instruction that has one does not leave the camera out
_CAMERA_WORDS = TOPIC_PATTERNS["camera"]


def camera_flags(report: DeltaReport, statements: list[DirectionStatement], text: str,
                  t: CheckThresholds) -> list[Flag]:
    c = report.camera
    sure = _sure_camera(c, t)
    if sure is None:
        return []
    flags: list[Flag] = []
    for s in statements:
        if s.kind == "pan" and s.direction in ("left", "right", "up", "down"):
            measured = sure.horizontal if s.direction in ("left", "right") else sure.vertical
            verb = "pan" if s.direction in ("left", "right") else "tilt"
            if s.convention == "ambiguous" and measured not in (None, "none"):
                flags.append(_ambiguous_pan_note(s, measured, c))
            elif measured not in (None, "none") and measured != s.direction:
                flags.append(Flag("viewpoint", "P0", f"says the camera moves {s.direction} ({s.phrase!r}), but it "
                                  f"moves {measured}", _pan_evidence(c)))
            elif measured == "none" and c.flip == "none" and not c.shift_only:
                flags.append(Flag("viewpoint", "P1", f"says the camera moves {s.direction} ({s.phrase!r}), but the "
                                  f"view did not {verb}", _still_evidence(c)))
        elif s.kind == "zoom" and s.direction in ("in", "out"):
            if sure.zoom not in (None, "none") and sure.zoom != s.direction:
                flags.append(Flag("viewpoint", "P0", f"says zoom {s.direction} ({s.phrase!r}), but the camera zooms "
                                  f"{sure.zoom}", f"common content is {c.scale:.2f}× its source size; confidence "
                                  f"{c.confidence:.2f}"))
            elif sure.zoom == "none":
                flags.append(Flag("viewpoint", "P1", f"says zoom {s.direction} ({s.phrase!r}), but the scale did not "
                                  "change", f"common content is {c.scale:.2f}× its source size"))
        elif s.kind == "rotate" and s.direction and not c.shift_only and abs(c.rotation_deg) >= t.rotation_deg:
            measured_rot = "counter-clockwise" if c.rotation_deg > 0 else "clockwise"
            if measured_rot != s.direction:
                flags.append(Flag("viewpoint", "P0", f"says rotate {s.direction} ({s.phrase!r}), but the view turns "
                                  f"{measured_rot}", f"rotation {c.rotation_deg:+.1f}°"))
    # a clear camera move the instruction never mentions (Table 6 row 4: omission of the angle)
    moved = [w for w in (sure.horizontal, sure.vertical) if w not in (None, "none")]
    if (moved or sure.zoom in ("in", "out")) and not _CAMERA_WORDS.search(text) and not any(
        s.kind in ("pan", "zoom", "rotate", "move") for s in statements
    ):
        what = ", ".join([f"pans {w}" if w in ("left", "right") else f"tilts {w}" for w in moved]
                         + ([f"zooms {sure.zoom}"] if sure.zoom in ("in", "out") else []))
        flags.append(Flag("viewpoint", "P0", f"does not mention the camera change (the camera {what})",
                          _pan_evidence(c) if moved else f"common content is {c.scale:.2f}× its source size"))
    return flags


def _ambiguous_pan_note(s: DirectionStatement, measured: str, c: CameraMotion) -> Flag:
    """P2 clarity: "move the image left" may mean the camera or the content; say which, don't guess."""
    content = opposite(measured)
    reading = ("the camera reading" if s.direction == measured else "the content reading")
    return Flag("viewpoint", "P2", f"ambiguous pan convention: {s.phrase.strip()!r} can mean the camera moves "
                f"{s.direction} or the picture content slides {s.direction}; the camera moved {measured} (content "
                f"slid {content}), which matches {reading} — say \"pan the camera {measured}\"", _pan_evidence(c))


def _still_evidence(c: CameraMotion) -> str:
    moved = content_motion(c) or "by less than the pan threshold"
    return f"scene content moved {moved}; confidence {c.confidence:.2f}"


def _pan_evidence(c: CameraMotion) -> str:
    return f"scene content moved {content_motion(c)} (confidence {c.confidence:.2f})"


_MIRROR_WORDS = TOPIC_PATTERNS["mirror"]


def mirror_flags(report: DeltaReport, statements: list[DirectionStatement], text: str,
                  t: CheckThresholds) -> list[Flag]:
    c = report.camera
    if c.method == "none" or c.confidence < t.camera_confidence or c.mirror_margin < t.mirror_margin:
        return []
    stated_h = any(s.kind == "mirror" for s in statements)
    stated_v = any(s.kind == "flip_vertical" for s in statements)
    evidence = (f"features match {'the mirrored' if c.flip != 'none' else 'the unmirrored'} target far better "
                f"(margin {c.mirror_margin:.2f}, confidence {c.confidence:.2f})")
    flags: list[Flag] = []
    if c.flip == "none":
        if stated_h or stated_v:
            flags.append(Flag("orientation", "P0", "says the image is mirrored or flipped, but it is not", evidence))
    elif c.flip == "horizontal" and not stated_h:
        if not _MIRROR_WORDS.search(text):
            flags.append(Flag("orientation", "P0", "does not mention that the image is mirrored left to right",
                              evidence))
    elif c.flip == "vertical" and not stated_v and not _MIRROR_WORDS.search(text):
        flags.append(Flag("orientation", "P0", "does not mention that the image is flipped upside down", evidence))
    return flags
