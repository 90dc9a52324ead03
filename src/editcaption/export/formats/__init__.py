"""Dataset writers, one module per format; :func:`write` picks the one asked for."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..examples import ExportJob, ImagePlacer

# format → dataset kinds it can hold
FORMAT_KINDS: dict[str, tuple[str, ...]] = {
    "hf": ("sft", "prefs", "triplets"),
    "llamafactory": ("sft", "prefs"),
    "swift": ("sft", "prefs"),
    "jsonl": ("sft", "prefs", "triplets"),
    "webdataset": ("triplets",),
}
# formats that reference image files next to the data (the others embed the bytes)
FILE_IMAGE_FORMATS = ("llamafactory", "swift", "jsonl")
# ms-swift opens a relative image path from its working directory (else from $ROOT_IMAGE_DIR),
# never from the dataset file's folder, so its paths are absolute unless asked otherwise;
# LLaMA-Factory resolves them from its dataset_dir, our JSONL from its own folder.
ABSOLUTE_BY_DEFAULT = ("swift",)
# the progress phase of each writer
PHASES = {"hf": "writing parquet", "llamafactory": "writing LLaMA-Factory JSON", "swift": "writing ms-swift JSONL",
          "jsonl": "writing JSONL", "webdataset": "writing WebDataset shards"}


class FormatError(ValueError):
    pass


def check_format(fmt: str, kind: str) -> None:
    if fmt not in FORMAT_KINDS:
        raise FormatError(f"unknown format {fmt!r}; choose one of {', '.join(FORMAT_KINDS)}")
    if kind not in FORMAT_KINDS[fmt]:
        allowed = [f for f, kinds in FORMAT_KINDS.items() if kind in kinds]
        raise FormatError(f"--format {fmt} cannot hold a {kind} dataset; use one of {', '.join(allowed)}")


def absolute_paths(fmt: str, asked: bool | None) -> bool | None:
    """Whether image paths are written absolute (``asked``, else the format's default); None: images embedded."""
    if fmt not in FILE_IMAGE_FORMATS:
        return None
    return asked if asked is not None else fmt in ABSOLUTE_BY_DEFAULT


def write(fmt: str, job: ExportJob, out_dir: Path, final_dir: Path | None = None) -> dict[str, Any]:
    """Write ``job`` into ``out_dir`` in format ``fmt``; returns split → file info."""
    check_format(fmt, job.kind)
    job.phase = PHASES[fmt]
    if fmt == "hf":
        from . import hf

        return hf.write(job, out_dir)
    if fmt == "webdataset":
        from . import webdataset

        return webdataset.write(job, out_dir)
    placer = ImagePlacer(out_dir, job.store, link=job.link_images, absolute=job.absolute_paths)
    placer.final_dir = final_dir
    if fmt == "llamafactory":
        from . import llamafactory as mod
    elif fmt == "swift":
        from . import swift as mod  # type: ignore[no-redef]
    else:
        from . import jsonl as mod  # type: ignore[no-redef]
    files = mod.write(job, out_dir, placer)
    job.files["images"] = {"written": placer.written, "reused": placer.reused}
    return files
