"""Global looks: the style and tone changes of the stylistic category.

Pure functions on 8-bit RGB arrays, deterministic to the byte. ``amount`` is the strength
the generator drew (recorded in the scene, never shown in an instruction: the paper's
Table 6 counts unverifiable magnitudes as errors).
"""

from __future__ import annotations

import cv2
import numpy as np

_SEPIA = np.array([[0.393, 0.769, 0.189], [0.349, 0.686, 0.168], [0.272, 0.534, 0.131]], dtype=np.float32)


def _u8(a: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(a), 0, 255).astype(np.uint8)


def grayscale(rgb: np.ndarray) -> np.ndarray:
    y = rgb.astype(np.float32) @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    return np.repeat(_u8(y)[:, :, None], 3, axis=2)


def sepia(rgb: np.ndarray) -> np.ndarray:
    return _u8(rgb.astype(np.float32) @ _SEPIA.T)


def posterize(rgb: np.ndarray) -> np.ndarray:
    # four levels per channel, each at the middle of its band
    return (rgb & 0xC0) | 0x20


def blur(rgb: np.ndarray) -> np.ndarray:
    sigma = max(1.5, 0.012 * rgb.shape[1])
    return cv2.GaussianBlur(rgb, (0, 0), sigmaX=sigma, sigmaY=sigma, borderType=cv2.BORDER_REFLECT101)


STYLE_FILTERS = {"grayscale": grayscale, "sepia": sepia, "posterize": posterize, "blur": blur}


def brightness(rgb: np.ndarray, amount: float, up: bool) -> np.ndarray:
    x = rgb.astype(np.float32)
    return _u8(x + (255.0 - x) * amount if up else x * (1.0 - amount))


def warmth(rgb: np.ndarray, amount: float, up: bool) -> np.ndarray:
    x = rgb.astype(np.float32)
    shift = 255.0 * amount * (1 if up else -1)
    x[:, :, 0] += shift
    x[:, :, 1] += shift * 0.25
    x[:, :, 2] -= shift
    return _u8(x)


def saturation(rgb: np.ndarray, amount: float, up: bool) -> np.ndarray:
    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV).astype(np.float32)
    hsv[:, :, 1] *= (1.0 + amount) if up else (1.0 - amount)
    return cv2.cvtColor(_u8(hsv), cv2.COLOR_HSV2RGB)


TONE_FILTERS = {
    "brighter": (brightness, True),
    "darker": (brightness, False),
    "warmer": (warmth, True),
    "cooler": (warmth, False),
    "more saturated": (saturation, True),
    "less saturated": (saturation, False),
}


def apply_look(rgb: np.ndarray, style: str | None, tone: str | None, amount: float) -> np.ndarray:
    out = rgb
    if tone is not None:
        fn, up = TONE_FILTERS[tone]
        out = fn(out, amount, up)
    if style is not None:
        out = STYLE_FILTERS[style](out)
    return out
