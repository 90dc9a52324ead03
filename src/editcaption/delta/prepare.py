"""Bring any pair of arrays to a common analysis resolution.

Both images are resized to the **same pixel area** (the smaller of the two areas that fit
``max_side``), each keeping its own aspect ratio. In that space a scale factor between the
two images is directly the change of *field of view*: a target that is only a resized copy
of the source measures scale 1 (no zoom), while a crop enlarged back to full size measures
its true magnification. Images are never upscaled.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


def as_rgb_uint8(image: np.ndarray) -> np.ndarray:
    """Any HxW / HxWx1 / HxWx3 / HxWx4 array (uint8, uint16, bool or float 0–1) → HxWx3 uint8."""
    arr = np.asarray(image)
    if arr.ndim not in (2, 3) or arr.size == 0:
        raise ValueError(f"expected an HxW or HxWxC image array, got shape {arr.shape}")
    if arr.dtype == np.bool_:
        arr = arr.astype(np.uint8) * 255
    elif arr.dtype == np.uint16:
        arr = (arr // 257).astype(np.uint8)
    elif np.issubdtype(arr.dtype, np.floating):
        peak = 1.0 if float(np.nanmax(arr)) <= 1.0 else 255.0
        arr = np.clip(np.nan_to_num(arr) / peak * 255.0 + 0.5, 0, 255).astype(np.uint8)
    elif arr.dtype != np.uint8:
        arr = np.clip(arr, 0, 255).astype(np.uint8)
    if arr.ndim == 2:
        arr = arr[:, :, None]
    channels = arr.shape[2]
    if channels == 1:
        return np.repeat(arr, 3, axis=2)
    if channels == 4:  # composite on white, as the decoder does
        alpha = arr[:, :, 3:4].astype(np.float32) / 255.0
        return (arr[:, :, :3] * alpha + 255.0 * (1 - alpha) + 0.5).astype(np.uint8)
    if channels >= 3:
        return np.ascontiguousarray(arr[:, :, :3])
    return np.repeat(arr[:, :, :1], 3, axis=2)


@dataclass
class PreparedPair:
    """Both images at analysis resolution, equal pixel area.

    ``src_gray``/``tgt_gray`` (longer side ≤ ``max_side``) are for geometry; ``src``/``tgt``
    are RGB at half that resolution, for tone and local changes, where the finer detail
    buys nothing but time. ``detail_scale`` maps gray-image pixels to RGB-image pixels.
    """

    src: np.ndarray
    tgt: np.ndarray
    src_gray: np.ndarray
    tgt_gray: np.ndarray
    src_size: tuple[int, int]  # original (width, height)
    tgt_size: tuple[int, int]
    detail_scale: tuple[float, float, float, float]  # sx_src, sy_src, sx_tgt, sy_tgt


def _fit_area(w: int, h: int, max_side: int) -> float:
    s = min(1.0, max_side / max(w, h))
    return (w * s) * (h * s)


def _resize_to_area(rgb: np.ndarray, area: float) -> np.ndarray:
    h, w = rgb.shape[:2]
    s = min(1.0, (area / (w * h)) ** 0.5)
    size = (max(1, round(w * s)), max(1, round(h * s)))
    if size == (w, h):
        return rgb
    return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)


def prepare_pair(src_rgb: np.ndarray, tgt_rgb: np.ndarray, max_side: int = 512) -> PreparedPair:
    src = as_rgb_uint8(src_rgb)
    tgt = as_rgb_uint8(tgt_rgb)
    area = min(_fit_area(src.shape[1], src.shape[0], max_side), _fit_area(tgt.shape[1], tgt.shape[0], max_side))
    s_geo = _resize_to_area(src, area)
    t_geo = _resize_to_area(tgt, area)
    # detail images: a quarter of the area, but never below 64 px on the short side
    detail_area = max(area / 4, min(area, 64.0 * 64.0 * 1.5))
    s_det = _resize_to_area(s_geo, detail_area)
    t_det = _resize_to_area(t_geo, detail_area)
    scale = (
        s_det.shape[1] / s_geo.shape[1], s_det.shape[0] / s_geo.shape[0],
        t_det.shape[1] / t_geo.shape[1], t_det.shape[0] / t_geo.shape[0],
    )
    return PreparedPair(
        src=s_det,
        tgt=t_det,
        src_gray=cv2.cvtColor(s_geo, cv2.COLOR_RGB2GRAY),
        tgt_gray=cv2.cvtColor(t_geo, cv2.COLOR_RGB2GRAY),
        src_size=(src.shape[1], src.shape[0]),
        tgt_size=(tgt.shape[1], tgt.shape[0]),
        detail_scale=scale,
    )


def rgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """uint8 RGB → float32 CIE Lab with L in 0–100 (OpenCV's float path, D65)."""
    return cv2.cvtColor(rgb.astype(np.float32) / 255.0, cv2.COLOR_RGB2Lab)
