"""A workspace: a folder holding the database (SQLite by default) and the image store.

``Workspace.open(path)`` is how every stage reaches data. The database URL is, in order:
the ``db_url`` argument (``--db``), ``$EDITCAPTION_DB``, the URL recorded by
``editcaption init --db``, else ``sqlite:///<workspace>/editcaption.db``.
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
from .migrations import migrate
from .models import ImageRecord
from .store import ImageStore

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
    def __init__(self, root: Path, db_url: str, engine: Engine):
        self.root = root
        self.db_url = db_url
        self.engine = engine
        self.store = ImageStore(root / "images")
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    # -- opening -----------------------------------------------------------------
    @classmethod
    def init(cls, root: str | os.PathLike[str] | None = None, db_url: str | None = None) -> Workspace:
        """Create (or open, if it exists) a workspace folder and bring its schema up to date."""
        path = Path(root) if root else default_workspace_path()
        path.mkdir(parents=True, exist_ok=True)
        marker = path / MARKER
        info = json.loads(marker.read_text()) if marker.exists() else {}
        if db_url and not info.get("db"):
            info["db"] = db_url
        info.setdefault("created_by", f"editcaption {__version__}")
        write_atomic(marker, json.dumps(info, indent=2) + "\n")
        (path / "images").mkdir(exist_ok=True)
        return cls.open(path, db_url)

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
        return cls(path.resolve(), url, engine)

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

    # -- images --------------------------------------------------------------------
    def image_path(self, image: ImageRecord | str) -> Path:
        if isinstance(image, str):
            with self.session() as s:
                rec = s.get(ImageRecord, image)
                if rec is None:
                    raise KeyError(f"no image {image} in this workspace")
                image = rec
        return self.store.path_for(image.sha256, image.ext)

    @property
    def is_sqlite(self) -> bool:
        return self.db_url.startswith("sqlite")
