"""Sessions, CSRF and login throttling for the studio.

* Sessions are signed cookies (Starlette's ``SessionMiddleware``, itsdangerous). A cookie
  names the user and their ``session_epoch``; logging out, a password change or disabling
  the account bumps the epoch in the database, which ends every cookie issued before.
* Every route requires a session except those marked :func:`public` (the login page). The
  check is an app-wide dependency, so a route added later is protected by default: it reads
  the account (one primary-key read with Core, no ORM session or transaction) before the
  route runs. A route on the annotators' hot path can be marked :func:`session_in_query`
  instead: its own first statement reads the account row together with the item, and
  :func:`verified_user` refuses the request there (:func:`.leases.lease_in` does). Either
  way each request compares the cookie with the database as it is at that moment, so
  logout, a new password or a disabled account take effect on the very next request, in
  every server process; no session state is cached.
* Every state-changing request carries the session's CSRF token (form field
  ``csrf_token`` or header ``X-CSRF-Token``), else 403 — the login form included.
* Login attempts are throttled in the database (:class:`LoginLimiter`), so the limits hold
  across server processes.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import HTTPException, Request
from sqlalchemy import Connection, case, delete, literal, select, update
from starlette.concurrency import run_in_threadpool

from ..workspace import Workspace
from ..workspace.models import AnnotatorRecord, LoginThrottleRecord
from .accounts import User
from .db import StudioDB

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
SECRET_FILE = "annotate-secret.key"
USERS = AnnotatorRecord.__table__
USER_COLUMNS = (USERS.c.id.label("user_id"), USERS.c.name.label("user_name"), USERS.c.role.label("user_role"),
                USERS.c.active.label("user_active"), USERS.c.session_epoch.label("user_epoch"))


class NotAuthenticated(Exception):
    """No valid session: pages redirect to the login form, everything else answers 401."""


def public(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a route as reachable without a session (only the login form is)."""
    endpoint.__editcaption_public__ = True  # type: ignore[attr-defined]
    return endpoint


def session_in_query(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a route that checks the session itself, in its own first statement: it selects
    :data:`USER_COLUMNS` for ``request.state.claims.uid`` and passes the row to :func:`verified_user`."""
    endpoint.__editcaption_session_in_query__ = True  # type: ignore[attr-defined]
    return endpoint


def is_public(request: Request) -> bool:
    return bool(getattr(request.scope.get("endpoint"), "__editcaption_public__", False))


def checks_session_in_query(endpoint: Any) -> bool:
    return bool(getattr(endpoint, "__editcaption_session_in_query__", False))


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


@dataclass(frozen=True)
class Claims:
    """What a signed session cookie says: the user id and the session epoch it was issued under."""

    uid: int
    epoch: int


def session_claims(request: Request) -> Claims | None:
    uid, epoch = request.session.get("uid"), request.session.get("epoch")
    if not isinstance(uid, int) or not isinstance(epoch, int) or isinstance(uid, bool) or isinstance(epoch, bool):
        return None
    return Claims(uid, epoch)


def verified_user(row: Any, claims: Claims) -> User:
    """The user of a row holding :data:`USER_COLUMNS` if it matches the cookie's claims, else
    :class:`NotAuthenticated` (no such account, disabled, or logged out since the cookie was made)."""
    if (row is None or row.user_id is None or row.user_id != claims.uid or not row.user_active
            or row.user_epoch != claims.epoch):
        raise NotAuthenticated()
    return User(row.user_id, row.user_name, row.user_role, row.user_epoch)


def load_user(db: StudioDB, claims: Claims) -> User:
    with db.read() as conn:
        return user_on(conn, claims)


def user_on(conn: Connection, claims: Claims) -> User:
    """The cookie's user read on ``conn`` (:class:`NotAuthenticated` if the session is not valid)."""
    return verified_user(conn.execute(select(*USER_COLUMNS).where(USERS.c.id == claims.uid)).first(), claims)


def session_user(request: Request) -> User | None:
    """The logged-in user of a request, or None (reads the account; for pages that are not hot)."""
    claims = session_claims(request)
    if claims is None:
        return None
    try:
        return load_user(request.app.state.db, claims)
    except NotAuthenticated:
        return None


async def require_session(request: Request) -> None:
    """App-wide dependency: a logged-in user for every route not marked public.

    Routes marked :func:`session_in_query` get only the cookie's claims here (no database
    access) and verify them in their own first query; every other route gets
    ``request.state.user`` read from the database before it runs.
    """
    if is_public(request):
        return
    claims = session_claims(request)
    if claims is None:
        raise NotAuthenticated()
    request.state.claims = claims
    if checks_session_in_query(request.scope.get("endpoint")):
        return
    request.state.user = await run_in_threadpool(load_user, request.app.state.db, claims)


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


async def current_user(request: Request) -> User:
    return request.state.user


async def admin_user(request: Request) -> User:
    user: User = request.state.user
    if not user.is_admin:
        raise HTTPException(status_code=403, detail="this page is for admins")
    return user


# -- login throttling -------------------------------------------------------------------------


THROTTLE = LoginThrottleRecord.__table__


def name_key(name: str) -> str:
    """A fixed-size key for a login name as typed (case-insensitive); no name is stored in a key."""
    return hashlib.sha256(name.strip().lower().encode()).hexdigest()[:24]


def client_key(host: str | None) -> str:
    """The client's address as a limiter key; IPv6 clients are grouped by /64 (one site's prefix)."""
    if not host:
        return "unknown"
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return host[:64]
    if ip.version == 4:
        return str(ip)
    if ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    return str(ipaddress.ip_network(f"{ip}/64", strict=False))


@dataclass
class Admission:
    admitted: bool
    retry_after: float = 0.0
    account: Any = None  # the account row (id, name, role, active, session_epoch, password_hash) or None


@dataclass
class LoginLimiter:
    """Login throttling, counted in the database before any password is checked.

    Each attempt is admitted or refused by one atomic upsert per key, in one transaction,
    before the password is looked at; an attempt counts as in flight until its check ends,
    then as a failure or not at all. A key admits freely while its failures plus attempts in
    flight stay under its allowance; past it, one attempt per delay, the delay doubling from
    ``base_delay_s`` up to ``max_delay_s``. Counts are forgotten ``window_s`` after a key's
    last attempt (and the rows deleted by a sweep), so the state stays bounded by the
    attempts of the last window.

    Keys, for a browser that never logged in to the account:

    * the account from this client (``per_pair`` free): a person mistyping a password waits
      seconds, at most ``max_delay_s``; it is the only key an attacker's failures on one
      account hit for one client, so 100 concurrent guesses get ``per_pair`` checks;
    * the client across accounts (``per_client`` failures): password spraying from one
      address. Here only failures use up the allowance, and attempts in flight are capped
      apart (``per_client_inflight``): a whole team behind one proxy or NAT address logging
      in at 9:00 is many simultaneous attempts from one client, and must all get in;
    * the account across clients (``per_account``): guessing one account from many addresses.

    An attempt whose server died mid-check stays "in flight" until its key's window passes.

    A browser that has logged in to the account before carries a signed device cookie and
    is throttled on (account, that device) alone: an attacker elsewhere — or behind the same
    proxy address — can slow new browsers of that account, never the owner's own. Behind a
    proxy, pass ``--forwarded-allow-ips`` so that clients are told apart at all.
    """

    per_pair: int = 5
    per_client: int = 100
    per_client_inflight: int = 1000
    per_account: int = 20
    base_delay_s: float = 1.0
    max_delay_s: float = 60.0
    window_s: float = 900.0
    sweep_every_s: float = 60.0
    _last_sweep: float = field(default=0.0, repr=False)
    _sweep_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def keys(self, name: str, client: str, device: str | None, trusted: bool) -> list[tuple[str, int]]:
        """(key, free allowance) for an attempt, in a fixed order (rows are always locked in that order)."""
        nk = name_key(name)
        if trusted and device:
            return [(f"d:{nk}:{device}", self.per_pair)]
        return sorted([(f"a:{nk}", self.per_account), (f"c:{client}", self.per_client),
                       (f"p:{nk}:{client}", self.per_pair)])

    def delay(self, n: int, free: int) -> float:
        """Seconds to wait after the ``n``-th counted attempt: 0 within the allowance, then doubling."""
        if n < free:
            return 0.0
        return min(self.max_delay_s, self.base_delay_s * 2.0 ** min(n - free, 32))

    def _delay_sql(self, n: Any, free: int) -> Any:
        """:meth:`delay` as a SQL expression of ``n`` (a short CASE: the doubling reaches the cap quickly)."""
        whens = [(n < free, literal(0.0))]
        k = 0
        while self.delay(free + k, free) < self.max_delay_s and k < 32:
            whens.append((n == free + k, literal(self.delay(free + k, free))))
            k += 1
        return case(*whens, else_=literal(self.max_delay_s))

    def _admit_key(self, conn: Connection, db: StudioDB, key: str, free: int, now: float) -> bool:
        t = THROTTLE.c
        stale = t.last_at < now - self.window_s
        failures = case((stale, 0), else_=t.failures)
        inflight = case((stale, 0), else_=t.inflight)
        if key.startswith("c:"):  # a client: failures count; attempts in flight have their own cap
            counted, room = failures, inflight < self.per_client_inflight
            first = 0
        else:
            counted, room, first = failures + inflight, literal(True), 1
        stmt = db.insert(THROTTLE).values(key=key, failures=0, inflight=1, last_at=now,
                                          next_at=now + self.delay(first, free))
        stmt = stmt.on_conflict_do_update(
            index_elements=[t.key],
            set_={"failures": failures, "inflight": inflight + 1, "last_at": now,
                  "next_at": now + self._delay_sql(counted + first, free)},
            where=room & ((counted < free) | (t.next_at <= now)),
        ).returning(t.inflight)
        return conn.execute(stmt).first() is not None

    def admit(self, db: StudioDB, keys: list[tuple[str, int]], name: str, on_refused: Callable[[Connection], None],
              now: float | None = None) -> Admission:
        """Count this attempt under every key, or under none if one of them refuses it (then
        ``on_refused`` runs in the same transaction); the account row comes along when admitted."""
        now = time.time() if now is None else now
        with db.write() as conn:
            self._maybe_sweep(conn, now)
            refused = False
            savepoint = conn.begin_nested()
            for key, free in keys:
                if not self._admit_key(conn, db, key, free, now):
                    refused = True
                    break
            if refused:
                savepoint.rollback()
                waits = conn.scalars(select(THROTTLE.c.next_at).where(THROTTLE.c.key.in_([k for k, _ in keys])))
                on_refused(conn)
                return Admission(False, retry_after=max([w - now for w in waits] + [1.0]))
            savepoint.commit()
            account = conn.execute(select(USERS.c.id, USERS.c.name, USERS.c.role, USERS.c.active,
                                          USERS.c.session_epoch, USERS.c.password_hash)
                                   .where(USERS.c.name == name)).first()
            return Admission(True, account=account)

    def finish(self, conn: Connection, keys: list[tuple[str, int]], succeeded: bool) -> None:
        """The password check is over: the attempt stops being in flight; a failure is counted, and a
        success clears the account-and-client (or device) key, so its owner starts afresh."""
        t = THROTTLE.c
        names = [k for k, _ in keys]
        less_inflight = case((t.inflight > 0, t.inflight - 1), else_=0)
        if succeeded:
            personal = [k for k in names if k.startswith(("p:", "d:"))]
            conn.execute(delete(THROTTLE).where(t.key.in_(personal)))
            others = [k for k in names if k not in personal]
            if others:
                conn.execute(update(THROTTLE).where(t.key.in_(others)).values(inflight=less_inflight))
        else:
            conn.execute(update(THROTTLE).where(t.key.in_(names))
                         .values(inflight=less_inflight, failures=t.failures + 1))

    def _maybe_sweep(self, conn: Connection, now: float) -> None:
        """Delete keys whose window has passed (at most once per ``sweep_every_s`` in each process)."""
        with self._sweep_lock:
            if now - self._last_sweep < self.sweep_every_s:
                return
            self._last_sweep = now
        conn.execute(delete(THROTTLE).where(THROTTLE.c.last_at < now - self.window_s, THROTTLE.c.next_at < now))
