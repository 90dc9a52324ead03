"""Global tone change on the aligned overlap: brightness, warmth, saturation, grayscale.

Everything is fitted on the aligned pixel pairs of the overlap, with estimators that a local
edit (a minority of pixels) cannot move: medians per bin, medians of per-pixel ratios.

*Words.* A shared **tone curve** (target luma as the median per source-luma bin, made
monotone) removes any brightness edit — multiplication, gamma, offset, clipping — together
with the colour-ratio changes such a curve implies. The colour left over is read in
log-chromaticity (u = ln R/G, v = ln B/G), where per-channel gains are offsets (a **cast**)
and a saturation change scales (u, v) around neutral by a factor **k**. The cast is read on
the least colourful pixels, where saturation has no effect, and k as the median per-pixel
ratio of distances from neutral; the two are refined in turn. On images without neutral
pixels a cast and a saturation change look alike, so warmth is claimed only when the cast
read with and without the saturation correction agree (and with a larger margin).

*Brightness* is the median change of L*, but a saturation edit also moves L* (an HSV
saturation change keeps the value max(R, G, B) and moves luma; a luma-keeping one moves the
value): brightness is claimed only when L* and the value change the same way, and with a
larger margin when a colour cast is present (a cast moves lightness by itself).

*Prediction.* For finding local changes the source goes through the shared curve, then a
gain and offset per channel (fitted robustly; they capture per-channel casts, multiplicative
or additive — an additive warm shift turns black areas brown), then its chroma is scaled by
the remaining saturation factor. Two other readings compete with it, and the one that
explains the pixels best is used: the shared curve with the saturation factor and cast
(luma-keeping colour edits), and a curve of max(R, G, B) with an HSV-style saturation
factor (edits that keep the HSV value).
:mod:`editcaption.delta.regions` compares the prediction to the target.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .report import Photometric
from .thresholds import PhotometricThresholds

_MAX_SAMPLES = 6_000
_CURVE_BINS = 24
# a saturation factor is read only when at least this share of the pixels is coloured
_MIN_COLOURED = 0.15
_LUMA = np.array([0.299, 0.587, 0.114])
_IDENTITY_LUT = np.arange(256, dtype=np.float64)


@dataclass
class ToneModel:
    """The fitted global change (see the module docstring)."""

    luma_lut: np.ndarray = field(default_factory=lambda: _IDENTITY_LUT.copy())  # shared curve, 256 entries
    channel_luts: np.ndarray = field(default_factory=lambda: np.tile(_IDENTITY_LUT, (3, 1)))  # shared curve, then gain/offset per channel
    k_pred: float = 1.0  # saturation factor left after the per-channel curves (prediction)
    k: float = 1.0  # saturation factor after the shared curve (words)
    warmth: float = 0.0  # ln(R/B) change of the cast, ×100, saturation-corrected (words)
    warmth_raw: float = 0.0  # the same without the saturation correction
    warmth_reliable: bool = True  # the image has truly neutral pixels to read the cast on
    value_change: float = 0.0  # median relative change of max(R, G, B)
    cast: tuple[float, float] = (0.0, 0.0)  # offsets of (ln R/G, ln B/G) after the shared curve
    value_lut: np.ndarray = field(default_factory=lambda: _IDENTITY_LUT.copy())  # curve of max(R, G, B)
    k_value: float = 1.0  # HSV-style saturation factor (max(R, G, B) kept) after the value curve
    prediction: str = "channels"  # channels | shared | value (see predict_rgb)

    def differs_from(self, other: ToneModel) -> bool:
        """Whether the two models would predict visibly different images."""
        return (
            self.prediction != other.prediction
            or float(np.abs(self.channel_luts - other.channel_luts).max()) > 3.0
            or float(np.abs(self.luma_lut - other.luma_lut).max()) > 3.0
            or abs(self.k_pred - other.k_pred) > 0.04
            or abs(self.k - other.k) > 0.04
            or abs(self.k_value - other.k_value) > 0.04
        )

    def apply_luma_curve(self, rgb: np.ndarray) -> np.ndarray:
        return np.clip(self.luma_lut + 0.5, 0, 255).astype(np.uint8)[rgb]

    def predict_rgb(self, src_rgb: np.ndarray) -> np.ndarray:
        """The source with the global tone change applied (uint8 RGB, same shape)."""
        if self.prediction == "shared":
            return _scale_chroma(self.apply_luma_curve(src_rgb), self.k, self.cast)
        if self.prediction == "value":
            p = np.clip(self.value_lut + 0.5, 0, 255).astype(np.uint8)[src_rgb]
            return _scale_value_saturation(p, self.k_value)
        luts = np.clip(self.channel_luts + 0.5, 0, 255).astype(np.uint8)
        p = np.stack([luts[c][src_rgb[..., c]] for c in range(3)], axis=-1)
        return _scale_chroma(p, self.k_pred, (0.0, 0.0))


def _value_saturation(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    v = _max3(rgb)
    return v, (v - _min3(rgb)) / np.maximum(v, 1.0)


def _scale_value_saturation(p: np.ndarray, k: float) -> np.ndarray:
    """HSV-style saturation change: each channel moves towards (k < 1) or away from max(R, G, B)."""
    if abs(k - 1.0) < 0.05:
        return p
    f = p.astype(np.float32)
    v = _max3(f)[..., None]
    return np.clip(v - k * (v - f) + 0.5, 0, 255).astype(np.uint8)


def _scale_chroma(p: np.ndarray, k: float, cast: tuple[float, float]) -> np.ndarray:
    """Scale each pixel's log-chromaticity by ``k`` around neutral and add ``cast``, keeping luma."""
    if abs(k - 1.0) < 0.05 and max(abs(c) for c in cast) < 0.01:
        return p
    f = p.astype(np.float32) + 1.0
    u = k * np.log(f[..., 0] / f[..., 1]) + cast[0]
    v = k * np.log(f[..., 2] / f[..., 1]) + cast[1]
    eu, ev = np.exp(u), np.exp(v)
    # keep each pixel's luma, give it the scaled chromaticity
    g = (f @ _LUMA.astype(np.float32)) / (0.299 * eu + 0.587 + 0.114 * ev)
    out = np.stack([g * eu, g, g * ev], axis=-1) - 1.0
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)


def _sample(mask: np.ndarray) -> np.ndarray:
    idx = np.flatnonzero(mask.ravel())
    if len(idx) > _MAX_SAMPLES:
        # an even stride over the image: deterministic, and cheaper than a random choice
        idx = idx[np.linspace(0, len(idx) - 1, _MAX_SAMPLES).astype(np.int64)]
    return idx


def _isotonic(y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted non-decreasing fit (pool adjacent violators): a sparse bin that breaks the
    order is outvoted by its populous neighbours instead of lifting everything after it."""
    blocks: list[list[float]] = []  # [value, weight, length]
    for v, wt in zip(y.tolist(), w.tolist(), strict=True):
        blocks.append([v, wt, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            v2, w2, n2 = blocks.pop()
            v1, w1, n1 = blocks.pop()
            blocks.append([(v1 * w1 + v2 * w2) / (w1 + w2), w1 + w2, n1 + n2])
    return np.concatenate([[v] * int(n) for v, _, n in blocks])


def _curve_lut(xs: np.ndarray, yt: np.ndarray) -> np.ndarray:
    """A 256-entry monotone curve: the median of ``yt`` per bin of ``xs``.

    The pixels are aligned, so each bin compares the same scene points; a local edit only
    moves the few pixels it covers inside their bins, which the median ignores (matching
    the quantiles of two histograms instead would let one pasted object bend the curve).
    """
    which = np.minimum((xs * (_CURVE_BINS / 256.0)).astype(np.int64), _CURVE_BINS - 1)
    counts = np.bincount(which, minlength=_CURVE_BINS)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    mid = starts + counts // 2
    x_all = np.sort(xs)  # per-bin medians from one sort each (bins are monotone in xs)
    y_all = yt[np.lexsort((yt, which))]
    keep = counts >= max(12, int(0.002 * len(xs)))
    if not keep.any():
        return _IDENTITY_LUT.copy()
    x = x_all[mid[keep]]
    y = _isotonic(y_all[mid[keep]], counts[keep].astype(np.float64))  # a tone curve never reverses
    x, first = np.unique(x, return_index=True)
    y = y[first]
    if len(x) == 1:
        return np.clip(_IDENTITY_LUT + (y[0] - x[0]), 0, 255)
    # beyond the observed range, continue with slope 1
    if x[0] > 0:
        x, y = np.concatenate([[0.0], x]), np.concatenate([[y[0] - x[0]], y])
    if x[-1] < 255:
        x, y = np.concatenate([x, [255.0]]), np.concatenate([y, [y[-1] + 255.0 - x[-1]]])
    return np.interp(_IDENTITY_LUT, x, y)


def _fit_affine(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Least squares y ≈ a·x + b, refitted without the worst-fitting fifth of the pixels (a
    local edit must not bend a global gain); unclipped pixels only."""
    use = (x > 3) & (x < 252) & (y > 3) & (y < 252)
    if use.sum() < 30:
        return 1.0, 0.0
    xs, ys = x[use], y[use]
    a, b = _line(xs, ys)
    resid = np.abs(a * xs + b - ys)
    keep = resid <= np.percentile(resid, 80)
    return _line(xs[keep], ys[keep]) if keep.sum() >= 30 else (a, b)


def _line(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    mx, my = float(x.mean()), float(y.mean())
    var = float(((x - mx) ** 2).sum())
    a = float(((x - mx) * (y - my)).sum() / var) if var > 1e-9 else 1.0
    return a, my - a * mx


def _max3(rgb: np.ndarray) -> np.ndarray:
    return np.maximum(np.maximum(rgb[..., 0], rgb[..., 1]), rgb[..., 2])


def _min3(rgb: np.ndarray) -> np.ndarray:
    return np.minimum(np.minimum(rgb[..., 0], rgb[..., 1]), rgb[..., 2])


def _in_range(rgb: np.ndarray) -> np.ndarray:
    """Pixels whose three channels are all in 12..245 (no clipping, not too dark)."""
    return (_min3(rgb) >= 12) & (_max3(rgb) <= 245)


def _log_chroma(rgb: np.ndarray) -> np.ndarray:
    return np.stack([np.log((rgb[:, 0] + 1) / (rgb[:, 1] + 1)), np.log((rgb[:, 2] + 1) / (rgb[:, 1] + 1))], axis=1)


def _chroma_ratio(cp: np.ndarray, ct: np.ndarray, cast: np.ndarray) -> float:
    """Saturation factor: the median per-pixel ratio of distances from (cast-shifted) neutral.

    Pairing pixels (the images are aligned) keeps a local edit from moving the estimate,
    unlike a ratio of whole-image spreads.
    """
    dist_p = np.linalg.norm(cp, axis=1)
    coloured = dist_p > 0.15
    if coloured.sum() < max(30, _MIN_COLOURED * len(cp)):
        return 1.0  # too few coloured pixels: they may all belong to one local edit
    return float(np.median(np.linalg.norm(ct[coloured] - cast, axis=1) / dist_p[coloured]))


def _read_colour(model: ToneModel, p: np.ndarray, t: np.ndarray) -> None:
    """Cast (warmth) and saturation factor between the curve-mapped source ``p`` and ``t``."""
    ok = _in_range(p) & _in_range(t)  # log-chromaticity is noisy in the dark, meaningless when clipped
    if ok.sum() < 50:
        return
    cp, ct = _log_chroma(p[ok]), _log_chroma(t[ok])
    dist = np.linalg.norm(cp, axis=1)
    d10 = float(np.percentile(dist, 10))
    least = dist <= d10  # the least colourful tenth: a saturation change barely moves them
    cast_raw = np.median(ct[least] - cp[least], axis=0)
    cast = cast_raw
    k = 1.0
    for _ in range(2):
        k = _chroma_ratio(cp, ct, cast)
        cast = np.median(ct[least] - k * cp[least], axis=0)
    model.k = k
    model.cast = (float(cast[0]), float(cast[1]))
    model.warmth_raw = float((cast_raw[0] - cast_raw[1]) * 100.0)
    model.warmth = float((cast[0] - cast[1]) * 100.0)
    model.warmth_reliable = d10 < 0.08


def fit_tone(src_rgb: np.ndarray, tgt_rgb: np.ndarray, mask: np.ndarray) -> ToneModel:
    """Fit the tone model on the pixels of ``mask`` (source already warped into the target frame)."""
    idx = _sample(mask)
    if len(idx) < 16:
        return ToneModel()
    s = src_rgb.reshape(-1, 3)[idx].astype(np.float64)
    t = tgt_rgb.reshape(-1, 3)[idx].astype(np.float64)
    model = ToneModel()
    model.luma_lut = _curve_lut(s @ _LUMA, t @ _LUMA)
    _read_colour(model, model.apply_luma_curve(src_rgb.reshape(-1, 3)[idx]).astype(np.float64), t)
    vs, vt = _max3(s), _max3(t)
    unclipped = (vs < 235) & (vt < 250)  # a clipped value cannot show the change
    if unclipped.sum() >= 30:
        model.value_change = float(np.median((vt - vs)[unclipped] / np.maximum(vs[unclipped], 10.0)))
    # prediction: the shared curve, then a gain and offset per channel, then whatever
    # saturation change they leave
    src_px = src_rgb.reshape(-1, 3)[idx]
    shared = model.apply_luma_curve(src_px).astype(np.float64)
    lines = [_fit_affine(shared[:, c], t[:, c]) for c in range(3)]
    model.channel_luts = np.stack([np.clip(a * model.luma_lut + b, -64, 320) for a, b in lines])
    p1 = np.stack([model.channel_luts[c][src_px[:, c]] for c in range(3)], axis=1)
    ok = _in_range(p1) & _in_range(t)
    if ok.sum() >= 50:
        model.k_pred = _chroma_ratio(_log_chroma(p1[ok]), _log_chroma(t[ok]), np.zeros(2))
    model.value_lut = _curve_lut(vs, vt)
    pv = np.clip(model.value_lut + 0.5, 0, 255).astype(np.uint8)[src_px].astype(np.float64)
    _, sat_p = _value_saturation(pv)
    _, sat_t = _value_saturation(t)
    coloured = sat_p > 0.15
    if coloured.sum() >= max(30, _MIN_COLOURED * len(sat_p)):
        model.k_value = float(np.median(sat_t[coloured] / sat_p[coloured]))
    # keep whichever prediction explains the pixels best: gains and offsets per channel with a
    # chroma factor, the shared curve with chroma factor and cast (luma-keeping colour edits),
    # or gains and offsets with an HSV-style saturation factor (value-keeping colour edits)
    errors = {}
    for mode in ("channels", "shared", "value"):
        model.prediction = mode
        pred = model.predict_rgb(src_px[None]).reshape(-1, 3).astype(np.float64)
        errors[mode] = float(np.median(np.abs(pred - t).sum(axis=1)))
    model.prediction = min(errors, key=lambda m: errors[m])
    return model


def _chroma95(lab: np.ndarray) -> float:
    """95th-percentile chroma of N×3 Lab pixels."""
    return float(np.percentile(np.hypot(lab[:, 1], lab[:, 2]), 95)) if len(lab) else 0.0


def _brightness(dl: float, rel: float, dark: bool, dv: float, cast: bool, t: PhotometricThresholds) -> str:
    limit = t.brightness_delta_l_with_cast if cast else t.brightness_delta_l
    for sign, word in ((1, "brighter"), (-1, "darker")):
        lightness = sign * dl >= limit or (
            dark and sign * dl >= t.brightness_min_delta_l and sign * rel >= t.brightness_relative
        )
        if lightness and sign * dv >= t.brightness_value_change:
            return word
    return "same"


def measure_tone(
    src_lab: np.ndarray, tgt_lab: np.ndarray, mask: np.ndarray, model: ToneModel, t: PhotometricThresholds
) -> Photometric:
    """Words and numbers for the global tone change over ``mask``."""
    idx = _sample(mask)
    if len(idx) < 16:
        return Photometric()
    src_px, tgt_px = src_lab.reshape(-1, 3)[idx], tgt_lab.reshape(-1, 3)[idx]
    ls, lt = src_px[:, 0], tgt_px[:, 0]
    dl = float(np.median(lt - ls))
    # in a mostly dark image (a night sky) L* barely moves even for a strong change;
    # the relative change of lightness still shows it
    rel = float(np.median((lt - ls) / np.maximum(ls, 4.0)))
    dark = float(np.median(ls)) < t.dark_image_l
    chroma_src = _chroma95(src_px)
    chroma_tgt = _chroma95(tgt_px)
    grayscale = chroma_tgt <= t.grayscale_chroma and chroma_src >= t.colourful_source_chroma
    colourful = chroma_src >= t.colourful_source_chroma
    p = Photometric(delta_l=dl, delta_warm=model.warmth, saturation_ratio=model.k if colourful else 1.0,
                    chroma_before=chroma_src, chroma_after=chroma_tgt, grayscale=grayscale,
                    warmth_reliable=model.warmth_reliable)
    if grayscale:
        p.brightness = _brightness(dl, rel, dark, model.value_change, False, t)
        p.saturation = "less"  # all colour gone; warmth has no meaning left
        return p
    # warmth: the cast read with and without the saturation correction must agree
    limit = t.warmth_delta if model.warmth_reliable else t.warmth_delta_unreliable
    if model.warmth * model.warmth_raw > 0 and min(abs(model.warmth), abs(model.warmth_raw)) >= limit:
        p.temperature = "warmer" if model.warmth > 0 else "cooler"
    p.brightness = _brightness(dl, rel, dark, model.value_change, p.temperature != "same", t)
    if colourful:
        # a cast also spreads colours; then only a large factor counts as a saturation change
        ratio = t.saturation_ratio_with_cast if p.temperature != "same" else t.saturation_ratio
        if model.k >= ratio:
            p.saturation = "more"
        elif model.k <= 1.0 / ratio:
            p.saturation = "less"
    return p
