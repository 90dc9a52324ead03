"""The offline `delta` captioner and the grounding hints, from hand-built and measured reports."""

from __future__ import annotations

import numpy as np
import pytest
from deltahelpers import disc, pan, photo, tone, window, zoom

from editcaption.delta import CameraMotion, DeltaReport, Photometric, Region, analyze, describe, grounding_hints
from editcaption.delta.describe import IDENTICAL, NOTHING_CONFIDENT
from editcaption.directions import find_statements
from editcaption.evaluate.rubric import find_forbidden_terms


def region(side="right", vertical="top", kind="recolored", before="white", after="green", area=0.04, strength=40.0):
    return Region(bbox=(0.7, 0.05, 0.95, 0.3), area=area, side=side, vertical=vertical, kind=kind,
                  color_before=before, color_after=after, strength=strength)


def test_the_issue_example():
    report = DeltaReport(
        camera=CameraMotion(zoom="in", scale=1.3, pan_horizontal="left", confidence=0.95, method="features"),
        photometric=Photometric(brightness="brighter", delta_l=9.0),
        regions=[region()],
    )
    assert describe(report) == ("Pan the camera to the left and zoom in; brighten the whole image; change the colour "
                                "of the region at the upper right of the image from white to green.")


def test_identical_and_unsure():
    assert describe(DeltaReport(camera=CameraMotion(confidence=1.0, method="features"))) == IDENTICAL
    unsure = DeltaReport(camera=CameraMotion(pan_horizontal="left", confidence=0.35, method="features"))
    assert describe(unsure) == NOTHING_CONFIDENT  # a weak camera measurement is not stated
    faint = DeltaReport(regions=[region(strength=5.0)])
    assert describe(faint) == NOTHING_CONFIDENT


@pytest.mark.parametrize("cam, words", [
    (CameraMotion(flip="horizontal", confidence=1, method="m"), "Mirror the image horizontally."),
    (CameraMotion(pan_vertical="up", confidence=1, method="m"), "Tilt the camera up."),
    (CameraMotion(pan_horizontal="right", pan_vertical="down", confidence=1, method="m"),
     "Pan the camera to the right and tilt the camera down."),
    (CameraMotion(rotation_deg=-14.6, confidence=1, method="m"), "Rotate the view clockwise."),
])
def test_camera_sentences(cam, words):
    assert describe(DeltaReport(camera=cam)) == words


def test_region_and_tone_sentences():
    r = DeltaReport(photometric=Photometric(grayscale=True, saturation="less"),
                    regions=[region(kind="appeared", before="grey", after="red", area=0.01, side="left", vertical="bottom"),
                             region(kind="disappeared", before="blue", after="white", side="center", vertical="middle")])
    assert describe(r) == ("Convert the whole image to black and white; add a small red object at the lower left of the "
                           "image; remove the blue object at the center of the image.")
    warm = DeltaReport(photometric=Photometric(brightness="darker", temperature="warmer", saturation="more"))
    assert describe(warm) == "Darken the whole image, make the whole image warmer and make the colours more saturated."


def test_measured_captions_read_back_with_the_shared_parser_and_have_no_vague_terms():
    img = photo("chelsea")
    cases = {
        "pan left": (pan(img, "left", "none", 0.1), [("pan", "left")]),
        "zoom out": (zoom(img, "out"), [("zoom", "out")]),
        "disc": ((window(img, 0.9), disc(window(img, 0.9), 0.2, 0.8, 0.08, "blue")), [("position", "left")]),
    }
    for name, ((src, tgt), expected) in cases.items():
        text = describe(analyze(src, tgt))
        assert [(s.kind, s.direction) for s in find_statements(text)] == expected, (name, text)
        assert find_forbidden_terms(text) == [], (name, text)
    brighter = describe(analyze(window(img, 0.9), tone(window(img, 0.9), "brighter")))
    assert brighter == "Brighten the whole image."


def test_grounding_hints_state_measurements_in_the_convention():
    src, tgt = pan(photo("rocket"), "right", "none", 0.1)
    hints = grounding_hints(analyze(src, disc(tgt, 0.8, 0.2, 0.08, "red")))
    lines = hints.splitlines()
    assert lines[0].startswith("- Camera: the camera pans right (the scene content moved 10% of the frame width to the left)")
    assert lines[1] == "- Tone: no global change of brightness, colour temperature or saturation."
    assert lines[2].startswith("- Local changes (viewer's positions in image 2): (1) upper right,")
    assert "something red appeared" in lines[2]
    flat = np.full((64, 64, 3), 100, np.uint8)
    assert grounding_hints(analyze(flat, flat)) == "- The two images are identical: nothing changed."
    unsure = grounding_hints(analyze(flat, np.full((64, 64, 3), 180, np.uint8)))
    assert unsure.splitlines()[0] == ("- Camera: could not be measured reliably (too few matching details between the "
                                      "images).")


def test_hints_fill_the_grounded_prompt():
    from editcaption.prompts import load_prompt

    hints = grounding_hints(analyze(*zoom(photo("coffee"), "in")))
    text = load_prompt("instruction-grounded").render(hints)
    assert text.endswith(hints) and "the camera zooms in" in text


def test_a_moved_object_is_one_move_not_a_removal_and_an_addition():
    img = window(photo("rocket"), 0.9)
    report = analyze(disc(img, 0.25, 0.5, 0.07, "red"), disc(img, 0.7, 0.5, 0.07, "red"))
    assert describe(report) == "Move the red object at the left to the right."
    assert "- Moved: a red thing at the left moved right by 45% of the frame width." in grounding_hints(report)
    short = analyze(disc(img, 0.5, 0.3, 0.07, "red"), disc(img, 0.5, 0.38, 0.07, "red"))  # overlapping places
    assert describe(short) == "Move the red object at the top center down."
