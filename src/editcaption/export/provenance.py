"""Where an export's examples came from, for the dataset card: runs, models, prompts, scores, people."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import select

from ..workspace import Workspace
from ..workspace.models import InstructionRecord
from .sources import Selection, run_summaries, scorer_summaries


def ranked(values) -> dict[str, int]:  # noqa: ANN001 - any iterable of names
    """Counts, most first and ties by name: the card must not depend on the order rows arrive in."""
    return dict(sorted(Counter(values).items(), key=lambda kv: (-kv[1], str(kv[0]))))


def provenance(ws: Workspace, kind: str, sel: Selection, items: list[Any], min_score: float | None,
               scorer: str | None) -> dict[str, Any]:
    """Provenance facts of the exported ``items`` (after balancing)."""
    prov: dict[str, Any] = {}
    with ws.session() as s:
        if kind == "prefs":
            prov["annotators"] = len({it.annotator for it in items})
            prov["simulated"] = sum(1 for it in items if it.simulated)
            prov["producers"] = ranked(it.rejected_producer or "unknown" for it in items)
            prov["runs"] = run_summaries(s, {it.rejected_run for it in items if it.rejected_run})
            return prov
        origins = [it.provenance for it in items]
        if sel.source == "refined":
            prov["annotators"] = len({o["annotator"] for o in origins})
            prov["simulated"] = sum(1 for o in origins if o["simulated"])
            ids = [o["instruction_id"] for o in origins if o.get("instruction_id")]
            base = list(s.scalars(select(InstructionRecord).where(InstructionRecord.id.in_(ids)))) if ids else []
            prov["producers"] = ranked(b.producer for b in base)
            prov["prompt_versions"] = ranked(b.prompt_version or "unknown" for b in base)
            prov["runs"] = run_summaries(s, {b.run_id for b in base if b.run_id})
        else:
            prov["producers"] = ranked(o["producer"] for o in origins)
            prov["prompt_versions"] = ranked(o["prompt_version"] or "unknown" for o in origins)
            prov["runs"] = run_summaries(s, {o["run"] for o in origins})
            prov["scorers"] = ranked(scorer_summaries(s, [o["instruction_id"] for o in origins]))
            prov["min_score"] = min_score
            prov["scorer"] = scorer
            prov["filter_applied"] = bool(sel.skipped.get("dropped by filter")) or any(
                o["kept"] is not None for o in origins)
    return prov
