"""What a stage hands the runner: how to select its items, call the model on them, and write the results.

A :class:`Stage` is plain callables, so the four stages that call models (caption, score,
eval judge, gt draft) differ only in these, never in how the work is scheduled:

* ``select()`` — every item the run covers, each with what an earlier run left for it:
  :data:`DONE`, :data:`FAILED`, or None (never tried). The runner skips done items, and
  failed ones unless asked to retry them;
* ``prepare(item)`` (optional) — CPU work for one item (decode and encode its images), run
  on a worker thread ahead of the calls; it returns what ``call`` takes, or
  :class:`Finished` holding a failed result (an unreadable image) that goes straight to
  ``write`` without a call;
* ``call(batch)`` — the model call(s) for a batch of prepared items (``batch_size`` long,
  1 for HTTP stages), on the event loop; one result per item, never raising for one bad
  item;
* ``write(session, results)`` — merge a batch of results into the workspace, inside the
  runner's transaction; it must be idempotent (the runner writes a batch again row by row
  when another writer inserted one of its rows meanwhile);
* ``verdict(result)`` — ok or failed (with a reason code), and whether the failure is fatal
  (401/403/404: every other item would fail the same way, so the run stops).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy.orm import Session

T = TypeVar("T")  # a selected item
R = TypeVar("R")  # its result

DONE = "done"  # an earlier run finished this item: skipped
FAILED = "failed"  # an earlier run failed on it: skipped unless failed items are retried


@dataclass(frozen=True)
class Verdict:
    """How a result counts: ``ok``, or failed with a ``reason`` code; ``fatal`` says why the run must stop."""

    ok: bool
    reason: str | None = None
    fatal: str | None = None


@dataclass(frozen=True)
class Finished(Generic[R]):
    """Returned by ``prepare`` for an item that is already decided (e.g. its image cannot be read)."""

    result: R


@dataclass
class Stage(Generic[T, R]):
    name: str  # the stage's name in progress bars (and for the test kill hook)
    select: Callable[[], Iterable[tuple[T, str | None]]]
    write: Callable[[Session, list[R]], None]
    verdict: Callable[[R], Verdict]
    # None only where the executor brings its own (the Ray executor's actors build their backend).
    call: Callable[[list[Any]], Awaitable[list[R]]] | None = None
    prepare: Callable[[T], Any] | None = None
    workers: int = 1  # batches being called at once
    batch_size: int = 1  # items per call
    # Work the stage keeps in memory that must reach the database with each batch (the
    # deferred response cache); run on the writer thread before each batch transaction.
    flush: Callable[[], Any] | None = None
    close: Callable[[], Awaitable[None]] | None = None  # release clients, on the event loop, at the end


def one_by_one(call: Callable[[Any], Awaitable[R]]) -> Callable[[list[Any]], Awaitable[list[R]]]:
    """``call`` for one prepared item as a stage's batch ``call``."""

    async def batch(prepared: list[Any]) -> list[R]:
        return [await call(p) for p in prepared]

    return batch


def workers_for(in_flight: int, requests_per_item: int, slack: int = 2) -> int:
    """Items to work on at once so that ``in_flight`` requests stay busy.

    Each item sends ``requests_per_item`` requests; the client's semaphore bounds the total,
    and ``slack`` more items keep the server busy while the next ones are being prepared.
    """
    return max(1, -(-in_flight // max(1, requests_per_item)) + slack)
