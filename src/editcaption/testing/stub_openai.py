"""A stub OpenAI-compatible chat server on 127.0.0.1 for tests and benchmarks.

It is a real HTTP server (Starlette on uvicorn) that records every request and answers
``POST /v1/chat/completions`` with scripted replies and faults: latency, 429 with
``Retry-After``, 5xx, malformed JSON, empty content, 401 and other client errors, and
requests *held* at a :class:`Gate` until the test releases it. Captioning, scoring, the LLM
judge and ground-truth drafting are all tested against it.

Held requests are how tests make timeouts and concurrency exact: a request held at a gate
never answers before the test says so, so a client's timeout on it always fires, however
slow the machine; a gate that opens once ``n`` requests wait at it proves that ``n`` were in
flight at once. Healthy replies answer at once, so tests never pair them with a short
client timeout.

Scripting, in order of precedence:

* ``stub.script(Reply..., Reply...)`` queues replies for the next requests, first in first out;
* otherwise the ``responder`` function maps each :class:`StubRequest` to a :class:`Reply`
  (or a plain string, meaning a 200 answer with that text);
* otherwise :func:`default_reply` answers with a deterministic text derived from the images.

In-process::

    with StubOpenAI(latency=0.05) as stub:
        stub.script(Reply.rate_limited(retry_after=0.1), Reply.ok("Pan the camera left."))
        client = ChatClient(stub.base_url)
        ...
        assert len(stub.requests) == 2

As a separate process (benchmarks, so the server does not share the client's GIL)::

    python -m editcaption.testing.stub_openai --latency 0.2     # prints {"base_url": ...}
    with spawn_stub(latency=0.2) as base_url: ...
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import dataclasses
import hashlib
import json
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np

# --------------------------------------------------------------------------- replies


@dataclass
class Reply:
    """One scripted answer. ``body`` (if set) is sent verbatim instead of a chat completion."""

    text: str | None = "OK."
    status: int = 200
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | str | dict[str, Any] | None = None
    usage: dict[str, int] | None = None
    reasoning: str | None = None
    finish_reason: str = "stop"
    gate: Gate | None = None  # set by Reply.held: wait there before answering

    @classmethod
    def ok(cls, text: str, **kw: Any) -> Reply:
        return cls(text=text, **kw)

    @classmethod
    def rate_limited(cls, retry_after: float | str | None = 1, **kw: Any) -> Reply:
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        return cls(status=429, headers=headers, body={"error": {"message": "Rate limit reached", "type": "rate_limit"}},
                   **kw)

    @classmethod
    def server_error(cls, status: int = 500, message: str = "internal error", **kw: Any) -> Reply:
        return cls(status=status, body={"error": {"message": message, "type": "server_error"}}, **kw)

    @classmethod
    def unauthorized(cls, **kw: Any) -> Reply:
        return cls(status=401, body={"error": {"message": "Incorrect API key provided", "type": "invalid_request_error"}},
                   **kw)

    @classmethod
    def bad_request(cls, message: str = "At most 1 image(s) may be provided in one request.", status: int = 400,
                    **kw: Any) -> Reply:
        return cls(status=status, body={"error": {"message": message, "type": "BadRequestError"}}, **kw)

    @classmethod
    def malformed(cls, **kw: Any) -> Reply:
        return cls(body=b'{"id": "chatcmpl-x", "choices": [{"message": {"content": "trunc', **kw)

    @classmethod
    def empty(cls, **kw: Any) -> Reply:
        return cls(text="", **kw)

    @classmethod
    def hang(cls, seconds: float = 30.0, **kw: Any) -> Reply:
        """Answer only after ``seconds`` (benchmarks; a test that needs a timeout holds the request instead)."""
        return cls(delay=seconds, **kw)

    @classmethod
    def held(cls, gate: Gate, then: Reply | None = None) -> Reply:
        """Wait at ``gate`` until it opens, then answer as ``then`` (default: a plain OK)."""
        reply = dataclasses.replace(then) if then is not None else cls()
        reply.gate = gate
        return reply


class Gate:
    """Requests held by the stub until the test calls :meth:`release` (or until ``open_at`` of them wait).

    ``Gate()`` holds every request that reaches it until ``release()``: to a client, a request
    that never answers. ``Gate(open_at=n)`` opens by itself when ``n`` requests wait at it at
    the same time (a barrier). The stub also releases every gate when it stops, so a held
    request never delays shutdown.
    """

    def __init__(self, open_at: int | None = None):
        self.open_at = open_at
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._open = False
        self._waiting: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = []
        self.arrived = 0  # requests that reached the gate

    @property
    def is_open(self) -> bool:
        with self._lock:
            return self._open

    @property
    def waiting(self) -> int:
        """Requests held at the gate now."""
        with self._lock:
            return len(self._waiting)

    def wait_until_held(self, n: int, timeout: float = 60.0) -> bool:
        """Block the test until ``n`` requests wait at the gate (False if ``timeout`` passes first)."""
        with self._changed:
            return self._changed.wait_for(lambda: len(self._waiting) >= n or self._open, timeout)

    def release(self) -> None:
        """Open the gate: every held request answers, and later ones pass without waiting."""
        with self._changed:
            self._open = True
            waiting, self._waiting = self._waiting, []
            self._changed.notify_all()
        for loop, fut in waiting:
            try:
                loop.call_soon_threadsafe(_wake, fut)
            except RuntimeError:  # the server's loop already closed
                pass

    async def wait(self) -> None:
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[None] = loop.create_future()
        with self._changed:
            self.arrived += 1
            if self._open:
                return
            self._waiting.append((loop, fut))
            self._changed.notify_all()
            opens = self.open_at is not None and len(self._waiting) >= self.open_at
        if opens:
            self.release()
        await fut


# -------------------------------------------------------------------------- requests


@dataclass
class StubRequest:
    """A request as the server received it."""

    index: int
    method: str
    path: str
    headers: dict[str, str]
    raw: bytes
    json: Any
    received_at: float
    reply: Reply | None = None

    @property
    def model(self) -> str | None:
        return self.json.get("model") if isinstance(self.json, dict) else None

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.json.get("messages") or []) if isinstance(self.json, dict) else []

    @property
    def content_parts(self) -> list[dict[str, Any]]:
        """Every content part of every message, in order (string contents become text parts)."""
        parts: list[dict[str, Any]] = []
        for msg in self.messages:
            content = msg.get("content")
            if isinstance(content, str):
                parts.append({"type": "text", "text": content})
            elif isinstance(content, list):
                parts.extend(p for p in content if isinstance(p, dict))
        return parts

    @property
    def texts(self) -> list[str]:
        return [p.get("text", "") for p in self.content_parts if p.get("type") == "text"]

    @property
    def image_urls(self) -> list[str]:
        return [p["image_url"]["url"] for p in self.content_parts if p.get("type") == "image_url"]

    def images(self) -> list[np.ndarray]:
        """The images sent as ``data:`` URLs, decoded to RGB arrays (in request order)."""
        from ..imageio import decode_bytes

        out = []
        for i, url in enumerate(self.image_urls):
            if not url.startswith("data:"):
                raise ValueError(f"image {i} is not a data URL: {url[:40]}")
            out.append(decode_bytes(base64.b64decode(url.split(",", 1)[1]), f"image {i}").rgb)
        return out


Responder = Callable[[StubRequest], "Reply | str"]


def _wake(fut: asyncio.Future[None]) -> None:
    if not fut.done():
        fut.set_result(None)


def default_reply(req: StubRequest) -> Reply:
    """A deterministic answer naming a digest of the images, so equal requests get equal text."""
    digest = hashlib.sha256("".join(req.image_urls).encode()).hexdigest()[:12]
    return Reply.ok(f"Apply edit {digest} to the {len(req.image_urls)}-image request.")


def _usage(req: StubRequest, text: str) -> dict[str, int]:
    # A reproducible stand-in for a tokenizer: words of text plus a flat cost per image.
    prompt = sum(len(t.split()) for t in req.texts) + 256 * len(req.image_urls)
    completion = len(text.split())
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def _completion(req: StubRequest, reply: Reply) -> dict[str, Any]:
    text = reply.text or ""
    message: dict[str, Any] = {"role": "assistant", "content": reply.text}
    if reply.reasoning is not None:
        message["reasoning_content"] = reply.reasoning
    return {
        "id": f"chatcmpl-stub-{req.index}",
        "object": "chat.completion",
        "created": int(req.received_at),
        "model": req.model or "stub-model",
        "choices": [{"index": 0, "message": message, "finish_reason": reply.finish_reason}],
        "usage": reply.usage if reply.usage is not None else _usage(req, text),
    }


# ---------------------------------------------------------------------------- server


class StubOpenAI:
    """The stub server, run on a thread of the current process."""

    def __init__(self, responder: Responder | None = None, *, latency: float = 0.0, host: str = "127.0.0.1",
                 port: int = 0, record: bool = True, models: tuple[str, ...] = ("stub-model",)):
        self.responder = responder
        self.latency = latency
        self.host = host
        self.port = port
        self.record = record
        self.models = models
        self._queue: deque[Reply] = deque()
        self._requests: list[StubRequest] = []
        self._count = 0
        self._in_flight = 0
        self.max_in_flight = 0  # the most requests the server was answering at once
        self._lock = threading.Lock()
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._sleepers: set[asyncio.Future[None]] = set()  # replies being delayed (server loop only)
        self._gates: set[Gate] = set()  # gates requests have waited at, released when the server stops
        self._loop: asyncio.AbstractEventLoop | None = None

    # -- scripting -------------------------------------------------------------------
    def script(self, *replies: Reply | str) -> StubOpenAI:
        with self._lock:
            self._queue.extend(Reply.ok(r) if isinstance(r, str) else r for r in replies)
        return self

    @property
    def requests(self) -> list[StubRequest]:
        with self._lock:
            return list(self._requests)

    @property
    def count(self) -> int:
        with self._lock:
            return self._count

    def clear(self) -> None:
        with self._lock:
            self._requests.clear()
            self._queue.clear()
            self._count = 0
            self.max_in_flight = 0

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    def _next_reply(self, req: StubRequest) -> Reply:
        with self._lock:
            if self._queue:
                return self._queue.popleft()
        if self.responder is not None:
            r = self.responder(req)
            return Reply.ok(r) if isinstance(r, str) else r
        return default_reply(req)

    async def _pause(self, seconds: float) -> None:
        """Sleep, but wake at once when the server stops (so hung replies do not delay shutdown).

        A bare future with a timer: cheaper than a task per request (the benchmark runs
        hundreds of these a second).
        """
        loop = asyncio.get_running_loop()
        self._loop = loop
        fut: asyncio.Future[None] = loop.create_future()
        timer = loop.call_later(seconds, _wake, fut)
        self._sleepers.add(fut)
        try:
            await fut
        finally:
            timer.cancel()
            self._sleepers.discard(fut)

    def _wake_all(self) -> None:
        for fut in list(self._sleepers):
            _wake(fut)

    # -- app -------------------------------------------------------------------------
    def _app(self) -> Any:
        # Plain Starlette (what FastAPI is built on): no dependency injection needed here.
        from starlette.applications import Starlette
        from starlette.responses import JSONResponse, Response
        from starlette.routing import Route

        async def chat(request: Any) -> Response:
            raw = await request.body()
            try:
                body = json.loads(raw)
            except (json.JSONDecodeError, UnicodeDecodeError):
                body = None
            with self._lock:
                index = self._count
                self._count += 1
            req = StubRequest(index=index, method=request.method, path=request.url.path,
                              headers={k.lower(): v for k, v in request.headers.items()}, raw=raw, json=body,
                              received_at=time.time())
            if self.record:
                with self._lock:
                    self._requests.append(req)
            if body is None:
                return JSONResponse({"error": {"message": "request body is not JSON"}}, status_code=400)
            reply = self._next_reply(req)
            req.reply = reply
            with self._lock:
                self._in_flight += 1
                self.max_in_flight = max(self.max_in_flight, self._in_flight)
            try:
                wait = self.latency + reply.delay
                if wait > 0:
                    await self._pause(wait)
                if reply.gate is not None:
                    with self._lock:
                        self._gates.add(reply.gate)
                    await reply.gate.wait()
            finally:
                with self._lock:
                    self._in_flight -= 1
            if reply.body is not None:
                content = reply.body
                if isinstance(content, dict):
                    return JSONResponse(content, status_code=reply.status, headers=reply.headers)
                data = content.encode() if isinstance(content, str) else content
                return Response(data, status_code=reply.status, headers=reply.headers, media_type="application/json")
            if reply.status != 200:
                return JSONResponse({"error": {"message": f"scripted status {reply.status}"}},
                                    status_code=reply.status, headers=reply.headers)
            return JSONResponse(_completion(req, reply), headers=reply.headers)

        async def models(_request: Any) -> Response:
            return JSONResponse({"object": "list",
                                 "data": [{"id": m, "object": "model", "owned_by": "stub"} for m in self.models]})

        async def stats(_request: Any) -> Response:
            return JSONResponse({"requests": self.count})

        return Starlette(routes=[
            Route("/v1/chat/completions", chat, methods=["POST"]),
            Route("/chat/completions", chat, methods=["POST"]),
            Route("/v1/models", models, methods=["GET"]),
            Route("/stub/stats", stats, methods=["GET"]),
        ])

    # -- lifecycle -------------------------------------------------------------------
    def start(self) -> StubOpenAI:
        import uvicorn

        self._sleepers, self._loop = set(), None
        # proto=IPPROTO_TCP matters: asyncio sets TCP_NODELAY only on sockets whose proto says
        # TCP, and accepted sockets inherit it. Without it, every response (headers and body
        # written separately) waits ~40 ms for a delayed ACK (Nagle).
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(self._app(), log_level="warning", access_log=False, lifespan="off",
                                timeout_graceful_shutdown=1, backlog=2048, timeout_keep_alive=30)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True,
                                        name=f"stub-openai-{self.port}")
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the stub OpenAI server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        with self._lock:
            gates, self._gates = list(self._gates), set()
        for gate in gates:
            gate.release()
        if self._loop is not None:
            try:
                self._loop.call_soon_threadsafe(self._wake_all)
            except RuntimeError:  # the loop already closed
                pass
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> StubOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


# ------------------------------------------------------------------ separate process


@contextmanager
def spawn_stub(latency: float = 0.0, text: str | None = None, record: bool = False) -> Iterator[str]:
    """Run the stub in a child process; yields its base URL and stops it afterwards."""
    cmd = [sys.executable, "-m", "editcaption.testing.stub_openai", "--latency", str(latency)]
    if text is not None:
        cmd += ["--text", text]
    if record:
        cmd.append("--record")
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        if not line:
            raise RuntimeError("the stub OpenAI process exited before it was ready")
        yield json.loads(line)["base_url"]
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Stub OpenAI-compatible chat server on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every answer")
    parser.add_argument("--text", default=None, help="answer every request with this text")
    parser.add_argument("--record", action="store_true", help="keep every request in memory")
    args = parser.parse_args(argv)
    responder = (lambda _req: args.text) if args.text is not None else None
    stub = StubOpenAI(responder, latency=args.latency, port=args.port, record=args.record).start()
    print(json.dumps({"base_url": stub.base_url}), flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    while not stop.wait(0.5):
        pass
    stub.stop()


if __name__ == "__main__":
    main()
