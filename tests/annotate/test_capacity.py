"""The studio for a team: few statements per item, a pool that matches the threads, password
checks off the event loop, and several server processes sharing one PostgreSQL database."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
from sqlalchemy import Insert, Select, Update, event, func, select
from studio_helpers import PASSWORDS, ServerThread, csrf_of, queue_id, user
from test_load import load_bench

from children import free_port, start_child
from editcaption.annotate.app import SETTINGS_ENV, StudioSettings, create_app
from editcaption.annotate.auth import LoginLimiter
from editcaption.annotate.leases import lease_next
from editcaption.annotate.queues import QueueSpec, add_queue
from editcaption.workspace.models import AnnotationEventRecord


class Statements:
    """Counts the SQL statements and transactions an engine runs (a listener on the real engine)."""

    def __init__(self, engine):  # noqa: ANN001
        self.engine, self.sql = engine, []
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn, _cursor, statement, *_args) -> None:  # noqa: ANN001, ANN002
        self.sql.append(statement.split()[0].upper())

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._seen)


def test_leasing_the_next_item_is_one_short_transaction(studio_ws):
    add_queue(studio_ws, QueueSpec("refine", "source:manifest", name="few"))
    qid, alice = queue_id(studio_ws, "few"), user(studio_ws, "alice")
    app = create_app(studio_ws)
    ws = app.state.ws
    seen = Statements(ws.engine)
    try:
        first = lease_next(ws, qid, alice)
        fresh = list(seen.sql)
        seen.sql.clear()
        assert lease_next(ws, qid, alice) == first  # the lease held is found by the first query
        again = list(seen.sql)
    finally:
        seen.close()
    writes = [s for s in fresh if s in ("INSERT", "UPDATE", "DELETE")]
    # the queue and the held lease, stale leases, candidates, the lease, the slot count, the audit event
    assert len([s for s in fresh if s not in ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE")]) <= 6, fresh
    assert len(writes) == 4 and fresh.count("SELECT") == 2, fresh
    assert len([s for s in again if s == "SELECT"]) == 1 and not [s for s in again if s in ("INSERT", "UPDATE")]


class Executed:
    """The statement objects an engine is asked to execute (a listener on the real engine)."""

    def __init__(self, engine):  # noqa: ANN001
        self.engine, self.statements = engine, []
        event.listen(engine, "before_execute", self._seen)

    def _seen(self, _conn, clause, *_args) -> None:  # noqa: ANN001, ANN002
        self.statements.append(clause)

    def close(self) -> None:
        event.remove(self.engine, "before_execute", self._seen)


def test_leasing_reuses_its_statements_with_new_values(studio_ws):
    """Every lease runs the same statement objects (built once, values bound per request); only
    the audit event's insert is made anew. Each annotator goes through a lease that runs out, the
    expiry and their own row leased again, then the held lease found again, on an overlapped queue."""
    import datetime as dt

    # one item: on PostgreSQL the first few candidates are shuffled, one makes the path fixed
    add_queue(studio_ws, QueueSpec("judge", "source:manifest", name="two", overlap=2, limit=1))
    qid = queue_id(studio_ws, "two")
    ws = create_app(studio_ws).state.ws
    past = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=1)

    def rounds(name: str) -> Executed:
        who, seen = user(studio_ws, name), Executed(ws.engine)
        try:
            first = lease_next(ws, qid, who, at=past)  # a new row, ran out long ago
            assert lease_next(ws, qid, who) == first  # expired, then the same row leased again
            assert lease_next(ws, qid, who) == first  # held
        finally:
            seen.close()
        return seen

    def lease_statements(seen: Executed) -> set[int]:
        return {id(c) for c in seen.statements  # (savepoints are the driver's, the audit insert is audit's)
                if isinstance(c, (Select, Update, Insert)) and not (isinstance(c, Insert)
                                                                   and c.table.name == "annotation_events")}

    alice = rounds("alice")
    bob = rounds("bob")  # (alice's statements are kept alive: their ids cannot be reused)
    assert len(bob.statements) == len(alice.statements)
    assert len(lease_statements(alice)) >= 6  # head, expiry, slot freed, candidates, own row again, slot taken
    assert lease_statements(bob) == lease_statements(alice)


def test_the_pool_holds_one_connection_per_thread_and_never_overflows(studio_sqlite):
    app = create_app(studio_sqlite, StudioSettings(threads=6))
    pool = app.state.ws.engine.pool
    assert pool.size() == 6 + 4 and pool._max_overflow == 0  # noqa: SLF001 - the setting under test


async def _storm(url: str, names: list[str]) -> list[int]:
    clients = [httpx.AsyncClient(base_url=url, timeout=300) for _ in names]
    try:
        tokens = [csrf_of((await c.get("/login")).text) for c in clients]
        answers = await asyncio.gather(*(
            c.post("/login", data={"username": n, "password": PASSWORDS[n.split("-")[0]], "csrf_token": t})
            for c, n, t in zip(clients, names, tokens, strict=False)))
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))
    return [a.status_code for a in answers]


def test_a_login_storm_lets_everyone_in(studio_sqlite):
    from studio_helpers import add_person

    names = [f"alice-{n}" for n in range(120)]  # more than the per-client failure allowance: one NAT, one team
    with studio_sqlite.session() as s:
        for name in names:
            add_person(s, name, password=PASSWORDS["alice"])
    server = ServerThread(create_app(studio_sqlite, StudioSettings(hash_slots=2))).start()
    try:
        codes = asyncio.run(_storm(server.url, names))
    finally:
        server.stop()
    assert codes == [303] * len(names)
    with studio_sqlite.session() as s:
        assert s.scalar(select(func.count()).where(AnnotationEventRecord.action == "login")) == len(names)


def _start_workers(ws, settings: StudioSettings, workers: int, log: Path) -> tuple[subprocess.Popen, str]:  # noqa: ANN001
    """``workers`` uvicorn processes running the studio as `annotate serve --workers N` does."""
    port = free_port()
    env = {**os.environ, "EDITCAPTION_SECRET_KEY": "capacity-test-key",
           SETTINGS_ENV: json.dumps({"workspace": str(ws.root), "db": ws.db_url, "settings": settings.to_json()})}
    # Each worker logs "Application startup complete." once it serves the shared socket: wait for all.
    child = start_child([sys.executable, "-m", "uvicorn", "editcaption.annotate.app:app_from_env", "--factory",
                         "--workers", str(workers), "--host", "127.0.0.1", "--port", str(port), "--no-proxy-headers",
                         "--no-access-log", "--log-level", "info"], log, env=env)
    try:
        child.wait_for("Application startup complete", count=workers)
    except RuntimeError:
        child.proc.kill()
        raise
    return child.proc, f"http://127.0.0.1:{port}"


def test_two_workers_share_the_login_limit_and_the_leases(tmp_path, db_url):
    """On both backends (on SQLite the processes take turns on the writer lock file)."""
    bench = load_bench()
    ws = bench.build_workspace(tmp_path / "ws", pairs=80, annotators=12, db=db_url)
    with ws.session() as s:
        from studio_helpers import add_person
        add_person(s, "carol")
    limiter = LoginLimiter(base_delay_s=3600, max_delay_s=3600)  # no delay passes during the test
    proc, url = _start_workers(ws, StudioSettings(login_limiter=limiter, threads=4), workers=2,
                                log=tmp_path / "uvicorn.log")
    try:
        guesses = asyncio.run(_guess_many(url, "carol", 30))
        stats = asyncio.run(bench.simulate(url, bench.queue_ids(ws), annotators=12, items=4, retry_rate=0.3))
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    assert guesses.count(401) == 5 and guesses.count(429) == 25  # one count for both processes
    result = bench.audit(ws, stats)
    ws.close()
    assert stats.errors == [] and result["acknowledged"] == 12 * 4
    assert result["lost"] == 0 and result["duplicated"] == 0 and result["saved"] == result["records"]


async def _guess_many(url: str, name: str, n: int) -> list[int]:
    clients = [httpx.AsyncClient(base_url=url, timeout=300) for _ in range(n)]
    try:
        tokens = [csrf_of((await c.get("/login")).text) for c in clients]
        answers = await asyncio.gather(*(
            c.post("/login", data={"username": name, "password": "wrong-password", "csrf_token": t})
            for c, t in zip(clients, tokens, strict=False)))
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))
    return [a.status_code for a in answers]


def test_orm_and_core_writers_of_one_process_take_turns_on_sqlite(studio_sqlite):
    """ORM sessions and StudioDB transactions write at the same moment: all succeed, none is left holding the lock."""
    import threading

    from editcaption.annotate.audit import add_events, event_row, log_event
    from editcaption.annotate.db import _write_lock

    app = create_app(studio_sqlite, StudioSettings(threads=8))
    ws, db = app.state.ws, app.state.db
    start = threading.Barrier(16)
    failures: list[BaseException] = []

    def orm_writer(n: int) -> None:
        start.wait()
        try:
            with ws.session() as s:
                log_event(s, f"orm{n}", "capacity_test")
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    def core_writer(n: int) -> None:
        start.wait()
        try:
            with db.write() as conn:
                add_events(conn, [event_row(f"core{n}", "capacity_test")])
        except BaseException as exc:  # noqa: BLE001
            failures.append(exc)

    threads = [threading.Thread(target=orm_writer if n % 2 else core_writer, args=(n,)) for n in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    with ws.session() as s:
        assert s.scalar(select(func.count()).where(AnnotationEventRecord.action == "capacity_test")) == 16
    assert not _write_lock(str(ws.engine.url)).locked()


def test_server_processes_take_turns_on_the_writer_lock_file(studio_sqlite):
    """While one process holds the SQLite writer lock, another cannot take it; once given back, it can."""
    import multiprocessing

    from editcaption.annotate.db import _write_lock

    lock = _write_lock(str(studio_sqlite.engine.url))
    path = Path(str(studio_sqlite.engine.url.database) + "-writer.lock")
    ctx = multiprocessing.get_context("spawn")
    with lock:
        assert path.exists()
        with ctx.Pool(1) as pool:
            assert pool.apply(_try_flock, (str(path),)) is False
    with ctx.Pool(1) as pool:
        assert pool.apply(_try_flock, (str(path),)) is True


def _try_flock(path: str) -> bool:
    import fcntl

    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True


def _page_and_submit_statements(ws_in, kind_queue: tuple[str, str], answer: dict[str, str]):  # noqa: ANN001
    """SQL statements (first words) of one task page, one submission with its next lease, and a resend."""
    from studio_helpers import login, take

    add_queue(ws_in, QueueSpec(kind_queue[0], "source:manifest", name=kind_queue[1]))
    app = create_app(ws_in)
    server = ServerThread(app).start()
    seen = Statements(app.state.ws.engine)
    try:
        client, csrf = login(server.url, "alice")
        aid = take(client, csrf, queue_id(ws_in, kind_queue[1]))
        seen.sql.clear()
        page = client.get(f"/a/{aid}")
        assert page.status_code == 200 and 'id="task-form"' in page.text
        fetch = list(seen.sql)
        seen.sql.clear()
        form = {"csrf_token": csrf, "submission_token": "capacity-token-0001", **answer}
        first = client.post(f"/a/{aid}/submit", data=form)
        submit = list(seen.sql)
        seen.sql.clear()
        again = client.post(f"/a/{aid}/submit", data=form)  # a double click: answered as the first one
        resend = list(seen.sql)
        client.close()
    finally:
        seen.close()
        server.stop()
    assert first.status_code == 303 and first.headers["location"].startswith("/a/")
    assert again.status_code == 303 and again.headers["location"] == first.headers["location"]
    return aid, fetch, submit, resend


def _statements(sql: list[str]) -> list[str]:
    return [s for s in sql if s not in ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE")]


def test_a_task_page_is_one_query(studio_ws):
    _aid, fetch, _submit, _resend = _page_and_submit_statements(studio_ws, ("refine", "page"), {"text": "Pan left."})
    # the item with the account (the session check), its draft and the counts in one SELECT; nothing written
    assert fetch == ["SELECT"], fetch


def test_a_submission_and_the_next_lease_are_one_short_transaction(studio_ws):
    from editcaption.workspace.models import AnnotationSubmissionRecord, RefinementRecord

    aid, _fetch, submit, resend = _page_and_submit_statements(studio_ws, ("refine", "subm"), {"text": "Pan left."})
    writes = [s for s in submit if s in ("INSERT", "UPDATE", "DELETE")]
    # before the transaction, the item with the account and any answer with this token in one query;
    # in it, the record, the submission, the assignment closed; then the next lease (the queue's
    # settings came with the item): stale leases, candidates, lease, slot count; and one insert of
    # both audit events
    assert submit.count("BEGIN") <= 1, submit
    assert "BEGIN" not in submit or submit.index("SELECT") < submit.index("BEGIN"), submit
    assert len(_statements(submit)) <= 9 and submit.count("SELECT") == 2, submit
    assert writes == ["INSERT", "INSERT", "UPDATE", "UPDATE", "INSERT", "UPDATE", "INSERT"], submit
    # a resend with the same token writes nothing: the saved answer and the lease already held are found
    assert not [s for s in resend if s in ("INSERT", "UPDATE", "DELETE")], resend
    assert len(_statements(resend)) <= 2, resend
    with studio_ws.session() as s:
        sub = s.scalar(select(AnnotationSubmissionRecord).where(AnnotationSubmissionRecord.assignment_id == aid))
        rec = s.get(RefinementRecord, sub.record_id)
        assert (sub.token, sub.outcome, sub.record_kind, rec.text) == ("capacity-token-0001", "edited",
                                                                       "refinement", "Pan left.")
        events = s.scalars(select(AnnotationEventRecord).where(AnnotationEventRecord.action == "submit")).all()
        assert [e.detail for e in events] == [{"assignment": aid, "submission": sub.id, "outcome": "edited",
                                               "record": ["refinement", rec.id]}]


def test_the_page_and_the_submission_check_the_session_in_their_query(studio_ws):
    """A cookie from before a logout opens no page and saves nothing, though no dependency read the account."""
    from studio_helpers import login, take

    from editcaption.workspace.models import AnnotationSubmissionRecord, AnnotatorRecord

    add_queue(studio_ws, QueueSpec("refine", "source:manifest", name="ended"))
    server = ServerThread(create_app(studio_ws)).start()
    try:
        client, csrf = login(server.url, "alice")
        aid = take(client, csrf, queue_id(studio_ws, "ended"))
        assert client.get(f"/a/{aid}").status_code == 200
        with studio_ws.session() as s:  # what logging out elsewhere does: every older cookie ends
            s.scalar(select(AnnotatorRecord).where(AnnotatorRecord.name == "alice")).session_epoch += 1
        html = {"accept": "text/html"}
        page = client.get(f"/a/{aid}", headers=html)
        sent = client.post(f"/a/{aid}/submit", data={"csrf_token": csrf, "submission_token": "ended-session-0001",
                                                      "text": "Pan left."})
        missing = client.get("/a/999999", headers=html)
        client.close()
    finally:
        server.stop()
    assert page.status_code == 303 and page.headers["location"].startswith("/login")
    assert sent.status_code == 303 and sent.headers["location"].startswith("/login")  # a form post: a page
    assert missing.status_code == 303 and missing.headers["location"].startswith("/login")
    with studio_ws.session() as s:
        assert s.scalar(select(func.count()).select_from(AnnotationSubmissionRecord)) == 0



def test_static_files_come_from_memory_with_an_etag(studio_ws):
    """The stylesheet is answered byte for byte, revalidated with a 304, and a name that is not a
    file of ours still goes to the mount (404)."""
    from editcaption.annotate.app import HERE

    server = ServerThread(create_app(studio_ws)).start()
    try:
        with httpx.Client(base_url=server.url) as client:
            first = client.get("/static/studio.css")
            again = client.get("/static/studio.css", headers={"if-none-match": first.headers["etag"]})
            missing = client.get("/static/nothing.css")
    finally:
        server.stop()
    assert first.status_code == 200 and first.content == (HERE / "static" / "studio.css").read_bytes()
    assert first.headers["content-type"].startswith("text/css") and "set-cookie" not in first.headers
    assert "content-security-policy" in first.headers  # inside the security headers
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == first.headers["etag"]
    assert missing.status_code == 404
