"""Caption throughput against the stub OpenAI server: the run engine vs the ideal and a bare peer.

    .venv/bin/python benchmarks/caption_throughput.py [--n 1000] [--latency 0.2] [--concurrency 32]

The stub (a separate process, so it does not share our GIL) answers every request after
``latency`` seconds, so with ``concurrency`` requests in flight the ideal is
concurrency / latency pairs/s (160 for 32 and 0.2 s). Three runs on the same pairs:

* **engine** — `run_caption` end to end, through the stage runner: read the images from the
  workspace store, decode them, resize and encode both as data URLs, send through the shared
  client (retries, semaphore, reply cleaning), merge the results into SQLite in batches as
  they arrive;
* **client** — the shared `ChatClient` alone, sending one pre-encoded request N times;
* **peer** — a bare `httpx.AsyncClient` loop with a semaphore, sending the same pre-encoded
  request N times: no image work, no bookkeeping, no retries. It runs right before and right
  after the engine; the ratio uses the mean of the two, so a change of machine load during
  the run weighs on both sides.

Every row also shows the CPU time this process spent (the stub's is not counted). The script
also times the per-pair CPU costs on their own: decoding + encoding the two images, and
writing an outcome to the workspace (in batches).
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
from pathlib import Path

import httpx
import numpy as np
from PIL import Image

from editcaption.caption import CaptionConfig, run_caption
from editcaption.caption.items import Outcome
from editcaption.caption.records import select_tasks, write_outcomes
from editcaption.imageio import decode_file
from editcaption.ingest import ingest
from editcaption.llm import ChatClient, ImageEncoding, ModelCallConfig, encode_pair, encode_pair_files, pair_messages
from editcaption.prompts import load_prompt
from editcaption.testing.stub_openai import spawn_stub
from editcaption.workspace import Workspace


def make_pairs(root: Path, n: int, w: int, h: int) -> Path:
    rng = np.random.default_rng(0)
    for i in range(n):
        tile = rng.integers(0, 255, (h // 8, w // 8, 3), dtype=np.uint8)  # every pair distinct
        img = np.asarray(Image.fromarray(tile).resize((w, h), Image.Resampling.BILINEAR))
        Image.fromarray(img).save(root / f"p{i:04d}_src.jpg", quality=90)
        Image.fromarray(np.roll(img, w // 10, axis=1)).save(root / f"p{i:04d}_tgt.jpg", quality=90)
    return root


async def bare_peer(base_url: str, body: bytes, n: int, concurrency: int) -> float:
    sem = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=60, limits=limits) as http:
        async def one() -> None:
            async with sem:
                r = await http.post(f"{base_url}/chat/completions", content=body,
                                    headers={"Content-Type": "application/json"})
                r.raise_for_status()
                r.json()["choices"][0]["message"]["content"]

        t0 = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(n)))
        return time.perf_counter() - t0


async def client_only(base_url: str, messages: list, n: int, concurrency: int) -> float:
    client = ChatClient(base_url, max_concurrency=concurrency, api_key_env=None)
    t0 = time.perf_counter()
    await asyncio.gather(*(client.chat(messages, model="stub-vl", temperature=0, max_tokens=512) for _ in range(n)))
    elapsed = time.perf_counter() - t0
    await client.aclose()
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--size", default="256x192", help="stored image size")
    ap.add_argument("--max-side", type=int, default=256, help="--image-max-side of the run")
    ap.add_argument("--latency", type=float, default=0.2)
    ap.add_argument("--concurrency", type=int, default=32)
    args = ap.parse_args()
    w, h = (int(v) for v in args.size.split("x"))
    ideal = args.concurrency / args.latency
    encoding = ImageEncoding(max_side=args.max_side)
    with tempfile.TemporaryDirectory() as tmp, spawn_stub(latency=args.latency, text="Pan the camera left.") as url:
        tmp = Path(tmp)
        (tmp / "pairs").mkdir()
        ws = Workspace.init(tmp / "ws")
        report = ingest(ws, make_pairs(tmp / "pairs", args.n, w, h))
        assert report.ingested == args.n, report.as_json()
        tasks = select_tasks(ws, None, None)

        # per-pair CPU costs, measured alone on a sample
        sample = tasks[:100]
        t0 = time.perf_counter()
        encoded = [encode_pair(decode_file(t.source_path).rgb, decode_file(t.target_path).rgb, encoding)
                   for t in sample]
        t_encode = (time.perf_counter() - t0) / len(sample)
        t0 = time.perf_counter()
        for t in sample:
            encode_pair_files(t.source_path, t.target_path, encoding)
        t_files = (time.perf_counter() - t0) / len(sample)
        with ws.session() as s:
            from editcaption.workspace.queries import get_or_start_run

            get_or_start_run(s, "bookkeeping-probe", "caption", {})
        outs = [Outcome(pair_id=t.pair_id, text="Pan the camera left.",
                        usage={"prompt_tokens": 600, "completion_tokens": 5, "total_tokens": 605}) for t in tasks]
        t0 = time.perf_counter()
        for i in range(0, len(outs), 8):  # the engine commits what arrived meanwhile: ~8 per batch at this rate
            write_outcomes(ws, "bookkeeping-probe", "stub", None, outs[i:i + 8])
        t_write = (time.perf_counter() - t0) / len(outs)

        messages = pair_messages(load_prompt().render(), encoded[0])
        body = json.dumps({"model": "stub-vl", "messages": messages, "temperature": 0, "max_tokens": 512}).encode()

        def timed(fn):  # noqa: ANN001, ANN202 - (wall seconds, CPU seconds of this process)
            c0, t0 = time.process_time(), time.perf_counter()
            fn()
            return time.perf_counter() - t0, time.process_time() - c0

        client = timed(lambda: asyncio.run(client_only(url, messages, args.n, args.concurrency)))
        before = timed(lambda: asyncio.run(bare_peer(url, body, args.n, args.concurrency)))
        cfg = CaptionConfig(model=f"openai:stub-vl@{url}", calls=ModelCallConfig(concurrency=args.concurrency),
                            run_name="bench", image_max_side=args.max_side)
        summaries = []
        engine = timed(lambda: summaries.append(run_caption(ws, cfg)))
        after = timed(lambda: asyncio.run(bare_peer(url, body, args.n, args.concurrency)))
        assert summaries[0].done == args.n, summaries[0].to_json()
        ws.close()

    peer = ((before[0] + after[0]) / 2, (before[1] + after[1]) / 2)
    print(f"{dt.date.today()}, {platform.python_version()}, {os.cpu_count()} cores, load average "
          f"{os.getloadavg()[0]:.1f}; {args.n} pairs stored at {w}x{h} JPEG, sent at max side {args.max_side} "
          f"({encoded[0].nbytes / 1024:.0f} KiB of data URLs per pair); stub latency {args.latency * 1000:.0f} ms, "
          f"concurrency {args.concurrency}: ideal {ideal:.0f} pairs/s")
    print("| run | time | pairs/s | of ideal | CPU (this process) |")
    print("|---|---|---|---|---|")
    for label, (t, cpu) in (("engine: `run_caption` (decode + encode + HTTP + SQLite)", engine),
                            ("client: `ChatClient`, pre-encoded request", client),
                            (f"peer: bare httpx loop, pre-encoded request (before / after: {before[0]:.2f} s / "
                             f"{after[0]:.2f} s)", peer)):
        print(f"| {label} | {t:.2f} s | {args.n / t:.1f} | {args.n / t / ideal:.1%} | {cpu:.2f} s |")
    print(f"| ratio engine / peer | {engine[0] / peer[0]:.2f}× | | | {engine[1] / peer[1]:.2f}× |")
    print(f"per-pair wall overhead of the engine over the peer: {(engine[0] - peer[0]) / args.n * 1000:.2f} ms")
    print(f"per-pair CPU, measured alone: both images from their files as the engine sends them (a stored JPEG "
          f"that fits goes as stored) {t_files * 1000:.2f} ms; decode + resize + encode both images (the path "
          f"with grounding hints) {t_encode * 1000:.2f} ms; "
          f"workspace write {t_write * 1000:.2f} ms")


if __name__ == "__main__":
    main()
