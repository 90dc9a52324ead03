"""Photos with pasted, removed and recoloured objects, with the kind of change known by construction.

Everything is made from public-domain / CC0 photos that ship with scikit-image (see
``LICENSES.md`` beside this file) and the cut-out polygons in ``objects.json``; nothing but
the polygons is committed, and a pair depends only on its split, its kind and its index.

* **appeared**: a background photo → the same photo with an object pasted in;
* **disappeared**: the reverse pair (the photo with the object → the bare photo);
* **recolored**: the object's colours turned inside its mask (a rotation of the Lab hue; a
  grey object is tinted instead), either on a pasted object or in place, in the photo the
  object comes from;
* **moved**: the object pasted at one place in the source and at another in the target, on
  the same background; the truth is the direction of the move (left, right, up or down, the
  axis it moved along) and the target box. Half of the moves are ``short``: by 40–90% of the
  object's own extent, so the two places overlap.

What varies, per pair: the background (plain, busy, textured; colour or grey), the object,
its size (small: 0.6–1.5% of the frame, medium: 2–6%, large: 7–14%), its place (left / centre / right × top / middle / bottom,
or cut by the frame's edge), a hard or a feathered mask, and the contrast between object and
background (natural, or the object's mean colour pulled close to its surroundings, keeping
its texture). Each pair carries ``tags`` naming its hard cases: ``low-contrast``,
``textured`` (a texture background), ``small`` (under 1.5% of the frame), ``edge`` (cut by
the frame), ``soft`` (feathered mask), ``in-place`` and ``tinted`` (recolours), ``short`` (moves).

Write a part to disk with its truth (``truth.jsonl``: id, kind, direction, bbox, tags, files)::

    .venv/bin/python benchmarks/region_photos/photoset.py --split heldout --per-kind 100 --out /tmp/region-photos

Nine parts, never mixed: ``tuning`` (the objects and backgrounds the classifier was tuned on),
``heldout`` (other objects on other backgrounds, read at the end of the first round of work)
``heldout2`` (made after ``heldout`` had been read twice: five more objects cut from the
coins and Hubble photos, never used before, on the held-out backgrounds turned a quarter turn
and mirrored, so every composition is new, drawn from a random stream of its own; read once,
at the end of the second round) and ``heldout3`` (made after ``heldout2`` had been read: the
twelve objects of both held-out parts plus one never used, the CC0 horse silhouette, on every
held-out background turned half a turn, from a random stream of its own; read once, at the end
of the third round) and ``heldout4`` (made after ``heldout3`` had been read: the same thirteen
objects on every held-out background turned a quarter turn counter-clockwise, a turn no other
part uses, from a random stream of its own; read once, at the end of the fourth round) and
``heldout5`` (made after ``heldout4`` had been read: the same thirteen objects on every held-out
background turned a quarter turn clockwise, again a turn no other part uses, from a random stream
of its own; read once, at the end of the fifth round) and ``heldout6`` (made after ``heldout5``
had been read: the same thirteen objects on every held-out background mirrored left to right and
not turned, from a random stream of its own; read once, at the end of the sixth round, the first
with the learned kind model of ``train_kind.py``, which never reads a held-out part) and
``heldout7`` (made after ``heldout6`` had been read, with no change to the analyzer in between:
the same thirteen objects on every held-out background mirrored top to bottom, from a random
stream of its own; read once, as a second measure of the sixth round) and ``heldout8`` (made after
``heldout7`` had been read and the seventh round's quiet-pair search was done: the same thirteen
objects on every held-out background turned a quarter turn counter-clockwise and mirrored left to
right, the one symmetry of the square no other part uses, from a random stream of its own; read
once, at the end of the seventh round).
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

HERE = Path(__file__).resolve().parent
KINDS = ("appeared", "disappeared", "recolored", "moved")  # new kinds go last: seeds use the index
MAX_SIDE = 512
_HELDOUT_BACKGROUNDS = ("chelsea", "rocket", "gravel", "immunohistochemistry", "retina", "hubble_deep_field",
                        "coins", "clock")
BACKGROUNDS = {
    "tuning": ("astronaut", "coffee", "camera", "brick", "grass", "cell", "text"),
    "heldout": _HELDOUT_BACKGROUNDS,
    # the held-out backgrounds other than the photos its objects come from, turned (see _background)
    "heldout2": ("chelsea", "rocket", "gravel", "immunohistochemistry", "retina", "clock"),
}
SPLITS = ("tuning", "heldout", "heldout2", "heldout3", "heldout4", "heldout5", "heldout6", "heldout7",
          "heldout8")  # new parts go last: seeds use the index
# from the third held-out part on, a part shows every held-out background turned its own way (see
# _background) and draws from the objects of the first three held-out parts: the third adds one new
# object to the twelve of the first two, none of which the classifier was tuned on; the later parts add none
_LATER_PARTS = SPLITS[SPLITS.index("heldout3"):]
BACKGROUNDS.update({part: _HELDOUT_BACKGROUNDS for part in _LATER_PARTS})
# the parts whose objects a part draws from (by default its own)
OBJECT_PARTS = {part: ("heldout", "heldout2", "heldout3") for part in _LATER_PARTS}
# how a part turns its background photos before cutting a window (see _background)
TURNS = {"heldout2": "quarter-mirrored", "heldout3": "half", "heldout4": "quarter-back", "heldout5": "quarter",
         "heldout6": "mirrored", "heldout7": "upside-down", "heldout8": "quarter-back-mirrored"}
TEXTURES = {"brick", "grass", "gravel"}
# centre bands that keep clear of the thirds' boundaries (the side of a region is then unambiguous)
_BANDS = ((0.12, 0.27), (0.43, 0.57), (0.73, 0.88))


@cache
def objects() -> dict[str, dict]:
    """The cut-outs: name → {photo, split, what, polygon (x, y pixels of the photo as loaded)}."""
    return json.loads((HERE / "objects.json").read_text())


@cache
def photo(name: str) -> np.ndarray:
    """A scikit-image photo as HxWx3 uint8 at its own size (grey photos repeated on three channels)."""
    import skimage.data

    raw = np.asarray(getattr(skimage.data, name)())
    if raw.dtype != np.uint8:
        raw = (raw / raw.max() * 255).astype(np.uint8)
    rgb = np.repeat(raw[:, :, None], 3, axis=2) if raw.ndim == 2 else raw[:, :, :3]
    return np.ascontiguousarray(rgb)


def _fit(rgb: np.ndarray, longest: int = MAX_SIDE) -> tuple[np.ndarray, float]:
    h, w = rgb.shape[:2]
    s = min(1.0, longest / max(h, w))
    if s < 1.0:
        rgb = cv2.resize(rgb, (round(w * s), round(h * s)), interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(rgb), s


def jpeg(rgb: np.ndarray, quality: int) -> np.ndarray:
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgb)).save(buf, format="JPEG", quality=quality)
    return np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))


def _lab(rgb: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(rgb.astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB)


def _rgb(lab: np.ndarray) -> np.ndarray:
    return np.clip(cv2.cvtColor(lab.astype(np.float32), cv2.COLOR_LAB2RGB) * 255.0 + 0.5, 0, 255).astype(np.uint8)


def polygon_mask(shape: tuple[int, int], polygon: list[list[int]], scale: float = 1.0) -> np.ndarray:
    """0/1 float mask of a polygon (given at the photo's own size), drawn at ``scale``, anti-aliased."""
    sub = 8  # sub-pixel precision of the drawing
    pts = np.round(np.asarray(polygon, np.float64) * scale * sub).astype(np.int32).reshape(-1, 1, 2)
    m = np.zeros(shape, np.uint8)
    cv2.fillPoly(m, [pts], 255, lineType=cv2.LINE_AA, shift=3)
    return m.astype(np.float32) / 255.0


def cutout(name: str) -> tuple[np.ndarray, np.ndarray]:
    """(RGB crop, alpha) of one object at its photo's own size, cropped to the polygon's box."""
    obj = objects()[name]
    rgb = photo(obj["photo"])
    alpha = polygon_mask(rgb.shape[:2], obj["polygon"])
    ys, xs = np.nonzero(alpha > 0)
    box = (slice(ys.min(), ys.max() + 1), slice(xs.min(), xs.max() + 1))
    rgb, alpha = rgb[box], alpha[box]
    if obj.get("fill_outside"):
        # a silhouette on a white page: a feathered edge would blend in the page as a white halo, so
        # the crop is the object's own colour outside the outline too, with room for the feather to fade
        pad = max(4, round(0.1 * max(alpha.shape)))
        padded = np.empty((rgb.shape[0] + 2 * pad, rgb.shape[1] + 2 * pad, 3), np.uint8)
        padded[:] = np.median(rgb[alpha > 0.5], axis=0)
        padded[pad:-pad, pad:-pad][alpha > 0] = rgb[alpha > 0]
        rgb, alpha = padded, np.pad(alpha, pad)
    return rgb, alpha


def _feather(alpha: np.ndarray, size: float) -> np.ndarray:
    sigma = max(1.0, 0.035 * size)
    return cv2.GaussianBlur(alpha, (0, 0), sigma)


def recolour(rgb: np.ndarray, alpha: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, bool]:
    """``rgb`` with its colours turned inside ``alpha``: a Lab hue rotation by 100–260°, or, for a
    grey object (median chroma under 12), a tint of chroma 28–45 at a random hue. Returns
    the image and whether it was tinted."""
    lab = _lab(rgb)
    inside = alpha > 0.5
    ab = lab[..., 1:]
    chroma = float(np.median(np.linalg.norm(ab[inside], axis=1))) if inside.any() else 0.0
    new = lab.copy()
    if chroma < 12.0:
        hue = float(rng.uniform(0, 2 * np.pi))
        c = float(rng.uniform(28, 45))
        new[..., 1] = 0.3 * ab[..., 0] + c * np.cos(hue)
        new[..., 2] = 0.3 * ab[..., 1] + c * np.sin(hue)
        tinted = True
    else:
        turn = np.radians(float(rng.uniform(100, 260)))
        cos, sin = np.cos(turn), np.sin(turn)
        new[..., 1] = cos * ab[..., 0] - sin * ab[..., 1]
        new[..., 2] = sin * ab[..., 0] + cos * ab[..., 1]
        tinted = False
    turned = _rgb(new).astype(np.float32)
    a = alpha[..., None]
    return np.clip(a * turned + (1 - a) * rgb.astype(np.float32) + 0.5, 0, 255).astype(np.uint8), tinted


@dataclass
class RegionPair:
    """One pair: source, target, the true kind and where the object is (target frame)."""

    id: str
    split: str
    kind: str  # appeared | disappeared | recolored
    src: np.ndarray
    tgt: np.ndarray
    background: str
    object: str
    bbox: tuple[float, float, float, float]  # x0, y0, x1, y1, fractions of the frame
    area: float  # the object's share of the frame
    tags: tuple[str, ...] = ()
    meta: dict = field(default_factory=dict)
    direction: str | None = None  # of a move: left | right | up | down (viewer's)


def _place(length: int, extent: int, band: tuple[float, float] | None, edge: int, rng: np.random.Generator) -> int:
    """Top-left coordinate of an object of ``extent`` pixels in a frame of ``length`` pixels:
    centred in ``band``, or (``edge`` = -1 / +1) cut by that end of the frame by 25–45%."""
    if edge:
        cut = float(rng.uniform(0.25, 0.45))
        return round(-cut * extent) if edge < 0 else round(length - (1 - cut) * extent)
    assert band is not None
    centre = float(rng.uniform(*band)) * length
    return int(np.clip(round(centre - extent / 2), 0, max(0, length - extent)))


def _paste(base: np.ndarray, obj: np.ndarray, alpha: np.ndarray, x0: int, y0: int) -> tuple[np.ndarray, np.ndarray]:
    """``obj`` over ``base`` at (x0, y0) through ``alpha``, clipped to the frame; also the full-frame alpha."""
    h, w = base.shape[:2]
    oh, ow = obj.shape[:2]
    full = np.zeros((h, w), np.float32)
    fx0, fy0, fx1, fy1 = max(0, x0), max(0, y0), min(w, x0 + ow), min(h, y0 + oh)
    full[fy0:fy1, fx0:fx1] = alpha[fy0 - y0:fy1 - y0, fx0 - x0:fx1 - x0]
    layer = np.zeros_like(base, dtype=np.float32)
    layer[fy0:fy1, fx0:fx1] = obj[fy0 - y0:fy1 - y0, fx0 - x0:fx1 - x0]
    a = full[..., None]
    out = a * layer + (1 - a) * base.astype(np.float32)
    return np.clip(out + 0.5, 0, 255).astype(np.uint8), full


def _blend_towards(obj: np.ndarray, alpha: np.ndarray, target_lab: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The object with its mean Lab colour moved to 7–13 ΔE from ``target_lab`` (its texture kept)."""
    lab = _lab(obj)
    inside = alpha > 0.5
    mean = lab[inside].mean(axis=0)
    direction = rng.normal(size=3)
    direction[0] *= 0.6
    direction /= np.linalg.norm(direction)
    goal = target_lab + float(rng.uniform(7, 13)) * direction
    goal[0] = np.clip(goal[0], 8, 95)
    return _rgb(lab - mean + goal)


def _ring_colour(base: np.ndarray, full_alpha: np.ndarray) -> np.ndarray:
    m = (full_alpha > 0.05).astype(np.uint8)
    size = max(3, int(np.sqrt(m.sum()) * 0.4) | 1)
    ring = cv2.dilate(m, np.ones((size, size), np.uint8)).astype(bool) & ~m.astype(bool)
    return np.median(_lab(base)[ring], axis=0)


# each turn as a view of the photo: quarter turns are clockwise unless "back"
_TURNED = {
    "quarter": lambda rgb: np.rot90(rgb, -1),
    "quarter-mirrored": lambda rgb: np.rot90(rgb, -1)[:, ::-1],  # then mirrored left to right
    "quarter-back": lambda rgb: np.rot90(rgb, 1),
    "quarter-back-mirrored": lambda rgb: np.rot90(rgb, 1)[:, ::-1],  # the last of the square's eight symmetries
    "half": lambda rgb: rgb[::-1, ::-1],
    "mirrored": lambda rgb: rgb[:, ::-1],  # left to right, not turned
    "upside-down": lambda rgb: rgb[::-1],  # mirrored top to bottom
}


def _turn(rgb: np.ndarray, turn: str | None) -> np.ndarray:
    """The photo turned as a part's ``turn`` says (:data:`_TURNED`; None: as it is)."""
    return rgb if turn is None else np.ascontiguousarray(_TURNED[turn](rgb))


def _background(name: str, rng: np.random.Generator, turn: str | None = None) -> np.ndarray:
    """A random 80–100% window of a background photo, longer side ≤ 512, the photo turned first
    (:func:`_turn`)."""
    rgb, _ = _fit(_turn(photo(name), turn))
    h, w = rgb.shape[:2]
    fw, fh = float(rng.uniform(0.8, 1.0)), float(rng.uniform(0.8, 1.0))
    ww, wh = round(w * fw), round(h * fh)
    x0, y0 = int(rng.integers(0, w - ww + 1)), int(rng.integers(0, h - wh + 1))
    return np.ascontiguousarray(rgb[y0:y0 + wh, x0:x0 + ww])


def _stats(full: np.ndarray) -> tuple[tuple[float, float, float, float], float]:
    h, w = full.shape
    ys, xs = np.nonzero(full > 0.5)
    bbox = (xs.min() / w, ys.min() / h, (xs.max() + 1) / w, (ys.max() + 1) / h)
    return (round(bbox[0], 4), round(bbox[1], 4), round(bbox[2], 4), round(bbox[3], 4)), float((full > 0.5).mean())


def _in_place(split: str, index: int, name: str, rng: np.random.Generator) -> RegionPair:
    """Recolour an object where it is, in its own photo."""
    rgb, s = _fit(photo(objects()[name]["photo"]))
    alpha = polygon_mask(rgb.shape[:2], objects()[name]["polygon"], s)
    tags = ["in-place"]
    if rng.random() < 0.5:
        alpha = _feather(alpha, float(np.sqrt((alpha > 0.5).sum())))
        tags.append("soft")
    tgt, tinted = recolour(rgb, alpha, rng)
    if tinted:
        tags.append("tinted")
    bbox, area = _stats(alpha)
    if area < 0.015:
        tags.append("small")
    return RegionPair(f"{split}-recolored-{index:03d}", split, "recolored", rgb, tgt, objects()[name]["photo"], name,
                      bbox, area, tuple(tags))


def make_pair(split: str, kind: str, index: int, seed: int = 0) -> RegionPair:
    """Pair ``index`` of one kind in one part of the set (deterministic for a seed)."""
    rng = np.random.default_rng([seed, SPLITS.index(split), KINDS.index(kind), index])
    parts = OBJECT_PARTS.get(split, (split,))
    names = [k for k, v in objects().items() if v["split"] in parts]
    name = names[int(rng.integers(len(names)))]
    if kind == "recolored" and rng.random() < 0.3:
        pair = _in_place(split, index, name, rng)
    else:
        pair = _pasted(split, kind, index, name, rng)
    q = int(rng.integers(85, 96))
    pair.src, pair.tgt = jpeg(pair.src, q), jpeg(pair.tgt, q)
    return pair


def _pasted(split: str, kind: str, index: int, name: str, rng: np.random.Generator) -> RegionPair:
    bg_name = BACKGROUNDS[split][int(rng.integers(len(BACKGROUNDS[split])))]
    base = _background(bg_name, rng, TURNS.get(split))
    h, w = base.shape[:2]
    obj, alpha = cutout(name)
    size_class = str(rng.choice(["small", "medium", "large"], p=[0.3, 0.45, 0.25]))
    share = float(rng.uniform(*{"small": (0.006, 0.015), "medium": (0.02, 0.06), "large": (0.07, 0.14)}[size_class]))
    s = float(np.sqrt(share * h * w / alpha.sum()))
    s = min(s, 0.85 * h / obj.shape[0], 0.85 * w / obj.shape[1])  # a long object still fits the frame
    target = s * max(obj.shape[:2])
    ow, oh = max(4, round(obj.shape[1] * s)), max(4, round(obj.shape[0] * s))
    obj = cv2.resize(obj, (ow, oh), interpolation=cv2.INTER_AREA)
    alpha = cv2.resize(alpha, (ow, oh), interpolation=cv2.INTER_AREA)
    if rng.random() < 0.5:
        obj, alpha = np.ascontiguousarray(obj[:, ::-1]), np.ascontiguousarray(alpha[:, ::-1])
    tags: list[str] = []
    if rng.random() < 0.4:
        alpha = _feather(alpha, target)
        tags.append("soft")
    if kind == "moved":
        return _moved(split, index, name, bg_name, base, obj, alpha, tags, rng)
    edge_x = edge_y = 0
    if rng.random() < 0.15:
        if rng.random() < 0.5:
            edge_x = int(rng.choice([-1, 1]))
        else:
            edge_y = int(rng.choice([-1, 1]))
        tags.append("edge")
    x0 = _place(w, ow, None if edge_x else _BANDS[int(rng.integers(3))], edge_x, rng)
    y0 = _place(h, oh, None if edge_y else _BANDS[int(rng.integers(3))], edge_y, rng)
    with_obj, full = _paste(base, obj, alpha, x0, y0)
    if rng.random() < 0.25:
        obj = _blend_towards(obj, alpha, _ring_colour(base, full), rng)
        with_obj, full = _paste(base, obj, alpha, x0, y0)
        tags.append("low-contrast")
    if bg_name in TEXTURES:
        tags.append("textured")
    bbox, area = _stats(full)
    if area < 0.015:
        tags.append("small")
    meta = {"size": size_class, "offset": (x0, y0)}
    pid = f"{split}-{kind}-{index:03d}"
    if kind == "appeared":
        return RegionPair(pid, split, kind, base, with_obj, bg_name, name, bbox, area, tuple(tags), meta)
    if kind == "disappeared":
        return RegionPair(pid, split, kind, with_obj, base, bg_name, name, bbox, area, tuple(tags), meta)
    turned, tinted = recolour(with_obj, full, rng)
    if tinted:
        tags.append("tinted")
    return RegionPair(pid, split, kind, with_obj, turned, bg_name, name, bbox, area, tuple(tags), meta)


def _moved(split: str, index: int, name: str, bg_name: str, base: np.ndarray, obj: np.ndarray, alpha: np.ndarray,
           tags: list[str], rng: np.random.Generator) -> RegionPair:
    """The object at one place in the source and at another in the target, moved along one axis:
    to another third of the frame, or (``short``) by 40–90% of its own extent."""
    h, w = base.shape[:2]
    oh, ow = obj.shape[:2]
    horizontal = bool(rng.random() < 0.5)
    short = bool(rng.random() < 0.5)
    length, extent = (w, ow) if horizontal else (h, oh)
    bands = [int(b) for b in rng.permutation(3)]
    start = _place(length, extent, _BANDS[bands[0]], 0, rng)
    if short:
        step = max(round(float(rng.uniform(0.4, 0.9)) * extent), round(0.07 * length))
        sign = 1 if start + extent / 2 < length / 2 else -1  # towards the roomier side
        end = int(np.clip(start + sign * step, 0, max(0, length - extent)))
        tags.append("short")
    else:
        end = _place(length, extent, _BANDS[bands[1]], 0, rng)
    if abs(end - start) < 0.06 * length:  # too little room to move by a clear step: the other way
        end = int(np.clip(start - np.sign(end - start or 1) * round(0.07 * length), 0, max(0, length - extent)))
    across = _place(h if horizontal else w, oh if horizontal else ow, _BANDS[int(rng.integers(3))], 0, rng)
    (x0, y0), (x1, y1) = ((start, across), (end, across)) if horizontal else ((across, start), (across, end))
    src, _ = _paste(base, obj, alpha, x0, y0)
    if rng.random() < 0.25:
        obj = _blend_towards(obj, alpha, _ring_colour(base, _paste(base, obj, alpha, x1, y1)[1]), rng)
        src, _ = _paste(base, obj, alpha, x0, y0)
        tags.append("low-contrast")
    tgt, full = _paste(base, obj, alpha, x1, y1)
    if bg_name in TEXTURES:
        tags.append("textured")
    bbox, area = _stats(full)
    if area < 0.015:
        tags.append("small")
    d = (x1 - x0) if horizontal else (y1 - y0)
    direction = ("right" if d > 0 else "left") if horizontal else ("down" if d > 0 else "up")
    return RegionPair(f"{split}-moved-{index:03d}", split, "moved", src, tgt, bg_name, name, bbox, area, tuple(tags),
                      {"offset": (x0, y0), "to": (x1, y1), "shift": d / length}, direction)


def make_set(split: str, per_kind: int, seed: int = 0) -> list[RegionPair]:
    """``per_kind`` pairs of each kind in one part of the set."""
    return [make_pair(split, kind, i, seed) for kind in KINDS for i in range(per_kind)]


def write_set(split: str, per_kind: int, out: Path, seed: int = 0) -> Path:
    """Save one part of the set as PNG pairs with a ``truth.jsonl`` (one line per pair); returns its path."""
    out.mkdir(parents=True, exist_ok=True)
    lines = []
    for p in make_set(split, per_kind, seed):
        for role, rgb in (("source", p.src), ("target", p.tgt)):
            Image.fromarray(rgb).save(out / f"{p.id}-{role}.png")
        lines.append(json.dumps({"id": p.id, "kind": p.kind, "direction": p.direction, "bbox": list(p.bbox),
                                 "area": round(p.area, 5), "background": p.background, "object": p.object,
                                 "tags": list(p.tags), "source": f"{p.id}-source.png",
                                 "target": f"{p.id}-target.png"}))
    truth = out / "truth.jsonl"
    truth.write_text("\n".join(lines) + "\n")
    return truth


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description="Write the region photo set (PNG pairs + truth.jsonl). "
                                             "Example: python benchmarks/region_photos/photoset.py --split heldout "
                                             "--per-kind 100 --out /tmp/region-photos")
    ap.add_argument("--split", choices=SPLITS, default="heldout")
    ap.add_argument("--per-kind", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    print(write_set(args.split, args.per_kind, args.out, args.seed))
