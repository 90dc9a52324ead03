"""Pixel measurements for the truth tests (independent of the generator's bookkeeping)."""

from __future__ import annotations

import math

import cv2
import numpy as np

from editcaption.colors import PALETTE_RGB


def color_mask(img: np.ndarray, color: str) -> np.ndarray:
    return np.all(img == np.array(PALETTE_RGB[color], dtype=np.uint8), axis=2)


def centroid(mask: np.ndarray) -> tuple[float, float]:
    ys, xs = np.nonzero(mask)
    assert len(xs) > 0, "empty mask"
    return float(xs.mean()), float(ys.mean())


def luminance(img: np.ndarray) -> float:
    return float((img.astype(np.float64) @ np.array([0.299, 0.587, 0.114])).mean())


def warmth(img: np.ndarray) -> float:
    x = img.astype(np.float64)
    return float((x[:, :, 0] - x[:, :, 2]).mean())


def saturation(img: np.ndarray) -> float:
    return float(cv2.cvtColor(img, cv2.COLOR_RGB2HSV)[:, :, 1].astype(np.float64).mean())


def sharpness(img: np.ndarray) -> float:
    gray = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
    return float(np.abs(cv2.Laplacian(gray, cv2.CV_64F)).mean())


def similarity_transform(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """2×3 similarity mapping source pixels to target pixels, from ORB matches (RANSAC)."""
    orb = cv2.ORB_create(nfeatures=1500)
    g1, g2 = (cv2.cvtColor(i, cv2.COLOR_RGB2GRAY) for i in (src, dst))
    k1, d1 = orb.detectAndCompute(g1, None)
    k2, d2 = orb.detectAndCompute(g2, None)
    assert d1 is not None and d2 is not None
    matches = cv2.BFMatcher(cv2.NORM_HAMMING, crossCheck=True).match(d1, d2)
    p1 = np.float32([k1[m.queryIdx].pt for m in matches])
    p2 = np.float32([k2[m.trainIdx].pt for m in matches])
    m, inliers = cv2.estimateAffinePartial2D(p1, p2, method=cv2.RANSAC, ransacReprojThreshold=2.0)
    assert m is not None and int(inliers.sum()) >= 12, "too few feature matches"
    return m


def transform_scale_angle(m: np.ndarray) -> tuple[float, float]:
    """(scale, angle in degrees with cv2.getRotationMatrix2D's sign: > 0 = counter-clockwise as seen)."""
    return math.hypot(m[0, 0], m[0, 1]), math.degrees(math.atan2(m[0, 1], m[0, 0]))
