"""Plain JSONL: one object per example, images copied next to it, all our metadata kept.

* sft: ``id``, ``name``, ``images`` [source, target], ``prompt`` (the structured user message),
  ``completion`` (the instruction text), ``category``, ``subtype``.
* prefs: ``id``, ``pair_id``, ``images``, ``prompt``, ``chosen``, ``rejected``, ``error_type``,
  ``severity``, ``annotator``, ``simulated`` (+ reference log-probs when present).
* triplets: ``id``, ``name``, ``source_image``, ``target_image``, ``instruction``, ``category``,
  ``subtype``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..examples import ExportJob, ImagePlacer
from ..sources import PreferenceItem, TextItem


def _row(job: ExportJob, placer: ImagePlacer, item: Any) -> dict[str, Any]:
    pair = item.pair
    if job.kind == "triplets":
        assert isinstance(item, TextItem)
        src, tgt = placer.pair_paths(pair)
        return {"id": pair.id, "name": pair.name, "source_image": src, "target_image": tgt, "instruction": item.text,
                "category": pair.category, "subtype": pair.subtype}
    images = placer.pair_paths(pair)
    if job.kind == "sft":
        assert isinstance(item, TextItem)
        return {"id": pair.id, "name": pair.name, "images": images, "prompt": job.messages_for(pair.id),
                "completion": item.text, "category": pair.category, "subtype": pair.subtype}
    assert isinstance(item, PreferenceItem)
    row = {"id": item.key, "pair_id": pair.id, "images": images, "prompt": job.messages_for(pair.id),
           "chosen": item.chosen, "rejected": item.rejected, "error_type": item.error_type,
           "severity": item.severity, "annotator": item.annotator, "simulated": item.simulated,
           "category": pair.category, "subtype": pair.subtype}
    row.update(item.ref_logps or {})
    return row


def write_jsonl(job: ExportJob, out_dir: Path, build: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
    """``<split>.jsonl`` per split, one ``build(item)`` object a line; returns split → {file, rows}."""
    files: dict[str, Any] = {}
    for split, items in job.splits.items():
        path = out_dir / f"{split}.jsonl"
        rows = 0
        with path.open("w", encoding="utf-8") as fh:
            for row in job.rows(items, build):
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
                rows += 1
        files[split] = {"file": path.name, "rows": rows}
    return files


def write(job: ExportJob, out_dir: Path, placer: ImagePlacer) -> dict[str, Any]:
    return write_jsonl(job, out_dir, lambda item: _row(job, placer, item))
