"""The first views of a new pair, arriving together, run the delta analysis once: one request
computes the hints, the others wait for its result."""

from __future__ import annotations

import threading
from concurrent.futures import Future

import pytest

import editcaption.delta as delta
from editcaption.annotate import media
from editcaption.workspace.queries import find_pair

VIEWERS = 6
WAIT_S = 60  # a safety net for a broken build only: the test never waits this long when it passes


class _Observed(Future):
    """A future that tells the test when a thread starts waiting on it."""

    waiting: threading.Semaphore

    def result(self, timeout=None):  # noqa: ANN001, ANN201
        type(self).waiting.release()
        return super().result(timeout)


@pytest.fixture
def gated_analysis(monkeypatch):  # noqa: ANN001
    """The real analysis, held at its start until the test lets it go; counts its runs."""
    real = delta.analyze_files
    state = {"runs": 0, "started": threading.Event(), "go": threading.Event(), "fail": False}
    lock = threading.Lock()

    def analyze_files(source, target):  # noqa: ANN001, ANN202
        with lock:
            state["runs"] += 1
        state["started"].set()
        assert state["go"].wait(WAIT_S)
        if state["fail"]:
            raise OSError("unreadable image")
        return real(source, target)

    monkeypatch.setattr(delta, "analyze_files", analyze_files)
    monkeypatch.setattr(media, "_REPORTS", media.SingleFlight(16))  # nothing analysed before this test
    monkeypatch.setattr(media, "_HINTS", media.SingleFlight(16))
    _Observed.waiting = threading.Semaphore(0)
    monkeypatch.setattr(media, "Future", _Observed)
    return state


def _views(ws, pair, instructions):  # noqa: ANN001, ANN202
    results: list[dict | None] = [None] * len(instructions)

    def view(i: int) -> None:
        results[i] = media.hints(ws, pair, instructions[i])

    threads = [threading.Thread(target=view, args=(i,)) for i in range(len(instructions))]
    for t in threads:
        t.start()
    return threads, results


def _release_when_all_wait(state, threads, waiters: int) -> None:  # noqa: ANN001
    assert state["started"].wait(WAIT_S)  # one view is analysing the pair...
    for _ in range(waiters):  # ...and every other one is waiting for its result
        assert _Observed.waiting.acquire(timeout=WAIT_S)
    state["go"].set()
    for t in threads:
        t.join(WAIT_S)
        assert not t.is_alive()


def test_concurrent_first_views_of_a_pair_run_the_analysis_once(studio_sqlite, gated_analysis):
    with studio_sqlite.session() as s:
        pair = find_pair(s, "chelsea_pan_left")
    threads, results = _views(studio_sqlite, pair, ["Pan the camera to the right."] * VIEWERS)
    _release_when_all_wait(gated_analysis, threads, VIEWERS - 1)
    assert gated_analysis["runs"] == 1
    assert results[0]["unavailable"] is None
    assert any(fact.startswith("Camera: the camera pans left") for fact in results[0]["facts"])
    assert [(f["type"], f["severity"]) for f in results[0]["flags"]] == [("viewpoint", "P0")]
    assert all(r == results[0] for r in results)
    assert len(list((studio_sqlite.root / "cache" / "annotate" / "hints").glob("*.json"))) == 1
    # later views are answered from memory: no further analysis
    assert media.hints(studio_sqlite, pair, "Pan the camera to the right.") == results[0]
    assert gated_analysis["runs"] == 1


def test_different_instructions_on_one_new_pair_share_one_analysis(studio_sqlite, gated_analysis):
    with studio_sqlite.session() as s:
        pair = find_pair(s, "chelsea_pan_left")
    instructions = [f"Pan the camera to the {side}. ({i})" for i in range(VIEWERS // 2) for side in ("left", "right")]
    threads, results = _views(studio_sqlite, pair, instructions)
    _release_when_all_wait(gated_analysis, threads, len(instructions) - 1)
    assert gated_analysis["runs"] == 1
    flagged = [bool(r["flags"]) for r in results]
    assert flagged == [side == "right" for _ in range(VIEWERS // 2) for side in ("left", "right")]
    assert len(list((studio_sqlite.root / "cache" / "annotate" / "hints").glob("*.json"))) == len(instructions)


def test_a_failed_analysis_reaches_every_waiter_and_is_not_kept(studio_sqlite, gated_analysis):
    with studio_sqlite.session() as s:
        pair = find_pair(s, "chelsea_pan_left")
    gated_analysis["fail"] = True
    threads, results = _views(studio_sqlite, pair, ["Pan left."] * VIEWERS)
    _release_when_all_wait(gated_analysis, threads, VIEWERS - 1)
    assert gated_analysis["runs"] == 1
    assert all(r == {"facts": [], "flags": [], "unavailable": "delta analysis failed: OSError: unreadable image"}
               for r in results)
    gated_analysis["fail"] = False  # the next view analyses again
    assert media.hints(studio_sqlite, pair, "Pan left.")["unavailable"] is None
    assert gated_analysis["runs"] == 2
