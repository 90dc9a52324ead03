"""Adapters for public editing datasets, read from locally downloaded Parquet files.

No hub is contacted: download the Parquet shards yourself (for example with
``huggingface-cli download UCSC-VLAA/HQ-Edit --repo-type dataset --local-dir hq-edit``) and
point ``editcaption ingest`` at a file or a folder of ``*.parquet`` files.

* HQ-Edit (``UCSC-VLAA/HQ-Edit``): ``input_image``, ``output_image``, ``edit``,
  ``inverse_edit``, ``input``, ``output``. ``--both-directions`` also ingests the inverse
  edit (output → input) as its own pair.
* ByteMorph-Bench (``ByteDance-Seed/BM-Bench``): ``src_img``, ``tgt_img``, ``edit_type``
  (→ category structural, subtype camera_zoom / camera_motion / object_motion /
  human_motion / interaction), ``edit_prompt``, ``edit_prompt_rewrite_instruction``,
  ``src_img_caption``, ``tgt_img_caption``.
* MagicBrush (``osunlp/MagicBrush``): ``img_id``, ``turn_index``, ``source_img``,
  ``target_img``, ``instruction`` (``mask_img`` is not used).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .base import PairCandidate, SourceError, image_from_value
from .manifest import iter_rows

DATASET_COLUMNS: dict[str, set[str]] = {
    "hqedit": {"input_image", "output_image", "edit"},
    "bytemorph": {"src_img", "tgt_img", "edit_type"},
    "magicbrush": {"source_img", "target_img", "instruction"},
}

_BYTEMORPH_SUBTYPES = ["camera_zoom", "camera_motion", "object_motion", "human_motion", "interaction"]


def parquet_files(source: Path) -> list[Path]:
    if source.is_file():
        return [source]
    files = sorted(source.rglob("*.parquet"))
    if not files:
        raise SourceError(f"{source}: no .parquet files found")
    return files


def parquet_columns(path: Path) -> set[str]:
    import pyarrow.parquet as pq

    try:
        return set(pq.read_schema(path).names)
    except Exception as exc:  # corrupt or not Parquet
        raise SourceError(f"{path}: cannot read Parquet schema: {exc}") from None


def detect_dataset(path: Path) -> str | None:
    cols = parquet_columns(path)
    for name, needed in DATASET_COLUMNS.items():
        if needed <= cols:
            return name
    return None


def bytemorph_subtype(edit_type: Any) -> str | None:
    """Map ByteMorph's edit_type (an index 0–4 or a name such as "Camera Zoom") to our subtype."""
    if edit_type is None:
        return None
    text = str(edit_type).strip().lower().replace("-", " ").replace("_", " ")
    if text.isdigit() and int(text) < len(_BYTEMORPH_SUBTYPES):
        return _BYTEMORPH_SUBTYPES[int(text)]
    for key, sub in (("zoom", "camera_zoom"), ("camera", "camera_motion"), ("object", "object_motion"),
                     ("human", "human_motion"), ("interaction", "interaction")):
        if key in text:
            return sub
    return text.replace(" ", "_") or None


def count_candidates(source: Path, dataset: str, *, both_directions: bool = False) -> int:
    """How many candidates :func:`iter_dataset` yields: one per row, plus HQ-Edit's inverse edits when asked."""
    import pyarrow.parquet as pq

    total = 0
    for path in parquet_files(source):
        try:
            meta = pq.ParquetFile(path)
            total += meta.metadata.num_rows
            if dataset == "hqedit" and both_directions and "inverse_edit" in meta.schema_arrow.names:
                inverse = pq.read_table(path, columns=["inverse_edit"]).column("inverse_edit").to_pylist()
                total += sum(1 for v in inverse if v)
        except Exception:  # corrupt: iter_dataset says why
            continue
    return total


def iter_dataset(source: Path, dataset: str, *, both_directions: bool = False) -> Iterator[PairCandidate]:
    for path in parquet_files(source):
        cols = parquet_columns(path)
        missing = DATASET_COLUMNS[dataset] - cols
        if missing:
            raise SourceError(f"{path}: not a {dataset} file (missing columns: {', '.join(sorted(missing))})")
        for row_no, row, problem in iter_rows(path):
            label = f"{path}#row{row_no}"
            origin = {"dataset": dataset, "file": str(path), "row": row_no}
            if row is None:
                yield PairCandidate(None, None, None, origin, label, problem=problem)
                continue
            yield from _ROW_READERS[dataset](row, path.parent, label, origin, both_directions)


def _hqedit(row: dict, base: Path, label: str, origin: dict, both: bool) -> Iterator[PairCandidate]:
    src = image_from_value(row.get("input_image"), base, f"{label} (input_image)")
    tgt = image_from_value(row.get("output_image"), base, f"{label} (output_image)")
    extra = {"input_caption": row.get("input"), "output_caption": row.get("output"), "inverse_edit": row.get("inverse_edit")}
    problem = None if src and tgt else f"{label}: missing input_image or output_image"
    yield PairCandidate(f"hqedit-{origin['row']}", src, tgt, {**origin, "direction": "forward"}, label,
                        instruction=row.get("edit") or None, extra=extra, problem=problem)
    if both and row.get("inverse_edit"):
        inv_extra = {"input_caption": row.get("output"), "output_caption": row.get("input"), "inverse_edit": row.get("edit")}
        yield PairCandidate(f"hqedit-{origin['row']}-inverse", tgt, src, {**origin, "direction": "inverse"}, label,
                            instruction=row.get("inverse_edit"), extra=inv_extra, problem=problem)


def _bytemorph(row: dict, base: Path, label: str, origin: dict, both: bool) -> Iterator[PairCandidate]:
    src = image_from_value(row.get("src_img"), base, f"{label} (src_img)")
    tgt = image_from_value(row.get("tgt_img"), base, f"{label} (tgt_img)")
    extra = {
        "edit_type": row.get("edit_type"),
        "image_id": row.get("image_id"),
        "edit_prompt_rewrite_instruction": row.get("edit_prompt_rewrite_instruction"),
        "src_img_caption": row.get("src_img_caption"),
        "tgt_img_caption": row.get("tgt_img_caption"),
    }
    name = f"bytemorph-{row.get('image_id') or origin['row']}"
    problem = None if src and tgt else f"{label}: missing src_img or tgt_img"
    yield PairCandidate(name, src, tgt, origin, label, category="structural", subtype=bytemorph_subtype(row.get("edit_type")),
                        split="test", instruction=row.get("edit_prompt") or None, extra=extra, problem=problem)


def _magicbrush(row: dict, base: Path, label: str, origin: dict, both: bool) -> Iterator[PairCandidate]:
    src = image_from_value(row.get("source_img"), base, f"{label} (source_img)")
    tgt = image_from_value(row.get("target_img"), base, f"{label} (target_img)")
    turn = row.get("turn_index")
    name = f"magicbrush-{row.get('img_id', origin['row'])}-{turn}"
    problem = None if src and tgt else f"{label}: missing source_img or target_img"
    yield PairCandidate(name, src, tgt, origin, label, instruction=row.get("instruction") or None,
                        extra={"img_id": row.get("img_id"), "turn_index": turn}, problem=problem)


_ROW_READERS = {"hqedit": _hqedit, "bytemorph": _bytemorph, "magicbrush": _magicbrush}
