"""Reading and writing caption results in the workspace.

An instruction row is unique per (run, pair). Writes merge idempotently, so results may
arrive twice (a resumed run, a Ray task retried after a worker died) without duplicates:

* no row yet → insert it;
* an ``ok`` row → kept as it is (the first good answer wins);
* a ``failed`` row → replaced by the new result; attempts add up.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from ..store import ImageKey
from ..workspace import Workspace
from ..workspace.models import ImageRecord, InstructionRecord, PairRecord, RunRecord
from ..workspace.queries import pairs_select
from .items import Outcome, PairTask, reason_of


def select_tasks(ws: Workspace, where: dict[str, list[str]] | None, limit: int | None) -> list[PairTask]:
    """The pairs a run covers, in the workspace's stable order, with their images' store keys."""
    src, tgt = aliased(ImageRecord), aliased(ImageRecord)
    stmt = (
        pairs_select(where)
        .with_only_columns(PairRecord.id, src.sha256, src.ext, tgt.sha256, tgt.ext)
        .join(src, src.sha256 == PairRecord.source_sha)
        .join(tgt, tgt.sha256 == PairRecord.target_sha)
    )
    if limit:
        stmt = stmt.limit(limit)
    with ws.session() as s:
        rows = s.execute(stmt).all()
    return [PairTask(pair_id=pid, source=ImageKey(ss, se), target=ImageKey(ts, te)) for pid, ss, se, ts, te in rows]


def run_statuses(s: Session, run_id: str) -> dict[str, str]:
    """pair id → ``ok`` / ``failed`` for every instruction row of the run."""
    stmt = select(InstructionRecord.pair_id, InstructionRecord.status).where(InstructionRecord.run_id == run_id)
    return dict(s.execute(stmt).all())


def _merge(s: Session, existing: InstructionRecord | None, out: Outcome, run_id: str, producer: str,
           prompt_version: str | None) -> bool:
    if existing is None:
        s.add(InstructionRecord(pair_id=out.pair_id, run_id=run_id, text=out.text if out.ok else None,
                                producer=producer, prompt_version=prompt_version,
                                status="ok" if out.ok else "failed", error=out.error,
                                attempts=out.attempts, usage=out.usage))
        return True
    if existing.status == "ok":
        return False
    existing.attempts = (existing.attempts or 0) + out.attempts
    existing.text = out.text if out.ok else None
    existing.status = "ok" if out.ok else "failed"
    existing.error = out.error
    existing.usage = out.usage
    existing.producer = producer
    existing.prompt_version = prompt_version
    return True


def merge_outcomes(s: Session, run_id: str, producer: str, prompt_version: str | None,
                   outcomes: list[Outcome]) -> int:
    """Merge a batch of outcomes in the session's transaction; returns how many rows changed."""
    # The last outcome for a pair within one batch wins the merge order.
    by_pair = {o.pair_id: o for o in outcomes}
    if not by_pair:
        return 0
    existing = {
        r.pair_id: r
        for r in s.scalars(select(InstructionRecord).where(
            InstructionRecord.run_id == run_id, InstructionRecord.pair_id.in_(list(by_pair))))
    }
    return sum(_merge(s, existing.get(pid), o, run_id, producer, prompt_version) for pid, o in by_pair.items())


def write_outcomes(ws: Workspace, run_id: str, producer: str, prompt_version: str | None,
                   outcomes: list[Outcome]) -> int:
    """Merge a batch of outcomes in one transaction; returns how many rows changed."""
    if not outcomes:
        return 0
    try:
        with ws.session() as s:
            return merge_outcomes(s, run_id, producer, prompt_version, outcomes)
    except IntegrityError:
        # Another writer inserted one of these pairs meanwhile: merge row by row instead.
        changed = 0
        for o in {o.pair_id: o for o in outcomes}.values():
            with ws.session() as s:
                changed += merge_outcomes(s, run_id, producer, prompt_version, [o])
        return changed


def run_counts(s: Session, run_id: str) -> dict[str, Any]:
    """Totals over every instruction row of a run: ok, failed by reason, tokens."""
    ok = failed = 0
    reasons: Counter[str] = Counter()
    tokens: Counter[str] = Counter()
    stmt = select(InstructionRecord.status, InstructionRecord.error, InstructionRecord.usage).where(
        InstructionRecord.run_id == run_id)
    for status, error, usage in s.execute(stmt):
        if status == "ok":
            ok += 1
        else:
            failed += 1
            reasons[reason_of(error)] += 1
        for key in ("prompt_tokens", "completion_tokens", "total_tokens"):
            value = (usage or {}).get(key)
            if isinstance(value, int):
                tokens[key] += value
    return {"ok": ok, "failed": failed, "failed_by_reason": dict(sorted(reasons.items())), "tokens": dict(tokens)}


def list_runs(s: Session, kind: str | None = None) -> list[RunRecord]:
    stmt = select(RunRecord).order_by(RunRecord.started_at, RunRecord.id)
    if kind:
        stmt = stmt.where(RunRecord.kind == kind)
    return list(s.scalars(stmt))


def run_json(run: RunRecord, counts: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "id": run.id, "kind": run.kind, "status": run.status, "package_version": run.package_version,
        "started_at": run.started_at, "ended_at": run.ended_at, "config": run.config or {},
        "counts": counts if counts is not None else (run.counts or {}),
    }


def iter_instructions(s: Session, run_id: str, status: str | None = "ok") -> Iterator[dict[str, Any]]:
    """The export rows of a run (one dict per instruction), in pair order."""
    stmt = (
        select(InstructionRecord, PairRecord.name)
        .join(PairRecord, PairRecord.id == InstructionRecord.pair_id)
        .where(InstructionRecord.run_id == run_id)
        .order_by(InstructionRecord.id)
    )
    if status:
        stmt = stmt.where(InstructionRecord.status == status)
    for ins, name in s.execute(stmt):
        yield {
            "pair_id": ins.pair_id, "pair_name": name, "run": ins.run_id, "producer": ins.producer,
            "prompt_version": ins.prompt_version, "status": ins.status, "instruction": ins.text,
            "error": ins.error, "attempts": ins.attempts, "usage": ins.usage or {},
            "created_at": ins.created_at.isoformat() if ins.created_at else None,
        }
