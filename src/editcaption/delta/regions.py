"""Local changes after alignment: where the target differs from the tone-matched source.

Per pixel we compare the target with what the source predicts (warped into the target frame,
global tone change applied) by CIE Lab distance, plus a structure term (gradient magnitude)
for changes of texture at equal colour. The change mask is cleaned with morphology, split
into connected regions, and each region gets a position (viewer's, in the target frame),
named colours before/after (the shared palette of :mod:`editcaption.colors`) and a kind:

* *appeared*: the region stands out from its surroundings in the target, not in the source;
* *disappeared*: the reverse;
  (both colours are always given when measurable: for an appeared object the colour
  "before" is what the place showed in the source);
* *recolored*: the same structure in both, a different named colour;
* *changed*: anything else.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ..colors import name_lab
from ..directions import side_of, vertical_of
from .report import Region
from .thresholds import RegionThresholds

# a pixel belongs to "the thing" in a region when it differs this much from the region's
# surroundings; source and target things are the same object when their colours are this close
_OBJECT_DELTA_E = 20.0
_SAME_OBJECT_DELTA_E = 25.0
_MIN_INNER_MOVE = 0.03  # displacement (fraction of the frame) that makes a region a move


@dataclass
class ChangeMap:
    """Per-pixel difference (ΔE-like units) and the cleaned binary change mask, target frame."""

    difference: np.ndarray  # float32
    mask: np.ndarray  # bool


def _gradient(l_channel: np.ndarray) -> np.ndarray:
    gx = cv2.Sobel(l_channel, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(l_channel, cv2.CV_32F, 0, 1, ksize=3)
    return cv2.magnitude(gx, gy)


def _kernel(size: int) -> np.ndarray:
    size = max(1, size)
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))


def change_map(pred_lab: np.ndarray, tgt_lab: np.ndarray, valid: np.ndarray, t: RegionThresholds) -> ChangeMap:
    """Difference between the tone-matched source and the target, and its cleaned mask."""
    h, w = tgt_lab.shape[:2]
    side = min(h, w)
    sigma = t.blur_sigma if side >= 32 else 0.0
    if sigma > 0:
        pred = cv2.GaussianBlur(pred_lab, (0, 0), sigma)
        tgt = cv2.GaussianBlur(tgt_lab, (0, 0), sigma)
    else:
        pred, tgt = pred_lab, tgt_lab
    diff = np.linalg.norm(tgt - pred, axis=2).astype(np.float32)
    # structure: texture appearing/vanishing at similar mean colour (normalised 0-1)
    g_p, g_t = _gradient(pred[..., 0]), _gradient(tgt[..., 0])
    if sigma > 0:
        g_p = cv2.GaussianBlur(g_p, (0, 0), 2 * sigma)
        g_t = cv2.GaussianBlur(g_t, (0, 0), 2 * sigma)
    struct = np.abs(g_t - g_p) / (g_t + g_p + 20.0)
    score = np.maximum(diff / t.delta_e, struct / t.structure)
    score[~valid] = 0.0
    mask = (score >= 1.0).astype(np.uint8)
    n_valid = int(valid.sum())
    if n_valid and mask.sum() > t.whole_frame * n_valid:
        # most of the frame differs (another scene, or an alignment that failed): one
        # region for all of it is the honest answer, not a scatter of fragments
        return ChangeMap(np.where(valid, diff, 0.0).astype(np.float32), valid.copy())
    k_open = max(1, round(side / 170))
    k_close = max(1, round(side / 40))
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, _kernel(2 * k_open + 1))
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, _kernel(2 * k_close + 1))
    mask &= valid.astype(np.uint8)
    return ChangeMap(np.where(valid, diff, 0.0).astype(np.float32), mask.astype(bool))


def _median_lab(lab: np.ndarray, mask: np.ndarray) -> np.ndarray | None:
    px = lab[mask]
    if px.shape[0] == 0:
        return None
    return np.median(px, axis=0)


def _delta_e(a: np.ndarray | None, b: np.ndarray | None) -> float:
    if a is None or b is None:
        return 0.0
    return float(np.linalg.norm(a - b))


def _structure_correlation(g_a: np.ndarray, g_b: np.ndarray) -> float:
    a = g_a.ravel() - g_a.mean()
    b = g_b.ravel() - g_b.mean()
    den = float(np.sqrt((a * a).sum() * (b * b).sum()))
    return float((a * b).sum() / den) if den > 1e-6 else 0.0


@dataclass
class _Reading:
    kind: str
    before: str | None
    after: str | None
    moved: tuple[float, float] | None = None
    moved_color: str | None = None
    lab_before: np.ndarray | None = None
    lab_after: np.ndarray | None = None


def _object_shift(comp: np.ndarray, src_lab: np.ndarray, tgt_lab: np.ndarray, ring_before: np.ndarray | None,
                  ring_after: np.ndarray | None) -> tuple[tuple[float, float] | None, str | None]:
    """Where the thing standing out from the background sits in the source and in the
    target, inside one region: a displacement (fractions of the frame) when the same-coloured
    thing is found in both at different places (an object moved by less than its size)."""
    if ring_before is None or ring_after is None:
        return None, None
    h, w = comp.shape
    obj_b = comp & (np.linalg.norm(src_lab - ring_before, axis=2) > _OBJECT_DELTA_E)
    obj_a = comp & (np.linalg.norm(tgt_lab - ring_after, axis=2) > _OBJECT_DELTA_E)
    n = comp.sum()
    if obj_b.sum() < 0.15 * n or obj_a.sum() < 0.15 * n:
        return None, None
    colour_b, colour_a = np.median(src_lab[obj_b], axis=0), np.median(tgt_lab[obj_a], axis=0)
    if np.linalg.norm(colour_b - colour_a) > _SAME_OBJECT_DELTA_E:
        return None, None
    yb, xb = np.nonzero(obj_b)
    ya, xa = np.nonzero(obj_a)
    return (float((xa.mean() - xb.mean()) / w), float((ya.mean() - yb.mean()) / h)), name_lab(colour_a)


def _classify(
    comp: np.ndarray, src_lab: np.ndarray, tgt_lab: np.ndarray, valid: np.ndarray, side: int
) -> _Reading:
    """Kind, colour names and inner displacement of one region (``src_lab``: warped source)."""
    inner = cv2.erode(comp.astype(np.uint8), _kernel(3)).astype(bool)
    if inner.sum() < 4:
        inner = comp
    ring_w = max(2, side // 40)
    grown = cv2.dilate(comp.astype(np.uint8), _kernel(2 * ring_w + 1)).astype(bool)
    ring = grown & ~cv2.dilate(comp.astype(np.uint8), _kernel(3)).astype(bool) & valid
    before = _median_lab(src_lab, inner)
    after = _median_lab(tgt_lab, inner)
    ring_before = _median_lab(src_lab, ring)
    ring_after = _median_lab(tgt_lab, ring)
    stand_before = _delta_e(before, ring_before)
    stand_after = _delta_e(after, ring_after)
    name_before = name_lab(before) if before is not None else None
    name_after = name_lab(after) if after is not None else None
    moved, moved_color = _object_shift(comp, src_lab, tgt_lab, ring_before, ring_after)
    if moved is not None and max(abs(moved[0]), abs(moved[1])) >= _MIN_INNER_MOVE:
        # one thing at two places: neither simply appeared nor disappeared
        return _Reading("changed", name_before, name_after, moved, moved_color, before, after)
    moved, moved_color = None, None
    # both colours are reported whatever the kind: for an appeared object the "before"
    # colour is what the place showed before (the background), and vice versa
    if stand_after >= 12 and stand_after > 2.0 * stand_before + 4:
        return _Reading("appeared", name_before, name_after, lab_before=before, lab_after=after)
    if stand_before >= 12 and stand_before > 2.0 * stand_after + 4:
        return _Reading("disappeared", name_before, name_after, lab_before=before, lab_after=after)
    ys, xs = np.nonzero(grown)
    box = (slice(ys.min(), ys.max() + 1), slice(xs.min(), xs.max() + 1))
    corr = _structure_correlation(_gradient(src_lab[..., 0][box]), _gradient(tgt_lab[..., 0][box]))
    if name_before != name_after and corr >= 0.5:
        return _Reading("recolored", name_before, name_after, moved, moved_color, before, after)
    return _Reading("changed", name_before, name_after, moved, moved_color, before, after)


def _as_tuple(lab: np.ndarray | None) -> tuple[float, float, float] | None:
    return None if lab is None else (float(lab[0]), float(lab[1]), float(lab[2]))


def find_regions(
    changes: ChangeMap, src_lab: np.ndarray, tgt_lab: np.ndarray, valid: np.ndarray, t: RegionThresholds
) -> list[Region]:
    """Connected regions of the change mask, largest first (at most ``t.max_regions``)."""
    h, w = changes.mask.shape
    frame = float(h * w)
    n, labels, stats, centroids = cv2.connectedComponentsWithStats(changes.mask.astype(np.uint8), connectivity=8)
    order = sorted(range(1, n), key=lambda i: -stats[i, cv2.CC_STAT_AREA])
    regions: list[Region] = []
    for i in order:
        area = stats[i, cv2.CC_STAT_AREA] / frame
        if area < t.min_area or len(regions) >= t.max_regions:
            break
        comp = labels == i
        x0, y0 = stats[i, cv2.CC_STAT_LEFT], stats[i, cv2.CC_STAT_TOP]
        x1 = x0 + stats[i, cv2.CC_STAT_WIDTH]
        y1 = y0 + stats[i, cv2.CC_STAT_HEIGHT]
        cx, cy = centroids[i]
        reading = _classify(comp, src_lab, tgt_lab, valid, min(h, w))
        regions.append(
            Region(
                bbox=(x0 / w, y0 / h, x1 / w, y1 / h),
                area=float(area),
                side=side_of((cx + 0.5) / w),
                vertical=vertical_of((cy + 0.5) / h),
                kind=reading.kind,
                color_before=reading.before,
                color_after=reading.after,
                centroid=(float((cx + 0.5) / w), float((cy + 0.5) / h)),
                strength=float(changes.difference[comp].mean()),
                moved=reading.moved,
                moved_color=reading.moved_color,
                lab_before=_as_tuple(reading.lab_before),
                lab_after=_as_tuple(reading.lab_after),
            )
        )
    return regions
