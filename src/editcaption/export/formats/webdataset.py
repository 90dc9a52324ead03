"""WebDataset shards of editing triplets for training image-editing models.

Each split becomes ``<split>-000000.tar``, ``<split>-000001.tar``, ... holding at most
``shard_size`` samples. A sample is the files sharing a key (the pair id, which has no dots,
as WebDataset splits names at the first dot): ``<key>.src.jpg`` (or .png...), the original
source bytes; ``<key>.tgt.<ext>``, the target; ``<key>.txt``, the instruction; and
``<key>.json`` with the metadata. Members are written in key order with fixed
timestamps, so the same export gives byte-identical shards.
"""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path
from typing import Any

from ...imageio import upright_bytes
from ..examples import ExportJob
from ..sources import TextItem

_MTIME = 0


def _member(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = _MTIME
    info.mode = 0o644
    info.uname = info.gname = ""
    tar.addfile(info, io.BytesIO(data))


def _sample(job: ExportJob, item: TextItem) -> list[tuple[str, bytes]]:
    p = item.pair
    meta = {"id": p.id, "name": p.name, "instruction": item.text, "category": p.category, "subtype": p.subtype,
            "source_sha256": p.source_sha, "target_sha256": p.target_sha, "dataset": p.dataset}
    # Upright pixels: webdataset readers decode with plain PIL and ignore EXIF rotation.
    src, src_ext = upright_bytes(job.store.read_bytes(p.source_sha, p.source_ext), p.source_ext)
    tgt, tgt_ext = upright_bytes(job.store.read_bytes(p.target_sha, p.target_ext), p.target_ext)
    return [
        (f"{p.id}.src{src_ext}", src),
        (f"{p.id}.tgt{tgt_ext}", tgt),
        (f"{p.id}.txt", item.text.encode("utf-8")),
        (f"{p.id}.json", json.dumps(meta, ensure_ascii=False, sort_keys=True).encode("utf-8")),
    ]


def _open_shard(out_dir: Path, split: str, index: int) -> tuple[Path, tarfile.TarFile]:
    path = out_dir / f"{split}-{index:06d}.tar"
    return path, tarfile.open(path, "w", format=tarfile.USTAR_FORMAT)


def write(job: ExportJob, out_dir: Path) -> dict[str, Any]:
    files: dict[str, Any] = {}
    for split, items in job.splits.items():
        shards: list[str] = []
        rows = 0
        tar: tarfile.TarFile | None = None
        in_shard = 0
        for members in job.rows(sorted(items, key=lambda it: it.pair.id), lambda item: _sample(job, item)):
            if tar is None or in_shard >= job.shard_size:
                if tar is not None:
                    tar.close()
                path, tar = _open_shard(out_dir, split, len(shards))
                shards.append(path.name)
                in_shard = 0
            for name, data in members:
                _member(tar, name, data)
            in_shard += 1
            rows += 1
        if tar is not None:
            tar.close()
        files[split] = {"files": shards, "rows": rows, "pattern": _brace_pattern(split, len(shards))}
    return files


def _brace_pattern(split: str, n: int) -> str:
    """The shard URL pattern WebDataset accepts, e.g. ``train-{000000..000003}.tar``."""
    if n <= 1:
        return f"{split}-000000.tar"
    return f"{split}-{{000000..{n - 1:06d}}}.tar"
