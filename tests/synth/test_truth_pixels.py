"""The ground truth matches the pixels, for every operation of the taxonomy and both families.

Each check measures the rendered images directly (exact palette colours, centroids, areas,
feature matches, global statistics) and compares with the structured truth, using the
shared direction convention (editcaption.directions).
"""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest
from editworld_pixels import (
    centroid,
    color_mask,
    luminance,
    saturation,
    sharpness,
    similarity_transform,
    transform_scale_angle,
    warmth,
)
from PIL import Image, ImageDraw

from editcaption.colors import PALETTE_RGB, name_rgb
from editcaption.directions import find_statements, pan_from_content_shift, side_of, vertical_of, zoom_from_scale
from editcaption.synth.ops import Edit
from editcaption.synth.pairs import GeneratedPair, make_pair
from editcaption.synth.render import partner_rgb, sign_font
from editcaption.synth.scene import Backdrop, Scene, fully_visible
from editcaption.synth.taxonomy import SUBTYPES

SIZE = (256, 256)
SEEDS = range(4)
CASES = [(name, fam) for name, st in SUBTYPES.items() for fam in st.families if name != "hybrid"]


def _pair(subtype: str, family: str, seed: int, size: tuple[int, int] = SIZE) -> GeneratedPair:
    return make_pair(seed, 1000 + seed, SUBTYPES[subtype].category, family, size, allowed=(subtype,))


def _visible_both(p: GeneratedPair, name: str) -> bool:
    a, b = p.source_scene.find(name), p.target_scene.find(name)
    return a is not None and b is not None and fully_visible(p.source_scene, a.x, a.y, a.r, SIZE) and fully_visible(
        p.target_scene, b.x, b.y, b.r, SIZE
    )


# ------------------------------------------------------------------- per-op checks


def check_add(p: GeneratedPair, e: Edit) -> None:
    color = e.object.split()[0]
    assert color_mask(p.source, color).sum() < 5
    mask = color_mask(p.target, color)
    assert mask.sum() > 50
    cx, cy = centroid(mask)
    assert (side_of(cx / SIZE[0]), vertical_of(cy / SIZE[1])) == e.position


def check_remove(p: GeneratedPair, e: Edit) -> None:
    color = e.object.split()[0]
    assert color_mask(p.source, color).sum() > 50
    assert color_mask(p.target, color).sum() < 5


def check_replace(p: GeneratedPair, e: Edit) -> None:
    old, new = e.before.split()[0], e.after.split()[0]
    m_old, m_new = color_mask(p.source, old), color_mask(p.target, new)
    assert m_old.sum() > 50 and m_new.sum() > 50
    assert color_mask(p.target, old).sum() < 5 and color_mask(p.source, new).sum() < 5
    (x0, y0), (x1, y1) = centroid(m_old), centroid(m_new)
    assert math.hypot(x1 - x0, y1 - y0) < 0.06 * SIZE[0]  # same place
    iou = (m_old & m_new).sum() / (m_old | m_new).sum()
    assert iou < 0.9  # a different shape


def check_recolor(p: GeneratedPair, e: Edit) -> None:
    m_old = color_mask(p.source, e.before)
    assert m_old.sum() > 50 and color_mask(p.target, e.before).sum() < 5
    # the colour analyzer's naming reads back the truth's word where the object was
    region = p.target[cv2.erode(m_old.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0]
    values, counts = np.unique(region, axis=0, return_counts=True)
    assert name_rgb(tuple(values[counts.argmax()])) == e.after


def _texture_share(img: np.ndarray, color: str) -> float:
    base = color_mask(img, color).sum()
    pattern = np.all(img == np.array(partner_rgb(color), np.uint8), axis=2).sum()
    return pattern / max(base + pattern, 1)


def check_material(p: GeneratedPair, e: Edit) -> None:
    color = e.object.split()[0]
    before, after = _texture_share(p.source, color), _texture_share(p.target, color)
    assert (before < 0.02) == (e.before == "solid") and (after < 0.02) == (e.after == "solid")
    assert abs(after - before) > 0.05 or e.before != e.after


def check_move(p: GeneratedPair, e: Edit) -> None:
    color = e.object.split()[0]
    (x0, y0), (x1, y1) = centroid(color_mask(p.source, color)), centroid(color_mask(p.target, color))
    dx, dy = x1 - x0, y1 - y0
    w = SIZE[0]
    expected = {"left": (dx < -0.15 * w and abs(dy) < 2), "right": (dx > 0.15 * w and abs(dy) < 2),
                "up": (dy < -0.15 * w and abs(dx) < 2), "down": (dy > 0.15 * w and abs(dx) < 2)}
    assert expected[e.direction], (e.direction, dx, dy)


def check_resize(p: GeneratedPair, e: Edit) -> None:
    color = e.object.split()[0]
    ratio = color_mask(p.target, color).sum() / color_mask(p.source, color).sum()
    assert (ratio > 1.8) if e.after == "larger" else (ratio < 0.5), ratio


def _best_match(img: np.ndarray, word: str, board_h: float, board_w: float) -> float:
    font = sign_font(word, board_h, board_w)
    x0, y0, x1, y1 = font.getbbox(word)
    tpl = Image.new("L", (x1 - x0 + 4, y1 - y0 + 4), 245)
    ImageDraw.Draw(tpl).text((2 - x0, 2 - y0), word, fill=25, font=font)
    gray = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
    return float(cv2.matchTemplate(gray, np.asarray(tpl), cv2.TM_CCOEFF_NORMED).max())


def check_text(p: GeneratedPair, e: Edit) -> None:
    sign = p.source_scene.sign
    s = p.source_scene.camera.scale(SIZE[0])
    h, w = sign.h * s, sign.w * s
    after_in_target = _best_match(p.target, e.after, h, w)
    before_in_target = _best_match(p.target, e.before, h, w)
    before_in_source = _best_match(p.source, e.before, h, w)
    assert after_in_target > 0.8 and before_in_source > 0.8
    assert after_in_target > before_in_target + 0.05


def check_background(p: GeneratedPair, e: Edit) -> None:
    for img, value in ((p.source, e.before), (p.target, e.after)):
        words = value.split()
        color = words[1] if words[0] == "plain" else words[0]
        corner = tuple(int(v) for v in img[0, 0])  # objects keep clear of the corners
        if "gradient" in words:
            assert name_rgb(corner) == color
        else:
            share = color_mask(img, color).mean()
            assert share > (0.5 if words[0] == "plain" else 0.25), (value, share)


def check_style(p: GeneratedPair, e: Edit) -> None:
    t = p.target.astype(np.int64)
    if e.after == "grayscale":
        assert (t[:, :, 0] == t[:, :, 1]).all() and (t[:, :, 1] == t[:, :, 2]).all()
        assert not (p.source[:, :, 0] == p.source[:, :, 2]).all()
    elif e.after == "sepia":
        assert ((t[:, :, 0] >= t[:, :, 1]) & (t[:, :, 1] >= t[:, :, 2])).mean() > 0.99
    elif e.after == "posterize":
        assert set(np.unique(t)) <= {32, 96, 160, 224}
    else:
        assert sharpness(p.target) < 0.6 * sharpness(p.source)


def check_tone(p: GeneratedPair, e: Edit) -> None:
    measure = {"brightness": luminance, "warmth": warmth, "saturation": saturation}[e.attribute]
    up = e.after in ("brighter", "warmer", "more saturated")
    before, after = measure(p.source), measure(p.target)
    assert (after > before + 2) if up else (after < before - 2), (e.after, before, after)


def _object_pairs(p: GeneratedPair) -> list[tuple[tuple[float, float], tuple[float, float], float]]:
    """(source centroid, target centroid, area ratio) of every object fully in view in both."""
    out = []
    for o in p.source_scene.objects:
        if _visible_both(p, o.name):
            ms, mt = color_mask(p.source, o.color), color_mask(p.target, o.color)
            out.append((centroid(ms), centroid(mt), mt.sum() / ms.sum()))
    return out


def check_zoom(p: GeneratedPair, e: Edit) -> None:
    if p.family == "photos":
        scale, _ = transform_scale_angle(similarity_transform(p.source, p.target))
        assert zoom_from_scale(scale, 0.15) == e.direction, scale
        return
    objs = _object_pairs(p)
    assert objs
    for _, _, ratio in objs:  # areas grow by the zoom factor squared
        assert zoom_from_scale(math.sqrt(ratio), 0.15) == e.direction, ratio


def check_pan(p: GeneratedPair, e: Edit) -> None:
    expected = (e.direction if e.direction in ("left", "right") else "none",
                e.direction if e.direction in ("up", "down") else "none")
    if p.family == "photos":
        m = similarity_transform(p.source, p.target)
        scale, _ = transform_scale_angle(m)
        assert abs(scale - 1) < 0.03
        shifts = [(m[0, 2], m[1, 2])]
    else:
        shifts = [(t[0] - s[0], t[1] - s[1]) for s, t, _ in _object_pairs(p)]
        assert shifts
    for dx, dy in shifts:  # scene content slides opposite to the camera
        assert pan_from_content_shift(dx, dy, threshold=0.08 * SIZE[0]) == expected, (dx, dy)


def check_rotate(p: GeneratedPair, e: Edit) -> None:
    if p.family == "photos":
        _, angle = transform_scale_angle(similarity_transform(p.source, p.target))
    else:
        c = np.array(SIZE, dtype=np.float64) / 2
        angles = []
        for s, t, _ in _object_pairs(p):
            a, b = np.array(s) - c, np.array(t) - c
            if np.hypot(*a) > 15:
                # image y points down: a counter-clockwise turn as seen lowers the atan2 angle
                angles.append(-math.degrees(math.atan2(b[1], b[0]) - math.atan2(a[1], a[0])))
        assert angles
        angle = float(np.median([(x + 180) % 360 - 180 for x in angles]))
    assert ("counter-clockwise" if angle > 0 else "clockwise") == e.direction and abs(angle) > 8, angle


def check_mirror(p: GeneratedPair, e: Edit) -> None:
    assert np.array_equal(p.target, p.source[:, ::-1])


CHECKS = {"add": check_add, "remove": check_remove, "replace": check_replace, "recolor": check_recolor,
          "material": check_material, "move": check_move, "resize": check_resize, "text": check_text,
          "background": check_background, "style": check_style, "tone": check_tone, "zoom": check_zoom,
          "pan": check_pan, "rotate": check_rotate, "mirror": check_mirror}


@pytest.mark.parametrize("subtype, family", CASES)
def test_truth_matches_pixels(subtype: str, family: str) -> None:
    for seed in SEEDS:
        p = _pair(subtype, family, seed)
        assert p.subtype == subtype and len(p.edits) == 1
        e = p.edits[0]
        CHECKS[e.op](p, e)
        # the shared reader of direction words agrees with the truth's direction
        if e.op in ("move", "pan", "zoom", "rotate"):
            found = [(s.kind, s.direction) for s in find_statements(p.reference)]
            assert found == [(e.op, e.direction)], (p.reference, found)
        if e.op == "add":
            found = [s for s in find_statements(p.reference) if s.kind == "position"]
            assert len(found) == 1 and found[0].direction == e.position[0], p.reference


def test_hybrid_edits_each_match_pixels() -> None:
    """Hybrids without a camera or tone change: every object edit shows in the pixels."""
    checked = 0
    for seed in range(40):
        p = _pair("hybrid", "objects" if seed % 2 else "photos", seed)
        assert 2 <= len(p.edits) <= 3
        if any(e.op in ("pan", "zoom", "tone") for e in p.edits):
            continue
        for e in p.edits:
            if e.op != "background":
                CHECKS[e.op](p, e)
        checked += 1
    assert checked >= 8


def test_camera_and_scene_changes_come_first_in_hybrids() -> None:
    order = {"zoom": 0, "pan": 0, "tone": 2, "background": 2}
    for seed in range(30):
        p = _pair("hybrid", "objects", seed)
        ranks = [order.get(e.op, 1) for e in p.edits]
        assert ranks == sorted(ranks)
        assert len({e.object for e in p.edits if e.object not in ("camera", "image", "background")}) == len(
            [e for e in p.edits if e.object not in ("camera", "image", "background")]
        )


def test_objects_are_painted_with_palette_colours_the_analyzer_names_back() -> None:
    for name, rgb in PALETTE_RGB.items():
        assert name_rgb(rgb) == name
    for seed in range(10):
        p = _pair("move_object", "objects", seed)
        for o in p.source_scene.objects:
            assert color_mask(p.source, o.color).sum() > 30


def test_backdrop_never_shares_a_colour_with_an_object() -> None:
    for seed in range(30):
        p = _pair("add_object", "objects", seed)
        scene: Scene = p.target_scene
        assert isinstance(scene.base, Backdrop)
        bad = {scene.base.color, name_rgb(partner_rgb(scene.base.color))}
        assert not bad & {o.color for o in scene.objects}
        assert len({o.color for o in scene.objects}) == len(scene.objects)


def test_non_square_frames_keep_the_truth() -> None:
    for seed in range(3):
        p = _pair("move_object", "objects", seed, size=(320, 200))
        assert p.source.shape == (200, 320, 3)
        e = p.edits[0]
        color = e.object.split()[0]
        (x0, y0), (x1, y1) = centroid(color_mask(p.source, color)), centroid(color_mask(p.target, color))
        axis = (x1 - x0) if e.direction in ("left", "right") else (y1 - y0)
        assert (axis < 0) == (e.direction in ("left", "up"))
