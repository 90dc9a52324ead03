"""Read-ahead for remote stores: download the next images into the read cache while the
current one is being used.

A stage that walks a known list of images (export hashing and copying them, for example)
hands the list to :meth:`ImageStore.prefetch`; a few threads fetch ahead of it, at most
``window`` images beyond the last one asked for, so the cache's bound is respected however
long the list. Without read-ahead each image would cost a full round trip to the store
before its turn could start.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable
from pathlib import Path

from .keys import ImageKey

DEFAULT_THREADS = 8
DEFAULT_WINDOW = 64


class ReadAhead:
    def __init__(self, fetch: Callable[[ImageKey], Path], threads: int = DEFAULT_THREADS,
                 window: int = DEFAULT_WINDOW):
        self._fetch = fetch
        self._threads = threads
        self._window = window
        self._cond = threading.Condition()
        self._todo: deque[ImageKey] = deque()
        self._started: dict[ImageKey, threading.Event] = {}  # fetched or being fetched, not yet asked for
        self._workers: list[threading.Thread] = []

    def schedule(self, keys: Iterable[ImageKey]) -> None:
        """Fetch these keys, in this order, ahead of :meth:`wait` asking for them (replaces the last list)."""
        with self._cond:
            self._todo = deque(dict.fromkeys(k for k in keys if k not in self._started))
            self._started = {k: e for k, e in self._started.items() if not e.is_set()}  # forget unasked leftovers
            self._cond.notify_all()
        while len(self._workers) < self._threads:
            t = threading.Thread(target=self._work, daemon=True, name=f"store-readahead-{len(self._workers)}")
            self._workers.append(t)
            t.start()

    def wait(self, key: ImageKey) -> None:
        """Called before reading ``key``: waits for its read-ahead, if one was started, and frees its slot."""
        with self._cond:
            event = self._started.get(key)
        if event is None:
            return
        event.wait()
        with self._cond:
            self._started.pop(key, None)
            self._cond.notify_all()

    def _work(self) -> None:
        while True:
            with self._cond:
                while not self._todo or len(self._started) >= self._window:
                    self._cond.wait()
                key = self._todo.popleft()
                if key in self._started:
                    continue
                event = self._started[key] = threading.Event()
            try:
                self._fetch(key)
            except Exception:  # noqa: BLE001, S110 - the reader fetches again and reports the error itself
                pass
            finally:
                event.set()
