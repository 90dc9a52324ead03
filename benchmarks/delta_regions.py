"""Added, removed or recoloured? The region classifier of the delta analyzer, against exact truth.

    .venv/bin/python benchmarks/delta_regions.py                    # the tuning part + the regression sets
    .venv/bin/python benchmarks/delta_regions.py --sets heldout     # the held-out part (read once, at the end)
    .venv/bin/python benchmarks/delta_regions.py --sets heldout2    # the second held-out part (new objects)
    .venv/bin/python benchmarks/delta_regions.py --sets heldout3    # the third (new compositions, one new object)
    .venv/bin/python benchmarks/delta_regions.py --sets heldout4    # the fourth (new compositions again)
    .venv/bin/python benchmarks/delta_regions.py --sets heldout5    # the fifth (new compositions again)
    .venv/bin/python benchmarks/delta_regions.py --per-kind 150 --json out.json

Sets (never mixed):

* ``tuning`` / ``heldout`` / ``heldout2`` / ``heldout3`` / ``heldout4`` / ``heldout5`` — the parts of the photo set in ``benchmarks/region_photos/``:
  real object cut-outs from public-domain and CC0 photos pasted onto other such photos
  (appeared), the reverse pairs (disappeared), objects recoloured inside their mask
  (recolored) and objects pasted at one place in the source and another in the target
  (moved), with size, place, mask edge, background texture and contrast varied. The
  classifier was tuned on ``tuning`` only. ``python benchmarks/region_photos/photoset.py
  --split heldout --out DIR`` writes a part as PNG pairs with its truth;
* ``shapes`` — the added, removed and recoloured shapes of ``delta_edits.py`` on its tuning,
  held-out and fresh photos (the synthetic local edits of ``delta_accuracy.py``);
* ``editworld`` — ``editcaption synth editworld --family photos`` pairs of the add_object,
  remove_object, recolor and move_object subtypes (a move is right when the analyzer reports
  a move in the true direction).

A photo pair counts as right when the largest reported region that overlaps the object's box
has the true kind; for ``shapes`` and ``editworld``, which carry no box, the largest region. A
move is right when ``object_moves`` reports a move in the true direction.
The peer is the classifier as it was before this benchmark (frozen below, with the change
map and region split it used), run on the same pairs in the same process.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE / "region_photos"))

from delta_edits import FRESH_PHOTOS, HELDOUT_PHOTOS, TUNING_PHOTOS, make_edits  # noqa: E402
from photoset import KINDS, SPLITS, make_set  # noqa: E402

from editcaption.colors import name_lab  # noqa: E402
from editcaption.delta import DeltaReport, analyze  # noqa: E402
from editcaption.delta.camera import camera_from_alignment  # noqa: E402
from editcaption.delta.geometry import align  # noqa: E402
from editcaption.delta.moves import object_moves  # noqa: E402
from editcaption.delta.photometric import fit_tone  # noqa: E402
from editcaption.delta.prepare import prepare_pair, rgb_to_lab  # noqa: E402
from editcaption.delta.report import Region  # noqa: E402
from editcaption.delta.thresholds import DEFAULT, RegionThresholds  # noqa: E402
from editcaption.delta.warp import warp_to_target  # noqa: E402
from editcaption.directions import side_of, vertical_of  # noqa: E402

# ------------------------------------------------------------------ the frozen classifier (the peer)
# The change map, region split and classifier of the analyzer before the photo set existed,
# copied unchanged: kinds from the median colour of a region against the median of a ring
# around it, a gradient correlation for recolours, and the inner-move test first.

_OBJECT_DELTA_E = 20.0
_SAME_OBJECT_DELTA_E = 25.0
_MIN_INNER_MOVE = 0.03


def _gradient(l_channel: np.ndarray) -> np.ndarray:
    gx = cv2.Sobel(l_channel, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(l_channel, cv2.CV_32F, 0, 1, ksize=3)
    return cv2.magnitude(gx, gy)


def _kernel(size: int) -> np.ndarray:
    size = max(1, size)
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))


def frozen_change_map(pred_lab: np.ndarray, tgt_lab: np.ndarray, valid: np.ndarray,
                      t: RegionThresholds) -> tuple[np.ndarray, np.ndarray]:
    h, w = tgt_lab.shape[:2]
    side = min(h, w)
    sigma = t.blur_sigma if side >= 32 else 0.0
    if sigma > 0:
        pred = cv2.GaussianBlur(pred_lab, (0, 0), sigma)
        tgt = cv2.GaussianBlur(tgt_lab, (0, 0), sigma)
    else:
        pred, tgt = pred_lab, tgt_lab
    diff = np.linalg.norm(tgt - pred, axis=2).astype(np.float32)
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
        return np.where(valid, diff, 0.0).astype(np.float32), valid.copy()
    k_open = max(1, round(side / 170))
    k_close = max(1, round(side / 40))
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, _kernel(2 * k_open + 1))
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, _kernel(2 * k_close + 1))
    mask &= valid.astype(np.uint8)
    return np.where(valid, diff, 0.0).astype(np.float32), mask.astype(bool)


def _median_lab(lab: np.ndarray, mask: np.ndarray) -> np.ndarray | None:
    px = lab[mask]
    return None if px.shape[0] == 0 else np.median(px, axis=0)


def _delta_e(a: np.ndarray | None, b: np.ndarray | None) -> float:
    return 0.0 if a is None or b is None else float(np.linalg.norm(a - b))


def _structure_correlation(g_a: np.ndarray, g_b: np.ndarray) -> float:
    a = g_a.ravel() - g_a.mean()
    b = g_b.ravel() - g_b.mean()
    den = float(np.sqrt((a * a).sum() * (b * b).sum()))
    return float((a * b).sum() / den) if den > 1e-6 else 0.0


def _object_shift(comp: np.ndarray, src_lab: np.ndarray, tgt_lab: np.ndarray, ring_before: np.ndarray | None,
                  ring_after: np.ndarray | None) -> tuple[tuple[float, float] | None, str | None]:
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


def frozen_classify(comp: np.ndarray, src_lab: np.ndarray, tgt_lab: np.ndarray, valid: np.ndarray,
                    side: int) -> tuple[str, tuple[float, float] | None, str | None, Any, Any]:
    inner = cv2.erode(comp.astype(np.uint8), _kernel(3)).astype(bool)
    if inner.sum() < 4:
        inner = comp
    ring_w = max(2, side // 40)
    grown = cv2.dilate(comp.astype(np.uint8), _kernel(2 * ring_w + 1)).astype(bool)
    ring = grown & ~cv2.dilate(comp.astype(np.uint8), _kernel(3)).astype(bool) & valid
    before, after = _median_lab(src_lab, inner), _median_lab(tgt_lab, inner)
    ring_before, ring_after = _median_lab(src_lab, ring), _median_lab(tgt_lab, ring)
    stand_before, stand_after = _delta_e(before, ring_before), _delta_e(after, ring_after)
    name_before = name_lab(before) if before is not None else None
    name_after = name_lab(after) if after is not None else None
    moved, moved_color = _object_shift(comp, src_lab, tgt_lab, ring_before, ring_after)
    if moved is not None and max(abs(moved[0]), abs(moved[1])) >= _MIN_INNER_MOVE:
        return "changed", moved, moved_color, before, after
    if stand_after >= 12 and stand_after > 2.0 * stand_before + 4:
        return "appeared", None, None, before, after
    if stand_before >= 12 and stand_before > 2.0 * stand_after + 4:
        return "disappeared", None, None, before, after
    ys, xs = np.nonzero(grown)
    box = (slice(ys.min(), ys.max() + 1), slice(xs.min(), xs.max() + 1))
    corr = _structure_correlation(_gradient(src_lab[..., 0][box]), _gradient(tgt_lab[..., 0][box]))
    if name_before != name_after and corr >= 0.5:
        return "recolored", None, None, before, after
    return "changed", None, None, before, after


def _lab_tuple(lab: np.ndarray | None) -> tuple[float, float, float] | None:
    return None if lab is None else (float(lab[0]), float(lab[1]), float(lab[2]))


def frozen_regions(src_rgb: np.ndarray, tgt_rgb: np.ndarray) -> list[Region]:
    """The regions the analyzer reported before (same alignment, tone fit and refit rule)."""
    t = DEFAULT
    pp = prepare_pair(src_rgb, tgt_rgb, 512)
    alignment = align(pp.src_gray, pp.tgt_gray, t.geometry)
    camera_from_alignment(alignment, (pp.src_gray.shape[1], pp.src_gray.shape[0]),
                          (pp.tgt_gray.shape[1], pp.tgt_gray.shape[0]), t.camera)
    tgt_h, tgt_w = pp.tgt.shape[:2]
    matrix = None
    if alignment.found and alignment.confidence >= t.camera.min_confidence:
        sxs, sys_, sxt, syt = pp.detail_scale
        matrix = np.diag([sxt, syt, 1.0]) @ alignment.matrix @ np.diag([1 / sxs, 1 / sys_, 1.0])
    if matrix is None:
        matrix = np.diag([tgt_w / pp.src.shape[1], tgt_h / pp.src.shape[0], 1.0])
    aligned = warp_to_target(pp.src, matrix, (tgt_h, tgt_w), t.regions.border)
    src_lab, tgt_lab = rgb_to_lab(aligned.src), rgb_to_lab(pp.tgt)
    tone = fit_tone(aligned.src, pp.tgt, aligned.valid)
    diff, mask = frozen_change_map(rgb_to_lab(tone.predict_rgb(aligned.src)), tgt_lab, aligned.valid, t.regions)
    n_valid = max(1, int(aligned.valid.sum()))
    unchanged = aligned.valid & ~mask
    tone_mask = unchanged if unchanged.sum() >= 0.2 * n_valid else aligned.valid
    if mask.sum() > t.regions.refit_fraction * n_valid:
        refit = fit_tone(aligned.src, pp.tgt, tone_mask)
        if refit.differs_from(tone):
            diff, mask = frozen_change_map(rgb_to_lab(refit.predict_rgb(aligned.src)), tgt_lab, aligned.valid,
                                           t.regions)
    h, w = mask.shape
    n, labels, stats, centroids = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    order = sorted(range(1, n), key=lambda i: -stats[i, cv2.CC_STAT_AREA])
    regions: list[Region] = []
    for i in order:
        area = stats[i, cv2.CC_STAT_AREA] / float(h * w)
        if area < t.regions.min_area or len(regions) >= t.regions.max_regions:
            break
        comp = labels == i
        x0, y0 = stats[i, cv2.CC_STAT_LEFT], stats[i, cv2.CC_STAT_TOP]
        x1, y1 = x0 + stats[i, cv2.CC_STAT_WIDTH], y0 + stats[i, cv2.CC_STAT_HEIGHT]
        cx, cy = centroids[i]
        kind, moved, moved_color, before, after = frozen_classify(comp, src_lab, tgt_lab, aligned.valid, min(h, w))
        regions.append(Region(bbox=(x0 / w, y0 / h, x1 / w, y1 / h), area=float(area), side=side_of((cx + 0.5) / w),
                              vertical=vertical_of((cy + 0.5) / h), kind=kind, color_before=None, color_after=None,
                              centroid=(float((cx + 0.5) / w), float((cy + 0.5) / h)),
                              strength=float(diff[comp].mean()), moved=moved, moved_color=moved_color,
                              lab_before=_lab_tuple(before), lab_after=_lab_tuple(after)))
    return regions


# ------------------------------------------------------------------------------ the pairs


@dataclass
class Case:
    """One pair to classify: the true kind (or ``moved``) and where to look."""

    id: str
    kind: str  # appeared | disappeared | recolored | moved
    src: np.ndarray
    tgt: np.ndarray
    bbox: tuple[float, float, float, float] | None = None  # the object's box, target frame
    tags: tuple[str, ...] = ()
    direction: str | None = None  # of a move


def photo_cases(split: str, per_kind: int, seed: int) -> Iterator[Case]:
    for p in make_set(split, per_kind, seed):
        yield Case(p.id, p.kind, p.src, p.tgt, p.bbox, p.tags, p.direction)


SHAPE_KINDS = {"add": "appeared", "remove": "disappeared", "recolor": "recolored", "recolor_region": "recolored"}


def shape_cases(per_kind: int, seed: int) -> Iterator[Case]:
    for name, photos, offset in (("tuning", TUNING_PHOTOS, 1000), ("heldout", HELDOUT_PHOTOS, 0),
                                 ("fresh", FRESH_PHOTOS, 2000)):
        for e in make_edits(photos, per_kind, seed + offset, kinds=tuple(SHAPE_KINDS)):
            yield Case(f"{name}-{e.kind}-{e.photo}", SHAPE_KINDS[e.kind], e.src, e.tgt, tags=(f"photos:{name}",))


_EDITWORLD = {"add_object": "appeared", "remove_object": "disappeared", "recolor": "recolored", "move_object": "moved"}


def editworld_cases(per_subtype: int, seed: int) -> Iterator[Case]:
    from editcaption.imageio import decode_file
    from editcaption.synth import generate, read_manifest

    with tempfile.TemporaryDirectory() as tmp:
        for i, subtype in enumerate(_EDITWORLD):
            manifest = generate(per_subtype, seed + i, Path(tmp) / subtype, size=(512, 384), family="photos",
                                subtypes=[subtype])
            for row in read_manifest(manifest):
                src = decode_file(manifest.parent / row["source"]).rgb
                tgt = decode_file(manifest.parent / row["target"]).rgb
                change = row["ground_truth"]["primary"][0]
                yield Case(row["id"], _EDITWORLD[subtype], src, tgt, tags=(subtype,), direction=change.get("direction"))


# ------------------------------------------------------------------------------ scoring


def judged(regions: list[Region], case: Case) -> Region | None:
    """The region that speaks for the case: the largest one overlapping the object's box (or the largest)."""
    if case.bbox is not None:
        x0, y0, x1, y1 = case.bbox
        regions = [r for r in regions if r.bbox[0] < x1 and r.bbox[2] > x0 and r.bbox[1] < y1 and r.bbox[3] > y0]
    return max(regions, key=lambda r: r.area) if regions else None


def right(regions: list[Region], case: Case) -> tuple[bool, str]:
    if case.kind == "moved":
        moves = object_moves(DeltaReport(regions=regions))
        return any(m.direction == case.direction for m in moves), f"moves {[m.direction for m in moves]}"
    r = judged(regions, case)
    return r is not None and r.kind == case.kind, "no region" if r is None else r.kind


@dataclass
class Tally:
    hits: dict[str, list[bool]] = field(default_factory=lambda: defaultdict(list))
    misses: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def rate(self, key: str) -> tuple[float, int] | None:
        v = self.hits.get(key)
        return (sum(v) / len(v), len(v)) if v else None


def run(cases: list[Case], classify: Callable[[np.ndarray, np.ndarray], list[Region]]) -> Tally:
    t = Tally()
    start = time.perf_counter()
    for c in cases:
        ok, got = right(classify(c.src, c.tgt), c)
        for key in ("all", c.kind, *c.tags):
            t.hits[key].append(ok)
        if not ok:
            t.misses.append(f"{c.id} {c.kind} {','.join(c.tags)} → {got}")
    t.seconds = time.perf_counter() - start
    return t


def ours(src: np.ndarray, tgt: np.ndarray) -> list[Region]:
    return analyze(src, tgt).regions


def cell(t: Tally, key: str) -> str:
    r = t.rate(key)
    return "—" if r is None else f"{100 * r[0]:.1f}% ({r[1]})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sets", default="tuning,shapes,editworld",
                    help="comma-separated: " + ", ".join((*SPLITS, "shapes", "editworld")))
    ap.add_argument("--per-kind", type=int, default=100, help="photo pairs per kind and part")
    ap.add_argument("--shapes-per-kind", type=int, default=24)
    ap.add_argument("--editworld-per-subtype", type=int, default=30)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show-misses", type=int, default=8)
    ap.add_argument("--json", type=Path, help="also write the rates and misses here")
    args = ap.parse_args()
    cv2.setNumThreads(1)
    out: dict[str, Any] = {}
    for name in (s.strip() for s in args.sets.split(",") if s.strip()):
        if name in SPLITS:
            cases = list(photo_cases(name, args.per_kind, args.seed))
        elif name == "shapes":
            cases = list(shape_cases(args.shapes_per_kind, 7))
        elif name == "editworld":
            cases = list(editworld_cases(args.editworld_per_subtype, 7))
        else:
            ap.error(f"unknown set {name!r}")
        mine, peer = run(cases, ours), run(cases, frozen_regions)
        keys = ["all", *(k for k in dict.fromkeys((*KINDS, "moved")) if k in mine.hits)]
        keys += sorted(k for k in mine.hits if k not in keys)
        print(f"\n### {name}: {len(cases)} pairs\n")
        print("| pairs | ours | peer (frozen classifier) | ratio ours / peer |")
        print("|---|---|---|---|")
        for key in keys:
            a, b = mine.rate(key), peer.rate(key)
            ratio = f"{a[0] / b[0]:.2f}×" if a and b and b[0] else "—"
            print(f"| {key} | {cell(mine, key)} | {cell(peer, key)} | {ratio} |")
        print(f"| ms per pair | {1000 * mine.seconds / len(cases):.1f} | {1000 * peer.seconds / len(cases):.1f} | "
              f"{mine.seconds / peer.seconds:.2f}× |")
        for label, t in (("ours", mine), ("peer", peer)):
            if args.show_misses and t.misses:
                print(f"\nmisses — {name} — {label} ({len(t.misses)}):")
                for note in t.misses[: args.show_misses]:
                    print("   ", note)
        out[name] = {label: {"rates": {k: t.rate(k) for k in t.hits}, "misses": t.misses, "seconds": t.seconds}
                     for label, t in (("ours", mine), ("peer", peer))}
    if args.json:
        args.json.write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
