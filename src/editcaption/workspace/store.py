"""Content-addressed image store: ``images/<sha[:2]>/<sha256><ext>`` inside the workspace.

Files are named by the sha256 of their original bytes and written to a temporary file in
the same directory, flushed, then renamed into place, so a crash never leaves a partial
file under a final name. Writing the same bytes twice is a no-op.
"""

from __future__ import annotations

from pathlib import Path

from ..atomicfile import write_atomic
from ..imageio import sha256_bytes


class ImageStore:
    def __init__(self, root: Path):
        self.root = Path(root)

    def path_for(self, sha256: str, ext: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError(f"not a sha256 hex digest: {sha256!r}")
        if ext not in (".jpg", ".png", ".webp", ".gif", ".bmp", ".tif"):
            raise ValueError(f"unexpected image extension {ext!r}")
        return self.root / sha256[:2] / f"{sha256}{ext}"

    def put(self, data: bytes, ext: str, sha256: str | None = None) -> Path:
        digest = sha256 or sha256_bytes(data)
        final = self.path_for(digest, ext)
        if final.exists() and final.stat().st_size == len(data):
            return final
        write_atomic(final, data)
        return final

    def read(self, sha256: str, ext: str) -> bytes:
        return self.path_for(sha256, ext).read_bytes()

    def exists(self, sha256: str, ext: str) -> bool:
        return self.path_for(sha256, ext).exists()
