"""Image keys: what names an image in every store backend.

A stored image is named by the sha256 of its original bytes and its extension, and lives
under ``<sha[:2]>/<sha><ext>`` below the store's root (a folder or an object-storage prefix).
This module is the one place that turns a hash into such a name.
"""

from __future__ import annotations

from typing import NamedTuple

EXTENSIONS = (".jpg", ".png", ".webp", ".gif", ".bmp", ".tif")
_HEX = frozenset("0123456789abcdef")


class ImageKey(NamedTuple):
    sha256: str
    ext: str

    @classmethod
    def of(cls, sha256: str, ext: str) -> ImageKey:
        """A validated key (ValueError for anything that is not a hex digest and a known extension)."""
        if len(sha256) != 64 or not set(sha256) <= _HEX:
            raise ValueError(f"not a sha256 hex digest: {sha256!r}")
        if ext not in EXTENSIONS:
            raise ValueError(f"unexpected image extension {ext!r}")
        return cls(sha256, ext)

    @property
    def name(self) -> str:
        """``<sha><ext>``: the file name (also used by exports and the studio's caches)."""
        return f"{self.sha256}{self.ext}"

    @property
    def relpath(self) -> str:
        """``<sha[:2]>/<sha><ext>``: where the image lives below a store's root."""
        return self.derived_relpath(self.ext)

    def derived_relpath(self, suffix: str) -> str:
        """``<sha[:2]>/<sha><suffix>``: where a file derived from the image goes in the same layout
        (e.g. an export's ``.upright.png`` copy)."""
        return f"{self.sha256[:2]}/{self.sha256}{suffix}"

    def __str__(self) -> str:
        return self.name


def parse_relpath(rel: str) -> ImageKey | None:
    """The key of a ``<sha[:2]>/<sha><ext>`` name below a store's root; None for anything else
    (temporary files of interrupted writes, stray files)."""
    parts = rel.replace("\\", "/").strip("/").split("/")
    if len(parts) != 2:
        return None
    folder, name = parts
    sha, dot, ext = name.partition(".")
    try:
        key = ImageKey.of(sha, dot + ext)
    except ValueError:
        return None
    return key if folder == sha[:2] else None
