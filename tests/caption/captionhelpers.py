"""Pairs to caption and helpers shared by the caption tests (imported as a module, not a conftest)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from editcaption.ingest import ingest
from editcaption.testing.stub_openai import StubRequest
from editcaption.workspace import Workspace

STEP = 20  # pair i's source is flat: red = (i % 12)·STEP, green = (i // 12)·STEP
BASE = 12


def make_pairs(folder: Path, n: int) -> Path:
    """``n`` (≤ 144) distinct pairs; the source colour of pair i tells requests apart."""
    assert n <= BASE * BASE
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        src = np.zeros((48, 64, 3), np.uint8)
        src[:] = ((i % BASE) * STEP, (i // BASE) * STEP, 160)
        tgt = src.copy()
        tgt[10:30, 20:40] = (250, 250, 0)  # a yellow square appears
        Image.fromarray(src).save(folder / f"p{i:02d}_src.png")
        Image.fromarray(tgt).save(folder / f"p{i:02d}_tgt.png")
    return folder


def pair_index(req: StubRequest) -> int:
    """Which generated pair a request is about (from its first image)."""
    source = req.images()[0].reshape(-1, 3).mean(axis=0)
    return int(round(source[0] / STEP)) + BASE * int(round(source[1] / STEP))


def make_workspace(root: Path, n: int, db_url: str | None = None) -> Workspace:
    ws = Workspace.init(root / "ws", db_url)
    report = ingest(ws, make_pairs(root / "pairs", n))
    assert report.ingested == n
    return ws


def names_by_id(ws: Workspace) -> dict[str, str]:
    from editcaption.workspace.queries import list_pairs

    with ws.session() as s:
        return {p.id: p.name for p in list_pairs(s)}
