"""Stages 5 and 7: a trained model captions pairs through the caption engine (``hf:`` backend),
the exact scorer scores them (``eval exact``), and the scores become the report's numbers.

Metrics per model, over the held-out pairs:

* ``S``, ``accuracy``, ``completeness``, ``clarity`` — means over the scored instructions
  (paper Table 3's columns, the exact scorer's analogs);
* ``correct`` — share of all pairs whose instruction scored with no error at all (Table 2's
  "Correct"); an instruction the scorer cannot read counts as not correct, never as scored;
* ``p0`` and ``p0_<mode>`` — share of all pairs with a P0 error, overall and of each failure
  mode (orientation, viewpoint, detail): what preference training targets;
* ``unparsable`` — share of pairs whose instruction is outside EditWorld's language.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import select

from ..caption import CaptionConfig, GenerationOptions, run_caption
from ..evaluate.exact import SCORER, score_run_exact
from ..workspace import Workspace
from ..workspace.models import InstructionRecord, ScoreRecord
from .annotator import FAILURE_MODES
from .config import MiniConfig

DIMENSIONS = ("S", "accuracy", "completeness", "clarity")


def caption_with_model(ws: Workspace, config: MiniConfig, model_dir: Path, prompt: Path, pair_ids: list[str],
                       run_name: str) -> dict[str, Any]:
    """Generate one instruction per pair with a trained checkpoint (greedy), then score them exactly."""
    cfg = CaptionConfig(model=f"hf:{model_dir}", prompt_path=str(prompt), where={"id": pair_ids}, run_name=run_name,
                        batch_size=config.generate_batch,
                        generation=GenerationOptions(max_tokens=config.max_new_tokens))
    summary = run_caption(ws, cfg)
    scoring = score_run_exact(ws, run_name)
    return {"caption_seconds": round(summary.wall_time, 2), "failed": summary.run_totals.get("failed"),
            "scored": scoring.scored, "unscored": scoring.unscored}


def run_results(ws: Workspace, run_name: str) -> list[dict[str, Any]]:
    """Per pair of the run: instruction text and its exact score (None when unscored or failed)."""
    with ws.session() as s:
        instructions = list(s.scalars(select(InstructionRecord).where(InstructionRecord.run_id == run_name)
                                      .order_by(InstructionRecord.id)))
        scores = {r.instruction_id: r for r in s.scalars(select(ScoreRecord).where(
            ScoreRecord.scorer == SCORER, ScoreRecord.instruction_id.in_([i.id for i in instructions])))}
        out = []
        for ins in instructions:
            sc = scores.get(ins.id)
            ok = sc is not None and sc.status == "ok"
            out.append({"pair_id": ins.pair_id, "instruction_id": ins.id, "text": ins.text, "status": ins.status,
                        "score": dict(sc.components or {}) if ok else None,
                        "reason": None if ok else (sc.reason if sc is not None else ins.error)})
    return out


def summarize(results: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The report's metrics over per-pair results (see the module docstring)."""
    results = list(results)
    n = len(results)
    scored = [r["score"] for r in results if r["score"] is not None]
    out: dict[str, Any] = {"n": n, "scored": len(scored)}
    for dim in DIMENSIONS:
        values = [float(s[dim]) for s in scored if isinstance(s.get(dim), (int, float))]
        out[dim] = sum(values) / len(values) if values else None
    if not n:
        return out
    out["unparsable"] = (n - len(scored)) / n
    out["correct"] = sum(1 for s in scored if not s.get("errors")) / n
    out["p0"] = sum(1 for s in scored if any(e.get("severity") == "P0" for e in s.get("errors") or [])) / n
    for mode in FAILURE_MODES:
        out[f"p0_{mode}"] = sum(1 for s in scored if any(e.get("severity") == "P0" and e.get("type") == mode
                                                         for e in s.get("errors") or [])) / n
    return out


def blank_image_results(config: MiniConfig, model_dir: Path, prompt: Path, rows: dict[str, dict[str, Any]],
                        pair_ids: list[str]) -> list[dict[str, Any]]:
    """The blank-image control: the model is asked with two blank images per pair (it was trained
    on blank images), and its answers are scored against each pair's truth."""
    from ..caption.backends.hf_backend import EncodedHF, HFBackend
    from ..imageio import to_pil
    from ..llm.spec import parse_model_spec
    from ..synth import score_one

    backend = HFBackend(parse_model_spec(f"hf:{model_dir}"),
                        generation=GenerationOptions(max_tokens=config.max_new_tokens),
                        batch_size=config.generate_batch)
    blank = to_pil(blank_image(config.image_size))
    text = prompt.read_text(encoding="utf-8").strip()
    out = []
    for start in range(0, len(pair_ids), config.generate_batch):
        chunk = pair_ids[start:start + config.generate_batch]
        outcomes = backend.generate_isolating_failures([EncodedHF(pid, [blank, blank], text) for pid in chunk])
        for pid, outcome in zip(chunk, outcomes, strict=True):
            result = score_one(rows[pid], outcome.text)
            score = None
            if result.status == "scored":
                score = {"S": result.S, "accuracy": result.accuracy, "completeness": result.completeness,
                         "clarity": result.clarity, "errors": [e.as_json() for e in result.errors]}
            out.append({"pair_id": pid, "text": outcome.text, "score": score, "reason": result.reason})
    return out


def blank_image(size: int) -> Any:
    """A mid-grey RGB frame: no information about the edit."""
    import numpy as np

    return np.full((size, size, 3), 128, dtype=np.uint8)


def blank_dataset(src: Path, out: Path, size: int) -> Path:
    """A copy of an SFT export whose images are all blank (same rows, prompts and answers)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from ..imageio import encode_png

    out.mkdir(parents=True, exist_ok=True)
    png = encode_png(blank_image(size))
    for path in sorted(src.glob("*.parquet")):
        table = pq.read_table(path)
        images = table.column("images").to_pylist()
        blanked = [[{"bytes": png, "path": f"blank-{i}-{j}.png"} for j, _ in enumerate(pair)]
                   for i, pair in enumerate(images)]
        idx = table.schema.get_field_index("images")
        table = table.set_column(idx, table.schema.field(idx), pa.array(blanked, type=table.schema.field(idx).type))
        pq.write_table(table, out / path.name)
    return out
