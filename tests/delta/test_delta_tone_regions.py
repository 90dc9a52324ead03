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
