"""Revisiting and correcting one's own submissions, over HTTP against the real server: a
correction is a new version (the old one kept, in the workspace and the version table),
audited, retry-safe and private; `pairs show` prints a pair with refinements."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select
from studio_helpers import login, one_pair_where, queue_id, take
from typer.testing import CliRunner

from editcaption.annotate.queues import QueueSpec, add_queue
from editcaption.cli import app as cli_app
from editcaption.workspace.models import (
    AnnotationEventRecord,
    AnnotationSubmissionRecord,
    AnnotationSubmissionVersionRecord,
    JudgementRecord,
    PreferenceRecord,
    RefinementRecord,
)


@pytest.fixture(scope="module")
def flow(studio):  # noqa: ANN001
    ws, _app, url = studio
    add_queue(ws, QueueSpec("refine", "source:manifest", where=one_pair_where(ws, "coffee_brighter"), name="v-refine"))
    add_queue(ws, QueueSpec("prefer", "source:manifest", where=one_pair_where(ws, "coffee_brighter"), name="v-prefer"))
    return ws, url


def submission_of(ws, aid: int) -> AnnotationSubmissionRecord:  # noqa: ANN001
    with ws.session() as s:
        return s.scalar(select(AnnotationSubmissionRecord).where(AnnotationSubmissionRecord.assignment_id == aid))


def test_a_refinement_corrected_is_a_new_version_and_the_old_one_is_kept(flow):
    ws, url = flow
    alice, csrf = login(url, "alice")
    aid = take(alice, csrf, queue_id(ws, "v-refine"))
    first = {"csrf_token": csrf, "submission_token": "a" * 32, "text": "Brighten the photo."}
    assert alice.post(f"/a/{aid}/submit", data=first).status_code == 303
    sub = submission_of(ws, aid)

    listing = alice.get("/mine").text
    assert f'href="/mine/{sub.id}"' in listing and "v-refine" in listing
    closed = alice.get(f"/a/{aid}")
    assert closed.status_code == 409 and f'href="/mine/{sub.id}"' in closed.text  # the way to correct it
    page = alice.get(f"/mine/{sub.id}").text
    assert "Brighten the photo.</textarea>" in page and f'action="/mine/{sub.id}/correct"' in page
    assert "version 1" in page

    fix = {"csrf_token": csrf, "submission_token": "b" * 32, "text": "Brighten the photo by one stop."}
    r = alice.post(f"/mine/{sub.id}/correct", data=fix)
    assert r.status_code == 303 and r.headers["location"] == "/mine"
    assert alice.post(f"/mine/{sub.id}/correct", data=fix).status_code == 303  # a retry: no third version
    same = alice.post(f"/mine/{sub.id}/correct", data={**fix, "submission_token": "c" * 32})
    assert same.status_code == 422 and "nothing to correct" in same.text
    empty = alice.post(f"/mine/{sub.id}/correct", data={**fix, "submission_token": "c" * 32, "text": " "})
    assert empty.status_code == 422 and "the instruction is empty" in empty.text

    with ws.session() as s:
        now_sub = s.get(AnnotationSubmissionRecord, sub.id)
        assert now_sub.payload == {"text": "Brighten the photo by one stop."} and now_sub.token == "b" * 32
        versions = list(s.scalars(select(AnnotationSubmissionVersionRecord)
                                  .where(AnnotationSubmissionVersionRecord.submission_id == sub.id)))
        assert [(v.version, v.payload, v.token, v.record_id) for v in versions] == [
            (1, {"text": "Brighten the photo."}, "a" * 32, sub.record_id)]
        texts = [r.text for r in s.scalars(select(RefinementRecord).where(RefinementRecord.task_id == sub.task_id)
                                           .order_by(RefinementRecord.id))]
        assert texts == ["Brighten the photo.", "Brighten the photo by one stop."]  # both kept, newest last
        event = s.scalar(select(AnnotationEventRecord).where(AnnotationEventRecord.action == "correct")
                         .order_by(AnnotationEventRecord.id.desc()))
        assert event.actor == "alice" and event.detail["version"] == 2
        assert event.detail["before"]["payload"] == {"text": "Brighten the photo."}
        assert event.detail["after"]["payload"] == {"text": "Brighten the photo by one stop."}
    assert "version 2" in alice.get(f"/mine/{sub.id}").text

    bob, bob_csrf = login(url, "bob")  # someone else's submission does not exist for bob
    assert bob.get(f"/mine/{sub.id}").status_code == 404
    assert bob.post(f"/mine/{sub.id}/correct", data={**fix, "csrf_token": bob_csrf,
                                                     "submission_token": "e" * 32}).status_code == 404
    assert f'href="/mine/{sub.id}"' not in bob.get("/mine").text


def test_a_preference_taken_back_leaves_no_preference_but_keeps_its_fields(flow):
    ws, url = flow
    bob, csrf = login(url, "bob")
    aid = take(bob, csrf, queue_id(ws, "v-prefer"))
    corrected = {"csrf_token": csrf, "submission_token": "f" * 32, "verdict": "corrected",
                 "chosen": "Brighten only the mug.", "error_type": "detail", "severity": "P2"}
    assert bob.post(f"/a/{aid}/submit", data=corrected).status_code == 303
    sub = submission_of(ws, aid)
    page = bob.get(f"/mine/{sub.id}").text
    assert "Brighten only the mug.</textarea>" in page and 'value="detail" data-key="d" checked' in page
    r = bob.post(f"/mine/{sub.id}/correct", data={"csrf_token": csrf, "submission_token": "g" * 32,
                                                  "verdict": "correct"})
    assert r.status_code == 303
    with ws.session() as s:
        assert s.get(PreferenceRecord, sub.record_id) is None
        assert s.get(AnnotationSubmissionRecord, sub.id).outcome == "correct"
        version = s.scalar(select(AnnotationSubmissionVersionRecord)
                           .where(AnnotationSubmissionVersionRecord.submission_id == sub.id))
        assert version.record["chosen"] == "Brighten only the mug." and version.record["error_type"] == "detail"


def test_pairs_show_prints_a_pair_with_refinements(flow):
    ws, url = flow
    add_queue(ws, QueueSpec("refine", "source:manifest", where=one_pair_where(ws, "coffee_brighter"), name="v-show"))
    carol, csrf = login(url, "carol")
    aid = take(carol, csrf, queue_id(ws, "v-show"))
    assert carol.post(f"/a/{aid}/submit", data={"csrf_token": csrf, "submission_token": "h" * 32,
                                                 "text": "Make the photo brighter."}).status_code == 303
    sub = submission_of(ws, aid)
    assert carol.post(f"/mine/{sub.id}/correct", data={"csrf_token": csrf, "submission_token": "i" * 32,
                                                       "text": "Make the whole photo brighter."}).status_code == 303
    shown = CliRunner().invoke(cli_app, ["pairs", "show", "coffee_brighter", "--json", "-w", str(ws.root)])
    assert shown.exit_code == 0, shown.output
    data = json.loads(shown.stdout)
    texts = [r["text"] for r in data["refinements"]]
    assert texts[-2:] == ["Make the photo brighter.", "Make the whole photo brighter."]
    assert all(re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", r["created_at"]) for r in data["refinements"])


def test_a_judgement_reopens_with_its_rows_ticked_and_can_be_corrected(flow):
    ws, url = flow
    add_queue(ws, QueueSpec("judge", "source:manifest", where=one_pair_where(ws, "coffee_brighter"), name="v-judge"))
    alice, csrf = login(url, "alice")
    aid = take(alice, csrf, queue_id(ws, "v-judge"))
    assert alice.post(f"/a/{aid}/submit", data={"csrf_token": csrf, "submission_token": "j" * 32, "row": ["5", "7"],
                                                "note": "soft"}).status_code == 303
    sub = submission_of(ws, aid)
    page = alice.get(f"/mine/{sub.id}").text
    assert re.search(r'value="5" data-key="5" checked', page) and re.search(r'value="7" data-key="7" checked', page)
    assert "soft</textarea>" in page
    r = alice.post(f"/mine/{sub.id}/correct", data={"csrf_token": csrf, "submission_token": "n" * 32,
                                                    "row": ["2-subject"]})
    assert r.status_code == 303
    with ws.session() as s:
        levels = [j.level for j in s.scalars(select(JudgementRecord).where(JudgementRecord.task_id == sub.task_id)
                                             .order_by(JudgementRecord.id))]
        assert levels == ["P1", "P0"] and s.get(AnnotationSubmissionRecord, sub.id).outcome == "P0"


def test_a_ground_truth_saved_unverified_reopens_unverified(flow):
    ws, url = flow
    add_queue(ws, QueueSpec("verify-gt", None, where=one_pair_where(ws, "coffee_brighter"), name="v-gt"))
    carol, csrf = login(url, "carol")
    aid = take(carol, csrf, queue_id(ws, "v-gt"))
    assert 'id="verified" checked' in carol.get(f"/a/{aid}").text  # saving verifies unless unticked
    assert carol.post(f"/a/{aid}/submit", data={"csrf_token": csrf, "submission_token": "r" * 32,
                                                "primary": "The whole image becomes brighter.",
                                                "overall": "Brighter."}).status_code == 303
    sub = submission_of(ws, aid)
    assert sub.outcome == "saved"
    page = carol.get(f"/mine/{sub.id}").text
    assert 'id="verified" >' in page and "The whole image becomes brighter.</textarea>" in page
