"""Images for chat requests: resize to a maximum side and encode as ``data:`` URLs, once.

A pair is encoded once into an :class:`EncodedPair` and reused for every request about it
(retries, several prompts when scoring), so the cost is paid once per pair.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..imageio import data_url, load_rgb, resize_max_side


@dataclass(frozen=True)
class ImageEncoding:
    """How images are sent: longest side at most ``max_side`` px, as JPEG (quality) or PNG."""

    max_side: int = 1024
    format: str = "jpeg"  # jpeg | png
    quality: int = 90

    def __post_init__(self) -> None:
        if self.format not in ("jpeg", "png"):
            raise ValueError(f"image format must be jpeg or png, not {self.format!r}")
        if self.max_side < 16:
            raise ValueError(f"image max side must be at least 16 px, not {self.max_side}")


@dataclass(frozen=True)
class EncodedImage:
    url: str
    width: int
    height: int


@dataclass(frozen=True)
class EncodedPair:
    source: EncodedImage
    target: EncodedImage

    @property
    def urls(self) -> list[str]:
        """Source first, then target: the order every prompt relies on."""
        return [self.source.url, self.target.url]

    @property
    def nbytes(self) -> int:
        return len(self.source.url) + len(self.target.url)


def encode_image(rgb: np.ndarray, encoding: ImageEncoding = ImageEncoding()) -> EncodedImage:
    small = resize_max_side(rgb, encoding.max_side)
    h, w = small.shape[:2]
    return EncodedImage(url=data_url(small, fmt=encoding.format, quality=encoding.quality), width=w, height=h)


def encode_pair(source: np.ndarray, target: np.ndarray, encoding: ImageEncoding = ImageEncoding()) -> EncodedPair:
    return EncodedPair(source=encode_image(source, encoding), target=encode_image(target, encoding))


def encode_pair_files(source_path: str, target_path: str, encoding: ImageEncoding = ImageEncoding()) -> EncodedPair:
    """Decode both image files (raises ``ImageDecodeError``) and encode them as :func:`encode_pair` does."""
    return encode_pair(load_rgb(source_path), load_rgb(target_path), encoding)
