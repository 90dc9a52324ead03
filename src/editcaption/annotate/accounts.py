"""Studio accounts: creating people, hashing and checking passwords (argon2id).

Password hashes use argon2id with OWASP's minimum parameters for it: 19 MiB of memory, two
passes, one lane (``m=19456, t=2, p=1``; about 20 ms of one core here). The library's own
default (64 MiB, three passes, four lanes) costs six times the CPU and three times the
memory for each check, which turns 200 people logging in at 9:00 into a minute-long queue
and a burst of several GiB; the server bounds how many checks run at once (see
:mod:`.routes.login`), so memory stays at a few times 19 MiB whatever arrives. Hashes made
with other parameters still verify and are replaced at the next successful login.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..workspace.models import AnnotatorRecord
from .audit import log_event

ROLES = ("admin", "annotator")
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")
MIN_PASSWORD = 8
ARGON2_PARAMS = {"time_cost": 2, "memory_cost": 19456, "parallelism": 1}  # OWASP's argon2id minimum

_hasher = PasswordHasher(**ARGON2_PARAMS, type=Type.ID)
# A hash of a random password, checked against when the name is unknown so that a wrong
# name and a wrong password take the same time.
_DUMMY_HASH = _hasher.hash("not-a-real-password-5b1f0c")


class AccountError(ValueError):
    pass


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: str
    session_epoch: int

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def to_user(rec: AnnotatorRecord) -> User:
    return User(rec.id, rec.name, rec.role, rec.session_epoch)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password must have at least {MIN_PASSWORD} characters")


def add_user(s: Session, name: str, role: str, password: str, *, actor: str = "cli") -> User:
    """Create an account; raises :class:`AccountError` for a bad name, role or password, or a taken name."""
    if not NAME_RE.match(name):
        raise AccountError(f"bad user name {name!r}: use letters, digits and _ . @ - (at most 64)")
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    check_new_password(password)
    if s.scalar(select(AnnotatorRecord).where(AnnotatorRecord.name == name)) is not None:
        raise AccountError(f"user {name!r} already exists")
    rec = AnnotatorRecord(name=name, role=role, password_hash=hash_password(password), active=True, session_epoch=0)
    s.add(rec)
    s.flush()
    log_event(s, actor, "user_add", detail={"user": name, "role": role})
    return to_user(rec)


def set_password(s: Session, name: str, password: str, *, actor: str = "cli") -> None:
    check_new_password(password)
    rec = s.scalar(select(AnnotatorRecord).where(AnnotatorRecord.name == name))
    if rec is None:
        raise AccountError(f"no user {name!r}")
    rec.password_hash = hash_password(password)
    rec.session_epoch += 1  # existing sessions end
    log_event(s, actor, "user_password", detail={"user": name})


def set_active(s: Session, name: str, active: bool, *, actor: str = "cli") -> None:
    rec = s.scalar(select(AnnotatorRecord).where(AnnotatorRecord.name == name))
    if rec is None:
        raise AccountError(f"no user {name!r}")
    rec.active = active
    rec.session_epoch += 1
    log_event(s, actor, "user_enable" if active else "user_disable", detail={"user": name})


def verify_password(password_hash: str | None, password: str) -> tuple[bool, str | None]:
    """Check a password against a stored hash (the dummy hash when there is none, so an unknown
    name costs the same time). Returns (matches, a new hash when the stored one uses old parameters).

    CPU- and memory-heavy on purpose: call it from a worker thread, never on the event loop.
    """
    try:
        _hasher.verify(password_hash or _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return False, None
    if password_hash is None:
        return False, None
    return True, hash_password(password) if _hasher.check_needs_rehash(password_hash) else None


def authenticate(s: Session, name: str, password: str) -> User | None:
    """The user if ``name``/``password`` match an active account, else None."""
    rec = s.scalar(select(AnnotatorRecord).where(AnnotatorRecord.name == name)) if NAME_RE.match(name) else None
    ok, rehashed = verify_password(rec.password_hash if rec else None, password)
    if not ok or rec is None or not rec.active:
        return None
    if rehashed:
        rec.password_hash = rehashed
    return to_user(rec)


def list_users(s: Session) -> list[dict]:
    return [
        {"name": r.name, "role": r.role, "active": r.active, "created_at": r.created_at}
        for r in s.scalars(select(AnnotatorRecord).order_by(AnnotatorRecord.name))
    ]
