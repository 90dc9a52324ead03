"""Scoring throughput against the stub server: the scoring engine vs a bare peer, and the cache.

    .venv/bin/python benchmarks/score_throughput.py [--n 300] [--latency 0.2] [--concurrency 32]

The stub (a separate process) answers every request with a valid EditScore answer after
``latency`` seconds. Every item needs two requests (semantic consistency, perceptual quality),
so with ``concurrency`` requests in flight the ideal is concurrency / (2 × latency) items/s.

* **engine, cold** — `run_scoring` end to end: read both images from the store, decode,
  resize and encode them, send both requests through the shared client, parse the answers,
  write the score and the two cached responses to SQLite;
* **engine, rerun** — the same command again: every item already scored, no call;
* **engine, rescore from cache** — `--rescore`: every item scored again, every request
  answered by the workspace cache (images still decoded and encoded to build the requests);
* **peer** — a bare `httpx.AsyncClient` loop with a semaphore sending the same number of
  pre-encoded requests: no image work, no parsing, no bookkeeping.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np
from PIL import Image

from editcaption.llm import ImageEncoding, encode_pair
from editcaption.scoring import ScoreConfig, run_scoring
from editcaption.scoring.layout import SAMPLING, sc_messages
from editcaption.ingest import ingest
from editcaption.testing.stub_openai import spawn_stub
from editcaption.workspace import InstructionRecord, RunRecord, Workspace
from editcaption.workspace.queries import list_pairs

ANSWER = json.dumps({"reasoning": "The change matches the instruction.", "score": [20, 18]})


def make_pairs(root: Path, n: int, w: int, h: int) -> Path:
    rng = np.random.default_rng(0)
    for i in range(n):
        tile = rng.integers(0, 255, (h // 8, w // 8, 3), dtype=np.uint8)
        img = np.asarray(Image.fromarray(tile).resize((w, h), Image.Resampling.BILINEAR))
        Image.fromarray(img).save(root / f"p{i:04d}_src.jpg", quality=90)
        Image.fromarray(np.roll(img, w // 10, axis=1)).save(root / f"p{i:04d}_tgt.jpg", quality=90)
    return root


def add_instructions(ws: Workspace, run: str) -> None:
    with ws.session() as s:
        s.add(RunRecord(id=run, kind="caption", config={}, package_version="bench", status="done"))
        s.flush()
        for i, pair in enumerate(list_pairs(s)):
            s.add(InstructionRecord(pair_id=pair.id, run_id=run, text=f"Pan the camera to the left, step {i}.",
                                    producer="bench", status="ok"))


async def bare_peer(base_url: str, body: bytes, n: int, concurrency: int) -> float:
    sem = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=60, limits=limits) as http:
        async def one() -> None:
            async with sem:
                r = await http.post(f"{base_url}/chat/completions", content=body,
                                    headers={"Content-Type": "application/json"})
                r.raise_for_status()

        started = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(n)))
        return time.perf_counter() - started


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--latency", type=float, default=0.2)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--width", type=int, default=512)
    ap.add_argument("--height", type=int, default=384)
    args = ap.parse_args()
    ideal = args.concurrency / (2 * args.latency)
    with tempfile.TemporaryDirectory() as tmp, spawn_stub(latency=args.latency, text=ANSWER) as base_url:
        root = Path(tmp)
        (root / "pairs").mkdir()
        ws = Workspace.init(root / "ws")
        assert ingest(ws, make_pairs(root / "pairs", args.n, args.width, args.height)).ingested == args.n
        add_instructions(ws, "bench")
        cfg = dict(scorer=f"editscore:EditScore-7B@{base_url}", run="bench", concurrency=args.concurrency)

        rows = []
        for label, extra in (("engine, cold", {}), ("engine, rerun", {}),
                             ("engine, rescore from cache", {"rescore": True})):
            started = time.perf_counter()
            summary = run_scoring(ws, ScoreConfig(**cfg, **extra))
            wall = time.perf_counter() - started
            rows.append((label, wall, summary.attempted, summary.calls, summary.cached_calls))
            assert summary.run_totals["ok"] == args.n

        src = np.zeros((args.height, args.width, 3), np.uint8)
        pair = encode_pair(src, src, ImageEncoding())
        body = json.dumps({"model": "EditScore-7B", "messages": sc_messages("qwen25vl", "Score it.", pair), "seed": 42,
                           **SAMPLING, "top_k": 20}).encode()
        peer = asyncio.run(bare_peer(base_url, body, 2 * args.n, args.concurrency))
        ws.close()

    print(f"{args.n} items × 2 requests, stub latency {args.latency} s, concurrency {args.concurrency}, "
          f"{args.width}×{args.height} JPEGs; ideal {ideal:.1f} items/s")
    print("| run | time | items/s | items scored | server calls | cache answers |")
    print("|---|---|---|---|---|---|")
    for label, wall, attempted, calls, cached in rows:
        print(f"| {label} | {wall:.2f} s | {args.n / wall:.1f} | {attempted} | {calls} | {cached} |")
    print(f"| peer: bare httpx, pre-encoded requests | {peer:.2f} s | {args.n / peer:.1f} | - | {2 * args.n} | - |")
    cold = rows[0][1]
    print(f"| ratio engine cold / peer (time) | {cold / peer:.2f}× | | | | |")


if __name__ == "__main__":
    main()
