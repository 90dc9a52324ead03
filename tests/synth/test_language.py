"""The instruction language: ≥3 seeded phrasings per operation, and a parser that reads
every phrasing (and its direction-swapped twin) back exactly."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pytest

from editcaption.directions import find_statements, swap_direction_words
from editcaption.synth import parse_instruction, parse_with_reason, phrasings
from editcaption.synth.assertion import ObjectRef
from editcaption.synth.language import TEMPLATES, realise
from editcaption.synth.ops import Edit
from editcaption.synth.vocab import SIGN_WORDS, STYLES, TONES

EDITS = [
    Edit("add", "red circle", "position", after="upper left", position=("left", "top")),
    Edit("add", "orange star", "position", after="center", position=("center", "middle")),
    Edit("add", "blue heart", "position", after="right", position=("right", "middle")),
    Edit("add", "grey cross", "position", after="bottom center", position=("center", "bottom")),
    Edit("remove", "green square", "position", before="left"),
    Edit("replace", "red circle", "object", before="red circle", after="yellow triangle"),
    Edit("background", "background", "background", before="plain white", after="blue gradient"),
    Edit("background", "background", "background", before="grey checkered", after="plain pink"),
    Edit("recolor", "purple diamond", "color", before="purple", after="cyan"),
    Edit("material", "red circle", "texture", before="solid", after="striped"),
    *[Edit("style", "image", "style", after=s) for s in STYLES],
    *[Edit("tone", "image", attr, after=w) for attr, words in TONES.items() for w in words],
    *[Edit("move", "black hexagon", "position", direction=d) for d in ("left", "right", "up", "down")],
    Edit("resize", "pink heart", "size", after="larger"),
    Edit("resize", "pink heart", "size", after="smaller"),
    Edit("zoom", "camera", direction="in"),
    Edit("zoom", "camera", direction="out"),
    *[Edit("pan", "camera", direction=d) for d in ("left", "right", "up", "down")],
    Edit("rotate", "image", direction="clockwise"),
    Edit("rotate", "image", direction="counter-clockwise"),
    Edit("mirror", "image", direction="horizontal"),
    Edit("text", "sign", "text", before="SHOP", after="OPEN"),
]


def _fields(edit: Edit) -> dict:
    """What a parsed clause must say for this edit."""
    f: dict = {"op": edit.op}
    if edit.op in ("add", "remove", "replace", "recolor", "material", "move", "resize"):
        f["obj"] = ObjectRef.from_name(edit.object)
    if edit.op == "add":
        f["position"] = edit.position
    if edit.op == "replace":
        f["new"] = ObjectRef.from_name(edit.after)
    if edit.op in ("recolor", "material", "resize", "text", "style", "tone", "background"):
        f["after"] = edit.after
    if edit.op in ("text", "background"):
        f["before"] = edit.before
    if edit.op == "tone":
        f["attribute"] = edit.attribute
    if edit.op in ("move", "pan", "zoom", "rotate", "mirror"):
        f["direction"] = edit.direction
    return f


@pytest.mark.parametrize("edit", EDITS, ids=lambda e: f"{e.op}-{e.direction or e.after or e.object}")
def test_every_phrasing_parses_back_to_the_edit(edit: Edit) -> None:
    options = phrasings(edit)
    assert len(options) >= 3, options
    assert len(set(options)) == len(options)
    for text in options:
        parsed = parse_instruction(text)
        assert parsed is not None, text
        assert len(parsed.clauses) == 1, text
        clause = parsed.clauses[0]
        for key, value in _fields(edit).items():
            got = getattr(clause, key)
            if key == "position":  # "on the right" leaves the (neutral) height unstated
                got = (got[0] or "center", got[1] or "middle")
            assert got == value, (text, key, got, value)


def test_each_operation_has_at_least_three_generated_phrasings() -> None:
    by_op = defaultdict(set)
    for t in TEMPLATES:
        if t.generate:
            by_op[(t.op, tuple(sorted((k, v) for k, v in t.when.items())))].add(t.text)
    assert all(len(v) >= 3 for v in by_op.values()), {k: v for k, v in by_op.items() if len(v) < 3}
    ops = {op for op, _ in by_op}
    assert ops == {"add", "remove", "replace", "background", "recolor", "material", "style", "tone", "move", "resize",
                   "zoom", "pan", "rotate", "mirror", "text"}


def test_phrasing_choice_is_seeded() -> None:
    edit = Edit("move", "red circle", "position", direction="left")
    seen = {realise([edit], np.random.default_rng(s)) for s in range(40)}
    assert len(seen) == 3
    assert realise([edit], np.random.default_rng(5)) == realise([edit], np.random.default_rng(5))


@pytest.mark.parametrize("edit", [e for e in EDITS if e.op in ("move", "pan", "zoom", "rotate")],
                         ids=lambda e: f"{e.op}-{e.direction}")
def test_direction_words_agree_with_the_shared_convention(edit: Edit) -> None:
    axis = {"left": "horizontal", "right": "horizontal", "up": "vertical", "down": "vertical", "in": "zoom",
            "out": "zoom", "clockwise": "rotation", "counter-clockwise": "rotation"}[edit.direction]
    for text in phrasings(edit):
        assert [(s.kind, s.direction) for s in find_statements(text)] == [(edit.op, edit.direction)], text
        swapped = swap_direction_words(text, axis)
        parsed = parse_instruction(swapped)
        assert parsed is not None, swapped
        opposite = {"left": "right", "right": "left", "up": "down", "down": "up", "in": "out", "out": "in",
                    "clockwise": "counter-clockwise", "counter-clockwise": "clockwise"}[edit.direction]
        assert parsed.clauses[0].direction == opposite, swapped


def test_add_positions_swap_into_valid_positions() -> None:
    edit = EDITS[0]  # upper left
    for text in phrasings(edit):
        parsed = parse_instruction(swap_direction_words(swap_direction_words(text, "horizontal"), "vertical"))
        assert parsed is not None and parsed.clauses[0].position == ("right", "bottom")


def test_multi_clause_instructions_and_joined_clauses() -> None:
    parsed = parse_instruction("Pan the camera to the left. Make the red circle blue. Make the image warmer.")
    assert [c.op for c in parsed.clauses] == ["pan", "recolor", "tone"]
    joined = parse_instruction("Move the red circle to the left and zoom in, then make the image darker")
    assert [(c.op, c.direction or c.after) for c in joined.clauses] == [("move", "left"), ("zoom", "in"),
                                                                         ("tone", "darker")]
    filler = parse_instruction("Zoom out. Keep everything else unchanged.")
    assert [c.op for c in filler.clauses] == ["zoom"]


def test_tolerant_and_vague_forms() -> None:
    assert parse_instruction("Pan left.").clauses[0].direction == "left"
    assert parse_instruction("The camera pans to the right.").clauses[0].direction == "right"
    assert parse_instruction("Rotate the view by about 20 degrees clockwise.").clauses[0].direction == "clockwise"
    assert parse_instruction("Make the gray square bigger.").clauses[0].after == "larger"
    assert parse_instruction("Make the gray square bigger.").clauses[0].obj == ObjectRef("grey", "square")
    vague = parse_instruction("Change the color of the red circle.").clauses[0]
    assert vague.op == "recolor" and vague.after is None
    assert parse_instruction("Move the red circle.").clauses[0].direction is None
    assert parse_instruction("Add a circle in the upper right corner.").clauses[0].obj == ObjectRef(None, "circle")
    assert parse_instruction("Add a red circle.").clauses[0].position is None
    assert parse_instruction("Change the brightness of the image.").clauses[0].attribute == "brightness"
    assert parse_instruction('Make the sign say "exit".').clauses[0].after == "EXIT"
    assert parse_instruction("No change.").clauses == ()


@pytest.mark.parametrize(
    "text, reason",
    [
        ("", "empty instruction"),
        ("   ", "empty instruction"),
        ("The picture looks nicer now.", "not in the EditWorld instruction language"),
        ("Move the red circle to the left. Make it pop.", "not in the EditWorld instruction language"),
        ("Keep everything else unchanged.", "no edit statement found"),
    ],
)
def test_unparsable_instructions_say_why(text: str, reason: str) -> None:
    parsed, why = parse_with_reason(text)
    assert parsed is None and reason in why


def test_sign_words_and_templates_avoid_direction_words() -> None:
    # swapping directions must never rewrite a sign's text or a non-directional phrasing
    for w in SIGN_WORDS:
        assert swap_direction_words(w, "horizontal") == w and swap_direction_words(w, "vertical") == w
    for edit in EDITS:
        if edit.op in ("move", "pan", "zoom", "rotate", "add", "mirror"):
            continue
        for text in phrasings(edit):
            for axis in ("horizontal", "vertical", "zoom", "rotation"):
                assert swap_direction_words(text, axis) == text, (text, axis)
