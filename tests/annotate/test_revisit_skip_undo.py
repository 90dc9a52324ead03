"""Skip with undo, over HTTP against the real server. Undo releases the skip on the server
(the lease taken after it goes back, the skipped item is leased again, in one transaction);
it is offered until the next action and refused, changing nothing, when the item is gone."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from studio_helpers import login, queue_id, take

from editcaption.annotate.queues import QueueSpec, add_queue
from editcaption.workspace.models import AnnotationAssignmentRecord, AnnotationEventRecord, AnnotationTaskRecord


@pytest.fixture(scope="module")
def flow(studio):  # noqa: ANN001
    ws, _app, url = studio
    for name in ("u-undo", "u-late", "u-taken"):
        add_queue(ws, QueueSpec("refine", "source:manifest", where={"category": ["structural"]}, name=name))
    return ws, url


def status(ws, aid: int) -> tuple[str, int | None]:  # noqa: ANN001
    with ws.session() as s:
        a = s.get(AnnotationAssignmentRecord, aid)
        return a.status, a.slot


def skip(client, csrf: str, aid: int) -> int:  # noqa: ANN001
    r = client.post(f"/a/{aid}/skip", data={"csrf_token": csrf})
    assert r.status_code == 303 and r.headers["location"].startswith("/a/")
    return int(r.headers["location"].rsplit("/", 1)[1])


def test_undo_returns_the_skipped_item_and_gives_back_the_next(flow):
    ws, url = flow
    alice, csrf = login(url, "alice")
    first = take(alice, csrf, queue_id(ws, "u-undo"))
    second = skip(alice, csrf, first)
    assert status(ws, first) == ("skipped", None)
    page = alice.get(f"/a/{second}").text
    assert f'action="/a/{first}/unskip"' in page and "Ctrl+Z" in page
    r = alice.post(f"/a/{first}/unskip", data={"csrf_token": csrf})
    assert r.status_code == 303 and r.headers["location"] == f"/a/{first}"
    assert status(ws, first) == ("leased", 0) and status(ws, second) == ("expired", None)
    with ws.session() as s:
        tasks = {a.id: s.get(AnnotationTaskRecord, a.task_id) for a in
                 (s.get(AnnotationAssignmentRecord, first), s.get(AnnotationAssignmentRecord, second))}
        assert tasks[first].live_slots == 1 and tasks[second].live_slots == 0
        actions = [e.action for e in s.scalars(select(AnnotationEventRecord).where(
            AnnotationEventRecord.actor == "alice").order_by(AnnotationEventRecord.id.desc()).limit(2))]
        assert actions == ["unskip", "release"]
    assert "unskip" not in alice.get(f"/a/{first}").text  # the undo was used
    assert alice.post(f"/a/{first}/unskip", data={"csrf_token": csrf}).status_code == 409
    # the released item is offered again after this one
    done = alice.post(f"/a/{first}/submit", data={"csrf_token": csrf, "submission_token": "k" * 32, "text": "x y"})
    assert done.headers["location"] == f"/a/{second}" and status(ws, second)[0] == "leased"


def test_undo_is_offered_only_until_the_next_action(flow):
    ws, url = flow
    bob, csrf = login(url, "bob")
    first = take(bob, csrf, queue_id(ws, "u-late"))
    second = skip(bob, csrf, first)
    bob.post(f"/a/{second}/submit", data={"csrf_token": csrf, "submission_token": "m" * 32, "text": "a b"})
    r = bob.post(f"/a/{first}/unskip", data={"csrf_token": csrf})
    assert r.status_code == 409 and status(ws, first) == ("skipped", None)


def test_undo_is_refused_when_someone_else_took_the_item(flow):
    ws, url = flow
    carol, csrf = login(url, "carol")
    q = queue_id(ws, "u-taken")
    first = take(carol, csrf, q)
    second = skip(carol, csrf, first)
    bob, bob_csrf = login(url, "bob")
    bobs = take(bob, bob_csrf, q)
    with ws.session() as s:
        assert s.get(AnnotationAssignmentRecord, bobs).task_id == s.get(AnnotationAssignmentRecord, first).task_id
    r = carol.post(f"/a/{first}/unskip", data={"csrf_token": csrf})
    assert r.status_code == 303 and r.headers["location"] == "/"
    assert "someone else has taken this item" in carol.get("/").text
    assert status(ws, first) == ("skipped", None) and status(ws, second)[0] == "leased"  # nothing changed
