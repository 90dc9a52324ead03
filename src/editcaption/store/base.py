"""The image-store interface every backend implements, and the errors it raises.

Stores are content-addressed: an image is written once under its :class:`ImageKey` and never
changes, so writes are idempotent (an existing key of the right size is never rewritten) and
readers on other machines can cache freely.
"""

from __future__ import annotations

import shutil
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from ..imageio import sha256_bytes
from .keys import ImageKey


class StoreError(RuntimeError):
    """An image store that cannot do what was asked; the message says why in one line."""


class ImageMissing(StoreError, FileNotFoundError):
    """The key is not in the store (also a FileNotFoundError, as a missing file always was)."""


class UnsafeImage(StoreError):
    """The stored entry is a symlink or not a regular file: refused, never followed."""


class StoreUnavailable(StoreError, OSError):
    """The store could not be reached or refused the request (network, credentials, permissions)."""


KeyLike = ImageKey | tuple[str, str]


def as_key(key: KeyLike | str, ext: str | None = None) -> ImageKey:
    """An :class:`ImageKey` from a key, a ``(sha256, ext)`` tuple, or ``sha256, ext`` given apart."""
    if ext is not None:
        return ImageKey.of(str(key), ext)
    if isinstance(key, ImageKey):
        return key
    if isinstance(key, tuple) and len(key) == 2:
        return ImageKey.of(*key)
    raise ValueError(f"not an image key: {key!r} (want (sha256, ext))")


class ImageStore(ABC):
    """A content-addressed store of image bytes keyed by ``(sha256, ext)``.

    Reading methods take a key as an :class:`ImageKey`, a ``(sha256, ext)`` tuple, or the two
    given apart (``store.exists(sha, ".jpg")``).
    """

    url: str

    # -- writing ------------------------------------------------------------------
    def put(self, data: bytes, ext: str, sha256: str | None = None) -> ImageKey:
        """Store ``data`` under its hash; a no-op when the key already holds that many bytes.

        ``sha256`` skips hashing when the caller has just computed it.
        """
        key = ImageKey.of(sha256 or sha256_bytes(data), ext)
        if self._stored_size(key) != len(data):  # absent (None) or damaged: write the bytes
            self._write(key, data)
        return key

    def _stored_size(self, key: ImageKey) -> int | None:
        """What :meth:`put` compares with the new bytes' length (None: write)."""
        return self._size(key)

    @abstractmethod
    def _write(self, key: ImageKey, data: bytes) -> None:
        """Write all of ``data`` under ``key`` so that no reader ever sees part of it."""

    # -- reading ------------------------------------------------------------------
    def open(self, key: KeyLike | str, ext: str | None = None) -> BinaryIO:
        """A binary stream of the image (a context manager); :class:`ImageMissing` if absent."""
        return self._open(as_key(key, ext))

    def read_bytes(self, key: KeyLike | str, ext: str | None = None) -> bytes:
        with self.open(key, ext) as fh:
            return fh.read()

    def read(self, key: KeyLike | str, ext: str | None = None) -> bytes:
        """The same as :meth:`read_bytes` (the folder store's older name)."""
        return self.read_bytes(key, ext)

    def size(self, key: KeyLike | str, ext: str | None = None) -> int | None:
        """Bytes stored under the key, or None when it is absent."""
        return self._size(as_key(key, ext))

    def exists(self, key: KeyLike | str, ext: str | None = None) -> bool:
        return self.size(key, ext) is not None

    def sizes(self, keys: Iterable[KeyLike]) -> dict[ImageKey, int | None]:
        """:meth:`size` of many keys (remote stores ask in parallel and remember the answers)."""
        return {as_key(k): self.size(k) for k in keys}

    def prefetch(self, keys: Iterable[KeyLike]) -> None:
        """Say which images will be read next, in order: remote stores download them ahead into
        the read cache (a hint; the folder store has nothing to do)."""
        return None

    def local_path(self, key: KeyLike | str, ext: str | None = None) -> Path:
        """A file on local disk holding the image, for code that needs a path (model backends,
        decoders). The folder backend returns the file itself; remote backends a read-cache copy."""
        return self._local_path(as_key(key, ext))

    def ref(self, key: KeyLike | str, ext: str | None = None) -> str:
        """A string any process can turn back into the image with :func:`editcaption.store.local_file`
        (the file's absolute path for a folder, the object's URL for remote stores)."""
        return self._ref(as_key(key, ext))

    @abstractmethod
    def iter_keys(self) -> Iterator[ImageKey]:
        """Every key in the store (order unspecified); stray files are skipped."""

    # -- what a backend implements -------------------------------------------------
    @abstractmethod
    def _open(self, key: ImageKey) -> BinaryIO: ...

    @abstractmethod
    def _size(self, key: ImageKey) -> int | None: ...

    @abstractmethod
    def _local_path(self, key: ImageKey) -> Path: ...

    @abstractmethod
    def _ref(self, key: ImageKey) -> str: ...

    # -- describing ---------------------------------------------------------------
    def describe(self) -> str:
        """Where the images are, without credentials."""
        return self.url

    @property
    def is_local(self) -> bool:
        return False

    def check(self) -> None:
        """Reach the store once; raises :class:`StoreError` (one line) when it cannot be used."""
        return None  # a folder needs no round trip; remote backends ask the server

    def copy_to(self, key: KeyLike, dest: Path) -> None:
        """Write the image to ``dest`` (streamed, never whole in memory)."""
        with self.open(key) as src, open(dest, "wb") as out:
            shutil.copyfileobj(src, out, 1 << 20)
