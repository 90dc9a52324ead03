"""Unit outlines of the shapes and icons EditWorld paints.

Each outline is a polygon around the origin with circumradius about 1, y pointing down
(image coordinates). Scaling by an object's radius and translating gives its footprint;
the area constants let the truth record how much of the frame an edit touches (Table 6
separates P0 from P1 at one tenth of the image).
"""

from __future__ import annotations

from functools import cache

import numpy as np


def _regular(n: int, rotation: float = 0.0, radius: float = 1.0) -> np.ndarray:
    t = rotation + np.arange(n) * 2 * np.pi / n
    return np.stack([radius * np.sin(t), -radius * np.cos(t)], axis=1)


def _star() -> np.ndarray:
    outer = _regular(5)
    inner = _regular(5, rotation=np.pi / 5, radius=0.45)
    pts = np.empty((10, 2))
    pts[0::2], pts[1::2] = outer, inner
    return pts


def _heart() -> np.ndarray:
    t = np.linspace(0, 2 * np.pi, 64, endpoint=False)
    x = 16 * np.sin(t) ** 3
    y = -(13 * np.cos(t) - 5 * np.cos(2 * t) - 2 * np.cos(3 * t) - np.cos(4 * t))
    pts = np.stack([x, y], axis=1)
    pts -= (pts.max(axis=0) + pts.min(axis=0)) / 2
    return pts / np.abs(pts).max()


def _cross(arm: float = 0.34) -> np.ndarray:
    a, b = arm, 0.95
    return np.array([(-a, -b), (a, -b), (a, -a), (b, -a), (b, a), (a, a), (a, b), (-a, b), (-a, a), (-b, a), (-b, -a),
                     (-a, -a)], dtype=np.float64)


@cache
def outline(shape: str) -> np.ndarray:
    """The unit polygon of ``shape`` (read-only array of (x, y) vertices)."""
    if shape == "circle":
        pts = _regular(72)
    elif shape == "square":
        pts = np.array([(-0.8, -0.8), (0.8, -0.8), (0.8, 0.8), (-0.8, 0.8)], dtype=np.float64)
    elif shape == "triangle":
        pts = _regular(3) + np.array([0.0, 0.2])  # centre the bounding box, not the circumcentre
    elif shape == "diamond":
        pts = np.array([(0, -1), (0.72, 0), (0, 1), (-0.72, 0)], dtype=np.float64)
    elif shape == "hexagon":
        pts = _regular(6, rotation=np.pi / 6)
    elif shape == "star":
        pts = _star()
    elif shape == "heart":
        pts = _heart()
    elif shape == "cross":
        pts = _cross()
    else:
        raise ValueError(f"unknown shape {shape!r}")
    pts = np.asarray(pts, dtype=np.float64)
    pts.setflags(write=False)
    return pts


@cache
def unit_area(shape: str) -> float:
    """Area of the unit polygon (shoelace formula)."""
    p = outline(shape)
    x, y = p[:, 0], p[:, 1]
    return float(abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))) / 2)
