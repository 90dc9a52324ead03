"""Model responses kept in the workspace, so an identical request is never paid for twice.

:class:`WorkspaceResponseCache` implements :class:`editcaption.llm.ResponseCache` over the
``llm_cache`` table (:class:`~editcaption.workspace.models.LLMCacheRecord`). Give it to a
:class:`~editcaption.llm.ChatClient` (``cache=``): the client keys each request by
:func:`editcaption.llm.request_key` — a hash of the *full* request body: model, every message
(so the prompt and its version, the instruction or candidate text, and the images' bytes),
sampling settings and seed — and asks the cache before calling the server.

Only usable answers are stored (the client never caches errors), so a failed request is
simply tried again on the next run. Scoring and judging use it; captioning does not (a caption
run resumes from its own instruction rows instead).
"""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from .models import LLMCacheRecord
from .workspace import Workspace


class WorkspaceResponseCache:
    """``get(key)`` / ``put(key, model, response)`` on the workspace database; counts hits and misses."""

    def __init__(self, ws: Workspace, *, read: bool = True):
        self.ws = ws
        self.read = read  # False: always call the server, but still store what comes back
        self.hits = 0
        self.misses = 0
        self.writes = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> dict[str, Any] | None:
        if not self.read:
            with self._lock:
                self.misses += 1
            return None
        with self.ws.session() as s:
            response = s.scalar(select(LLMCacheRecord.response).where(LLMCacheRecord.key == key))
        with self._lock:
            if response is None:
                self.misses += 1
            else:
                self.hits += 1
        return response

    def put(self, key: str, model: str, response: dict[str, Any]) -> None:
        try:
            with self.ws.session() as s:
                row = s.get(LLMCacheRecord, key)
                if row is None:
                    s.add(LLMCacheRecord(key=key, model=model[:256], response=response))
                else:  # a fresh answer for the same request (read=False) replaces the old one
                    row.model = model[:256]
                    row.response = response
        except IntegrityError:
            return  # another process stored the same request first; its answer is as good
        with self._lock:
            self.writes += 1

    def __len__(self) -> int:
        with self.ws.session() as s:
            return int(s.scalar(select(func.count()).select_from(LLMCacheRecord)) or 0)

    def stats(self) -> dict[str, int]:
        with self._lock:
            return {"hits": self.hits, "misses": self.misses, "writes": self.writes}
