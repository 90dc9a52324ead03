"""The records the analyzer produces, and their JSON form (the `editcaption analyze` contract).

Words (left/right, in/out, up/down) always follow :mod:`editcaption.directions`. Besides
the words, each record keeps the raw measurements behind them (shift, scale, tone deltas,
margins) so that the captioner, the hints and the checker can tell a confident measurement
from a borderline one; those extras appear in JSON only when asked for (``details=True``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..directions import Horizontal, Side, Vertical, VerticalMotion, Zoom


@dataclass
class CameraMotion:
    """Global geometry from source to target, in the camera convention.

    ``shift_x``/``shift_y`` are how far scene content slid in the frame, as fractions of the
    target's width/height (x right, y down); pan words come from them. ``scale`` is the
    magnification of common content relative to the frame (> 1 = zoom in). ``rotation_deg``
    > 0 is counter-clockwise as seen. ``confidence`` in [0, 1]; 0 means no usable measurement.
    """

    zoom: Zoom = "none"
    scale: float = 1.0
    pan_horizontal: Horizontal = "none"
    pan_vertical: VerticalMotion = "none"
    rotation_deg: float = 0.0
    flip: str = "none"  # "horizontal" | "vertical" | "none"
    confidence: float = 0.0
    shift_x: float = 0.0
    shift_y: float = 0.0
    # how the alignment was measured: features | mirrored-features | ecc | phase | unmoved (the
    # frames agree best where they are: the camera stood still) | none
    method: str = "none"
    inliers: int = 0
    mirror_margin: float = 0.0  # how much better the chosen flip hypothesis fits than the other

    @property
    def shift_only(self) -> bool:
        """Only a shift was measured (phase correlation): zoom and rotation are unknown, not none."""
        return self.method == "phase"

    @property
    def moved(self) -> bool:
        return (
            self.zoom != "none"
            or self.pan_horizontal != "none"
            or self.pan_vertical != "none"
            or self.rotation_deg != 0.0
            or self.flip != "none"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "zoom": self.zoom,
            "scale": round(float(self.scale), 3),
            "pan": {"horizontal": self.pan_horizontal, "vertical": self.pan_vertical},
            "rotation_deg": round(float(self.rotation_deg), 1),
            "flip": self.flip,
            "confidence": round(float(self.confidence), 2),
        }


@dataclass
class Photometric:
    """Global tone change on the aligned overlap.

    ``delta_l``: median change of CIE L* (0–100 scale); ``delta_warm``: shift along the
    blue→yellow (b*) axis plus half the green→red (a*) axis; ``saturation_ratio``: how
    chroma (relative to lightness) scaled; ``chroma_before``/``chroma_after``: the 95th
    percentile chroma of each image (grayscale detection).
    """

    brightness: str = "same"  # brighter | darker | same
    temperature: str = "same"  # warmer | cooler | same
    saturation: str = "same"  # more | less | same
    grayscale: bool = False
    delta_l: float = 0.0
    delta_warm: float = 0.0
    saturation_ratio: float = 1.0
    chroma_before: float = 0.0
    chroma_after: float = 0.0
    warmth_reliable: bool = True  # read on truly neutral pixels (else inferred, less sure)

    @property
    def changed(self) -> bool:
        return self.brightness != "same" or self.temperature != "same" or self.saturation != "same" or self.grayscale

    def to_json(self) -> dict[str, Any]:
        return {
            "brightness": self.brightness,
            "temperature": self.temperature,
            "saturation": self.saturation,
            "grayscale": bool(self.grayscale),
        }


@dataclass
class Region:
    """A local change after alignment, in the target frame (fractions of its width/height)."""

    bbox: tuple[float, float, float, float]
    area: float
    side: Side
    vertical: Vertical
    kind: str  # appeared | disappeared | recolored | changed
    color_before: str | None
    color_after: str | None
    centroid: tuple[float, float] = (0.5, 0.5)
    strength: float = 0.0  # mean colour difference (ΔE) inside the region
    # when the region holds one thing at two places (an object moved by less than its size):
    # its displacement from source to target (fractions of the frame) and its colour
    moved: tuple[float, float] | None = None
    moved_color: str | None = None
    lab_before: tuple[float, float, float] | None = None  # median CIE Lab inside, source / target
    lab_after: tuple[float, float, float] | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "bbox": [round(float(v), 4) for v in self.bbox],
            "area": round(float(self.area), 4),
            "side": self.side,
            "vertical": self.vertical,
            "kind": self.kind,
            "color_before": self.color_before,
            "color_after": self.color_after,
        }


@dataclass
class DeltaReport:
    """Everything measured between a source and a target image."""

    camera: CameraMotion = field(default_factory=CameraMotion)
    photometric: Photometric = field(default_factory=Photometric)
    regions: list[Region] = field(default_factory=list)
    source_size: tuple[int, int] = (0, 0)  # (width, height) as given
    target_size: tuple[int, int] = (0, 0)
    notes: list[str] = field(default_factory=list)

    @property
    def same(self) -> bool:
        """True when nothing measurable changed: no camera motion, tone change or local change."""
        return not self.camera.moved and not self.photometric.changed and not self.regions

    def to_json(self, id: str | None = None, *, details: bool = False) -> dict[str, Any]:  # noqa: A002 - the contract's key
        """The `editcaption analyze --json` object; ``details`` adds the raw measurements."""
        out: dict[str, Any] = {
            "id": id,
            "same": self.same,
            "camera": self.camera.to_json(),
            "photometric": self.photometric.to_json(),
            "regions": [r.to_json() for r in self.regions],
        }
        if details:
            out["measurements"] = self.measurements()
        return out

    def measurements(self) -> dict[str, Any]:
        """The numbers behind the words (for debugging, hints and the annotation app)."""
        c, p = self.camera, self.photometric
        return {
            "source_size": list(self.source_size),
            "target_size": list(self.target_size),
            "camera": {
                "method": c.method,
                "inliers": c.inliers,
                "shift_x": round(c.shift_x, 4),
                "shift_y": round(c.shift_y, 4),
                "scale": round(c.scale, 4),
                "rotation_deg": round(c.rotation_deg, 2),
                "mirror_margin": round(c.mirror_margin, 3),
            },
            "photometric": {
                "delta_l": round(p.delta_l, 2),
                "delta_warm": round(p.delta_warm, 2),
                "saturation_ratio": round(p.saturation_ratio, 3),
                "chroma_before": round(p.chroma_before, 2),
                "chroma_after": round(p.chroma_after, 2),
            },
            "regions": [
                {"centroid": [round(v, 4) for v in r.centroid], "strength": round(r.strength, 2),
                 "moved": [round(v, 4) for v in r.moved] if r.moved else None, "moved_color": r.moved_color}
                for r in self.regions
            ],
            "notes": list(self.notes),
        }
