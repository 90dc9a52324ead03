"""Images for chat requests: resize to a maximum side and encode as ``data:`` URLs, once.

A pair is encoded once into an :class:`EncodedPair` and reused for every request about it
(retries, several prompts when scoring), so the cost is paid once per pair.
"""

from __future__ import annotations

import base64
import hashlib
import io
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from ..imageio import data_url, load_rgb, max_pixels_default, resize_max_side


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


def encode_image_file(path: str, encoding: ImageEncoding = ImageEncoding()) -> EncodedImage:
    """A stored image as a request sends it; raises ``ImageDecodeError`` for a file that cannot be read.

    * A JPEG from the workspace store that already fits (upright RGB, within ``max_side``, no
      segment besides JFIF: no EXIF, ICC, XMP or comment to leak or to honour) is sent as
      stored: decoding and re-encoding it would be most of a request's CPU, and would only
      lose quality.
    * Another upright RGB JPEG or PNG is resized and encoded straight from Pillow: the same
      bytes as ``encode_image(load_rgb(path), encoding)``, without the array copies.
    * Anything else (EXIF rotation, other modes, animation, a damaged file) takes the full
      decoder, which also words the errors.
    """
    return _encode_plain_file(path, encoding) or encode_image(load_rgb(path), encoding)


def _intact_store_copy(path: str, data: bytes) -> bool:
    """The file is a workspace store copy (named by the sha256 of its bytes) and still has those bytes.

    Ingest decoded these exact bytes, so they are sent without decoding them again; a file
    changed since (or not from the store) is decoded, so a damaged one fails with its reason.
    """
    stem = Path(path).stem
    return len(stem) == 64 and hashlib.sha256(data).hexdigest() == stem


def _no_metadata(img: Image.Image) -> bool:
    """A JPEG whose only application segment is JFIF, and without a comment."""
    return all(marker == "APP0" for marker, _ in getattr(img, "applist", [])) and "comment" not in img.info


def _encode_plain_file(path: str, encoding: ImageEncoding) -> EncodedImage | None:
    try:
        data = Path(path).read_bytes()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
        w, h = img.size
        if (img.format not in ("JPEG", "PNG") or img.mode != "RGB" or getattr(img, "n_frames", 1) != 1
                or w <= 0 or h <= 0 or w * h > max_pixels_default()):
            return None
        if (img.format == "JPEG" and encoding.format == "jpeg" and max(w, h) <= encoding.max_side
                and _no_metadata(img) and _intact_store_copy(path, data)):
            return EncodedImage(url="data:image/jpeg;base64," + base64.b64encode(data).decode("ascii"),
                                width=w, height=h)
        img.load()
        if int(img.getexif().get(0x0112, 1) or 1) != 1:  # after load: a PNG's eXIf may follow its pixels
            return None
        longest = max(w, h)
        if longest > encoding.max_side:
            scale = encoding.max_side / longest  # the same size and filter as resize_max_side
            img = img.resize((max(1, round(w * scale)), max(1, round(h * scale))), Image.Resampling.LANCZOS)
    except Exception:  # noqa: BLE001 - the full decoder reports what is wrong with the file
        return None
    img.info = {}  # encode the pixels alone, as from an array (no comment, ICC profile or DPI carried over)
    buf = io.BytesIO()
    if encoding.format == "jpeg":
        img.save(buf, format="JPEG", quality=encoding.quality)
    else:
        img.save(buf, format="PNG", optimize=False)
    return EncodedImage(url=f"data:image/{encoding.format};base64," + base64.b64encode(buf.getvalue()).decode("ascii"),
                        width=img.width, height=img.height)


def encode_pair_files(source_path: str, target_path: str, encoding: ImageEncoding = ImageEncoding()) -> EncodedPair:
    """Decode both image files (raises ``ImageDecodeError``) and encode them as :func:`encode_pair` does."""
    return EncodedPair(source=encode_image_file(source_path, encoding), target=encode_image_file(target_path, encoding))
