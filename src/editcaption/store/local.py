"""The folder backend: ``<root>/<sha[:2]>/<sha><ext>`` on local disk (the default layout).

Writes go to a temporary file in the same folder and are renamed into place, so a crash
never leaves a partial file under a final name. Reads refuse a symlink or anything that is
not a regular file: the studio serves these files to browsers, and a link planted in the
store must not expose some other file of the server.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from ..atomicfile import write_atomic
from .base import ImageMissing, ImageStore, KeyLike, UnsafeImage
from .keys import ImageKey, parse_relpath

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


class LocalStore(ImageStore):
    def __init__(self, root: str | os.PathLike[str]):
        self.root = Path(root)
        self.url = str(self.root)

    @property
    def is_local(self) -> bool:
        return True

    def file_for(self, key: ImageKey) -> Path:
        """Where the key's file is (or would be); no check that it exists or is safe to read."""
        return self.root / key.relpath

    def path_for(self, sha256: str, ext: str) -> Path:
        """:meth:`file_for` from a hash and an extension (validated): for tools and tests that manage
        the folder's files themselves. Stages read through :meth:`local_path` / :meth:`open`."""
        return self.file_for(ImageKey.of(sha256, ext))

    def _checked(self, key: ImageKey) -> tuple[Path, os.stat_result]:
        path = self.file_for(key)
        try:
            st = path.lstat()
        except FileNotFoundError:
            raise ImageMissing(f"image {key.name} is not in the store {self.root}") from None
        if stat.S_ISLNK(st.st_mode) or path.parent.is_symlink():
            raise UnsafeImage(f"refusing {path}: a symlink in the image store (stored images must be regular files)")
        if not stat.S_ISREG(st.st_mode):
            raise UnsafeImage(f"refusing {path}: not a regular file")
        return path, st

    def _write(self, key: ImageKey, data: bytes) -> None:
        write_atomic(self.file_for(key), data)

    def _open(self, key: ImageKey) -> BinaryIO:
        path, _ = self._checked(key)
        try:  # O_NOFOLLOW closes the gap between the check above and the open
            fd = os.open(path, os.O_RDONLY | _NOFOLLOW | getattr(os, "O_BINARY", 0))
        except FileNotFoundError:
            raise ImageMissing(f"image {key.name} is not in the store {self.root}") from None
        except OSError as exc:
            raise UnsafeImage(f"refusing {path}: {exc.strerror or exc}") from None
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise UnsafeImage(f"refusing {path}: not a regular file")
        return os.fdopen(fd, "rb")

    def _size(self, key: ImageKey) -> int | None:
        try:
            return self._checked(key)[1].st_size
        except ImageMissing:
            return None

    def exists(self, key: KeyLike | str, ext: str | None = None) -> bool:
        try:
            return self.size(key, ext) is not None
        except UnsafeImage:
            return False

    def _stored_size(self, key: ImageKey) -> int | None:
        try:
            return self._size(key)
        except UnsafeImage:  # a link or odd entry under a content name: replaced by the real bytes
            return None

    def iter_keys(self) -> Iterator[ImageKey]:
        if not self.root.is_dir():
            return
        for folder in sorted(self.root.iterdir()):
            if not folder.is_dir() or len(folder.name) != 2:
                continue
            for f in sorted(folder.iterdir()):
                key = parse_relpath(f"{folder.name}/{f.name}")
                if key is not None:
                    yield key

    def _local_path(self, key: ImageKey) -> Path:
        return self._checked(key)[0]

    def _ref(self, key: ImageKey) -> str:
        return str(self.file_for(key).absolute())
