"""Pictures for the example gallery: source, target and difference heatmap of a pair as JPEG
``data:`` URLs, so that the report stays one self-contained file.

Images are read through the workspace's image store (``ws.store``), never from a path
built here. Every picture is at most :data:`THUMB_SIDE` pixels on its longer side (the
page shows it small and enlarges it on click), and a :class:`ByteBudget` bounds what all
embedded pictures may add to the page; a pair that no longer fits is shown without
pictures and says why.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ...imageio import data_url, decode_bytes, resize_max_side
from ...workspace import Workspace
from ...workspace.models import ImageRecord, PairRecord

THUMB_SIDE = 384
JPEG_QUALITY = 80
HEATMAP_SIDE = 512  # the analysis size the heatmap is computed at
DEFAULT_BUDGET_MB = 8.0


def read_rgb(ws: Workspace, image: ImageRecord) -> np.ndarray:
    """A stored image, decoded upright (raises the store's or the decoder's error)."""
    data = ws.store.read_bytes(image.sha256, image.ext)
    return decode_bytes(data, f"image {image.sha256[:12]}").rgb


def jpeg_url(rgb: np.ndarray, side: int = THUMB_SIDE) -> str:
    small = np.ascontiguousarray(resize_max_side(rgb, side))
    return data_url(small, fmt="jpeg", quality=JPEG_QUALITY)


@dataclass
class PairPictures:
    source: str | None = None
    target: str | None = None
    heatmap: str | None = None
    reason: str | None = None  # why some or all pictures are missing

    @property
    def nbytes(self) -> int:
        return sum(len(u) for u in (self.source, self.target, self.heatmap) if u)


@dataclass
class ByteBudget:
    """How many bytes of embedded pictures the page may still take."""

    limit: int
    used: int = 0
    refused: list[str] = field(default_factory=list)

    @classmethod
    def megabytes(cls, mb: float) -> ByteBudget:
        return cls(int(mb * 1024 * 1024))

    def take(self, n: int) -> bool:
        if self.used + n > self.limit:
            return False
        self.used += n
        return True


class Pictures:
    """Pair → pictures, made once per pair; each use on the page is charged to the budget
    (a pair shown twice is embedded twice)."""

    def __init__(self, ws: Workspace, budget: ByteBudget):
        self.ws = ws
        self.budget = budget
        self._made: dict[str, PairPictures] = {}

    def for_pair(self, pair: PairRecord) -> PairPictures:
        pics = self._made.get(pair.id)
        if pics is None:
            pics = self._made[pair.id] = _make(self.ws, pair)
        if pics.nbytes and not self.budget.take(pics.nbytes):
            self.budget.refused.append(pair.id)
            return PairPictures(reason=f"left out: the pictures would pass the report's bound of "
                                       f"{self.budget.limit / 1024 / 1024:.2f} MB")
        return pics


def _make(ws: Workspace, pair: PairRecord) -> PairPictures:
    try:
        src = read_rgb(ws, pair.source)
        tgt = read_rgb(ws, pair.target)
    except Exception as exc:  # noqa: BLE001 - a missing or damaged image is shown as such
        return PairPictures(reason=f"images unreadable: {type(exc).__name__}: {exc}")
    pics = PairPictures(source=jpeg_url(src), target=jpeg_url(tgt))
    try:
        from ...delta import difference_heatmap

        heat = difference_heatmap(resize_max_side(src, HEATMAP_SIDE), resize_max_side(tgt, HEATMAP_SIDE))
        pics.heatmap = jpeg_url(heat)
    except Exception as exc:  # noqa: BLE001 - no heatmap, the pair is still shown
        pics.reason = f"no heatmap: {type(exc).__name__}: {exc}"
    return pics
