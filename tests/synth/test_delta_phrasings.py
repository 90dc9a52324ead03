"""EditWorld's parser reads the offline delta captioner's wording, so delta captions of EditWorld
pairs (the miniature reproduction's teacher) are scored exactly instead of counted unparsable."""

from __future__ import annotations

from pathlib import Path

import pytest

from editcaption.delta import analyze, describe
from editcaption.imageio import decode_file
from editcaption.synth import generate, parse_instruction, read_manifest
from editcaption.synth.assertion import ObjectRef
from editcaption.synth.scorer import score_one


def _row(primary: list[dict], source: list[str], target: list[str] | None = None) -> dict:
    return {"id": "p", "ground_truth": {"primary": primary, "secondary": [], "overall": ""},
            "editworld": {"areas": {"primary": [0.05] * len(primary), "secondary": []},
                          "inventory": {"source": source, "target": source if target is None else target}}}


@pytest.mark.parametrize(("text", "op", "obj", "fields"), [
    ("Change the colour of the region at the upper right of the image from white to green.", "recolor",
     ObjectRef("white", None), {"before": "white", "after": "green"}),
    ("Change the colour of the small region at the left of the image from brown to pink.", "recolor",
     ObjectRef("brown", None), {"after": "pink"}),
    ("Move the purple object at the bottom center to the right.", "move", ObjectRef("purple", None),
     {"direction": "right"}),
    ("Move the pink object at the upper right down.", "move", ObjectRef("pink", None), {"direction": "down"}),
    ("Remove the small blue object at the lower left of the image.", "remove", ObjectRef("blue", None), {}),
    ("Add a orange object at the top center of the image.", "add", ObjectRef("orange", None),
     {"position": ("center", "top")}),
    ("Replace the content of the region at the right of the image with something pink.", "replace",
     ObjectRef(None, None), {}),
    ("Change the content of the region at the upper left of the image.", "replace", ObjectRef(None, None), {}),
    ("Change the content of most of the image so that the image shows mostly grey.", "background", None,
     {"after": "grey"}),
    ("Flip the image vertically (upside down).", "mirror", None, {"direction": "vertical"}),
    ("Rotate the view counter-clockwise by about 21 degrees.", "rotate", None, {"direction": "counter-clockwise"}),
    ("Make the colours less saturated.", "tone", None, {"after": "less saturated"}),
    ("Convert the whole image to black and white.", "style", None, {"after": "grayscale"}),
])
def test_delta_clauses_parse(text: str, op: str, obj: ObjectRef | None, fields: dict) -> None:
    parsed = parse_instruction(text)
    assert parsed is not None, text
    (clause,) = parsed.clauses
    assert clause.op == op
    assert clause.obj == obj
    for key, value in fields.items():
        assert getattr(clause, key) == value
    if op == "replace" and "pink" in text:
        assert clause.new == ObjectRef("pink", None)


def test_joined_camera_clauses_and_groups() -> None:
    parsed = parse_instruction("Pan the camera to the left, tilt the camera down and zoom in; make the whole image "
                               "warmer; remove the red object at the center of the image.")
    assert parsed is not None
    assert [(c.op, c.direction) for c in parsed.clauses] == [
        ("pan", "left"), ("pan", "down"), ("zoom", "in"), ("tone", None), ("remove", None)]


@pytest.mark.parametrize("text", [
    "Make no changes: the target image is identical to the source image.",
    "Make no changes to the image: no difference between the two images was measured with confidence.",
])
def test_no_change_sentences(text: str) -> None:
    parsed = parse_instruction(text)
    assert parsed is not None and parsed.clauses == ()


def test_region_resolved_by_colour_scores_like_a_named_object() -> None:
    row = _row([{"op": "recolor", "object": "white cross", "attribute": "color", "before": "white", "after": "green",
                 "text": ""}], ["white cross"], ["green cross"])
    good = score_one(row, "Change the colour of the region at the upper right of the image from white to green.")
    assert good.status == "scored"
    assert good.completeness == 5 and good.accuracy == 5
    assert good.clarity == 4  # the shape is not named: complete but less precise
    assert [(e.type, e.severity) for e in good.errors] == [("detail", "P2")]
    wrong = score_one(row, "Change the colour of the region at the upper right of the image from white to blue.")
    assert any(e.type == "detail" and e.severity == "P0" for e in wrong.errors)


def test_location_qualifier_is_read_but_not_scored() -> None:
    row = _row([{"op": "move", "object": "purple circle", "attribute": "position", "direction": "right", "text": ""}],
               ["purple circle"])
    at_left = score_one(row, "Move the purple circle at the upper left to the right.")
    plain = score_one(row, "Move the purple circle to the right.")
    assert at_left.S == plain.S == 5.0
    swapped = score_one(row, "Move the purple object at the bottom center to the left.")
    assert any(e.type == "orientation" and e.severity == "P0" for e in swapped.errors)


def test_vertical_flip_is_a_wrong_direction_for_a_mirror() -> None:
    row = _row([{"op": "mirror", "object": "image", "direction": "horizontal", "text": ""}], ["red circle"])
    assert score_one(row, "Mirror the image horizontally.").S == 5.0
    flipped = score_one(row, "Flip the image vertically (upside down).")
    assert [(e.type, e.severity, e.kind) for e in flipped.errors] == [("orientation", "P0", "wrong_direction")]


@pytest.fixture(scope="module")
def delta_captions(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[dict, str]]:
    """The real delta captioner on one-object EditWorld pairs of many subtypes."""
    root = tmp_path_factory.mktemp("ew-delta")
    out: list[tuple[dict, str]] = []
    subtypes = ["move_object", "recolor", "resize_object", "camera_pan", "camera_zoom", "add_object", "remove_object",
                "replace_object", "view_rotation", "mirror", "tone", "style", "background"]
    for background in ("plain", "checkered"):
        manifest = generate(26, 11, root / background, size=128, family="objects", n_objects=(1, 1),
                            backgrounds=[background], signs=False, subtypes=subtypes)
        for row in read_manifest(manifest):
            src = decode_file(Path(manifest).parent / row["source"]).rgb
            tgt = decode_file(Path(manifest).parent / row["target"]).rgb
            out.append((row, describe(analyze(src, tgt))))
    return out


def test_every_delta_caption_of_editworld_pairs_is_scored(delta_captions: list[tuple[dict, str]]) -> None:
    results = [score_one(row, text) for row, text in delta_captions]
    unreadable = [(r.instruction, r.reason) for r in results if r.status != "scored"]
    assert unreadable == []
    # and the scores discriminate: some captions are right, some are not
    assert any(r.S == 5.0 for r in results) and any(r.S is not None and r.S < 3 for r in results)
