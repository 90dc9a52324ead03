"""A short run of the load benchmark: concurrent annotators, retried submissions, nothing lost or doubled."""

from __future__ import annotations

import asyncio
import importlib.util
import sys
from pathlib import Path

import pytest
from studio_helpers import ServerThread

from editcaption.annotate.app import create_app

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "annotate_load.py"


def load_bench():  # noqa: ANN201 - the benchmark module
    spec = importlib.util.spec_from_file_location("annotate_load", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_concurrent_annotators_lose_and_double_nothing(tmp_path):
    bench = load_bench()
    ws = bench.build_workspace(tmp_path / "ws", pairs=150, annotators=12)
    server = ServerThread(create_app(ws)).start()
    try:
        # a fixed amount of work, not a time window: the outcome does not depend on the machine's speed
        stats = asyncio.run(bench.simulate(server.url, bench.queue_ids(ws), annotators=12, items=4, retry_rate=0.3))
    finally:
        server.stop()
    result = bench.audit(ws, stats)
    ws.close()
    assert stats.errors == []
    assert stats.retries > 0 and result["acknowledged"] == 12 * 4  # every annotator submitted all 4 items
    assert result["lost"] == 0 and result["duplicated"] == 0
    assert result["saved"] == result["acknowledged"] == result["records"]
