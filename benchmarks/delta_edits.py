"""Edits with known truth for measuring the delta analyzer and checker (benchmarks only).

Two photo sets, never mixed:

* ``tuning``: the four photos bundled in ``src/editcaption/samples/photos/`` — the only
  photos the analyzer's thresholds were chosen on;
* ``heldout``: other scikit-image photos (loaded from ``skimage.data`` at run time, never
  committed): a motorcycle, the Hubble deep field, a histology slide, a retina, and the
  grayscale camera, coins, brick, grass, gravel, moon, clock and cell images. No threshold
  was chosen on them, but they were looked at while building (failures on the low-contrast
  cell image and the dark Hubble field led to the equalised second feature pass and the
  relative brightness rule), so they are a validation set;
* ``fresh``: photos never looked at until the final run — matplotlib's Grace Hopper portrait
  and present-pack photo, and scikit-image's page, text and microaneurysms images.

Every edit returns the source, the target (both JPEG round-tripped, as real files are),
the truth in the analyzer's vocabulary, and a correct instruction in one of several
phrasings plus a copy with its direction deliberately swapped (for the checker).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageEnhance

from editcaption.colors import PALETTE_RGB
from editcaption.directions import position_phrase, side_of, vertical_of
from editcaption.imageio import decode_bytes, load_rgb

ROOT = Path(__file__).resolve().parents[1]
TUNING_PHOTOS = ("astronaut", "chelsea", "coffee", "rocket")
HELDOUT_PHOTOS = ("motorcycle", "hubble_deep_field", "immunohistochemistry", "retina", "camera", "coins", "brick",
                  "grass", "gravel", "moon", "clock", "cell")
# never looked at while the analyzer was built; run once, at the end (see docs/benchmarks.md)
FRESH_PHOTOS = ("grace_hopper", "present_pack", "page", "text", "microaneurysms")
_MATPLOTLIB_SAMPLES = {"grace_hopper": "grace_hopper.jpg", "present_pack": "Minduka_Present_Blue_Pack.png"}
MAX_PHOTO_SIDE = 640


def load_photo(name: str) -> np.ndarray:
    """A photo as HxWx3 uint8, longer side ≤ MAX_PHOTO_SIDE."""
    if name in TUNING_PHOTOS:
        rgb = load_rgb(ROOT / "src" / "editcaption" / "samples" / "photos" / f"{name}.jpg")
    elif name in _MATPLOTLIB_SAMPLES:
        import matplotlib.cbook

        with matplotlib.cbook.get_sample_data(_MATPLOTLIB_SAMPLES[name]) as fh:
            rgb = decode_bytes(fh.read(), name).rgb
    else:
        import skimage.data

        raw = skimage.data.stereo_motorcycle()[0] if name == "motorcycle" else getattr(skimage.data, name)()
        raw = np.asarray(raw)
        if raw.dtype != np.uint8:
            raw = (raw / raw.max() * 255).astype(np.uint8)
        rgb = np.repeat(raw[:, :, None], 3, axis=2) if raw.ndim == 2 else raw[:, :, :3]
    h, w = rgb.shape[:2]
    s = min(1.0, MAX_PHOTO_SIDE / max(h, w))
    if s < 1.0:
        rgb = cv2.resize(rgb, (round(w * s), round(h * s)), interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(rgb)


def is_colour(rgb: np.ndarray) -> bool:
    return float(np.abs(rgb.astype(int) - rgb.mean(axis=2, keepdims=True)).mean()) > 3.0


def jpeg(rgb: np.ndarray, quality: int = 90) -> np.ndarray:
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format="JPEG", quality=quality)
    return np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))


@dataclass
class Edit:
    kind: str
    photo: str
    src: np.ndarray
    tgt: np.ndarray
    truth: dict[str, Any]
    instruction: str  # a correct instruction
    swapped: str | None = None  # the same with a direction swapped (checker catch rate)
    swap_axis: str | None = None  # pan | zoom | side
    meta: dict[str, Any] = field(default_factory=dict)


def _window(h: int, w: int, frac: float, cx: float = 0.5, cy: float = 0.5) -> tuple[int, int, int, int]:
    ww, wh = int(w * frac), int(h * frac)
    x0 = min(max(0, int(round(cx * w - ww / 2))), w - ww)
    y0 = min(max(0, int(round(cy * h - wh / 2))), h - wh)
    return x0, y0, x0 + ww, y0 + wh


def _crop(rgb: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    x0, y0, x1, y1 = box
    return rgb[y0:y1, x0:x1]


# ------------------------------------------------------------------------------ camera

PAN_PHRASES = {
    "h": ["Pan the camera to the {d}.", "Shift the view {d}.", "Move the camera to the {d}.",
          "The camera pans to the {d}; nothing else changes.", "Turn the camera {d}."],
    "v": ["Tilt the camera {d}.", "Tilt {d}.", "Pan the camera {d}.", "Shift the view {d}."],
}
ZOOM_PHRASES = {
    "in": ["Zoom in on the center of the image.", "Zoom in.", "Push in closer to the middle of the scene.",
           "Crop in tighter on the center.", "Zoom in to show the middle of the scene larger."],
    "out": ["Zoom out to show more of the scene.", "Pull back to reveal more of the surroundings.", "Zoom out.",
            "Widen the view to show more around the edges."],
}


def _opp(word: str) -> str:
    return {"left": "right", "right": "left", "up": "down", "down": "up", "in": "out", "out": "in"}[word]


def edit_pan(rgb: np.ndarray, rng: np.random.Generator) -> Edit:
    h, w = rgb.shape[:2]
    direction = str(rng.choice(["left", "right", "up", "down"]))
    amount = float(rng.uniform(0.06, 0.15))
    frac = 0.72
    src_box = _window(h, w, frac)
    # pan left: the new view lies to the left, so the window moves left
    dx = {"left": -1, "right": 1}.get(direction, 0) * amount * frac
    dy = {"up": -1, "down": 1}.get(direction, 0) * amount * frac
    tgt_box = _window(h, w, frac, 0.5 + dx, 0.5 + dy)
    axis = "h" if direction in ("left", "right") else "v"
    phrase = str(rng.choice(PAN_PHRASES[axis]))
    truth = {"pan_horizontal": direction if axis == "h" else "none", "pan_vertical": direction if axis == "v" else "none"}
    return Edit("pan", "", _crop(rgb, src_box), _crop(rgb, tgt_box), truth, phrase.format(d=direction),
                phrase.format(d=_opp(direction)), "pan")


def edit_zoom(rgb: np.ndarray, rng: np.random.Generator) -> Edit:
    h, w = rgb.shape[:2]
    direction = str(rng.choice(["in", "out"]))
    s = float(rng.uniform(1.2, 1.6))
    wide = _crop(rgb, _window(h, w, 0.9))
    wh, ww = wide.shape[:2]
    close = cv2.resize(_crop(wide, _window(wh, ww, 1 / s)), (ww, wh), interpolation=cv2.INTER_LINEAR)
    src, tgt = (wide, close) if direction == "in" else (close, wide)
    i = int(rng.integers(len(ZOOM_PHRASES[direction])))
    right = ZOOM_PHRASES[direction][i]
    wrong = ZOOM_PHRASES[_opp(direction)][i % len(ZOOM_PHRASES[_opp(direction)])]
    return Edit("zoom", "", src, tgt, {"zoom": direction, "scale": s if direction == "in" else 1 / s}, right, wrong, "zoom")


def edit_rotate(rgb: np.ndarray, rng: np.random.Generator) -> Edit:
    h, w = rgb.shape[:2]
    angle = float(rng.uniform(4, 20)) * float(rng.choice([-1, 1]))
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)  # angle > 0: counter-clockwise
    turned = cv2.warpAffine(rgb, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    box = _window(h, w, 0.62)
    word = "counter-clockwise" if angle > 0 else "clockwise"
    other = "clockwise" if angle > 0 else "counter-clockwise"
    text = f"Rotate the view {abs(round(angle))} degrees {{}}."
    return Edit("rotate", "", _crop(rgb, box), _crop(turned, box), {"rotation_sign": 1 if angle > 0 else -1},
                text.format(word), text.format(other), "rotation")


def edit_mirror(rgb: np.ndarray, rng: np.random.Generator) -> Edit:
    src = _crop(rgb, _window(*rgb.shape[:2], 0.9))
    text = str(rng.choice(["Mirror the image horizontally.", "Flip the image horizontally.",
                           "Flip the picture left to right."]))
    return Edit("mirror", "", src, np.ascontiguousarray(src[:, ::-1]), {"flip": "horizontal"}, text, None, None)


# -------------------------------------------------------------------------------- tone


def edit_brightness(rgb: np.ndarray, rng: np.random.Generator) -> Edit:
    src = _crop(rgb, _window(*rgb.shape[:2], 0.9))
    up = bool(rng.integers(2))
    how = str(rng.choice(["scale", "gamma", "enhance"]))
    x = src.astype(np.float32)
    if how == "scale":
        f = rng.uniform(1.2, 1.45) if up else rng.uniform(0.6, 0.8)
        out = x * f
    elif how == "gamma":
        g = rng.uniform(0.6, 0.8) if up else rng.uniform(1.3, 1.7)
        out = 255.0 * (x / 255.0) ** g
    else:
        out = np.asarray(ImageEnhance.Brightness(Image.fromarray(src)).enhance(
            rng.uniform(1.25, 1.5) if up else rng.uniform(0.6, 0.8)), dtype=np.float32)
    tgt = np.clip(out + 0.5, 0, 255).astype(np.uint8)
    word = "brighter" if up else "darker"
    text = "Brighten the whole image." if up else "Darken the whole image."
    return Edit("brightness", "", src, tgt, {"brightness": word}, text, None, None)


def edit_warmth(rgb: np.ndarray, rng: np.random.Generator) -> Edit:
    src = _crop(rgb, _window(*rgb.shape[:2], 0.9))
    warm = bool(rng.integers(2))
    k = float(rng.uniform(0.08, 0.18))
    gain = np.array([1 + k, 1 + k / 4, 1 - k]) if warm else np.array([1 - k, 1 + k / 8, 1 + k])
    gain /= gain @ np.array([0.299, 0.587, 0.114])  # a colour balance keeps luma
    tgt = np.clip(src.astype(np.float32) * gain + 0.5, 0, 255).astype(np.uint8)
    word = "warmer" if warm else "cooler"
    text = "Make the colours of the whole image warmer." if warm else "Give the whole image a cooler, bluer tone."
    return Edit("warmth", "", src, tgt, {"temperature": word}, text, None, None)


def edit_grayscale(rgb: np.ndarray, rng: np.random.Generator) -> Edit:
    src = _crop(rgb, _window(*rgb.shape[:2], 0.9))
    gray = np.asarray(Image.fromarray(src).convert("L"))
    text = str(rng.choice(["Convert the whole image to black and white.", "Make the image grayscale."]))
    return Edit("grayscale", "", src, np.repeat(gray[:, :, None], 3, axis=2), {"grayscale": True}, text, None, None)


def edit_saturation(rgb: np.ndarray, rng: np.random.Generator) -> Edit:
    src = _crop(rgb, _window(*rgb.shape[:2], 0.9))
    more = bool(rng.integers(2))
    f = rng.uniform(1.6, 2.2) if more else rng.uniform(0.3, 0.55)
    tgt = np.asarray(ImageEnhance.Color(Image.fromarray(src)).enhance(f))
    word = "more" if more else "less"
    text = "Make the colours of the whole image more saturated." if more else "Desaturate the colours of the whole image."
    return Edit("saturation", "", src, tgt, {"saturation": word}, text, None, None)


def edit_unchanged(rgb: np.ndarray, rng: np.random.Generator) -> Edit:
    src = _crop(rgb, _window(*rgb.shape[:2], 0.9))
    how = str(rng.choice(["requality", "resize", "png"]))
    if how == "requality":
        tgt = jpeg(src, int(rng.integers(60, 85)))
    elif how == "resize":
        h, w = src.shape[:2]
        f = float(rng.uniform(0.6, 0.9))
        tgt = cv2.resize(src, (round(w * f), round(h * f)), interpolation=cv2.INTER_AREA)
    else:
        tgt = src.copy()
    return Edit("unchanged", "", src, tgt, {"same": True}, "Make no changes to the image.", None, None,
                meta={"how": how})


# ------------------------------------------------------------------------------- local

SHAPES = ("disc", "square", "triangle", "star")
OBJECT_COLOURS = ("red", "orange", "yellow", "green", "cyan", "blue", "purple", "pink", "white", "black")


def _centre(rng: np.random.Generator) -> tuple[float, float]:
    # keep clear of the third boundaries, so that the true side is unambiguous
    bands = [(0.1, 0.27), (0.42, 0.58), (0.73, 0.9)]
    lo, hi = bands[int(rng.integers(3))]
    vlo, vhi = bands[int(rng.integers(3))]
    return float(rng.uniform(lo, hi)), float(rng.uniform(vlo, vhi))


def _shape_mask(h: int, w: int, shape: str, cx: float, cy: float, r: float) -> np.ndarray:
    img = Image.new("L", (w, h), 0)
    d = ImageDraw.Draw(img)
    x, y = cx * w, cy * h
    if shape == "disc":
        d.ellipse((x - r, y - r, x + r, y + r), fill=255)
    elif shape == "square":
        d.rectangle((x - r, y - r, x + r, y + r), fill=255)
    elif shape == "triangle":
        d.polygon([(x, y - r), (x + r, y + r * 0.8), (x - r, y + r * 0.8)], fill=255)
    else:
        pts = []
        for i in range(10):
            a = np.pi / 2 + i * np.pi / 5
            rr = r if i % 2 == 0 else r * 0.5
            pts.append((x + rr * np.cos(a), y - rr * np.sin(a)))
        d.polygon(pts, fill=255)
    return np.asarray(img) > 127


def _paint(base: np.ndarray, mask: np.ndarray, colour: str, rng: np.random.Generator) -> np.ndarray:
    """Paint a shaded, slightly noisy object of a palette colour into ``base``."""
    h, w = base.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    ys, xs = np.nonzero(mask)
    cy, cx = ys.mean(), xs.mean()
    r = max(4.0, float(np.sqrt(mask.sum() / np.pi)))
    shade = 1.0 + 0.12 * ((cx - xx) + (cy - yy)) / r  # lit from the upper left
    rgb = np.array(PALETTE_RGB[colour], np.float32)
    obj = rgb[None, None, :] * shade[..., None] + rng.normal(0, 4, (h, w, 1)).astype(np.float32)
    out = base.astype(np.float32).copy()
    out[mask] = obj[mask]
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)


def _object(rgb: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, dict[str, Any], str]:
    src = _crop(rgb, _window(*rgb.shape[:2], 0.9))
    h, w = src.shape[:2]
    cx, cy = _centre(rng)
    r = float(rng.uniform(0.06, 0.11)) * min(h, w)
    shape = str(rng.choice(SHAPES))
    mask = _shape_mask(h, w, shape, cx, cy, r)
    where = {"side": side_of(cx), "vertical": vertical_of(cy)}
    return src, mask, where, shape


def _where_text(where: dict[str, Any], rng: np.random.Generator) -> str:
    pos = position_phrase(where["side"], where["vertical"])
    forms = [f"at the {pos} of the image", f"in the {pos} of the picture"]
    if where["vertical"] == "middle" and where["side"] != "center":
        forms.append(f"on the {where['side']} side of the image")
    return str(rng.choice(forms))


def _swap_side(text: str, where: dict[str, Any]) -> str | None:
    if where["side"] == "center":
        return None
    from editcaption.directions import swap_direction_words

    return swap_direction_words(text, "horizontal")


def edit_add(rgb: np.ndarray, rng: np.random.Generator) -> Edit:
    src, mask, where, shape = _object(rgb, rng)
    colour = str(rng.choice(OBJECT_COLOURS))
    tgt = _paint(src, mask, colour, rng)
    text = f"Add a {colour} {shape} {_where_text(where, rng)}."
    return Edit("add", "", src, tgt, {**where, "kind": "appeared", "color_after": colour}, text,
                _swap_side(text, where), "side")


def edit_remove(rgb: np.ndarray, rng: np.random.Generator) -> Edit:
    base, mask, where, shape = _object(rgb, rng)
    colour = str(rng.choice(OBJECT_COLOURS))
    src = _paint(base, mask, colour, rng)
    text = f"Remove the {colour} {shape} {_where_text(where, rng)}."
    return Edit("remove", "", src, base, {**where, "kind": "disappeared", "color_before": colour}, text,
                _swap_side(text, where), "side")


def edit_recolor(rgb: np.ndarray, rng: np.random.Generator) -> Edit:
    base, mask, where, shape = _object(rgb, rng)
    before, after = (str(c) for c in rng.choice(OBJECT_COLOURS, 2, replace=False))
    src = _paint(base, mask, before, rng)
    tgt = _paint(base, mask, after, rng)
    text = f"Change the colour of the {before} {shape} {_where_text(where, rng)} to {after}."
    return Edit("recolor", "", src, tgt, {**where, "kind": "recolored", "color_before": before, "color_after": after},
                text, _swap_side(text, where), "side")


def edit_recolor_region(rgb: np.ndarray, rng: np.random.Generator) -> Edit:
    """Recolour a blob of the photo itself, keeping its shading (a hue change, not a paste)."""
    src = _crop(rgb, _window(*rgb.shape[:2], 0.9))
    h, w = src.shape[:2]
    cx, cy = _centre(rng)
    r = float(rng.uniform(0.08, 0.13)) * min(h, w)
    mask = _shape_mask(h, w, "disc", cx, cy, r)
    colour = str(rng.choice([c for c in OBJECT_COLOURS if c not in ("white", "black")]))
    lum = cv2.cvtColor(src, cv2.COLOR_RGB2GRAY).astype(np.float32)
    rel = np.clip(lum / max(1.0, float(lum[mask].mean())), 0.75, 1.25)
    painted = np.array(PALETTE_RGB[colour], np.float32)[None, None, :] * rel[..., None]
    tgt = src.astype(np.float32).copy()
    tgt[mask] = painted[mask]
    tgt = np.clip(tgt + 0.5, 0, 255).astype(np.uint8)
    where = {"side": side_of(cx), "vertical": vertical_of(cy)}
    text = f"Paint the round area {_where_text(where, rng)} {colour}."
    return Edit("recolor_region", "", src, tgt, {**where, "kind": "recolored", "color_after": colour}, text,
                _swap_side(text, where), "side")


EDITS: dict[str, Callable[[np.ndarray, np.random.Generator], Edit]] = {
    "pan": edit_pan,
    "zoom": edit_zoom,
    "rotate": edit_rotate,
    "mirror": edit_mirror,
    "brightness": edit_brightness,
    "warmth": edit_warmth,
    "grayscale": edit_grayscale,
    "saturation": edit_saturation,
    "add": edit_add,
    "remove": edit_remove,
    "recolor": edit_recolor,
    "recolor_region": edit_recolor_region,
    "unchanged": edit_unchanged,
}
COLOUR_ONLY = {"grayscale", "saturation"}  # meaningless on a grayscale photo


def make_edits(photos: tuple[str, ...], per_kind: int, seed: int, kinds: tuple[str, ...] | None = None) -> list[Edit]:
    """``per_kind`` edits of each kind, cycling through ``photos``; deterministic for a seed."""
    loaded = {name: load_photo(name) for name in photos}
    out: list[Edit] = []
    for kind in kinds or tuple(EDITS):
        usable = [n for n in photos if kind not in COLOUR_ONLY or is_colour(loaded[n])]
        for i in range(per_kind):
            # one generator per edit: the same (seed, kind, i) always gives the same pair
            rng = np.random.default_rng([seed, list(EDITS).index(kind), i])
            name = usable[i % len(usable)]
            e = EDITS[kind](loaded[name], rng)
            e.photo = name
            q = int(rng.integers(85, 96))
            e.src = jpeg(np.ascontiguousarray(e.src), q)
            e.tgt = jpeg(np.ascontiguousarray(e.tgt), q)
            out.append(e)
    return out
