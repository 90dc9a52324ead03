"""Test hook: the process kills itself (SIGKILL) right after its K-th finished item of a stage.

The kill-and-resume tests need a process to die at an exact point: after the K-th pair is
committed, the K-th caption outcome is written, the K-th checkpoint is complete. Watching
from outside and killing "soon after" races the clock on a loaded machine; with this hook
the process stops itself at that point, however slow the machine is.

``EDITCAPTION_TEST_KILL_AFTER=STAGE:K`` (e.g. ``ingest:20``, ``caption:8``, ``checkpoint:2``)
turns it on for one stage; the stages call :func:`item_done` once an item is durable:
``ingest`` after each pair is committed, the model-calling stages run by
:mod:`editcaption.runner` (``caption``...) after each batch of results is committed, counted
one by one, and training (``checkpoint``) after each checkpoint is marked complete.

The variable is read once, when this module is imported. Without it (always, outside the
tests) :func:`item_done` is a function that returns at once: nothing is counted or checked.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable

ENV = "EDITCAPTION_TEST_KILL_AFTER"


def parse(spec: str) -> tuple[str, int]:
    """``STAGE:K`` → (stage, K); anything else is a ValueError naming the variable."""
    stage, _, count = spec.strip().partition(":")
    if not stage or not count.isdigit() or int(count) < 1:
        raise ValueError(f"{ENV} must be STAGE:K (a stage name and K ≥ 1, e.g. ingest:20), got {spec!r}")
    return stage, int(count)


def _off(stage: str, n: int = 1) -> None:
    """The hook is off: nothing to count."""


def _armed(wanted: str, k: int) -> Callable[[str, int], None]:
    lock = threading.Lock()
    done = 0

    def item_done(stage: str, n: int = 1) -> None:
        nonlocal done
        if stage != wanted:
            return
        with lock:
            done += n
            if done >= k:
                os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))

    return item_done


_spec = os.environ.get(ENV)
item_done: Callable[..., None] = _armed(*parse(_spec)) if _spec else _off


def counts(stage: str) -> bool:
    """Whether the hook is armed for ``stage``: writers then commit each finished chunk on its own,
    so the kill lands after K items however busy the machine (merged commits could hold them all)."""
    return bool(_spec) and parse(_spec)[0] == stage
