"""A heat overlay of what changed, in the target frame after alignment (for the annotation app)."""

from __future__ import annotations

import cv2
import numpy as np

from .analyzer import Analysis, run_analysis
from .prepare import as_rgb_uint8
from .thresholds import DEFAULT, Thresholds

# difference (ΔE-like units) that saturates the colour map
_FULL_SCALE = 40.0


def difference_heatmap(src_rgb: np.ndarray, tgt_rgb: np.ndarray, *, max_side: int = 512,
                       thresholds: Thresholds = DEFAULT) -> np.ndarray:
    """HxWx3 uint8 RGB at the target's size: the target, dimmed, under a heat colour map of
    the per-pixel difference that remains after alignment and tone matching.

    Areas the source does not cover after alignment (a pan's new strip) are shown darker
    still, without heat: there is nothing to compare them with.
    """
    return heatmap_of(run_analysis(src_rgb, tgt_rgb, max_side=max_side, thresholds=thresholds), tgt_rgb)


def heatmap_of(analysis: Analysis, tgt_rgb: np.ndarray) -> np.ndarray:
    """:func:`difference_heatmap` from an analysis already run on ``tgt_rgb`` (no second analysis)."""
    tgt = as_rgb_uint8(tgt_rgb)
    h, w = tgt.shape[:2]
    diff = np.clip(analysis.changes.difference / _FULL_SCALE, 0.0, 1.0)
    heat_small = cv2.applyColorMap((diff * 255).astype(np.uint8), cv2.COLORMAP_INFERNO)[:, :, ::-1]
    heat = cv2.resize(heat_small, (w, h), interpolation=cv2.INTER_LINEAR).astype(np.float32)
    weight = cv2.resize(diff.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)[..., None]
    valid = cv2.resize(analysis.aligned.valid.astype(np.uint8), (w, h), interpolation=cv2.INTER_NEAREST)[..., None]
    base = tgt.astype(np.float32) * np.where(valid > 0, 0.55, 0.25)
    alpha = np.where(valid > 0, 0.25 + 0.75 * weight, 0.0)
    out = base * (1 - alpha) + heat * alpha
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)
