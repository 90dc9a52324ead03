"""A workspace: a folder holding the database (SQLite by default) and the image store.

``Workspace.open(path)`` is how every stage reaches data. The database URL is, in order:
the ``db_url`` argument (``--db``), ``$EDITCAPTION_DB``, the URL recorded by
``editcaption init --db``, else ``sqlite:///<workspace>/editcaption.db``. The image store is
the one recorded by ``editcaption init --store`` (e.g. ``s3://bucket/prefix``), else
``<workspace>/images`` (see :mod:`editcaption.store`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from .. import __version__
from ..atomicfile import write_atomic
from ..store import ImageStore, StoreError, open_store
from .migrations import migrate

MARKER = "workspace.json"
DB_FILE = "editcaption.db"
DEFAULT_DIR = "editcaption-workspace"


class WorkspaceError(RuntimeError):
    """A workspace that is missing, unreadable or incompatible (message says what to do)."""


def default_workspace_path() -> Path:
    return Path(os.environ.get("EDITCAPTION_WORKSPACE") or DEFAULT_DIR)


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # noqa: ANN001 - DB-API connection
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def make_engine(url: str) -> Engine:
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    try:
        return create_engine(url, pool_pre_ping=True)
    except ModuleNotFoundError as exc:  # psycopg missing
        raise WorkspaceError(
            f"cannot use {url.split('://')[0]}: {exc}. Install the `postgres` extra: pip install 'editcaption[postgres]'"
        ) from None


def redact(url: str) -> str:
    """The URL with any password replaced by ***, for messages and logs."""
    if "://" not in url or "@" not in url:
        return url
    scheme, rest = url.split("://", 1)
    creds, host = rest.rsplit("@", 1)
    user = creds.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}" if ":" in creds else url


class Workspace:
    def __init__(self, root: Path, db_url: str, engine: Engine, store: ImageStore | None = None):
        self.root = root
        self.db_url = db_url
        self.engine = engine
        self.store = store or open_store(None, root)
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    # -- opening -----------------------------------------------------------------
    @classmethod
    def init(cls, root: str | os.PathLike[str] | None = None, db_url: str | None = None,
             store_url: str | None = None) -> Workspace:
        """Create (or open, if it exists) a workspace folder and bring its schema up to date.

        ``store_url`` (``s3://bucket/prefix``...) is recorded for a new workspace; an existing
        one keeps its store (``editcaption store migrate`` moves images).
        """
        path = Path(root) if root else default_workspace_path()
        path.mkdir(parents=True, exist_ok=True)
        marker = path / MARKER
        info = json.loads(marker.read_text()) if marker.exists() else {}
        if db_url and not info.get("db"):
            info["db"] = db_url
        if store_url and (info.get("store") or None) != store_url:
            if marker.exists():
                raise WorkspaceError(f"{path} already keeps its images in {info.get('store') or path / 'images'}; "
                                     f"move them with: editcaption store migrate -w {path} --to {store_url}")
            try:
                open_store(store_url, path.resolve()).check()  # wrong credentials fail before anything is written
            except StoreError as exc:
                raise WorkspaceError(str(exc)) from None
            info["store"] = store_url
        info.setdefault("created_by", f"editcaption {__version__}")
        write_atomic(marker, json.dumps(info, indent=2) + "\n")
        if not info.get("store"):
            (path / "images").mkdir(exist_ok=True)
        return cls.open(path, db_url)

    def record_store(self, store_url: str | None) -> None:
        """Point ``workspace.json`` at another image store (after `store migrate` copied every image)."""
        marker = self.root / MARKER
        info = json.loads(marker.read_text())
        if store_url:
            info["store"] = store_url
        else:
            info.pop("store", None)
        write_atomic(marker, json.dumps(info, indent=2) + "\n")
        self.store = open_store(store_url, self.root)

    @property
    def store_url(self) -> str | None:
        """What ``workspace.json`` records as the image store (None: ``<workspace>/images``)."""
        marker = self.root / MARKER
        return json.loads(marker.read_text()).get("store") if marker.exists() else None

    @classmethod
    def open(
        cls, root: str | os.PathLike[str] | None = None, db_url: str | None = None, *, create: bool = False
    ) -> Workspace:
        path = Path(root) if root else default_workspace_path()
        marker = path / MARKER
        if not marker.exists():
            if create:
                return cls.init(path, db_url)
            raise WorkspaceError(f"no workspace at {path} (create one with: editcaption init {path})")
        try:
            info = json.loads(marker.read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise WorkspaceError(f"{marker} is unreadable: {exc}") from None
        url = db_url or os.environ.get("EDITCAPTION_DB") or info.get("db") or f"sqlite:///{(path / DB_FILE).resolve()}"
        engine = make_engine(url)
        try:
            migrate(engine)
        except Exception as exc:
            engine.dispose()
            if isinstance(exc, WorkspaceError):
                raise
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise WorkspaceError(f"cannot open the database {redact(url)}: {first}") from exc
        try:
            store = open_store(info.get("store"), path.resolve())
        except StoreError as exc:
            engine.dispose()
            raise WorkspaceError(str(exc)) from None
        return cls(path.resolve(), url, engine, store)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- sessions ------------------------------------------------------------------
    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction: committed when the block ends, rolled back on any exception."""
        with self._sessions() as s, s.begin():
            yield s

    @property
    def is_sqlite(self) -> bool:
        return self.db_url.startswith("sqlite")
