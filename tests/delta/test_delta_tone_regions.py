"""Global tone words and local regions, measured on real edits with known truth."""

from __future__ import annotations

import numpy as np
import pytest
from deltahelpers import disc, jpeg, pan, photo, tone, window

from editcaption.delta import analyze


@pytest.mark.parametrize("kind", ["brighter", "darker"])
def test_brightness(kind):
    img = window(photo("coffee"), 0.9)
    p = analyze(img, tone(img, kind)).photometric
    assert p.brightness == kind
    assert (p.delta_l > 0) == (kind == "brighter") and abs(p.delta_l) > 5
    assert p.temperature == "same" and not p.grayscale


@pytest.mark.parametrize("kind", ["warmer", "cooler"])
def test_warmth_without_a_brightness_change(kind):
    img = window(photo("astronaut"), 0.9)
    p = analyze(img, tone(img, kind)).photometric
    assert p.temperature == kind and p.brightness == "same"
    assert (p.delta_warm > 0) == (kind == "warmer")


def test_grayscale_is_not_called_cooler_or_darker():
    img = window(photo("chelsea"), 0.9)
    report = analyze(img, tone(img, "grayscale"))
    p = report.photometric
    assert p.grayscale and p.saturation == "less" and p.temperature == "same" and p.brightness == "same"
    assert p.chroma_after < 4 < 10 < p.chroma_before
    assert report.regions == []
    # a grayscale photo left grayscale is no change
    gray = tone(img, "grayscale")
    assert analyze(gray, jpeg(gray, 80)).same


def test_added_disc_is_one_appeared_region_where_it_was_painted():
    img = window(photo("astronaut"), 0.9)
    report = analyze(img, disc(img, 0.8, 0.2, 0.08, "red"))
    assert len(report.regions) == 1
    r = report.regions[0]
    assert (r.side, r.vertical, r.kind, r.color_after) == ("right", "top", "appeared", "red")
    assert r.area == pytest.approx(np.pi * 0.08**2 * img.shape[0] / img.shape[1], rel=0.35)
    x0, y0, x1, y1 = r.bbox
    assert x0 < 0.8 < x1 and y0 < 0.2 < y1 and x1 - x0 < 0.25
    # the camera and the tone are untouched by a local edit
    assert not report.camera.moved and not report.photometric.changed


def test_removed_and_recoloured_objects():
    img = window(photo("rocket"), 0.9)
    with_disc = disc(img, 0.2, 0.5, 0.09, "yellow")
    removed = analyze(with_disc, img).regions
    assert [(r.side, r.kind, r.color_before) for r in removed] == [("left", "disappeared", "yellow")]
    recoloured = analyze(with_disc, disc(img, 0.2, 0.5, 0.09, "blue")).regions
    assert len(recoloured) == 1
    r = recoloured[0]
    assert (r.side, r.vertical, r.color_before, r.color_after) == ("left", "middle", "yellow", "blue")
    assert r.kind in ("recolored", "changed")


def test_local_change_after_a_pan_is_placed_in_the_target_frame():
    src, tgt = pan(photo("chelsea"), "left", "none", amount=0.08)
    report = analyze(src, disc(tgt, 0.15, 0.75, 0.08, "green"))
    assert report.camera.pan_horizontal == "left"
    assert [(r.side, r.vertical, r.color_after) for r in report.regions] == [("left", "bottom", "green")]


def test_reencoded_and_resized_copies_are_unchanged():
    img = window(photo("coffee"), 0.9)
    for other in (jpeg(img, 60), jpeg(img, 95)[::2, ::2]):
        report = analyze(img, other)
        assert report.same, report.to_json()


def _silhouettes(rgb: np.ndarray, left: tuple[int, int, int], right: tuple[int, int, int]) -> np.ndarray:
    """Two flat silhouettes (left and right third) painted in the given colours."""
    import cv2

    out = rgb.copy()
    h, w = rgb.shape[:2]
    for cx, colour in ((0.25, left), (0.72, right)):
        shape = np.zeros((h, w), np.uint8)
        corners = [(-40, 0.70), (-25, 0.35), (10, 0.25), (45, 0.45), (30, 0.72)]
        cv2.fillPoly(shape, [np.array([[cx * w + dx, fy * h] for dx, fy in corners], np.int32)], 1)
        out[shape > 0] = colour
    return out


def test_a_black_thing_given_a_dark_tint_is_a_recolour_where_the_other_blacks_kept_theirs():
    # black can take little colour: a dark blue tint moves the silhouette by less than the
    # change threshold (ΔE 14), so only the faint changes find it. The other silhouette and the
    # black sky behind the astronaut stayed black, so no global tone change explains it.
    img = window(photo("astronaut"), 0.9)
    black = (0, 0, 0)
    regions = analyze(jpeg(_silhouettes(img, black, black)), jpeg(_silhouettes(img, black, (10, 10, 30)))).regions
    assert [(r.kind, r.side, r.color_before) for r in regions] == [("recolored", "right", "black")]


def test_a_faint_recolour_is_taken_only_where_the_same_colour_elsewhere_did_not_move_so():
    from editcaption.delta.regions import _recoloured_here
    from editcaption.delta.thresholds import DEFAULT

    t = DEFAULT.regions
    size = 96
    src = np.zeros((size, size, 3), np.float32)
    src[..., 0] = 60.0  # a grey frame ...
    blob = np.zeros((size, size), bool)
    blob[20:40, 20:40] = True
    other = np.zeros((size, size), bool)
    other[60:85, 55:85] = True
    src[blob | other] = (5.0, 0.0, 0.0)  # ... with two black things
    valid = np.ones((size, size), bool)
    tint = np.array([0.0, 6.0, -8.0], np.float32)  # ΔE 10: under the change threshold
    tinted_here = src.copy()
    tinted_here[blob] += tint
    assert _recoloured_here(blob, src, tinted_here, valid, t)
    # every black pixel took the same tint: a change of all blacks, not of this thing
    tinted_everywhere = tinted_here.copy()
    tinted_everywhere[other] += tint
    assert not _recoloured_here(blob, src, tinted_everywhere, valid, t)
    # nothing else was black: nothing shows what a global change did to black
    alone = src.copy()
    alone[other] = (60.0, 0.0, 0.0)
    alone_tinted = alone.copy()
    alone_tinted[blob] += tint
    assert not _recoloured_here(blob, alone, alone_tinted, valid, t)
    # a red thing made redder keeps its hue: a change of saturation, which a global edit makes
    # unevenly across neighbouring colours, is no recolour
    red = src.copy()
    red[blob | other] = (40.0, 45.0, 30.0)  # (the other red thing keeps its colour)
    redder = red.copy()
    redder[blob] += (0.0, 9.0, 6.0)
    assert not _recoloured_here(blob, red, redder, valid, t)
    # a shift that points every way (noise) is no tint
    noisy = src.copy()
    rng = np.random.default_rng(0)
    noisy[blob, 1:] += rng.normal(0.0, 10.0, (int(blob.sum()), 2)).astype(np.float32)
    assert not _recoloured_here(blob, src, noisy, valid, t)
