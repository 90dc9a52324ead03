"""The fixed named-colour palette, shared by the delta analyzer and EditWorld.

EditWorld paints objects with the canonical sRGB values below; the analyzer names a
measured colour by the nearest palette entry in CIE Lab. Keeping both in one place means
"green" means the same thing to the generator and to the measurement.
"""

from __future__ import annotations

import numpy as np

# Canonical sRGB of each name (what the generator paints).
PALETTE_RGB: dict[str, tuple[int, int, int]] = {
    "red": (220, 30, 35),
    "orange": (245, 135, 20),
    "yellow": (245, 215, 30),
    "green": (40, 160, 60),
    "cyan": (30, 200, 220),
    "blue": (35, 70, 215),
    "purple": (130, 50, 180),
    "pink": (245, 130, 190),
    "brown": (125, 75, 35),
    "white": (245, 245, 245),
    "grey": (128, 128, 128),
    "black": (20, 20, 20),
}

COLOR_NAMES: tuple[str, ...] = tuple(PALETTE_RGB)
CHROMATIC: tuple[str, ...] = tuple(n for n in COLOR_NAMES if n not in ("white", "grey", "black"))


def srgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """sRGB (uint8 or float 0–255, shape [..., 3]) to CIE Lab (D65), float64 [..., 3]."""
    c = np.asarray(rgb, dtype=np.float64) / 255.0
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    m = np.array([[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750], [0.0193339, 0.1191920, 0.9503041]])
    xyz = lin @ m.T
    xyz = xyz / np.array([0.95047, 1.0, 1.08883])
    eps = 216 / 24389
    kappa = 24389 / 27
    f = np.where(xyz > eps, np.cbrt(xyz), (kappa * xyz + 16) / 116)
    L = 116 * f[..., 1] - 16
    a = 500 * (f[..., 0] - f[..., 1])
    b = 200 * (f[..., 1] - f[..., 2])
    return np.stack([L, a, b], axis=-1)


PALETTE_LAB: dict[str, np.ndarray] = {name: srgb_to_lab(np.array(rgb)) for name, rgb in PALETTE_RGB.items()}
_NAMES = list(PALETTE_LAB)
_LAB = np.stack([PALETTE_LAB[n] for n in _NAMES])


def name_lab(lab: np.ndarray | tuple[float, float, float]) -> str:
    """Nearest palette name for one Lab colour.

    Low-chroma colours are named by lightness only (white / grey / black) so that a dim
    shade of a hue is not called "black" by accident nor a tinted grey a hue.
    """
    L, a, b = (float(v) for v in np.asarray(lab, dtype=np.float64).reshape(3))
    chroma = (a * a + b * b) ** 0.5
    if chroma < 12:
        if L > 80:
            return "white"
        if L < 25:
            return "black"
        return "grey"
    # Hue-weighted nearest neighbour among chromatic entries: lightness matters less than
    # hue, except for brown vs orange, which differ mostly in lightness.
    best, best_d = "grey", float("inf")
    for name in CHROMATIC:
        pl, pa, pb = PALETTE_LAB[name]
        d = 0.5 * (L - pl) ** 2 + (a - pa) ** 2 + (b - pb) ** 2
        if d < best_d:
            best, best_d = name, d
    return best


def name_rgb(rgb: tuple[int, int, int] | np.ndarray) -> str:
    """Nearest palette name for one sRGB colour."""
    return name_lab(srgb_to_lab(np.asarray(rgb, dtype=np.float64)))
