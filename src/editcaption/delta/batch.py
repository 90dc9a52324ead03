"""Analyze or check every row of a manifest, in order, one JSON object per row.

Manifests are read by the ingest reader (:func:`editcaption.ingest.manifest.iter_manifest`),
so the same files work here: JSONL/CSV/JSON/Parquet rows with ``src``/``tgt`` (or
``source``/``target``) paths relative to the manifest, an ``id``, and for checking an
``instruction``. A row that cannot be used yields ``{"id", "error"}`` and the run goes on.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..imageio import ImageDecodeError, decode_bytes, decode_file
from ..ingest.base import ImageInput, PairCandidate
from ..ingest.manifest import iter_manifest
from .analyzer import analyze
from .check import check
from .report import DeltaReport


@dataclass
class ManifestPair:
    id: str
    src: np.ndarray | None
    tgt: np.ndarray | None
    instruction: str | None
    error: str | None


def _decode(image: ImageInput) -> np.ndarray:
    if image.data is not None:
        return decode_bytes(image.data, image.label).rgb
    assert image.path is not None
    return decode_file(image.path).rgb


def _row_id(c: PairCandidate) -> str:
    ident = c.origin.get("id")
    if ident not in (None, ""):
        return str(ident)
    return c.name or f"row {c.origin.get('row', '?')}"


def iter_pairs(manifest: str | Path) -> Iterator[ManifestPair]:
    """Decoded pairs of a manifest (raises ``SourceError`` only if the file itself is unreadable)."""
    for c in iter_manifest(Path(manifest)):
        ident = _row_id(c) if c.origin.get("row") is not None else c.label
        if c.problem or c.source is None or c.target is None:
            yield ManifestPair(ident, None, None, c.instruction, c.problem or "row has no source or target image")
            continue
        try:
            src, tgt = _decode(c.source), _decode(c.target)
        except ImageDecodeError as exc:
            yield ManifestPair(ident, None, None, c.instruction, str(exc))
            continue
        yield ManifestPair(ident, src, tgt, c.instruction, None)


def safe_analyze(src: np.ndarray, tgt: np.ndarray, **kw: Any) -> tuple[DeltaReport | None, str | None]:
    """:func:`analyze`, turning an unexpected failure into a reason (one bad pair never stops a batch)."""
    try:
        return analyze(src, tgt, **kw), None
    except Exception as exc:  # noqa: BLE001 - recorded with its type, the batch goes on
        return None, f"analysis failed: {type(exc).__name__}: {exc}"


def analyze_manifest(manifest: str | Path, *, max_side: int = 512, details: bool = False) -> Iterator[dict[str, Any]]:
    """One analyze object (or ``{"id", "error"}``) per manifest row, in order."""
    for pair in iter_pairs(manifest):
        if pair.error:
            yield {"id": pair.id, "error": pair.error}
            continue
        report, error = safe_analyze(pair.src, pair.tgt, max_side=max_side)  # type: ignore[arg-type]
        yield {"id": pair.id, "error": error} if report is None else report.to_json(pair.id, details=details)


def check_manifest(manifest: str | Path, *, max_side: int = 512) -> Iterator[dict[str, Any]]:
    """One ``{"id", "flags"}`` (or ``{"id", "error"}``) per manifest row, in order."""
    for pair in iter_pairs(manifest):
        if pair.error:
            yield {"id": pair.id, "error": pair.error}
            continue
        if not pair.instruction:
            yield {"id": pair.id, "error": "row has no instruction (column 'instruction')"}
            continue
        report, error = safe_analyze(pair.src, pair.tgt, max_side=max_side)  # type: ignore[arg-type]
        if report is None:
            yield {"id": pair.id, "error": error}
            continue
        yield {"id": pair.id, "flags": [f.to_json() for f in check(report, pair.instruction)]}
