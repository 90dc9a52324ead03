"""Error answers: a page for people, JSON for programs.

A request that accepts ``text/html`` (a browser navigating or posting a form) gets an HTML
page in the studio's layout with a way on: a missing or ended session is a redirect to the
login form that comes back to the page the person was on, so a form posted after the session
ended elsewhere costs nothing (the page keeps what was typed as a draft, see
:mod:`.drafts`). Programs (``Accept: application/json``, ``*/*``, or a page's own
``fetch``) keep the JSON body and status they always had.
"""

from __future__ import annotations

import logging
from urllib.parse import quote, urlsplit

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Scope

from .accounts import User
from .auth import NotAuthenticated, load_user

log = logging.getLogger(__name__)
TITLES = {400: "Bad request", 401: "Log in first", 403: "Not allowed", 404: "Not found",
          405: "Not possible here", 409: "Conflict", 413: "Too large", 422: "Bad request",
          429: "Too many requests", 500: "Something went wrong"}
HINTS = {404: "There is nothing at this address, or it is not yours to see.",
         405: "This address does not take that kind of request (a link to an action that needs a button?).",
         413: "What was sent is larger than the studio accepts.",
         500: "The studio hit an error it did not expect. Nothing you submitted before this was lost; "
              "try again, and tell an admin if it happens again."}


def wants_html(request: Request) -> bool:
    """A browser page or form post (not a program, not a page's own fetch)."""
    accept = request.headers.get("accept", "")
    if "text/html" in accept:
        return True
    if "application/json" in accept:
        return False
    return request.method == "POST" and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data"))


def return_path(request: Request) -> str:
    """Where to come back to after logging in: this page, or for a form post the page it came from."""
    if request.method in ("GET", "HEAD"):
        return request.url.path + (f"?{request.url.query}" if request.url.query else "")
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc and referer.netloc == request.url.netloc and referer.path.startswith("/"):
        return referer.path
    return "/"


def login_url(request: Request) -> str:
    return f"/login?next={quote(return_path(request), safe='')}"


def _page_user(request: Request) -> User | None:
    """The signed-in user for the page's header. Routes that check the session in their own query
    (:func:`.auth.session_in_query`) may fail before it ran: the account is read here then (a short
    primary-key read; error pages are rare)."""
    user = getattr(request.state, "user", None)
    claims = getattr(request.state, "claims", None)
    if user is None and claims is not None:
        try:
            user = request.state.user = load_user(request.app.state.db, claims)
        except NotAuthenticated:
            return None
    return user


def error_page(request: Request, status: int, message: str, headers: dict[str, str] | None = None,
               with_session: bool = True) -> Response:
    """The studio's error page (without touching the session when it may be unavailable)."""
    context = {"title": f"{TITLES.get(status, 'Error')} ({status})", "message": message, "hint": HINTS.get(status),
               "status": status, "user": _page_user(request) if with_session else None}
    if with_session:
        from .render import render

        response = render(request, "error.html", context, status_code=status)
    else:
        context.update({"csrf_token": "", "flashes": []})
        response = request.app.state.templates.TemplateResponse(request, "error.html", context, status_code=status)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def too_large(scope: Scope, limit: int) -> Response:
    """The 413 answer of a body refused before it is read (a page for browsers, JSON otherwise)."""
    request = Request(scope)
    detail = f"request body over {limit // 1024} kB"
    if wants_html(request):
        return error_page(request, 413, detail, {"connection": "close"}, with_session=False)
    return JSONResponse({"detail": detail}, status_code=413, headers={"connection": "close"})


def install(app: FastAPI) -> None:
    """Register the error answers on the app (replacing FastAPI's JSON-only defaults)."""

    @app.exception_handler(NotAuthenticated)
    async def _not_authenticated(request: Request, exc: NotAuthenticated) -> Response:
        if wants_html(request):
            return RedirectResponse(login_url(request), status_code=303)
        return JSONResponse({"detail": "log in first", "login": login_url(request)}, status_code=401)

    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        headers = dict(exc.headers or {})
        if exc.status_code == 413:
            headers["connection"] = "close"  # the rest of the body is never read
        if wants_html(request):
            return error_page(request, exc.status_code, str(exc.detail), headers)
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=headers)

    app.add_exception_handler(StarletteHTTPException, _http_error)  # routing's 404 and 405
    app.add_exception_handler(HTTPException, _http_error)  # the routes' own

    @app.exception_handler(RequestValidationError)
    async def _bad_request(request: Request, exc: RequestValidationError) -> Response:
        # Parameters that fail validation (e.g. "abc" or "../x" where an id is expected) never reach a handler.
        if wants_html(request):
            in_path = any((err.get("loc") or ("",))[0] == "path" for err in exc.errors())
            return error_page(request, 404 if in_path else 400,
                              "no such page" if in_path else "the request's parameters are not valid")
        return JSONResponse({"detail": "bad request parameters"}, status_code=422)

    @app.exception_handler(500)
    async def _server_error(request: Request, exc: Exception) -> Response:
        # Runs outside the session middleware: the page is rendered without the session.
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        # Starlette re-raises after this answer and uvicorn then drops the connection: say so, or
        # a keep-alive client sends its next request into a closed socket.
        close = {"connection": "close"}
        if wants_html(request):
            return error_page(request, 500, "internal error", close, with_session=False)
        return JSONResponse({"detail": "internal error"}, status_code=500, headers=close)

