"""The exact scorer: references score 5.0, swapped directions become P0 orientation/viewpoint
errors, dropped attributes become detail errors, unparsable predictions are counted apart,
and every rubric rule (Appendix B) and Table 6 severity shows in hand-made cases."""

from __future__ import annotations

import json

import pytest

from editcaption.directions import swap_direction_words
from editcaption.synth import parse_instruction, score_predictions
from editcaption.synth.assertion import position_from_phrase
from editcaption.synth.errors import change_severity
from editcaption.synth.language import where_phrase
from editcaption.synth.scorer import score_one


def _row(primary: list[dict], secondary: list[dict] | None = None, *, areas: tuple[list, list] | None = None,
         source: list[str] = (), target: list[str] | None = None, rid: str = "p1") -> dict:
    secondary = secondary or []
    areas = areas or ([0.05] * len(primary), [0.03] * len(secondary))
    return {
        "id": rid,
        "ground_truth": {"primary": primary, "secondary": secondary, "overall": ""},
        "editworld": {"areas": {"primary": areas[0], "secondary": areas[1]},
                      "inventory": {"source": list(source), "target": list(source if target is None else target)}},
    }


MOVE = {"text": "", "op": "move", "object": "red circle", "attribute": "position", "direction": "left"}
RECOLOR = {"text": "", "op": "recolor", "object": "blue square", "attribute": "color", "before": "blue",
           "after": "green"}
ZOOM = {"text": "", "op": "zoom", "object": "camera", "direction": "in"}
TONE = {"text": "", "op": "tone", "object": "image", "attribute": "brightness", "after": "brighter"}
SCENE = ["red circle", "blue square", "yellow star"]
SCENE_AFTER = ["red circle", "green square", "yellow star"]


def _kinds(result) -> set[tuple[str, str, str]]:  # noqa: ANN001
    return {(e.type, e.severity, e.kind) for e in result.errors}


# ------------------------------------------------------------- generated benchmark


def test_references_score_five_on_every_pair(editworld_rows: list[dict]) -> None:
    subtypes = {r["subtype"] for r in editworld_rows}
    assert len(subtypes) == 16
    report = score_predictions(editworld_rows, {r["id"]: r["reference_instruction"] for r in editworld_rows})
    for s in report.samples:
        assert s.status == "scored" and s.S == 5.0 and not s.errors, (s.id, s.instruction, s.errors)
    assert report.summary() == {
        "n": len(editworld_rows), "S": 5.0, "accuracy": 5.0, "completeness": 5.0, "clarity": 5.0, "unparsable": 0,
        "errors": {"orientation": 0, "viewpoint": 0, "detail": 0, "other": 0}, "p0_rate": 0.0,
    }


def test_references_score_five_on_the_default_mix(editworld_dir) -> None:  # noqa: ANN001
    rows = [json.loads(x) for x in (editworld_dir / "manifest.jsonl").read_text().splitlines()]
    report = score_predictions(editworld_dir / "manifest.jsonl", {r["id"]: r["reference_instruction"] for r in rows})
    assert report.summary()["S"] == 5.0 and report.summary()["n"] == 48


def _spatial(parsed) -> list:  # noqa: ANN001
    return [(c.op, c.direction, c.position) for c in parsed.clauses]


@pytest.mark.parametrize("axis", ["horizontal", "vertical", "zoom", "rotation"])
def test_swapped_directions_are_p0_orientation_or_viewpoint_errors(editworld_rows: list[dict], axis: str) -> None:
    tested = set()
    for row in editworld_rows:
        ref = row["reference_instruction"]
        swapped = swap_direction_words(ref, axis)
        if swapped == ref:
            continue
        before, after = parse_instruction(ref), parse_instruction(swapped)
        assert after is not None, swapped
        result = score_one(row, swapped)
        if _spatial(before) == _spatial(after):  # e.g. "flip left to right" → "right to left"
            assert result.S == 5.0
            continue
        changed = [a.op for a, b in zip(before.clauses, after.clauses, strict=True) if (a.direction, a.position) !=
                   (b.direction, b.position)]
        expected = {"viewpoint" if op in ("pan", "zoom", "rotate") else "orientation" for op in changed}
        p0 = {e.type for e in result.errors if e.severity == "P0"}
        assert expected <= p0, (swapped, result.errors)
        assert result.S < 5.0 and result.accuracy <= 3.0
        assert all(e.type in ("orientation", "viewpoint") for e in result.errors), result.errors
        tested |= set(changed)
    expected_ops = {"horizontal": {"move", "pan", "add"}, "vertical": {"move", "pan", "add"}, "zoom": {"zoom"},
                    "rotation": {"rotate"}}[axis]
    assert expected_ops <= tested


def _dropped(change: dict) -> list[str]:
    """Versions of a reference with one attribute left out (the vague forms)."""
    op, obj = change["op"], change.get("object") or ""
    _, _, shape = obj.partition(" ")
    if op == "add":
        pos = position_from_phrase(change["after"])
        return [f"Add a {shape} {where_phrase(pos)}.", f"Add a {obj}."]
    if op == "replace":
        return [f"Replace the {obj} with a {change['after'].split()[1]}.", f"Replace the {obj}."]
    return {
        "remove": [], "recolor": [f"Change the color of the {obj}."], "material": [f"Change the texture of the {obj}."],
        "resize": [f"Resize the {obj}."], "text": ["Change the text on the sign."],
        "background": ["Change the background."], "style": ["Change the style of the image."],
        "tone": [f"Change the {change.get('attribute')} of the image."],
    }.get(op, [])


def test_dropped_attributes_are_detail_errors(editworld_rows: list[dict]) -> None:
    seen = set()
    for row in editworld_rows:
        if row["subtype"] == "hybrid":
            continue
        change = row["ground_truth"]["primary"][0]
        for text in _dropped(change):
            result = score_one(row, text)
            assert result.status == "scored", text
            details = [e for e in result.errors if e.type == "detail"]
            assert details, (text, result.errors)
            expected = "P1" if change["op"] == "tone" else "P0"  # Table 6 rows 5 and 2–3
            assert {e.severity for e in details} == {expected}, (text, details)
            assert result.S < 5.0
            seen.add(change["op"])
    assert seen == {"add", "replace", "recolor", "material", "resize", "text", "background", "style", "tone"}


def test_dropped_directions_are_p0_spatial_errors() -> None:
    for change, text, kind in ((MOVE, "Move the red circle.", "orientation"), (ZOOM, "Zoom the camera.", "viewpoint"),
                               ({"op": "pan", "object": "camera", "direction": "up"}, "Pan the camera.", "viewpoint")):
        result = score_one(_row([change], source=SCENE), text)
        assert (kind, "P0", "missing_direction") in _kinds(result)
        assert result.completeness == 3.0  # a vague mention counts half (Table 9)


# ---------------------------------------------------------------- hand-made cases


def test_unparsable_predictions_are_counted_and_never_scored() -> None:
    rows = [_row([MOVE], source=SCENE, rid=f"p{i}") for i in range(4)]
    preds = {"p0": "Move the red circle to the left.", "p1": "It looks better now!", "p2": None, "p9": "Zoom in."}
    report = score_predictions(rows, preds)
    statuses = [s.status for s in report.samples]
    assert statuses == ["scored", "unparsable", "unparsable", "missing"]
    assert report.samples[1].S is None and "not in the EditWorld instruction language" in report.samples[1].reason
    summary = report.summary()
    assert list(summary) == ["n", "S", "accuracy", "completeness", "clarity", "unparsable", "errors", "p0_rate"]
    assert summary["n"] == 3 and summary["unparsable"] == 2 and summary["S"] == 5.0 and summary["p0_rate"] == 0.0
    assert any("p9" in w for w in report.warnings) and any("no prediction" in w for w in report.warnings)


def test_swapped_move_is_an_orientation_p0_and_one_major_error() -> None:
    result = score_one(_row([MOVE], source=SCENE), "Move the red circle to the right.")
    assert _kinds(result) == {("orientation", "P0", "wrong_direction")}
    assert (result.accuracy, result.completeness, result.clarity) == (3.0, 5.0, 5.0)
    assert result.S == pytest.approx(0.4 * 3 + 0.4 * 5 + 0.2 * 5)


def test_hallucinated_operation_caps_accuracy_at_two() -> None:
    result = score_one(_row([MOVE], source=SCENE), "Move the red circle to the left. Zoom in.")
    assert result.accuracy == 2.0 and result.completeness == 5.0
    assert ("viewpoint", "P0", "hallucination") in _kinds(result)
    made_up = score_one(_row([MOVE], source=SCENE), "Move the red circle to the left. Add a green heart on the left.")
    assert made_up.accuracy == 2.0 and ("other", "P1", "hallucination") in _kinds(made_up)


def test_an_unrelated_instruction_scores_accuracy_one() -> None:
    result = score_one(_row([ZOOM], source=SCENE), "Make the purple hexagon green.")
    assert result.accuracy == 1.0 and result.completeness == 1.0
    assert ("viewpoint", "P0", "omitted_change") in _kinds(result)


def test_an_edit_claimed_on_an_unchanged_object_is_a_minor_error() -> None:
    result = score_one(_row([MOVE], source=SCENE), "Move the red circle to the left. Make the yellow star blue.")
    assert result.accuracy == 4.0 and ("other", "P1", "unchanged_object") in _kinds(result)


def test_wrong_colour_is_a_major_detail_error() -> None:
    result = score_one(_row([RECOLOR], source=SCENE, target=SCENE_AFTER), "Make the blue square red.")
    assert result.accuracy == 3.0 and _kinds(result) == {("detail", "P0", "wrong_attribute")}


def test_coverage_drives_completeness_and_the_accuracy_floor() -> None:
    row = _row([MOVE, RECOLOR, ZOOM], source=SCENE, target=SCENE_AFTER)
    one = score_one(row, "Zoom in.")  # 1/3 covered
    assert one.completeness == 2.0 and one.accuracy == 4.0  # coverage 33%: between the 30% and 50% marks
    two = score_one(row, "Zoom in. Make the blue square green.")
    assert two.completeness == 4.0 and two.accuracy == 5.0  # 2/3 (Table 9's example)
    none = score_one(row, "No change.")
    assert none.completeness == 1.0 and none.accuracy == 3.0


def test_secondary_changes_give_the_bonus_and_their_omission_is_p1() -> None:
    small = dict(RECOLOR)
    row = _row([MOVE, ZOOM], [small], source=SCENE, target=SCENE_AFTER)
    full = score_one(row, "Zoom in. Move the red circle to the left.")
    assert full.completeness == 5.0 and ("detail", "P1", "omitted_change") in _kinds(full)
    half = score_one(row, "Zoom in. Make the blue square green.")
    assert half.completeness == 3.5  # R = 50% → 3.0, +0.5 for the covered minor change
    assert ("orientation", "P0", "omitted_change") in _kinds(half)


def test_remove_plus_add_for_a_replace_is_redundant_p2() -> None:
    change = {"text": "", "op": "replace", "object": "red circle", "attribute": "object", "before": "red circle",
              "after": "green triangle"}
    row = _row([change], source=SCENE, target=["green triangle", "blue square", "yellow star"])
    result = score_one(row, "Remove the red circle. Add a green triangle in the center.")
    assert result.completeness == 5.0 and _kinds(result) == {("other", "P2", "redundant")}
    assert score_one(row, "Replace the red circle with a green triangle.").S == 5.0


def test_reversed_action_is_a_p0_error_and_a_miss() -> None:
    change = {"text": "", "op": "add", "object": "green heart", "attribute": "position", "after": "upper left"}
    row = _row([change], source=SCENE, target=SCENE + ["green heart"])
    result = score_one(row, "Remove the green heart.")
    assert ("other", "P0", "reversed_action") in _kinds(result)
    assert result.completeness == 1.0 and result.accuracy == 3.0


def test_add_position_errors() -> None:
    change = {"text": "", "op": "add", "object": "green heart", "attribute": "position", "after": "upper left"}
    row = _row([change], source=SCENE, target=SCENE + ["green heart"])
    assert score_one(row, "Add a green heart in the upper left.").S == 5.0
    wrong = score_one(row, "Add a green heart in the upper right.")
    assert _kinds(wrong) == {("orientation", "P0", "wrong_direction")}
    partial = score_one(row, "Add a green heart on the left.")
    assert _kinds(partial) == {("detail", "P2", "incomplete_description")} and partial.accuracy == 5.0
    no_color = score_one(row, "Add a heart in the upper left.")
    assert _kinds(no_color) == {("detail", "P0", "missing_attribute")} and no_color.clarity == 4.0


def test_ambiguous_reference_lowers_clarity_and_is_p0() -> None:
    scene = ["red circle", "blue circle", "yellow star"]
    result = score_one(_row([dict(MOVE)], source=scene), "Move the circle to the left.")
    assert result.clarity == 2.0 and ("detail", "P0", "ambiguous_reference") in _kinds(result)
    unique = score_one(_row([dict(MOVE)], source=SCENE), "Move the circle to the left.")
    assert unique.clarity == 4.0 and _kinds(unique) == {("detail", "P2", "incomplete_description")}


def test_forbidden_terms_cap_clarity() -> None:
    row = _row([MOVE], source=SCENE)
    one = score_one(row, "Move the red circle slightly to the left.")
    assert (one.accuracy, one.completeness, one.clarity) == (5.0, 5.0, 3.0)  # 1 forbidden term → max 3.0
    assert one.S == pytest.approx(4.6) and not one.errors
    assert score_one(row, "Move the red circle to the left. Keep everything else unchanged.").clarity == 5.0
    vague = score_one(_row([TONE], source=SCENE), "Adjust the brightness of the image.")
    assert vague.clarity == 3.0 and vague.completeness == 3.0 and ("detail", "P1", "missing_attribute") in _kinds(vague)
    two = score_one(_row([TONE], source=SCENE), "Adjust the brightness of the image a bit.")
    assert two.clarity == 2.5  # "adjust" (no target state) + "a bit" → max 2.5
    assert score_one(row, "Make it pop.").status == "unparsable"  # counted, never scored


def test_tone_errors_are_p1() -> None:
    row = _row([TONE], source=SCENE)
    wrong = score_one(row, "Make the image darker.")
    assert _kinds(wrong) == {("detail", "P1", "wrong_attribute")}
    missing = score_one(row, "No change.")
    assert _kinds(missing) == {("detail", "P1", "omitted_change")}


def test_repeated_clause_is_redundant() -> None:
    result = score_one(_row([ZOOM], source=SCENE), "Zoom in. Zoom in.")
    assert _kinds(result) == {("other", "P2", "redundant")} and result.accuracy == 5.0


def test_recolour_written_as_a_same_shape_replace_is_correct() -> None:
    row = _row([RECOLOR], source=SCENE, target=SCENE_AFTER)
    assert score_one(row, "Replace the blue square with a green square.").S == 5.0


def test_severity_follows_table_6() -> None:
    assert change_severity("pan", False, 0.01) == "P0"  # row 4: viewpoint always P0
    assert change_severity("tone", True, 1.0) == "P1"  # row 5: global tone P1
    assert change_severity("text", True, 0.02) == "P0" and change_severity("text", False, 0.02) == "P1"  # row 1
    assert change_severity("recolor", False, 0.05) == "P1" and change_severity("recolor", False, 0.2) == "P0"
    assert change_severity("recolor", True, 0.01) == "P0"  # rows 2–3: the subject


def test_rows_without_structured_truth_are_unscored() -> None:
    row = {"id": "x", "ground_truth": {"primary": ["The cat turns left."], "secondary": [], "overall": ""}}
    result = score_one(row, "Zoom in.")
    assert result.status == "unscored" and "structured op" in result.reason
    report = score_predictions([row], {"x": "Zoom in."})
    assert report.summary()["n"] == 0 and report.summary()["S"] is None


def test_predictions_file_with_bad_lines(tmp_path) -> None:  # noqa: ANN001
    manifest = tmp_path / "m.jsonl"
    manifest.write_text(json.dumps(_row([MOVE], source=SCENE)) + "\n")
    preds = tmp_path / "p.jsonl"
    preds.write_text('{"id": "p1", "instruction": "Move the red circle to the left."}\nnot json\n{"x": 1}\n'
                     '{"id": "p1", "instruction": "Zoom in."}\n')
    report = score_predictions(manifest, preds)
    assert report.summary()["S"] == 5.0 and len(report.warnings) == 3
