"""Manifest adapter: CSV, JSONL, JSON or Parquet with one pair per row.

Columns: ``source`` and ``target`` (paths relative to the manifest, image bytes, ``data:``
URLs or Hugging Face image structs; aliases ``src``/``tgt``, ``source_image``/``target_image``,
``source_path``/``target_path``), and optionally ``id``, ``name``, ``instruction`` (or
``reference_instruction``), ``category``, ``subtype``, ``split``, ``ground_truth``
(``{"primary": [...], "secondary": [...], "overall": "..."}``, a JSON string in CSV) and
``dataset`` (recorded as the origin). Other scalar columns are kept as the pair's extras.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .base import PairCandidate, SourceError, image_from_value

SOURCE_COLUMNS = ("source", "src", "source_image", "src_image", "source_path", "src_path")
TARGET_COLUMNS = ("target", "tgt", "target_image", "tgt_image", "target_path", "tgt_path")
INSTRUCTION_COLUMNS = ("instruction", "reference_instruction")
KNOWN = set(SOURCE_COLUMNS + TARGET_COLUMNS + INSTRUCTION_COLUMNS) | {
    "id",
    "name",
    "category",
    "subtype",
    "split",
    "ground_truth",
    "dataset",
}
MANIFEST_SUFFIXES = (".csv", ".jsonl", ".ndjson", ".json", ".parquet")


def _first(row: dict[str, Any], names: tuple[str, ...]) -> tuple[str | None, Any]:
    for n in names:
        if n in row and row[n] not in (None, ""):
            return n, row[n]
    return None, None


def iter_rows(path: Path) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    """(row number from 1, row or None, problem) for each row of a manifest file."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            with path.open(newline="", encoding="utf-8-sig") as fh:
                for i, row in enumerate(csv.DictReader(fh), 1):
                    yield i, dict(row), None
        elif suffix in (".jsonl", ".ndjson"):
            with path.open(encoding="utf-8") as fh:
                for i, line in enumerate(fh, 1):
                    if not line.strip():
                        continue
                    try:
                        obj = json.loads(line)
                    except json.JSONDecodeError as exc:
                        yield i, None, f"line {i} is not valid JSON ({exc.msg})"
                        continue
                    if not isinstance(obj, dict):
                        yield i, None, f"line {i} is not a JSON object"
                        continue
                    yield i, obj, None
        elif suffix == ".json":
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, list):
                raise SourceError(f"{path}: a JSON manifest must hold a list of objects")
            for i, obj in enumerate(data, 1):
                yield (i, obj, None) if isinstance(obj, dict) else (i, None, f"item {i} is not an object")
        elif suffix == ".parquet":
            import pyarrow.parquet as pq

            row_no = 0
            for batch in pq.ParquetFile(path).iter_batches(batch_size=64):
                for obj in batch.to_pylist():
                    row_no += 1
                    yield row_no, obj, None
        else:
            raise SourceError(f"{path}: unknown manifest type {suffix!r} (use .csv, .jsonl, .json or .parquet)")
    except SourceError:
        raise
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, ValueError) as exc:
        raise SourceError(f"{path}: cannot read manifest: {exc}") from None
    except Exception as exc:  # pyarrow raises its own types for corrupt files
        raise SourceError(f"{path}: cannot read manifest: {type(exc).__name__}: {exc}") from None


def count_rows(path: Path) -> int:
    """How many rows :func:`iter_rows` yields, read without decoding cells (Parquet: from its metadata)."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        try:
            return pq.ParquetFile(path).metadata.num_rows
        except Exception:  # corrupt: iter_rows says why
            return 0
    try:
        if suffix in (".jsonl", ".ndjson"):
            with path.open(encoding="utf-8") as fh:
                return sum(1 for line in fh if line.strip())
        if suffix == ".csv":
            with path.open(newline="", encoding="utf-8-sig") as fh:
                return sum(1 for _ in csv.DictReader(fh))
        if suffix == ".json":
            data = json.loads(path.read_text(encoding="utf-8"))
            return len(data) if isinstance(data, list) else 0
    except (OSError, UnicodeDecodeError, ValueError, csv.Error):
        return 0  # unreadable: iter_rows raises the SourceError that says why
    return 0


def _json_cell(value: Any) -> Any:
    if isinstance(value, str) and value.strip()[:1] in "{[":
        return json.loads(value)
    return value


def iter_manifest(path: Path) -> Iterator[PairCandidate]:
    base = path.parent
    for row_no, row, problem in iter_rows(path):
        label = f"{path}#row{row_no}"
        if row is None:
            yield PairCandidate(name=None, source=None, target=None, origin={"dataset": "manifest"}, label=label, problem=problem)
            continue
        src_col, src_val = _first(row, SOURCE_COLUMNS)
        tgt_col, tgt_val = _first(row, TARGET_COLUMNS)
        src = image_from_value(src_val, base, f"{label} ({src_col})")
        tgt = image_from_value(tgt_val, base, f"{label} ({tgt_col})")
        problem = None
        if src is None:
            problem = f"row {row_no} has no source image (columns tried: {', '.join(SOURCE_COLUMNS)})"
        elif tgt is None:
            problem = f"row {row_no} has no target image (columns tried: {', '.join(TARGET_COLUMNS)})"
        gt = row.get("ground_truth")
        try:
            gt = _json_cell(gt) if gt not in (None, "") else None
        except json.JSONDecodeError as exc:
            problem = problem or f"row {row_no}: ground_truth is not valid JSON ({exc.msg})"
            gt = None
        ident = row.get("id")
        name = row.get("name") or (str(ident) if ident not in (None, "") else None)
        if name is None and src is not None and src.path is not None:
            name = src.path.stem
        extra = {
            k: v
            for k, v in row.items()
            if k not in KNOWN and (v is None or isinstance(v, (str, int, float, bool, list, dict)))
        }
        _, instruction = _first(row, INSTRUCTION_COLUMNS)
        yield PairCandidate(
            name=name,
            source=src,
            target=tgt,
            origin={
                "dataset": row.get("dataset") or "manifest",
                "manifest": str(path),
                "row": row_no,
                **({"id": str(ident)} if ident not in (None, "") else {}),
            },
            label=label,
            category=(row.get("category") or None),
            subtype=(row.get("subtype") or None),
            split=(row.get("split") or None),
            instruction=str(instruction) if instruction not in (None, "") else None,
            ground_truth=gt,
            extra=extra,
            problem=problem,
        )
