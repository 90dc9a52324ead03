"""LLM-judge throughput against the stub server: the judge vs a bare peer, the cache, and the report.

    .venv/bin/python benchmarks/judge_throughput.py [--n 100] [--latency 0.2] [--concurrency 16]

EditWorld pairs (exact truth) are generated and ingested; their reference instructions are
judged. The stub (a separate process, started by this script with ``--serve``) answers every
judge request with well-formed findings after ``latency`` seconds. Every instruction needs
three requests (accuracy, completeness, clarity); with ``concurrency`` requests in flight the
ideal is concurrency / (3 × latency) instructions/s.

* **judge, cold** — `run_judge` end to end: read and encode both images, three requests through
  the shared client, parse and validate the findings, compute the rubric, write the score and
  the three cached responses;
* **judge, rerun** — the same command again: every instruction already scored, no call;
* **judge, rescore from cache** — `--rescore`: every request answered by the workspace cache;
* **peer** — a bare `httpx.AsyncClient` loop sending the same number of pre-built requests with
  the same number in flight: no image work, no parsing, no rubric, no database. It runs right
  before and right after the cold run; the ratio uses the mean of the two, so a change of
  machine load during the run weighs on both sides;
* **report** — `write_report` on the judged workspace (tables, four charts, Markdown + HTML).

Every row also shows the CPU time this process spent (the stub's is not counted).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

from editcaption.evaluate.benchmarks import prepare_editworld
from editcaption.evaluate.judge import JudgeConfig, run_judge
from editcaption.evaluate.judge_request import JudgePrompts, dimension_messages
from editcaption.evaluate.report import write_report
from editcaption.imageio import load_rgb
from editcaption.llm import ImageEncoding, ModelCallConfig, encode_pair
from editcaption.workspace import Workspace
from editcaption.workspace.queries import ground_truth_for, list_pairs

RUN = "source:manifest"


def answer(text: str) -> str:
    """Well-formed findings for whichever dimension the prompt asks about."""
    ids = re.findall(r"^- ((?:primary|secondary)-\d+):", text, re.M)
    primary = [i for i in ids if i.startswith("primary")]
    if "FACTUAL ACCURACY" in text:
        return json.dumps({"dimension": "accuracy", "assertions": [
            {"claim": i, "ref": i, "verdict": "correct"} for i in primary]})
    if "COMPLETENESS" in text:
        return json.dumps({"dimension": "completeness", "primary": [{"id": i, "status": "hit"} for i in primary],
                           "secondary": [{"id": i, "status": "miss"} for i in ids if i.startswith("secondary")]})
    return json.dumps({"dimension": "clarity", "forbidden_terms": [], "detail_score": 4})


def serve(latency: float) -> None:
    import signal

    from editcaption.testing.stub_openai import StubOpenAI

    stub = StubOpenAI(lambda req: answer("\n".join(req.texts)), latency=latency, record=False).start()
    print(json.dumps({"base_url": stub.base_url}), flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    while not stop.wait(0.5):
        pass
    stub.stop()


def peer_bodies(ws: Workspace, model: str) -> list[dict]:
    prompts = JudgePrompts.load()
    bodies = []
    with ws.session() as s:
        for p in list_pairs(s, {"origin": ["editworld"]}):
            gt = ground_truth_for(s, p.id)
            pair = encode_pair(load_rgb(ws.store.path_for(p.source.sha256, p.source.ext)),
                               load_rgb(ws.store.path_for(p.target.sha256, p.target.ext)), ImageEncoding())
            for dim in prompts.dimensions:
                bodies.append({"model": model, "temperature": 0.0, "max_tokens": 1024,
                               "messages": dimension_messages(prompts, dim, gt, "an instruction", pair)})
    return bodies


def timed(fn):  # noqa: ANN001, ANN201
    """``(result, wall seconds, CPU seconds of this process)``."""
    c0, t0 = time.process_time(), time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0, time.process_time() - c0


async def peer(base_url: str, bodies: list[dict], in_flight: int) -> float:
    sem = asyncio.Semaphore(in_flight)
    async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=in_flight)) as client:
        async def one(body: dict) -> None:
            async with sem:
                r = await client.post(f"{base_url}/chat/completions", json=body)
                r.raise_for_status()
                json.loads(r.json()["choices"][0]["message"]["content"])

        started = time.perf_counter()
        await asyncio.gather(*(one(b) for b in bodies))
        return time.perf_counter() - started


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--latency", type=float, default=0.2)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        serve(args.latency)
        return
    proc = subprocess.Popen([sys.executable, __file__, "--serve", "--latency", str(args.latency)],
                            stdout=subprocess.PIPE, text=True)
    try:
        base_url = json.loads(proc.stdout.readline())["base_url"]  # type: ignore[union-attr]
        with tempfile.TemporaryDirectory() as tmp:
            ws = Workspace.init(Path(tmp) / "ws")
            prepare_editworld(ws, n=args.n, seed=0, size=256, family="both", name="bench")
            config = JudgeConfig(judge=f"openai:stub@{base_url}", run=RUN,
                                 calls=ModelCallConfig(concurrency=args.concurrency))
            bodies = peer_bodies(ws, "stub")
            rows = []
            peers = []
            for label, kw in (("judge, cold", {}), ("judge, rerun (already scored)", {}),
                              ("judge, `--rescore` (answers from the cache)", {"rescore": True})):
                cfg = JudgeConfig(**{**config.__dict__, **kw})
                if not rows:
                    peers.append(timed(lambda: asyncio.run(peer(base_url, bodies, args.concurrency)))[1:])
                summary, secs, cpu = timed(lambda cfg=cfg: run_judge(ws, cfg))
                if not rows:
                    peers.append(timed(lambda: asyncio.run(peer(base_url, bodies, args.concurrency)))[1:])
                rows.append((label, secs, cpu, summary.scored, summary.calls, summary.cached))
            peer_time = (peers[0][0] + peers[1][0]) / 2
            peer_cpu = (peers[0][1] + peers[1][1]) / 2
            t = time.perf_counter()
            files = write_report(ws, Path(tmp) / "report")
            report_time = time.perf_counter() - t
            html_kib = len(files.html.read_bytes()) / 1024
            ws.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    ideal = args.concurrency / (3 * args.latency)
    print(f"{dt.date.today()}, {platform.python_version()}, {os.cpu_count()} cores, load average "
          f"{os.getloadavg()[0]:.1f}; {args.n} instructions, 3 requests each, latency {args.latency}s, "
          f"{args.concurrency} requests in flight (ideal {ideal:.1f} instructions/s)")
    print("| run | time | instructions/s | CPU (this process) | scored | server calls | cache answers |")
    print("|---|---|---|---|---|---|---|")
    for label, secs, cpu, scored, calls, cached in rows:
        print(f"| {label} | {secs:.2f} s | {args.n / secs:.1f} | {cpu:.2f} s | {scored} | {calls} | {cached} |")
    print(f"| peer: bare `httpx` loop, {len(bodies)} pre-built requests (before / after: {peers[0][0]:.2f} s / "
          f"{peers[1][0]:.2f} s) | {peer_time:.2f} s | {args.n / peer_time:.1f} | {peer_cpu:.2f} s | - | "
          f"{len(bodies)} | - |")
    print(f"| ratio ours cold / peer | {rows[0][1] / peer_time:.2f}× | | {rows[0][2] / peer_cpu:.2f}× | | | |")
    print(f"report: {report_time:.2f} s for {len(files.charts)} charts, "
          f"{html_kib:.0f} KiB of HTML")


if __name__ == "__main__":
    main()
