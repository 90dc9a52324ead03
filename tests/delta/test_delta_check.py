"""The instruction checker: contradictions and omissions it flags, and where it stays silent."""

from __future__ import annotations

import numpy as np
import pytest
from deltahelpers import disc, pan, photo, rotate, tone, window, zoom

from editcaption.delta import CameraMotion, DeltaReport, Photometric, Region, analyze, check
from editcaption.directions import swap_direction_words


@pytest.fixture(scope="module")
def pan_left():
    return analyze(*pan(photo("chelsea"), "left", "none", 0.1))


@pytest.fixture(scope="module")
def disc_upper_right():
    img = window(photo("astronaut"), 0.9)
    return analyze(img, disc(img, 0.8, 0.2, 0.08, "red"))


def kinds(flags):
    return [(f.type, f.severity) for f in flags]


@pytest.mark.parametrize("text", ["Pan the camera to the left.", "Shift the view left.", "Move the camera to the left.",
                                  "The camera pans to the left.", "Show more of the scene on the left."])
def test_correct_pan_phrasings_pass_and_their_swaps_are_flagged(pan_left, text):
    assert check(pan_left, text) == []
    flags = check(pan_left, swap_direction_words(text))
    assert kinds(flags) == [("viewpoint", "P0")]
    f = flags[0]
    assert "right" in f.message and "moves left" in f.message and "to the right" in f.evidence
    assert set(f.to_json()) == {"type", "severity", "message", "evidence"}


def test_tilt_zoom_and_rotation():
    up = analyze(*pan(photo("rocket"), "none", "up", 0.1))
    assert check(up, "Tilt up.") == [] and kinds(check(up, "Tilt down.")) == [("viewpoint", "P0")]
    zin = analyze(*zoom(photo("coffee"), "in"))
    for right, wrong in (("Zoom in.", "Zoom out."), ("Crop in tighter on the cup.", "Pull back to show the table.")):
        assert check(zin, right) == [] and kinds(check(zin, wrong)) == [("viewpoint", "P0")]
    ccw = analyze(*rotate(photo("astronaut"), 10))
    assert check(ccw, "Rotate the view 10 degrees counter-clockwise.") == []
    assert kinds(check(ccw, "Rotate the view 10 degrees clockwise.")) == [("viewpoint", "P0")]


def test_camera_change_left_out_or_invented(pan_left):
    assert kinds(check(pan_left, "Make the cat look at the viewer.")) == [("viewpoint", "P0")]
    still = analyze(window(photo("chelsea"), 0.8), window(photo("chelsea"), 0.8))
    assert kinds(check(still, "Pan the camera to the left.")) == [("viewpoint", "P1")]
    assert kinds(check(still, "Zoom in.")) == [("viewpoint", "P1")]


def test_side_of_an_added_thing(disc_upper_right):
    assert check(disc_upper_right, "Add a red disc at the upper right of the image.") == []
    assert check(disc_upper_right, "Add a red ball in the top-right corner of the picture.") == []
    for wrong in ("Add a red disc at the upper left of the image.", "Add a red disc on the left side of the image.",
                  "Put a red ball at the bottom of the picture."):
        assert kinds(check(disc_upper_right, wrong)) == [("orientation", "P0")], wrong


def test_own_sides_and_relative_positions_are_not_frame_positions(disc_upper_right):
    # the red thing is at the upper right of the frame; these left words are about something else
    for text in ("Add a red bracelet to the woman's left hand.", "Put a red cup in her left hand.",
                 "Add a red lamp to the left of the rocket."):
        assert check(disc_upper_right, text) == [], text


def test_a_position_outside_an_edit_clause_is_not_checked(disc_upper_right):
    assert check(disc_upper_right, "The woman on the left smiles; add a red disc at the upper right.") == []


def test_mirror_stated_or_left_out():
    img = photo("coffee")
    mirrored = analyze(img, np.ascontiguousarray(img[:, ::-1]))
    assert check(mirrored, "Flip the image horizontally.") == []
    assert kinds(check(mirrored, "Make the coffee hotter.")) == [("orientation", "P0")]
    still = analyze(img, img)
    assert kinds(check(still, "Mirror the image horizontally.")) == [("orientation", "P0")]


def test_global_tone_left_out_or_reversed():
    img = window(photo("coffee"), 0.9)
    brighter = analyze(img, tone(img, "brighter"))
    assert check(brighter, "Brighten the whole image.") == []
    assert kinds(check(brighter, "Add more foam to the coffee.")) == [("detail", "P1")]
    assert kinds(check(brighter, "Darken the whole image.")) == [("detail", "P1")]
    assert check(brighter, "Apply a vintage film look.") == []  # a named look explains its tone shift
    gray = analyze(img, tone(img, "grayscale"))
    assert check(gray, "Make the photo black-and-white.") == []
    assert kinds(check(gray, "Remove the spoon.")) == [("detail", "P1")]
    portrait = window(photo("astronaut"), 0.9)  # has neutral pixels to read a cast on
    warm = analyze(portrait, tone(portrait, "warmer"))
    assert check(warm, "Give the picture a warmer tone.") == []
    assert kinds(check(warm, "Make the colours cooler.")) == [("detail", "P1")]
    # the coffee photo has no neutral pixels: the cast is measured, but not surely enough to flag
    coffee_warm = analyze(img, tone(img, "warmer"))
    assert coffee_warm.photometric.temperature == "warmer" and not coffee_warm.photometric.warmth_reliable
    assert check(coffee_warm, "Make the colours cooler.") == []


def test_silent_when_the_measurement_is_unsure():
    unsure = DeltaReport(camera=CameraMotion(pan_horizontal="left", shift_x=0.2, confidence=0.35, method="features"))
    assert check(unsure, "Pan the camera to the right.") == []
    borderline = DeltaReport(camera=CameraMotion(pan_horizontal="left", shift_x=0.025, confidence=1.0, method="features"))
    assert check(borderline, "Pan the camera to the right.") == []  # 2.5% shift: a pan, but not a sure one
    faint_tone = DeltaReport(camera=CameraMotion(confidence=1.0, method="features"),
                             photometric=Photometric(brightness="brighter", delta_l=4.5))
    assert check(faint_tone, "Add a hat.") == []


def test_object_moves():
    img = window(photo("rocket"), 0.9)
    before, after = disc(img, 0.25, 0.5, 0.07, "red"), disc(img, 0.7, 0.5, 0.07, "red")
    report = analyze(before, after)
    assert check(report, "Move the red ball to the right.") == []
    assert kinds(check(report, "Move the red ball to the left.")) == [("orientation", "P0")]
    # a move there and back: one pair of pictures does not say where it ended up
    assert check(report, "The red ball rolls left, then right.") == []
    assert check(report, "The red ball rolls right, then left.") == []


def test_regions_built_by_hand():
    r = Region(bbox=(0.05, 0.6, 0.25, 0.9), area=0.05, side="left", vertical="bottom", kind="disappeared",
               color_before="blue", color_after="grey", centroid=(0.15, 0.75), strength=50)
    report = DeltaReport(camera=CameraMotion(confidence=1.0, method="features"), regions=[r])
    assert check(report, "Remove the blue vase at the lower left.") == []
    assert check(report, "Remove the blue vase on the left side.") == []
    assert kinds(check(report, "Remove the blue vase at the lower right.")) == [("orientation", "P0")]
    assert kinds(check(report, "Remove the blue vase at the upper left.")) == [("orientation", "P0")]


# ---------------------------------------------------------- real phrasing (issue 20)


def test_a_pan_said_of_the_picture_itself_gets_a_p2_clarity_note_not_a_guess(pan_left):
    # the camera panned left (content slid right): "shift the image to the right" fits the
    # content reading, "... to the left" the camera reading; neither is flagged as wrong
    for text in ("Shift the image to the left.", "Move the picture to the right.", "Slide the whole scene left."):
        flags = check(pan_left, text)
        assert kinds(flags) == [("viewpoint", "P2")], text
        assert flags[0].message.startswith("ambiguous pan convention") and "pan the camera left" in flags[0].message
    assert "camera reading" in check(pan_left, "Shift the image to the left.")[0].message
    assert "content reading" in check(pan_left, "Shift the image to the right.")[0].message
    # a camera that did not move: both readings are wrong, as for any pan
    still = analyze(window(photo("chelsea"), 0.8), window(photo("chelsea"), 0.8))
    assert kinds(check(still, "Shift the image to the left.")) == [("viewpoint", "P1")]


def test_camera_moves_said_with_other_verbs(pan_left):
    for text in ("The camera trucks left.", "The camera moves slowly to the left, following the dog.",
                 "The drone glides leftward over the field."):
        assert check(pan_left, text) == [], text
        assert kinds(check(pan_left, swap_direction_words(text))) == [("viewpoint", "P0")], text
    zout = analyze(*zoom(photo("coffee"), "out"))
    for right, wrong in (("The camera moves back.", "The camera moves forward."),
                         ("The camera dollies backward from the cup.", "The camera dollies forward to the cup."),
                         ("Pull out to show the table.", "Push in on the cup.")):
        assert check(zout, right) == [], right
        assert kinds(check(zout, wrong)) == [("viewpoint", "P0")], wrong


def test_a_camera_roll_turns_the_picture_the_other_way():
    ccw = analyze(*rotate(photo("astronaut"), 10))  # content turned counter-clockwise
    assert check(ccw, "The camera rolls clockwise.") == []
    assert kinds(check(ccw, "The camera rolls counterclockwise.")) == [("viewpoint", "P0")]
    assert check(ccw, "The camera arcs clockwise around her, rolling clockwise.") == []


def test_the_side_of_a_removed_or_changed_thing():
    r = Region(bbox=(0.7, 0.3, 0.9, 0.6), area=0.05, side="right", vertical="middle", kind="disappeared",
               color_before="blue", color_after="grey", centroid=(0.8, 0.45), strength=50)
    report = DeltaReport(camera=CameraMotion(confidence=1.0, method="features"), regions=[r])
    for right in ("delete the right surfboard", "Get rid of the stained glass from the windows on the right",
                  "convert the motorbike on the right side into a helicopter"):
        assert check(report, right) == [], right
        assert kinds(check(report, swap_direction_words(right))) == [("orientation", "P0")], right


@pytest.fixture(scope="module")
def discs_left_and_centre():
    img = window(photo("rocket"), 0.9)
    return analyze(img, disc(disc(img, 0.2, 0.5, 0.07, "red"), 0.5, 0.5, 0.07, "blue"))


def test_each_positioned_edit_needs_a_change_of_its_own(discs_left_and_centre):
    report = discs_left_and_centre
    assert len([r for r in report.regions if r.area <= 0.5]) == 2
    assert check(report, "Add a ball on the left.\nAdd a ball in the center.") == []
    assert check(report, "add the left ball\r\nadd the ball in the middle") == []
    # "on the right" alone is not contradicted by the centre disc; beside "in the center" it has no change
    # left for it (the centre disc is the centre edit's, and the left disc is on the wrong side)
    assert check(report, "Add a ball on the right.") == []
    flags = check(report, "Add a ball on the right.\nAdd a ball in the center.")
    assert kinds(flags) == [("orientation", "P0")] and "'on the right'" in flags[0].message
    # one thing named twice in one clause is one edit
    assert check(report, "Add the left ball on the left side.\nAdd a ball in the center.") == []
    # two edits at the same place may share one region (two things side by side can merge)
    assert check(report, "Add a ball on the left.\nAdd a cup on the left.\nAdd a ball in the center.") == []


def test_a_colour_word_does_not_rule_out_the_other_regions(discs_left_and_centre):
    # the blue disc is in the centre; "red" names the left one, but a red word does not bind the edit to it
    assert check(discs_left_and_centre, "Add a red ball in the center.") == []


def test_positions_in_requests_without_a_known_edit_verb_are_checked(disc_upper_right):
    assert check(disc_upper_right, "With a red disc at the upper right.") == []
    assert kinds(check(disc_upper_right, "With a red disc at the lower left.")) == [("orientation", "P0")]
    assert kinds(check(disc_upper_right, "more red for the bottom left corner")) == [("orientation", "P0")]
    # a short wish without any edit verb states the result
    assert kinds(check(disc_upper_right, "the disc on the lower left is red")) == [("orientation", "P0")]
    # a description that opens with its subject is still no edit
    assert check(disc_upper_right, "The woman on the left smiles; add a red disc at the upper right.") == []


def _disc_region(x: float, y: float, kind: str = "recolored") -> Region:
    return Region(bbox=(x - 0.07, y - 0.07, x + 0.07, y + 0.07), area=0.015, side="center", vertical="middle",
                  kind=kind, color_before="red", color_after="blue", centroid=(x, y), strength=50)


@pytest.mark.parametrize("off", [0.001, 0.01, 0.015])
def test_a_change_on_the_middle_line_is_on_neither_half(off):
    # three edits, three changes: one at the right and two on the vertical middle line (top and
    # bottom), each measured a little off the frame's middle lines, as centred things are. "The left
    # ball" among several needs a change on the left half and "the top sheep" one on the top half; a
    # change whose centre sits on a middle line is on neither, so the swapped text has an edit
    # without a change of its own
    regions = [_disc_region(0.8, 0.5 - off), _disc_region(0.5 - off, 0.2), _disc_region(0.5 + off, 0.8)]
    report = DeltaReport(camera=CameraMotion(confidence=1.0, method="features"), regions=regions)
    right = "change the right ball to a bucket\nchange the top sheep to hay\nchange the bottom sheep to a cow"
    assert check(report, right) == []
    flags = check(report, right.replace("right ball", "left ball"))
    assert kinds(flags) == [("orientation", "P0")]
    # a change clearly on the left half still serves "the left ball"
    regions[0] = _disc_region(0.3, 0.5 - off)
    assert check(DeltaReport(camera=CameraMotion(confidence=1.0, method="features"), regions=regions),
                 right.replace("right ball", "left ball")) == []


@pytest.fixture(scope="module")
def recoloured_left_removed_right():
    img = window(photo("rocket"), 0.9)
    src = disc(disc(img, 0.2, 0.5, 0.07, "red"), 0.8, 0.5, 0.07, "green")
    return analyze(src, disc(img, 0.2, 0.5, 0.07, "blue"))


def test_an_addition_or_removal_is_checked_against_a_change_of_its_own_kind(recoloured_left_removed_right):
    report = recoloured_left_removed_right
    assert sorted((r.side, r.kind) for r in report.regions if r.area <= 0.5) == [("left", "recolored"),
                                                                                   ("right", "disappeared")]
    text = "Remove the green ball on the right.\nMake the left ball blue."
    assert check(report, text) == []
    # reversed: something did change on the left, but it was recoloured; the removed thing is on the right
    flags = check(report, swap_direction_words(text))
    assert kinds(flags) == [("orientation", "P0")]
    assert "'on the left'" in flags[0].message and "removed is at the right" in flags[0].message


def test_a_misread_kind_alone_raises_no_flag():
    """With no change of the asked kind anywhere, a region of another kind at the stated place still
    answers the edit (the kind may be misread), and a clause asking for two kinds binds neither."""
    left = Region(bbox=(0.1, 0.4, 0.3, 0.6), area=0.04, side="left", vertical="middle", kind="appeared",
                  color_before="grey", color_after="blue", centroid=(0.2, 0.5), strength=40)
    report = DeltaReport(camera=CameraMotion(confidence=1.0, method="features"), regions=[left])
    assert check(report, "Remove the blue vase on the left.") == []
    right = Region(bbox=(0.7, 0.4, 0.9, 0.6), area=0.04, side="right", vertical="middle", kind="disappeared",
                   color_before="red", color_after="grey", centroid=(0.8, 0.5), strength=40)
    both = DeltaReport(camera=CameraMotion(confidence=1.0, method="features"), regions=[left, right])
    assert check(both, "Remove the cat and add a dog on the left.") == []
