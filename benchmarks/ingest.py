"""Ingest throughput: `editcaption ingest` on 1,000 generated pairs, against a bare peer.

    .venv/bin/python benchmarks/ingest.py [--n 1000] [--size 256x192]

The peer, run side by side in the same process on the same files, is the least an ingest
can do: hash and copy each file and insert one row per pair with the sqlite3 module — no
decoding, no EXIF handling, no validation, no transactions per pair. The ratio shows what
safe decoding and crash-safe bookkeeping cost.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from editcaption.ingest import ingest
from editcaption.workspace import Workspace


def make_pairs(root: Path, n: int, w: int, h: int) -> Path:
    rng = np.random.default_rng(0)
    base = np.zeros((h // 8, w // 8, 3), dtype=np.uint8)
    rows = []
    for i in range(n):
        tile = rng.integers(0, 255, base.shape, dtype=np.uint8)  # every pair distinct
        img = np.asarray(Image.fromarray(tile).resize((w, h), Image.Resampling.NEAREST))
        Image.fromarray(img).save(root / f"p{i:04d}_src.jpg", quality=90)
        Image.fromarray(255 - img).save(root / f"p{i:04d}_tgt.jpg", quality=90)
        rows.append({"id": f"p{i:04d}", "source": f"p{i:04d}_src.jpg", "target": f"p{i:04d}_tgt.jpg", "category": "stylistic"})
    manifest = root / "manifest.jsonl"
    manifest.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return manifest


def peer(manifest: Path, out: Path) -> None:
    out.mkdir()
    con = sqlite3.connect(out / "peer.db")
    con.execute("create table pairs(id text primary key, src text, tgt text)")
    for line in manifest.read_text().splitlines():
        row = json.loads(line)
        digests = []
        for key in ("source", "target"):
            data = (manifest.parent / row[key]).read_bytes()
            d = hashlib.sha256(data).hexdigest()
            shutil.copyfile(manifest.parent / row[key], out / f"{d}.jpg")
            digests.append(d)
        con.execute("insert or ignore into pairs values (?, ?, ?)", (row["id"], *digests))
    con.commit()
    con.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--size", default="256x192")
    args = ap.parse_args()
    w, h = (int(v) for v in args.size.split("x"))
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "data").mkdir()
        manifest = make_pairs(tmp / "data", args.n, w, h)
        t0 = time.perf_counter()
        peer(manifest, tmp / "peer")
        t_peer = time.perf_counter() - t0
        ws = Workspace.init(tmp / "ws")
        t0 = time.perf_counter()
        report = ingest(ws, manifest)
        t_ours = time.perf_counter() - t0
        t0 = time.perf_counter()
        again = ingest(ws, manifest)
        t_again = time.perf_counter() - t0
        ws.close()
    assert report.ingested == args.n and again.duplicates == args.n, (report.as_json(), again.as_json())
    print(f"pairs: {args.n} at {w}x{h} (JPEG)")
    print(f"editcaption ingest        : {t_ours:7.2f} s  {args.n / t_ours:8.1f} pairs/s")
    print(f"re-ingest (all duplicates): {t_again:7.2f} s  {args.n / t_again:8.1f} pairs/s")
    print(f"peer (hash+copy+insert)   : {t_peer:7.2f} s  {args.n / t_peer:8.1f} pairs/s")
    print(f"ratio ours/peer time      : {t_ours / t_peer:7.2f}x")


if __name__ == "__main__":
    main()
