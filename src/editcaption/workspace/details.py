"""Everything the workspace knows about one pair, as one JSON-ready dict (`pairs show`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import InstructionRecord, JudgementRecord, PairRecord, PreferenceRecord, RefinementRecord, ScoreRecord
from .queries import ground_truth_for, pair_json
from .workspace import Workspace


def pair_details(ws: Workspace, s: Session, rec: PairRecord) -> dict[str, Any]:
    out = pair_json(rec)
    out["source"]["path"] = ws.store.ref(rec.source.sha256, rec.source.ext)  # a file path, or an object URL
    out["target"]["path"] = ws.store.ref(rec.target.sha256, rec.target.ext)
    out["extra"] = rec.extra or {}
    gt = ground_truth_for(s, rec.id)
    out["ground_truth"] = gt.model_dump(mode="json", exclude={"pair_id"}) if gt else None
    instructions = []
    for ins in s.scalars(select(InstructionRecord).where(InstructionRecord.pair_id == rec.id).order_by(InstructionRecord.id)):
        scores = [
            {"scorer": sc.scorer, "overall": sc.overall, "status": sc.status, "reason": sc.reason,
             "components": sc.components}
            for sc in s.scalars(select(ScoreRecord).where(ScoreRecord.instruction_id == ins.id).order_by(ScoreRecord.id))
        ]
        judgements = [
            {"level": j.level, "checklist": j.checklist, "annotator": j.annotator}
            for j in s.scalars(select(JudgementRecord).where(JudgementRecord.instruction_id == ins.id))
        ]
        instructions.append({
            "id": ins.id, "run": ins.run_id, "producer": ins.producer, "status": ins.status, "text": ins.text,
            "error": ins.error, "kept": ins.kept, "scores": scores, "judgements": judgements,
        })
    out["instructions"] = instructions
    out["refinements"] = [
        {"text": r.text, "annotator": r.annotator, "simulated": r.simulated, "created_at": _iso(r.created_at)}
        for r in s.scalars(select(RefinementRecord).where(RefinementRecord.pair_id == rec.id)
                           .order_by(RefinementRecord.created_at, RefinementRecord.id))
    ]
    out["preferences"] = [
        {"chosen": p.chosen, "rejected": p.rejected, "error_type": p.error_type, "severity": p.severity,
         "annotator": p.annotator, "created_at": _iso(p.created_at)}
        for p in s.scalars(select(PreferenceRecord).where(PreferenceRecord.pair_id == rec.id)
                           .order_by(PreferenceRecord.created_at, PreferenceRecord.id))
    ]
    return out


def _iso(at: dt.datetime | None) -> str | None:
    """A timestamp as ISO 8601 text (the dict is printed as JSON); naive values from SQLite are UTC."""
    if at is None:
        return None
    return (at if at.tzinfo else at.replace(tzinfo=dt.timezone.utc)).isoformat()
