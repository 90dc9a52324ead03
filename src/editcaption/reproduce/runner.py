"""Running the miniature reproduction: the task graph of every seed on a pool of processes.

Each seed is an independent chain (its own workspace, data and models):

    prepare → sft → mine → dpo-<loss> (×4) → eval
    prepare → sft-blank → eval          (quick preset: the blank-image control)
    prepare → eval:teacher;  sft → eval:sft, eval:sft-grounded

Tasks run in ``workers`` processes (spawned, one torch thread each), longest chains first, so
two seeds train side by side on two cores. A finished task leaves ``tasks/<name>.json``; running
the same command again skips those and redoes the rest, so a killed run resumes. A task that
fails is recorded with its error, its dependants are skipped, and the others still run.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from .config import MiniConfig, config_from_json
from .tasks import EVAL_PREFIX, VAL_PREFIX, eval_targets, seed_dir

RUN_FILE = "mini.json"


class MiniError(RuntimeError):
    """A run that cannot start (one line)."""


@dataclass(frozen=True)
class Task:
    seed: int
    name: str  # prepare | pretrain | sft | sft-blank | probe | mine | dpo:<loss> | eval:<target> | val:<target>
    needs: tuple[str, ...]
    priority: int  # lower runs first among ready tasks

    @property
    def key(self) -> str:
        return f"seed-{self.seed}/{self.name}"


def plan(config: MiniConfig) -> list[Task]:
    """Every task of every seed, with its dependencies (within the seed)."""
    tasks: list[Task] = []
    for seed in range(config.seeds):
        t = [Task(seed, "prepare", (), 0)]
        if config.pretrain is not None:
            t.append(Task(seed, "pretrain", ("prepare",), 1))
        t += [Task(seed, "sft", ("pretrain" if config.pretrain is not None else "prepare",), 1),
              Task(seed, "mine", ("sft",), 2)]
        t += [Task(seed, f"dpo:{loss}", ("mine",), 3) for loss in config.losses]
        if config.blank_control:
            t.append(Task(seed, "sft-blank", ("prepare",), 1))
        if config.grounded:
            t.append(Task(seed, "sft-grounded", ("prepare",), 2))
        if config.probe:
            t.append(Task(seed, "probe", ("sft",), 4))
        t.append(Task(seed, f"{EVAL_PREFIX}teacher", ("prepare",), 5))
        for target, (checkpoint, _) in eval_targets(config).items():
            need = checkpoint.replace("dpo-", "dpo:")
            t.append(Task(seed, f"{EVAL_PREFIX}{target}", (need,), 4))
            if config.n_val and target != "sft-blank":
                t.append(Task(seed, f"{VAL_PREFIX}{target}", (need,), 4))
        tasks += t
    return tasks


# ------------------------------------------------------------------------- one task (worker)


def _init_worker() -> None:
    os.environ["OMP_NUM_THREADS"] = "1"
    os.environ["TOKENIZERS_PARALLELISM"] = "false"
    try:
        import torch

        torch.set_num_threads(1)
        torch.set_num_interop_threads(1)
    except (ImportError, RuntimeError):
        pass


def _call(root: Path, config: MiniConfig, seed: int, name: str) -> dict[str, Any]:
    from . import tasks as t

    if name == "prepare":
        return t.task_prepare(root, config, seed)
    if name == "pretrain":
        return t.task_pretrain(root, config, seed)
    if name == "sft":
        return t.task_sft(root, config, seed)
    if name == "sft-blank":
        return t.task_sft_blank(root, config, seed)
    if name == "sft-grounded":
        return t.task_sft_grounded(root, config, seed)
    if name == "mine":
        return t.task_mine(root, config, seed)
    if name.startswith("dpo:"):
        return t.task_dpo(root, config, seed, name.split(":", 1)[1])
    if name == "probe":
        return t.task_probe(root, config, seed)
    if name.startswith(EVAL_PREFIX):
        return t.task_eval(root, config, seed, name[len(EVAL_PREFIX):])
    if name.startswith(VAL_PREFIX):
        return t.task_eval(root, config, seed, name[len(VAL_PREFIX):], role="val")
    raise ValueError(f"unknown task {name!r}")


def run_task(root: str, seed: int, name: str) -> dict[str, Any]:
    """Run one task in this process, with its output in ``logs/<task>.log``; returns its record."""
    root_p = Path(root)
    config = load_config(root_p)
    sd = seed_dir(root_p, seed)
    safe = name.replace(":", "-")
    (sd / "logs").mkdir(parents=True, exist_ok=True)
    log = open(sd / "logs" / f"{safe}.log", "w", encoding="utf-8")  # noqa: SIM115 - closed below
    saved = os.dup(1), os.dup(2)
    sys.stdout.flush()
    sys.stderr.flush()
    os.dup2(log.fileno(), 1)
    os.dup2(log.fileno(), 2)
    started = time.time()
    record: dict[str, Any] = {"task": name, "seed": seed}
    try:
        record["result"] = _call(root_p, config, seed, name)
        record["status"] = "done"
    except Exception as exc:  # noqa: BLE001 - recorded; the scheduler skips the dependants
        traceback.print_exc()
        record["status"] = "failed"
        record["error"] = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        os.close(saved[0])
        os.close(saved[1])
        log.close()
    record["seconds"] = round(time.time() - started, 2)
    if record["status"] == "done":
        (sd / "tasks").mkdir(parents=True, exist_ok=True)
        (sd / "tasks" / f"{safe}.json").write_text(json.dumps(record, indent=2, default=str), encoding="utf-8")
    return record


def task_record(root: Path, task: Task) -> dict[str, Any] | None:
    path = seed_dir(root, task.seed) / "tasks" / f"{task.name.replace(':', '-')}.json"
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None


# ------------------------------------------------------------------------- the scheduler


def load_config(root: Path) -> MiniConfig:
    return config_from_json(json.loads((root / RUN_FILE).read_text(encoding="utf-8"))["config"])


def start_run(root: Path, config: MiniConfig, command: str) -> None:
    """Record the config in ``mini.json``; an existing run must have the same config (it resumes)."""
    root.mkdir(parents=True, exist_ok=True)
    path = root / RUN_FILE
    if path.is_file():
        old = json.loads(path.read_text(encoding="utf-8"))
        if old.get("config") != json.loads(json.dumps(config.to_json())):
            raise MiniError(f"{root} holds a mini run with other settings; use another --out")
        old.setdefault("commands", []).append(command)
        path.write_text(json.dumps(old, indent=2), encoding="utf-8")
        return
    path.write_text(json.dumps({"config": config.to_json(), "commands": [command]}, indent=2), encoding="utf-8")


@dataclass
class Progress:
    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)


def run_all(root: Path, config: MiniConfig, *, on_event: Callable[[str], None] | None = None) -> Progress:
    """Run every task not yet done; returns the records of all tasks (done now or before)."""
    say = on_event or (lambda _m: None)
    todo = plan(config)
    progress = Progress()
    for task in todo:
        rec = task_record(root, task)
        if rec is not None:
            progress.records[task.key] = rec
    pending = [t for t in todo if t.key not in progress.records]
    if not pending:
        return progress
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    running: dict[Future, Task] = {}

    def new_pool() -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=max(1, config.workers), mp_context=get_context("spawn"),
                                   initializer=_init_worker)

    pool = new_pool()
    broken = False  # a worker died: the pool takes no new task and is replaced once it is drained
    try:
        while pending or running:
            done_keys = {k for k, r in progress.records.items() if r.get("status") == "done"}
            failed = {k for k, r in progress.records.items() if r.get("status") != "done"} | set(progress.skipped)
            changed = True
            while changed:  # a skipped task skips what needs it, transitively
                changed = False
                for t in list(pending):
                    if any(f"seed-{t.seed}/{d}" in failed for d in t.needs):
                        progress.skipped[t.key] = "a task it needs failed"
                        failed.add(t.key)
                        pending.remove(t)
                        changed = True
            ready = sorted((t for t in pending if all(f"seed-{t.seed}/{d}" in done_keys for d in t.needs)),
                           key=lambda t: (t.priority, t.seed))
            while ready and not broken and len(running) < max(1, config.workers):
                t = ready.pop(0)
                pending.remove(t)
                running[pool.submit(run_task, str(root), t.seed, t.name)] = t
                say(f"start {t.key}")
            if not running and not broken:
                break
            finished, _ = wait(list(running), return_when=FIRST_COMPLETED)
            for fut in finished:
                t = running.pop(fut)
                try:
                    rec = fut.result()
                except BrokenProcessPool as exc:  # a worker died (killed, out of memory): fail its tasks, go on
                    rec = {"task": t.name, "seed": t.seed, "status": "failed", "error": f"worker died: {exc}"}
                    broken = True
                except Exception as exc:  # noqa: BLE001 - a crashed worker fails its task only
                    rec = {"task": t.name, "seed": t.seed, "status": "failed", "error": f"{type(exc).__name__}: {exc}"}
                progress.records[t.key] = rec
                say(f"{rec['status']} {t.key} ({rec.get('seconds', '?')} s)"
                    + (f": {rec.get('error')}" if rec["status"] != "done" else ""))
            if broken and not running:
                pool.shutdown(wait=False, cancel_futures=True)
                pool = new_pool()
                broken = False
                say("a worker process died; continuing with a new pool")
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return progress
