"""Scoring and ground-truth drafting throughput against the stub server, each beside a bare httpx peer.

    .venv/bin/python benchmarks/score_throughput.py [--n 300] [--latency 0.2] [--concurrency 32]

The stub (a separate process) answers every request after ``latency`` seconds with one JSON
answer that reads both as an EditScore answer and as a ground-truth draft. Both stages run
through the stage runner (:mod:`editcaption.runner`):

* **score, cold** — `run_scoring` end to end: read both images from the store, decode, resize
  and encode them, two requests per item (semantic consistency with both images, perceptual
  quality with the target) through the shared client, parse the answers, write the scores and
  the cached responses to SQLite; ideal: concurrency / (2 × latency) items/s;
* **score, rerun** — the same command again: every item already scored, no call;
* **score, rescore from cache** — `--rescore`: every request answered by the workspace cache
  (images still decoded and encoded to build the requests);
* **gt draft, cold** — `run_gt_draft` on the same pairs (none has ground truth yet): both
  images encoded, one request per pair, the draft read and stored; ideal: concurrency /
  latency pairs/s;
* **peer** — a bare `httpx.AsyncClient` loop with a semaphore sending the same requests as
  the stage (the same images, pre-encoded) with the same number in flight: no image work, no
  parsing, no bookkeeping. It runs right before and right after its stage; the ratio uses the
  mean of the two, so a change of machine load during the run weighs on both sides.

Every row also shows the CPU time this process spent (the stub's is not counted).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from PIL import Image

from editcaption.evaluate.gt_draft import DraftConfig, run_gt_draft
from editcaption.evaluate.judge_request import IMAGES_SHOWN, two_image_messages
from editcaption.evaluate.prompts import fill, load_eval_prompt
from editcaption.ingest import ingest
from editcaption.llm import ImageEncoding, ModelCallConfig
from editcaption.llm.images import encode_pair_files
from editcaption.scoring import ScoreConfig, ScoringPrompts, run_scoring
from editcaption.scoring.layout import EXTRA_SAMPLING, SAMPLING, pq_messages, sc_messages
from editcaption.scoring.prompts import render
from editcaption.testing.stub_openai import spawn_stub
from editcaption.workspace import InstructionRecord, RunRecord, Workspace
from editcaption.workspace.queries import list_pairs

ANSWER = json.dumps({"reasoning": "The change matches the instruction.", "score": [20, 18],
                     "primary": ["The camera pans to the left."], "secondary": [],
                     "overall": "A textured scene, shifted to the left."})


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


def timed(fn: Callable[[], Any]) -> tuple[Any, float, float]:
    """``(result, wall seconds, CPU seconds of this process)``."""
    c0, t0 = time.process_time(), time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0, time.process_time() - c0


async def bare_peer(base_url: str, bodies: list[bytes], concurrency: int) -> None:
    sem = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=60, limits=limits) as http:
        async def one(body: bytes) -> None:
            async with sem:
                r = await http.post(f"{base_url}/chat/completions", content=body,
                                    headers={"Content-Type": "application/json"})
                r.raise_for_status()

        await asyncio.gather(*(one(b) for b in bodies))


def peer(base_url: str, bodies: list[bytes], concurrency: int) -> tuple[float, float]:
    _, wall, cpu = timed(lambda: asyncio.run(bare_peer(base_url, bodies, concurrency)))
    return wall, cpu


def score_bodies(ws: Workspace, n: int) -> list[bytes]:
    """What scoring sends for one stored pair, n times: an SC request (both images) and a PQ one (the target)."""
    prompts = ScoringPrompts.load()
    with ws.session() as s:
        p = list_pairs(s)[0]
        pair = encode_pair_files(str(ws.store.path_for(p.source.sha256, p.source.ext)),
                                 str(ws.store.path_for(p.target.sha256, p.target.ext)), ImageEncoding())
    sc = render(prompts.sc, instruction="Pan the camera to the left, step 0.", max_score=25)
    pq = render(prompts.pq, max_score=25)
    common = {"model": "EditScore-7B", "seed": 42, **SAMPLING, **EXTRA_SAMPLING}
    return [json.dumps({**common, "messages": sc_messages("qwen25vl", sc, pair)}).encode(),
            json.dumps({**common, "messages": pq_messages("qwen25vl", pq, pair.target)}).encode()] * n


def draft_bodies(ws: Workspace, n: int) -> list[bytes]:
    """What drafting sends for one stored pair, n times."""
    prompt = load_eval_prompt("gt-draft")
    with ws.session() as s:
        p = list_pairs(s)[0]
        pair = encode_pair_files(str(ws.store.path_for(p.source.sha256, p.source.ext)),
                                 str(ws.store.path_for(p.target.sha256, p.target.ext)), ImageEncoding())
    text = fill(prompt, images_note=IMAGES_SHOWN, dataset_text="- edit instruction: Pan the camera to the left.")
    return [json.dumps({"model": "drafter", "messages": two_image_messages(text, pair), "temperature": 0.0,
                        "max_tokens": 1024}).encode()] * n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--latency", type=float, default=0.2)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--width", type=int, default=512)
    ap.add_argument("--height", type=int, default=384)
    args = ap.parse_args()
    n, c = args.n, args.concurrency
    calls = ModelCallConfig(concurrency=c)
    rows: list[tuple[str, float, float, float, str]] = []  # label, wall, cpu, items, note
    ratios: list[tuple[str, float, float]] = []
    with tempfile.TemporaryDirectory() as tmp, spawn_stub(latency=args.latency, text=ANSWER) as base_url:
        root = Path(tmp)
        (root / "pairs").mkdir()
        ws = Workspace.init(root / "ws")
        assert ingest(ws, make_pairs(root / "pairs", n, args.width, args.height)).ingested == n
        add_instructions(ws, "bench")
        score = dict(scorer=f"editscore:EditScore-7B@{base_url}", run="bench", calls=calls)

        bodies = score_bodies(ws, n)
        before = peer(base_url, bodies, c)
        summary, wall, cpu = timed(lambda: run_scoring(ws, ScoreConfig(**score)))
        after = peer(base_url, bodies, c)
        assert summary.run_totals["ok"] == n and summary.calls == 2 * n, summary.to_json()
        rows.append(("score, cold (`run_scoring`)", wall, cpu, n, f"{summary.calls} calls"))
        rows.append((f"peer: bare httpx, {2 * n} requests (before / after)", (before[0] + after[0]) / 2,
                     (before[1] + after[1]) / 2, n, f"{before[0]:.2f} s / {after[0]:.2f} s"))
        ratios.append(("score, cold", wall / ((before[0] + after[0]) / 2), cpu / ((before[1] + after[1]) / 2)))
        for label, extra in (("score, rerun (all already scored)", {}),
                             ("score, `--rescore` (answers from the cache)", {"rescore": True})):
            summary, wall, cpu = timed(lambda extra=extra: run_scoring(ws, ScoreConfig(**score, **extra)))
            assert summary.run_totals["ok"] == n
            rows.append((label, wall, cpu, n, f"{summary.calls} calls, {summary.cached_calls} from the cache"))

        bodies = draft_bodies(ws, n)
        before = peer(base_url, bodies, c)
        drafted, wall, cpu = timed(lambda: run_gt_draft(ws, DraftConfig(llm=f"openai:drafter@{base_url}",
                                                                         calls=calls)))
        after = peer(base_url, bodies, c)
        assert drafted.drafted == n and drafted.calls == n, drafted.to_json()
        rows.append(("gt draft, cold (`run_gt_draft`)", wall, cpu, n, f"{drafted.calls} calls"))
        rows.append((f"peer: bare httpx, {n} requests (before / after)", (before[0] + after[0]) / 2,
                     (before[1] + after[1]) / 2, n, f"{before[0]:.2f} s / {after[0]:.2f} s"))
        ratios.append(("gt draft, cold", wall / ((before[0] + after[0]) / 2), cpu / ((before[1] + after[1]) / 2)))
        ws.close()

    print(f"{dt.date.today()}, {platform.python_version()}, {os.cpu_count()} cores, load average "
          f"{os.getloadavg()[0]:.1f}; {n} pairs of {args.width}×{args.height} JPEGs, stub latency {args.latency} s, "
          f"{c} requests in flight (ideal: {c / (2 * args.latency):.1f} items/s scoring, "
          f"{c / args.latency:.1f} pairs/s drafting)")
    print("| run | time | items/s | CPU (this process) | note |")
    print("|---|---|---|---|---|")
    for label, wall, cpu, items, note in rows:
        print(f"| {label} | {wall:.2f} s | {items / wall:.1f} | {cpu:.2f} s | {note} |")
    for label, time_ratio, cpu_ratio in ratios:
        print(f"| ratio {label} / peer | {time_ratio:.2f}× | | {cpu_ratio:.2f}× | |")


if __name__ == "__main__":
    main()
