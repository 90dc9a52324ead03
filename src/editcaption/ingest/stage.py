"""The ingest stage: candidates from an adapter → decoded, stored, recorded pairs.

Each pair is written in its own transaction (images first, atomically, then the rows),
so a crash leaves either a whole pair or none, and re-running the same ingest finishes
the job: pairs already present count as duplicates and nothing is added twice.

Progress is reported as one phase, "ingesting pairs", whose total (every candidate the
source holds, refused ones included) is counted before the first pair is read.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError

from .. import testhook
from ..imageio import DecodedImage, ImageDecodeError, decode_bytes
from ..progress import ProgressCallback
from ..schema import Category, GroundTruth, Split
from ..workspace import GroundTruthRecord, ImageRecord, InstructionRecord, PairRecord, RunRecord, Workspace
from ..workspace.models import utcnow
from .base import PairCandidate, SourceError
from .datasets import DATASET_COLUMNS, count_candidates, detect_dataset, iter_dataset, parquet_files
from .folder import iter_folder
from .manifest import MANIFEST_SUFFIXES, count_rows, iter_manifest

FORMATS = ("auto", "folder", "manifest", *DATASET_COLUMNS)
PHASE = "ingesting pairs"
_SPLIT_ALIASES = {"validation": "val", "valid": "val", "dev": "val", "eval": "test"}


@dataclass
class IngestReport:
    ingested: int = 0
    duplicates: int = 0
    rejected: list[dict[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    format: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"ingested": self.ingested, "duplicates": self.duplicates, "rejected": self.rejected}


def pair_id_for(source_sha: str, target_sha: str) -> str:
    """Stable pair id: a hash of both images' content hashes, in order (source, target)."""
    return hashlib.sha256(f"{source_sha}:{target_sha}".encode()).hexdigest()[:16]


def resolve_format(source: Path, fmt: str = "auto") -> str:
    if not source.exists():
        raise SourceError(f"{source}: no such file or folder")
    if fmt != "auto":
        if fmt not in FORMATS:
            raise SourceError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
        return fmt
    if source.is_dir():
        parquets = list(source.rglob("*.parquet"))
        if parquets and (name := detect_dataset(sorted(parquets)[0])):
            return name
        return "folder"
    if source.suffix.lower() == ".parquet":
        return detect_dataset(source) or "manifest"
    if source.suffix.lower() in MANIFEST_SUFFIXES:
        return "manifest"
    raise SourceError(f"{source}: cannot tell its format; pass --format folder|manifest|hqedit|bytemorph|magicbrush")


def iter_candidates(source: Path, fmt: str, *, both_directions: bool = False, skip: tuple[Path, ...] = ()
                    ) -> tuple[Iterable[PairCandidate], int]:
    """The candidates a source holds (streamed from manifests and datasets) and how many there are.

    A folder is searched except for the folders in ``skip``.
    """
    if fmt == "folder":
        if not source.is_dir():
            raise SourceError(f"{source}: --format folder needs a directory")
        found = iter_folder(source, skip)
        return found, len(found)
    if fmt == "manifest":
        if source.is_dir():
            raise SourceError(f"{source}: --format manifest needs a .csv, .jsonl, .json or .parquet file")
        return iter_manifest(source), count_rows(source)
    parquet_files(source)  # raises early when there is nothing to read
    return (iter_dataset(source, fmt, both_directions=both_directions),
            count_candidates(source, fmt, both_directions=both_directions))


def _validate_metadata(c: PairCandidate) -> tuple[dict[str, Any], str | None]:
    """Normalised category/subtype/split/ground truth, or a reason to refuse the row."""
    out: dict[str, Any] = {"category": None, "subtype": c.subtype, "split": None, "ground_truth": None}
    if c.category:
        cat = str(c.category).strip().lower()
        if cat not in {x.value for x in Category}:
            return out, f"category {c.category!r} is not one of semantic, stylistic, structural"
        out["category"] = cat
    if c.split:
        split = _SPLIT_ALIASES.get(str(c.split).strip().lower(), str(c.split).strip().lower())
        if split not in {x.value for x in Split}:
            return out, f"split {c.split!r} is not one of train, val, test"
        out["split"] = split
    if c.ground_truth is not None:
        try:
            gt = c.ground_truth if isinstance(c.ground_truth, dict) else {"overall": str(c.ground_truth)}
            out["ground_truth"] = GroundTruth.model_validate({k: v for k, v in gt.items() if k != "pair_id"})
        except ValidationError as exc:
            first = exc.errors()[0]
            return out, f"ground_truth is malformed at {'.'.join(map(str, first['loc']))}: {first['msg']}"
    return out, None


def _store_image(ws: Workspace, img: DecodedImage) -> dict[str, Any]:
    ws.store.put(img.data, img.extension, img.sha256)
    return dict(
        sha256=img.sha256, ext=img.extension, format=img.format, mode=img.mode,
        width=img.width, height=img.height, nbytes=len(img.data),
    )


def ingest(
    ws: Workspace,
    source: str | Path,
    fmt: str = "auto",
    *,
    both_directions: bool = False,
    max_pixels: int | None = None,
    on_progress: ProgressCallback | None = None,
) -> IngestReport:
    """Ingest every pair a source holds; one bad pair is reported and never stops the run.

    ``on_progress("ingesting pairs", done, total)`` follows each candidate.
    """
    source = Path(source)
    report = IngestReport(format=resolve_format(source, fmt))
    source_run = f"source:{report.format}"
    candidates, total = iter_candidates(source, report.format, both_directions=both_directions, skip=(ws.root,))
    if on_progress:
        on_progress(PHASE, 0, total)
    for done, cand in enumerate(candidates, 1):
        _ingest_one(ws, cand, report, source_run, max_pixels)
        if on_progress:
            on_progress(PHASE, done, max(total, done))
    return report


def _ingest_one(ws: Workspace, cand: PairCandidate, report: IngestReport, source_run: str, max_pixels: int | None) -> None:
    if cand.problem:
        report.rejected.append({"path": cand.label, "reason": cand.problem})
        return
    meta, problem = _validate_metadata(cand)
    if problem:
        report.rejected.append({"path": cand.label, "reason": problem})
        return
    decoded: list[DecodedImage] = []
    for image in (cand.source, cand.target):
        assert image is not None
        try:
            data = image.read()
        except FileNotFoundError:
            report.rejected.append({"path": image.label, "reason": "file not found"})
            return
        except OSError as exc:
            report.rejected.append({"path": image.label, "reason": f"cannot read file: {exc.strerror or exc}"})
            return
        try:
            decoded.append(decode_bytes(data, image.label, max_pixels=max_pixels))
        except ImageDecodeError as exc:
            report.rejected.append({"path": image.label, "reason": exc.reason})
            return
    src, tgt = decoded
    for d in decoded:
        report.warnings.extend(d.warnings)
    pid = pair_id_for(src.sha256, tgt.sha256)
    with ws.session() as s:
        if s.get(PairRecord, pid) is not None:
            report.duplicates += 1
            return
    # Images reach the store before the rows that point at them (atomic renames).
    image_rows = [_store_image(ws, src), _store_image(ws, tgt)]
    try:
        with ws.session() as s:
            for row in image_rows:
                if s.get(ImageRecord, row["sha256"]) is None:
                    s.add(ImageRecord(**row))
            s.flush()
            s.add(
                PairRecord(
                    id=pid, name=cand.name, source_sha=src.sha256, target_sha=tgt.sha256, origin=cand.origin,
                    category=meta["category"], subtype=meta["subtype"], split=meta["split"], extra=cand.extra,
                )
            )
            s.flush()
            gt: GroundTruth | None = meta["ground_truth"]
            if gt is not None:
                s.add(
                    GroundTruthRecord(
                        pair_id=pid,
                        primary=[c.model_dump(exclude_none=True) for c in gt.primary],
                        secondary=[c.model_dump(exclude_none=True) for c in gt.secondary],
                        overall=gt.overall, verified=gt.verified, source=gt.source or cand.origin.get("dataset"),
                    )
                )
            if cand.instruction:
                _ensure_source_run(s, source_run)
                s.add(InstructionRecord(pair_id=pid, run_id=source_run, text=cand.instruction,
                                        producer=source_run, status="ok"))
    except IntegrityError:
        # Another process ingested the same pair between our check and our insert.
        report.duplicates += 1
        return
    report.ingested += 1
    testhook.item_done("ingest")


def _ensure_source_run(s: Any, name: str) -> None:
    if s.get(RunRecord, name) is None:
        from .. import __version__

        s.add(RunRecord(id=name, kind="import", config={"note": "instructions carried by the ingested source"},
                        package_version=__version__, status="done", ended_at=utcnow()))
        s.flush()

