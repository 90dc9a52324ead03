"""Reading pairs and runs: the queries every stage shares (`--where`, listing, stats)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from .. import __version__
from ..schema import GroundTruth, ImageRef, Pair
from .models import GroundTruthRecord, PairRecord, RunRecord, ScoreRecord, utcnow

WHERE_KEYS = ("id", "name", "category", "subtype", "split", "origin")


class WhereError(ValueError):
    pass


def parse_where(clauses: Iterable[str] | None) -> dict[str, list[str]]:
    """Parse ``--where key=value[,value...]`` clauses (AND across keys, OR within a key).

    Keys: id, name, category, subtype, split, origin (the dataset or source kind).
    """
    result: dict[str, list[str]] = {}
    for clause in clauses or []:
        if "=" not in clause:
            raise WhereError(f"--where expects key=value, got {clause!r}")
        key, value = (p.strip() for p in clause.split("=", 1))
        if key not in WHERE_KEYS:
            raise WhereError(f"--where key {key!r} is not one of {', '.join(WHERE_KEYS)}")
        result.setdefault(key, []).extend(v.strip() for v in value.split(",") if v.strip())
    return result


def pairs_select(where: dict[str, list[str]] | None = None) -> Select[tuple[PairRecord]]:
    stmt = select(PairRecord).order_by(PairRecord.created_at, PairRecord.id)
    for key, values in (where or {}).items():
        if key == "origin":
            stmt = stmt.where(func.coalesce(PairRecord.origin["dataset"].as_string(), "").in_(values))
        else:
            stmt = stmt.where(getattr(PairRecord, key).in_(values))
    return stmt


def list_pairs(session: Session, where: dict[str, list[str]] | None = None, limit: int | None = None) -> list[PairRecord]:
    stmt = pairs_select(where)
    if limit:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt).unique())


def find_pair(session: Session, ident: str) -> PairRecord | None:
    """A pair by id, id prefix (unique) or name."""
    rec = session.get(PairRecord, ident)
    if rec is not None:
        return rec
    matches = list(session.scalars(select(PairRecord).where(PairRecord.id.startswith(ident)).limit(2)).unique())
    if len(matches) == 1:
        return matches[0]
    by_name = list(session.scalars(select(PairRecord).where(PairRecord.name == ident).limit(2)).unique())
    return by_name[0] if len(by_name) == 1 else None


def pair_record_to_schema(rec: PairRecord) -> Pair:
    def ref(img: Any) -> ImageRef:
        return ImageRef(sha256=img.sha256, width=img.width, height=img.height, format=img.format)

    return Pair(
        id=rec.id,
        name=rec.name,
        source=ref(rec.source),
        target=ref(rec.target),
        origin=rec.origin or {},
        category=rec.category,
        subtype=rec.subtype,
        split=rec.split,
    )


def pair_json(rec: PairRecord) -> dict[str, Any]:
    """The `pairs list --json` object for one pair."""
    p = pair_record_to_schema(rec)
    return {
        "id": p.id,
        "name": p.name,
        "origin": p.origin,
        "category": p.category,
        "subtype": p.subtype,
        "split": p.split,
        "source": {"sha256": p.source.sha256, "width": p.source.width, "height": p.source.height},
        "target": {"sha256": p.target.sha256, "width": p.target.width, "height": p.target.height},
    }


def ground_truth_for(session: Session, pair_id: str) -> GroundTruth | None:
    rec = session.scalar(select(GroundTruthRecord).where(GroundTruthRecord.pair_id == pair_id))
    if rec is None:
        return None
    return GroundTruth(
        pair_id=pair_id,
        primary=rec.primary or [],
        secondary=rec.secondary or [],
        overall=rec.overall or "",
        verified=rec.verified,
        source=rec.source,
    )


def pair_stats(session: Session) -> dict[str, Any]:
    pairs = list_pairs(session)
    return {
        "pairs": len(pairs),
        "by_origin": dict(Counter((p.origin or {}).get("dataset") or "unknown" for p in pairs)),
        "by_category": dict(Counter(p.category or "unknown" for p in pairs)),
        "by_split": dict(Counter(p.split or "unassigned" for p in pairs)),
    }


def latest_scores(session: Session, instruction_ids: list[int], scorer: str | None = None) -> dict[int, ScoreRecord]:
    """The most recent score of each instruction (of ``scorer`` when given), whatever its status."""
    latest: dict[int, ScoreRecord] = {}
    stmt = select(ScoreRecord).order_by(ScoreRecord.created_at, ScoreRecord.id)
    if scorer:
        stmt = stmt.where(ScoreRecord.scorer == scorer)
    for start in range(0, len(instruction_ids), 5000):  # bounded IN lists
        chunk = instruction_ids[start : start + 5000]
        for rec in session.scalars(stmt.where(ScoreRecord.instruction_id.in_(chunk))):
            latest[rec.instruction_id] = rec
    return latest


# -- runs -------------------------------------------------------------------------------


def get_or_start_run(session: Session, name: str, kind: str, config: dict[str, Any]) -> tuple[RunRecord, bool]:
    """The run called ``name``, creating it if new; returns (run, created).

    Re-using a name resumes that run; a run of another kind with the same name is an error.
    """
    run = session.get(RunRecord, name)
    if run is not None:
        if run.kind != kind:
            raise ValueError(f"run {name!r} already exists as a {run.kind} run")
        run.status = "running"
        run.ended_at = None
        return run, False
    run = RunRecord(id=name, kind=kind, config=config, package_version=__version__, status="running")
    session.add(run)
    session.flush()
    return run, True


def finish_run(session: Session, name: str, status: str, counts: dict[str, Any]) -> None:
    run = session.get(RunRecord, name)
    if run is None:
        raise KeyError(name)
    run.status = status
    run.counts = counts
    run.ended_at = utcnow()
