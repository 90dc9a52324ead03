"""The dataset card (README.md) written next to every export.

It is rendered from the export manifest (``export.json``, the same facts in machine form):
what the dataset holds (counts by category, subtype, failure type and severity, per split),
where it came from (runs, models, prompt versions, score thresholds, how many annotators),
what selection, balancing and splitting left out, how to load it, and the exact command
that made it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from .sources import PreferenceItem

TITLES = {"sft": "SFT dataset", "prefs": "preference dataset", "triplets": "editing-triplet dataset"}
# Hugging Face split names: ``datasets`` calls a val.parquet split "validation", with or without the YAML header.
HF_SPLIT_NAMES = {"train": "train", "val": "validation", "test": "test"}
COUNT_KEYS = {"sft": ("category", "subtype"), "triplets": ("category", "subtype"),
              "prefs": ("error_type", "severity", "category", "subtype")}


def value_of(item: Any, key: str) -> str:
    if key in ("category", "subtype"):
        return getattr(item.pair, key) or "unknown"
    return getattr(item, key) or "unknown"


def count_items(kind: str, splits: dict[str, list[Any]]) -> dict[str, dict[str, dict[str, int]]]:
    """split (and "total") → key → value → count."""
    out: dict[str, dict[str, dict[str, int]]] = {}
    total: dict[str, Counter[str]] = {k: Counter() for k in COUNT_KEYS[kind]}
    for split, items in splits.items():
        out[split] = {}
        for key in COUNT_KEYS[kind]:
            c = Counter(value_of(it, key) for it in items)
            out[split][key] = dict(sorted(c.items()))
            total[key].update(c)
    if kind == "prefs":
        cross: Counter[str] = Counter(f"{it.error_type}/{it.severity}" for items in splits.values() for it in items
                                      if isinstance(it, PreferenceItem))
        out["total_error_type_by_severity"] = {"error_type/severity": dict(sorted(cross.items()))}
    out["total"] = {k: dict(sorted(c.items())) for k, c in total.items()}
    return out


def _table(header: list[str], rows: Iterable[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return lines


def _count_tables(manifest: dict[str, Any]) -> list[str]:
    counts = manifest["counts"]
    splits = [s for s in manifest["splits"]]
    lines: list[str] = []
    for key in COUNT_KEYS[manifest["kind"]]:
        values = sorted(counts["total"].get(key, {}))
        if not values:
            continue
        lines += ["", f"### By {key.replace('_', ' ')}", ""]
        rows = [[v, *[counts.get(s, {}).get(key, {}).get(v, 0) for s in splits], counts["total"][key][v]]
                for v in values]
        lines += _table([key, *splits, "total"], rows)
    cross = counts.get("total_error_type_by_severity", {}).get("error_type/severity")
    if cross:
        lines += ["", "### Failure type × severity (all splits)", ""]
        types = sorted({k.split("/")[0] for k in cross})
        sevs = sorted({k.split("/")[1] for k in cross})
        lines += _table(["error type", *sevs], [[t, *[cross.get(f"{t}/{s}", 0) for s in sevs]] for t in types])
    return lines


def split_label(manifest: dict[str, Any], split: str) -> str:
    """A split's name as the dataset's readers know it (``validation`` for val in Hugging Face format)."""
    return HF_SPLIT_NAMES.get(split, split) if manifest["format"] == "hf" else split


def front_matter(manifest: dict[str, Any]) -> str:
    """Hugging Face format: the YAML header by which ``load_dataset(<folder>)`` (and the Hub) names the splits."""
    if manifest["format"] != "hf":
        return ""
    lines = ["---", "configs:", "- config_name: default", "  data_files:"]
    for split, info in manifest["splits"].items():
        lines += [f"  - split: {split_label(manifest, split)}", f"    path: {info['file']}"]
    return "\n".join([*lines, "---"]) + "\n"


def _image_paths_note(manifest: dict[str, Any]) -> list[str]:
    paths = manifest.get("image_paths")
    if manifest["format"] == "swift":
        if paths == "absolute":
            return ["", "Image paths are absolute, pointing into this folder where it was written, so ms-swift "
                        "finds the images from any working directory. After moving the folder, export again (or "
                        "export with `--relative-paths` and set `ROOT_IMAGE_DIR`)."]
        return ["", "Image paths are relative to this folder. ms-swift opens a relative path from its working "
                    "directory, else from `$ROOT_IMAGE_DIR`: run it inside this folder or set "
                    "`ROOT_IMAGE_DIR=<this folder>`."]
    if paths == "absolute":
        return ["", "Image paths are absolute, pointing into this folder where it was written."]
    return []


def _load_snippet(manifest: dict[str, Any]) -> list[str]:
    fmt, kind = manifest["format"], manifest["kind"]
    files = manifest["splits"]
    if fmt == "hf":
        data_files = ", ".join(f'"{split_label(manifest, s)}": "{info["file"]}"' for s, info in files.items())
        return ["```python", "from datasets import load_dataset", "",
                f'ds = load_dataset("parquet", data_files={{{data_files}}})  # run inside this folder',
                "# or: load_dataset(\"<this folder>\")  (the same split names, from the YAML header above)", "```"]
    if fmt == "llamafactory":
        names = [info["dataset"] for info in files.values()]
        stage = "dpo" if kind == "prefs" else "sft"
        lines = ["```yaml", f"stage: {stage}", "dataset_dir: <this folder>", f"dataset: {names[0]}"]
        if len(names) > 1:
            lines.append(f"eval_dataset: {names[1]}")
        return lines + ["template: qwen3_vl_nothink", "```", *_image_paths_note(manifest)]
    if fmt == "swift":
        cmd = "swift rlhf --rlhf_type dpo" if kind == "prefs" else "swift sft"
        data = [f"--dataset <this folder>/{files['train']['file']}"] if "train" in files else []
        if "val" in files:
            data.append(f"--val_dataset <this folder>/{files['val']['file']}")
        if not data:
            data = [f"--dataset <this folder>/{next(iter(files.values()))['file']}"]
        env = "" if manifest.get("image_paths") == "absolute" else "ROOT_IMAGE_DIR=<this folder> "
        return ["```bash", f"{env}{cmd} --model <model> {' '.join(data)} ...", "```", *_image_paths_note(manifest)]
    if fmt == "webdataset":
        pattern = next(iter(files.values()))["pattern"]
        return ["```python", "import webdataset as wds", "",
                f'ds = wds.WebDataset("{pattern}").decode("pil").to_tuple("src.jpg;src.png;src.webp", '
                '"tgt.jpg;tgt.png;tgt.webp", "txt")', "```"]
    first = next(iter(files.values()))["file"]
    where = "absolute" if manifest.get("image_paths") == "absolute" else "relative to this folder"
    return ["```python", "import json", "", f'rows = [json.loads(line) for line in open("{first}")]',
            f"# image paths are {where}", "```"]


def _provenance(manifest: dict[str, Any]) -> list[str]:
    prov = manifest["provenance"]
    lines = ["", "## Provenance", ""]
    lines.append(f"- Source: `{manifest['source']}`")
    if manifest.get("prompt"):
        p = manifest["prompt"]
        lines.append(f"- Prompt: `{p['id']}` ({p['source']}), rendered through `editcaption.prompts` — the same "
                     "prompt the caption stage sends and the trainer uses")
    for run in prov.get("runs", []):
        extra = ", ".join(f"{k} {run[k]}" for k in ("model", "prompt") if run.get(k))
        lines.append(f"- Run `{run['id']}` ({run['kind']}, {run['status']}, editcaption {run['package_version']}"
                     + (f"; {extra}" if extra else "") + ")")
    producers = "Models whose instructions were rejected" if manifest["kind"] == "prefs" else \
        ("Models of the refined instructions" if manifest["source"] == "refined" else "Producers")
    for label, key in ((producers, "producers"), ("Instruction prompt versions", "prompt_versions"),
                       ("Scorers (instructions scored ok)", "scorers")):
        if prov.get(key):
            lines.append(f"- {label}: " + ", ".join(f"`{k}` × {v}" for k, v in prov[key].items()))
    if prov.get("min_score") is not None:
        lines.append(f"- Score threshold: overall ≥ {prov['min_score']}"
                     + (f" by scorer `{prov['scorer']}`" if prov.get("scorer") else " (latest score of any scorer)")
                     + "; unscored instructions never pass")
    if prov.get("filter_applied"):
        lines.append("- Instructions dropped by `editcaption filter` were left out")
    if "annotators" in prov:
        lines.append(f"- Annotators: {prov['annotators']} ({prov.get('simulated', 0)} of the examples "
                     "come from simulated annotators)")
    lines.append(f"- editcaption {manifest['editcaption_version']}, exported {manifest['created_at']}")
    return lines


def _selection(manifest: dict[str, Any]) -> list[str]:
    sel = manifest["selection"]
    lines = ["", "## What was left out", "", f"Selected {sel['selected']} examples."]
    if sel["skipped"]:
        lines += ["", *_table(["reason", "count"], sorted(sel["skipped"].items(), key=lambda kv: -kv[1]))]
    bal = manifest.get("balance")
    if bal:
        lines += ["", f"Balanced to {bal['spec']} (seed {manifest['split']['seed']}): kept {bal['kept']}, "
                  f"dropped {bal['dropped']}" + (f" ({bal['outside']} with no target share)" if bal["outside"] else "")
                  + "."]
        for key, dropped in bal.get("dropped_by", {}).items():
            if dropped:
                lines += ["", f"Dropped by {key.replace('_', ' ')}:", "",
                          *_table([key, "available", "kept", "dropped"],
                                  [[v, bal["available_by"][key].get(v, 0), bal["kept_by"][key].get(v, 0), n]
                                   for v, n in sorted(dropped.items())])]
    if manifest.get("failures"):
        lines += ["", f"{len(manifest['failures'])} examples failed while writing (first: "
                  f"{manifest['failures'][0]['id']}: {manifest['failures'][0]['reason']})."]
    return lines


def _splits(manifest: dict[str, Any]) -> list[str]:
    sp = manifest["split"]
    ratios = ", ".join(f"{k} {v:.3g}" for k, v in sp["ratios"].items())
    near = (f"perceptual-hash (64-bit dHash) distance ≤ {sp['near_dup_distance']} bits"
            if sp["near_dup_distance"] >= 0 else "near-duplicate matching off")
    lines = ["", "## Splits", "",
             f"Target ratios {ratios}, seed {sp['seed']}. Pairs sharing an image (by sha256) or with near-duplicate "
             f"images ({near}) are kept on one side: {sp['groups']} groups, the largest of {sp['largest_group']} "
             f"pairs, {sp['near_duplicate_links']} near-duplicate links. {sp['preset']} pairs kept the split "
             f"recorded on them and {sp['inherited']} followed it within their group"
             + ("; assignments were saved to the workspace." if sp.get("saved") else ".")]
    if sp.get("hash_failures"):
        lines.append(f"{sp['hash_failures']} images could not be hashed and match only exactly.")
    if sp.get("conflicts"):
        lines.append(f"Warning: {len(sp['conflicts'])} groups already had pairs recorded on different splits; "
                     "those recorded splits were kept (see export.json).")
    return lines


def render_card(manifest: dict[str, Any]) -> str:
    kind = manifest["kind"]
    lines = [f"# EditCaption {TITLES[kind]}", "",
             "Made with:", "", "```bash", manifest["command"], "```", "",
             f"Format: `{manifest['format']}`.", "", "## Contents", ""]
    rows = []
    for split, info in manifest["splits"].items():
        where = info.get("file") or info.get("pattern")
        rows.append([split_label(manifest, split), info["rows"], f"`{where}`"])
    lines += _table(["split", "examples", "file"], rows)
    lines += ["", "## Loading", "", *_load_snippet(manifest)]
    lines += ["", "## Counts", *_count_tables(manifest)]
    lines += _provenance(manifest)
    lines += _selection(manifest)
    lines += _splits(manifest)
    lines += ["", "The same facts, machine-readable, are in `export.json`.", ""]
    return front_matter(manifest) + "\n".join(lines)
