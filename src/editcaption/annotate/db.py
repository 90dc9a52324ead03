"""The studio's database access: a pool sized to the server's threads, and short transactions.

The request paths that run for every annotated item (session check, task page, submit,
lease) use SQLAlchemy Core statements on one pooled connection through :class:`StudioDB`,
not ORM sessions: a task page is one query (the session check included), a submission and
the next lease are one short transaction (see :mod:`.submissions`).

* :meth:`StudioDB.read` — a connection for reads; on SQLite each statement sees the latest
  commit (no transaction is opened for reads).
* :meth:`StudioDB.write` — one transaction. On SQLite it starts with ``BEGIN IMMEDIATE``,
  so it holds the database's write lock from its first statement: what it reads stays true
  until it commits, and it can never fail half-way on a lock taken by another writer. Inside
  one process the writers queue on a lock instead of polling SQLite's busy handler; other
  processes (``annotate serve --workers N``) wait through SQLite's busy timeout. On
  PostgreSQL it is an ordinary READ COMMITTED transaction: the unique constraints and
  conditional updates of :mod:`.leases` and :mod:`.submissions` keep it correct there.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, create_engine, event, make_url
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.pool import QueuePool

from ..workspace import Workspace
from ..workspace.workspace import _sqlite_pragmas, make_engine

_WRITE_LOCKS: dict[str, WriteLock] = {}
_WRITE_LOCKS_GUARD = threading.Lock()
_BY_WORKSPACE: weakref.WeakKeyDictionary[Workspace, StudioDB] = weakref.WeakKeyDictionary()


class WriteLock:
    """The turn to write to one SQLite file: a thread lock inside the process, then an exclusive
    ``flock`` on ``<database>-writer.lock`` shared by every process that serves it.

    SQLite lets one connection write at a time and makes the others poll its busy handler with
    sleeps of 1 to 100 ms; with several server processes (``annotate serve --workers N``) that
    polling is most of a submission's time under load. A writer blocked on ``flock`` is woken by
    the kernel the moment the lock is given back, and the wait releases the GIL. Processes that
    do not take this lock (another command on the same workspace) still meet SQLite's own lock
    and wait through its busy timeout, as before: the lock file only makes our writers fair and fast.
    """

    def __init__(self, path: str | None):
        self._thread = threading.Lock()
        self._path = path
        self._fd: int | None = None

    def acquire(self) -> bool:
        self._thread.acquire()
        if self._path is not None:
            try:
                import fcntl

                if self._fd is None:
                    self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
                fcntl.flock(self._fd, fcntl.LOCK_EX)
            except (ImportError, OSError):  # no flock here (Windows, some network file systems): SQLite's lock only
                self._path = None
            except BaseException:
                self._thread.release()
                raise
        return True

    def release(self) -> None:
        if self._path is not None and self._fd is not None:
            import fcntl

            fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._thread.release()

    def locked(self) -> bool:
        return self._thread.locked()

    def __enter__(self) -> WriteLock:
        self.acquire()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release()


def _write_lock(url: str) -> WriteLock:
    """One lock per database per process, shared by every engine on that database (and, for a
    database file, with the other processes that serve it)."""
    with _WRITE_LOCKS_GUARD:
        lock = _WRITE_LOCKS.get(url)
        if lock is None:
            database = make_url(url).database if url.startswith("sqlite") else None
            on_disk = database not in (None, "", ":memory:") and not database.startswith("file:")
            lock = _WRITE_LOCKS[url] = WriteLock(f"{database}-writer.lock" if on_disk else None)
        return lock


class StudioDB:
    def __init__(self, engine: Engine):
        self.engine = engine
        self.is_sqlite = engine.dialect.name == "sqlite"
        self._lock = _write_lock(str(engine.url)) if self.is_sqlite else None
        # INSERT ... ON CONFLICT for this backend
        self.insert = sqlite.insert if self.is_sqlite else postgresql.insert

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One transaction, committed when the block ends and rolled back on any exception."""
        with self.engine.connect() as conn:
            if self._lock is None:
                with conn.begin():
                    yield conn
                return
            with self._lock:
                conn.info[HOLDS_LOCK] = True  # the engine's own write guard must not take it again
                try:
                    conn.exec_driver_sql("BEGIN IMMEDIATE")
                    try:
                        yield conn
                    except BaseException:
                        conn.rollback()
                        raise
                    conn.commit()
                finally:
                    conn.info.pop(HOLDS_LOCK, None)


HOLDS_LOCK = "editcaption_write_lock"
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def _guard_sqlite_writes(engine: Engine, lock: WriteLock) -> None:
    """Make ORM sessions on this engine queue on the process's write lock too.

    SQLite allows one writer; a second one waits in SQLite's busy handler, which polls with
    sleeps of up to 100 ms — under load most of a request's time. The driver opens a
    transaction right before its first INSERT/UPDATE/DELETE, so taking the lock there (and
    giving it back at commit or rollback) makes every writer of this process wait its turn
    on a lock instead, and the transaction starts only once it holds it. (Within one thread,
    never open a write transaction of :class:`StudioDB` while an ORM session has written.)
    """

    def before(conn: Connection, _cursor, statement: str, *_args) -> None:  # noqa: ANN001, ANN002
        if conn.info.get(HOLDS_LOCK) or not statement.lstrip()[:7].upper().startswith(WRITES):
            return
        lock.acquire()
        conn.info[HOLDS_LOCK] = "orm"

    def release(conn: Connection) -> None:
        if conn.info.get(HOLDS_LOCK) == "orm":
            del conn.info[HOLDS_LOCK]
            lock.release()

    def release_dbapi(_dbapi_conn, record, _reset_state) -> None:  # noqa: ANN001 - a pool reset on check-in
        if record.info.get(HOLDS_LOCK) == "orm":
            del record.info[HOLDS_LOCK]
            lock.release()

    # given back when the connection returns to the pool, after its COMMIT (the "commit" event
    # comes before it, and a writer let in then would meet SQLite's lock still held)
    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "rollback", release)
    event.listen(engine.pool, "reset", release_dbapi)


def studio_db(ws: Workspace) -> StudioDB:
    """The :class:`StudioDB` over a workspace's engine (one per workspace object)."""
    db = _BY_WORKSPACE.get(ws)
    if db is None or db.engine is not ws.engine:
        db = _BY_WORKSPACE[ws] = StudioDB(ws.engine)
    return db


def studio_engine(url: str, pool_size: int) -> Engine:
    """An engine for a studio server: ``pool_size`` connections opened once and kept, no overflow.

    The pool matches the number of threads that run requests, so a request never waits for a
    connection nor opens (and configures) a new one. PostgreSQL connections are not pinged on
    every checkout; a connection the server dropped fails one request and the pool is refreshed.
    """
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    if url.startswith("sqlite"):
        if ":memory:" in url or url.rstrip("/") == "sqlite:":
            return make_engine(url)
        engine = create_engine(url, poolclass=QueuePool, pool_size=pool_size, max_overflow=0, pool_timeout=60,
                               connect_args={"timeout": 30, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        _guard_sqlite_writes(engine, _write_lock(str(engine.url)))
        return engine
    return create_engine(url, pool_size=pool_size, max_overflow=0, pool_timeout=60, pool_pre_ping=False,
                         pool_recycle=3600)


def studio_workspace(ws: Workspace, pool_size: int) -> Workspace:
    """The same workspace on a studio engine (the caller's workspace and engine are left as they are)."""
    return Workspace(ws.root, ws.db_url, studio_engine(ws.db_url, pool_size), store=ws.store)
