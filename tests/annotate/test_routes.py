"""The task pages over HTTP: submit, retry, skip, invalid answers kept, finished queues."""

from __future__ import annotations

import pytest
from studio_helpers import login, one_pair_where, queue_id, take

from editcaption.annotate.queues import QueueSpec, add_queue


@pytest.fixture(scope="module")
def flow(studio):  # noqa: ANN001
    ws, _app, url = studio
    where = one_pair_where(ws, "coffee_brighter")
    add_queue(ws, QueueSpec("refine", "source:manifest", where=where, name="r-one"))
    add_queue(ws, QueueSpec("refine", "source:manifest", where={"category": ["structural"]}, name="r-three"))
    return ws, url


def test_submit_retry_and_finish(flow):
    ws, url = flow
    alice, csrf = login(url, "alice")
    aid = take(alice, csrf, queue_id(ws, "r-one"))
    page = alice.get(f"/a/{aid}")
    assert page.status_code == 200 and "Brighten the whole image." in page.text
    assert alice.get(f"/a/{aid}/image/target").headers["content-type"] == "image/jpeg"

    bad = alice.post(f"/a/{aid}/submit", data={"csrf_token": csrf, "submission_token": "t" * 32, "text": "   "})
    assert bad.status_code == 422 and "the instruction is empty" in bad.text

    form = {"csrf_token": csrf, "submission_token": "u" * 32, "text": "Brighten the whole photo a little."}
    first = alice.post(f"/a/{aid}/submit", data=form)
    assert first.status_code == 303 and first.headers["location"] == "/"  # the queue has nothing more
    assert "Nothing left for you in r-one" in alice.get("/").text
    retry = alice.post(f"/a/{aid}/submit", data=form)
    assert retry.status_code == 303 and retry.headers["location"] == "/"
    fresh = alice.post(f"/a/{aid}/submit", data={**form, "submission_token": "v" * 32})
    assert fresh.status_code == 409 and "already submitted" in fresh.text
    assert alice.get(f"/a/{aid}").status_code == 409


def test_skip_moves_on_to_another_item(flow):
    ws, url = flow
    bob, csrf = login(url, "bob")
    q = queue_id(ws, "r-three")
    first = take(bob, csrf, q)
    r = bob.post(f"/a/{first}/skip", data={"csrf_token": csrf})
    assert r.status_code == 303 and r.headers["location"].startswith("/a/")
    second = int(r.headers["location"].rsplit("/", 1)[1])
    assert second != first
    assert bob.get(f"/a/{first}").status_code == 409  # skipped: closed for Bob
