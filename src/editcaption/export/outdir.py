"""The output folder: written as ``.<name>.partial`` beside it, renamed into place when complete.

A killed export therefore never leaves a half dataset under the final name, and the next run
reuses the images the killed one had already copied (they are content-addressed).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from .errors import ExportError


def prepare(out: Path, overwrite: bool) -> Path:
    if out.exists() and (not out.is_dir() or any(out.iterdir())) and not overwrite:
        raise ExportError(f"{out} already exists; pass --overwrite to replace it")
    partial = out.parent / f".{out.name}.partial"
    if partial.exists():
        # Keep the images an interrupted export already copied; everything else is rewritten.
        for child in partial.iterdir():
            if child.name != "images":
                shutil.rmtree(child) if child.is_dir() else child.unlink()
    partial.mkdir(parents=True, exist_ok=True)
    return partial


def finalise(partial: Path, out: Path) -> None:
    if out.exists():
        old = out.parent / f".{out.name}.old-{os.getpid()}"
        os.replace(out, old)
        os.replace(partial, out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(partial, out)
