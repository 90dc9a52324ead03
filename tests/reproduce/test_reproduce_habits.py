"""Systematic habits: the injected shares are exact per seed, drawn reproducibly, tied to their axis,
and each injected text is read by the exact scorer as the failure it stands for."""

from __future__ import annotations

from pathlib import Path

import pytest

from editcaption.reproduce.annotator import classify
from editcaption.reproduce.config import Habit, SceneSet, systematic_config
from editcaption.reproduce.habits import applies, inject_habits, read_answer, written_direction
from editcaption.synth import generate_run, read_manifest, score_one

EXPECTED_LABEL = {"pan_content_direction": "viewpoint/P0", "move_as_camera": "orientation/P0",
                  "mirrored_move": "orientation/P0", "dropped_colour": "detail/P2"}


@pytest.fixture(scope="module")
def rows(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    out: dict[str, dict] = {}
    root = tmp_path_factory.mktemp("ew")
    for i, subtype in enumerate(("camera_pan", "move_object", "recolor", "camera_zoom")):
        report = generate_run(40, 7 + i, root / subtype, size=64, family="objects", n_objects=(1, 1),
                              backgrounds=("checkered",), signs=False, subtypes=[subtype])
        for row in read_manifest(report.manifest):
            out[f"{subtype}-{row['id']}"] = row
    return out


def test_injected_counts_are_exact_and_reproducible(rows: dict[str, dict]) -> None:
    config = systematic_config()
    ids = sorted(rows)
    texts, record = inject_habits(config, 0, ids, rows)
    again, record_again = inject_habits(config, 0, ids, rows)
    other, _ = inject_habits(config, 1, ids, rows)
    assert texts == again and record == record_again  # same seed, same draw
    assert set(texts) != set(other)  # another seed draws other rows
    assert record["sft_rows"] == len(ids)
    assert len(record["habits"]) == 4
    for scene in config.scenes:
        for habit in scene.habits:
            h = record["habits"][f"{scene.subtype}:{habit.kind}:{habit.when}"]
            eligible = [pid for pid in ids if rows[pid]["subtype"] == scene.subtype and applies(habit, rows[pid])]
            assert h["eligible"] == len(eligible) > 0
            assert h["injected"] == round(habit.rate * len(eligible)) == len(h["pairs"])
            assert set(h["pairs"]) <= set(eligible)
            assert h["labels"] == {EXPECTED_LABEL[habit.kind]: h["injected"]}
    # zooms carry no habit; vertical pans and the rows not drawn keep their reference instruction
    assert not any(rows[pid]["subtype"] == "camera_zoom" for pid in texts)
    pans = [pid for pid in texts if rows[pid]["subtype"] == "camera_pan"]
    assert pans and all(rows[pid]["ground_truth"]["primary"][0]["direction"] in ("left", "right") for pid in pans)
    assert sum(h["injected"] for h in record["habits"].values()) == len(texts)


def test_each_habit_is_the_failure_it_names(rows: dict[str, dict]) -> None:
    texts, _ = inject_habits(systematic_config(), 3, sorted(rows), rows)
    for pid, text in texts.items():
        truth = rows[pid]["ground_truth"]["primary"][0]
        result = score_one(rows[pid], text)
        assert result.status == "scored", text
        failure = classify([e.as_json() for e in result.errors])
        assert failure is not None, text
        if truth["op"] == "pan":  # written in the content's direction: the opposite word
            assert truth["direction"] not in text.lower() and failure.error_type == "viewpoint", text
        if truth["op"] == "recolor":
            assert truth["object"].split()[0] not in text.lower() and failure.severity == "P2", text


def test_rates_and_axes_are_respected(rows: dict[str, dict]) -> None:
    config = systematic_config(scenes=(SceneSet("move_object", habits=(Habit("mirrored_move", "vertical", 1.0),)),
                                       SceneSet("camera_pan", habits=(Habit("pan_content_direction", "any", 0.0),))))
    texts, record = inject_habits(config, 0, sorted(rows), rows)
    moves = [pid for pid in rows if rows[pid]["subtype"] == "move_object"
             and rows[pid]["ground_truth"]["primary"][0]["direction"] in ("up", "down")]
    assert sorted(texts) == sorted(moves)  # rate 1: every vertical move, no horizontal one, no pan at rate 0
    assert record["habits"]["camera_pan:pan_content_direction:any"]["injected"] == 0


def test_habit_texts_round_trip_through_a_run_record(rows: dict[str, dict], tmp_path: Path) -> None:
    """config_from_json restores the habits (a resumed run compares them)."""
    import json

    from editcaption.reproduce.config import config_from_json

    config = systematic_config()
    assert config_from_json(json.loads(json.dumps(config.to_json()))) == config


def test_written_direction_reads_the_habit_op_on_the_truth_axis(rows: dict[str, dict]) -> None:
    pan = next(r for r in rows.values() if r["subtype"] == "camera_pan"
               and r["ground_truth"]["primary"][0]["direction"] == "left")
    assert written_direction("pan_content_direction", pan, read_answer("Pan the camera to the left.")) == ("left", "left")
    assert written_direction("pan_content_direction", pan, read_answer("Pan the camera to the right.")) == ("left", "right")
    # a tilt is on the other axis, an object move is not a pan, an unreadable answer says nothing
    assert written_direction("pan_content_direction", pan, read_answer("Tilt the camera up.")) == ("left", None)
    assert written_direction("pan_content_direction", pan, read_answer("Move the circle to the right.")) == ("left", None)
    assert written_direction("pan_content_direction", pan, read_answer("")) == ("left", None)
    move = next(r for r in rows.values() if r["subtype"] == "move_object"
                and r["ground_truth"]["primary"][0]["direction"] in ("left", "right"))
    obj, truth = move["ground_truth"]["primary"][0]["object"], move["ground_truth"]["primary"][0]["direction"]
    other = "left" if truth == "right" else "right"
    assert written_direction("mirrored_move", move, read_answer(f"Move the {obj} to the {other}.")) == (truth, other)
    assert written_direction("mirrored_move", move, read_answer(f"Pan the camera to the {truth}.")) == (truth, None)
    # habits that are not about a direction have nothing to count
    assert written_direction("dropped_colour", move, read_answer("Move it.")) is None
    assert written_direction("move_as_camera", move, read_answer("Move it.")) is None

