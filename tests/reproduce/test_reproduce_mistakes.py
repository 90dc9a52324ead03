"""Teacher mistakes: each kind changes the caption the way its failure mode says, leaves captions
it does not apply to alone, and keeps the text readable by the exact scorer."""

from __future__ import annotations

import random

import pytest

from editcaption.reproduce.config import TeacherMistakes
from editcaption.reproduce.mistakes import drop_attribute, inject, swap_directions, wrong_camera
from editcaption.synth import parse_instruction
from editcaption.synth.scorer import score_one

MOVE = "Move the purple object at the bottom center to the right."
PAN = "Pan the camera to the left."
ZOOM = "Zoom in."
RECOLOR = "Change the colour of the region at the top center of the image from orange to pink."


def _row(change: dict, source: list[str]) -> dict:
    return {"id": "p", "ground_truth": {"primary": [change], "secondary": [], "overall": ""},
            "editworld": {"areas": {"primary": [0.05], "secondary": []},
                          "inventory": {"source": source, "target": source}}}


def test_direction_swap_mirrors_one_axis() -> None:
    # the axis is chosen among those whose motion words appear (up/down here would also flip "bottom")
    assert swap_directions(MOVE, random.Random(0)) == "Move the purple object at the bottom center to the left."
    assert swap_directions("Move the red object at the upper left down.", random.Random(0)) in (
        "Move the red object at the lower left up.", "Move the red object at the upper right down.")
    assert swap_directions(PAN, random.Random(0)) == "Pan the camera to the right."
    assert swap_directions(ZOOM, random.Random(0)) == "Zoom out."
    assert swap_directions("Brighten the whole image.", random.Random(0)) is None


def test_wrong_camera_replaces_the_operation() -> None:
    assert wrong_camera(PAN, random.Random(1)) in ("zoom in.", "zoom out.")
    assert wrong_camera(ZOOM, random.Random(1)).startswith("pan the camera to the ")
    # an object move said as the camera pan that slides the content the same way
    assert wrong_camera(MOVE, random.Random(1)) == "pan the camera to the left."
    assert wrong_camera(RECOLOR, random.Random(1)) is None


def test_dropped_attribute_leaves_out_one_detail() -> None:
    new = drop_attribute(RECOLOR, random.Random(3))
    assert new in ("Change the colour of the region at the top center of the image.",)
    assert drop_attribute(PAN, random.Random(0)) == "pan the camera."
    assert drop_attribute("Mirror the image horizontally.", random.Random(0)) is None


@pytest.mark.parametrize("text", [MOVE, PAN, ZOOM, RECOLOR])
def test_injected_captions_stay_readable(text: str) -> None:
    for seed in range(20):
        new, made = inject(text, TeacherMistakes(1.0, 1.0, 1.0), random.Random(seed))
        assert parse_instruction(new) is not None, new
        assert made


def test_rates_zero_change_nothing_and_rates_one_always_apply() -> None:
    assert inject(PAN, TeacherMistakes(0.0, 0.0, 0.0), random.Random(0)) == (PAN, [])
    _, made = inject(PAN, TeacherMistakes(1.0, 0.0, 0.0), random.Random(0))
    assert made == ["direction_swap"]


def test_mistakes_become_the_failure_modes_the_scorer_reports() -> None:
    move = _row({"op": "move", "object": "purple circle", "attribute": "position", "direction": "right", "text": ""},
                ["purple circle"])
    swapped = score_one(move, "Move the purple object at the bottom center to the left.")
    assert any(e.type == "orientation" and e.severity == "P0" for e in swapped.errors)
    pan = _row({"op": "pan", "object": "camera", "direction": "left", "text": ""}, ["red star"])
    as_zoom = score_one(pan, wrong_camera(PAN, random.Random(1)))
    assert {e.type for e in as_zoom.errors} == {"viewpoint"}
    recolor = _row({"op": "recolor", "object": "orange star", "attribute": "color", "before": "orange",
                    "after": "pink", "text": ""}, ["orange star"])
    dropped = score_one(recolor, "Change the colour of the region at the top center of the image.")
    assert dropped.S is not None and dropped.S < 4.0  # below the filter threshold
