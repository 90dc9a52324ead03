"""Reading exported training datasets (the contract the export stage writes).

A dataset is a directory with ``train.parquet`` and optionally ``val.parquet`` /
``test.parquet``, each loadable with ``datasets.load_dataset("parquet", ...)``.

SFT rows: ``id``, ``images`` (two Hugging Face image structs ``{bytes, path}``: source then
target), ``prompt`` (conversational messages with ``{"type": "image"}`` parts), ``completion``
(one assistant message), ``category``, ``subtype``.

Preference rows: ``id``, ``images``, ``prompt``, ``chosen``, ``rejected`` (assistant message
lists), ``error_type`` (orientation | viewpoint | detail), ``severity`` (P0 | P1 | P2) and
optionally the reference log-probs ``ref_chosen_logps``, ``ref_rejected_logps`` (summed) and
``ref_chosen_logps_mean``, ``ref_rejected_logps_mean`` (per token).

Images are decoded by :mod:`editcaption.imageio` (EXIF orientation, size limits), never by
``datasets``' own decoder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..imageio import decode_bytes, decode_file, to_pil

SFT_COLUMNS = ("id", "images", "prompt", "completion")
PREFERENCE_COLUMNS = ("id", "images", "prompt", "chosen", "rejected", "error_type", "severity")
REF_COLUMNS = ("ref_chosen_logps", "ref_rejected_logps", "ref_chosen_logps_mean", "ref_rejected_logps_mean")
SPLITS = ("train", "val", "test")


class DatasetError(ValueError):
    """A dataset directory or row that cannot be used; ``str()`` is one line."""


def split_path(data_dir: str | Path, split: str) -> Path:
    return Path(data_dir) / f"{split}.parquet"


def load_split(data_dir: str | Path, split: str, *, required: bool = False) -> Any:
    """One split as a ``datasets.Dataset`` with images left undecoded, or None when absent."""
    from ..importutils import require

    require("datasets", feature="reading a training dataset")
    import datasets

    path = split_path(data_dir, split)
    if not path.is_file():
        if required:
            if not Path(data_dir).is_dir():
                raise DatasetError(f"{data_dir}: no such dataset directory")
            raise DatasetError(f"{data_dir}: no {split}.parquet (export a dataset first: editcaption export ...)")
        return None
    try:
        ds = datasets.load_dataset("parquet", data_files=str(path), split="train")
    except Exception as exc:  # noqa: BLE001 - a broken file is reported in one line
        raise DatasetError(f"{path}: cannot read ({type(exc).__name__}: {str(exc).splitlines()[0]})") from None
    feature = ds.features.get("images")
    inner = getattr(feature, "feature", None)
    if isinstance(inner, datasets.Image) and inner.decode:
        ds = ds.cast_column("images", datasets.List(datasets.Image(decode=False)))
    return ds


def check_columns(ds: Any, kind: str, where: str) -> None:
    """Raise :class:`DatasetError` naming the missing columns for ``kind`` (sft or preference)."""
    needed = SFT_COLUMNS if kind == "sft" else PREFERENCE_COLUMNS
    missing = [c for c in needed if c not in ds.column_names]
    if missing:
        hint = " (is this an SFT dataset? DPO needs a preference export)" if kind != "sft" and "completion" in \
            ds.column_names else ""
        raise DatasetError(f"{where}: missing column(s) {', '.join(missing)} for {kind} training{hint}")
    if len(ds) == 0:
        raise DatasetError(f"{where}: no rows")


def has_reference(ds: Any) -> bool:
    return all(c in ds.column_names for c in REF_COLUMNS[:2])


def decode_image(item: Any, base_dir: Path | None = None) -> Any:
    """A PIL RGB image from a dataset image cell: ``{bytes, path}``, a PIL image or a path."""
    if hasattr(item, "convert") and hasattr(item, "size"):  # already a PIL image
        return item.convert("RGB")
    if isinstance(item, dict):
        data, path = item.get("bytes"), item.get("path")
        if data:
            return to_pil(decode_bytes(bytes(data), path or "<image bytes>").rgb)
        if path:
            return _from_path(path, base_dir)
        raise DatasetError("image cell has neither bytes nor path")
    if isinstance(item, (str, Path)):
        return _from_path(str(item), base_dir)
    raise DatasetError(f"unsupported image cell of type {type(item).__name__}")


def _from_path(path: str, base_dir: Path | None) -> Any:
    p = Path(path)
    if not p.is_absolute() and base_dir is not None:
        p = base_dir / p
    return to_pil(decode_file(p).rgb)


def clean_messages(messages: Any) -> list[dict[str, Any]]:
    """Messages with Arrow's unified-struct ``None`` fields dropped from content parts."""
    out = []
    for m in messages:
        content = m.get("content")
        if isinstance(content, (list, tuple)):
            content = [{k: v for k, v in part.items() if v is not None} for part in content]
        out.append({"role": m.get("role"), "content": content})
    return out
