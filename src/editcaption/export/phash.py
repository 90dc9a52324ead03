"""Perceptual hashes for finding near-duplicate images (used to keep splits leak-free).

We use a 64-bit difference hash (dHash): the image is reduced to a 9×8 grey thumbnail and
each bit says whether a pixel is brighter than its right-hand neighbour. Re-encoding,
resizing, mild colour or brightness changes leave most bits unchanged, so copies of one
photo land within a few bits of each other (Hamming distance), while unrelated photos
differ in about half of the 64 bits.

Flat images (a plain background, a synthetic render) have almost no gradient, so their
bits are decided by noise and every flat image would "match" every other. A hash whose
neighbouring pixels barely differ is therefore marked *uninformative* and never used for
near-duplicate matching (exact sha256 matches still apply).

Matching uses multi-index hashing: split the 64 bits into ``threshold + 1`` bands; two hashes
within ``threshold`` bits agree exactly on at least one band (pigeonhole), so only hashes
sharing a band value are compared — near-linear instead of all pairs.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from ..imageio import ImageDecodeError, decode_file, resize_max_side
from ..progress import ProgressCallback

HASH_BITS = 64
# A thumbnail whose neighbouring pixels differ by less than this (0-255 grey levels) in
# more than half of the comparisons carries no usable structure.
_MIN_CONTRAST = 2.0


@dataclass(frozen=True)
class ImageHash:
    value: int  # 64-bit dHash
    informative: bool


def dhash_rgb(rgb: np.ndarray) -> ImageHash:
    """The 64-bit dHash of an RGB array (HxWx3 uint8)."""
    small = resize_max_side(rgb, 256)  # cheap pre-shrink so the final resize is fast on large photos
    grey = Image.fromarray(small).convert("L").resize((9, 8), Image.Resampling.BOX)
    px = np.asarray(grey, dtype=np.float64)
    diff = px[:, :-1] - px[:, 1:]
    bits = (diff > 0).flatten()
    value = 0
    for bit in bits:
        value = (value << 1) | int(bit)
    informative = float(np.median(np.abs(diff))) >= _MIN_CONTRAST
    return ImageHash(value=value, informative=informative)


def dhash_file(path: str | os.PathLike[str]) -> ImageHash:
    """The dHash of an image file, decoded through :mod:`editcaption.imageio` (EXIF applied)."""
    return dhash_rgb(decode_file(path).rgb)


def _bands(threshold: int) -> list[tuple[int, int]]:
    """(shift, width) of ``threshold + 1`` bands covering the 64 bits."""
    n = threshold + 1
    widths = [HASH_BITS // n + (1 if i < HASH_BITS % n else 0) for i in range(n)]
    out, start = [], 0
    for w in widths:
        out.append((HASH_BITS - start - w, w))
        start += w
    return out


def near_duplicate_pairs(hashes: dict[str, int], threshold: int) -> Iterator[tuple[str, str]]:
    """Yield (key_a, key_b) for every two keys whose hashes are within ``threshold`` bits.

    ``hashes`` maps a key (e.g. an image sha256) to its 64-bit hash. Each qualifying
    unordered pair is yielded once.
    """
    if threshold < 0 or len(hashes) < 2:
        return
    threshold = min(threshold, HASH_BITS - 1)
    keys = list(hashes)
    values = np.array([hashes[k] for k in keys], dtype=np.uint64)
    seen: set[tuple[int, int]] = set()
    for shift, width in _bands(threshold):
        band = (values >> np.uint64(shift)) & np.uint64((1 << width) - 1)
        buckets: dict[int, list[int]] = defaultdict(list)
        for idx, b in enumerate(band.tolist()):
            buckets[b].append(idx)
        for members in buckets.values():
            if len(members) < 2:
                continue
            m = np.array(members)
            x = values[m]
            # Pairwise Hamming distances inside the bucket, vectorised.
            xor = x[:, None] ^ x[None, :]
            dist = _popcount64(xor)
            ii, jj = np.nonzero(np.triu(dist <= threshold, k=1))
            for i, j in zip(m[ii].tolist(), m[jj].tolist(), strict=True):
                pair = (i, j) if i < j else (j, i)
                if pair not in seen:
                    seen.add(pair)
                    yield keys[pair[0]], keys[pair[1]]


def _popcount64(x: np.ndarray) -> np.ndarray:
    """Bit counts of a uint64 array: the CPU's popcount on numpy ≥ 2, a byte-wise lookup before."""
    if hasattr(np, "bitwise_count"):
        return np.bitwise_count(x)
    as_bytes = np.ascontiguousarray(x).view(np.uint8).reshape(*x.shape, 8)
    return _POPCOUNT8[as_bytes].sum(axis=-1)


_POPCOUNT8 = np.array([bin(i).count("1") for i in range(256)], dtype=np.uint8)


def hash_images(paths: Iterable[tuple[str, str | Callable[[], Path]]], on_progress: ProgressCallback | None = None
                ) -> tuple[dict[str, ImageHash], dict[str, str]]:
    """Hash ``(key, path)`` items; returns (key → hash, key → reason for the ones that failed).

    A path may be a function returning it (called when that image's turn comes: an image store's
    local copy, fetched one at a time).

    ``on_progress("hashing images", done, total)`` follows each distinct key.
    """
    todo: dict[str, str] = {}
    for key, path in paths:
        todo.setdefault(key, path)
    out: dict[str, ImageHash] = {}
    failed: dict[str, str] = {}
    for done, (key, path) in enumerate(todo.items(), 1):
        try:
            out[key] = dhash_file(path() if callable(path) else path)
        except ImageDecodeError as exc:
            failed[key] = exc.reason
        except OSError as exc:  # the store could not hand out the image
            failed[key] = str(exc)
        if on_progress:
            on_progress("hashing images", done, len(todo))
    return out, failed
