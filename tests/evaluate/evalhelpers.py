"""Helpers for the evaluate tests: workspaces with EditWorld or plain pairs, runs, judgements,
scores, and well-formed judge answers for the stub server."""

from __future__ import annotations

import json
import re
from pathlib import Path

from editcaption.testing.stub_openai import StubRequest
from editcaption.workspace import Workspace
from editcaption.workspace.models import InstructionRecord, RunRecord

REFERENCE_RUN = "source:manifest"


def editworld_workspace(root: Path, n: int = 4, seed: int = 0, name: str = "ew") -> Workspace:
    from editcaption.evaluate.benchmarks import prepare_editworld

    ws = Workspace.init(root / "ws")
    bench = prepare_editworld(ws, n=n, seed=seed, size=96, family="objects", name=name)
    assert len(bench.pair_ids) == n
    return ws


def add_run(ws: Workspace, run: str, texts: dict[str, str | None], kind: str = "caption",
            config: dict | None = None, tags: dict | None = None) -> dict[str, int]:
    """A run with the given instruction per pair id (None = a failed instruction); returns pair → id."""
    ids = {}
    with ws.session() as s:
        if s.get(RunRecord, run) is None:
            s.add(RunRecord(id=run, kind=kind, config=config or {"model": run}, package_version="test",
                            status="done", tags=tags or {}))
            s.flush()
        for pid, text in texts.items():
            rec = InstructionRecord(pair_id=pid, run_id=run, text=text, producer=run,
                                    status="ok" if text is not None else "failed",
                                    error=None if text is not None else "test: failed")
            s.add(rec)
            s.flush()
            ids[pid] = rec.id
    return ids


def truth_ids(req: StubRequest) -> list[str]:
    """The change ids the judge prompt lists (primary-1, secondary-1 ...)."""
    return re.findall(r"^- ((?:primary|secondary)-\d+):", "\n".join(req.texts), re.M)


def dimension_of(req: StubRequest) -> str:
    text = "\n".join(req.texts)
    for word, dim in (("FACTUAL ACCURACY", "accuracy"), ("COMPLETENESS", "completeness"), ("CLARITY", "clarity")):
        if word in text:
            return dim
    raise AssertionError("not a judge request")


def good_reply(req: StubRequest, *, detail: float = 4, verdict: str = "correct", status: str = "hit") -> str:
    """A well-formed judge answer for whichever dimension ``req`` asks about."""
    dim = dimension_of(req)
    ids = truth_ids(req)
    primary = [i for i in ids if i.startswith("primary")]
    secondary = [i for i in ids if i.startswith("secondary")]
    if dim == "accuracy":
        return json.dumps({"dimension": "accuracy", "assertions": [
            {"claim": f"about {i}", "ref": i, "verdict": verdict, "why": "seen"} for i in primary],
            "reasoning": "ok"})
    if dim == "completeness":
        return json.dumps({"dimension": "completeness",
                           "primary": [{"id": i, "status": status, "evidence": ""} for i in primary],
                           "secondary": [{"id": i, "status": "miss", "evidence": ""} for i in secondary],
                           "reasoning": "ok"})
    return json.dumps({"dimension": "clarity", "forbidden_terms": [], "attributes": [],
                       "detail_score": detail, "reasoning": "ok"})


def manifest_workspace(root: Path, categories: list[str]) -> tuple[Workspace, list[str]]:
    """A workspace with one small distinct pair per category given (ingested from a manifest);
    returns it and the pair ids in order."""
    import numpy as np
    from PIL import Image

    from editcaption.ingest import ingest
    from editcaption.workspace.queries import list_pairs

    folder = root / "pairs"
    folder.mkdir(parents=True, exist_ok=True)
    lines = []
    for i, cat in enumerate(categories):
        src = np.full((32, 40, 3), (10 * i, 80, 160), np.uint8)
        tgt = src.copy()
        tgt[5:15, 5:15] = (250, 250, 0)
        Image.fromarray(src).save(folder / f"p{i}_src.png")
        Image.fromarray(tgt).save(folder / f"p{i}_tgt.png")
        lines.append(json.dumps({"id": f"p{i}", "source": f"p{i}_src.png", "target": f"p{i}_tgt.png",
                                 "category": cat, "subtype": f"{cat}-sub", "dataset": "fixture"}))
    (folder / "manifest.jsonl").write_text("\n".join(lines) + "\n")
    ws = Workspace.init(root / "ws")
    report = ingest(ws, folder / "manifest.jsonl")
    assert report.ingested == len(categories), report.rejected
    with ws.session() as s:
        by_name = {p.name: p.id for p in list_pairs(s)}
    return ws, [by_name[f"p{i}"] for i in range(len(categories))]


def add_judgement(ws: Workspace, instruction_id: int, annotator: str, level: str, rows: list[str] | None = None) -> None:
    from editcaption.workspace.models import JudgementRecord

    with ws.session() as s:
        s.add(JudgementRecord(instruction_id=instruction_id, annotator=annotator, level=level, checklist=rows or []))


def add_score(ws: Workspace, instruction_id: int, scorer: str, acc: float | None, comp: float | None = None,
              clar: float | None = None, reason: str | None = None, **extra: object) -> None:
    """A score as the scorers store it (ok with the three dimensions, or unscored with a reason)."""
    from editcaption.evaluate.rubric import overall_score
    from editcaption.evaluate.scores import save_score
    from editcaption.schema import Score

    if acc is None:
        score = Score(instruction_id=instruction_id, scorer=scorer, status="unscored", reason=reason or "test")
    else:
        s_value = round(overall_score(acc, comp, clar), 4)
        score = Score(instruction_id=instruction_id, scorer=scorer, overall=s_value,
                      components={"accuracy": acc, "completeness": comp, "clarity": clar, "S": s_value, **extra})
    with ws.session() as s:
        save_score(s, score, None)


def png_struct(seed: int) -> dict:
    """A Hugging Face image struct holding a small random PNG."""
    import io

    import numpy as np
    from PIL import Image

    rgb = np.random.default_rng(seed).integers(0, 255, (16, 16, 3), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format="PNG")
    return {"bytes": buf.getvalue(), "path": None}


def hqedit_parquet(folder: Path, n: int) -> Path:
    """A folder with one HQ-Edit-shaped Parquet shard of ``n`` rows."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table({
        "input": [f"scene {i}" for i in range(n)], "input_image": [png_struct(i) for i in range(n)],
        "edit": [f"Edit number {i}." for i in range(n)], "inverse_edit": [f"Undo edit {i}." for i in range(n)],
        "output": [f"edited scene {i}" for i in range(n)], "output_image": [png_struct(100 + i) for i in range(n)],
    }), folder / "train-00000.parquet")
    return folder


BM_TYPES = ["Camera Zoom", "Camera Motion", "Object Motion", "Human Motion", "Interaction"]


def bytemorph_parquet(path: Path) -> Path:
    """A ByteMorph-Bench-shaped Parquet file: 10 rows, 2 per category."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({
        "edit_type": [BM_TYPES[i // 2] for i in range(10)], "image_id": [f"b{i}" for i in range(10)],
        "src_img": [png_struct(200 + i) for i in range(10)], "tgt_img": [png_struct(300 + i) for i in range(10)],
        "edit_prompt": [f"Motion {i}." for i in range(10)], "edit_prompt_rewrite_instruction": ["r"] * 10,
        "src_img_caption": ["s"] * 10, "tgt_img_caption": ["t"] * 10,
    }), path)
    return path
