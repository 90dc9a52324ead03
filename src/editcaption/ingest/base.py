"""What every ingest adapter yields: candidate pairs with their origin and metadata."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class SourceError(RuntimeError):
    """The source as a whole is missing or unreadable (as opposed to one bad pair)."""


@dataclass
class ImageInput:
    """An image to ingest: a file path or in-memory bytes, with a label for messages."""

    label: str
    path: Path | None = None
    data: bytes | None = None

    def read(self) -> bytes:
        if self.data is not None:
            return self.data
        assert self.path is not None
        return self.path.read_bytes()


@dataclass
class PairCandidate:
    """One pair as an adapter found it; ``problem`` set means it is refused as is."""

    name: str | None
    source: ImageInput | None
    target: ImageInput | None
    origin: dict[str, Any]
    label: str  # how messages name this pair (a path, or file#row)
    category: str | None = None
    subtype: str | None = None
    split: str | None = None
    instruction: str | None = None
    ground_truth: Any = None
    extra: dict[str, Any] = field(default_factory=dict)
    problem: str | None = None


def image_from_value(value: Any, base: Path, label: str) -> ImageInput | None:
    """Interpret a manifest/dataset cell as an image: path, bytes, data URL or HF image struct."""
    if value is None:
        return None
    if isinstance(value, dict):  # Hugging Face `Image` feature: {"bytes": ..., "path": ...}
        if value.get("bytes"):
            return ImageInput(label=label, data=bytes(value["bytes"]))
        if value.get("path"):
            return image_from_value(value["path"], base, label)
        return None
    if isinstance(value, (bytes, bytearray, memoryview)):
        return ImageInput(label=label, data=bytes(value))
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if text.startswith("data:") and ";base64," in text:
            try:
                return ImageInput(label=label, data=base64.b64decode(text.split(",", 1)[1], validate=True))
            except (binascii.Error, ValueError):
                return ImageInput(label=label, data=b"")
        p = Path(text)
        if not p.is_absolute():
            p = base / p
        return ImageInput(label=str(p), path=p)
    return None
