"""The photos family's base layer: the bundled public-domain photos seen through a camera.

A photo spans world x in [0, 1] (its width) and y in [0, height/width]. A camera view is a
window on it, drawn by one affine warp, so pans, zooms and view rotations are exact and
realistic (no padding: the generator only picks windows that stay inside the photo).
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import cv2
import numpy as np

from ..imageio import decode_bytes
from .scene import Camera, Photo
from .vocab import PHOTO_SUBJECTS


@cache
def photo_rgb(name: str) -> np.ndarray:
    """Decoded pixels of ``samples/photos/<name>.jpg`` (read-only, cached)."""
    data = (resources.files("editcaption") / "samples" / "photos" / f"{name}.jpg").read_bytes()
    rgb = decode_bytes(data, f"samples/photos/{name}.jpg").rgb
    rgb.setflags(write=False)
    return rgb


def photo_names() -> tuple[str, ...]:
    return tuple(sorted(PHOTO_SUBJECTS))


def photo(name: str) -> Photo:
    h, w = photo_rgb(name).shape[:2]
    return Photo(name=name, aspect=h / w)


def view_inside(base: Photo, camera: Camera, size: tuple[int, int], margin: float = 0.002) -> bool:
    """Whether every frame corner of this view falls inside the photo."""
    a = camera.frame_to_world_affine(size)
    w, h = size
    corners = np.array([[0, 0, 1], [w, 0, 1], [0, h, 1], [w, h, 1]], dtype=np.float64)
    p = corners @ a.T
    return bool(
        (p[:, 0] >= margin).all() and (p[:, 0] <= 1 - margin).all()
        and (p[:, 1] >= margin).all() and (p[:, 1] <= base.aspect - margin).all()
    )


def render_photo(base: Photo, camera: Camera, size: tuple[int, int]) -> np.ndarray:
    """The photo as this camera frames it (before objects, look and mirroring)."""
    src = photo_rgb(base.name)
    pw = src.shape[1]
    a = camera.frame_to_world_affine(size)  # frame → world
    # frame → photo pixels; WARP_INVERSE_MAP tells OpenCV the matrix maps destination to source
    m = a * pw
    return cv2.warpAffine(src, m, size, flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_REFLECT101)
