"""Local changes after alignment: where the target differs from the tone-matched source.

Per pixel we compare the target with what the source predicts (warped into the target frame,
global tone change applied) by CIE Lab distance, plus a structure term (gradient magnitude)
for changes of texture at equal colour. The change mask is cleaned with morphology, split
into connected regions, and each region gets a position (viewer's, in the target frame),
named colours before/after (the shared palette of :mod:`editcaption.colors`) and a kind,
tested in this order:

* a *move* (kind *changed* with ``moved`` set): the same-coloured thing at two places inside
  the region, its source pixels found again in the target along the displacement (or the
  outline an edge in both images, as a short move leaves it);
* *recolored*: the same lightness structure in both images (the thing is still there, with
  its shading and texture) and a change that is mostly one of colour; or, failing the tests
  below, the same structure and a different named colour;
* *appeared*: first read from the whole extent of what differs at all (the region grown
  into even weaker changes): its outline is an edge in the target only, or its inside stands
  out from a ring around it in the target only. Where only the detail a faint object hid
  (mortar lines, pen strokes) passes the thresholds, the region is that detail, and its own
  outline is an edge in the image *without* the object. Failing that, the region's outline
  is an edge in the target, not in the source — just inside it the target differs from just
  outside it, while in the source both sides show the same surroundings. Comparing the two
  sides of the outline locally (means over thin bands, so texture averages out) holds on
  busy and textured backgrounds and for objects that cover something else, where a
  comparison with the median of the whole surroundings does not. When the outline is about
  as much an edge in both images (a soft or faded object, one that covers something
  distinct), the image whose pixels just inside the outline are found again close by just
  outside it shows the background there (a tripod leg or a rocket behind a coin continues
  across the outline); the other image holds the thing;
* *disappeared*: the reverse;
  (both colours are always given when measurable: for an appeared object the colour
  "before" is what the place showed in the source);
* *changed*: anything else — a clear edge on both sides of the outline with different
  structure (one thing replaced by another), or too little to tell; unless, as a last test,
  the whole inside stands out from a ring around it in one image far more than in the other
  (that image holds the thing: appeared or disappeared).

Regions are the change mask grown into the faint changes around it (hysteresis), so that a
faint or textured object whose pixels pass the threshold only in pieces is one region; a
region that grows much further still at a lower score is part of a larger thing that
differs little from what it covers, and that thing's outline is the one read. A faint blob
on its own becomes a region when its outline clearly belongs to one image, or when it is a
recolour that no global tone change explains (a black or white thing given a tint, which
moves little in Lab: see :func:`_recoloured_here`). Last, two
regions where the source's pixels of one are found again in the target at the other are
the two places of a long move (where it disappeared, where it appeared).

After all of these, a learned second opinion (:mod:`.kind_model`): every measurement the tests above
threshold one at a time, weighed together by a logistic regression fitted on tuning data
only; where it is sure enough it names a region the rules left as *changed*, or turns
*appeared* into *disappeared* and back (see :func:`overrules`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Any

import cv2
import numpy as np

from ..colors import name_lab
from ..directions import side_of, vertical_of
from . import kind_model
from .report import Region
from .thresholds import RegionThresholds

# a pixel belongs to "the thing" in a region when it differs this much from the region's
# surroundings; source and target things are the same object when their colours are this close
_OBJECT_DELTA_E = 20.0
_SAME_OBJECT_DELTA_E = 25.0
_MIN_INNER_MOVE = 0.03  # displacement (fraction of the frame) that makes a region a move
_ONE_SIDED = 0.25  # outline contrast above which a displacement must be confirmed by _follows
_MOVE_MATCH_DELTA_E = 12.0  # median ΔE between a moved thing and the same thing at its new place
_TEXTURE_WEIGHT = 0.25  # Sobel magnitude of L* → Lab-like units (a step of 1 L* per pixel reads about 2)


@dataclass
class ChangeMap:
    """Per-pixel difference (ΔE-like units) and the cleaned binary change mask, target frame."""

    difference: np.ndarray  # float32
    mask: np.ndarray  # bool
    predicted: np.ndarray | None = None  # the tone-matched source (CIE Lab) the target was compared with
    # faint changes: pixels at a lower score, away from the mask; a blob of them becomes a region
    # only when its outline clearly belongs to one image (an object that blends in)
    faint: np.ndarray | None = None  # bool
    score: np.ndarray | None = None  # float32, 1.0 = the mask's threshold
    # weaker still: where a thing that differs little from what it covers really ends, when
    # only the background's detail under it passes the other thresholds (see find_regions)
    weak: np.ndarray | None = None  # bool
    # in a quiet pair, the same map at a lower threshold (see change_map): searched only
    # where this one found nothing
    quiet: ChangeMap | None = None


def _gradient(l_channel: np.ndarray) -> np.ndarray:
    gx = cv2.Sobel(l_channel, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(l_channel, cv2.CV_32F, 0, 1, ksize=3)
    return cv2.magnitude(gx, gy)


def _kernel(size: int) -> np.ndarray:
    size = max(1, size)
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))


def _noise(diff: np.ndarray, valid: np.ndarray) -> float:
    """A pair's noise: the 75th percentile of a difference over the overlap, which a change
    covering under a quarter of the frame does not reach."""
    return float(np.percentile(diff[valid], 75))


def _quiet_delta_e(noise: float, t: RegionThresholds) -> float | None:
    """The lower threshold for a pair with this noise, or None where it is not quiet. A pair
    whose every pixel moved (heavily re-rendered, or given a clear tone change) is not quiet; a
    warped one never gets here (see the analyzer)."""
    if t.quiet_delta_e is None:
        return None
    limit = max(t.quiet_delta_e, t.noise_factor * noise)
    return limit if limit < t.delta_e else None


def change_map(pred_lab: np.ndarray, tgt_lab: np.ndarray, valid: np.ndarray, t: RegionThresholds,
               src_lab: np.ndarray | None = None) -> ChangeMap:
    """Difference between the tone-matched source and the target, and its cleaned mask.

    ``src_lab``, the source before tone matching, lets a quiet pair (quiet both before and after
    tone matching: :func:`_noise`, :func:`_quiet_delta_e`) be searched again at a lower threshold:
    there a pixel counts only where the target differs from both, so what the tone model alone
    leaves behind (a residual on a bright face after the fit moved) is not taken for a change."""
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
    struct = np.abs(g_t - g_p) / (g_t + g_p + 20.0) / t.structure
    changes = _masks(diff, np.maximum(diff / t.delta_e, struct), valid, pred_lab, t)
    if src_lab is None or changes.faint is None or t.quiet_delta_e is None or not valid.any():
        return changes
    noise = _noise(diff, valid)
    if _quiet_delta_e(noise, t) is None:
        return changes
    src = cv2.GaussianBlur(src_lab, (0, 0), sigma) if sigma > 0 else src_lab
    raw = np.linalg.norm(tgt - src, axis=2).astype(np.float32)
    quiet = _quiet_delta_e(max(noise, _noise(raw, valid)), t)
    if quiet is not None:
        second = _masks(diff, np.maximum(np.minimum(diff, raw) / quiet, struct), valid, pred_lab, t)
        changes.quiet = second if second.faint is not None else None  # (never "the whole frame")
    return changes


def _masks(diff: np.ndarray, score: np.ndarray, valid: np.ndarray, pred_lab: np.ndarray,
           t: RegionThresholds) -> ChangeMap:
    """The cleaned change, faint and weak masks of one score map (1.0 = a change)."""
    side = min(diff.shape)
    score[~valid] = 0.0
    mask = (score >= 1.0).astype(np.uint8)
    n_valid = int(valid.sum())
    if n_valid and mask.sum() > t.whole_frame * n_valid:
        # most of the frame differs (another scene, or an alignment that failed): one
        # region for all of it is the honest answer, not a scatter of fragments
        return ChangeMap(np.where(valid, diff, 0.0).astype(np.float32), valid.copy(), pred_lab)
    opened, closed = _kernel(2 * max(1, round(side / 170)) + 1), _kernel(2 * max(1, round(side / 40)) + 1)

    def cleaned(m: np.ndarray) -> np.ndarray:
        m = cv2.morphologyEx(cv2.morphologyEx(m, cv2.MORPH_OPEN, opened), cv2.MORPH_CLOSE, closed)
        return (m & valid.astype(np.uint8)).astype(bool)

    return ChangeMap(np.where(valid, diff, 0.0).astype(np.float32), cleaned(mask), pred_lab,
                     cleaned((score >= t.faint_score).astype(np.uint8)), score.astype(np.float32),
                     cleaned((score >= t.weak_score).astype(np.uint8)))


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
    contrast: float = 0.0  # of the steps across the outline: > 0 the target's edge, < 0 the source's
    rules_kind: str | None = None  # the kind the rules gave (the learned model may replace ``kind``)
    measurements: np.ndarray | None = None  # what the learned model read (see _measurements)


def _object_shift(comp: np.ndarray, src_lab: np.ndarray, tgt_lab: np.ndarray, ring_before: np.ndarray | None,
                  ring_after: np.ndarray | None, frame: tuple[int, int]) -> tuple[Any, str | None, Any]:
    """Where the thing standing out from the background sits in the source and in the
    target, inside one region: a displacement (fractions of the frame) when the same-coloured
    thing is found in both at different places (an object moved by less than its size), its
    colour, and its source pixels with the displacement in pixels (for :func:`_follows`)."""
    if ring_before is None or ring_after is None:
        return None, None, None
    h, w = frame
    obj_b = comp & (np.linalg.norm(src_lab - ring_before, axis=2) > _OBJECT_DELTA_E)
    obj_a = comp & (np.linalg.norm(tgt_lab - ring_after, axis=2) > _OBJECT_DELTA_E)
    n = comp.sum()
    if obj_b.sum() < 0.15 * n or obj_a.sum() < 0.15 * n:
        return None, None, None
    colour_b, colour_a = np.median(src_lab[obj_b], axis=0), np.median(tgt_lab[obj_a], axis=0)
    if np.linalg.norm(colour_b - colour_a) > _SAME_OBJECT_DELTA_E:
        return None, None, None
    yb, xb = np.nonzero(obj_b)
    ya, xa = np.nonzero(obj_a)
    dx, dy = float(xa.mean() - xb.mean()), float(ya.mean() - yb.mean())
    return (dx / w, dy / h), name_lab(colour_a), (yb, xb, dx, dy)


def _follows(src_lab: np.ndarray, tgt_lab: np.ndarray, ys: np.ndarray, xs: np.ndarray, dx: float, dy: float) -> bool:
    """Whether the source's thing (pixels ``ys, xs``) is found again in the target a step along
    (dx, dy): the best of a few steps up to 1.2× the centroid shift (the centroids of the two
    crescents a short move leaves lie further apart than the move itself) must match it
    closely, and much better than the same place does. This keeps a busy background that
    happens to share the new object's colour from passing for a move."""
    h, w = tgt_lab.shape[:2]
    # lightly blurred, so that a step that misses by a pixel or two still matches a textured thing
    src_b, tgt_b = cv2.GaussianBlur(src_lab, (0, 0), 1.5), cv2.GaussianBlur(tgt_lab, (0, 0), 1.5)
    seen = src_b[ys, xs]
    here = float(np.median(np.linalg.norm(seen - tgt_b[ys, xs], axis=1)))
    best = np.inf
    steps = max(11, min(41, int(np.hypot(dx, dy))))  # about one pixel apart
    for k in np.linspace(0.2, 1.2, steps):
        yt = np.clip(np.round(ys + k * dy).astype(int), 0, h - 1)
        xt = np.clip(np.round(xs + k * dx).astype(int), 0, w - 1)
        best = min(best, float(np.median(np.linalg.norm(seen - tgt_b[yt, xt], axis=1))))
    return best <= _MOVE_MATCH_DELTA_E and best <= 0.5 * here


def _band_means(lab: np.ndarray, band: np.ndarray, sigma: float) -> tuple[np.ndarray, np.ndarray]:
    """Local means of ``lab`` over the pixels of ``band`` (normalised convolution) and their weight."""
    w = band.astype(np.float32)
    num = cv2.GaussianBlur(lab * w[..., None], (0, 0), sigma)
    den = cv2.GaussianBlur(w, (0, 0), sigma)
    return num / np.maximum(den, 1e-6)[..., None], den


def _with_texture(lab: np.ndarray) -> np.ndarray:
    """Lab plus a fourth channel, the local amount of texture (gradient magnitude of L*,
    scaled to Lab-like units), so that a smooth thing on grass differs from the grass."""
    return np.concatenate([lab, _TEXTURE_WEIGHT * _gradient(lab[..., 0])[..., None]], axis=2)


def _leaning(before: float, after: float) -> float:
    """(after − before) / (after + before): +1 when only the target shows it, −1 only the source."""
    return (after - before) / max(after + before, 1e-6)


def _bands(side: int) -> tuple[int, int]:
    """The gap left on each side of an outline and the width of the band read beyond it, in
    pixels of a frame whose shorter side is ``side``."""
    return max(1, round(side / 250)), max(3, round(side / 60))


def _outer_band(c8: np.ndarray, gap: int, width: int, valid: np.ndarray) -> np.ndarray:
    """The band of ``width`` pixels just outside a uint8 mask, ``gap`` pixels away from it."""
    return cv2.dilate(c8, _kernel(2 * (gap + width) + 1)).astype(bool) & ~cv2.dilate(
        c8, _kernel(2 * gap + 1)).astype(bool) & valid


def _outline_steps(comp: np.ndarray, pred_lab: np.ndarray, tgt_lab: np.ndarray, valid: np.ndarray,
                   side: int) -> tuple[float, float]:
    """How much each image changes across the region's outline: the median, along the outline,
    of the distance between the local means (colour and texture) just inside and just outside
    it, in the tone-matched source and in the target. The mask's outline only approximates
    the thing's edge (the difference is blurred, faint parts are left out), so the outline is
    also tried a little inside and a little outside, and each image keeps its largest step."""
    gap, width = _bands(side)
    sigma = max(2.0, 0.8 * width)
    images = (_with_texture(pred_lab), _with_texture(tgt_lab))
    c8 = comp.astype(np.uint8)
    shift = 2 * gap + 1
    best = [0.0, 0.0]
    for shape in (cv2.erode(c8, _kernel(shift)), c8, cv2.dilate(c8, _kernel(shift))):
        inner = cv2.erode(shape, _kernel(2 * gap + 1)).astype(bool) & ~cv2.erode(
            shape, _kernel(2 * (gap + width) + 1)).astype(bool) & valid
        outer = _outer_band(shape, gap, width, valid)
        outline = shape.astype(bool) & ~cv2.erode(shape, _kernel(3)).astype(bool) & valid
        if inner.sum() < 4 or outer.sum() < 4 or not outline.any():
            continue
        for k, img in enumerate(images):
            m_in, w_in = _band_means(img, inner, sigma)
            m_out, w_out = _band_means(img, outer, sigma)
            seen = outline & (w_in > 0.05) & (w_out > 0.05)  # both sides of the outline measured there
            if seen.any():
                best[k] = max(best[k], float(np.median(np.linalg.norm(m_in - m_out, axis=2)[seen])))
    return best[0], best[1]


def _standing_out(shape: np.ndarray, pred_lab: np.ndarray, tgt_lab: np.ndarray, valid: np.ndarray,
                  side: int) -> tuple[float, float]:
    """How much the inside of a region differs from a ring around it, in the tone-matched
    source and in the target: the distance between the means plus half the distance between
    the spreads of colour and texture (Lab-like units)."""
    c8 = shape.astype(np.uint8)
    ring_w = max(3, side // 30)
    ring = cv2.dilate(c8, _kernel(2 * ring_w + 1)).astype(bool) & ~cv2.dilate(c8, _kernel(5)).astype(bool) & valid
    inner = cv2.erode(c8, _kernel(3)).astype(bool)
    if inner.sum() < 8:
        inner = shape
    if inner.sum() < 8 or ring.sum() < 8:
        return 0.0, 0.0
    out = []
    for lab in (pred_lab, tgt_lab):
        img = _with_texture(lab)
        a, b = img[inner], img[ring]
        out.append(float(np.linalg.norm(a.mean(0) - b.mean(0)) + 0.5 * np.linalg.norm(a.std(0) - b.std(0))))
    return out[0], out[1]


def _explained(shape: np.ndarray, pred_lab: np.ndarray, tgt_lab: np.ndarray, valid: np.ndarray,
               side: int) -> tuple[float, float]:
    """How far the pixels just inside the region's outline are from the closest pixel just
    outside it nearby (within about twice the band width, 48 fixed offsets), in the
    tone-matched source and in the target: the median distance (Lab and texture). Outside
    the region both images are the same, so the image that shows the background inside
    continues that band and is close; the image with the object is not, even where the
    object's mean colour and texture were pulled towards its surroundings (a nearest pixel,
    unlike a band's mean, is not fooled by a busy or two-toned background)."""
    gap, width = _bands(side)
    c8 = shape.astype(np.uint8)
    inner = shape & ~cv2.erode(c8, _kernel(2 * width + 1)).astype(bool) & valid
    outer = _outer_band(c8, gap, width, valid)
    if inner.sum() < 8 or outer.sum() < 8:
        return 0.0, 0.0
    reach = max(3, 2 * (width + gap))
    offsets = sorted({(round(r * np.cos(a)), round(r * np.sin(a))) for r in (reach / 3, 2 * reach / 3, reach)
                      for a in np.linspace(0, 2 * np.pi, 16, endpoint=False)})
    ys, xs = np.nonzero(inner)
    h, w = shape.shape
    out = []
    for lab in (pred_lab, tgt_lab):
        img = _with_texture(cv2.GaussianBlur(lab, (0, 0), 1.0))
        seen = img[ys, xs]
        best = np.full(ys.size, np.inf, np.float32)
        for dx, dy in offsets:
            yy, xx = ys + dy, xs + dx
            ok = (yy >= 0) & (yy < h) & (xx >= 0) & (xx < w)
            yy, xx = np.clip(yy, 0, h - 1), np.clip(xx, 0, w - 1)
            ok &= outer[yy, xx]
            best = np.where(ok, np.minimum(best, np.linalg.norm(seen - img[yy, xx], axis=1)), best)
        best = best[np.isfinite(best)]
        out.append(float(np.median(best)) if best.size >= 8 else 0.0)
    return out[0], out[1]


class _Once:
    """What the rules and the learned model both read of one region, each made once: the
    colours just inside and around it and whether the gradient structure around it stayed
    (:attr:`around`, :attr:`structure_kept`), and the costlier measurements of an outline
    (steps across it, how far its inside is from its surroundings, how much it stands out),
    per mask. Masks are keyed by the object, which the cache holds, so that its id is not
    reused while the cache lives."""

    def __init__(self, comp: np.ndarray, src_lab: np.ndarray, pred_lab: np.ndarray, tgt_lab: np.ndarray,
                 valid: np.ndarray, side: int):
        self.comp, self.src_lab, self.pred_lab, self.tgt_lab, self.valid, self.side = (
            comp, src_lab, pred_lab, tgt_lab, valid, side)
        self._seen: dict[tuple[str, int], tuple[np.ndarray, tuple[float, float]]] = {}

    @cached_property
    def around(self) -> tuple[Any, Any, Any, Any, np.ndarray]:
        """The median colour just inside the region (its outline peeled off) and in a thin ring
        around it, in the source and in the target — (inside before, inside after, ring before,
        ring after), each None where nothing was measured — and the region grown by that ring."""
        comp = self.comp
        inner = cv2.erode(comp.astype(np.uint8), _kernel(3)).astype(bool)
        if inner.sum() < 4:
            inner = comp
        ring_w = max(2, self.side // 40)
        grown = cv2.dilate(comp.astype(np.uint8), _kernel(2 * ring_w + 1)).astype(bool)
        ring = grown & ~cv2.dilate(comp.astype(np.uint8), _kernel(3)).astype(bool) & self.valid
        return (_median_lab(self.src_lab, inner), _median_lab(self.tgt_lab, inner),
                _median_lab(self.src_lab, ring), _median_lab(self.tgt_lab, ring), grown)

    @cached_property
    def structure_kept(self) -> float:
        """The correlation of the gradient magnitude of L* (source, target) over the box of the
        region grown by its ring: near 1 where the thing's shading and texture stayed."""
        ys, xs = np.nonzero(self.around[4])
        box = (slice(ys.min(), ys.max() + 1), slice(xs.min(), xs.max() + 1))
        return _structure_correlation(_gradient(self.src_lab[..., 0][box]), _gradient(self.tgt_lab[..., 0][box]))

    def _get(self, name: str, mask: np.ndarray) -> tuple[float, float]:
        key = (name, id(mask))
        if key not in self._seen:
            if name == "steps":
                value = _outline_steps(mask, self.pred_lab, self.tgt_lab, self.valid, self.side)
            elif name == "far":
                value = _explained(mask, self.pred_lab, self.tgt_lab, self.valid, self.side)
            else:
                value = _standing_out(mask & self.valid, self.pred_lab, self.tgt_lab, self.valid, self.side)
            self._seen[key] = (mask, value)
        return self._seen[key][1]

    def steps(self, mask: np.ndarray) -> tuple[float, float]:
        """:func:`_outline_steps` of ``mask``: (source, target)."""
        return self._get("steps", mask)

    def far(self, mask: np.ndarray) -> tuple[float, float]:
        """:func:`_explained` of ``mask``: (source, target)."""
        return self._get("far", mask)

    def odd(self, mask: np.ndarray) -> tuple[float, float]:
        """:func:`_standing_out` of ``mask`` (its valid part): (source, target)."""
        return self._get("odd", mask)


def _extent_kind(extent: np.ndarray, once: _Once, t: RegionThresholds) -> tuple[str | None, tuple[float, float]]:
    """The kind read from the whole extent of what differs (see :func:`find_regions`), or None,
    and the extent's outline steps. Its outline is an edge in one image only,
    or its inside stands out from a ring around it in one image only; both tests, where they
    speak, agree."""
    steps = step_before, step_after = once.steps(extent)
    odd_before, odd_after = once.odd(extent)
    contrast, odd = _leaning(step_before, step_after), _leaning(odd_before, odd_after)
    votes = {c > 0 for c, limit in ((contrast, t.extent_contrast), (odd, t.extent_stand_out)) if abs(c) >= limit}
    if len(votes) != 1:
        return None, steps
    return ("appeared" if votes.pop() else "disappeared"), steps


def _lightness_pattern(comp: np.ndarray, pred_lab: np.ndarray, tgt_lab: np.ndarray) -> tuple[float, float, float]:
    """The correlation of L* inside a region between the tone-matched source and the target,
    the median |ΔL*| and the median |Δa*b*| (what :func:`_same_structure` thresholds)."""
    lp, lt = pred_lab[..., 0][comp], tgt_lab[..., 0][comp]
    if lp.size < 16:
        return 0.0, 0.0, 0.0
    a, b = lp - lp.mean(), lt - lt.mean()
    den = float(np.sqrt((a * a).sum() * (b * b).sum()))
    corr = float((a * b).sum() / den) if den > 1e-6 else 0.0
    d_l = float(np.median(np.abs(lp - lt)))
    d_ab = float(np.median(np.linalg.norm(pred_lab[..., 1:][comp] - tgt_lab[..., 1:][comp], axis=1)))
    return corr, d_l, d_ab


def _same_structure(comp: np.ndarray, pred_lab: np.ndarray, tgt_lab: np.ndarray, t: RegionThresholds) -> bool:
    """Whether the region keeps its lightness pattern and changes mostly in colour (a recolour:
    the same thing, with its shading and texture, in another hue)."""
    corr, d_l, d_ab = _lightness_pattern(comp, pred_lab, tgt_lab)
    return corr >= t.recolor_lightness_corr and d_l <= t.recolor_lightness_share * d_ab


def _rules_reading(once: _Once, shape: np.ndarray, frame: tuple[int, int], t: RegionThresholds,
                   wide: np.ndarray | None = None, strong: np.ndarray | None = None,
                   extent: np.ndarray | None = None) -> _Reading:
    """Kind, colour names and inner displacement of one region, by the rules.

    ``once`` holds the region and the images it is read in, and keeps what is measured of it
    (the learned model reads it again after the rules). ``comp`` is the region (its colours are
    named; a move is looked for inside it, or inside ``strong``, its pixels above the mask's own
    threshold, when given),
    ``shape`` the region with the faint changes joined to it (where the thing really ends:
    its outline is the one compared). ``src_lab`` is the warped source (its colours name what
    was there), ``pred_lab`` the same with the global tone change applied (what the target is
    compared with); all are crops around the region of a frame of ``frame`` = (height, width)
    pixels. ``wide``, when given, is the larger thing the region is part of (see
    :func:`find_regions`): once no move is found, its outline is read instead of ``shape``'s.
    ``extent``, when given, is the region grown into every weak change around it, read first
    for appeared / disappeared."""
    comp, src_lab, pred_lab, tgt_lab, valid = once.comp, once.src_lab, once.pred_lab, once.tgt_lab, once.valid
    before, after, ring_before, ring_after, _ = once.around
    name_before = name_lab(before) if before is not None else None
    name_after = name_lab(after) if after is not None else None
    # the move is looked for, and the colours reported are read, in the strong part of the
    # region (the faint pixels it grew into are mostly the blurred edge and halo of the change)
    core = comp if strong is None or strong.sum() < 16 else strong
    shown_before, shown_after, shown_names = before, after, (name_before, name_after)
    if core is not comp:
        core_inner = cv2.erode(core.astype(np.uint8), _kernel(3)).astype(bool)
        core_inner = core_inner if core_inner.sum() >= 4 else core
        shown_before, shown_after = _median_lab(src_lab, core_inner), _median_lab(tgt_lab, core_inner)
        shown_names = tuple(None if c is None else name_lab(c) for c in (shown_before, shown_after))

    contrast = 0.0

    def reading(kind: str) -> _Reading:
        # both colours are reported whatever the kind: for an appeared object the "before"
        # colour is what the place showed before (the background), and vice versa
        return _Reading(kind, shown_names[0], shown_names[1], lab_before=shown_before, lab_after=shown_after,
                        contrast=contrast)

    moved, moved_color, moved_px = _object_shift(core, src_lab, tgt_lab, ring_before, ring_after, frame)
    if moved is not None and max(abs(moved[0]), abs(moved[1])) >= _MIN_INNER_MOVE:
        # one thing at two places: neither simply appeared nor disappeared. The outline of a
        # short move is an edge in both images (half of it in each), so an outline that is an
        # edge in one image only overrules a displacement that the thing's pixels do not follow
        steps = once.steps(shape)
        one_sided = abs(_leaning(*steps)) >= _ONE_SIDED
        if not one_sided or _follows(src_lab, tgt_lab, *moved_px):
            return _Reading("changed", shown_names[0], shown_names[1], moved, moved_color, shown_before, shown_after)
    else:
        steps = None
    if wide is not None:
        # the larger thing this region is part of: its outline is the one to read from here on
        shape, steps = wide, None
    if _same_structure(shape & valid, pred_lab, tgt_lab, t):
        return reading("recolored")
    if extent is not None:
        # the whole extent of the thing first: where only the background's detail under a faint
        # object passes the thresholds, the region is that detail, and its own outline is an
        # edge in the image without the object (a removed coin read as added on brick or text)
        kind, extent_steps = _extent_kind(extent, once, t)
        if kind is not None:
            return reading(kind)
        if extent is shape:
            steps = extent_steps  # (the larger thing's outline, read just now)
    step_before, step_after = steps or once.steps(shape)
    contrast = _leaning(step_before, step_after)
    if step_after >= t.outline_step and contrast >= t.outline_contrast:
        return reading("appeared")
    if step_before >= t.outline_step and contrast <= -t.outline_contrast:
        return reading("disappeared")
    corr = once.structure_kept
    if not (name_before != name_after and corr >= t.explained_max_corr):
        # the outline is an edge in both images about equally (a soft or faded object, or one
        # covering something distinct): the image whose inside continues the pixels just
        # outside shows the background there, the other holds the object. Not where the
        # structure plainly stays and the colour name changes (a recolour: the thing is in both)
        far_before, far_after = once.far(shape)
        far = _leaning(far_after, far_before)  # > 0: the source's inside is the one far from its surroundings
        if far >= t.explained_contrast:
            return reading("disappeared")
        if far <= -t.explained_contrast:
            return reading("appeared")
    stand_before = _delta_e(before, ring_before)
    stand_after = _delta_e(after, ring_after)
    if stand_after >= 12 and stand_after > 2.0 * stand_before + 4:
        return reading("appeared")
    if stand_before >= 12 and stand_before > 2.0 * stand_after + 4:
        return reading("disappeared")
    if name_before != name_after and corr >= 0.5:
        return reading("recolored")
    # last, the whole inside against a ring around it: a thing that appeared makes the inside
    # unlike its surroundings in the target only (mean and spread of colour and texture), the
    # place it covers continues the surroundings in the source. This reads objects whose
    # outline is soft or cut by the background's own detail, where the local steps disagree
    odd_before, odd_after = once.odd(shape)
    if odd_after >= t.stand_out_ratio * odd_before + t.stand_out_margin:
        return reading("appeared")
    if odd_before >= t.stand_out_ratio * odd_after + t.stand_out_margin:
        return reading("disappeared")
    return reading("changed")


# what the learned model reads of a region (see _measurements); the order is the weights' order
MEASUREMENTS = (
    "lightness_corr", "lightness_change", "colour_change", "lightness_share",
    "extent_step_lean", "extent_stand_out_lean", "has_extent",
    "step_before", "step_after", "step_lean", "gradient_corr", "name_changed",
    "far_before", "far_after", "far_lean", "ring_delta_before", "ring_delta_after", "ring_delta_lean",
    "odd_before", "odd_after", "odd_lean", "log_area", "log_wide_growth", "has_wide",
    "delta_e", "hue_turn", "lightness_before", "lightness_after", "chroma_before", "chroma_after",
)


def _measurements(once: _Once, shape: np.ndarray, frame: tuple[int, int], wide: np.ndarray | None,
                  extent: np.ndarray | None) -> np.ndarray:
    """Every measurement the rules threshold one at a time, as one vector (names in
    :data:`MEASUREMENTS`), for the learned model to weigh together; what the rules already
    measured is read from ``once``. Arguments as for :func:`_rules_reading`; the outline read is
    ``wide``'s when given, else ``shape``'s."""
    comp, pred_lab, tgt_lab, valid = once.comp, once.pred_lab, once.tgt_lab, once.valid
    outline = wide if wide is not None else shape
    before, after, ring_before, ring_after, _ = once.around
    corr, d_l, d_ab = _lightness_pattern(outline & valid, pred_lab, tgt_lab)
    extent_step = extent_odd = 0.0
    if extent is not None:
        extent_step, extent_odd = _leaning(*once.steps(extent)), _leaning(*once.odd(extent))
    step_before, step_after = once.steps(outline)
    gradient_corr = once.structure_kept
    name_before = name_lab(before) if before is not None else None
    name_after = name_lab(after) if after is not None else None
    far_before, far_after = once.far(outline)
    ring_before_d, ring_after_d = _delta_e(before, ring_before), _delta_e(after, ring_after)
    odd_before, odd_after = once.odd(outline)
    both = before is not None and after is not None
    return np.array([
        corr, d_l, d_ab, d_l / max(d_ab, 1e-3),
        extent_step, extent_odd, float(extent is not None),
        step_before, step_after, _leaning(step_before, step_after), gradient_corr, float(name_before != name_after),
        far_before, far_after, _leaning(far_before, far_after),
        ring_before_d, ring_after_d, _leaning(ring_before_d, ring_after_d),
        odd_before, odd_after, _leaning(odd_before, odd_after),
        float(np.log(max(int(comp.sum()), 1) / (frame[0] * frame[1]))),
        float(np.log(max(int(wide.sum()), 1) / max(int(shape.sum()), 1))) if wide is not None else 0.0,
        float(wide is not None),
        _delta_e(before, after), _turn_of_hue(before[1:], after[1:]) if both else 0.0,
        float(before[0]) if before is not None else 0.0, float(after[0]) if after is not None else 0.0,
        float(np.linalg.norm(before[1:])) if before is not None else 0.0,
        float(np.linalg.norm(after[1:])) if after is not None else 0.0,
    ], np.float64)


_ARRIVE_OR_LEAVE = {"appeared", "disappeared"}


@cache
def _kind_model() -> kind_model.KindModel:
    """The shipped model, checked once to read the measurements this version makes."""
    model = kind_model.shipped()
    if model.features != MEASUREMENTS:
        raise RuntimeError(f"{kind_model.WEIGHTS} was fitted on other measurements than this version reads: "
                           "run benchmarks/region_photos/train_kind.py to fit it again")
    return model


_RECORDING: ContextVar[list | None] = ContextVar("editcaption_region_readings", default=None)


@contextmanager
def recording() -> Iterator[list[tuple[Region, np.ndarray | None, str]]]:
    """Within the block, every region found is also appended to the yielded list as
    (region, its measurements, the rules' kind): what ``train_kind.py`` fits the learned
    model on. The measurements are None for a move (the model does not judge moves)."""
    seen: list[tuple[Region, np.ndarray | None, str]] = []
    token = _RECORDING.set(seen)
    try:
        yield seen
    finally:
        _RECORDING.reset(token)


def _classify(comp: np.ndarray, shape: np.ndarray, src_lab: np.ndarray, pred_lab: np.ndarray, tgt_lab: np.ndarray,
              valid: np.ndarray, frame: tuple[int, int], t: RegionThresholds,
              wide: np.ndarray | None = None, strong: np.ndarray | None = None,
              extent: np.ndarray | None = None) -> _Reading:
    """The rules' reading of one region (:func:`_rules_reading`), whose kind the learned model
    (:mod:`.kind_model`) replaces where it is at least ``t.learned_kind_confidence`` sure and
    :func:`overrules` allows. A move stays the rules' call, and the measurements are not made
    where the model could not act (unless recorded for fitting it)."""
    once = _Once(comp, src_lab, pred_lab, tgt_lab, valid, min(frame))
    reading = _rules_reading(once, shape, frame, t, wide, strong, extent)
    reading.rules_kind = reading.kind
    asked = t.learned_kind_confidence is not None and any(overrules(k, reading.kind) for k in kind_model.KINDS)
    if reading.moved is not None or not (asked or _RECORDING.get() is not None):
        return reading
    reading.measurements = _measurements(once, shape, frame, wide, extent)
    if t.learned_kind_confidence is not None:
        learned = _kind_model().kind(reading.measurements, t.learned_kind_confidence)
        if learned is not None and overrules(learned, reading.kind):
            reading.kind = learned
    return reading


def overrules(learned: str, rules_kind: str) -> bool:
    """Whether the learned kind replaces the rules' kind. The model names what the rules left as
    ``changed`` and settles which image holds a thing the rules saw arrive or leave; whether
    the thing stayed (a recolour) or not remains the rules' call: on the drawn shapes and
    EditWorld's flat objects, unlike the photos it was fitted on, it turned both ways wrongly
    (4 of 30 EditWorld additions made recolours; 2 more of its 30 recolours made additions or
    removals)."""
    return rules_kind == "changed" or {learned, rules_kind} <= _ARRIVE_OR_LEAVE


def _recoloured_here(blob: np.ndarray, src_lab: np.ndarray, tgt_lab: np.ndarray, valid: np.ndarray,
                     t: RegionThresholds) -> bool:
    """Whether a faint blob that kept its structure is a thing recoloured here, not an error of
    the global tone model: its colour moved one way throughout (a tint or a turn of hue, not
    noise), and the pixels elsewhere in the frame that had its colour in the source kept
    theirs. A dark or pale object given a tint moves little in Lab (black cannot take much
    colour), so it passes only the faint threshold, and a large one pulls the global tone
    model towards its tint, which then mispredicts every other pixel of that colour; the raw
    colours (source to target) do not depend on that model. Where no pixel elsewhere had the
    blob's colour, nothing shows what a global change did to it, and the blob is not taken."""
    change = tgt_lab[..., 1:] - src_lab[..., 1:]
    shift = change[blob]
    mean_shift = shift.mean(axis=0)
    size = float(np.linalg.norm(mean_shift))
    if size < t.faint_recolor_excess or size < t.faint_recolor_coherence * float(np.linalg.norm(shift, axis=1).mean()):
        return False
    colour = np.median(src_lab[blob], axis=0)
    if _turn_of_hue(colour[1:], colour[1:] + mean_shift) < t.faint_recolor_turn and \
            float(np.linalg.norm(colour[1:])) >= t.faint_recolor_neutral:
        return False  # a coloured thing made more or less colourful (a global saturation change)
    away = max(3, min(blob.shape) // 30)
    elsewhere = valid & ~cv2.dilate(blob.astype(np.uint8), _kernel(2 * away + 1)).astype(bool)
    elsewhere &= np.linalg.norm(src_lab - colour, axis=2) < t.faint_recolor_same_colour
    if elsewhere.sum() < max(t.faint_recolor_support * blob.sum(), 16):
        return False
    there = np.median(change[elsewhere], axis=0)
    return float(np.linalg.norm(mean_shift - there)) >= t.faint_recolor_excess


def _turn_of_hue(ab_before: np.ndarray, ab_after: np.ndarray) -> float:
    """The angle (degrees, 0–180) between two a*b* colours."""
    den = float(np.linalg.norm(ab_before) * np.linalg.norm(ab_after))
    if den < 1e-6:
        return 0.0
    return float(np.degrees(np.arccos(np.clip(float(ab_before @ ab_after) / den, -1.0, 1.0))))


def _as_tuple(lab: np.ndarray | None) -> tuple[float, float, float] | None:
    return None if lab is None else (float(lab[0]), float(lab[1]), float(lab[2]))


def _components(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[int]]:
    n, labels, stats, centroids = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    return labels, stats, centroids, sorted(range(1, n), key=lambda i: -stats[i, cv2.CC_STAT_AREA])


def _grown(changes: ChangeMap, t: RegionThresholds) -> np.ndarray:
    """The change mask grown into the faint changes around it (hysteresis): a faint blob that
    holds strong pixels is one thing, so the pieces of a faint or textured object that pass
    the threshold become one region with the object's extent, not scattered fragments (each
    too small to keep, or read from a patch of the background's detail it covers). A blob that
    is weak on the whole (a halo of noise around a small change) is not taken."""
    if changes.faint is None or changes.score is None or not changes.faint.any():
        return changes.mask
    n, parts = cv2.connectedComponents((changes.faint | changes.mask).astype(np.uint8), connectivity=8)
    held = np.unique(parts[changes.mask])
    held = held[held > 0]
    if held.size == 0:
        return changes.mask
    counts = np.bincount(parts.ravel(), minlength=n).astype(np.float64)
    sums = np.bincount(parts.ravel(), weights=np.minimum(changes.score, 2.0).ravel().astype(np.float64), minlength=n)
    mean = sums / np.maximum(counts, 1.0)
    keep = np.zeros(n, bool)
    keep[held] = mean[held] >= t.grow_mean_score
    # a blob that holds two strong regions large enough on their own (the two places of a
    # short move, joined by their halos) keeps them apart: each is read by itself
    n_s, strong, stats, _ = cv2.connectedComponentsWithStats(changes.mask.astype(np.uint8), connectivity=8)
    big = np.flatnonzero(stats[1:, cv2.CC_STAT_AREA] >= t.min_area * changes.mask.size) + 1
    if big.size >= 2:
        inside = np.isin(strong, big)
        pairs = np.unique(np.stack([parts[inside], strong[inside]]), axis=1)  # (blob, strong region)
        blobs, count = np.unique(pairs[0], return_counts=True)
        keep[blobs[count >= 2]] = False
    return changes.mask | keep[parts]


def find_regions(
    changes: ChangeMap, src_lab: np.ndarray, tgt_lab: np.ndarray, valid: np.ndarray, t: RegionThresholds
) -> list[Region]:
    """Connected regions of the change mask, then faint blobs whose outline clearly belongs to
    one image, largest first (at most ``t.max_regions``)."""
    h, w = changes.mask.shape
    frame = float(h * w)
    side = min(h, w)
    pred = changes.predicted if changes.predicted is not None else src_lab
    margin = max(8, side // 10)  # everything the classifier looks at lies this close to the region's box

    def region(ch: ChangeMap, labels: np.ndarray, stats: np.ndarray, centroids: np.ndarray, i: int,
               grow: bool = True, widen: bool = True) -> tuple[Region, _Reading]:
        x0, y0 = stats[i, cv2.CC_STAT_LEFT], stats[i, cv2.CC_STAT_TOP]
        x1 = x0 + stats[i, cv2.CC_STAT_WIDTH]
        y1 = y0 + stats[i, cv2.CC_STAT_HEIGHT]
        cx, cy = centroids[i]
        box = (slice(max(0, y0 - margin), min(h, y1 + margin)), slice(max(0, x0 - margin), min(w, x1 + margin)))
        comp = labels[box] == i
        shape, wide, extent = comp, None, None
        if grow and ch.faint is not None:
            # the faint pixels joined to the region show where the thing really ends
            n_c, parts = cv2.connectedComponents((comp | ch.faint[box]).astype(np.uint8), connectivity=8)
            shape = np.isin(parts, np.unique(parts[comp]))
            if widen and ch.weak is not None:
                # a region that grows much further at a lower score is part of a larger thing
                # (the background's detail it covers): that thing's outline is the one to read
                n_c, parts = cv2.connectedComponents((shape | ch.weak[box]).astype(np.uint8), connectivity=8)
                wide = extent = np.isin(parts, np.unique(parts[comp]))
                if not t.weak_growth * shape.sum() <= wide.sum() <= t.weak_max_growth * shape.sum():
                    wide = None
        core = comp & ch.mask[box]
        reading = _classify(comp, shape, src_lab[box], pred[box], tgt_lab[box], valid[box], (h, w), t, wide, core,
                            extent)
        area = stats[i, cv2.CC_STAT_AREA]
        n_p, _, p_stats, _ = cv2.connectedComponentsWithStats(core.astype(np.uint8), connectivity=8)
        if n_p > 1 and p_stats[1:, cv2.CC_STAT_AREA].max() >= t.min_area * frame:
            # the extent reported is the strong part's when a piece of it stands on its own (the
            # faint pixels the region grew into are its halo); a thing seen only in small pieces
            # keeps the whole grown extent
            ys, xs = np.nonzero(core)
            ys, xs = ys + box[0].start, xs + box[1].start
            x0, y0, x1, y1 = xs.min(), ys.min(), xs.max() + 1, ys.max() + 1
            cx, cy, area = float(xs.mean()), float(ys.mean()), int(core.sum())
        return Region(
            bbox=(x0 / w, y0 / h, x1 / w, y1 / h),
            area=float(area / frame),
            side=side_of((cx + 0.5) / w),
            vertical=vertical_of((cy + 0.5) / h),
            kind=reading.kind,
            color_before=reading.before,
            color_after=reading.after,
            centroid=(float((cx + 0.5) / w), float((cy + 0.5) / h)),
            strength=float(ch.difference[box][comp].mean()),
            moved=reading.moved,
            moved_color=reading.moved_color,
            lab_before=_as_tuple(reading.lab_before),
            lab_after=_as_tuple(reading.lab_after),
        ), reading

    regions: list[Region] = []
    pixels: dict[int, np.ndarray] = {}  # id(region) → its pixels (flat indices), for the move pairing
    readings: list[tuple[Region, _Reading]] = []
    taken = np.zeros((h, w), bool)
    resort = False  # the faint blobs and the quiet map's regions come after the first ones by size
    for ch in (changes, changes.quiet):
        if ch is None or len(regions) >= t.max_regions:
            continue
        # the quiet map (a lower threshold) is read only away from what the first one found
        labels, stats, centroids, order = _components(_grown(ch, t))
        touched = set(np.unique(labels[taken]).tolist())  # the components that reach what was found
        kept = [i for i in order if stats[i, cv2.CC_STAT_AREA] / frame >= t.min_area and
                i not in touched][: t.max_regions - len(regions)]
        resort |= bool(regions) and bool(kept)
        for i in kept:
            r, reading = region(ch, labels, stats, centroids, i)
            regions.append(r)
            pixels[id(r)] = np.flatnonzero(labels == i)
            readings.append((r, reading))
        # a faint blob that holds or touches a region is that region's halo, not a change of its own
        taken |= cv2.dilate(np.isin(labels, kept).astype(np.uint8), _kernel(3)) > 0
        if ch.faint is None or ch.score is None or not ch.faint.any():
            continue
        resort = True
        accepted = np.zeros((h, w), bool)
        labels, stats, centroids, order = _components(ch.faint)
        for i in order:
            if stats[i, cv2.CC_STAT_AREA] / frame < t.faint_min_area or len(regions) >= t.max_regions:
                break
            blob = labels == i
            if (blob & taken).any() or float(ch.score[blob].mean()) < t.faint_mean_score:
                continue
            r, reading = region(ch, labels, stats, centroids, i, widen=False)
            # whether a faint blob is a change at all stays the rules' call (they were checked
            # against false regions on unchanged pairs); the model may only name its kind
            kind = reading.rules_kind
            if (kind in ("appeared", "disappeared") and abs(reading.contrast) >= t.faint_contrast) or (
                    kind == "recolored" and _recoloured_here(blob, src_lab, tgt_lab, valid, t)):
                regions.append(r)
                pixels[id(r)] = np.flatnonzero(blob)
                readings.append((r, reading))
                accepted |= blob
        taken |= cv2.dilate(accepted.astype(np.uint8), _kernel(3)) > 0
    if resort:
        regions.sort(key=lambda r: -r.area)
    _pair_moves(regions, pixels, src_lab, tgt_lab, valid, t)
    record = _RECORDING.get()
    if record is not None:
        record.extend((r, reading.measurements, reading.rules_kind) for r, reading in readings)
    return regions


def _pair_moves(regions: list[Region], pixels: dict[int, np.ndarray], src_lab: np.ndarray, tgt_lab: np.ndarray,
                valid: np.ndarray, t: RegionThresholds) -> None:
    """A thing moved further than its own size leaves two regions: the place it left and the
    place it came to. Their kinds, read one region at a time, can both say "appeared" (a thing
    on a plain background looks the same either way at its outline), so the two are read
    together: when the source's pixels of one region are found again in the target at the
    other (shifted by the distance between the two, give or take a few pixels), much closer
    than at the same place, and the thing stands out from its surroundings in the source at
    the first and in the target at the second, the first is where it disappeared and the
    second where it appeared (in place, so that :func:`.moves.object_moves` pairs them)."""
    h, w = tgt_lab.shape[:2]
    side = min(h, w)
    cands = [r for r in regions if r.moved is None and id(r) in pixels and r.area <= 0.5]
    if len(cands) < 2:
        return
    src_b, tgt_b = cv2.GaussianBlur(src_lab, (0, 0), 1.5), cv2.GaussianBlur(tgt_lab, (0, 0), 1.5)
    src_f, tgt_f = src_b.reshape(-1, 3), tgt_b.reshape(-1, 3)
    rng = np.random.default_rng(0)
    reach = max(2, round(side / 80))
    used: set[int] = set()
    for old in cands:
        flat = pixels[id(old)]
        if flat.size > 1500:
            flat = np.sort(rng.choice(flat, 1500, replace=False))
        ys, xs = np.divmod(flat, w)
        seen = src_f[flat]
        here = float(np.median(np.linalg.norm(seen - tgt_f[flat], axis=1)))
        for new in cands:
            if new is old or id(old) in used or id(new) in used or not 0.25 <= new.area / old.area <= 4.0:
                continue
            dx = (new.centroid[0] - old.centroid[0]) * w
            dy = (new.centroid[1] - old.centroid[1]) * h
            if max(abs(dx) / w, abs(dy) / h) < t.pair_min_shift:
                continue
            best = np.inf
            for ey in range(-2 * reach, 2 * reach + 1, reach):
                for ex in range(-2 * reach, 2 * reach + 1, reach):
                    yt = np.round(ys + dy + ey).astype(int)
                    xt = np.round(xs + dx + ex).astype(int)
                    inside = (yt >= 0) & (yt < h) & (xt >= 0) & (xt < w)
                    if inside.mean() < 0.7:
                        continue
                    d = np.linalg.norm(seen[inside] - tgt_f[yt[inside] * w + xt[inside]], axis=1)
                    best = min(best, float(np.median(d)))
            if not (best <= _MOVE_MATCH_DELTA_E and best <= 0.5 * here):
                continue
            m_old = np.zeros(h * w, bool)
            m_old[pixels[id(old)]] = True
            m_new = np.zeros(h * w, bool)
            m_new[pixels[id(new)]] = True
            left = _standing_out(m_old.reshape(h, w) & valid, src_lab, tgt_lab, valid, side)
            came = _standing_out(m_new.reshape(h, w) & valid, src_lab, tgt_lab, valid, side)
            if left[0] > left[1] and came[1] > came[0]:
                old.kind, new.kind = "disappeared", "appeared"
                used.update((id(old), id(new)))
