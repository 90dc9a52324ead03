"""From an alignment matrix to camera words (zoom, pan, rotation, flip), by our convention.

The camera is read at the **centre of the target view**: where that centre lies in the
source tells the pan (view moved left ⇒ content slid right ⇒ "pan left"), and how a small
neighbourhood around it is magnified and turned tells zoom and rotation. Reading the
transform at the centre, rather than its coefficients at the image origin, keeps a
centred zoom from looking like a pan and works for homographies too.
"""

from __future__ import annotations

import math

import numpy as np

from ..directions import pan_from_content_shift, zoom_from_scale
from .geometry import Alignment, flip_matrix
from .report import CameraMotion
from .thresholds import CameraThresholds


def _apply(m: np.ndarray, x: float, y: float) -> np.ndarray:
    v = m @ np.array([x, y, 1.0])
    return v[:2] / v[2]


def _local_jacobian(m: np.ndarray, x: float, y: float, step: float) -> np.ndarray:
    """2×2 derivative of the point map ``m`` at (x, y), by central differences."""
    dx = (_apply(m, x + step, y) - _apply(m, x - step, y)) / (2 * step)
    dy = (_apply(m, x, y + step) - _apply(m, x, y - step)) / (2 * step)
    return np.column_stack([dx, dy])


def _split_flip(matrix: np.ndarray, src_wh: tuple[int, int]) -> tuple[str, np.ndarray]:
    """Write a reflecting transform as (flip of the source) followed by a proper camera move.

    A vertical flip is a horizontal mirror plus a half turn; of the two readings we keep the
    one whose remaining rotation is smaller.
    """
    w, h = src_wh
    best: tuple[float, str, np.ndarray] | None = None
    for axis in ("horizontal", "vertical"):
        rest = matrix @ np.linalg.inv(flip_matrix(w, h, axis))
        jac = _local_jacobian(rest, w / 2, h / 2, max(1.0, min(w, h) / 10))
        angle = abs(math.degrees(math.atan2(jac[0, 1] - jac[1, 0], jac[0, 0] + jac[1, 1])))
        if best is None or angle < best[0]:
            best = (angle, axis, rest)
    assert best is not None
    return best[1], best[2]


def camera_from_alignment(
    al: Alignment, src_wh: tuple[int, int], tgt_wh: tuple[int, int], t: CameraThresholds
) -> CameraMotion:
    """Camera words for an alignment between frames of analysis size ``src_wh`` → ``tgt_wh``."""
    if not al.found or al.confidence < t.min_confidence:
        # too little support to name any motion; the confidence says how little
        return CameraMotion(confidence=al.confidence, method=al.method, inliers=al.inliers)
    flip = "none"
    proper = al.matrix
    if al.flip == "reflected":
        flip, proper = _split_flip(al.matrix, src_wh)
    ws, hs = src_wh
    wt, ht = tgt_wh
    try:
        inverse = np.linalg.inv(proper)
    except np.linalg.LinAlgError:
        return CameraMotion(confidence=0.0, method=al.method)
    # where the target view's centre lies in the source: the view moved by (p - c_s)
    p = _apply(inverse, wt / 2, ht / 2)
    content_dx = (ws / 2 - p[0]) / ws
    content_dy = (hs / 2 - p[1]) / hs
    jac = _local_jacobian(proper, p[0], p[1], max(1.0, min(ws, hs) / 10))
    det = float(np.linalg.det(jac))
    scale = math.sqrt(abs(det)) if det != 0 else 1.0
    rotation = math.degrees(math.atan2(jac[0, 1] - jac[1, 0], jac[0, 0] + jac[1, 1]))
    # magnification of content relative to the frame; frames have equal area (prepare.py),
    # so the pixel scale is already the change of field of view.
    zoom = zoom_from_scale(scale, t.zoom_tolerance)
    h_word, v_word = pan_from_content_shift(content_dx, content_dy, t.pan_min_shift)
    rot = rotation if abs(rotation) >= t.rotation_min_deg else 0.0
    return CameraMotion(
        zoom=zoom,
        scale=float(scale),
        pan_horizontal=h_word,
        pan_vertical=v_word,
        rotation_deg=float(rot),
        flip=flip,
        confidence=float(al.confidence),
        shift_x=float(content_dx),
        shift_y=float(content_dy),
        method=al.method,
        inliers=al.inliers,
        mirror_margin=al.mirror_margin,
    )
