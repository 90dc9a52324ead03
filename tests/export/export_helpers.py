"""Builders of real workspaces with pairs, runs, scores, refinements and preferences (export tests).

Pairs come from the bundled samples or from small generated images ingested through a
manifest; everything else is inserted through the ORM models, as the caption, scoring and
annotation stages would write it.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

import imagefactory as f
from editcaption.ingest import ingest
from editcaption.workspace import Workspace
from editcaption.workspace.models import (
    InstructionRecord,
    PairRecord,
    PreferenceRecord,
    RefinementRecord,
    RunRecord,
    ScoreRecord,
)

SAMPLES_MANIFEST = Path(str(resources.files("editcaption") / "samples" / "pairs" / "manifest.jsonl"))


def pair_ids_by_name(ws: Workspace) -> dict[str, str]:
    with ws.session() as s:
        return {p.name: p.id for p in s.query(PairRecord).all()}


def ingest_samples(ws: Workspace) -> dict[str, str]:
    report = ingest(ws, SAMPLES_MANIFEST)
    assert report.ingested == 6, report.rejected
    return pair_ids_by_name(ws)


def ingest_generated(ws: Workspace, folder: Path, rows: list[dict[str, Any]]) -> dict[str, str]:
    """Ingest pairs given as {name, src (array), tgt (array), category?, subtype?, split?}."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = []
    for row in rows:
        src = f.save(row["src"], folder / f"{row['name']}_src.png")
        tgt = f.save(row["tgt"], folder / f"{row['name']}_tgt.png")
        entry = {"id": row["name"], "source": src.name, "target": tgt.name}
        entry.update({k: row[k] for k in ("category", "subtype", "split") if row.get(k)})
        lines.append(json.dumps(entry))
    manifest = folder / "manifest.jsonl"
    manifest.write_text("\n".join(lines) + "\n")
    report = ingest(ws, manifest)
    assert not report.rejected, report.rejected
    return pair_ids_by_name(ws)


def textured(seed: int, w: int = 64, h: int = 48) -> np.ndarray:
    """A smooth random image with structure at several scales (a distinct perceptual hash per seed)."""
    rng = np.random.default_rng(seed)
    coarse = rng.integers(0, 255, (4, 6, 3)).astype(np.float64)
    ys = np.linspace(0, 3, h)[:, None]
    xs = np.linspace(0, 5, w)[None, :]
    y0, x0 = np.floor(ys).astype(int).clip(0, 2), np.floor(xs).astype(int).clip(0, 4)
    fy, fx = (ys - y0)[..., None], (xs - x0)[..., None]
    img = (coarse[y0, x0] * (1 - fy) * (1 - fx) + coarse[y0 + 1, x0] * fy * (1 - fx)
           + coarse[y0, x0 + 1] * (1 - fy) * fx + coarse[y0 + 1, x0 + 1] * fy * fx)
    return np.clip(img + rng.normal(0, 3, img.shape), 0, 255).astype(np.uint8)


def near_copy(img: np.ndarray) -> np.ndarray:
    """A near-duplicate: brightened a little, with mild noise (different bytes, same picture)."""
    rng = np.random.default_rng(int(img.sum()) % 1000)
    return np.clip(img.astype(np.int16) + 6 + rng.integers(-2, 3, img.shape), 0, 255).astype(np.uint8)


def add_run(ws: Workspace, name: str, texts: dict[str, str | None], *, producer: str = "openai:glm-4.5v@http://x",
            kept: dict[str, bool | None] | None = None, status: dict[str, str] | None = None,
            prompt_version: str = "instruction-v1@abc") -> dict[str, int]:
    """A caption run with one instruction per pair; returns pair id → instruction id."""
    out = {}
    with ws.session() as s:
        s.add(RunRecord(id=name, kind="caption", config={"model": producer, "prompt": prompt_version},
                        package_version="0.1.0", status="done"))
        s.flush()
        for pid, text in texts.items():
            rec = InstructionRecord(pair_id=pid, run_id=name, text=text, producer=producer,
                                    prompt_version=prompt_version, status=(status or {}).get(pid, "ok"),
                                    kept=(kept or {}).get(pid))
            s.add(rec)
            s.flush()
            out[pid] = rec.id
    return out


def add_score(ws: Workspace, instruction_id: int, overall: float | None, *, status: str = "ok",
              scorer: str = "editscore:qwen3vl@http://x", reason: str | None = None) -> None:
    with ws.session() as s:
        s.add(ScoreRecord(instruction_id=instruction_id, scorer=scorer, overall=overall, status=status,
                          reason=reason, components={}))


def add_refinement(ws: Workspace, pair_id: str, text: str, *, annotator: str = "ann1",
                   instruction_id: int | None = None, simulated: bool = False) -> None:
    with ws.session() as s:
        s.add(RefinementRecord(pair_id=pair_id, text=text, annotator=annotator, instruction_id=instruction_id,
                               simulated=simulated))


def add_preference(ws: Workspace, pair_id: str, chosen: str, rejected: str, error_type: str, severity: str, *,
                   annotator: str = "ann1", simulated: bool = False, rejected_instruction_id: int | None = None) -> int:
    with ws.session() as s:
        rec = PreferenceRecord(pair_id=pair_id, chosen=chosen, rejected=rejected, error_type=error_type,
                               severity=severity, annotator=annotator, simulated=simulated,
                               rejected_instruction_id=rejected_instruction_id)
        s.add(rec)
        s.flush()
        return rec.id


SAMPLE_TEXTS = {
    "chelsea_pan_left": "Pan the camera to the left so the cat moves toward the right edge of the frame.",
    "coffee_brighter": "Brighten the whole image evenly, keeping the cup and saucer unchanged.",
    "astronaut_mirror": "Mirror the whole image horizontally.",
    "rocket_zoom_in": "Zoom in on the rocket so it fills the frame.",
    "chelsea_grayscale": "Convert the photo of the cat to black and white.",
    "astronaut_add_red_disc": "Add a red disc in the top left corner of the image.",
}


def sample_preferences(ws: Workspace, ids: dict[str, str]) -> None:
    """Two preferences per failure mode over the samples (one pair per mode gets two)."""
    rows = [
        ("chelsea_pan_left", "Pan left.", "Pan right.", "orientation", "P0"),
        ("astronaut_mirror", "Mirror the image horizontally.", "Mirror the image vertically.", "orientation", "P1"),
        ("rocket_zoom_in", "Zoom in on the rocket.", "Zoom out from the rocket.", "viewpoint", "P0"),
        ("chelsea_grayscale", "Turn the photo black and white.", "Make the photo look different.", "viewpoint", "P2"),
        ("coffee_brighter", "Brighten the photo evenly.", "Brighten the photo.", "detail", "P2"),
        ("astronaut_add_red_disc", "Add a red disc at the top left.", "Add a disc.", "detail", "P1"),
    ]
    for name, chosen, rejected, etype, sev in rows:
        add_preference(ws, ids[name], chosen, rejected, etype, sev, annotator="ann1" if sev != "P2" else "ann2")
