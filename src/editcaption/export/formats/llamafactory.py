"""LLaMA-Factory format: sharegpt JSON files plus ``dataset_info.json``.

Layout (LLaMA-Factory ``data/README.md``): each example has ``conversations`` — a list of
``{"from": "human"|"gpt", "value": ...}`` turns where ``<image>`` marks where each image
goes — and ``images``, paths of as many images as there are ``<image>`` tags. Preference
examples end with the human turn and carry ``chosen`` / ``rejected`` as single gpt turns;
their ``dataset_info.json`` entry says ``"ranking": true``. Image paths are relative to the
folder holding ``dataset_info.json``, which LLaMA-Factory uses as ``media_dir`` when that
folder is its ``dataset_dir``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..examples import ExportJob, ImagePlacer
from ..sources import PreferenceItem, TextItem


def dataset_name(kind: str, split: str) -> str:
    return f"editcaption_{kind}_{split}"


def _example(job: ExportJob, placer: ImagePlacer, item: Any, prompt: str) -> dict[str, Any]:
    images = placer.pair_paths(item.pair)
    human = {"from": "human", "value": prompt}
    if job.kind == "sft":
        assert isinstance(item, TextItem)
        return {"conversations": [human, {"from": "gpt", "value": item.text}], "images": images}
    assert isinstance(item, PreferenceItem)
    return {"conversations": [human], "chosen": {"from": "gpt", "value": item.chosen},
            "rejected": {"from": "gpt", "value": item.rejected}, "images": images}


def _entry(kind: str, file_name: str) -> dict[str, Any]:
    columns = {"messages": "conversations", "images": "images"}
    entry: dict[str, Any] = {"file_name": file_name, "formatting": "sharegpt"}
    if kind == "prefs":
        entry["ranking"] = True
        columns.update({"chosen": "chosen", "rejected": "rejected"})
    entry["columns"] = columns
    return entry


def write(job: ExportJob, out_dir: Path, placer: ImagePlacer) -> dict[str, Any]:
    info: dict[str, Any] = {}
    files: dict[str, Any] = {}
    for split, items in job.splits.items():
        path = out_dir / f"{split}.json"
        rows = 0
        with path.open("w", encoding="utf-8") as fh:
            fh.write("[\n")
            for example in job.rows(items, lambda item: _example(job, placer, item, job.flat_prompt(item.pair.id))):
                fh.write((",\n" if rows else "") + json.dumps(example, ensure_ascii=False))
                rows += 1
            fh.write("\n]\n")
        name = dataset_name(job.kind, split)
        info[name] = _entry(job.kind, path.name)
        files[split] = {"file": path.name, "rows": rows, "dataset": name}
    (out_dir / "dataset_info.json").write_text(json.dumps(info, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return files
