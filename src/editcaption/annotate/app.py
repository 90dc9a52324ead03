"""The studio's FastAPI application: ``create_app(workspace)``.

Server-rendered Jinja2 pages with a little dependency-free JavaScript. Security defaults:
every route needs a session (app-wide dependency, see :mod:`.auth`), every POST a CSRF
token, templates escape everything, and a strict Content-Security-Policy allows only
our own scripts and styles (no inline script can run even if text slipped through).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..workspace import Workspace
from .auth import LoginLimiter, NotAuthenticated, require_csrf, require_session, secret_key

HERE = Path(__file__).parent
SESSION_COOKIE = "ec_session"

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")


@dataclass
class StudioSettings:
    secure_cookies: bool = False  # set when the studio is served over HTTPS (e.g. behind a proxy)
    session_hours: float = 12.0
    login_limiter: LoginLimiter | None = None


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


def wants_html(request: Request) -> bool:
    return request.method == "GET" and "text/html" in request.headers.get("accept", "")


def _install_error_handlers(app: FastAPI) -> None:
    from .render import render

    @app.exception_handler(NotAuthenticated)
    async def _not_authenticated(request: Request, exc: NotAuthenticated) -> Response:
        if wants_html(request):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
        return JSONResponse({"detail": "log in first"}, status_code=401)

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException) -> Response:
        if wants_html(request) or request.headers.get("content-type", "").startswith("application/x-www-form"):
            return render(request, "message.html", {"title": f"Error {exc.status_code}", "message": exc.detail},
                          status_code=exc.status_code)
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def _bad_request(request: Request, exc: RequestValidationError) -> Response:
        # Parameters that fail validation (e.g. "../x" where an id is expected) never reach a handler.
        return JSONResponse({"detail": "bad request parameters"}, status_code=422)


def create_app(ws: Workspace, settings: StudioSettings | None = None) -> FastAPI:
    """The studio app on an open workspace (the caller keeps the workspace open while serving)."""
    from .routes import admin, home, login, work

    settings = settings or StudioSettings()
    app = FastAPI(
        title="EditCaption annotation studio",
        docs_url=None, redoc_url=None, openapi_url=None,
        dependencies=[Depends(require_session), Depends(require_csrf)],
    )
    app.state.ws = ws
    app.state.settings = settings
    app.state.limiter = settings.login_limiter or LoginLimiter()
    app.state.templates = Jinja2Templates(directory=str(HERE / "templates"))
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    for module in (login, home, work, admin):
        app.include_router(module.router)
    _install_error_handlers(app)
    app.add_middleware(SessionMiddleware, secret_key=secret_key(ws), session_cookie=SESSION_COOKIE,
                       max_age=int(settings.session_hours * 3600), same_site="lax",
                       https_only=settings.secure_cookies)
    app.add_middleware(SecurityHeaders)
    return app


def serve(ws: Workspace, host: str = "127.0.0.1", port: int = 8000, settings: StudioSettings | None = None) -> None:
    """Run the studio with uvicorn until interrupted."""
    import uvicorn

    uvicorn.run(create_app(ws, settings), host=host, port=port, log_level="info", proxy_headers=False)
