"""The direction-word convention: one module, tested against its own definitions."""

from __future__ import annotations

import pytest

from editcaption.directions import (
    content_shift_for_pan,
    find_statements,
    opposite,
    pan_from_content_shift,
    position_phrase,
    rotation_word,
    side_of,
    swap_direction_words,
    vertical_of,
    zoom_from_scale,
)


def test_pan_convention_content_slides_opposite_to_the_camera():
    # pan left = the target shows what lay to the left = content slides right (+x)
    assert pan_from_content_shift(10, 0) == ("left", "none")
    assert pan_from_content_shift(-10, 0) == ("right", "none")
    # tilt up = content slides down (+y in image coordinates)
    assert pan_from_content_shift(0, 10) == ("none", "up")
    assert pan_from_content_shift(0, 3, threshold=5) == ("none", "none")
    for h in ("left", "right", "none"):
        for v in ("up", "down", "none"):
            assert pan_from_content_shift(*content_shift_for_pan(h, v, 7.0)) == (h, v)


def test_zoom_rotation_positions():
    assert zoom_from_scale(1.4) == "in" and zoom_from_scale(0.7) == "out" and zoom_from_scale(1.02, 0.05) == "none"
    assert rotation_word(15) == "counter-clockwise" and rotation_word(-3) == "clockwise"
    assert [side_of(x) for x in (0.1, 0.5, 0.9)] == ["left", "center", "right"]
    assert [vertical_of(y) for y in (0.1, 0.5, 0.9)] == ["top", "middle", "bottom"]
    assert position_phrase("right", "top") == "upper right" and position_phrase("center", "middle") == "center"
    assert opposite("left") == "right" and opposite("in") == "out" and opposite("clockwise") == "counter-clockwise"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Pan the camera to the left and zoom in.", [("pan", "left"), ("zoom", "in")]),
        ("Shift the view left.", [("pan", "left")]),
        ("Move the camera to the right.", [("pan", "right")]),
        ("Tilt up a little.", [("pan", "up")]),
        ("Pull back to show the whole room.", [("zoom", "out")]),
        ("Crop in tighter on the dog.", [("zoom", "in")]),
        ("Move the red circle to the left.", [("move", "left")]),
        ("Add a hat on the left side of the image.", [("position", "left")]),
        ("Mirror the image horizontally.", [("mirror", None)]),
        ("Rotate the view 15 degrees counter-clockwise.", [("rotate", "counter-clockwise")]),
        ("Raise the woman's left hand.", []),
        ("Put the cup in her right hand.", []),
        # extensions for the delta checker (issue 4)
        ("Zoom into the cat's face.", [("zoom", "in")]),
        ("Show more of the scene on the left.", [("pan", "left")]),
        ("Move the camera down and zoom out.", [("pan", "down"), ("zoom", "out")]),
        ("Move the cup on the left to the right.", [("move", "right")]),
        ("Place a lamp to the left of the sofa.", [("relative", "left")]),
        ("Add a bird at the top of the tree.", [("relative", None)]),
        ("Add a red disc in the upper-right corner of the picture.", [("position", "right")]),
        ("Remove the man on the left.", [("position", "left")]),
    ],
)
def test_find_statements_reads_ordinary_phrasings(text, expected):
    assert [(s.kind, s.direction) for s in find_statements(text)] == expected


def test_swap_keeps_a_persons_own_side():
    text = "Move the lamp to the left and raise the man's left arm."
    assert swap_direction_words(text) == "Move the lamp to the right and raise the man's left arm."
    assert swap_direction_words("Zoom in on the cat.", "zoom") == "Zoom out on the cat."
    assert swap_direction_words("Move it up.", "vertical") == "Move it down."


def test_frame_positions_carry_their_vertical_part_and_relative_ones_are_marked():
    (s,) = find_statements("Add a red disc in the upper-right corner of the picture.")
    assert (s.kind, s.direction, s.vertical) == ("position", "right", "top")
    (s,) = find_statements("Put a vase on the left side of the table.")
    assert (s.kind, s.direction) == ("relative", "left")
    (s,) = find_statements("Put a vase on the left side of the image.")
    assert (s.kind, s.direction) == ("position", "left")
