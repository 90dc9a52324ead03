"""The studio's FastAPI application: ``create_app(workspace)``.

Server-rendered Jinja2 pages with a little dependency-free JavaScript. Security defaults:
every route needs a session (app-wide dependency, see :mod:`.auth`), every POST a CSRF
token, templates escape everything, and a strict Content-Security-Policy allows only
our own scripts and styles (no inline script can run even if text slipped through).
Request bodies are limited while they are read (:class:`BodyLimit`), other ``Host:``
headers can be refused (``allowed_hosts``) and a proxy's client address is trusted only
from the addresses named in ``forwarded_allow_ips``.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
from dataclasses import dataclass, field, fields
from pathlib import Path

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.middleware.sessions import SessionMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..workspace import Workspace
from .accounts import User
from .auth import LoginLimiter, require_csrf, require_session, secret_key
from .db import studio_db, studio_workspace
from .media import NotServable

HERE = Path(__file__).parent
SESSION_COOKIE = "ec_session"
SETTINGS_ENV = "EDITCAPTION_STUDIO"  # how `serve --workers N` hands the settings to each worker process
LIMITER_FIELDS = ("per_pair", "per_client", "per_client_inflight", "per_account", "base_delay_s", "max_delay_s",
                  "window_s")

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")


@dataclass
class StudioSettings:
    secure_cookies: bool = False  # set when the studio is served over HTTPS (e.g. behind a proxy)
    session_hours: float = 12.0
    login_limiter: LoginLimiter | None = None
    # Threads that run requests (and database connections kept open: one per thread, plus a few
    # for the event loop's own short reads). 2 cores do not gain from more: the work is CPU-bound.
    threads: int = 16
    hash_slots: int = 0  # password checks at once (argon2: ~20 ms and 19 MiB each); 0: one per CPU
    max_body_kb: int = 1024  # request bodies of logged-in people (forms are a few kB)
    anonymous_body_kb: int = 16  # request bodies without a session (the login form)
    allowed_hosts: list[str] = field(default_factory=list)  # empty: any Host header
    forwarded_allow_ips: list[str] = field(default_factory=list)  # proxies whose X-Forwarded-For is trusted

    def to_json(self) -> str:
        """The settings for a worker process (the limiter as its parameters: its state is in the database)."""
        out = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "login_limiter"}
        if self.login_limiter is not None:
            out["login_limiter"] = {k: getattr(self.login_limiter, k) for k in LIMITER_FIELDS}
        return json.dumps(out)

    @classmethod
    def from_json(cls, text: str) -> StudioSettings:
        values = json.loads(text)
        limiter = values.pop("login_limiter", None)
        return cls(**values, login_limiter=LoginLimiter(**limiter) if limiter else None)


class SecurityHeaders:
    """Adds CSP and related headers to every response (pure ASGI: no per-request task overhead)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                extra = [(b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
                         (b"x-frame-options", b"DENY"), (b"referrer-policy", b"same-origin")]
                if b"cache-control" not in names:
                    extra.append((b"cache-control", b"no-store"))
                message["headers"] = headers + [h for h in extra if h[0] not in names]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int):
        super().__init__(status_code=413, detail=f"request body over {limit // 1024} kB")


class BodyLimit:
    """Refuses request bodies over a limit while they are read, so no more than the limit is ever held.

    A declared ``Content-Length`` over the limit is answered 413 before a byte of the body is
    read; a chunked body is counted as it arrives and the request fails with 413 as soon as
    it passes the limit (the rest is never read: the server closes the connection). Requests
    without a session (only the login form is open to them) get a much smaller limit. Must sit
    inside ``SessionMiddleware`` (it reads ``scope["session"]``).
    """

    def __init__(self, app: ASGIApp, limit: int, anonymous_limit: int):
        self.app, self.limit, self.anonymous_limit = app, limit, anonymous_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit if scope.get("session", {}).get("uid") is not None else self.anonymous_limit
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            from .errors import too_large

            await too_large(scope, limit)(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, counted, send)


class StaticAssets:
    """The studio's own stylesheet and scripts, answered from memory before the session is read.

    Every task page loads them; served by ``StaticFiles`` they cost three worker-thread hops
    each (open, read, close) and a session cookie signed again, more than a whole task page's
    query. The files are read once when the app starts; a name that is not one of them goes on
    to the ``/static`` mount as before (404 for anything else). An ``ETag`` lets a browser
    revalidate for a 304 once its cached copy is an hour old.
    """

    TYPES = {".css": b"text/css; charset=utf-8", ".js": b"text/javascript; charset=utf-8"}

    def __init__(self, app: ASGIApp, directory: Path, prefix: str = "/static/"):
        self.app, self.prefix = app, prefix
        self.files: dict[str, tuple[bytes, bytes, list[tuple[bytes, bytes]]]] = {}  # body, ETag, headers
        for path in sorted(directory.iterdir()):
            if path.suffix in self.TYPES and path.is_file():
                body = path.read_bytes()
                etag = b'"' + hashlib.sha256(body).hexdigest()[:20].encode() + b'"'
                self.files[prefix + path.name] = (body, etag, [
                    (b"content-type", self.TYPES[path.suffix]), (b"content-length", str(len(body)).encode()),
                    (b"etag", etag), (b"cache-control", b"public, max-age=3600")])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = self.files.get(scope["path"]) if scope["type"] == "http" else None
        if found is None or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        body, etag, headers = found
        if any(k == b"if-none-match" and etag in v for k, v in scope["headers"]):
            await send({"type": "http.response.start", "status": 304,
                        "headers": [(b"etag", etag), (b"cache-control", b"public, max-age=3600")]})
            await send({"type": "http.response.body", "body": b""})
            return
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})


class ThreadLimit:
    """Sets the number of threads that run requests (anyio's default limiter) on the first request,
    to match the database pool: a request thread never waits for a connection."""

    def __init__(self, app: ASGIApp, threads: int):
        self.app, self.threads, self.done = app, threads, False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self.done:
            import anyio.to_thread

            anyio.to_thread.current_default_thread_limiter().total_tokens = self.threads
            self.done = True
        await self.app(scope, receive, send)


def _install_error_handlers(app: FastAPI) -> None:
    """The app's own errors; the general answers (pages or JSON) are :func:`.errors.install`'s."""

    @app.exception_handler(NotServable)
    async def _not_servable(request: Request, exc: NotServable) -> Response:
        # a store entry that is a link or not a regular file: answered as if it did not exist
        return JSONResponse({"detail": "no such image"}, status_code=404)


_NOBODY = User(id=0, name="", role="annotator", session_epoch=0)


def _warm_up(app: FastAPI) -> None:
    """Pay before the first request what the first task page would: the templates compiled, the
    delta analysis's libraries imported, the task page's query compiled. Otherwise the first
    annotators after a (re)start all wait behind one page that does it (measured: 0.1-0.6 s)."""
    from . import media
    from .submissions import NotYours, read_context

    env = app.state.templates.env
    for name in env.list_templates(filter_func=lambda n: n.endswith(".html")):
        env.get_template(name)
    media.delta_available()
    with app.state.db.read() as conn:
        for page in (True, False):
            try:
                read_context(conn, 0, _NOBODY, page=page)  # no assignment 0: compiles and runs the query
            except NotYours:
                pass


def create_app(ws: Workspace, settings: StudioSettings | None = None) -> FastAPI:
    """The studio app on an open workspace (the caller keeps the workspace open while serving).

    The app works on its own engine over the same database, with a pool of ``settings.threads``
    connections opened once (see :func:`.db.studio_engine`).
    """
    from . import errors
    from .routes import admin, home, login, work

    settings = settings or StudioSettings()
    app = FastAPI(
        title="EditCaption annotation studio",
        docs_url=None, redoc_url=None, openapi_url=None,
        dependencies=[Depends(require_session), Depends(require_csrf)],
    )
    app.state.ws = studio_workspace(ws, pool_size=settings.threads + 4)
    app.state.db = studio_db(app.state.ws)
    app.state.settings = settings
    app.state.limiter = settings.login_limiter or LoginLimiter()
    app.state.hash_slots = asyncio.Semaphore(settings.hash_slots or os.cpu_count() or 1)
    app.state.templates = Jinja2Templates(directory=str(HERE / "templates"))
    _warm_up(app)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    for module in (login, home, work, admin):
        app.include_router(module.router)
    errors.install(app)  # pages for people, JSON for programs
    _install_error_handlers(app)
    # added innermost first: a request passes the proxy and host checks, then (unless it is one of
    # our static files) the session, then the body limit
    app.add_middleware(BodyLimit, limit=settings.max_body_kb * 1024, anonymous_limit=settings.anonymous_body_kb * 1024)
    app.add_middleware(SessionMiddleware, secret_key=secret_key(ws), session_cookie=SESSION_COOKIE,
                       max_age=int(settings.session_hours * 3600), same_site="lax",
                       https_only=settings.secure_cookies)
    app.add_middleware(StaticAssets, directory=HERE / "static")  # inside the security headers, before the session
    app.add_middleware(SecurityHeaders)
    app.add_middleware(ThreadLimit, threads=settings.threads)
    if settings.allowed_hosts:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=settings.allowed_hosts)  # others: 400
    if settings.forwarded_allow_ips:
        from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.forwarded_allow_ips)
    return app


def app_from_env() -> FastAPI:
    """The app of one worker process of ``annotate serve --workers N`` (settings from ``$EDITCAPTION_STUDIO``)."""
    spec = json.loads(os.environ[SETTINGS_ENV])
    ws = Workspace.open(spec["workspace"], spec["db"])
    return create_app(ws, StudioSettings.from_json(spec["settings"]))


def serve(ws: Workspace, host: str = "127.0.0.1", port: int = 8000, settings: StudioSettings | None = None,
          workers: int = 1) -> None:
    """Run the studio with uvicorn until interrupted (``workers`` processes share the database)."""
    import uvicorn

    settings = settings or StudioSettings()
    common = {"host": host, "port": port, "log_level": "info", "proxy_headers": False,
              "limit_concurrency": None, "timeout_keep_alive": 30}
    if workers <= 1:
        uvicorn.run(create_app(ws, settings), **common)
        return
    os.environ[SETTINGS_ENV] = json.dumps({"workspace": str(ws.root), "db": ws.db_url, "settings": settings.to_json()})
    uvicorn.run("editcaption.annotate.app:app_from_env", factory=True, workers=workers, **common)
