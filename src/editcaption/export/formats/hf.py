"""Hugging Face datasets format: one Parquet file per split, images embedded.

Written with pyarrow alone (no ``datasets``, no torch), plus the ``huggingface`` schema
metadata that ``datasets`` reads, so ``load_dataset("parquet", data_files=...)`` gives
``images`` as a list of ``Image`` features (PIL images on access) and the message columns
as TRL's conversational format.

Columns (the contract the trainer reads):

* sft: ``id`` (pair id), ``images`` [source, target], ``prompt`` (one user message with two
  ``{"type": "image"}`` parts), ``completion`` (one assistant message), ``category``, ``subtype``.
* prefs: ``id``, ``images``, ``prompt``, ``chosen``, ``rejected`` (assistant message lists),
  ``error_type``, ``severity``, and ``ref_chosen_logps`` / ``ref_rejected_logps`` (plus the
  per-token ``*_mean`` pair) when reference log-probs were supplied. A row without them
  (matched by ``id``) has nulls there.
* triplets: ``id``, ``input_image``, ``edited_image``, ``edit_prompt`` (the column names the
  diffusers InstructPix2Pix training script reads by default), ``category``, ``subtype``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from ..examples import ExportJob, assistant_messages, image_name
from ..sources import REF_COLUMNS, PairRef, PreferenceItem, TextItem

ROWS_PER_GROUP = 64  # small row groups: images make rows large, and readers stream by group

_PART = pa.struct([("type", pa.string()), ("text", pa.string())])
_MESSAGE = pa.struct([("role", pa.string()), ("content", pa.list_(_PART))])
_MESSAGES = pa.list_(_MESSAGE)
_IMAGE = pa.struct([("bytes", pa.binary()), ("path", pa.string())])

_STRING = {"dtype": "string", "_type": "Value"}
_FLOAT = {"dtype": "float64", "_type": "Value"}
_IMAGE_FEATURE = {"_type": "Image"}
# A list written as a one-element JSON list: understood by datasets 3.x and 4.x/5.x alike.
_MESSAGES_FEATURE = [{"role": _STRING, "content": [{"type": _STRING, "text": _STRING}]}]


def _columns(kind: str, ref_columns: tuple[str, ...] = ()) -> list[tuple[str, pa.DataType, Any]]:
    if kind == "sft":
        return [("id", pa.string(), _STRING), ("images", pa.list_(_IMAGE), [_IMAGE_FEATURE]),
                ("prompt", _MESSAGES, _MESSAGES_FEATURE), ("completion", _MESSAGES, _MESSAGES_FEATURE),
                ("category", pa.string(), _STRING), ("subtype", pa.string(), _STRING)]
    if kind == "prefs":
        cols = [("id", pa.string(), _STRING), ("images", pa.list_(_IMAGE), [_IMAGE_FEATURE]),
                ("prompt", _MESSAGES, _MESSAGES_FEATURE), ("chosen", _MESSAGES, _MESSAGES_FEATURE),
                ("rejected", _MESSAGES, _MESSAGES_FEATURE), ("error_type", pa.string(), _STRING),
                ("severity", pa.string(), _STRING)]
        return cols + [(name, pa.float64(), _FLOAT) for name in ref_columns]
    if kind == "triplets":
        return [("id", pa.string(), _STRING), ("input_image", _IMAGE, _IMAGE_FEATURE),
                ("edited_image", _IMAGE, _IMAGE_FEATURE), ("edit_prompt", pa.string(), _STRING),
                ("category", pa.string(), _STRING), ("subtype", pa.string(), _STRING)]
    raise ValueError(f"unknown dataset kind {kind!r}")


def schema_for(kind: str, ref_columns: tuple[str, ...] = ()) -> pa.Schema:
    cols = _columns(kind, ref_columns)
    features = {name: feature for name, _, feature in cols}
    meta = {"huggingface": json.dumps({"info": {"features": features}})}
    return pa.schema([(name, typ) for name, typ, _ in cols], metadata=meta)


def _image(job: ExportJob, sha: str, ext: str) -> dict[str, Any]:
    return {"bytes": job.store.read_bytes(sha, ext), "path": image_name(sha, ext)}


def _pair_images(job: ExportJob, pair: PairRef) -> list[dict[str, Any]]:
    return [_image(job, pair.source_sha, pair.source_ext), _image(job, pair.target_sha, pair.target_ext)]


def _row(job: ExportJob, item: Any) -> dict[str, Any]:
    if job.kind == "sft":
        assert isinstance(item, TextItem)
        return {"id": item.pair.id, "images": _pair_images(job, item.pair), "prompt": job.messages_for(item.pair.id),
                "completion": assistant_messages(item.text), "category": item.pair.category,
                "subtype": item.pair.subtype}
    if job.kind == "prefs":
        assert isinstance(item, PreferenceItem)
        return {"id": item.key, "images": _pair_images(job, item.pair), "prompt": job.messages_for(item.pair.id),
                "chosen": assistant_messages(item.chosen), "rejected": assistant_messages(item.rejected),
                "error_type": item.error_type, "severity": item.severity, **(item.ref_logps or {})}
    assert isinstance(item, TextItem)
    return {"id": item.pair.id, "input_image": _image(job, item.pair.source_sha, item.pair.source_ext),
            "edited_image": _image(job, item.pair.target_sha, item.pair.target_ext), "edit_prompt": item.text,
            "category": item.pair.category, "subtype": item.pair.subtype}


def write(job: ExportJob, out_dir: Path) -> dict[str, Any]:
    """Write ``<split>.parquet`` for each non-empty split; returns split → {file, rows}."""
    present = {name for items in job.splits.values() for it in items if job.kind == "prefs" and it.ref_logps
               for name in it.ref_logps}
    schema = schema_for(job.kind, tuple(c for c in REF_COLUMNS if c in present))
    files: dict[str, Any] = {}
    for split, items in job.splits.items():
        path = out_dir / f"{split}.parquet"
        rows = 0
        batch: list[dict[str, Any]] = []
        with pq.ParquetWriter(path, schema) as writer:
            for row in job.rows(items, lambda item: _row(job, item)):
                batch.append(row)
                if len(batch) >= ROWS_PER_GROUP:
                    writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                    rows += len(batch)
                    batch = []
            if batch or rows == 0:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                rows += len(batch)
        files[split] = {"file": path.name, "rows": rows}
    return files

