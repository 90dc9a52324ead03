"""The studio under attack: oversized bodies, password guessing, proxies, links in the store, Host headers.

Every test runs a real uvicorn server on 127.0.0.1 over a real SQLite workspace and talks
HTTP to it. Login throttling is configured with delays of an hour, so no outcome depends on
how fast this machine answers.
"""

from __future__ import annotations

import asyncio
import gc
import os
import select
import socket

import httpx
import pytest
from sqlalchemy import func
from sqlalchemy import select as sql_select
from studio_helpers import PASSWORDS, ServerThread, csrf_of, login, queue_id, take

from editcaption.annotate.app import StudioSettings, create_app
from editcaption.annotate.auth import THROTTLE, LoginLimiter
from editcaption.annotate.db import studio_db
from editcaption.annotate.queues import QueueSpec, add_queue
from editcaption.workspace.models import AnnotationEventRecord

GIB = 1 << 30
HOUR = 3600.0


def slow_limiter(**kw) -> LoginLimiter:  # noqa: ANN003
    """The default allowances, with delays long enough that no test ever sees one pass."""
    return LoginLimiter(base_delay_s=HOUR, max_delay_s=HOUR, **kw)


class BytesSeen:
    """ASGI wrapper counting the request-body bytes the server hands to the studio app."""

    def __init__(self, app):  # noqa: ANN001
        self.app, self.total = app, 0

    async def __call__(self, scope, receive, send):  # noqa: ANN001
        async def counted():  # noqa: ANN202
            message = await receive()
            self.total += len(message.get("body", b""))
            return message

        await self.app(scope, counted, send)


@pytest.fixture
def serve(studio_sqlite):  # noqa: ANN001
    """Start a studio server with the given settings: serve(settings) -> (ws, app, url)."""
    servers = []

    def start(settings: StudioSettings, wrap=None):  # noqa: ANN001, ANN202
        app = create_app(studio_sqlite, settings)
        server = ServerThread(wrap(app) if wrap else app).start()
        servers.append(server)
        return studio_sqlite, app, server.url

    yield start
    for server in servers:
        server.stop()


def resident_bytes() -> int:
    gc.collect()
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def raw_request(url: str, head: str) -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=60)  # a hang fails the test, never passes it
    sock.sendall(head.encode())
    return sock


def read_status(sock: socket.socket) -> int:
    data = b""
    while b"\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return int(data.split(b" ", 2)[1])


def test_a_declared_huge_body_is_refused_before_it_is_read(serve):
    _ws, _app, url = serve(StudioSettings(login_limiter=slow_limiter()))
    head = (f"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {GIB}\r\n\r\n")
    sock = raw_request(url, head)  # not one byte of the body is sent: the answer comes anyway
    assert read_status(sock) == 413
    sock.close()


def test_an_anonymous_streamed_gigabyte_costs_the_server_a_few_kilobytes(serve):
    counter: list[BytesSeen] = []

    def wrap(app):  # noqa: ANN001, ANN202
        counter.append(BytesSeen(app))
        return counter[0]

    _ws, _app, url = serve(StudioSettings(login_limiter=slow_limiter()), wrap)
    before = resident_bytes()
    sock = raw_request(url, "POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; "
                            "boundary=x\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk = b"%x\r\n%s\r\n" % (64 * 1024, b"A" * 64 * 1024)
    sent, status = 0, None
    try:
        while sent < GIB:
            readable, _, _ = select.select([sock], [], [], 0)  # the server answered: stop sending
            if readable:
                status = read_status(sock)
                break
            sock.sendall(chunk)
            sent += 64 * 1024
    except (BrokenPipeError, ConnectionResetError):
        status = "closed"
    sock.close()
    grown = resident_bytes() - before
    assert status in (413, "closed") and sent < GIB
    # the server stopped reading right past the anonymous limit: 16 kB, plus what one read of the
    # socket brought along (asyncio reads at most 256 kB at a time; uvicorn pauses past 64 kB buffered)
    assert counter[0].total <= 16 * 1024 + 2 * 256 * 1024
    assert grown < 5 * 1024 * 1024, grown


def test_a_logged_in_body_over_the_limit_is_refused_and_one_under_it_works(serve):
    _ws, _app, url = serve(StudioSettings(max_body_kb=64, login_limiter=slow_limiter()))
    client, csrf = login(url, "alice")
    cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    sock = raw_request(url, f"POST /logout HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\n"
                            f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {GIB}\r\n\r\n")
    assert read_status(sock) == 413
    sock.close()
    assert client.get("/").status_code == 200  # still logged in: nothing happened
    r = client.post("/logout", data={"csrf_token": csrf, "pad": "x" * 30_000})
    assert r.status_code == 303


def events(ws, action: str) -> tuple[int, int]:  # noqa: ANN001
    """(rows, events counted in them) of one audit action."""
    with ws.session() as s:
        rows, total = s.execute(sql_select(func.count(), func.coalesce(func.sum(AnnotationEventRecord.count), 0))
                                .where(AnnotationEventRecord.action == action)).one()
    return rows, total


async def _guess(url: str, name: str, n: int, forwarded: list[str] | None = None) -> list[int]:
    """``n`` clients each load the login form, then all send a wrong password at once."""
    clients = [httpx.AsyncClient(base_url=url, timeout=120) for _ in range(n)]
    try:
        tokens = [csrf_of((await c.get("/login")).text) for c in clients]
        headers = [{"x-forwarded-for": forwarded[i]} if forwarded else {} for i in range(n)]
        answers = await asyncio.gather(*(
            c.post("/login", data={"username": name, "password": "wrong-password", "csrf_token": t}, headers=h)
            for c, t, h in zip(clients, tokens, headers, strict=False)))
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))
    return [a.status_code for a in answers]


def test_concurrent_guesses_are_counted_before_the_password_check(serve):
    ws, _app, url = serve(StudioSettings(login_limiter=slow_limiter()))
    codes = asyncio.run(_guess(url, "carol", 100))
    assert codes.count(401) == 5 and codes.count(429) == 95  # 5 passwords checked, not 44
    rows, failed = events(ws, "login_failed")
    assert failed == 5 and rows <= 2  # aggregated: one row per client, account and minute
    rows, throttled = events(ws, "login_throttled")
    assert throttled == 95 and rows <= 2


def _login_form(client: httpx.Client, name: str, password: str, **headers: str) -> httpx.Response:
    token = csrf_of(client.get("/login").text)
    return client.post("/login", data={"username": name, "password": password, "csrf_token": token},
                       headers=headers)


def test_the_owner_is_never_locked_out_by_someone_elses_guesses(serve):
    _ws, _app, url = serve(StudioSettings(login_limiter=slow_limiter(), forwarded_allow_ips=["127.0.0.1"]))
    owner, csrf = login(url, "alice")  # her browser now carries a device cookie
    assert owner.cookies.get("ec_device")
    owner.post("/logout", data={"csrf_token": csrf})
    # an attacker behind the same proxy address, then from 30 addresses: at most 5 + 20 checks
    attacker = httpx.Client(base_url=url)
    codes = [_login_form(attacker, "alice", f"guess-{n}").status_code for n in range(10)]
    assert codes.count(401) == 5 and codes.count(429) == 5
    spread = asyncio.run(_guess(url, "alice", 30, forwarded=[f"10.0.{n}.1" for n in range(30)]))
    assert spread.count(401) == 15 and spread.count(429) == 15  # the account's cap of 20 across clients
    # the owner's own browser logs in at once; a new browser of hers waits; Bob is untouched
    assert _login_form(owner, "alice", PASSWORDS["alice"]).status_code == 303
    assert _login_form(httpx.Client(base_url=url), "alice", PASSWORDS["alice"]).status_code == 429
    assert _login_form(httpx.Client(base_url=url), "bob", PASSWORDS["bob"]).status_code == 303
    # a device cookie of another account or a forged one counts for nothing
    forged = httpx.Client(base_url=url, cookies={"ec_device": owner.cookies.get("ec_device")[:-2] + "xx"})
    assert _login_form(forged, "alice", PASSWORDS["alice"]).status_code == 429


def test_forwarded_addresses_are_ignored_unless_the_proxy_is_trusted(serve):
    ws, _app, url = serve(StudioSettings(login_limiter=slow_limiter()))
    spread = asyncio.run(_guess(url, "carol", 10, forwarded=[f"10.1.{n}.1" for n in range(10)]))
    assert spread.count(401) == 5  # one client (127.0.0.1), whatever the header says
    with ws.session() as s:
        seen = {e.detail["address"] for e in s.scalars(sql_select(AnnotationEventRecord).where(
            AnnotationEventRecord.action.in_(["login_failed", "login_throttled"])))}
    assert seen == {"127.0.0.1"}


def test_limiter_rows_are_freed_after_their_window(studio_sqlite):
    db = studio_db(studio_sqlite)
    limiter = LoginLimiter(window_s=900, sweep_every_s=60)
    t0 = 1_000_000.0
    for n in range(50):
        keys = limiter.keys(f"user{n}", f"10.0.0.{n}", None, trusted=False)
        assert limiter.admit(db, keys, f"user{n}", lambda conn: None, now=t0).admitted
        with db.write() as conn:
            limiter.finish(conn, keys, succeeded=False)
    with db.read() as conn:
        assert conn.scalar(sql_select(func.count()).select_from(THROTTLE)) == 3 * 50
    keys = limiter.keys("late", "10.9.9.9", None, trusted=False)
    assert limiter.admit(db, keys, "late", lambda conn: None, now=t0 + 900 + 3600).admitted
    with db.read() as conn:
        assert conn.scalar(sql_select(func.count()).select_from(THROTTLE)) == 3  # only the new attempt's keys


def test_the_image_route_never_follows_a_link_out_of_the_store(serve, tmp_path):
    ws, _app, url = serve(StudioSettings(login_limiter=slow_limiter()))
    add_queue(ws, QueueSpec("refine", "source:manifest", name="links"))
    alice, csrf = login(url, "alice")
    aid = take(alice, csrf, queue_id(ws, "links"))
    assert alice.get(f"/a/{aid}/image/source").status_code == 200
    canary = tmp_path / "outside.jpg"
    canary.write_bytes(b"CANARY-" + b"9" * 64)
    for path in sorted((ws.root / "images").rglob("*.*")):  # every stored image becomes a link out
        path.unlink()
        path.symlink_to(canary)
    for which in ("source", "target"):
        r = alice.get(f"/a/{aid}/image/{which}")
        assert r.status_code == 404 and b"CANARY" not in r.content


def test_other_host_headers_are_refused_when_hosts_are_listed(serve):
    _ws, _app, url = serve(StudioSettings(login_limiter=slow_limiter(), allowed_hosts=["studio.example", "127.0.0.1"]))
    anon = httpx.Client(base_url=url)
    assert anon.get("/login", headers={"host": "evil.example"}).status_code == 400
    assert anon.get("/login", headers={"host": "studio.example"}).status_code == 200
    assert anon.get("/login").status_code == 200
