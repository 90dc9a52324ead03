"""The admin dashboard's numbers: progress, throughput, agreement on overlapped items, exports."""

from __future__ import annotations

import json

import pytest
from studio_helpers import ServerThread, login, user

from editcaption.annotate import dashboard
from editcaption.annotate.app import create_app
from editcaption.annotate.leases import lease_next
from editcaption.annotate.queues import QueueSpec, add_queue, find_queue
from editcaption.annotate.submissions import load_context, submit

# Three judged items, two annotators each: alice P0/P1/correct, bob P0/P2/correct.
# p_o = 2/3; alice (P0, P1, correct), bob (P0, P2, correct) → p_e = (1·1 + 1·1)/9 = 2/9 → κ = 4/7.
ALICE = {"chelsea_pan_left": ["4"], "coffee_brighter": ["5"], "astronaut_mirror": []}
BOB = {"chelsea_pan_left": ["2-subject"], "coffee_brighter": ["7"], "astronaut_mirror": []}


def judge_all(ws, who: str, answers: dict[str, list[str]], token_prefix: str) -> None:  # noqa: ANN001
    person = user(ws, who)
    q = find_queue_id(ws)
    for n in range(len(answers)):
        aid = lease_next(ws, q, person)
        with ws.session() as s:
            name = load_context(s, aid, person)[1].pair.name
        submit(ws, aid, person, f"{token_prefix}-{n:020d}", {"row": answers[name]})


def find_queue_id(ws) -> int:  # noqa: ANN001
    with ws.session() as s:
        return find_queue(s, "agree").id


@pytest.fixture
def judged(studio_sqlite):  # noqa: ANN001
    ws = studio_sqlite
    add_queue(ws, QueueSpec("judge", "source:manifest", name="agree", overlap=2,
                            where={"name": list(ALICE)}))
    judge_all(ws, "alice", ALICE, "a")
    judge_all(ws, "bob", BOB, "b")
    return ws


def test_agreement_on_judge_levels(judged):
    with judged.session() as s:
        a = dashboard.agreement(s, find_queue(s, "agree"))["level"]
    assert a["items"] == 3 and a["unanimous"] == 2
    assert a["cohen"]["value"] == pytest.approx(4 / 7)
    assert a["cohen_pairs"][0]["raters"] == ["alice", "bob"]
    # Fleiss on the same 3×2 ratings: P̄ = 2/3; p = (P0 2/6, P1 1/6, P2 1/6, correct 2/6) → P̄_e = 10/36.
    assert a["fleiss"]["value"] == pytest.approx((2 / 3 - 10 / 36) / (1 - 10 / 36))


def test_progress_throughput_and_export(judged):
    with judged.session() as s:
        queue = find_queue(s, "agree")
        prog = {p["name"]: p for p in dashboard.progress(s)}["agree"]
        assert (prog["tasks"], prog["slots"], prog["submitted"], prog["complete_items"]) == (3, 6, 6, 3)
        assert prog["percent"] == 100.0
        rates = {t["annotator"]: t for t in dashboard.throughput(s)}
        assert rates["alice"]["total"] == 3 and rates["alice"]["last_hour"] == 3
        assert rates["bob"]["by_kind"] == {"judge": 3} and rates["bob"]["median_seconds"] is not None
        rows = list(dashboard.export_rows(s, queue))
    assert len(rows) == 6 and {r["annotator"] for r in rows} == {"alice", "bob"}
    assert {r["outcome"] for r in rows if r["annotator"] == "alice"} == {"P0", "P1", "correct"}
    assert all(r["record"]["kind"] == "judgement" for r in rows)


def test_dashboard_page_and_export_link(judged):
    server = ServerThread(create_app(judged)).start()
    try:
        admin, _ = login(server.url, "admin")
        html = admin.get("/admin").text
        assert f"{4 / 7:.3f}" in html  # Cohen's κ of the overlapped judge queue
        qid = find_queue_id(judged)
        lines = admin.get(f"/admin/queues/{qid}/export.jsonl").text.splitlines()
        assert len(lines) == 6 and json.loads(lines[0])["queue"] == "agree"
        assert "queue_create" in admin.get("/admin/audit.jsonl").text
    finally:
        server.stop()
