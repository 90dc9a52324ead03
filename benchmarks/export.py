"""Export throughput: `export sft --format hf` on 1,000 refined pairs, against peers in the same process.

    .venv/bin/python benchmarks/export.py [--n 1000] [--size 256x192] [--hashes 50000]

Three measurements:

1. The whole export (select, perceptual-hash every image, group, split, write Parquet, card)
   and its Parquet-writing stage alone, against the peer way of writing the same rows:
   ``datasets.Dataset.from_generator`` with an ``Image`` list feature, then ``to_parquet``.
   Both files must load to the same rows.
2. Near-duplicate grouping: our multi-index search (``phash.near_duplicate_pairs``) against a
   brute-force all-pairs Hamming comparison (numpy, vectorised per row block) on the same hashes;
   both must find the same pairs.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from editcaption.export import ExportOptions, export_sft
from editcaption.export.examples import ExportJob
from editcaption.export.formats import hf
from editcaption.export.phash import _popcount64, near_duplicate_pairs
from editcaption.export.sources import select_texts
from editcaption.ingest import ingest
from editcaption.workspace import Workspace
from editcaption.workspace.models import PairRecord, RefinementRecord


def make_workspace(root: Path, n: int, w: int, h: int) -> Workspace:
    rng = np.random.default_rng(0)
    (root / "data").mkdir()
    rows = []
    for i in range(n):
        tile = rng.integers(0, 255, (h // 8, w // 8, 3), dtype=np.uint8)
        img = np.asarray(Image.fromarray(tile).resize((w, h), Image.Resampling.BILINEAR))
        Image.fromarray(img).save(root / "data" / f"p{i:04d}_src.jpg", quality=90)
        Image.fromarray(255 - img).save(root / "data" / f"p{i:04d}_tgt.jpg", quality=90)
        rows.append({"id": f"p{i:04d}", "source": f"p{i:04d}_src.jpg", "target": f"p{i:04d}_tgt.jpg",
                     "category": ("semantic", "stylistic", "structural")[i % 3]})
    (root / "data" / "manifest.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    ws = Workspace.init(root / "ws")
    ingest(ws, root / "data" / "manifest.jsonl")
    with ws.session() as s:
        for pid in s.scalars(__import__("sqlalchemy").select(PairRecord.id)):
            s.add(RefinementRecord(pair_id=pid, text="Invert the colours of the whole image.", annotator="bench"))
    return ws


def _peer_rows(rows: list[tuple[str, str, str, str, str | None, str | None]], prompt_json: str):  # noqa: ANN202
    prompt = json.loads(prompt_json)  # a string: datasets shards over list arguments
    for pid, src, tgt, text, category, subtype in rows:
        yield {"id": pid, "images": [{"bytes": Path(src).read_bytes(), "path": None},
                                     {"bytes": Path(tgt).read_bytes(), "path": None}],
               "prompt": prompt, "completion": [{"role": "assistant", "content": [{"type": "text", "text": text}]}],
               "category": category, "subtype": subtype}


def peer_write(ws: Workspace, job: ExportJob, path: Path) -> None:
    import datasets

    datasets.disable_progress_bars()
    rows = [(it.pair.id, str(ws.store.path_for(it.pair.source_sha, it.pair.source_ext)),
             str(ws.store.path_for(it.pair.target_sha, it.pair.target_ext)), it.text, it.pair.category,
             it.pair.subtype) for it in job.splits["train"]]
    message = {"role": datasets.Value("string"),
               "content": datasets.List({"type": datasets.Value("string"), "text": datasets.Value("string")})}
    features = datasets.Features({
        "id": datasets.Value("string"), "images": datasets.List(datasets.Image()),
        "prompt": datasets.List(message), "completion": datasets.List(message),
        "category": datasets.Value("string"), "subtype": datasets.Value("string"),
    })
    with tempfile.TemporaryDirectory() as cache:
        ds = datasets.Dataset.from_generator(_peer_rows, features=features, cache_dir=cache,
                                             gen_kwargs={"rows": rows, "prompt_json": json.dumps(job.prompt_messages)})
        ds.to_parquet(str(path))


def brute_force_pairs(hashes: dict[str, int], threshold: int) -> set[tuple[str, str]]:
    keys = list(hashes)
    values = np.array([hashes[k] for k in keys], dtype=np.uint64)
    found = set()
    for start in range(0, len(keys), 256):
        block = values[start:start + 256]
        dist = _popcount64(np.ascontiguousarray(block[:, None] ^ values[None, :]))
        ii, jj = np.nonzero(dist <= threshold)
        for i, j in zip((ii + start).tolist(), jj.tolist(), strict=True):
            if i < j:
                found.add((keys[i], keys[j]))
    return found


def bench_grouping(n: int, threshold: int = 8) -> None:
    rng = random.Random(0)
    hashes = {}
    for i in range(n):
        v = rng.getrandbits(64)
        hashes[f"h{i}"] = v
        if i % 10 == 0:  # 10% have a near copy
            for bit in rng.sample(range(64), rng.randint(0, threshold)):
                v ^= 1 << bit
            hashes[f"h{i}n"] = v
    t0 = time.perf_counter()
    ours = {tuple(sorted(p)) for p in near_duplicate_pairs(hashes, threshold)}
    t_ours = time.perf_counter() - t0
    t0 = time.perf_counter()
    brute = brute_force_pairs(hashes, threshold)
    t_brute = time.perf_counter() - t0
    assert ours == {tuple(sorted(p)) for p in brute}, (len(ours), len(brute))
    print(f"near-dup search, {len(hashes):,} hashes, ≤{threshold} bits: multi-index {t_ours:6.2f} s, "
          f"brute force {t_brute:6.2f} s, ratio {t_brute / t_ours:5.1f}x faster ({len(ours)} pairs found by both)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--size", default="256x192")
    ap.add_argument("--hashes", type=int, default=50_000)
    args = ap.parse_args()
    w, h = (int(v) for v in args.size.split("x"))
    import pyarrow.parquet as pq

    from editcaption.prompts import instruction_messages, load_prompt

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        ws = make_workspace(tmp, args.n, w, h)
        t0 = time.perf_counter()
        report = export_sft(ws, tmp / "sft", ExportOptions(format="hf"))
        t_export = time.perf_counter() - t0
        t0 = time.perf_counter()
        export_sft(ws, tmp / "sft-exact", ExportOptions(format="hf", near_dup_distance=-1))
        t_exact = time.perf_counter() - t0
        with ws.session() as s:
            items = select_texts(s, ws.store, "refined").items
        job = ExportJob(kind="sft", splits={"train": items}, store=ws.store,
                        prompt_messages=instruction_messages(load_prompt().render()))
        (tmp / "w").mkdir()
        t0 = time.perf_counter()
        hf.write(job, tmp / "w")
        t_write = time.perf_counter() - t0
        t0 = time.perf_counter()
        peer_write(ws, job, tmp / "peer.parquet")
        t_peer = time.perf_counter() - t0
        ours = pq.read_table(tmp / "w" / "train.parquet").to_pylist()
        theirs = pq.read_table(tmp / "peer.parquet").to_pylist()
        assert [r["images"][0]["bytes"] for r in ours] == [r["images"][0]["bytes"] for r in theirs]
        assert [r["completion"] for r in ours] == [r["completion"] for r in theirs]
        ws.close()
    splits = {s: v["rows"] for s, v in report.manifest["splits"].items()}
    print(f"pairs: {args.n} at {w}x{h} (JPEG), splits {splits}")
    print(f"export sft --format hf (all steps)     : {t_export:6.2f} s  {args.n / t_export:7.1f} pairs/s")
    print(f"  same, near-dup hashing off           : {t_exact:6.2f} s  {args.n / t_exact:7.1f} pairs/s")
    print(f"  Parquet writing alone (ours, pyarrow): {t_write:6.2f} s  {args.n / t_write:7.1f} pairs/s")
    print(f"  peer: datasets from_generator+to_parquet: {t_peer:6.2f} s  {args.n / t_peer:7.1f} pairs/s")
    print(f"  ratio peer/ours writing time         : {t_peer / t_write:6.2f}x")
    bench_grouping(args.hashes)


if __name__ == "__main__":
    main()
