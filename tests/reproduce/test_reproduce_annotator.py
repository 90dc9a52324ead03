"""The simulated annotator: failure-mode labels follow the paper's priorities, the corrected
instruction is a true reference in the model's own wording, and records say they are simulated."""

from __future__ import annotations

from pathlib import Path

from editcaption.reproduce.annotator import (
    ANNOTATOR,
    Failure,
    MinedPreference,
    classify,
    corrected,
    refine,
    write_preferences,
)
from editcaption.synth import generate, read_manifest
from editcaption.synth.scorer import score_one
from editcaption.workspace import Workspace
from editcaption.workspace.models import PreferenceRecord, RefinementRecord


def test_classify_takes_the_most_severe_mode_first() -> None:
    errors = [{"type": "detail", "severity": "P2", "kind": "incomplete_description"},
              {"type": "other", "severity": "P0", "kind": "reversed_action"},
              {"type": "viewpoint", "severity": "P0", "kind": "wrong_direction"},
              {"type": "orientation", "severity": "P0", "kind": "hallucination"}]
    assert classify(errors) == Failure("orientation", "P0", "hallucination")
    assert classify(errors[:1]) == Failure("detail", "P2", "incomplete_description")
    assert classify([{"type": "other", "severity": "P1", "kind": "hallucination"}]) is None
    assert classify([]) is None


def _move_row() -> dict:
    return {"id": "p", "reference_instruction": "Slide the red circle to the right.",
            "ground_truth": {"primary": [{"op": "move", "object": "red circle", "attribute": "position",
                                          "direction": "right", "text": ""}], "secondary": [], "overall": ""},
            "editworld": {"areas": {"primary": [0.05], "secondary": []},
                          "inventory": {"source": ["red circle"], "target": ["red circle"]}}}


def test_corrected_is_a_reference_in_the_rejected_wording() -> None:
    row = _move_row()
    chosen = corrected(row, "Shift the red circle to the left.")
    assert chosen == "Shift the red circle to the right."
    assert score_one(row, chosen).errors == []
    assert corrected(row, "Move the red square up.") == "Move the red circle to the right."


def test_corrected_instructions_of_generated_pairs_are_error_free(tmp_path: Path) -> None:
    manifest = generate(12, 3, tmp_path / "ew", size=96, family="objects", n_objects=(1, 1), signs=False,
                        subtypes=["move_object", "recolor", "camera_pan", "camera_zoom", "add_object"])
    for row in read_manifest(manifest):
        chosen = corrected(row, "Pan the camera to the left.")
        assert score_one(row, chosen).errors == [], (row["subtype"], chosen)


def test_records_are_marked_simulated(tmp_path: Path) -> None:
    from editcaption.ingest.stage import ingest

    manifest = generate(2, 5, tmp_path / "ew", size=96, family="objects", n_objects=(1, 1), signs=False,
                        subtypes=["recolor"])
    ws = Workspace.init(tmp_path / "ws")
    ingest(ws, manifest, "manifest")
    rows = read_manifest(manifest)
    with ws.session() as s:
        from editcaption.workspace.models import PairRecord

        pairs = {p.name: p.id for p in s.query(PairRecord)}
    by_pid = {pairs[r["id"]]: r for r in rows}
    pid = next(iter(by_pid))
    assert refine(ws, [(pid, None)], by_pid) == 1
    assert refine(ws, [(pid, None)], by_pid) == 0  # idempotent
    with ws.session() as s:
        from editcaption.workspace.models import InstructionRecord

        ins_id = s.query(InstructionRecord).filter_by(pair_id=pid).one().id  # the ingested reference
    pref = MinedPreference(pid, ins_id, "Recolor the red circle.", by_pid[pid]["reference_instruction"],
                           Failure("detail", "P0", "missing_attribute"))
    assert write_preferences(ws, [pref]) == 1
    assert write_preferences(ws, [pref]) == 0
    with ws.session() as s:
        (ref,) = s.query(RefinementRecord).all()
        (p,) = s.query(PreferenceRecord).all()
        assert ref.simulated and ref.annotator == ANNOTATOR and ref.text == by_pid[pid]["reference_instruction"]
        assert p.simulated and p.annotator == ANNOTATOR and (p.error_type, p.severity) == ("detail", "P0")
    ws.close()
