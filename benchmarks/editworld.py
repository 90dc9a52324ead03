"""EditWorld generation throughput at 256² on one core, against a bare peer.

    .venv/bin/python benchmarks/editworld.py [--n 300] [--size 256] [--rounds 3]

Ours: ``editcaption.synth.generate`` — scene model, constraint checks, exact truth,
reference instruction, manifest row with the resume log, two lossless PNGs per pair.

The peer, run side by side in the same process (pinned to the same single core,
alternating rounds, best round kept), is the least an image-pair generator can do with
Pillow: draw one to four shapes on a flat background (objects) or crop-and-resize one of
the same bundled photos and paste a shape (photos), shift one shape or the crop for the
target, and write both images with the same PNG settings and one bare JSON line — no
textures, gradients, signs, camera model, constraints, ground truth or instruction. The
ratio shows what exact truth and the richer scenes cost.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import cv2  # noqa: E402
import numpy as np  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402

from editcaption.colors import PALETTE_RGB  # noqa: E402
from editcaption.imageio import encode_png  # noqa: E402
from editcaption.synth import generate  # noqa: E402
from editcaption.synth.photos import photo_names, photo_rgb  # noqa: E402

COLORS = list(PALETTE_RGB.values())


def _shape(draw: ImageDraw.ImageDraw, kind: int, x: float, y: float, r: float, color: tuple) -> None:
    if kind == 0:
        draw.ellipse([x - r, y - r, x + r, y + r], fill=color)
    else:
        draw.regular_polygon((x, y, r), n_sides=(3, 4, 6)[kind % 3], fill=color)


def peer_objects(rng: np.random.Generator, size: int) -> tuple[np.ndarray, np.ndarray]:
    bg = COLORS[int(rng.integers(len(COLORS)))]
    shapes = [(int(rng.integers(4)), *rng.uniform(0.15, 0.85, 2) * size, rng.uniform(0.07, 0.13) * size,
               COLORS[int(rng.integers(len(COLORS)))]) for _ in range(int(rng.integers(1, 5)))]
    images = []
    for moved in (False, True):
        img = Image.new("RGB", (size, size), bg)
        draw = ImageDraw.Draw(img)
        for i, (kind, x, y, r, color) in enumerate(shapes):
            _shape(draw, kind, x - (0.25 * size if moved and i == 0 else 0), y, r, color)
        images.append(np.asarray(img))
    return images[0], images[1]


def peer_photos(rng: np.random.Generator, size: int) -> tuple[np.ndarray, np.ndarray]:
    photo = Image.fromarray(photo_rgb(photo_names()[int(rng.integers(4))]))
    w, h = photo.size
    side = int(min(w, h) * rng.uniform(0.6, 0.8))
    x0, y0 = int(rng.integers(0, w - side)), int(rng.integers(0, h - side))
    shift = int(0.2 * side)
    color = COLORS[int(rng.integers(len(COLORS)))]
    images = []
    for dx in (0, shift):
        left = min(max(x0 - dx, 0), w - side)
        img = photo.crop((left, y0, left + side, y0 + side)).resize((size, size), Image.Resampling.BILINEAR)
        _shape(ImageDraw.Draw(img), 0, size * 0.3, size * 0.3, size * 0.08, color)
        images.append(np.asarray(img))
    return images[0], images[1]


def run_peer(n: int, size: int, family: str, out: Path) -> None:
    out.mkdir(parents=True)
    rng = np.random.default_rng(0)
    with (out / "manifest.jsonl").open("w") as fh:
        for i in range(n):
            fam = family if family != "both" else ("objects", "photos")[i % 2]
            src, tgt = (peer_objects if fam == "objects" else peer_photos)(rng, size)
            (out / f"{i}_src.png").write_bytes(encode_png(src, fast=True))
            (out / f"{i}_tgt.png").write_bytes(encode_png(tgt, fast=True))
            fh.write(json.dumps({"id": i, "source": f"{i}_src.png", "target": f"{i}_tgt.png"}) + "\n")


def run_ours(n: int, size: int, family: str, out: Path) -> None:
    generate(n, 0, out, (size, size), family=family)


def timed(fn, *args) -> tuple[float, float]:  # noqa: ANN001
    """(wall seconds, CPU seconds of this process). Other jobs on a shared machine inflate
    wall time; CPU time of the pinned process is the work done on its one core."""
    t, c = time.perf_counter(), time.process_time()
    fn(*args)
    return time.perf_counter() - t, time.process_time() - c


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
    cv2.setNumThreads(1)
    print(f"EditWorld benchmark: {args.n} pairs at {args.size}×{args.size}, one core, best of {args.rounds} rounds; "
          f"Python {platform.python_version()}, {os.cpu_count()} CPUs visible")
    rows = []
    for family in ("objects", "photos", "both"):
        best = {k: [float("inf"), float("inf")] for k in ("ours", "peer")}
        for r in range(args.rounds):
            with tempfile.TemporaryDirectory() as tmp:
                for name, fn in (("peer", run_peer), ("ours", run_ours)):
                    out = Path(tmp) / f"{name}{r}"
                    wall, cpu = timed(fn, args.n, args.size, family, out)
                    best[name] = [min(best[name][0], wall), min(best[name][1], cpu)]
                    shutil.rmtree(out)
        rows.append((family, *(args.n / best["ours"][i] for i in (1, 0)), *(args.n / best["peer"][i] for i in (1, 0))))
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    print("\n| family | ours pairs/s (CPU) | ours pairs/s (wall) | peer pairs/s (CPU) | peer pairs/s (wall) | ours / peer (CPU) |")
    print("|---|---|---|---|---|---|")
    for family, ours_cpu, ours_wall, peer_cpu, peer_wall in rows:
        print(f"| {family} | {ours_cpu:.1f} | {ours_wall:.1f} | {peer_cpu:.1f} | {peer_wall:.1f} | "
              f"{ours_cpu / peer_cpu:.2f}× |")


if __name__ == "__main__":
    main()
