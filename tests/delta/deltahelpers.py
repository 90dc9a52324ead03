"""Real edits of the bundled photos with known truth, for the delta tests.

Each helper applies one edit whose direction is defined by the convention in
``editcaption.directions`` (the tests then check that the analyzer reads it back).
"""

from __future__ import annotations

import io
from functools import cache
from importlib import resources

import cv2
import numpy as np
from PIL import Image

from editcaption.colors import PALETTE_RGB
from editcaption.directions import content_shift_for_pan
from editcaption.imageio import decode_bytes


@cache
def photo(name: str = "chelsea") -> np.ndarray:
    """A bundled sample photo (astronaut, chelsea, coffee, rocket) as RGB."""
    data = (resources.files("editcaption") / "samples" / "photos" / f"{name}.jpg").read_bytes()
    return decode_bytes(data, name).rgb


def jpeg(rgb: np.ndarray, quality: int = 90) -> np.ndarray:
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgb)).save(buf, format="JPEG", quality=quality)
    return np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))


def window(rgb: np.ndarray, frac: float, dx: float = 0.0, dy: float = 0.0) -> np.ndarray:
    """A centred crop of ``frac`` of the photo, its centre moved by (dx, dy) frame fractions."""
    h, w = rgb.shape[:2]
    ww, wh = int(w * frac), int(h * frac)
    x0 = int(round(w * (0.5 + dx) - ww / 2))
    y0 = int(round(h * (0.5 + dy) - wh / 2))
    assert 0 <= x0 and 0 <= y0 and x0 + ww <= w and y0 + wh <= h, "window outside the photo"
    return np.ascontiguousarray(rgb[y0:y0 + wh, x0:x0 + ww])


def pan(rgb: np.ndarray, horizontal: str = "none", vertical: str = "none", amount: float = 0.08):
    """(source, target) where the camera pans as named: the target window moves that way,
    so the content slides the other way (``content_shift_for_pan``)."""
    cdx, cdy = content_shift_for_pan(horizontal, vertical, amount)
    return window(rgb, 0.7), window(rgb, 0.7, -cdx * 0.7, -cdy * 0.7)


def zoom(rgb: np.ndarray, direction: str, factor: float = 1.4):
    wide = window(rgb, 0.9)
    h, w = wide.shape[:2]
    close = cv2.resize(window(wide, 1 / factor), (w, h), interpolation=cv2.INTER_LINEAR)
    return (wide, close) if direction == "in" else (close, wide)


def rotate(rgb: np.ndarray, angle: float):
    """Content turned by ``angle`` degrees (> 0 counter-clockwise, OpenCV's sign)."""
    h, w = rgb.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    turned = cv2.warpAffine(rgb, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    return window(rgb, 0.6), window(turned, 0.6)


def disc(rgb: np.ndarray, cx: float, cy: float, radius: float, colour: str) -> np.ndarray:
    """A shaded disc of a palette colour centred at (cx, cy) (frame fractions)."""
    out = rgb.astype(np.float32).copy()
    h, w = rgb.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w]
    r = radius * min(h, w)
    inside = (xx - cx * w) ** 2 + (yy - cy * h) ** 2 <= r * r
    shade = 1.0 + 0.1 * ((cx * w - xx) + (cy * h - yy)) / r
    out[inside] = (np.array(PALETTE_RGB[colour], np.float32)[None, None, :] * shade[..., None])[inside]
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)


def tone(rgb: np.ndarray, kind: str) -> np.ndarray:
    x = rgb.astype(np.float32)
    if kind == "brighter":
        x = x * 1.35
    elif kind == "darker":
        x = x * 0.7
    elif kind in ("warmer", "cooler"):
        k = 0.15 if kind == "warmer" else -0.15
        gain = np.array([1 + k, 1 + k / 4, 1 - k])
        x = x * (gain / (gain @ np.array([0.299, 0.587, 0.114])))
    elif kind == "grayscale":
        g = x @ np.array([0.299, 0.587, 0.114], np.float32)
        x = np.repeat(g[..., None], 3, axis=2)
    return np.clip(x + 0.5, 0, 255).astype(np.uint8)


def region_over(regions, bbox):
    """The largest reported region overlapping an object's true box (as the region benchmark
    judges a pair); fails the test, naming what was found, when none does."""
    x0, y0, x1, y1 = bbox
    hits = [r for r in regions if r.bbox[0] < x1 and r.bbox[2] > x0 and r.bbox[1] < y1 and r.bbox[3] > y0]
    assert hits, f"no region over the object at {bbox}: {[(r.kind, r.bbox) for r in regions]}"
    return max(hits, key=lambda r: r.area)
