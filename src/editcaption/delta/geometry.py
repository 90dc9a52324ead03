"""Global geometry between source and target: features + RANSAC, a mirrored-match test, and
fallbacks when features are weak (features on equalised copies, phase correlation, and a dense
ECC refinement started from the best guess and from a few zooms and turns).

The result is one 3×3 matrix that maps source pixels to target pixels (both at analysis
resolution), possibly containing a reflection, plus how well it is supported. Turning that
matrix into camera words is :mod:`editcaption.delta.camera`'s job.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .thresholds import GeometryThresholds

# ORB needs a border of about its patch size; below this side we do not look for features.
_MIN_SIDE_FOR_FEATURES = 48
_MIN_SIDE_FOR_PHASE = 8


@dataclass
class Alignment:
    """``matrix`` maps source analysis pixels to target analysis pixels (3×3, may reflect)."""

    matrix: np.ndarray
    flip: str  # "none" | "reflected"
    # "features" | "mirrored-features" | "ecc" | "phase" (a shift only) | "unmoved" (the frames
    # agree best where they are, see _unless_unmoved_fits_better) | "none"
    method: str
    inliers: int
    confidence: float
    mirror_margin: float = 0.0

    @property
    def found(self) -> bool:
        return self.method != "none"


def flip_matrix(width: int, height: int, axis: str) -> np.ndarray:
    """Reflection of a ``width``×``height`` frame about its centre line (pixel-centre convention)."""
    f = np.eye(3)
    if axis == "horizontal":
        f[0, 0], f[0, 2] = -1.0, width - 1.0
    elif axis == "vertical":
        f[1, 1], f[1, 2] = -1.0, height - 1.0
    return f


@dataclass
class _Features:
    points: np.ndarray  # N×2 float32
    descriptors: np.ndarray | None


def _orb(gray: np.ndarray, n: int) -> _Features:
    side = min(gray.shape[:2])
    patch = 31 if side >= 96 else max(9, side // 3)
    orb = cv2.ORB_create(nfeatures=n, scaleFactor=1.3, nlevels=5, edgeThreshold=patch, patchSize=patch, fastThreshold=12)
    kps, des = orb.detectAndCompute(gray, None)
    if des is None or len(kps) == 0:
        return _Features(np.zeros((0, 2), np.float32), None)
    return _Features(np.float32([k.pt for k in kps]), des)


def _match(a: _Features, b: _Features, ratio: float) -> tuple[np.ndarray, np.ndarray]:
    """Lowe ratio-test matches, returned as two aligned point arrays."""
    if a.descriptors is None or b.descriptors is None or len(a.points) < 2 or len(b.points) < 2:
        return np.zeros((0, 2), np.float32), np.zeros((0, 2), np.float32)
    matcher = cv2.BFMatcher(cv2.NORM_HAMMING)
    pairs = matcher.knnMatch(a.descriptors, b.descriptors, k=2)
    good = [m[0] for m in pairs if len(m) == 2 and m[0].distance < ratio * m[1].distance]
    if not good:
        return np.zeros((0, 2), np.float32), np.zeros((0, 2), np.float32)
    src = a.points[[m.queryIdx for m in good]]
    dst = b.points[[m.trainIdx for m in good]]
    return src, dst


@dataclass
class _Fit:
    matrix: np.ndarray  # 3×3
    inliers: int
    matches: int


def _plausible(matrix: np.ndarray) -> bool:
    """Reject degenerate fits (everything mapped onto a point, absurd zoom, strong perspective)."""
    det = float(np.linalg.det(matrix[:2, :2]))
    if not np.isfinite(det) or det <= 0:
        return False
    scale = det**0.5
    return 0.2 <= scale <= 5.0 and float(np.abs(matrix[2, :2]).max()) < 0.005


def _fit_similarity(src: np.ndarray, dst: np.ndarray, t: GeometryThresholds, side: int) -> _Fit | None:
    if len(src) < 3:
        return None
    # the inlier tolerance shrinks with small images, where a few pixels are a lot
    tol = float(np.clip(side * t.ransac_fraction, 1.0, t.ransac_px))
    m, mask = cv2.estimateAffinePartial2D(
        src, dst, method=cv2.RANSAC, ransacReprojThreshold=tol, maxIters=2000, confidence=0.995
    )
    if m is None or mask is None:
        return None
    inl = mask.ravel().astype(bool)
    matrix = np.vstack([m, [0.0, 0.0, 1.0]])
    if not _plausible(matrix):
        return None
    fit = _Fit(matrix, int(inl.sum()), len(src))
    # A homography where it fits clearly better (a change of viewpoint rather than a pure
    # pan/zoom/roll); refined on the similarity's inliers and their neighbours.
    if len(src) >= 12 and fit.inliers >= 12:
        h, hmask = cv2.findHomography(src, dst, cv2.RANSAC, tol, maxIters=1000, confidence=0.995)
        if h is not None and hmask is not None and abs(h[2, 2]) > 1e-9 and _plausible(h / h[2, 2]):
            n_h = int(hmask.ravel().sum())
            if n_h > t.homography_gain * fit.inliers and n_h >= fit.inliers + 8:
                fit = _Fit(h / h[2, 2], n_h, len(src))
    return fit


def _near_identity(matrix: np.ndarray, width: int, height: int) -> bool:
    """Whether the map moves the frame centre by < 10% and scales by < 10%."""
    centre = matrix @ np.array([width / 2, height / 2, 1.0])
    centre = centre[:2] / centre[2]
    shift = max(abs(centre[0] - width / 2) / width, abs(centre[1] - height / 2) / height)
    scale = abs(float(np.linalg.det(matrix[:2, :2]))) ** 0.5
    return shift < 0.1 and 0.9 < scale < 1.1


def _confidence(inliers: int, matches: int, t: GeometryThresholds) -> float:
    if inliers < t.min_inliers:
        return 0.0
    # unrelated images give at most a few consistent matches (random noise: 0-2 of 500
    # features); a score that saturates at ~20 inliers separates them from low-texture views
    count = min(1.0, (inliers - t.confidence_floor_inliers) / t.inliers_for_full_confidence)
    ratio = min(1.0, (inliers / max(matches, 1)) / t.inlier_ratio_for_full_confidence)
    return float(count * ratio)


def align_features(src_gray: np.ndarray, tgt_gray: np.ndarray, t: GeometryThresholds) -> Alignment | None:
    """Similarity/homography from ORB matches, testing the mirrored hypothesis too."""
    if min(src_gray.shape[:2]) < _MIN_SIDE_FOR_FEATURES or min(tgt_gray.shape[:2]) < _MIN_SIDE_FOR_FEATURES:
        return None
    side = min(*src_gray.shape[:2], *tgt_gray.shape[:2])
    fs = _orb(src_gray, t.orb_features)
    if len(fs.points) < t.min_inliers:
        return None
    ft = _orb(tgt_gray, t.orb_features)
    direct = _fit_similarity(*_match(fs, ft, t.ratio_test), t, side)
    n_direct = direct.inliers if direct else 0
    # a strong fit close to the identity leaves no room for a mirror (symmetric content can
    # give a strong direct fit far from the identity, so those are tested both ways)
    strong = (
        direct is not None
        and n_direct >= t.skip_mirror_inliers
        and n_direct >= 0.5 * direct.matches
        and _near_identity(direct.matrix, tgt_gray.shape[1], tgt_gray.shape[0])
    )

    mirrored = None
    if not strong:
        th, tw = tgt_gray.shape[:2]
        ftm = _orb(np.ascontiguousarray(tgt_gray[:, ::-1]), t.orb_features)
        mirrored = _fit_similarity(*_match(fs, ftm, t.ratio_test), t, side)
    n_mirror = mirrored.inliers if mirrored else 0

    if mirrored is not None and n_mirror >= t.min_inliers and n_mirror > t.mirror_gain * n_direct + t.mirror_extra:
        th, tw = tgt_gray.shape[:2]
        # the fit maps source → mirrored target; undo the mirror on the target side
        matrix = np.linalg.inv(flip_matrix(tw, th, "horizontal")) @ mirrored.matrix
        margin = (n_mirror - n_direct) / max(n_mirror, 1)
        conf = _confidence(n_mirror, mirrored.matches, t)
        return Alignment(matrix, "reflected", "mirrored-features", n_mirror, conf, margin)
    if direct is None or n_direct < t.min_inliers:
        return None
    margin = (n_direct - n_mirror) / max(n_direct, 1)
    return Alignment(direct.matrix, "none", "features", n_direct, _confidence(n_direct, direct.matches, t), margin)


def _phase(a: np.ndarray, b: np.ndarray) -> tuple[tuple[float, float], float]:
    """Translation of ``b`` relative to ``a`` (content shift) and the correlation peak."""
    h = max(a.shape[0], b.shape[0])
    w = max(a.shape[1], b.shape[1])

    def pad(x: np.ndarray) -> np.ndarray:
        x = x.astype(np.float32)
        x = x - float(x.mean())
        out = np.zeros((h, w), np.float32)
        out[: x.shape[0], : x.shape[1]] = x
        return out

    pa, pb = pad(a), pad(b)
    if float(np.abs(pa).max()) < 1e-3 or float(np.abs(pb).max()) < 1e-3:
        return (0.0, 0.0), 0.0  # flat image: no structure to correlate
    window = cv2.createHanningWindow((w, h), cv2.CV_32F)
    (dx, dy), response = cv2.phaseCorrelate(pa, pb, window)
    return (float(dx), float(dy)), float(response)


def align_phase(src_gray: np.ndarray, tgt_gray: np.ndarray, t: GeometryThresholds) -> Alignment | None:
    """Translation-only fallback by phase correlation (also tried against a mirrored target)."""
    if min(src_gray.shape[:2]) < _MIN_SIDE_FOR_PHASE or min(tgt_gray.shape[:2]) < _MIN_SIDE_FOR_PHASE:
        return None
    small_s = _shrink(src_gray, t.phase_side)
    small_t = _shrink(tgt_gray, t.phase_side)
    factor = src_gray.shape[1] / small_s.shape[1]
    (dx, dy), r_direct = _phase(small_s, small_t)
    (mdx, mdy), r_mirror = _phase(small_s, np.ascontiguousarray(small_t[:, ::-1]))
    th, tw = tgt_gray.shape[:2]
    if r_mirror > max(t.phase_min_response, t.mirror_gain * r_direct):
        shift = np.array([[1, 0, mdx * factor], [0, 1, mdy * factor], [0, 0, 1.0]])
        matrix = np.linalg.inv(flip_matrix(tw, th, "horizontal")) @ shift
        conf = min(1.0, r_mirror / t.phase_full_response)
        return Alignment(matrix, "reflected", "phase", 0, conf, (r_mirror - r_direct) / max(r_mirror, 1e-6))
    if r_direct < t.phase_min_response:
        return None
    matrix = np.array([[1, 0, dx * factor], [0, 1, dy * factor], [0, 0, 1.0]])
    conf = min(1.0, r_direct / t.phase_full_response)
    return Alignment(matrix, "none", "phase", 0, conf, (r_direct - r_mirror) / max(r_direct, 1e-6))


def _shrink(gray: np.ndarray, side: int) -> np.ndarray:
    h, w = gray.shape[:2]
    s = min(1.0, side / max(h, w))
    if s >= 1.0:
        return gray
    return cv2.resize(gray, (max(1, round(w * s)), max(1, round(h * s))), interpolation=cv2.INTER_AREA)


def _equalize(gray: np.ndarray) -> np.ndarray:
    """Local contrast equalisation: brings out faint texture (microscopy, fog, night)."""
    return cv2.createCLAHE(clipLimit=3.0, tileGridSize=(8, 8)).apply(gray)


def align_ecc(src_gray: np.ndarray, tgt_gray: np.ndarray, init: np.ndarray, t: GeometryThresholds) -> Alignment | None:
    """Refine an affine map by maximising the enhanced correlation coefficient (ECC) on small,
    smoothed copies: dense, so it needs no features, and it says how well the images agree."""
    if min(src_gray.shape[:2]) < _MIN_SIDE_FOR_PHASE or min(tgt_gray.shape[:2]) < _MIN_SIDE_FOR_PHASE:
        return None
    small_s, small_t, to_small_s, to_small_t = _small_copies(src_gray, tgt_gray, t.ecc_side)
    warp = (to_small_t @ init @ np.linalg.inv(to_small_s))[:2].astype(np.float32)
    # ECC warps the second image onto the first: with (target, source) it returns the map
    # from target-frame coordinates into the source, i.e. the inverse of ours
    warp = cv2.invertAffineTransform(warp)
    criteria = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 80, 1e-5)
    try:
        cc, warp = cv2.findTransformECC(small_t, small_s, warp, cv2.MOTION_AFFINE, criteria, None, 5)
    except cv2.error:
        return None  # flat images, or no convergence
    forward = np.vstack([cv2.invertAffineTransform(warp), [0.0, 0.0, 1.0]])
    matrix = np.linalg.inv(to_small_t) @ forward @ to_small_s
    if not np.isfinite(cc) or not _plausible(matrix):
        return None
    conf = _correlation_confidence(cc, t)
    return Alignment(matrix, "none", "ecc", 0, conf) if conf > 0 else None


def _small_copies(src_gray: np.ndarray, tgt_gray: np.ndarray,
                  side: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Small, smoothed float copies of both images (longer side at most ``side``) and the
    scalings from each full image to its copy."""
    small_s = cv2.GaussianBlur(_shrink(src_gray, side).astype(np.float32), (0, 0), 1.0)
    small_t = cv2.GaussianBlur(_shrink(tgt_gray, side).astype(np.float32), (0, 0), 1.0)
    to_small_s = np.diag([small_s.shape[1] / src_gray.shape[1], small_s.shape[0] / src_gray.shape[0], 1.0])
    to_small_t = np.diag([small_t.shape[1] / tgt_gray.shape[1], small_t.shape[0] / tgt_gray.shape[0], 1.0])
    return small_s, small_t, to_small_s, to_small_t


def _correlation_confidence(cc: float, t: GeometryThresholds) -> float:
    """Confidence 0–1 of an alignment whose images correlate by ``cc`` (smoothed small copies)."""
    return float(np.clip((cc - t.ecc_min_cc) / (t.ecc_full_cc - t.ecc_min_cc), 0.0, 1.0))


def align(src_gray: np.ndarray, tgt_gray: np.ndarray, t: GeometryThresholds) -> Alignment:
    """The best supported alignment, or the identity with confidence 0 when nothing fits.

    Features first; when they are weak (low-contrast or repetitive images): features on
    equalised copies, phase correlation, and a dense ECC refinement of the best guess. Last,
    frames of one size that agree better unmoved keep the identity.
    """
    best = _search(src_gray, tgt_gray, t)
    if best is None:
        return Alignment(np.eye(3), "none", "none", 0, 0.0)
    return _unless_unmoved_fits_better(src_gray, tgt_gray, best, t)


def _search(src_gray: np.ndarray, tgt_gray: np.ndarray, t: GeometryThresholds) -> Alignment | None:
    found = align_features(src_gray, tgt_gray, t)
    if found is not None and found.confidence >= t.sure_feature_confidence:
        return found
    if min(src_gray.shape[:2]) >= _MIN_SIDE_FOR_FEATURES and min(tgt_gray.shape[:2]) >= _MIN_SIDE_FOR_FEATURES:
        again = align_features(_equalize(src_gray), _equalize(tgt_gray), t)
        found = _better(found, again)
        if found is not None and found.confidence >= t.sure_feature_confidence:
            return found
    phase = align_phase(src_gray, tgt_gray, t)
    best = _better(found, phase)
    if best is None or best.flip == "none":
        refined = _ecc_search(src_gray, tgt_gray, best.matrix if best is not None else None, t)
        # phase correlation only measures a shift: a converged ECC map (zoom and rotation
        # too) replaces it; against weak features the more confident one wins
        if refined is not None and (best is None or best.method == "phase" or refined.confidence > best.confidence):
            best = refined
    return best


def _agreement(small_s: np.ndarray, small_t: np.ndarray, matrix: np.ndarray) -> float:
    """Correlation of the small target with the small source mapped by ``matrix`` (between
    the small copies), over the part of the target the mapped source covers."""
    warped = cv2.warpPerspective(small_s, matrix, (small_t.shape[1], small_t.shape[0]), flags=cv2.INTER_LINEAR,
                                 borderValue=np.nan)
    seen = np.isfinite(warped)
    if seen.sum() < 16:
        return -1.0
    a, b = warped[seen] - warped[seen].mean(), small_t[seen] - small_t[seen].mean()
    den = float(np.sqrt((a * a).sum() * (b * b).sum()))
    return float((a * b).sum() / den) if den > 1e-6 else -1.0


def _unless_unmoved_fits_better(src_gray: np.ndarray, tgt_gray: np.ndarray, best: Alignment,
                                t: GeometryThresholds) -> Alignment:
    """``best``, or the identity when two frames of one size agree better left where they are.

    Features can all come from one thing that moved, appeared or vanished (a pasted object
    has corners, a plain or soft background has none), and their fit then follows that thing:
    a pan that is not there. A camera move explains the pixels of the whole picture, so the
    target must agree with the moved source better than with the source unmoved; when it
    does not (by ``t.unmoved_margin`` of correlation), the camera stood still, and the
    change is local. Only for frames of the same size: a crop or a resize is itself a change
    of framing."""
    if src_gray.shape != tgt_gray.shape or np.allclose(best.matrix, np.eye(3), atol=1e-6) or best.flip != "none":
        return best
    small_s, small_t, to_small_s, to_small_t = _small_copies(src_gray, tgt_gray, t.ecc_side)
    unmoved = _agreement(small_s, small_t, np.eye(3))
    moved = _agreement(small_s, small_t, to_small_t @ best.matrix @ np.linalg.inv(to_small_s))
    if unmoved < moved + t.unmoved_margin:
        return best
    return Alignment(np.eye(3), "none", "unmoved", 0, _correlation_confidence(unmoved, t))


def _ecc_search(src_gray: np.ndarray, tgt_gray: np.ndarray, guess: np.ndarray | None,
                t: GeometryThresholds) -> Alignment | None:
    """ECC from the best guess and from a few zooms and turns about the centre: ECC only
    climbs to the nearest optimum, and without features there is no better starting point."""
    h, w = src_gray.shape[:2]
    th, tw = tgt_gray.shape[:2]
    # the source centre onto the target centre, scaled and turned
    starts = [] if guess is None else [guess]
    for scale, angle in ((1.0, 0.0), *((s, 0.0) for s in t.ecc_start_scales), *((1.0, a) for a in t.ecc_start_angles)):
        m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, scale)
        m[:, 2] += (tw - w) / 2, (th - h) / 2
        starts.append(np.vstack([m, [0.0, 0.0, 1.0]]))
    best: Alignment | None = None
    for init in starts:
        found = align_ecc(src_gray, tgt_gray, init, t)
        best = _better(best, found)
        if best is not None and best.confidence >= 1.0:
            break
    return best


def _better(a: Alignment | None, b: Alignment | None) -> Alignment | None:
    if a is None:
        return b
    if b is None:
        return a
    return b if b.confidence > a.confidence else a
