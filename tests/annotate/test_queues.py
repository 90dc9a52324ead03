"""Queues: building from the workspace, leases, overlap, expiry, skip, and racing annotators."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import select
from studio_helpers import add_person, one_pair_where, user

from editcaption.annotate.leases import expire_stale, lease_next, skip
from editcaption.annotate.queues import QueueError, QueueSpec, add_queue
from editcaption.annotate.submissions import SubmitConflict, submit
from editcaption.workspace.models import (
    AnnotationAssignmentRecord,
    AnnotationEventRecord,
    AnnotationTaskRecord,
)


def test_queue_from_run_is_idempotent_and_filtered(studio_ws):
    ws = studio_ws
    first = add_queue(ws, QueueSpec("refine", "source:manifest"))
    assert first["created"] and first["added"] == 6 and first["queue"] == "refine-source:manifest"
    again = add_queue(ws, QueueSpec("refine", "source:manifest"))
    assert not again["created"] and again["added"] == 0 and again["tasks"] == 6
    structural = add_queue(ws, QueueSpec("judge", "source:manifest", where={"category": ["structural"]}, name="j-s"))
    assert structural["added"] == 3
    assert add_queue(ws, QueueSpec("prefer", "xss"))["added"] == 1
    # verify-gt: the six sample pairs carry drafted, unverified ground truth; no run needed.
    gt = add_queue(ws, QueueSpec("verify-gt", None))
    assert gt["queue"] == "verify-gt" and gt["added"] == 6
    with ws.session() as s:
        tasks = list(s.scalars(select(AnnotationTaskRecord).where(AnnotationTaskRecord.queue_id == first["id"])))
        assert all(t.instruction_id is not None for t in tasks)
        assert sorted(t.position for t in tasks) == [1, 2, 3, 4, 5, 6]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (QueueSpec("rank", "source:manifest"), "task kind must be one of"),
        (QueueSpec("refine", None), "needs --run"),
        (QueueSpec("refine", "nope"), "no run 'nope'"),
        (QueueSpec("verify-gt", None, overlap=2), "overlap must be 1"),
        (QueueSpec("judge", "source:manifest", overlap=0), "at least 1"),
        (QueueSpec("judge", "source:manifest", name="bad name/.."), "bad queue name"),
    ],
)
def test_bad_queue_specs_are_clear_errors(studio_ws, spec, message):
    with pytest.raises(QueueError, match=message):
        add_queue(studio_ws, spec)


def test_queue_name_clash_with_other_kind(studio_ws):
    add_queue(studio_ws, QueueSpec("refine", "source:manifest", name="q"))
    with pytest.raises(QueueError, match="already exists as refine"):
        add_queue(studio_ws, QueueSpec("judge", "source:manifest", name="q"))


def test_leases_are_exclusive_and_resumed(studio_ws):
    ws = studio_ws
    q = add_queue(ws, QueueSpec("refine", "source:manifest"))["id"]
    alice, bob = user(ws, "alice"), user(ws, "bob")
    a1 = lease_next(ws, q, alice)
    assert lease_next(ws, q, alice) == a1  # the same item until it is submitted or skipped
    b1 = lease_next(ws, q, bob)
    with ws.session() as s:
        ta, tb = s.get(AnnotationAssignmentRecord, a1).task_id, s.get(AnnotationAssignmentRecord, b1).task_id
    assert ta != tb


def test_overlap_gives_an_item_to_k_different_people(studio_ws):
    ws = studio_ws
    q = add_queue(ws, QueueSpec("judge", "source:manifest", where=one_pair_where(ws), overlap=2))["id"]
    alice, bob, carol = user(ws, "alice"), user(ws, "bob"), user(ws, "carol")
    a, b = lease_next(ws, q, alice), lease_next(ws, q, bob)
    assert a and b and a != b
    assert lease_next(ws, q, carol) is None  # both slots taken
    assert lease_next(ws, q, alice) == a  # never a second slot of the same item
    with ws.session() as s:
        rows = list(s.scalars(select(AnnotationAssignmentRecord).where(AnnotationAssignmentRecord.queue_id == q)))
        assert sorted(r.slot for r in rows) == [0, 1] and len({r.task_id for r in rows}) == 1


def test_expired_lease_returns_the_item(studio_ws):
    ws = studio_ws
    q = add_queue(ws, QueueSpec("refine", "source:manifest", where=one_pair_where(ws), lease_minutes=10))["id"]
    alice, bob = user(ws, "alice"), user(ws, "bob")
    t0 = dt.datetime.now(dt.timezone.utc)
    a = lease_next(ws, q, alice, at=t0)
    assert lease_next(ws, q, bob, at=t0 + dt.timedelta(minutes=9)) is None
    b = lease_next(ws, q, bob, at=t0 + dt.timedelta(minutes=11))
    assert b is not None and b != a
    with ws.session() as s:
        assert s.get(AnnotationAssignmentRecord, a).status == "expired"
        assert s.get(AnnotationAssignmentRecord, a).slot is None
        actions = list(s.scalars(select(AnnotationEventRecord.action).where(AnnotationEventRecord.queue_id == q)))
        assert actions.count("lease") == 2 and "lease_expire" in actions
    # Alice's late answer cannot take the item back from Bob: refused, nothing written.
    with pytest.raises(SubmitConflict, match="ran out"):
        submit(ws, a, alice, "late-token-0000000001", {"text": ["Pan left."]})


def test_late_submit_is_kept_when_the_item_is_still_free(studio_ws):
    ws = studio_ws
    q = add_queue(ws, QueueSpec("refine", "source:manifest", where=one_pair_where(ws), lease_minutes=1))["id"]
    alice = user(ws, "alice")
    t0 = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=5)
    a = lease_next(ws, q, alice, at=t0)
    assert expire_stale(ws, q) == 1
    result = submit(ws, a, alice, "late-token-0000000002", {"text": ["The camera pans left."]})
    assert result.outcome == "edited" and not result.duplicate


def test_skip_hands_the_item_on(studio_ws):
    ws = studio_ws
    q = add_queue(ws, QueueSpec("refine", "source:manifest", where=one_pair_where(ws)))["id"]
    alice, bob = user(ws, "alice"), user(ws, "bob")
    a = lease_next(ws, q, alice)
    assert skip(ws, a, alice)
    assert not skip(ws, a, bob)  # not Bob's to skip
    assert lease_next(ws, q, alice) is None  # not offered again to the one who skipped it
    assert lease_next(ws, q, bob) is not None


def test_racing_annotators_never_share_a_slot(studio_ws):
    ws = studio_ws
    with ws.session() as s:
        for n in range(8):
            add_person(s, f"racer{n}", password="racer-password")
    racers = [user(ws, f"racer{n}") for n in range(8)]
    q = add_queue(ws, QueueSpec("refine", "source:manifest", where={"category": ["structural"]}))["id"]  # 3 items
    results: dict[str, int | None] = {}
    barrier = threading.Barrier(len(racers))

    def grab(u):  # noqa: ANN001
        barrier.wait()
        results[u.name] = lease_next(ws, q, u)

    threads = [threading.Thread(target=grab, args=(u,)) for u in racers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    got = [a for a in results.values() if a is not None]
    assert len(got) == 3
    with ws.session() as s:
        tasks = [s.get(AnnotationAssignmentRecord, a).task_id for a in got]
    assert len(set(tasks)) == 3
