"""Builders for awkward and broken image files used across the tests."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image


def scene(w: int = 64, h: int = 48, seed: int = 0) -> np.ndarray:
    """A small RGB image with structure (so it is not featureless)."""
    rng = np.random.default_rng(seed)
    img = rng.integers(0, 255, (h, w, 3), dtype=np.uint8)
    img[: h // 2, : w // 2] = (200, 30, 30)
    return img


def save(arr_or_img, path: Path, fmt: str | None = None, **kw) -> Path:  # noqa: ANN001
    img = arr_or_img if isinstance(arr_or_img, Image.Image) else Image.fromarray(arr_or_img)
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path, format=fmt, **kw)
    return path


def exif_rotated_jpeg(path: Path, stored_w: int = 40, stored_h: int = 20) -> Path:
    """A JPEG stored landscape with EXIF orientation 6 (display rotated 90° clockwise)."""
    img = Image.fromarray(scene(stored_w, stored_h))
    exif = Image.Exif()
    exif[0x0112] = 6
    img.save(path, format="JPEG", exif=exif.tobytes())
    return path


def cmyk_jpeg(path: Path) -> Path:
    Image.fromarray(scene()).convert("CMYK").save(path, format="JPEG")
    return path


def png16(path: Path) -> Path:
    arr = (np.linspace(0, 65535, 64 * 48).reshape(48, 64)).astype(np.uint16)
    Image.fromarray(arr).save(path, format="PNG")
    return path


def animated_gif(path: Path, frames: int = 3) -> Path:
    imgs = [Image.fromarray(scene(seed=i)).convert("P") for i in range(frames)]
    imgs[0].save(path, format="GIF", save_all=True, append_images=imgs[1:], duration=100, loop=0)
    return path


def animated_webp(path: Path, frames: int = 3) -> Path:
    imgs = [Image.fromarray(scene(seed=i)) for i in range(frames)]
    imgs[0].save(path, format="WEBP", save_all=True, append_images=imgs[1:], duration=100)
    return path


def truncated_jpeg(path: Path) -> Path:
    buf = io.BytesIO()
    Image.fromarray(scene(128, 96)).save(buf, format="JPEG", quality=95)
    path.write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
    return path


def bomb_png(path: Path, side: int = 9000) -> Path:
    """A small PNG file that decodes to side² pixels (81 MP by default)."""
    Image.new("1", (side, side)).save(path, format="PNG")
    return path


def heic_like(path: Path) -> Path:
    path.write_bytes(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64)
    return path


def svg(path: Path) -> Path:
    path.write_text('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>')
    return path
