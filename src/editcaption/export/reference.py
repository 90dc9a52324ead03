"""Precomputed reference log-probs merged into a preference export by row id.

``editcaption train reference`` writes a copy of a preference export with the frozen
reference model's log-probs; an export can take such values back (after re-balancing, say)
so the trainer skips its reference pass. Rows carry ``id`` and :data:`REF_COLUMNS`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .errors import ExportError
from .sources import REF_COLUMNS, REQUIRED_REF_COLUMNS, PreferenceItem


def read_ref_rows(path: Path) -> list[dict[str, Any]]:
    """Rows from a JSONL file, a Parquet file, or a folder of Parquet files (``editcaption train reference``)."""
    import pyarrow.parquet as pq

    files = sorted(path.glob("*.parquet")) if path.is_dir() else [path]
    if not files:
        raise ExportError(f"{path}: no .parquet files with reference log-probs")
    rows: list[dict[str, Any]] = []
    for file in files:
        try:
            if file.suffix == ".parquet":
                names = set(pq.read_schema(file).names)
                rows += pq.read_table(file, columns=[c for c in ("id", *REF_COLUMNS) if c in names]).to_pylist()
            else:
                rows += [json.loads(line) for line in file.read_text(encoding="utf-8").splitlines() if line.strip()]
        except (OSError, ValueError) as exc:
            raise ExportError(f"cannot read reference log-probs from {file}: {str(exc).splitlines()[0]}") from None
    return rows


def attach_ref_logps(items: list[PreferenceItem], path: Path) -> int:
    """Merge precomputed reference log-probs (rows of ``id`` and :data:`REF_COLUMNS`) by row id."""
    table: dict[str, dict[str, float]] = {}
    for n, row in enumerate(read_ref_rows(path), 1):
        try:
            values = {c: float(row[c]) for c in REF_COLUMNS if row.get(c) is not None}
            if not all(c in values for c in REQUIRED_REF_COLUMNS):
                raise KeyError
            table[str(row["id"])] = values
        except (KeyError, TypeError, ValueError):
            raise ExportError(f"{path}: row {n} needs id, {' and '.join(REQUIRED_REF_COLUMNS)} as numbers") from None
    matched = 0
    for it in items:
        if it.key in table:
            it.ref_logps = table[it.key]
            matched += 1
    return matched
