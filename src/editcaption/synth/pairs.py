"""One EditWorld pair from (seed, index): a base scene, an edit of the drawn subtype, both
renders, the ground truth and a reference instruction.

Each pair has its own generator, ``numpy.random.default_rng([seed, index])``, and nothing
else is random (no global state), so a pair is the same bytes whichever order, process or
resumed run produces it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from .language import realise
from .ops import Context, Edit, apply_subtype, place_objects, sample_sign
from .photos import photo, photo_names, view_inside
from .render import render
from .scene import CHECKER_CELL, PAN_SHIFT, Backdrop, Camera, Scene
from .taxonomy import available_subtypes
from .truth import ground_truth, truth_json
from .vocab import BACKGROUND_COLORS, BACKGROUND_PATTERNS

_NEEDS_OBJECT = {"remove_object", "replace_object", "recolor", "material", "move_object", "resize_object"}
MAX_ATTEMPTS = 60


class GenerationError(RuntimeError):
    """A pair whose constraints could not be met in :data:`MAX_ATTEMPTS` draws."""


@dataclass(frozen=True)
class SceneOptions:
    """How busy scenes are. Small models learn fastest on few objects, plain backgrounds
    and no decorative signs (docs/guides/reproduce.md); the benchmark default is richer.
    A ``text`` edit always gets its sign."""

    n_objects: tuple[int, int] = (1, 4)
    backgrounds: tuple[str, ...] = BACKGROUND_PATTERNS
    signs: bool = True
    checker_cell: float = CHECKER_CELL  # the checkered backdrop's squares (see .scene.CHECKER_CELL)
    pan_shift: tuple[float, float] = PAN_SHIFT  # a pan's content shift, as shares of the frame width


@dataclass
class GeneratedPair:
    index: int
    family: str
    category: str
    subtype: str
    source: np.ndarray
    target: np.ndarray
    source_scene: Scene
    target_scene: Scene
    edits: list[Edit]
    reference: str
    truth: dict
    areas: dict[str, list[float]] = field(default_factory=dict)


_PATTERN_WEIGHT = {"plain": 2.0, "gradient": 1.0, "checkered": 1.0}


def _objects_scene(rng: np.random.Generator, size: tuple[int, int], n_objects: tuple[int, int],
                   patterns: tuple[str, ...], checker_cell: float) -> Scene:
    w, h = size
    weights = np.array([_PATTERN_WEIGHT[p] for p in patterns])
    pattern = patterns[int(rng.choice(len(patterns), p=weights / weights.sum()))]
    backdrop = Backdrop(pattern, BACKGROUND_COLORS[int(rng.integers(len(BACKGROUND_COLORS)))], checker_cell)
    cam = Camera(cx=0.5, cy=0.5 * h / w, width=1.0)
    scene = Scene(base=backdrop, objects=(), camera=cam)
    lo, hi = n_objects
    return place_objects(rng, scene, int(rng.integers(lo, hi + 1)), size)


def _photo_scene(rng: np.random.Generator, size: tuple[int, int], n_stickers: int) -> Scene | None:
    w, h = size
    base = photo(photo_names()[int(rng.integers(len(photo_names())))])
    # a window of 42–68% of the photo's width (never taller than the photo), leaving room to
    # pan, zoom out and rotate without leaving the picture
    top = min(0.68, 0.95 * base.aspect * w / h)
    width = float(rng.uniform(0.42, top)) if top > 0.42 else top
    for _ in range(20):
        half_w, half_h = width / 2, width * h / w / 2
        cx = float(rng.uniform(half_w, 1 - half_w))
        cy = float(rng.uniform(half_h, base.aspect - half_h))
        cam = Camera(cx=cx, cy=cy, width=width)
        if view_inside(base, cam, size):
            scene = Scene(base=base, objects=(), camera=cam)
            return place_objects(rng, scene, n_stickers, size)
    return None


def _base_scene(rng: np.random.Generator, family: str, subtype: str, size: tuple[int, int],
                options: SceneOptions) -> Scene | None:
    need_obj = subtype in _NEEDS_OBJECT or (
        family == "objects" and subtype in ("camera_zoom", "camera_pan", "view_rotation", "mirror")
    )
    lo, hi = options.n_objects
    if family == "objects":
        if subtype == "hybrid":
            lo = max(lo, min(2, hi))
        counts = (max(lo, 1), max(hi, 1)) if need_obj else (lo, hi)
        scene = _objects_scene(rng, size, counts, options.backgrounds, options.checker_cell)
    else:
        n = int(rng.integers(1 if need_obj else 0, 3))
        if subtype == "hybrid":
            n = 2
        scene = _photo_scene(rng, size, n)
    if scene is None:
        return None
    decorative = options.signs and rng.random() < (0.3 if subtype == "hybrid" else 0.1)
    if subtype == "text" or decorative:
        sign = sample_sign(rng, scene, size)
        if sign is None and subtype == "text":
            return None
        scene = replace(scene, sign=sign)
    if need_obj and not scene.objects:
        return None
    return scene


def make_pair(
    seed: int,
    index: int,
    category: str,
    family: str,
    size: tuple[int, int],
    options: SceneOptions = SceneOptions(),
    allowed: tuple[str, ...] | None = None,
) -> GeneratedPair:
    """Generate pair ``index`` of a run; deterministic in all arguments."""
    rng = np.random.default_rng([seed, index])
    choices = available_subtypes(category, family, allowed)
    subtype = choices[int(rng.integers(len(choices)))]
    for _ in range(MAX_ATTEMPTS):
        scene = _base_scene(rng, family, subtype, size, options)
        if scene is None:
            continue
        ctx = Context(size=size, source=scene, backgrounds=options.backgrounds, pan_shift=options.pan_shift)
        result = apply_subtype(subtype, scene, rng, ctx)
        if result is None:
            continue
        target_scene, edits = result
        src = render(scene, size)
        tgt = render(target_scene, size)
        if np.array_equal(src, tgt):
            continue
        gt, area_p, area_s = ground_truth(scene, edits)
        return GeneratedPair(
            index=index, family=family, category=category, subtype=subtype, source=src, target=tgt,
            source_scene=scene, target_scene=target_scene, edits=edits, reference=realise(edits, rng),
            truth=truth_json(gt), areas={"primary": area_p, "secondary": area_s},
        )
    raise GenerationError(f"pair {index}: no {subtype} edit met the constraints in {MAX_ATTEMPTS} draws")


def inventory(scene: Scene) -> list[str]:
    """Names of what a scene shows (objects and sign), for hallucination checks."""
    return scene.names()


def frame_size(width: int, height: int | None = None) -> tuple[int, int]:
    h = width if height is None else height
    if not (64 <= width <= 4096 and 64 <= h <= 4096):
        raise ValueError(f"size {width}x{h} is outside 64..4096 pixels per side")
    if max(width, h) / min(width, h) > 3:
        raise ValueError(f"size {width}x{h}: aspect ratio above 3 is not supported")
    return width, h

