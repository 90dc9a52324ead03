"""The single writer of a run: results reach the workspace in few transactions, off the event loop.

Results are queued from any thread (the event loop, a Ray driver) and written by one thread:
it takes what has arrived, waits up to ``linger`` seconds for more (at most ``max_batch``),
and merges them in one transaction. One transaction per result would cost more than the
request itself on a busy machine; with the linger, a kill loses at most the results of the
last ``linger`` seconds besides the requests in flight. When another process inserted one of
the batch's rows meanwhile (an IntegrityError), the batch is written again row by row, which
the stages' idempotent merges allow.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import IntegrityError

from .. import testhook
from ..workspace import Workspace
from .stage import Stage

_END = object()


class BatchWriter:
    def __init__(self, ws: Workspace, stage: Stage, written: Callable[[list[Any]], None], *,
                 linger: float = 0.1, max_batch: int = 512):
        self.ws = ws
        self.stage = stage
        self.written = written  # called on the writer thread with each batch once it is committed
        self.linger = linger
        self.max_batch = max_batch
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._error: BaseException | None = None
        self._one_chunk_per_commit = testhook.counts(stage.name)  # kill-and-resume tests only
        self._thread = threading.Thread(target=self._loop, name=f"{stage.name}-writer", daemon=True)
        self._thread.start()

    def submit(self, results: list[Any]) -> None:
        """Queue results for writing; raises the writer's error if it failed (the run must stop)."""
        if self._error is not None:
            raise self._error
        if results:
            self._queue.put(results)

    def close(self) -> None:
        """Write everything queued so far, stop the thread; raises the writer's error if it failed."""
        self._queue.put(_END)
        self._thread.join()
        if self._error is not None:
            raise self._error
        if self.stage.flush is not None:
            self.stage.flush()  # answers of items that never finished (a stop, Ctrl-C) are kept too

    def _loop(self) -> None:
        end = False
        while not end:
            first = self._queue.get()
            if first is _END:
                return
            batch = list(first)
            deadline = time.monotonic() + self.linger
            while len(batch) < self.max_batch and not self._one_chunk_per_commit:
                try:
                    more = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    break
                if more is _END:
                    end = True
                    break
                batch.extend(more)
            if self._error is None:
                try:
                    self._write(batch)
                except BaseException as exc:  # noqa: BLE001 - kept and raised on the run's thread
                    self._error = exc

    def _write(self, batch: list[Any]) -> None:
        if self.stage.flush is not None:
            self.stage.flush()
        try:
            with self.ws.session() as s:
                self.stage.write(s, batch)
        except IntegrityError:
            for result in batch:
                with self.ws.session() as s:
                    self.stage.write(s, [result])
        self.written(batch)
