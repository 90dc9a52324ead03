"""Warp the source into the target frame with a measured alignment."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass
class Aligned:
    """The source resampled into the target frame, and where it is defined."""

    src: np.ndarray  # RGB uint8, target-frame shape
    valid: np.ndarray  # bool, True where the source covers the target (edge band removed)


def warp_to_target(src: np.ndarray, matrix: np.ndarray, tgt_shape: tuple[int, int], border: int) -> Aligned:
    h, w = tgt_shape
    ones = np.full(src.shape[:2], 255, np.uint8)
    if np.allclose(matrix[2], [0.0, 0.0, 1.0]):
        m = matrix[:2].astype(np.float64)
        warped = cv2.warpAffine(src, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        cover = cv2.warpAffine(ones, m, (w, h), flags=cv2.INTER_NEAREST, borderValue=0)
    else:
        warped = cv2.warpPerspective(src, matrix, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        cover = cv2.warpPerspective(ones, matrix, (w, h), flags=cv2.INTER_NEAREST, borderValue=0)
    if border > 0 and min(h, w) > 4 * border:
        # interpolation near the overlap's edge mixes in replicated border pixels
        cover = cv2.erode(cover, np.ones((2 * border + 1, 2 * border + 1), np.uint8), borderType=cv2.BORDER_CONSTANT,
                          borderValue=0)
    return Aligned(warped, cover > 0)
