"""Sessions, CSRF and login throttling for the studio.

* Sessions are signed cookies (Starlette's ``SessionMiddleware``, itsdangerous). A cookie
  names the user and their ``session_epoch``; logging out, a password change or disabling
  the account bumps the epoch, which ends every cookie issued before.
* Every route requires a session except those marked :func:`public` (the login page).
  The check is an app-wide dependency, so a route added later is protected by default.
* Every state-changing request carries the session's CSRF token (form field
  ``csrf_token`` or header ``X-CSRF-Token``), else 403 — the login form included.
* Failed logins are throttled per client address and per user name.
"""

from __future__ import annotations

import hmac
import os
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import HTTPException, Request

from ..workspace import Workspace
from ..workspace.models import AnnotatorRecord
from .accounts import User, to_user

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
SECRET_FILE = "annotate-secret.key"


class NotAuthenticated(Exception):
    """No valid session: pages redirect to the login form, everything else answers 401."""


def public(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a route as reachable without a session (only the login form is)."""
    endpoint.__editcaption_public__ = True  # type: ignore[attr-defined]
    return endpoint


def is_public(request: Request) -> bool:
    return bool(getattr(request.scope.get("endpoint"), "__editcaption_public__", False))


def secret_key(ws: Workspace) -> str:
    """``$EDITCAPTION_SECRET_KEY``, else a random key kept in the workspace (created once, mode 0600)."""
    env = os.environ.get("EDITCAPTION_SECRET_KEY")
    if env:
        return env
    path: Path = ws.root / SECRET_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def csrf_token(request: Request) -> str:
    """The session's CSRF token, created on first use."""
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def start_session(request: Request, user: User) -> None:
    request.session.clear()
    request.session.update({"uid": user.id, "epoch": user.session_epoch, "csrf": secrets.token_urlsafe(32)})


def session_user(request: Request) -> User | None:
    uid, epoch = request.session.get("uid"), request.session.get("epoch")
    if not isinstance(uid, int) or not isinstance(epoch, int):
        return None
    ws: Workspace = request.app.state.ws
    with ws.session() as s:
        rec = s.get(AnnotatorRecord, uid)
        if rec is None or not rec.active or rec.session_epoch != epoch:
            return None
        return to_user(rec)


def require_session(request: Request) -> None:
    """App-wide dependency: a logged-in user for every route not marked public."""
    if is_public(request):
        return
    user = session_user(request)
    if user is None:
        raise NotAuthenticated()
    request.state.user = user


async def require_csrf(request: Request) -> None:
    """App-wide dependency: state-changing requests must echo the session's CSRF token."""
    if request.method in SAFE_METHODS:
        return
    expected = request.session.get("csrf")
    sent = request.headers.get("x-csrf-token")
    if sent is None:
        ctype = request.headers.get("content-type", "")
        if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            sent = (await request.form()).get("csrf_token")
    if not expected or not isinstance(sent, str) or not hmac.compare_digest(sent, expected):
        raise HTTPException(status_code=403, detail="missing or wrong CSRF token (reload the page and try again)")


def current_user(request: Request) -> User:
    return request.state.user


def admin_user(request: Request) -> User:
    user: User = request.state.user
    if not user.is_admin:
        raise HTTPException(status_code=403, detail="this page is for admins")
    return user


class LoginLimiter:
    """Sliding-window count of failed logins per client address and per user name.

    In memory, per server process (the studio runs as one process). A locked-out key is
    refused even with the right password until its window passes.
    """

    def __init__(self, per_name: int = 5, per_address: int = 20, window_s: float = 300.0):
        self.per_name, self.per_address, self.window_s = per_name, per_address, window_s
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, at: float) -> deque[float]:
        q = self._failures.setdefault(key, deque())
        while q and q[0] <= at - self.window_s:
            q.popleft()
        return q

    def retry_after(self, address: str, name: str) -> float:
        """Seconds until a login may be tried again (0 when allowed)."""
        at = time.monotonic()
        with self._lock:
            waits = []
            for key, limit in ((f"ip:{address}", self.per_address), (f"name:{name.lower()}", self.per_name)):
                q = self._recent(key, at)
                if len(q) >= limit:
                    waits.append(q[len(q) - limit] + self.window_s - at)
            return max(waits, default=0.0)

    def failed(self, address: str, name: str) -> None:
        at = time.monotonic()
        with self._lock:
            for key in (f"ip:{address}", f"name:{name.lower()}"):
                self._recent(key, at).append(at)

    def succeeded(self, name: str) -> None:
        with self._lock:
            self._failures.pop(f"name:{name.lower()}", None)
