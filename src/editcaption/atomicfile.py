"""One way to write a file so that a reader never sees it half-written."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def _process_umask() -> int:
    mask = os.umask(0o022)  # reading the umask means setting it: put it straight back
    os.umask(mask)
    return mask


# Read once, at import: changing the umask is process-wide, so never do it while threads write.
_FILE_MODE = 0o666 & ~_process_umask()


def temp_beside(final: Path) -> tuple[int, str]:
    """A new temporary file next to ``final`` (open fd, path) with the permissions a plain ``open()``
    would give it. ``mkstemp`` makes files private (0600): renamed into place, a workspace's images,
    an export or a report would then be unreadable to the rest of a team sharing them."""
    fd, tmp = tempfile.mkstemp(dir=final.parent, prefix=".tmp-", suffix=final.suffix)
    os.fchmod(fd, _FILE_MODE)
    return fd, tmp


def write_atomic(final: Path, data: bytes | str, *, durable: bool = True) -> None:
    """Write ``data`` (text as UTF-8) to a temporary file beside ``final``, then rename it into place.

    ``durable`` also fsyncs before the rename (workspace files); generated output that a rerun
    recreates (EditWorld images, reports) can skip it.
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = temp_beside(final)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, final)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
