"""Submissions: each kind's record, validation that writes nothing, idempotent retries, ownership."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select
from studio_helpers import one_pair_where, user

from editcaption.annotate.leases import lease_next
from editcaption.annotate.queues import QueueSpec, add_queue
from editcaption.annotate.submissions import NotYours, SubmitConflict, submit
from editcaption.annotate.tasks.common import InvalidSubmission
from editcaption.workspace.models import (
    AnnotationAssignmentRecord,
    AnnotationEventRecord,
    AnnotationSubmissionRecord,
    GroundTruthRecord,
    InstructionRecord,
    JudgementRecord,
    PreferenceRecord,
    RefinementRecord,
)

TOKENS = iter(f"token-{n:016d}" for n in range(10_000))


def leased(ws, kind, who="alice", **spec):  # noqa: ANN001
    q = add_queue(ws, QueueSpec(kind, spec.pop("run", "source:manifest"), where=one_pair_where(ws), **spec))["id"]
    person = user(ws, who)
    return person, lease_next(ws, q, person)


def count(ws, model) -> int:  # noqa: ANN001
    with ws.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_refine_writes_a_refinement_with_annotator_and_time(studio_ws):
    ws = studio_ws
    alice, a = leased(ws, "refine")
    result = submit(ws, a, alice, next(TOKENS), {"text": ["  The camera pans to the left.\r\n "]})
    assert result.outcome == "edited" and not result.duplicate
    with ws.session() as s:
        ref = s.scalars(select(RefinementRecord)).one()
        assignment = s.get(AnnotationAssignmentRecord, a)
        assert ref.text == "The camera pans to the left." and ref.annotator == "alice"
        assert ref.task_id == assignment.task_id and ref.created_at is not None
        assert s.get(InstructionRecord, ref.instruction_id).text == "Pan the camera to the left."
        assert assignment.status == "submitted" and assignment.submitted_at is not None
        sub = s.scalars(select(AnnotationSubmissionRecord)).one()
        assert (sub.record_kind, sub.record_id, sub.annotator) == ("refinement", ref.id, "alice")
        assert "submit" in s.scalars(select(AnnotationEventRecord.action)).all()


def test_retries_and_double_clicks_make_one_record(studio_ws):
    ws = studio_ws
    alice, a = leased(ws, "refine")
    token = next(TOKENS)
    form = {"text": ["Pan left."]}
    results: list = []
    barrier = threading.Barrier(6)

    def send():
        barrier.wait()
        results.append(submit(ws, a, alice, token, form))

    threads = [threading.Thread(target=send) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 6 and len({r.submission_id for r in results}) == 1
    assert sum(not r.duplicate for r in results) == 1
    assert count(ws, RefinementRecord) == 1 and count(ws, AnnotationSubmissionRecord) == 1
    # A fresh page (new token) for an item already submitted is refused, not a second record.
    with pytest.raises(SubmitConflict, match="already submitted"):
        submit(ws, a, alice, next(TOKENS), form)
    assert count(ws, RefinementRecord) == 1


def test_prefer_correct_and_corrected(studio_ws):
    ws = studio_ws
    alice, a = leased(ws, "prefer")
    assert submit(ws, a, alice, next(TOKENS), {"verdict": ["correct"]}).outcome == "correct"
    assert count(ws, PreferenceRecord) == 0
    bob, b = leased(ws, "prefer", who="bob", name="prefer-2")
    result = submit(ws, b, bob, next(TOKENS), {"verdict": ["corrected"], "chosen": ["Pan the camera to the right."],
                                               "error_type": ["orientation"], "severity": ["P0"]})
    assert result.outcome == "orientation"
    with ws.session() as s:
        pref = s.scalars(select(PreferenceRecord)).one()
        assert (pref.chosen, pref.rejected) == ("Pan the camera to the right.", "Pan the camera to the left.")
        assert (pref.error_type, pref.severity, pref.annotator) == ("orientation", "P0", "bob")


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({}, "correct or needs a correction"),
        ({"verdict": ["corrected"], "chosen": ["x y"], "severity": ["P1"]}, "failure type"),
        ({"verdict": ["corrected"], "chosen": ["x y"], "error_type": ["detail"], "severity": ["P3"]}, "severity"),
        ({"verdict": ["corrected"], "chosen": [" Pan the camera  to the left. "], "error_type": ["detail"],
          "severity": ["P1"]}, "same as the model"),
        ({"verdict": ["corrected"], "chosen": ["  "], "error_type": ["detail"], "severity": ["P1"]}, "empty"),
    ],
)
def test_invalid_preferences_write_nothing(studio_ws, form, message):
    ws = studio_ws
    alice, a = leased(ws, "prefer")
    with pytest.raises(InvalidSubmission, match=message):
        submit(ws, a, alice, next(TOKENS), form)
    assert count(ws, AnnotationSubmissionRecord) == 0 and count(ws, PreferenceRecord) == 0
    with ws.session() as s:
        assert s.get(AnnotationAssignmentRecord, a).status == "leased"


def test_judge_hierarchy_is_enforced_on_the_server(studio_ws):
    ws = studio_ws
    alice, a = leased(ws, "judge")
    with pytest.raises(InvalidSubmission, match="P0 ends the item"):
        submit(ws, a, alice, next(TOKENS), {"row": ["4", "5"], "level": ["P0"]})
    with pytest.raises(InvalidSubmission, match="does not match"):
        submit(ws, a, alice, next(TOKENS), {"row": ["5"], "level": ["correct"]})
    with pytest.raises(InvalidSubmission, match="unknown checklist row"):
        submit(ws, a, alice, next(TOKENS), {"row": ["../../etc/passwd"]})
    assert count(ws, JudgementRecord) == 0
    result = submit(ws, a, alice, next(TOKENS), {"row": ["8", "2-non-subject"], "level": ["P1"], "note": ["odd"]})
    assert result.outcome == "P1"
    with ws.session() as s:
        j = s.scalars(select(JudgementRecord)).one()
        assert (j.level, j.checklist, j.note, j.annotator) == ("P1", ["2-non-subject", "8"], "odd", "alice")


def test_judge_correct_needs_no_rows(studio_ws):
    alice, a = leased(studio_ws, "judge")
    assert submit(studio_ws, a, alice, next(TOKENS), {"level": ["correct"]}).outcome == "correct"


def test_verify_gt_keeps_structure_and_history(studio_ws):
    ws = studio_ws
    q = add_queue(ws, QueueSpec("verify-gt", None, where=one_pair_where(ws)))["id"]
    alice = user(ws, "alice")
    a = lease_next(ws, q, alice)
    form = {"primary": ["The camera pans left.\nThe cat's ear is cut off on the right."],
            "secondary": [""], "overall": ["The view moves left."], "verified": ["1"]}
    assert submit(ws, a, alice, next(TOKENS), form).outcome == "verified"
    with ws.session() as s:
        gt = s.scalars(select(GroundTruthRecord).where(GroundTruthRecord.pair_id == one_pair_where(ws)["id"][0])).one()
        # the unchanged line keeps its structure; the new one is plain text
        assert gt.primary == [{"text": "The camera pans left.", "op": "pan", "object": "camera", "direction": "left"},
                              {"text": "The cat's ear is cut off on the right."}]
        assert gt.verified and gt.updated_by == "alice" and gt.overall == "The view moves left."
        event = s.scalars(select(AnnotationEventRecord).where(AnnotationEventRecord.action == "gt_edit")).one()
        assert event.detail["before"]["overall"].startswith("The view of the cat shifts")
        assert event.detail["after"]["verified"] is True


def test_someone_elses_item_is_not_found(studio_ws):
    ws = studio_ws
    _alice, a = leased(ws, "refine")
    with pytest.raises(NotYours):
        submit(ws, a, user(ws, "bob"), next(TOKENS), {"text": ["Pan left."]})
    with pytest.raises(InvalidSubmission, match="submission token"):
        submit(ws, a, user(ws, "alice"), "short", {"text": ["Pan left."]})
    assert count(ws, RefinementRecord) == 0
