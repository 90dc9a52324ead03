"""Where a stage's calls run: the :class:`Executor` interface, and :class:`LocalExecutor` (asyncio here).

An executor takes the pending items, calls the model on them and hands every finished
batch of results to ``emit`` (from whichever thread it likes); it stops taking new items
once ``stop`` is set (a fatal answer, the writer failing). Items it never called simply stay
pending for the next run. Every stage can also run on Ray
(:class:`editcaption.runner.ray_executor.RayExecutor`): the same interface, with the calls
made by actors that build the stage's client or backend themselves.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Awaitable, Callable, Iterable
from concurrent.futures import Executor as ThreadPool
from concurrent.futures import ThreadPoolExecutor
from itertools import islice
from typing import Any, Protocol

from .stage import Finished, Stage

Emit = Callable[[list[Any]], None]


class Executor(Protocol):
    def run(self, items: Iterable[Any], emit: Emit, stop: threading.Event) -> None:
        """Call the model on ``items``, passing each batch of results to ``emit``, until done or ``stop``."""


class LocalExecutor:
    """One event loop: items prepared ahead on threads, ``workers`` batches being called at once.

    ``prefetch`` batches are prepared (images decoded and encoded) ahead of the calls on a
    pool of ``threads``, so a worker whose answer arrives sends its next request without
    waiting for image work. Results go to ``emit`` as each batch finishes.
    """

    def __init__(self, call: Callable[[list[Any]], Awaitable[list[Any]]], *,
                 prepare: Callable[[Any], Any] | None = None, workers: int = 1, batch_size: int = 1,
                 threads: int | None = None, prefetch: int | None = None,
                 close: Callable[[], Awaitable[None]] | None = None):
        self.call = call
        self.prepare = prepare
        self.workers = max(1, workers)
        self.batch_size = max(1, batch_size)
        self.threads = threads or max(2, os.cpu_count() or 2)
        self.prefetch = prefetch if prefetch is not None else self.threads
        self.close = close

    @classmethod
    def for_stage(cls, stage: Stage) -> LocalExecutor:
        if stage.call is None:
            raise ValueError(f"the {stage.name} stage has no call to run locally")
        return cls(stage.call, prepare=stage.prepare, workers=stage.workers, batch_size=stage.batch_size,
                   close=stage.close)

    def run(self, items: Iterable[Any], emit: Emit, stop: threading.Event) -> None:
        asyncio.run(self._main(items, emit, stop))

    async def _main(self, items: Iterable[Any], emit: Emit, stop: threading.Event) -> None:
        try:
            await self.run_async(items, emit, stop)
        finally:
            if self.close is not None:
                await self.close()

    async def run_async(self, items: Iterable[Any], emit: Emit, stop: threading.Event, *,
                        pool: ThreadPool | None = None) -> None:
        """The work of :meth:`run` on the running loop (a Ray actor keeps one loop and one ``pool``)."""
        loop = asyncio.get_running_loop()
        own_pool = pool is None
        threads = pool or ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="prepare")
        source = iter(items)
        # At most this many batches are prepared or being called. The queue itself is unbounded
        # so that end markers can always be put without waiting (even while being cancelled).
        slots = asyncio.Semaphore(self.workers + self.prefetch)
        ready: asyncio.Queue[list[Any] | None] = asyncio.Queue()
        prepare = self.prepare

        async def producer() -> None:
            while not stop.is_set():
                await slots.acquire()
                batch = list(islice(source, self.batch_size))
                if not batch:
                    slots.release()
                    return
                if prepare is not None:
                    batch = await asyncio.gather(*(loop.run_in_executor(threads, prepare, t) for t in batch))
                ready.put_nowait(batch)

        async def worker() -> None:
            while True:
                prepared = await ready.get()
                if prepared is None:
                    return
                slots.release()
                if stop.is_set():
                    return  # prepared items not sent stay pending
                results = [p.result for p in prepared if isinstance(p, Finished)]
                todo = [p for p in prepared if not isinstance(p, Finished)]
                if todo:
                    results += await self.call(todo)
                emit(results)

        async def produce_all() -> None:
            try:
                await asyncio.gather(*(producer() for _ in range(max(1, self.prefetch))))
            finally:
                for _ in range(self.workers):
                    ready.put_nowait(None)  # one end marker per worker

        feeding = asyncio.create_task(produce_all())
        working = [asyncio.create_task(worker()) for _ in range(self.workers)]
        try:
            await asyncio.gather(*working)
        finally:
            # On an error (or Ctrl-C) the other workers and the preparation stop too.
            for task in (*working, feeding):
                task.cancel()
            await asyncio.gather(*working, feeding, return_exceptions=True)
            if own_pool:
                threads.shutdown(wait=False, cancel_futures=True)
