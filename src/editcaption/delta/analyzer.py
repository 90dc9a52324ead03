"""The analyzer: source + target arrays → :class:`DeltaReport`.

Steps (each in its own module): bring both images to one analysis resolution
(:mod:`.prepare`), align them (:mod:`.geometry`) and read camera words from the alignment
(:mod:`.camera`), warp the source into the target frame (:mod:`.warp`), measure the
global tone change on the overlap (:mod:`.photometric`), then find what still differs
(:mod:`.regions`). No torch; OpenCV and numpy only.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from ..imageio import decode_file
from .camera import camera_from_alignment
from .geometry import Alignment, align
from .photometric import ToneModel, fit_tone, measure_tone
from .prepare import PreparedPair, prepare_pair, rgb_to_lab
from .regions import ChangeMap, change_map, find_regions
from .report import DeltaReport
from .thresholds import DEFAULT, Thresholds
from .warp import Aligned, warp_to_target


@dataclass
class Analysis:
    """The report plus the intermediate images it came from (used by the heatmap)."""

    report: DeltaReport
    prepared: PreparedPair
    alignment: Alignment
    aligned: Aligned
    tone: ToneModel
    changes: ChangeMap


def _stretch(src_wh: tuple[int, int], tgt_wh: tuple[int, int]) -> np.ndarray:
    """Fallback mapping when nothing aligns: the source frame stretched onto the target frame."""
    return np.diag([tgt_wh[0] / src_wh[0], tgt_wh[1] / src_wh[1], 1.0])


def _detail_matrix(alignment: Alignment, pp: PreparedPair, t: Thresholds) -> np.ndarray | None:
    """The alignment between the (smaller) detail images, or None when it is not reliable."""
    if not alignment.found or alignment.confidence < t.camera.min_confidence:
        return None
    sxs, sys_, sxt, syt = pp.detail_scale
    return np.diag([sxt, syt, 1.0]) @ alignment.matrix @ np.diag([1 / sxs, 1 / sys_, 1.0])


def _tone_and_changes(aligned: Aligned, tgt_rgb: np.ndarray, tgt_lab: np.ndarray, src_lab: np.ndarray | None,
                      t: Thresholds) -> tuple[ToneModel, ChangeMap, np.ndarray]:
    """Fit the global tone, find what it does not explain, and refit without that.

    ``src_lab`` (the unmoved source, CIE Lab) lets a quiet pair be searched again at a lower
    threshold (see :func:`.regions.change_map`); None where the frames were moved.

    Returns the tone model, the change map and the mask the tone words are measured on.
    """
    tone = fit_tone(aligned.src, tgt_rgb, aligned.valid)
    changes = change_map(rgb_to_lab(tone.predict_rgb(aligned.src)), tgt_lab, aligned.valid, t.regions, src_lab)
    n_valid = max(1, int(aligned.valid.sum()))
    unchanged = aligned.valid & ~changes.mask
    tone_mask = unchanged if unchanged.sum() >= 0.2 * n_valid else aligned.valid
    if changes.mask.sum() > t.regions.refit_fraction * n_valid:
        # refit without the local changes; if that moves the model, the first change map
        # was partly the model's error, so compare again
        refit = fit_tone(aligned.src, tgt_rgb, tone_mask)
        if refit.differs_from(tone):
            changes = change_map(rgb_to_lab(refit.predict_rgb(aligned.src)), tgt_lab, aligned.valid, t.regions,
                                 src_lab)
        tone = refit
    return tone, changes, tone_mask


def run_analysis(src_rgb: np.ndarray, tgt_rgb: np.ndarray, *, max_side: int = 512,
                 thresholds: Thresholds = DEFAULT) -> Analysis:
    """Everything :func:`analyze` computes, intermediate images included."""
    t = thresholds
    pp = prepare_pair(src_rgb, tgt_rgb, max_side)
    alignment = align(pp.src_gray, pp.tgt_gray, t.geometry)
    camera = camera_from_alignment(alignment, (pp.src_gray.shape[1], pp.src_gray.shape[0]),
                                   (pp.tgt_gray.shape[1], pp.tgt_gray.shape[0]), t.camera)
    notes: list[str] = []
    tgt_h, tgt_w = pp.tgt.shape[:2]
    matrix = _detail_matrix(alignment, pp, t)
    if matrix is None:
        matrix = _stretch((pp.src.shape[1], pp.src.shape[0]), (tgt_w, tgt_h))
        notes.append("no reliable alignment: compared frame to frame")
    aligned = warp_to_target(pp.src, matrix, (tgt_h, tgt_w), t.regions.border)
    if not aligned.valid.any():
        notes.append("the aligned images do not overlap")
    src_lab, tgt_lab = rgb_to_lab(aligned.src), rgb_to_lab(pp.tgt)
    # only frames that were not moved can be quiet: a warp's resampling differs along every edge
    unmoved = pp.src.shape == pp.tgt.shape and np.allclose(matrix, np.eye(3), atol=1e-6)
    tone, changes, tone_mask = _tone_and_changes(aligned, pp.tgt, tgt_lab, src_lab if unmoved else None, t)
    report = DeltaReport(
        camera=camera,
        photometric=measure_tone(src_lab, tgt_lab, tone_mask, tone, t.photometric),
        regions=find_regions(changes, src_lab, tgt_lab, aligned.valid, t.regions),
        source_size=pp.src_size,
        target_size=pp.tgt_size,
        notes=notes,
    )
    return Analysis(report, pp, alignment, aligned, tone, changes)


def analyze(src_rgb: np.ndarray, tgt_rgb: np.ndarray, *, max_side: int = 512,
            thresholds: Thresholds = DEFAULT) -> DeltaReport:
    """Measure camera motion, tone change and local changes from ``src_rgb`` to ``tgt_rgb``.

    Accepts HxW, HxWx1, HxWx3 or HxWx4 arrays of any size (the two may differ in size and
    aspect ratio); analysis runs with the longer side at most ``max_side`` pixels.
    """
    return run_analysis(src_rgb, tgt_rgb, max_side=max_side, thresholds=thresholds).report


def analyze_files(src_path: str | os.PathLike[str], tgt_path: str | os.PathLike[str], **kw: object) -> DeltaReport:
    """:func:`analyze` on two image files (decoded safely; raises ``ImageDecodeError``)."""
    src = decode_file(src_path).rgb
    tgt = decode_file(tgt_path).rgb
    return analyze(src, tgt, **kw)  # type: ignore[arg-type]
