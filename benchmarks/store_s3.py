"""Image store throughput: ingest into and export from an S3 server, against the folder store.

    .venv/bin/python benchmarks/store_s3.py [--n 200] [--size 512x384] [--repeat 3]

The S3 server is moto in server mode on 127.0.0.1 (a separate process, so it does not share
this process's GIL); no real object store is reachable from the machines this runs on, so
the figures measure our client path (requests, hashing, the read cache) plus a local
server's cost, not a network. Both stores run the same work at the same concurrency: ingest
and export are sequential, one image at a time, in both.

For each of ``--repeat`` rounds, a fresh workspace per store:

1. ``ingest`` of ``--n`` pairs from a JSONL manifest (decode, hash, ``put`` every image);
2. ``export sft --format jsonl`` of those pairs (perceptual hash of every image, then a copy of
   each into the dataset folder), with an empty read cache: every image is downloaded once.

Prints the median seconds of each step for both stores and the ratio S3 / folder, and checks
that both exports wrote the same files.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from editcaption.export import ExportOptions, export_sft
from editcaption.ingest import ingest
from editcaption.workspace import Workspace

BUCKET = "bench"


def make_pairs(folder: Path, n: int, w: int, h: int) -> Path:
    rng = np.random.default_rng(0)
    folder.mkdir(parents=True)
    rows = []
    for i in range(n):
        tile = rng.integers(0, 255, (h // 8, w // 8, 3), dtype=np.uint8)
        img = np.asarray(Image.fromarray(tile).resize((w, h), Image.Resampling.BILINEAR))
        Image.fromarray(img).save(folder / f"p{i:04d}_src.jpg", quality=90)
        Image.fromarray(255 - img).save(folder / f"p{i:04d}_tgt.jpg", quality=90)
        rows.append({"id": f"p{i:04d}", "source": f"p{i:04d}_src.jpg", "target": f"p{i:04d}_tgt.jpg",
                     "instruction": "Invert the colours of the whole image."})
    manifest = folder / "manifest.jsonl"
    manifest.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return manifest


def start_moto() -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while True:  # ready when the port accepts connections
        if proc.poll() is not None:
            raise SystemExit("the moto server did not start (pip install 'moto[server]' s3fs)")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=5).close()
            return proc, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.1)


def files_of(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name not in ("export.json", "README.md")}


def one_round(root: Path, manifest: Path, store_url: str | None, n: int) -> tuple[float, float, dict[str, str]]:
    os.environ["EDITCAPTION_STORE_CACHE"] = str(root / "cache")  # empty: export downloads every image
    ws = Workspace.init(root / "ws", store_url=store_url)
    t0 = time.perf_counter()
    report = ingest(ws, manifest)
    t_ingest = time.perf_counter() - t0
    assert report.ingested == n, report.rejected[:3]
    t0 = time.perf_counter()
    export_sft(ws, root / "out", ExportOptions(format="jsonl", source="run:source:manifest", command="bench"))
    t_export = time.perf_counter() - t0
    ws.close()
    return t_ingest, t_export, files_of(root / "out")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200, help="pairs (two images each)")
    ap.add_argument("--size", default="512x384", help="image size WxH (JPEG, quality 90)")
    ap.add_argument("--repeat", type=int, default=3, help="rounds; medians are printed")
    args = ap.parse_args()
    w, h = (int(x) for x in args.size.split("x"))

    proc, endpoint = start_moto()
    os.environ.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_DEFAULT_REGION="us-east-1",
                      AWS_ENDPOINT_URL=endpoint)
    try:
        import boto3

        boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket=BUCKET)
        with tempfile.TemporaryDirectory() as tmp:
            tmp_path = Path(tmp)
            manifest = make_pairs(tmp_path / "pairs", args.n, w, h)
            size_mb = sum(p.stat().st_size for p in (tmp_path / "pairs").glob("*.jpg")) / 1e6
            times: dict[str, list[tuple[float, float]]] = {"folder": [], "s3": []}
            for r in range(args.repeat):
                for name in ("folder", "s3"):
                    url = f"s3://{BUCKET}/round{r}" if name == "s3" else None
                    ti, te, files = one_round(tmp_path / f"{name}{r}", manifest, url, args.n)
                    times[name].append((ti, te))
                    if name == "folder":
                        want = files
                    else:
                        assert files == want, "the S3 export differs from the folder export"
    finally:
        proc.terminate()
        proc.wait()

    print(f"{args.n} pairs ({2 * args.n} JPEG images {w}x{h}, {size_mb:.1f} MB), concurrency 1 in both, "
          f"median of {args.repeat} rounds; exports equal file for file")
    print(f"{'step':<28}{'folder (s)':>12}{'S3 (s)':>12}{'S3 / folder':>14}{'S3 images/s':>14}")
    for i, step in enumerate(("ingest", "export sft (cold cache)")):
        local = statistics.median(t[i] for t in times["folder"])
        remote = statistics.median(t[i] for t in times["s3"])
        print(f"{step:<28}{local:>12.2f}{remote:>12.2f}{remote / local:>13.2f}x{2 * args.n / remote:>14.0f}")


if __name__ == "__main__":
    main()
