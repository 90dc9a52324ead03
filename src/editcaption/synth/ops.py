"""The edit taxonomy as functions: each takes a scene and returns the edited scene plus an
:class:`Edit`, the structured truth of what changed (paper §4.1; the Change fields of docs/concepts/data-contracts.md).

Directions follow :mod:`editcaption.directions` exactly: a pan left moves the camera left,
so content slides right (``content_shift_for_pan``); rotation > 0 turns content
counter-clockwise as seen (``rotation_word``); positions are the viewer's, in the target
frame (``side_of`` / ``vertical_of``). An op returns ``None`` when the drawn parameters
break a constraint (an object would leave the frame or overlap another); the caller draws
again from the same seeded generator, so the outcome stays deterministic.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cache

import numpy as np

from ..colors import name_rgb
from ..directions import content_shift_for_pan, rotation_word
from .photos import view_inside
from .render import partner_rgb
from .scene import (
    PAN_SHIFT,
    Backdrop,
    Obj,
    Photo,
    Scene,
    Sign,
    clear_of,
    frame_position,
    fully_visible,
    object_area,
    position_name,
    sign_area,
)
from .vocab import (
    BACKGROUND_COLORS,
    BACKGROUND_PATTERNS,
    COLORS,
    HORIZONTAL,
    ROTATIONS,
    SHAPES,
    SIGN_WORDS,
    STYLES,
    TEXTURES,
    TONES,
    VERTICAL,
)

SPATIAL_OPS = ("move", "pan", "zoom", "rotate", "mirror")
OBJECT_OPS = ("add", "remove", "replace", "recolor", "material", "move", "resize", "text")


@dataclass(frozen=True)
class Edit:
    """One change, as the generator made it. ``position`` is the (side, vertical) of an added
    object in the target frame; ``area`` the fraction of the frame the change touches."""

    op: str
    object: str | None
    attribute: str | None = None
    before: str | None = None
    after: str | None = None
    direction: str | None = None
    position: tuple[str, str] | None = None
    area: float = 1.0


@dataclass
class Context:
    """What every op needs besides the scene: frame size, the untouched source scene (its
    camera decides what was visible before), and the names already edited in this pair."""

    size: tuple[int, int]
    source: Scene
    touched: set[str] = field(default_factory=set)
    backgrounds: tuple[str, ...] = BACKGROUND_PATTERNS  # patterns a background change may pick
    pan_shift: tuple[float, float] = PAN_SHIFT  # a pan's content shift, as shares of the frame width

    @property
    def frame_w(self) -> int:
        return self.size[0]


Op = Callable[[Scene, np.random.Generator, Context], "tuple[Scene, Edit] | None"]


# ------------------------------------------------------------------------- helpers


@cache
def backdrop_color_names(color: str) -> frozenset[str]:
    """The palette names a backdrop of this colour shows (its colour and its partner's)."""
    return frozenset({color, name_rgb(partner_rgb(color))})


def clashing_colors(scene: Scene) -> set[str]:
    """Colours an object may not take: those of other objects and of the backdrop."""
    used = {o.color for o in scene.objects}
    if isinstance(scene.base, Backdrop):
        used |= backdrop_color_names(scene.base.color)
    return used


def free_colors(scene: Scene, ctx: Context | None = None) -> list[str]:
    """Colours a new or recoloured object may take: not used in this frame, nor in the
    source frame (so one colour never names two different objects within a pair)."""
    bad = clashing_colors(scene)
    if ctx is not None:
        bad |= {o.color for o in ctx.source.objects}
    return [c for c in COLORS if c not in bad]


def editable_objects(scene: Scene, ctx: Context) -> list[Obj]:
    """Objects fully visible in both the source frame and the current frame, not yet edited."""
    out = []
    for o in scene.objects:
        if o.name in ctx.touched:
            continue
        if fully_visible(ctx.source, o.x, o.y, o.r, ctx.size) and fully_visible(scene, o.x, o.y, o.r, ctx.size):
            out.append(o)
    return out


def _pick(rng: np.random.Generator, items: list | tuple):  # noqa: ANN202 - any element type
    return items[int(rng.integers(len(items)))]


def _pick_editable(scene: Scene, rng: np.random.Generator, ctx: Context) -> Obj | None:
    """One of the objects an edit may touch, or None when there is none (the RNG is then left untouched)."""
    cands = editable_objects(scene, ctx)
    return _pick(rng, cands) if cands else None


def _swap_object(scene: Scene, old: Obj, new: Obj | None) -> Scene:
    objs = tuple(o for o in scene.objects if o is not old) if new is None else tuple(
        new if o is old else o for o in scene.objects
    )
    return replace(scene, objects=objs)


def _radius(rng: np.random.Generator, scene: Scene) -> float:
    return float(rng.uniform(0.07, 0.13)) * scene.camera.width


# -------------------------------------------------------------------------- semantic


def op_add(scene: Scene, rng: np.random.Generator, ctx: Context) -> tuple[Scene, Edit] | None:
    colors = free_colors(scene, ctx)
    if not colors:
        return None
    shape = _pick(rng, SHAPES)
    color = _pick(rng, colors)
    r = _radius(rng, scene)
    w, h = ctx.size
    # the centre of a thirds cell, jittered but kept well inside it (no boundary cases)
    col, row = int(rng.integers(3)), int(rng.integers(3))
    qx = (col + 0.5 + rng.uniform(-0.12, 0.12)) * w / 3
    qy = (row + 0.5 + rng.uniform(-0.12, 0.12)) * h / 3
    a = scene.camera.frame_to_world_affine(ctx.size)
    if scene.camera.mirror:
        qx = w - qx
    x, y = (a @ np.array([qx, qy, 1.0])).tolist()
    if not fully_visible(scene, x, y, r, ctx.size) or not clear_of(scene, x, y, r):
        return None
    obj = Obj(shape, color, "solid", x, y, r)
    new = replace(scene, objects=scene.objects + (obj,))
    side, vertical = frame_position(new, x, y, ctx.size)
    ctx.touched.add(obj.name)
    return new, Edit("add", obj.name, "position", after=position_name(new, x, y, ctx.size), position=(side, vertical),
                     area=object_area(new, obj, ctx.size))


def op_remove(scene: Scene, rng: np.random.Generator, ctx: Context) -> tuple[Scene, Edit] | None:
    obj = _pick_editable(scene, rng, ctx)
    if obj is None:
        return None
    ctx.touched.add(obj.name)
    return _swap_object(scene, obj, None), Edit(
        "remove", obj.name, "position", before=position_name(scene, obj.x, obj.y, ctx.size),
        area=object_area(scene, obj, ctx.size),
    )


def op_replace(scene: Scene, rng: np.random.Generator, ctx: Context) -> tuple[Scene, Edit] | None:
    obj = _pick_editable(scene, rng, ctx)
    if obj is None:
        return None
    colors = free_colors(scene, ctx)
    shapes = [s for s in SHAPES if s != obj.shape]
    if not colors:
        return None
    new = Obj(_pick(rng, shapes), _pick(rng, colors), "solid", obj.x, obj.y, obj.r)
    ctx.touched |= {obj.name, new.name}
    out = _swap_object(scene, obj, new)
    return out, Edit("replace", obj.name, "object", before=obj.name, after=new.name,
                     area=max(object_area(scene, obj, ctx.size), object_area(out, new, ctx.size)))


def op_background(scene: Scene, rng: np.random.Generator, ctx: Context) -> tuple[Scene, Edit] | None:
    if not isinstance(scene.base, Backdrop):
        return None
    used = {o.color for o in scene.objects}
    choices = [
        Backdrop(p, c, scene.base.cell)
        for p in ctx.backgrounds
        for c in BACKGROUND_COLORS
        if not backdrop_color_names(c) & used and Backdrop(p, c, scene.base.cell) != scene.base
        and c != scene.base.color
    ]
    if not choices:
        return None
    new = _pick(rng, choices)
    covered = sum(object_area(scene, o, ctx.size) for o in scene.objects)
    ctx.touched.add("background")
    return replace(scene, base=new), Edit("background", "background", "background", before=scene.base.name,
                                          after=new.name, area=max(0.0, 1.0 - covered))


# ------------------------------------------------------------------------- stylistic


def op_recolor(scene: Scene, rng: np.random.Generator, ctx: Context) -> tuple[Scene, Edit] | None:
    cands = editable_objects(scene, ctx)
    colors = free_colors(scene, ctx)
    if not cands or not colors:
        return None
    obj = _pick(rng, cands)
    new = replace(obj, color=_pick(rng, colors))
    ctx.touched |= {obj.name, new.name}
    return _swap_object(scene, obj, new), Edit("recolor", obj.name, "color", before=obj.color, after=new.color,
                                               area=object_area(scene, obj, ctx.size))


def op_material(scene: Scene, rng: np.random.Generator, ctx: Context) -> tuple[Scene, Edit] | None:
    cands = [o for o in editable_objects(scene, ctx) if o.r * scene.camera.scale(ctx.frame_w) >= 9]
    if not cands:
        return None
    obj = _pick(rng, cands)
    new = replace(obj, texture=_pick(rng, [t for t in TEXTURES if t != obj.texture]))
    ctx.touched.add(obj.name)
    return _swap_object(scene, obj, new), Edit("material", obj.name, "texture", before=obj.texture, after=new.texture,
                                               area=object_area(scene, obj, ctx.size))


def op_style(scene: Scene, rng: np.random.Generator, ctx: Context) -> tuple[Scene, Edit] | None:
    style = _pick(rng, STYLES)
    return replace(scene, look=replace(scene.look, style=style)), Edit("style", "image", "style", after=style)


_TONE_AMOUNT = {"brighter": (0.3, 0.45), "darker": (0.3, 0.45), "warmer": (0.09, 0.13), "cooler": (0.09, 0.13),
                "more saturated": (0.6, 0.9), "less saturated": (0.55, 0.75)}


def op_tone(scene: Scene, rng: np.random.Generator, ctx: Context) -> tuple[Scene, Edit] | None:
    attribute = _pick(rng, tuple(TONES))
    word = TONES[attribute][int(rng.integers(2))]
    lo, hi = _TONE_AMOUNT[word]
    look = replace(scene.look, tone=word, amount=float(rng.uniform(lo, hi)))
    return replace(scene, look=look), Edit("tone", "image", attribute, after=word)


# ------------------------------------------------------------------------ structural


def op_move(scene: Scene, rng: np.random.Generator, ctx: Context) -> tuple[Scene, Edit] | None:
    obj = _pick_editable(scene, rng, ctx)
    if obj is None:
        return None
    direction = _pick(rng, HORIZONTAL + VERTICAL)
    d = float(rng.uniform(0.22, 0.36)) * scene.camera.width
    dx, dy = {"left": (-d, 0.0), "right": (d, 0.0), "up": (0.0, -d), "down": (0.0, d)}[direction]
    x, y = obj.x + dx, obj.y + dy
    if not fully_visible(scene, x, y, obj.r, ctx.size) or not clear_of(scene, x, y, obj.r, ignore=(obj.name,)):
        return None
    # the whole path must be free, or the move would pass through another object
    for t in (0.25, 0.5, 0.75):
        if not clear_of(scene, obj.x + dx * t, obj.y + dy * t, obj.r, ignore=(obj.name,), gap=0.0):
            return None
    moved = replace(obj, x=x, y=y)
    ctx.touched.add(obj.name)
    out = _swap_object(scene, obj, moved)
    return out, Edit("move", obj.name, "position", before=position_name(scene, obj.x, obj.y, ctx.size),
                     after=position_name(out, x, y, ctx.size), direction=direction,
                     area=2 * object_area(scene, obj, ctx.size))


def op_resize(scene: Scene, rng: np.random.Generator, ctx: Context) -> tuple[Scene, Edit] | None:
    obj = _pick_editable(scene, rng, ctx)
    if obj is None:
        return None
    larger = bool(rng.integers(2))
    f = float(rng.uniform(1.45, 1.8) if larger else rng.uniform(0.5, 0.66))
    new = replace(obj, r=obj.r * f)
    if new.r * scene.camera.scale(ctx.frame_w) < 6:
        return None
    if not fully_visible(scene, new.x, new.y, new.r, ctx.size) or not clear_of(scene, new.x, new.y, new.r,
                                                                                  ignore=(obj.name,)):
        return None
    ctx.touched.add(obj.name)
    out = _swap_object(scene, obj, new)
    return out, Edit("resize", obj.name, "size", after="larger" if larger else "smaller",
                     area=max(object_area(scene, obj, ctx.size), object_area(out, new, ctx.size)))


def op_text(scene: Scene, rng: np.random.Generator, ctx: Context) -> tuple[Scene, Edit] | None:
    sg = scene.sign
    if sg is None or "sign" in ctx.touched:
        return None
    if not (fully_visible(ctx.source, sg.x, sg.y, math.hypot(sg.w, sg.h) / 2, ctx.size)
            and fully_visible(scene, sg.x, sg.y, math.hypot(sg.w, sg.h) / 2, ctx.size)):
        return None
    word = _pick(rng, [w for w in SIGN_WORDS if w != sg.word])
    ctx.touched.add("sign")
    return replace(scene, sign=replace(sg, word=word)), Edit("text", "sign", "text", before=sg.word, after=word,
                                                              area=sign_area(scene, sg, ctx.size))


def _camera_ok(scene: Scene, ctx: Context) -> bool:
    """A new view must stay inside a photo, and keep at least one object fully in view
    (so the change stays measurable)."""
    if isinstance(scene.base, Photo) and not view_inside(scene.base, scene.camera, ctx.size):
        return False
    if scene.objects and not any(fully_visible(scene, o.x, o.y, o.r, ctx.size) for o in scene.objects):
        return False
    return True


def op_zoom(scene: Scene, rng: np.random.Generator, ctx: Context) -> tuple[Scene, Edit] | None:
    zoom_in = bool(rng.integers(2))
    f = float(rng.uniform(1.35, 1.7))
    cam = replace(scene.camera, width=scene.camera.width / f if zoom_in else scene.camera.width * f)
    out = replace(scene, camera=cam)
    if not _camera_ok(out, ctx):
        return None
    return out, Edit("zoom", "camera", direction="in" if zoom_in else "out")


def op_pan(scene: Scene, rng: np.random.Generator, ctx: Context) -> tuple[Scene, Edit] | None:
    direction = _pick(rng, HORIZONTAL + VERTICAL)
    h = direction if direction in HORIZONTAL else "none"
    v = direction if direction in VERTICAL else "none"
    amount = float(rng.uniform(*ctx.pan_shift)) * ctx.frame_w  # content shift in frame pixels
    dx, dy = content_shift_for_pan(h, v, amount)  # type: ignore[arg-type]
    s = scene.camera.scale(ctx.frame_w)
    cam = replace(scene.camera, cx=scene.camera.cx - dx / s, cy=scene.camera.cy - dy / s)
    out = replace(scene, camera=cam)
    if not _camera_ok(out, ctx):
        return None
    return out, Edit("pan", "camera", direction=direction)


def op_rotate(scene: Scene, rng: np.random.Generator, ctx: Context) -> tuple[Scene, Edit] | None:
    angle = float(rng.uniform(12, 30)) * (1 if rng.integers(2) else -1)
    out = replace(scene, camera=replace(scene.camera, angle=scene.camera.angle + angle))
    if not _camera_ok(out, ctx):
        return None
    word = rotation_word(angle)
    assert word in ROTATIONS
    return out, Edit("rotate", "image", direction=word)


def op_mirror(scene: Scene, rng: np.random.Generator, ctx: Context) -> tuple[Scene, Edit] | None:
    return replace(scene, camera=replace(scene.camera, mirror=not scene.camera.mirror)), Edit(
        "mirror", "image", direction="horizontal"
    )


# ------------------------------------------------------------------------------ hybrid

HYBRID_GLOBAL_FIRST = {"camera_zoom": op_zoom, "camera_pan": op_pan}
HYBRID_GLOBAL_LAST = {"tone": op_tone, "background": op_background}
HYBRID_OBJECT_OPS = {"add_object": op_add, "remove_object": op_remove, "replace_object": op_replace,
                     "recolor": op_recolor, "material": op_material, "move_object": op_move,
                     "resize_object": op_resize, "text": op_text}


def op_hybrid(scene: Scene, rng: np.random.Generator, ctx: Context) -> tuple[Scene, list[Edit]] | None:
    """2–3 edits at once: at most one scene-wide edit plus edits of distinct objects.

    Instruction order is application order: a camera change first (so positions named
    afterwards are in the target frame, as the convention says), then the object edits,
    then a tone or background change. Mirror and view rotation are left out of hybrids:
    combined with object moves they make "left" depend on the reading order.
    """
    k = 2 + int(rng.integers(2))
    globals_ = ["camera_zoom", "camera_pan", "tone"] + (["background"] if isinstance(scene.base, Backdrop) else [])
    chosen_global = _pick(rng, globals_) if rng.random() < 0.5 else None
    kinds = [n for n in HYBRID_OBJECT_OPS if n != "text" or scene.sign is not None]
    n_obj = k - (chosen_global is not None)
    order = rng.permutation(len(kinds))
    object_kinds = [kinds[i] for i in order[:n_obj]]
    edits: list[Edit] = []
    cur = scene
    steps: list[Op] = []
    if chosen_global in HYBRID_GLOBAL_FIRST:
        steps.append(HYBRID_GLOBAL_FIRST[chosen_global])
    steps += [HYBRID_OBJECT_OPS[kind] for kind in object_kinds]
    if chosen_global in HYBRID_GLOBAL_LAST:
        steps.append(HYBRID_GLOBAL_LAST[chosen_global])
    for step in steps:
        res = step(cur, rng, ctx)
        if res is None:
            return None
        cur, edit = res
        edits.append(edit)
    return cur, edits


SINGLE_OPS: dict[str, Op] = {
    "add_object": op_add,
    "remove_object": op_remove,
    "replace_object": op_replace,
    "background": op_background,
    "recolor": op_recolor,
    "style": op_style,
    "tone": op_tone,
    "material": op_material,
    "move_object": op_move,
    "resize_object": op_resize,
    "camera_zoom": op_zoom,
    "camera_pan": op_pan,
    "view_rotation": op_rotate,
    "mirror": op_mirror,
    "text": op_text,
}


def apply_subtype(subtype: str, scene: Scene, rng: np.random.Generator, ctx: Context) -> tuple[Scene, list[Edit]] | None:
    """Apply one taxonomy subtype; ``None`` when this draw broke a constraint."""
    if subtype == "hybrid":
        return op_hybrid(scene, rng, ctx)
    res = SINGLE_OPS[subtype](scene, rng, ctx)
    if res is None:
        return None
    out, edit = res
    return out, [edit]


# ---------------------------------------------------------------------- base scenes


def sample_sign(rng: np.random.Generator, scene: Scene, size: tuple[int, int]) -> Sign | None:
    cam = scene.camera
    h = float(rng.uniform(0.1, 0.13)) * cam.width
    w = h * 3.3
    for _ in range(30):
        qx = rng.uniform(0.2, 0.8) * size[0]
        qy = rng.uniform(0.15, 0.85) * size[1]
        x, y = (cam.frame_to_world_affine(size) @ np.array([qx, qy, 1.0])).tolist()
        sign = Sign(_pick(rng, SIGN_WORDS), x, y, w, h)
        if fully_visible(scene, x, y, math.hypot(w, h) / 2, size) and all(
            clear_of(replace(scene, sign=sign), o.x, o.y, o.r, ignore=(o.name,)) for o in scene.objects
        ):
            return sign
    return None


def place_objects(rng: np.random.Generator, scene: Scene, n: int, size: tuple[int, int]) -> Scene:
    """Add up to ``n`` non-overlapping objects with unique, backdrop-safe colours."""
    a = scene.camera.frame_to_world_affine(size)
    for _ in range(n):
        colors = free_colors(scene)
        if not colors:
            break
        for _attempt in range(40):
            r = _radius(rng, scene)
            rp = r * scene.camera.scale(size[0])
            qx = rng.uniform(rp + 3, size[0] - rp - 3)
            qy = rng.uniform(rp + 3, size[1] - rp - 3)
            x, y = (a @ np.array([qx, qy, 1.0])).tolist()
            if clear_of(scene, x, y, r, gap=0.03):
                texture = "solid" if rng.random() < 0.7 else _pick(rng, TEXTURES[1:])
                scene = replace(scene, objects=scene.objects + (Obj(_pick(rng, SHAPES), _pick(rng, colors), texture,
                                                                    x, y, r),))
                break
    return scene
