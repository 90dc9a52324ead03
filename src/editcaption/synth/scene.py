"""What an EditWorld image shows: a base (procedural backdrop or bundled photo), objects,
an optional sign, the camera looking at it, and a global look (style or tone).

Geometry lives in *world* units: one unit is the width of the source frame for the
objects family, and the width of the photo for the photos family; y points down. The
camera maps world to frame pixels; every edit is a change to one of these records, so the
ground truth is read off the records and never guessed from pixels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..directions import Side, Vertical, position_phrase, side_of, vertical_of
from .shapes import unit_area


@dataclass(frozen=True)
class Obj:
    """A painted shape: colour from the shared palette, texture, centre and circumradius."""

    shape: str
    color: str
    texture: str
    x: float
    y: float
    r: float

    @property
    def name(self) -> str:
        """How instructions and truth refer to it: "red circle" (colours are unique per scene)."""
        return f"{self.color} {self.shape}"


@dataclass(frozen=True)
class Sign:
    """A white board with one word on it; at most one per scene."""

    word: str
    x: float
    y: float
    w: float
    h: float

    name = "sign"


# The checkered backdrop's squares, in world units (the frame is 1.0 wide). A checkered pattern
# repeats every two squares, so a pan that shifts the content by more than one square (and less than
# two) looks like a shift the other way: with these squares, pans of PAN_SHIFT alias; squares of 0.5 do not.
CHECKER_CELL = 0.125
# how far a camera pan shifts the content, (min, max) as shares of the frame width
PAN_SHIFT = (0.15, 0.3)


@dataclass(frozen=True)
class Backdrop:
    """The procedural background of the objects family."""

    pattern: str  # plain | gradient | checkered
    color: str
    cell: float = CHECKER_CELL  # checkered: the squares' side in world units

    @property
    def name(self) -> str:
        """"plain white", "blue gradient", "grey checkered"."""
        return f"plain {self.color}" if self.pattern == "plain" else f"{self.color} {self.pattern}"


@dataclass(frozen=True)
class Photo:
    """One of the bundled photos, spanning world x in [0, 1] and y in [0, height/width]."""

    name: str
    aspect: float  # height / width


@dataclass(frozen=True)
class Camera:
    """A view: centre and visible world width; ``angle`` > 0 turns content counter-clockwise
    as the viewer sees it (cv2.getRotationMatrix2D sign); ``mirror`` flips left-right."""

    cx: float
    cy: float
    width: float
    angle: float = 0.0
    mirror: bool = False

    def scale(self, frame_w: int) -> float:
        return frame_w / self.width

    def world_to_frame(self, x: float, y: float, size: tuple[int, int]) -> tuple[float, float]:
        """Frame pixel coordinates (x right, y down) of a world point."""
        w, h = size
        s = self.scale(w)
        dx, dy = (x - self.cx) * s, (y - self.cy) * s
        a = math.radians(self.angle)
        # Content turns counter-clockwise on screen for a > 0 (y axis points down).
        qx = math.cos(a) * dx + math.sin(a) * dy + w / 2
        qy = -math.sin(a) * dx + math.cos(a) * dy + h / 2
        if self.mirror:
            qx = w - qx
        return qx, qy

    def frame_to_world_affine(self, size: tuple[int, int]) -> np.ndarray:
        """2×3 matrix taking frame pixel centres (before mirroring) to world coordinates."""
        w, h = size
        s = self.scale(w)
        a = math.radians(self.angle)
        c, sn = math.cos(a), math.sin(a)
        # inverse of q = R (p - c) s + centre, with R = [[c, sn], [-sn, c]]; R^-1 = R^T
        rinv = np.array([[c, -sn], [sn, c]]) / s
        t = np.array([self.cx, self.cy]) - rinv @ np.array([w / 2, h / 2])
        return np.hstack([rinv, t[:, None]])


@dataclass(frozen=True)
class Look:
    """Global pixel filters applied after rendering: a style and/or a tone change."""

    style: str | None = None
    tone: str | None = None  # an ``after`` word of vocab.TONES, e.g. "brighter"
    amount: float = 0.0


@dataclass(frozen=True)
class Scene:
    base: Backdrop | Photo
    objects: tuple[Obj, ...]
    camera: Camera
    sign: Sign | None = None
    look: Look = field(default_factory=Look)

    def find(self, name: str) -> Obj | None:
        return next((o for o in self.objects if o.name == name), None)

    def names(self) -> list[str]:
        return [o.name for o in self.objects] + ([self.sign.name] if self.sign else [])


# ------------------------------------------------------------------ frame geometry


def frame_position(scene: Scene, x: float, y: float, size: tuple[int, int]) -> tuple[Side, Vertical]:
    """Viewer's (side, vertical) of a world point in this scene's frame (thirds, editcaption.directions)."""
    qx, qy = scene.camera.world_to_frame(x, y, size)
    return side_of(qx / size[0]), vertical_of(qy / size[1])


def position_name(scene: Scene, x: float, y: float, size: tuple[int, int]) -> str:
    return position_phrase(*frame_position(scene, x, y, size))


def fully_visible(scene: Scene, x: float, y: float, r: float, size: tuple[int, int], margin: float = 2.0) -> bool:
    """Whether a disc of world radius ``r`` around (x, y) lies inside the frame."""
    qx, qy = scene.camera.world_to_frame(x, y, size)
    rp = r * scene.camera.scale(size[0]) + margin
    return rp <= qx <= size[0] - rp and rp <= qy <= size[1] - rp


def object_area(scene: Scene, obj: Obj, size: tuple[int, int]) -> float:
    """Fraction of the frame an object covers (unclipped)."""
    s = scene.camera.scale(size[0])
    return unit_area(obj.shape) * (obj.r * s) ** 2 / (size[0] * size[1])


def sign_area(scene: Scene, sign: Sign, size: tuple[int, int]) -> float:
    s = scene.camera.scale(size[0])
    return sign.w * sign.h * s * s / (size[0] * size[1])


def clear_of(scene: Scene, x: float, y: float, r: float, ignore: tuple[str, ...] = (), gap: float = 0.02) -> bool:
    """Whether a disc at (x, y) keeps ``gap`` world units away from every other object and the sign."""
    for o in scene.objects:
        if o.name in ignore:
            continue
        if math.hypot(o.x - x, o.y - y) < o.r + r + gap:
            return False
    if scene.sign is not None and "sign" not in ignore:
        sg = scene.sign
        # distance from the disc centre to the sign rectangle
        dx = max(abs(x - sg.x) - sg.w / 2, 0.0)
        dy = max(abs(y - sg.y) - sg.h / 2, 0.0)
        if math.hypot(dx, dy) < r + gap:
            return False
    return True
