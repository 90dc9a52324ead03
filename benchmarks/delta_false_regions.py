"""Regions reported where nothing local changed: the analyzer with and without its quiet-pair search.

    .venv/bin/python benchmarks/delta_false_regions.py              # both sets, about 2 minutes
    .venv/bin/python benchmarks/delta_false_regions.py --per-kind 4 # quicker

Two sets, every region on them false (no local change was made):

* **edits**: the global edits of ``delta_edits.py`` (pans, zooms, turns, mirrors, brightness,
  warmth, greyscale, saturation and re-encoded copies), ``--per-kind`` of each on the tuning,
  held-out and fresh photos;
* **re-rendered**: every photo of those sets against a degraded copy of itself, the way an
  editing model's output differs from its input where nothing was edited: strong JPEG (quality
  30, 50, 70), a resample through half or 70% of the size, Gaussian noise (σ 3 and 6).

Each pair is analysed twice in the same process: with the default thresholds and with
``quiet_delta_e=None`` (one search at ``delta_e``, the analyzer before the quiet-pair search).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from delta_edits import FRESH_PHOTOS, HELDOUT_PHOTOS, TUNING_PHOTOS, jpeg, load_photo, make_edits  # noqa: E402

from editcaption.delta import analyze  # noqa: E402
from editcaption.delta.analyzer import run_analysis  # noqa: E402
from editcaption.delta.thresholds import DEFAULT  # noqa: E402

ONE_SEARCH = replace(DEFAULT, regions=replace(DEFAULT.regions, quiet_delta_e=None))
GLOBAL_EDITS = ("pan", "zoom", "rotate", "mirror", "brightness", "warmth", "grayscale", "saturation", "unchanged")
PHOTO_SETS = (TUNING_PHOTOS, HELDOUT_PHOTOS, FRESH_PHOTOS)


def _resample(rgb: np.ndarray, factor: float) -> np.ndarray:
    h, w = rgb.shape[:2]
    small = cv2.resize(rgb, (int(w * factor), int(h * factor)), interpolation=cv2.INTER_AREA)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)


def _noise(rgb: np.ndarray, sigma: float, seed: int) -> np.ndarray:
    noisy = rgb.astype(np.float32) + np.random.default_rng(seed).normal(0.0, sigma, rgb.shape)
    return np.clip(noisy, 0, 255).astype(np.uint8)


RE_RENDERS: dict[str, Callable[[np.ndarray, int], np.ndarray]] = {
    "JPEG quality 30": lambda rgb, i: jpeg(rgb, 30),
    "JPEG quality 50": lambda rgb, i: jpeg(rgb, 50),
    "JPEG quality 70": lambda rgb, i: jpeg(rgb, 70),
    "resampled through 50%": lambda rgb, i: _resample(rgb, 0.5),
    "resampled through 70%, JPEG 60": lambda rgb, i: jpeg(_resample(rgb, 0.7), 60),
    "noise σ 3": lambda rgb, i: _noise(rgb, 3.0, i),
    "noise σ 6": lambda rgb, i: _noise(rgb, 6.0, i),
}


def count(pairs: list[tuple[str, np.ndarray, np.ndarray]]) -> dict[str, tuple[int, int, int, int]]:
    """Per group: (pairs, pairs searched twice, regions with the quiet search, regions with one search)."""
    n, quiet, ours, one = Counter(), Counter(), Counter(), Counter()
    for group, src, tgt in pairs:
        analysis = run_analysis(src, tgt)
        n[group] += 1
        quiet[group] += analysis.changes.quiet is not None
        ours[group] += len(analysis.report.regions)
        one[group] += len(analyze(src, tgt, thresholds=ONE_SEARCH).regions)
    return {g: (n[g], quiet[g], ours[g], one[g]) for g in n}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--per-kind", type=int, default=16, help="global edits of each kind per photo set")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    edits = [(e.kind, e.src, e.tgt) for photos in PHOTO_SETS
             for e in make_edits(photos, args.per_kind, args.seed, GLOBAL_EDITS)]
    photos = [load_photo(name) for photos in PHOTO_SETS for name in photos]
    rendered = [(name, jpeg(p, 92), render(p, i)) for name, render in RE_RENDERS.items() for i, p in enumerate(photos)]
    for title, pairs in (("global edits (delta_edits.py)", edits), ("re-rendered copies", rendered)):
        table = count(pairs)
        print(f"\n### {title}\n")
        print("| pairs | count | quiet (searched twice) | regions, with the quiet search | regions, one search |")
        print("|---|---|---|---|---|")
        for group, (n, quiet, ours, one) in table.items():
            print(f"| {group} | {n} | {quiet} | {ours} | {one} |")
        total = [sum(v[i] for v in table.values()) for i in range(4)]
        print(f"| **all** | {total[0]} | {total[1]} | {total[2]} | {total[3]} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
