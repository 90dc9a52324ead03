"""Model responses kept in the workspace, so an identical request is never paid for twice.

:class:`WorkspaceResponseCache` implements :class:`editcaption.llm.ResponseCache` over the
``llm_cache`` table (:class:`~editcaption.workspace.models.LLMCacheRecord`). Give it to a
:class:`~editcaption.llm.ChatClient` (``cache=``): the client keys each request by
:func:`editcaption.llm.request_key` — a hash of the *full* request body: model, every message
(so the prompt and its version, the instruction or candidate text, and the images' bytes),
sampling settings and seed — and asks the cache before calling the server.

Only usable answers are stored (the client never caches errors), so a failed request is
simply tried again on the next run. Scoring, judging and ground-truth drafting use it;
captioning does not (a caption run resumes from its own instruction rows instead).

``deferred=True`` (how the stage runner uses it) keeps new answers in memory, where
:meth:`get` already finds them, until :meth:`flush` writes them all in one transaction; the
runner flushes with every batch of results it writes, so an answer reaches the database no
later than the first result written after it.
"""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import Connection, bindparam, func, select

from .models import LLMCacheRecord
from .workspace import Workspace

_TABLE = LLMCacheRecord.__table__
_GET = select(LLMCacheRecord.response).where(LLMCacheRecord.key == bindparam("key"))


def _upsert(conn: Connection, rows: dict[str, tuple[str, dict[str, Any]]]) -> None:
    """Insert the rows; a key already stored gets the new answer (a refreshed request)."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = insert(_TABLE)
    stmt = stmt.on_conflict_do_update(index_elements=[_TABLE.c.key],
                                      set_={"model": stmt.excluded.model, "response": stmt.excluded.response})
    conn.execute(stmt, [{"key": k, "model": model, "response": response} for k, (model, response) in rows.items()])


class WorkspaceResponseCache:
    """``get(key)`` / ``put(key, model, response)`` on the workspace database; counts hits and misses."""

    def __init__(self, ws: Workspace, *, read: bool = True, deferred: bool = False):
        self.ws = ws
        self.read = read  # False: always call the server, but still store what comes back
        self.deferred = deferred
        self.hits = 0
        self.misses = 0
        self.writes = 0
        self._pending: dict[str, tuple[str, dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> dict[str, Any] | None:
        if not self.read:
            with self._lock:
                self.misses += 1
            return None
        with self._lock:
            held = self._pending.get(key)
        if held is not None:
            response: dict[str, Any] | None = held[1]
        else:
            # A plain connection, not an ORM session: this runs once per request, on the event loop.
            with self.ws.engine.connect() as conn:
                response = conn.execute(_GET, {"key": key}).scalar()
        with self._lock:
            if response is None:
                self.misses += 1
            else:
                self.hits += 1
        return response

    def put(self, key: str, model: str, response: dict[str, Any]) -> None:
        row = {key: (model[:256], response)}
        if self.deferred:
            with self._lock:
                self._pending.update(row)
            return
        with self.ws.engine.begin() as conn:
            _upsert(conn, row)
        with self._lock:
            self.writes += 1

    def flush(self) -> int:
        """Write the answers kept in memory (deferred mode) in one transaction; returns how many."""
        with self._lock:
            rows = dict(self._pending)
        if not rows:
            return 0
        with self.ws.engine.begin() as conn:
            _upsert(conn, rows)
        with self._lock:
            for key, row in rows.items():
                if self._pending.get(key) is row:  # not replaced meanwhile by a newer answer
                    del self._pending[key]
            self.writes += len(rows)
        return len(rows)

    def __len__(self) -> int:
        with self.ws.session() as s:
            return int(s.scalar(select(func.count()).select_from(LLMCacheRecord)) or 0)

    def stats(self) -> dict[str, int]:
        with self._lock:
            return {"hits": self.hits, "misses": self.misses, "writes": self.writes}
