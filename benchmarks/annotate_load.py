"""Annotation studio under load: simulated annotators against the real server on 127.0.0.1.

    .venv/bin/python benchmarks/annotate_load.py [--mode closed|open|logins] [--annotators 50]
        [--seconds 30] [--every 5] [--pairs 4000] [--db URL] [--workers N] [--client lean|httpx]

Half the annotators work a refine queue (one annotator per item), half a judge queue
(two per item). ``closed`` (the default): each loops as fast as the server answers: fetch
its task page, then submit (the server saves it and leases the next item). ``open``: each
annotator submits on a schedule, one item every ``--every`` seconds (the think time
between fetching a page and submitting it fills the rest), so the offered load is fixed
(200 annotators every 5 s: 40 items/s) and latencies are not hidden by a slower pace.
``logins``: every annotator loads the login form, then all send their password at once;
the time until the last is in is reported. In the first two modes 5% of submissions are
sent twice with the same token, as a double click or a retry would. The peer, measured
side by side from the same clients on the same server, is the studio's stylesheet: the
cheapest request it answers (from memory, before any session or database work), so what
the page and the submission add over it is our code. At the end every acknowledged
submission is looked up in the database: the script reports lost and duplicated
submissions (both must be 0). The clients run in this process, on the same cores as the
server: the report gives the CPU time of both per item.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import httpx
from sqlalchemy import func, select

from editcaption.annotate.accounts import hash_password
from editcaption.annotate.queues import QueueSpec, add_queue
from editcaption.demo import samples_dir
from editcaption.ingest import ingest
from editcaption.workspace import InstructionRecord, PairRecord, RunRecord, Workspace
from editcaption.workspace.models import (
    AnnotationSubmissionRecord,
    AnnotatorRecord,
    JudgementRecord,
    RefinementRecord,
)

PASSWORD = "load-test-password"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


# -- the workspace ------------------------------------------------------------------------------


def build_workspace(root: Path, pairs: int, annotators: int, db: str | None = None) -> Workspace:
    """Sample images, ``pairs`` pairs pointing at them (distinct ids), a run, two queues, people."""
    ws = Workspace.init(root, db)
    ingest(ws, samples_dir() / "pairs" / "manifest.jsonl")
    with ws.session() as s:
        template = s.scalars(select(PairRecord).order_by(PairRecord.id)).first()
        s.add(RunRecord(id="load", kind="import", package_version="bench", status="done"))
        s.flush()
        ids = [hashlib.sha256(f"load-{n}".encode()).hexdigest()[:32] for n in range(pairs)]
        s.add_all(PairRecord(id=pid, name=f"load-{n:05d}", source_sha=template.source_sha,
                             target_sha=template.target_sha, origin={"dataset": "load"}) for n, pid in enumerate(ids))
        s.flush()
        s.add_all(InstructionRecord(pair_id=pid, run_id="load", text=f"Pan the camera to the left ({n}).",
                                    producer="bench") for n, pid in enumerate(ids))
        hashed = hash_password(PASSWORD)  # one real argon2id hash, verified at every login
        for n in range(annotators):
            s.add(AnnotatorRecord(name=f"ann{n:03d}", role="annotator", password_hash=hashed, active=True,
                                  session_epoch=0))
    where = {"origin": ["load"]}
    add_queue(ws, QueueSpec("refine", "load", where=where, name="load-refine"))
    add_queue(ws, QueueSpec("judge", "load", where=where, name="load-judge", overlap=2))
    return ws


def queue_ids(ws: Workspace) -> list[int]:
    from editcaption.annotate.queues import find_queue

    with ws.session() as s:
        return [find_queue(s, "load-refine").id, find_queue(s, "load-judge").id]


# -- the client -----------------------------------------------------------------------------------


@dataclass
class Reply:
    status_code: int
    headers: dict[str, str]
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode()


class LeanClient:
    """A minimal HTTP/1.1 keep-alive client over asyncio streams (what the benchmark needs: GET,
    form POST, one cookie jar, no redirects followed).

    The server is measured on the same two cores as the clients, so a client that costs a
    tenth of httpx's CPU per request (``--client httpx`` for comparison) leaves the server the
    CPU it would have on its own machine. Requests sent at once use separate connections.
    """

    def __init__(self, base_url: str, timeout: float = 120):
        host_port = base_url.split("://", 1)[1].rstrip("/")
        self.host, port = host_port.rsplit(":", 1)
        self.port, self.timeout = int(port), timeout
        self.cookies: dict[str, str] = {}
        self._idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def get(self, path: str) -> Reply:
        return await self.request("GET", path)

    async def post(self, path: str, data: dict) -> Reply:
        return await self.request("POST", path, urlencode(data, doseq=True).encode())

    async def request(self, method: str, path: str, body: bytes | None = None) -> Reply:
        head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        if self.cookies:
            head.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if body is not None:
            head += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
        data = ("\r\n".join(head) + "\r\n\r\n").encode() + (body or b"")
        while self._idle:  # a kept-alive connection the server has not closed meanwhile
            reader, writer = self._idle.pop()
            if reader.at_eof():
                writer.close()
                continue
            try:
                return await self._exchange(reader, writer, data)
            except (asyncio.IncompleteReadError, ConnectionError):
                # closed by the server as the request went out (its keep-alive timeout): nothing was
                # answered, so the request is sent again on a new connection, as httpx does
                writer.close()
        return await self._exchange(*await asyncio.open_connection(self.host, self.port), data)

    async def _exchange(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, data: bytes) -> Reply:
        writer.write(data)
        reply = await asyncio.wait_for(self._read(reader), self.timeout)
        if reply.headers.get("connection", "").lower() == "close":
            writer.close()
        else:
            self._idle.append((reader, writer))
        return reply

    async def _read(self, reader: asyncio.StreamReader) -> Reply:
        lines = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if not line:
                continue
            name, value = line.split(":", 1)
            name, value = name.lower(), value.strip()
            if name == "set-cookie":
                key, rest = value.split("=", 1)
                cookie_value = rest.split(";", 1)[0]
                if cookie_value in ("", "null") or "max-age=0" in rest.lower():
                    self.cookies.pop(key, None)
                else:
                    self.cookies[key] = cookie_value
            headers[name] = value
        if headers.get("transfer-encoding", "").lower() == "chunked":
            content = b""
            while size := int((await reader.readuntil(b"\r\n"))[:-2].split(b";")[0], 16):
                content += (await reader.readexactly(size + 2))[:-2]
            await reader.readuntil(b"\r\n")
        else:
            content = await reader.readexactly(int(headers.get("content-length", "0")))
        return Reply(status, headers, content)

    async def aclose(self) -> None:
        for _reader, writer in self._idle:
            writer.close()
        self._idle.clear()


def make_client(base_url: str, kind: str = "lean", timeout: float = 120) -> LeanClient | httpx.AsyncClient:
    if kind == "httpx":
        return httpx.AsyncClient(base_url=base_url, follow_redirects=False, timeout=timeout)
    return LeanClient(base_url, timeout)


# -- the simulated annotators ---------------------------------------------------------------------


@dataclass
class Stats:
    fetch: list[float] = field(default_factory=list)
    submit: list[float] = field(default_factory=list)
    peer: list[float] = field(default_factory=list)
    acknowledged: set[str] = field(default_factory=set)  # tokens answered with a redirect (saved)
    retries: int = 0
    errors: list[str] = field(default_factory=list)


async def _login(client: LeanClient | httpx.AsyncClient, name: str) -> str:
    token = CSRF_RE.search((await client.get("/login")).text).group(1)
    r = await client.post("/login", data={"username": name, "password": PASSWORD, "csrf_token": token, "next": "/"})
    if r.status_code != 303:
        raise RuntimeError(f"login of {name} failed: {r.status_code}")
    return CSRF_RE.search((await client.get("/")).text).group(1)


def _answer(kind: str, rng: random.Random) -> dict[str, str | list[str]]:
    if kind == "refine":
        return {"text": f"Pan the camera to the left by a little ({rng.random():.6f})."}
    return {"row": rng.choice([[], ["4"], ["5"], ["7"], ["5", "8"]])}


async def annotator(client: LeanClient | httpx.AsyncClient, csrf: str, queue_id: int, kind: str, deadline: float | None,
                    stats: Stats, retry_rate: float, seed: int, items: int | None = None,
                    every: float | None = None) -> None:
    """One annotator's loop until ``deadline`` (or until it has submitted ``items``): fetch the page,
    fetch the peer, submit (sometimes twice). With ``every``, the k-th submission is sent at
    ``start + offset + k * every`` (open loop; a late answer does not move the schedule)."""
    rng = random.Random(seed)
    start = time.perf_counter() + (rng.random() * every if every else 0.0)
    if every:
        await asyncio.sleep(start - time.perf_counter())  # annotators start spread over one period
    r = await client.post(f"/queues/{queue_id}/next", data={"csrf_token": csrf})
    location = r.headers.get("location", "/")
    done = 0
    while (location.startswith("/a/") and (deadline is None or time.perf_counter() < deadline)
           and (items is None or done < items)):
        done += 1
        t = time.perf_counter()
        page = await client.get(location)
        stats.fetch.append(time.perf_counter() - t)
        if page.status_code != 200:
            stats.errors.append(f"fetch {location}: {page.status_code}")
            break
        t = time.perf_counter()
        peer = await client.get("/static/studio.css")
        stats.peer.append(time.perf_counter() - t)
        if peer.status_code != 200:
            stats.errors.append(f"peer: {peer.status_code}")
        if every:  # think: the submission goes out at its scheduled time
            await asyncio.sleep(max(0.0, start + done * every - time.perf_counter()))
        token = uuid.uuid4().hex
        form = {"csrf_token": csrf, "submission_token": token, **_answer(kind, rng)}
        sends = 2 if rng.random() < retry_rate else 1
        t = time.perf_counter()
        answers = await asyncio.gather(*(client.post(f"{location}/submit", data=form) for _ in range(sends)))
        stats.submit.append(time.perf_counter() - t)
        stats.retries += sends - 1
        if all(a.status_code == 303 for a in answers) and len({a.headers["location"] for a in answers}) == 1:
            stats.acknowledged.add(token)
            location = answers[0].headers["location"]
        else:
            stats.errors.append(f"submit {location}: {[a.status_code for a in answers]}")
            break


async def simulate(base_url: str, queue_ids: list[int], annotators: int, seconds: float | None = None,
                   retry_rate: float = 0.05, on_start: Callable[[], None] | None = None,
                   items: int | None = None, every: float | None = None, client: str = "lean") -> Stats:
    """Log everyone in (argon2 checks are slow on purpose), then run all annotators for ``seconds``
    (the benchmark) or until each has submitted ``items`` (the test: the same work on any machine);
    ``on_start`` is called between the two."""
    if seconds is None and items is None:
        raise ValueError("give seconds or items")
    stats = Stats()
    kinds = ["refine", "judge"]
    clients = [make_client(base_url, client) for _ in range(annotators)]
    try:
        tokens = await asyncio.gather(*(_login(c, f"ann{n:03d}") for n, c in enumerate(clients)))
        if on_start:
            on_start()
        deadline = None if seconds is None else time.perf_counter() + seconds
        await asyncio.gather(*(
            annotator(c, tokens[n], queue_ids[n % 2], kinds[n % 2], deadline, stats, retry_rate, n, items, every)
            for n, c in enumerate(clients)
        ))
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))
    return stats


async def login_storm(base_url: str, annotators: int, client: str = "lean") -> tuple[list[float], float, list[int]]:
    """Every annotator loads the login form, then all log in at once: (latencies, seconds until the
    last is in, status codes)."""
    clients = [make_client(base_url, client, timeout=300) for _ in range(annotators)]
    try:
        tokens = [CSRF_RE.search((await c.get("/login")).text).group(1) for c in clients]
        latencies: list[float] = []

        async def one(n: int) -> int:
            t = time.perf_counter()
            r = await clients[n].post("/login", data={"username": f"ann{n:03d}", "password": PASSWORD,
                                                      "csrf_token": tokens[n], "next": "/"})
            latencies.append(time.perf_counter() - t)
            return r.status_code

        t0 = time.perf_counter()
        codes = await asyncio.gather(*(one(n) for n in range(annotators)))
        return latencies, time.perf_counter() - t0, list(codes)
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))


# -- checking -------------------------------------------------------------------------------------


def audit(ws: Workspace, stats: Stats) -> dict[str, int]:
    """Compare what clients were told was saved with what the database holds."""
    with ws.session() as s:
        tokens = set(s.scalars(select(AnnotationSubmissionRecord.token)))
        submissions = len(tokens)
        records = (s.scalar(select(func.count()).select_from(RefinementRecord))
                   + s.scalar(select(func.count()).select_from(JudgementRecord)))
        per_task = s.execute(select(AnnotationSubmissionRecord.task_id, func.count())
                             .group_by(AnnotationSubmissionRecord.task_id)).all()
        overfull = sum(1 for _task, n in per_task if n > 2)
    return {
        "acknowledged": len(stats.acknowledged),
        "saved": submissions,
        "records": records,
        "lost": len(stats.acknowledged - tokens),
        "duplicated": (records - submissions) + overfull + (submissions - len(tokens)),
        "unacknowledged_saved": len(tokens - stats.acknowledged),
    }


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


# -- the server -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(ws_root: Path, port: int, db: str | None, workers: int = 1) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "editcaption.cli", "annotate", "serve", "-w", str(ws_root), "--port", str(port),
           "--workers", str(workers)]
    if db:
        cmd += ["--db", db]
    env = {**os.environ, "EDITCAPTION_SECRET_KEY": "load-benchmark-key"}
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/login", timeout=2)
            return proc
        except httpx.TransportError:
            if proc.poll() is not None:
                raise RuntimeError(proc.stderr.read().decode()) from None
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("the studio did not start")


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system, all threads) a process and its worker processes have used so far (Linux /proc)."""
    total = 0.0
    for p in [pid, *_children(pid)]:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mode", choices=["closed", "open", "logins"], default="closed")
    ap.add_argument("--annotators", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--every", type=float, default=5.0, help="open loop: seconds between one annotator's submissions")
    ap.add_argument("--pairs", type=int, default=4000)
    ap.add_argument("--db", default=None, help="database URL (default: SQLite in a temporary workspace)")
    ap.add_argument("--workers", type=int, default=1, help="server processes")
    ap.add_argument("--client", choices=["lean", "httpx"], default="lean",
                    help="the simulated annotators' HTTP client (lean: a minimal keep-alive client, see LeanClient)")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="ec-annotate-load-") as tmp:
        t = time.perf_counter()
        ws = build_workspace(Path(tmp) / "ws", args.pairs, args.annotators, args.db)
        print(f"workspace: {args.pairs} pairs, 2 queues, {args.annotators} annotators on "
              f"{'PostgreSQL' if args.db else 'SQLite'} ({time.perf_counter() - t:.1f} s to build); "
              f"server: {args.workers} worker(s)")
        port = free_port()
        server = start_server(ws.root, port, args.db, args.workers)
        url = f"http://127.0.0.1:{port}"
        try:
            if args.mode == "logins":
                cpu = cpu_seconds(server.pid)
                latencies, total, codes = asyncio.run(login_storm(url, args.annotators, args.client))
                report_logins(args, latencies, total, codes, cpu_seconds(server.pid) - cpu)
                return
            cpu_at_start: list[float] = []
            client_cpu = time.process_time()
            stats = asyncio.run(simulate(url, queue_ids(ws), args.annotators, args.seconds,
                                         on_start=lambda: cpu_at_start.append(cpu_seconds(server.pid)),
                                         every=args.every if args.mode == "open" else None, client=args.client))
            server_cpu = cpu_seconds(server.pid) - cpu_at_start[0]  # after the logins
            client_cpu = time.process_time() - client_cpu  # this process: the clients, logins included
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=30)
        result = audit(ws, stats)
        ws.close()
    report(args, stats, server_cpu, client_cpu, result)


def report_logins(args: argparse.Namespace, latencies: list[float], total: float, codes: list[int],
                  server_cpu: float) -> None:
    print(f"\n{args.annotators} simultaneous logins (argon2id checks, bounded to the server's CPUs)\n")
    print(f"all done in {total:.2f} s; per login p50 {pct(latencies, .5):.0f} ms, p99 {pct(latencies, .99):.0f} ms; "
          f"server CPU {1000 * server_cpu / args.annotators:.1f} ms per login (form + check); "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print("status codes: " + ", ".join(f"{c}: {codes.count(c)}" for c in sorted(set(codes))))
    if set(codes) != {303}:
        sys.exit(1)


def report(args: argparse.Namespace, stats: Stats, server_cpu: float, client_cpu: float,
           result: dict[str, int]) -> None:
    pace = f"each submitting every {args.every:g} s" if args.mode == "open" else "closed loop"
    print(f"\n{args.annotators} concurrent annotators for {args.seconds:g} s, {pace} (logged in beforehand)\n")
    print(f"{'request':<34}{'n':>7}{'p50 ms':>10}{'p99 ms':>10}")
    for label, values in (("fetch task page (GET /a/ID)", stats.fetch),
                          ("submit + lease next (POST)", stats.submit),
                          ("peer: static file, same server", stats.peer)):
        print(f"{label:<34}{len(values):>7}{pct(values, 0.5):>10.1f}{pct(values, 0.99):>10.1f}")
    print(f"\nratio p50 fetch / peer: {pct(stats.fetch, .5) / pct(stats.peer, .5):.1f}×, "
          f"submit / peer: {pct(stats.submit, .5) / pct(stats.peer, .5):.1f}×")
    print(f"submissions/s: {len(stats.submit) / args.seconds:.1f}; simulated double sends (the same token sent "
          f"twice at once, as a double click would; 5% of submissions by design, not client retries): "
          f"{stats.retries}")
    print(f"server CPU: {server_cpu:.1f} s in all, {1000 * server_cpu / max(len(stats.submit), 1):.1f} ms per "
          f"annotated item (page + peer + submit + next lease); load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"client CPU ({args.client}, the same machine): {client_cpu:.1f} s, "
          f"{1000 * client_cpu / max(len(stats.submit), 1):.1f} ms per item (logins included)")
    print("counts: " + ", ".join(f"{k} {v}" for k, v in result.items()))
    if stats.errors:
        print(f"errors ({len(stats.errors)}): {stats.errors[:5]}")
    if result["lost"] or result["duplicated"] or stats.errors:
        sys.exit(1)


if __name__ == "__main__":
    main()
