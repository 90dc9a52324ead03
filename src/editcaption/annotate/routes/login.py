"""Logging in and out."""

from __future__ import annotations

import re

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from ..accounts import authenticate
from ..audit import log_event
from ..auth import public, session_user, start_session
from ..render import render

router = APIRouter()
SAFE_NEXT = re.compile(r"^/[A-Za-z0-9/_\-]*$")  # a local path only: no scheme, host, query or dot segments


def safe_next(value: str | None) -> str:
    return value if value and SAFE_NEXT.match(value) and not value.startswith("//") else "/"


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.get("/login")
@public
def login_page(request: Request, next: str = "/") -> Response:  # noqa: A002 - the query parameter's name
    if session_user(request) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "login.html", {"next": safe_next(next), "error": None, "user": None})


@router.post("/login")
@public
def login(request: Request, username: str = Form(""), password: str = Form(""),
          next: str = Form("/")) -> Response:  # noqa: A002
    limiter = request.app.state.limiter
    address, name = client_address(request), username.strip()[:128]
    wait = limiter.retry_after(address, name)
    ws = request.app.state.ws
    if wait > 0:
        with ws.session() as s:
            log_event(s, name or "?", "login_throttled", detail={"address": address})
        response = render(request, "login.html", {"next": safe_next(next), "user": None,
                                                  "error": f"Too many failed logins. Try again in {int(wait) + 1} s."},
                          status_code=429)
        response.headers["Retry-After"] = str(int(wait) + 1)
        return response
    with ws.session() as s:
        user = authenticate(s, name, password)
        log_event(s, name or "?", "login" if user else "login_failed", detail={"address": address})
    if user is None:
        limiter.failed(address, name)
        return render(request, "login.html", {"next": safe_next(next), "user": None,
                                              "error": "Unknown user or wrong password."}, status_code=401)
    limiter.succeeded(name)
    start_session(request, user)
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request) -> Response:
    from ...workspace.models import AnnotatorRecord

    user = request.state.user
    with request.app.state.ws.session() as s:
        rec = s.get(AnnotatorRecord, user.id)
        if rec is not None:
            rec.session_epoch += 1  # every cookie issued to this user stops working
        log_event(s, user.name, "logout")
    request.session.clear()
    return RedirectResponse("/login", status_code=303)
