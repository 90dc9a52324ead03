"""Logging in and out.

A login attempt is admitted by the database-backed :class:`~..auth.LoginLimiter` before its
password is looked at; the argon2 check then runs in a worker thread, at most
``hash_slots`` at once, so the event loop never waits on it and a login storm costs a
bounded amount of memory. A successful login leaves a signed *device cookie*: that browser
is throttled on its own from then on, so other people's failures never lock its owner out.
"""

from __future__ import annotations

import re
import secrets

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import Connection, update
from starlette.concurrency import run_in_threadpool

from ..accounts import NAME_RE, User, verify_password
from ..audit import add_events, count_event, event_row
from ..auth import USERS, client_key, name_key, public, secret_key, session_user, start_session
from ..render import render

router = APIRouter()
SAFE_NEXT = re.compile(r"^/[A-Za-z0-9/_\-]*$")  # a local path only: no scheme, host, query or dot segments
DEVICE_COOKIE = "ec_device"
DEVICE_DAYS = 365


def safe_next(value: str | None) -> str:
    return value if value and SAFE_NEXT.match(value) and not value.startswith("//") else "/"


def client_address(request: Request) -> str:
    """The client's address: the socket peer, or what a proxy named in ``--forwarded-allow-ips`` said."""
    return request.client.host if request.client else "unknown"


def _devices(request: Request) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key(request.app.state.ws), salt="editcaption-login-device")


def device_of(request: Request, name: str) -> str | None:
    """The id of this browser if it logged in to ``name`` before (a signed cookie), else None."""
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw:
        return None
    try:
        nk, device = _devices(request).loads(raw)
    except (BadSignature, ValueError, TypeError):
        return None
    return device if nk == name_key(name) and isinstance(device, str) else None


@router.get("/login")
@public
def login_page(request: Request, next: str = "/") -> Response:  # noqa: A002 - the query parameter's name
    if session_user(request) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "login.html", {"next": safe_next(next), "error": None, "user": None})


def _finish(request: Request, keys: list[tuple[str, int]], account, ok: bool, rehashed: str | None,  # noqa: ANN001
            name: str, client: str) -> User | None:
    """After the password check, one transaction: the limiter's counts, a new hash if due, the audit event."""
    db, limiter = request.app.state.db, request.app.state.limiter
    user = User(account.id, account.name, account.role, account.session_epoch) if ok and account.active else None
    with db.write() as conn:
        limiter.finish(conn, keys, succeeded=user is not None)
        if user is not None:
            if rehashed:
                conn.execute(update(USERS).where(USERS.c.id == user.id).values(password_hash=rehashed))
            add_events(conn, [event_row(user.name, "login", detail={"address": client})])
        else:
            # anonymous: one row per client, account and minute with a count (an unknown name is "?")
            shown = account.name if account is not None else "?"
            count_event(conn, db.insert, shown, "login_failed", f"{client}|{shown}", {"address": client})
    return user


def _refused(db, client: str):  # noqa: ANN001, ANN202 - the StudioDB; a callback for LoginLimiter.admit
    def log(conn: Connection) -> None:
        count_event(conn, db.insert, "?", "login_throttled", client, {"address": client})
    return log


def _login_form(request: Request, next_: str, error: str, status_code: int) -> Response:
    return render(request, "login.html", {"next": safe_next(next_), "user": None, "error": error},
                  status_code=status_code)


@router.post("/login")
@public
async def login(request: Request, username: str = Form(""), password: str = Form(""),
                next: str = Form("/")) -> Response:  # noqa: A002
    db, limiter = request.app.state.db, request.app.state.limiter
    name = username.strip()[:128]
    client = client_key(client_address(request))
    device = device_of(request, name)
    keys = limiter.keys(name, client, device, trusted=device is not None)
    lookup = name if NAME_RE.match(name) else ""
    admission = await run_in_threadpool(limiter.admit, db, keys, lookup, _refused(db, client))
    if not admission.admitted:
        wait = int(admission.retry_after) + 1
        response = _login_form(request, next, f"Too many failed logins. Try again in {wait} s.", 429)
        response.headers["Retry-After"] = str(wait)
        return response
    account = admission.account
    try:
        async with request.app.state.hash_slots:  # argon2 off the event loop, a few at a time
            ok, rehashed = await run_in_threadpool(verify_password, account.password_hash if account else None,
                                                   password[:1024])
    except Exception:  # the check itself failed: the attempt must not stay in flight
        await run_in_threadpool(_finish, request, keys, account, False, None, name, client)
        raise
    user = await run_in_threadpool(_finish, request, keys, account, ok, rehashed, name, client)
    if user is None:
        return _login_form(request, next, "Unknown user or wrong password.", 401)
    start_session(request, user)
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(DEVICE_COOKIE, _devices(request).dumps([name_key(name), device or secrets.token_urlsafe(16)]),
                        max_age=DEVICE_DAYS * 86400, httponly=True, samesite="lax",
                        secure=request.app.state.settings.secure_cookies)
    return response


@router.post("/logout")
def logout(request: Request) -> Response:
    user = request.state.user
    with request.app.state.db.write() as conn:
        # every cookie issued to this user stops working
        conn.execute(update(USERS).where(USERS.c.id == user.id).values(session_epoch=USERS.c.session_epoch + 1))
        add_events(conn, [event_row(user.name, "logout")])
    request.session.clear()
    return RedirectResponse("/login", status_code=303)
