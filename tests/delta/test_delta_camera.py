"""Camera words read back from real edits of the bundled photos, by the shared convention."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from deltahelpers import jpeg, pan, photo, rotate, zoom

from editcaption.delta import analyze
from editcaption.directions import pan_from_content_shift


@pytest.mark.parametrize("horizontal, vertical", [("left", "none"), ("right", "none"), ("none", "up"), ("none", "down"),
                                                  ("left", "up")])
def test_pan_words_follow_the_camera_convention(horizontal, vertical):
    src, tgt = pan(photo("chelsea"), horizontal, vertical, amount=0.1)
    report = analyze(jpeg(src), jpeg(tgt))
    c = report.camera
    assert (c.pan_horizontal, c.pan_vertical) == (horizontal, vertical)
    # pan left = the content slid right: the measured shift has the sign the convention gives
    assert pan_from_content_shift(c.shift_x, c.shift_y, 0.02) == (horizontal, vertical)
    expected = {"left": 0.1, "right": -0.1, "none": 0.0}[horizontal]
    assert c.shift_x == pytest.approx(expected, abs=0.015)
    assert c.zoom == "none" and c.flip == "none" and c.rotation_deg == 0.0 and c.confidence > 0.9
    assert report.to_json()["camera"]["pan"] == {"horizontal": horizontal, "vertical": vertical}


@pytest.mark.parametrize("direction, factor", [("in", 1.4), ("out", 1.4), ("in", 1.15)])
def test_zoom_direction_and_scale(direction, factor):
    src, tgt = zoom(photo("rocket"), direction, factor)
    c = analyze(src, tgt).camera
    assert c.zoom == direction
    expected = factor if direction == "in" else 1 / factor
    assert c.scale == pytest.approx(expected, rel=0.03)
    assert (c.pan_horizontal, c.pan_vertical) == ("none", "none")  # a centred zoom is not a pan


@pytest.mark.parametrize("angle", [12.0, -8.0, 25.0])
def test_rotation_sign_is_opencvs_counter_clockwise(angle):
    src, tgt = rotate(photo("astronaut"), angle)
    c = analyze(src, tgt).camera
    assert c.rotation_deg == pytest.approx(angle, abs=0.7)
    assert c.to_json()["rotation_deg"] == pytest.approx(angle, abs=0.7)


def test_mirror_and_vertical_flip_are_told_apart():
    img = photo("coffee")
    mirrored = analyze(img, np.ascontiguousarray(img[:, ::-1])).camera
    assert mirrored.flip == "horizontal" and mirrored.rotation_deg == 0.0 and mirrored.pan_horizontal == "none"
    flipped = analyze(img, np.ascontiguousarray(img[::-1])).camera
    assert flipped.flip == "vertical" and flipped.rotation_deg == 0.0
    turned = analyze(img, np.ascontiguousarray(img[::-1, ::-1])).camera  # a half turn is not a mirror
    assert turned.flip == "none" and abs(turned.rotation_deg) == pytest.approx(180, abs=1)


def test_a_resized_copy_is_the_same_view():
    img = photo("chelsea")
    small = cv2.resize(img, (300, 200), interpolation=cv2.INTER_AREA)
    report = analyze(img, small)
    assert report.same, report.to_json()
    assert report.camera.scale == pytest.approx(1.0, abs=0.02)
