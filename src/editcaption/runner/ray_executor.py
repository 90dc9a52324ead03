"""Any stage's calls on a Ray cluster: actors that build the stage's call side themselves.

:class:`RayExecutor` is an :class:`~editcaption.runner.Executor` like the local one. The driver
(the process running the command) keeps what only it does — selecting the items, and the
runner's single writer merging results into the database — and sends the items, in batches,
to a pool of Ray actors:

* each actor is given a picklable :class:`WorkerRecipe` (the stage's settings, never a live
  client) and builds the stage's call side from it once: its own HTTP client, backend or
  model, and its own copy of the workspace's image store;
* items name their images by store key (sha256, extension), never by a path on the driver's
  disk, so an actor reads them through the store wherever it runs — on a cluster without a
  shared filesystem, from the object store;
* an actor runs a batch with the runner's :class:`~editcaption.runner.LocalExecutor` (the same
  ``prepare`` and ``call`` as a local run) and returns its results, with anything the driver
  must store alongside them (new model answers for the response cache: :class:`CarriedCache`);
  the driver hands them to the writer as each batch arrives, so the database fills as the
  cluster works and a killed driver resumes like a local run (done items are skipped);
* actors are spread over the cluster's nodes; when a node dies, Ray restarts its actors
  elsewhere and runs their unfinished batches again. The stages' merges are idempotent, so a
  batch answered twice never yields two rows.

Ray is imported only when a run uses this executor (the ``ray`` extra).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import islice
from types import SimpleNamespace
from typing import Any, Protocol

from .executor import Emit, LocalExecutor

# A node that dies takes its actors with it; Ray restarts them elsewhere and reruns their
# batches. Bounded, so that a batch that kills its worker every time ends the run with an error.
MAX_RESTARTS = 4


@dataclass
class WorkerSide:
    """What an actor builds from a recipe: the stage's ``prepare`` and ``call`` (as in :class:`Stage`)."""

    call: Callable[[list[Any]], Awaitable[list[Any]]]
    prepare: Callable[[Any], Any] | None = None
    workers: int = 1
    batch_size: int = 1
    fatal: Callable[[Any], bool] | None = None  # a result every other item would meet too: stop the batch
    carry: Callable[[], Any] | None = None  # after each batch: what travels back with its results


class WorkerRecipe(Protocol):
    """Picklable settings from which an actor builds a stage's call side (:meth:`build`, on the actor).

    ``store`` is the workspace's image store; it travels as its description (a folder, an
    ``s3://`` URL) and reads with the credentials of the worker's own environment.
    """

    store: Any

    def build(self) -> WorkerSide: ...


@dataclass(frozen=True)
class RayOptions:
    """How a stage runs on Ray: the cluster, the actors, and the batches they are sent."""

    address: str | None = None  # None: $RAY_ADDRESS, else a Ray started in this process
    workers: int = 2  # actors
    batch_size: int = 16  # items per batch sent to an actor
    gpus_per_worker: float = 0.0
    cpus_per_worker: float = 1.0


class StageWorker:
    """The actor: builds the call side once, then runs the batches it is sent."""

    def __init__(self, recipe: WorkerRecipe):
        check = getattr(recipe.store, "check", None)
        if check is not None:
            check()  # wrong credentials on this node: one error before any item, not one per item
        self.side = recipe.build()
        side = self.side
        self.executor = LocalExecutor(side.call, prepare=side.prepare, workers=side.workers,
                                      batch_size=side.batch_size, threads=2)
        # One long-lived event loop per actor: the HTTP client's connections belong to it.
        self.loop = asyncio.new_event_loop()
        self.pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="ray-prepare")

    def run(self, items: list[Any]) -> tuple[list[Any], Any]:
        results: list[Any] = []
        stop = threading.Event()
        fatal = self.side.fatal

        def keep(batch: list[Any]) -> None:
            results.extend(batch)
            if fatal is not None and any(fatal(r) for r in batch):
                stop.set()  # the rest of this batch would be refused the same way

        self.loop.run_until_complete(self.executor.run_async(items, keep, stop, pool=self.pool))
        return results, (self.side.carry() if self.side.carry is not None else None)

    def ready(self) -> bool:
        return True


class RayWorkerError(RuntimeError):
    """A Ray actor could not build the stage or kept dying (the message says why)."""


def ensure_ray(address: str | None) -> Any:
    """The ``ray`` module, connected to ``address`` (or $RAY_ADDRESS, or a local Ray) — once per process."""
    from ..importutils import require

    require("ray", feature="--executor ray")
    import ray

    if not ray.is_initialized():
        kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False, "logging_level": "warning"}
        if address:
            kwargs["address"] = address
        ray.init(**kwargs)
    return ray


class RayExecutor:
    """Run a stage's items on Ray actors built from ``recipe``; ``absorb`` takes each batch's carried extra.

    ``absorb`` runs on the driver before the batch's results are emitted (so, for the response
    cache, the answers are held where the writer's ``flush`` stores them with the results).
    """

    def __init__(self, recipe: WorkerRecipe, options: RayOptions, *, absorb: Callable[[Any], None] | None = None):
        self.recipe = recipe
        self.options = options
        self.absorb = absorb

    def run(self, items: Iterable[Any], emit: Emit, stop: threading.Event) -> None:
        ray = ensure_ray(self.options.address)
        from ray.exceptions import RayActorError, RayTaskError

        logging.getLogger("ray").setLevel(logging.WARNING)
        opts = self.options
        remote: dict[str, Any] = {"num_cpus": opts.cpus_per_worker, "max_restarts": MAX_RESTARTS,
                                  "max_task_retries": MAX_RESTARTS, "scheduling_strategy": "SPREAD"}
        if opts.gpus_per_worker:
            remote["num_gpus"] = opts.gpus_per_worker
        actor_cls = ray.remote(StageWorker).options(**remote)
        actors = [actor_cls.remote(self.recipe) for _ in range(max(1, opts.workers))]
        source = iter(items)
        starting = {actor.ready.remote(): actor for actor in actors}  # ready ref → actor being built
        idle: deque[Any] = deque()  # a free slot of a ready actor (two each: one batch running, one queued)
        running: dict[Any, Any] = {}  # batch result ref → actor
        exhausted = False
        try:
            while True:
                while idle and not exhausted and not stop.is_set():
                    batch = list(islice(source, max(1, opts.batch_size)))
                    if not batch:
                        exhausted = True
                        break
                    actor = idle.popleft()
                    running[actor.run.remote(batch)] = actor
                if not running and (exhausted or stop.is_set()):
                    return
                # Batches go only to actors that are up: one that waits for room on the cluster
                # holds none. One that fails to build the stage (a bad setting, wrong credentials on
                # its node) ends the run with that one error instead of failing every item.
                [done], _ = ray.wait([*running, *starting], num_returns=1)
                if done in starting:
                    actor = starting.pop(done)
                    _get(ray, done, RayActorError, RayTaskError)
                    idle.extend((actor, actor))
                    continue
                idle.append(running.pop(done))
                results, extra = _get(ray, done, RayActorError, RayTaskError)
                if extra is not None and self.absorb is not None:
                    self.absorb(extra)
                emit(results)
        finally:
            for actor in actors:
                ray.kill(actor, no_restart=True)


def _get(ray: Any, ref: Any, actor_error: type[BaseException], task_error: type[BaseException]) -> Any:
    """``ray.get`` with a worker's failure said in one line (its own exception, not Ray's traceback)."""
    try:
        return ray.get(ref)
    except task_error as exc:
        cause = getattr(exc, "cause", None) or exc  # RayTaskError → the worker's own exception
        raise RayWorkerError(f"a Ray worker failed: {type(cause).__name__}: {_last_line(str(cause))}") from None
    except actor_error as exc:
        if getattr(exc, "actor_init_failed", False):
            # The stage could not be built there (e.g. the store refused the node's credentials);
            # the message ends with that exception as "module.Class: message".
            last = _last_line(str(exc))
            name, sep, message = last.partition(": ")
            raise RayWorkerError(f"a Ray worker could not start: {name.rsplit('.', 1)[-1]}{sep}{message}") from None
        raise RayWorkerError(f"a Ray worker died {MAX_RESTARTS + 1} times on the same batch: "
                             f"{_first_line(str(exc))}") from None


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0] if lines else ""


# --------------------------------------------------------------------------- the response cache on a worker


class CarriedCache:
    """A stage's response cache on a Ray worker: reads the workspace's, carries new answers back.

    Lookups read the workspace database (which the workers must reach, as on a cluster with
    PostgreSQL); new answers are kept here and returned with each batch (:meth:`take`), and the
    driver puts them in its own cache, whose ``flush`` the writer runs before writing the batch —
    so an answer is stored exactly as in a local run, by the one writer.
    """

    def __init__(self, db_url: str, *, read: bool = True):
        from ..workspace.llm_cache import WorkspaceResponseCache
        from ..workspace.workspace import make_engine

        # The cache reads only the workspace's database (its ``engine``), never the folder,
        # which a worker on another node does not have.
        self._reader = WorkspaceResponseCache(SimpleNamespace(engine=make_engine(db_url)), read=read)  # type: ignore[arg-type]
        self._new: dict[str, tuple[str, dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            held = self._new.get(key)
        return held[1] if held is not None else self._reader.get(key)

    def put(self, key: str, model: str, response: dict[str, Any]) -> None:
        with self._lock:
            self._new[key] = (model, response)

    def take(self) -> list[tuple[str, str, dict[str, Any]]]:
        """The answers received since the last call, as ``(key, model, response)``."""
        with self._lock:
            new, self._new = self._new, {}
        return [(key, model, response) for key, (model, response) in new.items()]


def absorb_answers(cache: Any) -> Callable[[Any], None]:
    """The driver's ``absorb`` for a stage whose workers carry answers (:class:`CarriedCache`) to ``cache``."""

    def absorb(answers: list[tuple[str, str, dict[str, Any]]]) -> None:
        for key, model, response in answers:
            cache.put(key, model, response)

    return absorb
