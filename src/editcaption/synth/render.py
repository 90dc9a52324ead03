"""Pixels from a :class:`~editcaption.synth.scene.Scene`.

Order: base (backdrop evaluated at each pixel's world position, or the photo warped by the
camera) → objects and sign (drawn upright, then turned with the view if the camera is
rotated) → global look (style / tone) → mirror. Objects are painted with the shared
palette's exact sRGB values (:data:`editcaption.colors.PALETTE_RGB`), so a colour analyzer
names them back with the truth's word. Text uses Pillow's built-in font only, so output is
byte-identical run to run.
"""

from __future__ import annotations

import math
from functools import cache, lru_cache

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ..colors import PALETTE_RGB
from .filters import apply_look
from .photos import render_photo
from .scene import Backdrop, Obj, Scene, Sign
from .shapes import outline

Size = tuple[int, int]

SIGN_BOARD = (245, 245, 240)
SIGN_EDGE = (70, 70, 70)
SIGN_INK = (25, 25, 25)


@cache
def partner_rgb(color: str) -> tuple[int, int, int]:
    """The second colour of a gradient/checkered backdrop and of object textures:
    a darker shade for light colours, a lighter tint for dark ones."""
    r, g, b = PALETTE_RGB[color]
    luminance = 0.299 * r + 0.587 * g + 0.114 * b
    if luminance > 150:
        return tuple(int(round(v * 0.62)) for v in (r, g, b))  # type: ignore[return-value]
    return tuple(int(round(v * 0.5 + 255 * 0.5)) for v in (r, g, b))  # type: ignore[return-value]


@lru_cache(maxsize=64)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def sign_font(word: str, board_h: float, board_w: float) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """The built-in font at the largest size (≤ 60% of the board height) whose text fits
    86% of the board width."""
    size = max(6, int(round(board_h * 0.6)))
    font = _font(size)
    while size > 6 and font.getlength(word) > board_w * 0.86:
        size -= 1
        font = _font(size)
    return font


# ---------------------------------------------------------------------------- base


def _world_grid(scene: Scene, size: Size) -> tuple[np.ndarray, np.ndarray]:
    """World coordinates of every pixel centre: (H, 1) and (1, W) arrays when the view is
    not rotated (the backdrop is then separable and cheap), full (H, W) arrays otherwise."""
    w, h = size
    a = scene.camera.frame_to_world_affine(size)
    xs = np.arange(w, dtype=np.float64)
    ys = np.arange(h, dtype=np.float64)
    if scene.camera.angle == 0.0:
        return (a[0, 0] * xs + a[0, 2])[None, :], (a[1, 1] * ys + a[1, 2])[:, None]
    gx, gy = np.meshgrid(xs, ys)
    return a[0, 0] * gx + a[0, 1] * gy + a[0, 2], a[1, 0] * gx + a[1, 1] * gy + a[1, 2]


def render_backdrop(scene: Scene, backdrop: Backdrop, size: Size) -> np.ndarray:
    w, h = size
    c1 = np.array(PALETTE_RGB[backdrop.color], dtype=np.float32)
    c2 = np.array(partner_rgb(backdrop.color), dtype=np.float32)
    if backdrop.pattern == "plain":
        return np.asarray(Image.new("RGB", size, PALETTE_RGB[backdrop.color]))
    px, py = _world_grid(scene, size)
    if backdrop.pattern == "gradient":
        # world-anchored: top of the source frame ≈ colour, bottom ≈ partner colour
        t = np.clip((py + 0.15) / (1.0 + 0.3), 0.0, 1.0)[..., None].astype(np.float32)
        rows = np.clip(np.rint(c1 * (1 - t) + c2 * t), 0, 255).astype(np.uint8)
        return np.ascontiguousarray(np.broadcast_to(rows, (h, w, 3)))
    if backdrop.pattern == "checkered":
        cell = backdrop.cell
        parity = (np.floor(px / cell).astype(np.int64) + np.floor(py / cell).astype(np.int64)) & 1
        lut = np.stack([c1, c2]).astype(np.uint8)
        return lut[np.broadcast_to(parity, (h, w))]
    raise ValueError(f"unknown backdrop pattern {backdrop.pattern!r}")


# ------------------------------------------------------------------------- objects


def _texture_mask(texture: str, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Where the darker pattern colour goes, in object-local units (radius 1)."""
    if texture == "striped":
        return (np.floor((u + v) / 0.36).astype(np.int64) & 1) == 1
    if texture == "dotted":
        gu, gv = (u / 0.5) - np.round(u / 0.5), (v / 0.5) - np.round(v / 0.5)
        return gu * gu + gv * gv < 0.3**2
    if texture == "checkered":
        return ((np.floor(u / 0.4) + np.floor(v / 0.4)).astype(np.int64) & 1) == 1
    raise ValueError(f"unknown texture {texture!r}")


def _draw_object(img: Image.Image, mask: Image.Image | None, obj: Obj, qx: float, qy: float, rp: float) -> None:
    pts = outline(obj.shape) * rp + np.array([qx, qy])
    poly = pts.ravel().tolist()
    color = PALETTE_RGB[obj.color]
    if obj.texture == "solid":
        ImageDraw.Draw(img).polygon(poly, fill=color)
        if mask is not None:
            ImageDraw.Draw(mask).polygon(poly, fill=255)
        return
    x0, y0 = int(math.floor(pts[:, 0].min())) - 1, int(math.floor(pts[:, 1].min())) - 1
    x1, y1 = int(math.ceil(pts[:, 0].max())) + 2, int(math.ceil(pts[:, 1].max())) + 2
    bw, bh = x1 - x0, y1 - y0
    local = Image.new("L", (bw, bh), 0)
    ImageDraw.Draw(local).polygon((pts - np.array([x0, y0])).ravel().tolist(), fill=255)
    u = (np.arange(x0, x1, dtype=np.float64)[None, :] - qx) / rp
    v = (np.arange(y0, y1, dtype=np.float64)[:, None] - qy) / rp
    pattern = _texture_mask(obj.texture, np.broadcast_to(u, (bh, bw)), np.broadcast_to(v, (bh, bw)))
    tex = np.where(pattern[:, :, None], np.array(partner_rgb(obj.color), np.uint8), np.array(color, np.uint8))
    img.paste(Image.fromarray(np.ascontiguousarray(tex)), (x0, y0), local)
    if mask is not None:
        mask.paste(255, (x0, y0), local)


def _draw_sign(img: Image.Image, mask: Image.Image | None, sign: Sign, qx: float, qy: float, s: float) -> None:
    hw, hh = sign.w * s / 2, sign.h * s / 2
    box = [qx - hw, qy - hh, qx + hw, qy + hh]
    edge = max(1, int(round(sign.h * s / 14)))
    draw = ImageDraw.Draw(img)
    draw.rectangle(box, fill=SIGN_BOARD, outline=SIGN_EDGE, width=edge)
    if mask is not None:
        ImageDraw.Draw(mask).rectangle(box, fill=255)
    draw.text((qx, qy), sign.word, fill=SIGN_INK, font=sign_font(sign.word, sign.h * s, sign.w * s), anchor="mm")


def _draw_layer(img: Image.Image, mask: Image.Image | None, scene: Scene, size: Size, canvas: Size) -> None:
    """Draw sign and objects upright, centred on ``canvas`` (no rotation, no mirror)."""
    cam = scene.camera
    s = cam.scale(size[0])
    ox, oy = canvas[0] / 2, canvas[1] / 2

    def to_canvas(x: float, y: float) -> tuple[float, float]:
        return (x - cam.cx) * s + ox, (y - cam.cy) * s + oy

    if scene.sign is not None:
        _draw_sign(img, mask, scene.sign, *to_canvas(scene.sign.x, scene.sign.y), s)
    for obj in scene.objects:
        qx, qy = to_canvas(obj.x, obj.y)
        rp = obj.r * s
        if -rp - 2 < qx < canvas[0] + rp + 2 and -rp - 2 < qy < canvas[1] + rp + 2:
            _draw_object(img, mask, obj, qx, qy, rp)


def render(scene: Scene, size: Size) -> np.ndarray:
    """HxWx3 uint8 pixels of ``scene`` at ``size`` = (width, height)."""
    w, h = size
    cam = scene.camera
    base = render_backdrop(scene, scene.base, size) if isinstance(scene.base, Backdrop) else render_photo(scene.base, cam, size)
    if cam.angle == 0.0:
        img = Image.fromarray(base)
        _draw_layer(img, None, scene, size, size)
        out = np.asarray(img)
    else:
        side = int(math.ceil(math.hypot(w, h))) + 4
        layer = Image.new("RGB", (side, side), (0, 0, 0))
        mask = Image.new("L", (side, side), 0)
        _draw_layer(layer, mask, scene, size, (side, side))
        m = cv2.getRotationMatrix2D((side / 2, side / 2), cam.angle, 1.0)
        m[0, 2] += w / 2 - side / 2
        m[1, 2] += h / 2 - side / 2
        rgb = cv2.warpAffine(np.asarray(layer), m, size, flags=cv2.INTER_LINEAR, borderValue=(0, 0, 0))
        alpha = cv2.warpAffine(np.asarray(mask), m, size, flags=cv2.INTER_LINEAR, borderValue=0)
        a = alpha.astype(np.float32)[:, :, None] / 255.0
        out = np.rint(base.astype(np.float32) * (1 - a) + rgb.astype(np.float32) * a).astype(np.uint8)
    out = apply_look(out, scene.look.style, scene.look.tone, scene.look.amount)
    if cam.mirror:
        out = out[:, ::-1]
    return np.ascontiguousarray(out)
