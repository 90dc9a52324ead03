"""Helpers for the studio tests: a workspace with the bundled sample pairs and people,
a real uvicorn server on 127.0.0.1 in a thread, and logged-in HTTP clients."""

from __future__ import annotations

import re
import socket
import threading
from functools import cache
from pathlib import Path

import httpx
import uvicorn

from editcaption.annotate.accounts import hash_password
from editcaption.demo import samples_dir
from editcaption.ingest import ingest
from editcaption.workspace import InstructionRecord, RunRecord, Workspace
from editcaption.workspace.models import AnnotatorRecord
from editcaption.workspace.queries import list_pairs

PASSWORDS = {"admin": "admin-pass-1", "alice": "alice-pass-1", "bob": "bob-pass-11", "carol": "carol-pass-1"}
XSS = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">Turn the "cat" left & up'
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def make_studio_workspace(root: Path, db_url: str | None = None) -> Workspace:
    """Sample pairs (run ``source:manifest``), a run ``xss`` whose instruction is hostile markup, a run
    ``wrong`` whose instruction pans the wrong way, and four people."""
    ws = Workspace.init(root, db_url)
    ingest(ws, samples_dir() / "pairs" / "manifest.jsonl")
    with ws.session() as s:
        pair = list_pairs(s)[0]
        s.add(RunRecord(id="xss", kind="import", package_version="test", status="done"))
        s.flush()
        s.add(InstructionRecord(pair_id=pair.id, run_id="xss", text=XSS, producer="test"))
        # a run with a wrong direction, for the checker's flags
        s.add(RunRecord(id="wrong", kind="import", package_version="test", status="done"))
        s.flush()
        pan_left = next(p for p in list_pairs(s) if p.name == "chelsea_pan_left")
        s.add(InstructionRecord(pair_id=pan_left.id, run_id="wrong", text="Pan the camera to the right.",
                                producer="test"))
        for name in PASSWORDS:
            add_person(s, name, "admin" if name == "admin" else "annotator")
    return ws


@cache
def password_hash(password: str) -> str:
    """argon2id hashes cost about half a second here; each test password is hashed once per session."""
    return hash_password(password)


def add_person(s, name: str, role: str = "annotator", password: str | None = None) -> None:  # noqa: ANN001
    """An account as `annotate user add` makes it, with a cached real hash of its password."""
    s.add(AnnotatorRecord(name=name, role=role, password_hash=password_hash(password or PASSWORDS[name]),
                          active=True, session_epoch=0))


class ServerThread:
    """uvicorn serving ``app`` on a free 127.0.0.1 port until :meth:`stop`."""

    def __init__(self, app):  # noqa: ANN001 - an ASGI app
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False, proxy_headers=False)
        self.server = uvicorn.Server(config)
        self._settled = threading.Event()  # set once the server serves, or its thread has ended
        started = self.server.startup

        async def startup(*args, **kwargs) -> None:  # noqa: ANN002, ANN003
            await started(*args, **kwargs)
            self._settled.set()

        self.server.startup = startup
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        try:
            self.server.run(sockets=[self.sock])
        finally:
            self._settled.set()

    def start(self) -> ServerThread:
        self.thread.start()
        self._settled.wait(timeout=120)  # a safety net; the event ends the wait
        if not self.server.started:
            raise RuntimeError("studio server did not start")
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()


def csrf_of(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


def login(base_url: str, name: str) -> tuple[httpx.Client, str]:
    """A client logged in as ``name`` and its CSRF token."""
    client = httpx.Client(base_url=base_url, follow_redirects=False, timeout=30)
    token = csrf_of(client.get("/login").text)
    r = client.post("/login", data={"username": name, "password": PASSWORDS[name], "csrf_token": token, "next": "/"})
    assert r.status_code == 303, r.text
    return client, csrf_of(client.get("/").text)


def queue_id(ws: Workspace, name: str) -> int:
    from editcaption.annotate.queues import find_queue

    with ws.session() as s:
        return find_queue(s, name).id


def take(client: httpx.Client, csrf: str, qid: int) -> int | None:
    """Lease the next item of a queue over HTTP; its assignment id, or None when nothing is left."""
    r = client.post(f"/queues/{qid}/next", data={"csrf_token": csrf})
    assert r.status_code == 303, r.text
    loc = r.headers["location"]
    return int(loc.rsplit("/", 1)[1]) if loc.startswith("/a/") else None


def user(ws: Workspace, name: str):  # noqa: ANN201 - an accounts.User
    from sqlalchemy import select

    from editcaption.annotate.accounts import to_user

    with ws.session() as s:
        return to_user(s.scalar(select(AnnotatorRecord).where(AnnotatorRecord.name == name)))


def one_pair_where(ws: Workspace, name: str = "chelsea_pan_left") -> dict[str, list[str]]:
    """A --where that selects one sample pair by name."""
    from sqlalchemy import select

    from editcaption.workspace.models import PairRecord

    with ws.session() as s:
        return {"id": [s.scalar(select(PairRecord.id).where(PairRecord.name == name))]}
