"""Drafts over HTTP against the real server: kept as typed, shown again on any device, gone
once the item is answered; an ended session sends browsers to the login form and back."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select
from studio_helpers import login, one_pair_where, queue_id, take

from editcaption.annotate.drafts import DraftError, clean_fields
from editcaption.annotate.queues import QueueSpec, add_queue
from editcaption.workspace.models import AnnotationAssignmentRecord, AnnotationDraftRecord, InstructionRecord

JSON = {"accept": "application/json"}


@pytest.fixture(scope="module")
def flow(studio):  # noqa: ANN001
    ws, _app, url = studio
    add_queue(ws, QueueSpec("refine", "source:manifest", name="d-refine"))
    add_queue(ws, QueueSpec("prefer", "source:manifest", where=one_pair_where(ws, "coffee_brighter"), name="d-prefer"))
    return ws, url


def save(client, csrf: str, aid: int, fields: dict):  # noqa: ANN001, ANN201
    return client.post(f"/a/{aid}/draft", json={"fields": fields}, headers={**JSON, "x-csrf-token": csrf})


def test_a_draft_is_kept_shown_on_another_device_and_dropped_on_submit(flow):
    ws, url = flow
    alice, csrf = login(url, "alice")
    aid = take(alice, csrf, queue_id(ws, "d-refine"))
    text = "Brighten the mug <b>and</b> keep the table as it is."
    r = save(alice, csrf, aid, {"text": [text], "csrf_token": ["not kept"]})
    assert r.status_code == 200 and r.json()["saved_at"]
    with ws.session() as s:
        draft = s.get(AnnotationDraftRecord, aid)
        assert draft.fields == {"text": [text]}  # the tokens are never part of a draft

    laptop, _ = login(url, "alice")  # a second device: nothing in its browser, the server has the draft
    page = laptop.get(f"/a/{aid}").text
    assert "Brighten the mug &lt;b&gt;and&lt;/b&gt; keep the table as it is.</textarea>" in page
    assert f'data-draft-at="{r.json()["saved_at"]}"' in page

    done = alice.post(f"/a/{aid}/submit", data={"csrf_token": csrf, "submission_token": "d" * 32, "text": text})
    assert done.status_code == 303
    with ws.session() as s:
        assert s.get(AnnotationDraftRecord, aid) is None


def test_drafts_are_private_and_bounded(flow):
    ws, url = flow
    alice, csrf = login(url, "alice")
    aid = take(alice, csrf, queue_id(ws, "d-refine"))
    bob, bob_csrf = login(url, "bob")
    assert save(bob, bob_csrf, aid, {"text": ["bob's words"]}).status_code == 404
    bad = alice.post(f"/a/{aid}/draft", content=b"not json", headers={**JSON, "x-csrf-token": csrf,
                                                                      "content-type": "application/json"})
    assert bad.status_code == 400
    assert save(alice, csrf, aid, {"text": "x" * 20_000}).status_code == 400
    assert save(alice, csrf, aid, {"text": [1, 2]}).status_code == 400
    assert save(alice, "wrong", aid, {"text": ["x"]}).status_code == 403
    with ws.session() as s:
        assert s.get(AnnotationDraftRecord, aid) is None
    assert clean_fields({"row": ["2-subject", "5"], "note": "one string"}) == {"row": ["2-subject", "5"],
                                                                             "note": ["one string"]}
    with pytest.raises(DraftError):
        clean_fields(["text"])


def test_an_ended_session_sends_the_browser_to_log_in_and_back(flow):
    ws, url = flow
    alice, csrf = login(url, "alice")
    aid = take(alice, csrf, queue_id(ws, "d-refine"))
    assert save(alice, csrf, aid, {"text": ["typed before the session ended"]}).status_code == 200
    other, other_csrf = login(url, "alice")
    assert other.post("/logout", data={"csrf_token": other_csrf}).status_code == 303  # ends every session

    fetch = alice.post(f"/a/{aid}/draft", json={"fields": {"text": ["more"]}},
                       headers={**JSON, "x-csrf-token": csrf, "referer": f"{url}/a/{aid}"})
    assert fetch.status_code == 401 and fetch.json() == {"detail": "log in first", "login": f"/login?next=%2Fa%2F{aid}"}
    post = alice.post(f"/a/{aid}/submit", data={"csrf_token": csrf, "text": "more"},
                      headers={"accept": "text/html", "referer": f"{url}/a/{aid}"})
    assert post.status_code == 303 and post.headers["location"] == f"/login?next=%2Fa%2F{aid}"

    login_form = httpx.get(url + post.headers["location"]).text
    assert f'name="next" value="/a/{aid}"' in login_form
    again, _ = login(url, "alice")
    assert "typed before the session ended</textarea>" in again.get(f"/a/{aid}").text


def test_the_prefer_form_keeps_the_models_text_and_what_was_typed(flow):
    ws, url = flow
    bob, csrf = login(url, "bob")
    aid = take(bob, csrf, queue_id(ws, "d-prefer"))
    with ws.session() as s:
        model = s.scalar(select(InstructionRecord.text).where(InstructionRecord.run_id == "source:manifest",
                                                              InstructionRecord.text.like("Brighten%")))
    # no verdict and the correction box disabled (so no text sent): the model's text is still there to edit
    r = bob.post(f"/a/{aid}/submit", data={"csrf_token": csrf, "submission_token": "p" * 32})
    assert r.status_code == 422 and f'name="chosen" rows="6" maxlength="4000" data-editor>{model}</textarea>' in r.text
    # a correction without a failure type: what was typed stays
    typed = "Brighten only the mug, by about a stop."
    r = bob.post(f"/a/{aid}/submit", data={"csrf_token": csrf, "submission_token": "p" * 32, "verdict": "corrected",
                                           "chosen": typed, "severity": "P1"})
    assert r.status_code == 422 and "choose the failure type" in r.text
    assert f"data-editor>{typed}</textarea>" in r.text and 'value="P1" data-key="1" checked' in r.text


def test_an_item_whose_lease_ran_out_opens_with_its_draft_and_can_still_be_submitted(flow):
    ws, url = flow
    carol, csrf = login(url, "carol")
    aid = take(carol, csrf, queue_id(ws, "d-refine"))
    assert save(carol, csrf, aid, {"text": ["written slowly"]}).status_code == 200
    with ws.session() as s:  # the lease runs out (as if the annotator had been away for long)
        a = s.get(AnnotationAssignmentRecord, aid)
        a.expires_at = a.leased_at
    page = carol.get(f"/a/{aid}")
    assert page.status_code == 200 and "written slowly</textarea>" in page.text and 'id="lease-over"' in page.text
    r = carol.post(f"/a/{aid}/submit", data={"csrf_token": csrf, "submission_token": "q" * 32,
                                             "text": "written slowly"})
    assert r.status_code == 303
    with ws.session() as s:
        assert s.get(AnnotationAssignmentRecord, aid).status == "submitted"


def test_drafts_corrections_and_undo_on_sqlite_and_postgresql(studio_ws):  # noqa: ANN001
    """The new writes (draft upsert, correction with its version row, undo's release and re-lease)
    on each database the studio runs on."""
    from studio_helpers import ServerThread

    from editcaption.annotate.app import StudioSettings, create_app
    from editcaption.workspace.models import AnnotationSubmissionRecord, AnnotationSubmissionVersionRecord

    ws = studio_ws
    add_queue(ws, QueueSpec("refine", "source:manifest", where={"category": ["structural"]}, name="both"))
    server = ServerThread(create_app(ws, StudioSettings())).start()
    try:
        alice, csrf = login(server.url, "alice")
        first = take(alice, csrf, queue_id(ws, "both"))
        for text in ("one", "one two"):  # insert, then update
            assert save(alice, csrf, first, {"text": [text]}).status_code == 200
        assert "one two</textarea>" in alice.get(f"/a/{first}").text
        second = int(alice.post(f"/a/{first}/skip", data={"csrf_token": csrf}).headers["location"].rsplit("/", 1)[1])
        assert alice.post(f"/a/{first}/unskip", data={"csrf_token": csrf}).headers["location"] == f"/a/{first}"
        assert "one two</textarea>" in alice.get(f"/a/{first}").text  # the draft came back with the item
        r = alice.post(f"/a/{first}/submit", data={"csrf_token": csrf, "submission_token": "w" * 32, "text": "one two"})
        assert r.status_code == 303 and second != first  # (PostgreSQL spreads annotators over the next few items)
        with ws.session() as s:
            assert s.scalar(select(AnnotationSubmissionVersionRecord.id).limit(1)) is None
            assert s.get(AnnotationDraftRecord, first) is None
            sub = s.scalar(select(AnnotationSubmissionRecord).where(AnnotationSubmissionRecord.assignment_id == first))
        assert alice.post(f"/mine/{sub.id}/correct", data={"csrf_token": csrf, "submission_token": "x" * 32,
                                                           "text": "one two three"}).status_code == 303
        with ws.session() as s:
            version = s.scalar(select(AnnotationSubmissionVersionRecord))
            assert (version.submission_id, version.version, version.payload) == (sub.id, 1, {"text": "one two"})
    finally:
        server.stop()
