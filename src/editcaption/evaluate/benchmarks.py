"""Benchmarks: named, seeded selections of pairs that runs are scored on (§5.1.1, Table 1).

``eval prepare`` records a benchmark in the workspace (tables ``benchmarks`` and
``benchmark_pairs``) so that ``--benchmark NAME`` selects exactly the same pairs later,
in every command and on every machine:

* ``hqedit`` — a random sample (default 500, as in the paper) of the ingested HQ-Edit
  rows from its train split (the official test set has only 293 rows); forward edits
  only unless ``both_directions``;
* ``bytemorph`` — ByteMorph-Bench's test rows (613), by category (camera zoom, camera
  motion, object motion, human motion, interaction); with ``n`` (the paper uses 600) a
  sample stratified by category;
* ``editworld`` — ``n`` freshly generated EditWorld pairs with exact ground truth
  (:func:`editcaption.synth.generate`), ingested into the workspace;
* ``custom`` — any ingested pairs with ground truth (``where`` filters, optional sample).

Sampling is seeded and independent of the order pairs were ingested in: pairs are ranked
by a hash of (seed, pair id) and the first ``n`` are taken.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ..workspace import Workspace
from ..workspace.models import BenchmarkPairRecord, BenchmarkRecord, GroundTruthRecord, PairRecord
from ..workspace.queries import list_pairs

KINDS = ("hqedit", "bytemorph", "editworld", "custom")
DEFAULT_N = {"hqedit": 500, "bytemorph": None, "editworld": 200, "custom": None}


class BenchmarkError(ValueError):
    """A benchmark that cannot be prepared or found (one-line message)."""


@dataclass
class PreparedBenchmark:
    name: str
    kind: str
    config: dict[str, Any]
    pair_ids: list[str]
    created: bool
    available: int = 0  # candidates the sample was drawn from
    warnings: list[str] = field(default_factory=list)
    by_category: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "config": self.config, "pairs": len(self.pair_ids),
                "created": self.created, "available": self.available, "by_category": self.by_category,
                "warnings": self.warnings}


# ----------------------------------------------------------------------------- sampling


def _rank_key(seed: int, pair_id: str) -> str:
    return hashlib.sha256(f"{seed}:{pair_id}".encode()).hexdigest()


def seeded_order(pair_ids: Iterable[str], seed: int) -> list[str]:
    """Pair ids in a pseudo-random order fixed by ``seed`` (not by insertion order)."""
    return sorted(set(pair_ids), key=lambda pid: _rank_key(seed, pid))


def sample(pair_ids: Iterable[str], n: int | None, seed: int) -> list[str]:
    ordered = seeded_order(pair_ids, seed)
    return ordered if n is None else ordered[:n]


def quotas(sizes: dict[str, int], n: int) -> dict[str, int]:
    """Largest-remainder apportionment of ``n`` over groups proportional to their sizes."""
    total = sum(sizes.values())
    if n >= total:
        return dict(sizes)
    exact = {g: n * size / total for g, size in sizes.items()}
    out = {g: int(v) for g, v in exact.items()}
    left = n - sum(out.values())
    for g in sorted(exact, key=lambda g: (-(exact[g] - out[g]), g))[:left]:
        out[g] += 1
    return out


def stratified_sample(groups: dict[str, list[str]], n: int | None, seed: int) -> list[str]:
    """A sample with each group's share of ``n`` proportional to its size (all when n is None)."""
    if n is None:
        return [pid for g in sorted(groups) for pid in seeded_order(groups[g], seed)]
    share = quotas({g: len(v) for g, v in groups.items()}, n)
    picked = [pid for g in sorted(groups) for pid in seeded_order(groups[g], seed)[: share[g]]]
    return seeded_order(picked, seed)


# ----------------------------------------------------------------------------- storage


def _save(s: Session, name: str, kind: str, config: dict[str, Any], pair_ids: list[str], replace: bool) -> bool:
    """Record the benchmark; returns False when an identical one already exists."""
    existing = s.get(BenchmarkRecord, name)
    if existing is not None:
        if existing.kind == kind and existing.config == config and not replace:
            return False
        if not replace:
            raise BenchmarkError(f"benchmark {name!r} already exists with other settings "
                                 f"({existing.kind}, {existing.config}); pass --replace to rebuild it or choose --name")
        s.execute(delete(BenchmarkPairRecord).where(BenchmarkPairRecord.benchmark == name))
        existing.kind, existing.config = kind, config
    else:
        s.add(BenchmarkRecord(name=name, kind=kind, config=config))
        s.flush()
    s.add_all(BenchmarkPairRecord(benchmark=name, pair_id=pid, position=i) for i, pid in enumerate(pair_ids))
    return True


def benchmark_pair_ids(s: Session, name: str) -> list[str]:
    """The pairs of a benchmark in their sampled order; unknown names raise BenchmarkError."""
    if s.get(BenchmarkRecord, name) is None:
        known = [b for (b,) in s.execute(select(BenchmarkRecord.name).order_by(BenchmarkRecord.name))]
        hint = f" (known: {', '.join(known)})" if known else " (prepare one with `editcaption eval prepare`)"
        raise BenchmarkError(f"no benchmark named {name!r}{hint}")
    stmt = (select(BenchmarkPairRecord.pair_id).where(BenchmarkPairRecord.benchmark == name)
            .order_by(BenchmarkPairRecord.position))
    return list(s.scalars(stmt))


def benchmark_memberships(s: Session) -> dict[str, list[str]]:
    """Every benchmark's pair ids, by benchmark name."""
    out: dict[str, list[str]] = {b.name: [] for b in s.scalars(select(BenchmarkRecord).order_by(BenchmarkRecord.name))}
    stmt = select(BenchmarkPairRecord.benchmark, BenchmarkPairRecord.pair_id).order_by(
        BenchmarkPairRecord.benchmark, BenchmarkPairRecord.position)
    for name, pid in s.execute(stmt):
        out.setdefault(name, []).append(pid)
    return out


def list_benchmarks(s: Session) -> list[dict[str, Any]]:
    rows = []
    for b in s.scalars(select(BenchmarkRecord).order_by(BenchmarkRecord.created_at, BenchmarkRecord.name)):
        members = select(BenchmarkPairRecord.pair_id).where(BenchmarkPairRecord.benchmark == b.name)
        cats = dict(s.execute(select(func.coalesce(PairRecord.category, "unknown"), func.count())
                              .where(PairRecord.id.in_(members)).group_by(PairRecord.category)).all())
        gts = s.execute(select(GroundTruthRecord.verified, func.count()).where(GroundTruthRecord.pair_id.in_(members))
                        .group_by(GroundTruthRecord.verified)).all()
        gt_counts = {bool(v): c for v, c in gts}
        rows.append({"name": b.name, "kind": b.kind, "config": b.config, "pairs": sum(cats.values()),
                     "by_category": cats, "ground_truth": sum(gt_counts.values()),
                     "verified_ground_truth": gt_counts.get(True, 0), "created_at": b.created_at})
    return rows


# ----------------------------------------------------------------------------- kinds


def _dataset_pairs(s: Session, dataset: str) -> list[PairRecord]:
    return list_pairs(s, {"origin": [dataset]})


def _counts(s: Session, pair_ids: list[str]) -> dict[str, int]:
    rows = s.execute(select(PairRecord.id, PairRecord.category).where(PairRecord.id.in_(pair_ids))).all()
    return dict(sorted(Counter(cat or "unknown" for _, cat in rows).items()))


def prepare_hqedit(ws: Workspace, *, n: int | None = 500, seed: int = 0, name: str = "hqedit",
                   both_directions: bool = False, replace: bool = False) -> PreparedBenchmark:
    with ws.session() as s:
        pool = [p.id for p in _dataset_pairs(s, "hqedit")
                if (p.split in (None, "train"))
                and (both_directions or (p.origin or {}).get("direction", "forward") == "forward")]
        if not pool:
            raise BenchmarkError("no HQ-Edit pairs in the workspace: ingest the train split first "
                                 "(editcaption ingest ./hq-edit)")
        picked = sample(pool, n, seed)
        config = {"n": n, "seed": seed, "both_directions": both_directions}
        bench = PreparedBenchmark(name, "hqedit", config, picked, _save(s, name, "hqedit", config, picked, replace),
                                  available=len(pool), by_category=_counts(s, picked))
    if n is not None and len(picked) < n:
        bench.warnings.append(f"only {len(pool)} HQ-Edit pairs are ingested; the benchmark has {len(picked)}, not {n}")
    return bench


def prepare_bytemorph(ws: Workspace, *, n: int | None = None, seed: int = 0, name: str = "bytemorph",
                      replace: bool = False) -> PreparedBenchmark:
    with ws.session() as s:
        groups: dict[str, list[str]] = {}
        for p in _dataset_pairs(s, "bytemorph"):
            if p.split in (None, "test"):
                groups.setdefault(p.subtype or "unknown", []).append(p.id)
        if not groups:
            raise BenchmarkError("no ByteMorph-Bench pairs in the workspace: ingest its test split first "
                                 "(editcaption ingest ./bm-bench)")
        picked = stratified_sample(groups, n, seed)
        config = {"n": n, "seed": seed, "stratified_by": "subtype"}
        bench = PreparedBenchmark(name, "bytemorph", config, picked,
                                  _save(s, name, "bytemorph", config, picked, replace),
                                  available=sum(len(v) for v in groups.values()))
        rows = s.execute(select(PairRecord.subtype).where(PairRecord.id.in_(picked))).all()
        bench.by_category = dict(sorted(Counter(st or "unknown" for (st,) in rows).items()))
    return bench


def _file_sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def prepare_editworld(ws: Workspace, *, n: int = 200, seed: int = 0, name: str | None = None,
                      size: int = 256, family: str = "both", mix: str | None = None,
                      replace: bool = False) -> PreparedBenchmark:
    """Generate ``n`` EditWorld pairs under ``<workspace>/benchmarks/<name>``, ingest them and
    record them. The truth is exact by construction, so it is stored as verified."""
    from ..ingest import ingest
    from ..ingest.stage import pair_id_for
    from ..synth import EditWorldError, generate_run, read_manifest

    name = name or f"editworld-s{seed}-n{n}"
    config = {"n": n, "seed": seed, "size": size, "family": family, "mix": mix}
    with ws.session() as s:
        existing = s.get(BenchmarkRecord, name)
        if existing is not None and existing.kind == "editworld" and existing.config == config and not replace:
            ids = benchmark_pair_ids(s, name)
            return PreparedBenchmark(name, "editworld", config, ids, False, available=len(ids),
                                     by_category=_counts(s, ids))
    out = ws.root / "benchmarks" / name
    try:
        report = generate_run(n, seed, out, size=size, mix=mix, family=family, overwrite=replace)
    except EditWorldError as exc:
        raise BenchmarkError(str(exc)) from None
    ingested = ingest(ws, report.manifest, "manifest")
    ids: list[str] = []
    for row in read_manifest(report.manifest):
        src, tgt = out / row["source"], out / row["target"]
        ids.append(pair_id_for(_file_sha(src), _file_sha(tgt)))
    warnings = [f"{r['path']}: {r['reason']}" for r in ingested.rejected]
    warnings += [f"EditWorld pair {f.get('index')} could not be generated: {f.get('reason')}" for f in report.failed]
    with ws.session() as s:
        present = set(s.scalars(select(PairRecord.id).where(PairRecord.id.in_(ids))))
        ids = [pid for pid in ids if pid in present]
        for gt in s.scalars(select(GroundTruthRecord).where(GroundTruthRecord.pair_id.in_(ids))):
            if not gt.verified:
                gt.verified = True
                gt.updated_by = "editworld (exact by construction)"
        created = _save(s, name, "editworld", config, ids, replace)
        bench = PreparedBenchmark(name, "editworld", config, ids, created, available=len(ids),
                                  warnings=warnings, by_category=_counts(s, ids))
    return bench


def prepare_custom(ws: Workspace, *, name: str, where: dict[str, list[str]] | None = None, n: int | None = None,
                   seed: int = 0, verified_only: bool = False, replace: bool = False) -> PreparedBenchmark:
    with ws.session() as s:
        wanted = {p.id for p in list_pairs(s, where or {})}
        stmt = select(GroundTruthRecord.pair_id, GroundTruthRecord.verified)
        with_gt = {pid for pid, verified in s.execute(stmt) if pid in wanted and (verified or not verified_only)}
        if not with_gt:
            what = "verified ground truth" if verified_only else "ground truth"
            raise BenchmarkError(f"none of the {len(wanted)} selected pairs has {what} "
                                 "(draft it with `editcaption gt draft`, verify it in the annotation studio)")
        picked = sample(with_gt, n, seed)
        config = {"n": n, "seed": seed, "where": where or {}, "verified_only": verified_only}
        bench = PreparedBenchmark(name, "custom", config, picked, _save(s, name, "custom", config, picked, replace),
                                  available=len(with_gt), by_category=_counts(s, picked))
    missing = len(wanted) - len(with_gt)
    if missing:
        bench.warnings.append(f"{missing} selected pair(s) have no usable ground truth and were left out")
    return bench
