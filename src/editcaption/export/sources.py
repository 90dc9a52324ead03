"""Choosing what goes into an export: which instruction per pair, which preferences.

* ``refined`` — the latest human refinement of each pair (:class:`RefinementRecord`).
* ``run:NAME`` — the instructions a run produced, status ok, not dropped by ``editcaption
  filter`` (``kept`` false), and, with ``min_score``, whose latest score (of ``scorer``, or of
  any scorer) is ok and at least the threshold. An unscored instruction never passes a
  threshold: no score is ever assumed.
* preferences — every :class:`PreferenceRecord` with a valid failure type and severity and a
  chosen text that differs from the rejected one; when a pair has several records for the same
  rejected text (overlapping annotators), the latest one.

Everything skipped is counted with its reason, so the dataset card can say what was left out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..schema import ErrorType, Severity
from ..workspace.models import (
    InstructionRecord,
    PairRecord,
    PreferenceRecord,
    RefinementRecord,
    RunRecord,
    ScoreRecord,
)
from ..workspace.queries import latest_scores, pairs_select
from ..workspace.store import ImageStore


class SourceSpecError(ValueError):
    pass


@dataclass(frozen=True)
class PairRef:
    """The pair facts every exported example carries."""

    id: str
    name: str | None
    category: str | None
    subtype: str | None
    split: str | None
    source_sha: str
    source_ext: str
    target_sha: str
    target_ext: str
    dataset: str | None

    @classmethod
    def from_record(cls, rec: PairRecord) -> PairRef:
        return cls(
            id=rec.id, name=rec.name, category=rec.category, subtype=rec.subtype, split=rec.split,
            source_sha=rec.source_sha, source_ext=rec.source.ext, target_sha=rec.target_sha, target_ext=rec.target.ext,
            dataset=(rec.origin or {}).get("dataset"),
        )


@dataclass
class TextItem:
    """One pair with the instruction chosen for it (SFT examples and editing triplets)."""

    pair: PairRef
    text: str
    provenance: dict[str, Any]

    @property
    def key(self) -> str:
        return self.pair.id


@dataclass
class PreferenceItem:
    pair: PairRef
    preference_id: int
    chosen: str
    rejected: str
    error_type: str
    severity: str
    annotator: str
    simulated: bool
    rejected_producer: str | None = None
    rejected_run: str | None = None
    ref_logps: dict[str, float] | None = None  # precomputed reference log-probs (REF_COLUMNS)

    @property
    def key(self) -> str:
        """Stable row id: the pair id plus the preference record id (a pair may have several)."""
        return f"{self.pair.id}-p{self.preference_id}"


@dataclass
class Selection:
    items: list[Any]
    skipped: Counter[str] = field(default_factory=Counter)
    source: str = ""
    notes: dict[str, Any] = field(default_factory=dict)


def parse_source(spec: str) -> tuple[str, str | None]:
    """``refined`` → ("refined", None); ``run:NAME`` → ("run", NAME)."""
    spec = spec.strip()
    if spec == "refined":
        return "refined", None
    if spec.startswith("run:") and spec[4:].strip():
        return "run", spec[4:].strip()
    raise SourceSpecError(f"--source must be 'refined' or 'run:NAME', got {spec!r}")


def _pairs(session: Session, where: dict[str, list[str]] | None) -> dict[str, PairRecord]:
    return {p.id: p for p in session.scalars(pairs_select(where)).unique()}


def _look_up_images(store: ImageStore, pairs: Iterable[PairRecord]) -> None:
    """Ask the store about every image at once: an object store answers in parallel and remembers,
    so the per-pair checks below cost no round trip each."""
    store.sizes([(p.source_sha, p.source.ext) for p in pairs] + [(p.target_sha, p.target.ext) for p in pairs])


def _images_present(store: ImageStore, rec: PairRecord) -> bool:
    return store.exists(rec.source_sha, rec.source.ext) and store.exists(rec.target_sha, rec.target.ext)


def select_texts(
    session: Session,
    store: ImageStore,
    source: str,
    where: dict[str, list[str]] | None = None,
    min_score: float | None = None,
    scorer: str | None = None,
) -> Selection:
    """One instruction per pair from ``refined`` or ``run:NAME`` (see the module docstring)."""
    kind, run_name = parse_source(source)
    pairs = _pairs(session, where)
    _look_up_images(store, pairs.values())
    sel = Selection(items=[], source=source)
    if kind == "refined":
        if min_score is not None:
            raise SourceSpecError("--min-score applies to run instructions (--source run:NAME), not to refinements")
        chosen = _latest_refinements(session, set(pairs))
        for pid, pair in pairs.items():
            ref = chosen.get(pid)
            if ref is None:
                sel.skipped["no refinement"] += 1
                continue
            if not ref.text.strip():
                sel.skipped["empty text"] += 1
                continue
            if not _images_present(store, pair):
                sel.skipped["image missing from the store"] += 1
                continue
            sel.items.append(TextItem(PairRef.from_record(pair), ref.text.strip(), {
                "kind": "refinement", "refinement_id": ref.id, "annotator": ref.annotator,
                "simulated": bool(ref.simulated), "instruction_id": ref.instruction_id,
            }))
        return sel
    assert run_name is not None
    run = session.get(RunRecord, run_name)
    if run is None:
        raise SourceSpecError(f"no run named {run_name!r} in this workspace (see `editcaption runs list`)")
    rows = list(session.scalars(select(InstructionRecord).where(InstructionRecord.run_id == run_name)))
    scores = latest_scores(session, [r.id for r in rows], scorer) if min_score is not None else {}
    by_pair = {r.pair_id: r for r in rows}
    for pid, pair in pairs.items():
        ins = by_pair.get(pid)
        if ins is None:
            sel.skipped["no instruction in the run"] += 1
            continue
        reason = _instruction_rejection(ins, scores.get(ins.id), min_score)
        if reason is None and not _images_present(store, pair):
            reason = "image missing from the store"
        if reason:
            sel.skipped[reason] += 1
            continue
        score = scores.get(ins.id)
        sel.items.append(TextItem(PairRef.from_record(pair), (ins.text or "").strip(), {
            "kind": "instruction", "instruction_id": ins.id, "run": run_name, "producer": ins.producer,
            "prompt_version": ins.prompt_version, "kept": ins.kept,
            "score": score.overall if score is not None and score.status == "ok" else None,
            "scorer": score.scorer if score is not None else None,
        }))
    sel.notes["run"] = {"id": run.id, "kind": run.kind, "config": run.config, "package_version": run.package_version}
    return sel


def _instruction_rejection(ins: InstructionRecord, score: ScoreRecord | None, min_score: float | None) -> str | None:
    if ins.status != "ok":
        return f"instruction {ins.status}"
    if not (ins.text or "").strip():
        return "empty text"
    if ins.kept is False:
        return "dropped by filter"
    if min_score is not None:
        if score is None:
            return "unscored"
        if score.status != "ok" or score.overall is None:
            return "unscored"
        if score.overall < min_score:
            return "below min score"
    return None


def _latest_refinements(session: Session, pair_ids: set[str]) -> dict[str, RefinementRecord]:
    latest: dict[str, RefinementRecord] = {}
    stmt = select(RefinementRecord).order_by(RefinementRecord.created_at, RefinementRecord.id)
    for ref in session.scalars(stmt):
        if ref.pair_id in pair_ids:
            latest[ref.pair_id] = ref
    return latest


# Reference log-prob columns a preference row may carry (summed; and per token, optional).
REF_COLUMNS = ("ref_chosen_logps", "ref_rejected_logps", "ref_chosen_logps_mean", "ref_rejected_logps_mean")
REQUIRED_REF_COLUMNS = REF_COLUMNS[:2]

VALID_ERROR_TYPES = {e.value for e in ErrorType}
VALID_SEVERITIES = {s.value for s in Severity}


def select_preferences(session: Session, store: ImageStore, where: dict[str, list[str]] | None = None,
                       include_simulated: bool = True) -> Selection:
    """Preference pairs for the pairs matching ``where`` (see the module docstring)."""
    pairs = _pairs(session, where)
    _look_up_images(store, pairs.values())
    sel = Selection(items=[], source="preferences")
    latest: dict[tuple[str, str], PreferenceRecord] = {}
    stmt = select(PreferenceRecord).order_by(PreferenceRecord.created_at, PreferenceRecord.id)
    for rec in session.scalars(stmt):
        if rec.pair_id not in pairs:
            continue
        key = (rec.pair_id, rec.rejected.strip())
        if key in latest:
            sel.skipped["superseded by a later preference for the same rejected text"] += 1
        latest[key] = rec
    producers = _rejected_producers(session, [r.rejected_instruction_id for r in latest.values()])
    for rec in latest.values():
        reason = None
        if rec.error_type not in VALID_ERROR_TYPES:
            reason = f"unknown error type {rec.error_type!r}"
        elif rec.severity not in VALID_SEVERITIES:
            reason = f"unknown severity {rec.severity!r}"
        elif not rec.chosen.strip() or not rec.rejected.strip():
            reason = "empty chosen or rejected text"
        elif rec.chosen.strip() == rec.rejected.strip():
            reason = "chosen equals rejected"
        elif rec.simulated and not include_simulated:
            reason = "simulated annotator"
        elif not _images_present(store, pairs[rec.pair_id]):
            reason = "image missing from the store"
        if reason:
            sel.skipped[reason] += 1
            continue
        run_id, producer = producers.get(rec.rejected_instruction_id or -1, (None, None))
        sel.items.append(PreferenceItem(
            pair=PairRef.from_record(pairs[rec.pair_id]), preference_id=rec.id, chosen=rec.chosen.strip(),
            rejected=rec.rejected.strip(), error_type=rec.error_type, severity=rec.severity,
            annotator=rec.annotator, simulated=bool(rec.simulated), rejected_producer=producer, rejected_run=run_id,
        ))
    sel.items.sort(key=lambda it: (it.pair.id, it.preference_id))
    return sel


def _rejected_producers(session: Session, ids: list[int | None]) -> dict[int, tuple[str | None, str]]:
    wanted = sorted({i for i in ids if i is not None})
    out: dict[int, tuple[str | None, str]] = {}
    for start in range(0, len(wanted), 5000):
        chunk = wanted[start : start + 5000]
        for ins in session.scalars(select(InstructionRecord).where(InstructionRecord.id.in_(chunk))):
            out[ins.id] = (ins.run_id, ins.producer)
    return out


def run_summaries(session: Session, run_ids: set[str]) -> list[dict[str, Any]]:
    """Provenance of runs for the dataset card: kind, model/backend, prompt, package version."""
    out = []
    for rid in sorted(r for r in run_ids if r):
        run = session.get(RunRecord, rid)
        if run is None:
            continue
        cfg = run.config or {}
        out.append({
            "id": run.id, "kind": run.kind, "status": run.status, "package_version": run.package_version,
            "model": cfg.get("model") or cfg.get("backend") or cfg.get("producer") or cfg.get("scorer"),
            "prompt": cfg.get("prompt") or cfg.get("prompt_id") or cfg.get("prompt_version"),
        })
    return out


def scorer_summaries(session: Session, instruction_ids: list[int]) -> Counter[str]:
    """How many of these instructions each scorer has scored (status ok)."""
    seen: set[tuple[str, int]] = set()
    for start in range(0, len(instruction_ids), 5000):
        chunk = instruction_ids[start : start + 5000]
        stmt = select(ScoreRecord.scorer, ScoreRecord.instruction_id).where(
            ScoreRecord.instruction_id.in_(chunk), ScoreRecord.status == "ok"
        )
        seen.update((scorer, iid) for scorer, iid in session.execute(stmt))
    return Counter(scorer for scorer, _ in seen)
