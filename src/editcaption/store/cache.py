"""A bounded read cache on local disk for images of a remote store.

Model backends and decoders want a file path; for an object-storage store each image is
downloaded once into ``<cache>/<sha[:2]>/<sha><ext>``, checked against its hash, and the
least recently used files are deleted when the folder grows past its bound. Images are
immutable (content-addressed), so a cached copy never goes stale.

The bound must exceed what is in use at once (concurrency × two images): a file handed out
may be evicted when that many newer images have been read since.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from .base import StoreError
from .keys import ImageKey, parse_relpath

DEFAULT_BOUND_MB = 2048
ENV_DIR = "EDITCAPTION_STORE_CACHE"
ENV_BOUND = "EDITCAPTION_STORE_CACHE_MB"


def default_cache_dir(store_url: str) -> Path:
    """``$EDITCAPTION_STORE_CACHE/<url hash>``, else the user's cache folder (never the workspace:
    a workspace on object storage keeps no image files of its own)."""
    base = os.environ.get(ENV_DIR) or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "editcaption", "images")
    return Path(base) / hashlib.sha256(store_url.encode()).hexdigest()[:16]


def default_bound() -> int:
    raw = os.environ.get(ENV_BOUND)
    try:
        mb = int(raw) if raw else DEFAULT_BOUND_MB
    except ValueError:
        raise StoreError(f"{ENV_BOUND} must be a whole number of megabytes, got {raw!r}") from None
    return max(mb, 1) << 20


class ReadCache:
    def __init__(self, folder: Path, bound_bytes: int):
        self.folder = Path(folder)
        self.bound = bound_bytes
        self._lock = threading.Lock()
        self._sizes: OrderedDict[Path, int] = OrderedDict()  # least recently used first
        self._total = 0
        self._scan()

    def _scan(self) -> None:
        if not self.folder.is_dir():
            return
        found = []
        for f in self.folder.glob("??/*"):
            if parse_relpath(f"{f.parent.name}/{f.name}") is not None and f.is_file():
                st = f.stat()
                found.append((st.st_mtime, f, st.st_size))
        for _mtime, f, size in sorted(found):
            self._sizes[f] = size
            self._total += size

    def get(self, key: ImageKey, fetch: Callable[[], BinaryIO]) -> Path:
        """The cached file of ``key``, downloading it through ``fetch()`` (a stream) when absent."""
        path = self.folder / key.relpath
        with self._lock:
            if path in self._sizes and path.is_file():
                self._sizes.move_to_end(path)
                return path
        if not path.is_file():
            self._download(key, path, fetch)
        with self._lock:
            size = path.stat().st_size
            self._total += size - self._sizes.pop(path, 0)
            self._sizes[path] = size
            self._evict(keep=path)
        return path

    def _download(self, key: ImageKey, path: Path, fetch: Callable[[], BinaryIO]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=key.ext)
        digest = hashlib.sha256()
        try:
            with os.fdopen(fd, "wb") as out, fetch() as src:
                while chunk := src.read(1 << 20):
                    digest.update(chunk)
                    out.write(chunk)
            if digest.hexdigest() != key.sha256:
                raise StoreError(f"image {key.name} in the store does not match its hash (damaged object)")
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def _evict(self, keep: Path) -> None:
        while self._total > self.bound and len(self._sizes) > 1:
            oldest = next(iter(self._sizes))
            if oldest == keep:
                break
            self._total -= self._sizes.pop(oldest)
            oldest.unlink(missing_ok=True)

    @property
    def total_bytes(self) -> int:
        return self._total
