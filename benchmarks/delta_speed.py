"""Speed of the visual delta analyzer on one core at 1024×768, against a bare OpenCV peer.

    .venv/bin/python benchmarks/delta_speed.py [--pairs 60] [--size 1024x768] [--repeat 3]

OpenCV is limited to one thread (``cv2.setNumThreads(1)``) and so are the BLAS libraries
(environment set before numpy loads). Pairs are real edits (pans, zooms, rotations, mirrors,
tone changes, added/removed/recoloured objects, unchanged copies) of the bundled and
scikit-image photos, resized to the benchmark size and saved as JPEG (quality 90).

Rows, run side by side in this process on the same pairs:

* decode only — reading both JPEGs with the project's safe decoder;
* peer — what any OpenCV alignment costs at the same analysis size: ORB features on both
  images, brute-force Hamming matching with a ratio test, RANSAC similarity
  (``estimateAffinePartial2D``) — no mirror test, tone, regions or words;
* ``analyze`` on decoded arrays (the number the issue's target of ≥ 20 pairs/s refers to);
* ``analyze_files`` — decoding plus analysis, what `editcaption analyze --manifest` does per row.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import cv2  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))

from delta_edits import HELDOUT_PHOTOS, TUNING_PHOTOS, make_edits  # noqa: E402

from editcaption.delta import analyze, analyze_files  # noqa: E402
from editcaption.imageio import decode_file  # noqa: E402


def make_pairs(folder: Path, n: int, size: tuple[int, int]) -> list[tuple[Path, Path]]:
    per_kind = n // 13 + 1  # 13 kinds of edit, cycling through the photos
    edits = make_edits(TUNING_PHOTOS + HELDOUT_PHOTOS, per_kind, seed=123)
    rng = np.random.default_rng(0)
    chosen = rng.choice(len(edits), size=min(n, len(edits)), replace=False)
    pairs = []
    for i, k in enumerate(sorted(chosen)):
        e = edits[k]
        paths = []
        for tag, img in (("src", e.src), ("tgt", e.tgt)):
            big = cv2.resize(img, size, interpolation=cv2.INTER_CUBIC)
            p = folder / f"{i:03d}_{e.kind}_{tag}.jpg"
            cv2.imwrite(str(p), cv2.cvtColor(big, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 90])
            paths.append(p)
        pairs.append((paths[0], paths[1]))
    return pairs


def _shrink(rgb: np.ndarray, max_side: int) -> np.ndarray:
    h, w = rgb.shape[:2]
    s = min(1.0, max_side / max(h, w))
    return cv2.resize(rgb, (round(w * s), round(h * s)), interpolation=cv2.INTER_AREA) if s < 1 else rgb


def peer_align(src: np.ndarray, tgt: np.ndarray, max_side: int = 512) -> np.ndarray | None:
    """The bare alignment every OpenCV user writes first."""
    a, b = (cv2.cvtColor(_shrink(x, max_side), cv2.COLOR_RGB2GRAY) for x in (src, tgt))
    orb = cv2.ORB_create(nfeatures=500)
    ka, da = orb.detectAndCompute(a, None)
    kb, db = orb.detectAndCompute(b, None)
    if da is None or db is None:
        return None
    good = [m[0] for m in cv2.BFMatcher(cv2.NORM_HAMMING).knnMatch(da, db, k=2)
            if len(m) == 2 and m[0].distance < 0.8 * m[1].distance]
    if len(good) < 3:
        return None
    pa = np.float32([ka[m.queryIdx].pt for m in good])
    pb = np.float32([kb[m.trainIdx].pt for m in good])
    matrix, _ = cv2.estimateAffinePartial2D(pa, pb, method=cv2.RANSAC)
    return matrix


def timed(fn, items, repeat: int) -> float:  # noqa: ANN001
    """Best-of-``repeat`` seconds per item."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for item in items:
            fn(item)
        best = min(best, (time.perf_counter() - t0) / len(items))
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pairs", type=int, default=60)
    ap.add_argument("--size", default="1024x768")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    w, h = (int(v) for v in args.size.lower().split("x"))
    cv2.setNumThreads(1)
    with tempfile.TemporaryDirectory() as tmp:
        files = make_pairs(Path(tmp), args.pairs, (w, h))
        arrays = [(decode_file(a).rgb, decode_file(b).rgb) for a, b in files]
        analyze(*arrays[0])  # warm-up (imports, OpenCV's first calls)
        rows = [
            ("decode only (2 JPEGs)", timed(lambda p: (decode_file(p[0]), decode_file(p[1])), files, args.repeat)),
            ("peer: ORB + ratio test + RANSAC similarity", timed(lambda p: peer_align(*p), arrays, args.repeat)),
            ("analyze (arrays)", timed(lambda p: analyze(*p), arrays, args.repeat)),
            ("analyze_files (decode + analyze)", timed(lambda p: analyze_files(*p), files, args.repeat)),
        ]
        per_pair = [timed(lambda p: analyze(*p), [pair], 1) for pair in arrays]
    peer = rows[1][1]
    print(f"{len(files)} pairs at {w}×{h}, one core (cv2.setNumThreads(1)), best of {args.repeat}\n")
    print("| run | ms / pair | pairs/s | vs peer |")
    print("|---|---|---|---|")
    for name, sec in rows:
        print(f"| {name} | {sec * 1000:.1f} | {1 / sec:.1f} | {sec / peer:.2f}× |")
    print(f"\nanalyze per pair: median {statistics.median(per_pair) * 1000:.1f} ms, "
          f"90th percentile {np.percentile(per_pair, 90) * 1000:.1f} ms, max {max(per_pair) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
