"""A workspace whose images live on an S3 server: ingest → caption → export equal a folder run's,
byte for byte; the store going down mid-run fails items with their reason and a rerun completes."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from caption.captionhelpers import make_pairs
from editcaption.caption import CaptionConfig, run_caption
from editcaption.export import ExportError
from editcaption.export.builders import ExportOptions, export_sft, export_triplets
from editcaption.ingest import ingest
from editcaption.llm import ModelCallConfig
from editcaption.store import StoreError
from editcaption.testing.stub_openai import StubOpenAI
from editcaption.workspace import Workspace
from editcaption.workspace.models import InstructionRecord

N = 8
# What an export's export.json records about where and when it ran, not about the data.
RUN_FIELDS = ("command", "created_at")


@pytest.fixture
def stub():
    with StubOpenAI() as server:
        yield server


def caption(ws: Workspace, stub: StubOpenAI, concurrency: int = 2, **kw):  # noqa: ANN201
    cfg = CaptionConfig(model=f"openai:teacher-vl@{stub.base_url}", run_name="r1",
                        calls=ModelCallConfig(concurrency=concurrency, max_retries=0), **kw)
    return run_caption(ws, cfg)


def instructions(ws: Workspace) -> dict[str, tuple[str, str | None]]:
    with ws.session() as s:
        rows = s.scalars(select(InstructionRecord).where(InstructionRecord.run_id == "r1"))
        return {r.pair_id: (r.status, r.text) for r in rows}


def _content(p: Path) -> bytes:
    if p.name == "README.md":  # the dataset card says when it was exported
        return re.sub(rb"exported \S+", b"exported <time>", p.read_bytes())
    if p.name != "export.json":
        return p.read_bytes()
    manifest = json.loads(p.read_text())
    assert set(RUN_FIELDS) <= set(manifest)
    return json.dumps({k: v for k, v in manifest.items() if k not in RUN_FIELDS}, sort_keys=True).encode()


def files_of(folder: Path) -> dict[str, str]:
    """relative path → sha256 of every file an export wrote (without the time it ran)."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(_content(p)).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def pipeline(ws: Workspace, pairs: Path, stub: StubOpenAI, out: Path) -> dict[str, dict[str, str]]:
    assert ingest(ws, pairs).ingested == N
    caption(ws, stub)
    assert {s for s, _ in instructions(ws).values()} == {"ok"}
    exports = {}
    for name, fn, opts in (("sft-jsonl", export_sft, ExportOptions(format="jsonl", source="run:r1", command="export")),
                           ("triplets-hf", export_triplets, ExportOptions(format="hf", source="run:r1", command="export")),
                           ("triplets-wds", export_triplets, ExportOptions(format="webdataset", source="run:r1", command="export"))):
        fn(ws, out / name, opts)
        exports[name] = files_of(out / name)
    return exports


def image_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and p.suffix in {".png", ".jpg"}]


def test_s3_workspace_matches_a_folder_workspace_byte_for_byte(s3_server, stub, tmp_path, db_url):
    """The S3 workspace runs on SQLite and (under `make test`) PostgreSQL; the folder one on SQLite."""
    pairs = make_pairs(tmp_path / "pairs", N)
    local = Workspace.init(tmp_path / "local")
    remote = Workspace.init(tmp_path / "remote", db_url, store_url=s3_server.store_url())
    assert not remote.store.is_local and remote.store.describe() == s3_server.store_url()
    recorded = json.loads((tmp_path / "remote" / "workspace.json").read_text())
    assert (recorded["store"], recorded.get("db")) == (s3_server.store_url(), db_url)

    want = pipeline(local, pairs, stub, tmp_path / "out-local")
    got = pipeline(remote, pairs, stub, tmp_path / "out-remote")

    assert got == want
    assert instructions(remote) == instructions(local)
    assert image_files(tmp_path / "remote") == []  # the workspace folder holds no image at all
    assert len(s3_server.objects("ws/")) == len(list(local.store.iter_keys())) == 2 * N
    assert sorted(remote.store.iter_keys()) == sorted(local.store.iter_keys())
    local.close()
    remote.close()


def test_store_down_mid_run_fails_with_its_reason_and_a_rerun_completes(s3_server, stub, tmp_path):
    n = 12
    pairs = make_pairs(tmp_path / "pairs", n)
    ws = Workspace.init(tmp_path / "ws", store_url=s3_server.store_url())
    k = 3

    def stop_after_k(phase: str, done: int, total: int) -> None:
        if done == k:
            s3_server.stop()  # the store goes away after exactly k pairs

    with pytest.raises(StoreError, match=r"s3://.* failed while .*Could not connect"):
        ingest(ws, pairs, on_progress=stop_after_k)
    s3_server.start()
    report = ingest(ws, pairs)
    assert (report.ingested, report.duplicates) == (n - k, k)  # nothing lost, nothing twice

    # Captioning: the store goes away while the k-th request is at the model. Items whose images
    # were read before that are captioned; every other one fails with the store's reason.
    calls = 0

    def responder(req):  # noqa: ANN001
        nonlocal calls
        calls += 1
        if calls == k:
            s3_server.stop()
        return "Add a yellow square."

    stub.responder = responder
    caption(ws, stub, concurrency=1)
    rows = instructions(ws)
    failed = [pid for pid, (status, _) in rows.items() if status == "failed"]
    assert len(rows) == n and k <= n - len(failed) and failed
    with ws.session() as s:
        errors = [r.error for r in s.scalars(select(InstructionRecord).where(InstructionRecord.status == "failed"))]
    assert all(f"{s3_server.store_url()} failed while reading" in e and "Could not connect" in e for e in errors), errors
    s3_server.start()
    caption(ws, stub, retry_failed=True)
    assert {s for s, _ in instructions(ws).values()} == {"ok"}
    ws.close()


def test_export_with_the_store_down_writes_nothing_and_says_why(s3_server, stub, tmp_path, monkeypatch):
    ws = Workspace.init(tmp_path / "ws", store_url=s3_server.store_url())
    assert ingest(ws, make_pairs(tmp_path / "pairs", 3)).ingested == 3
    caption(ws, stub)
    ws.close()
    monkeypatch.setenv("EDITCAPTION_STORE_CACHE", str(tmp_path / "fresh-cache"))  # another machine: nothing cached
    ws = Workspace.open(tmp_path / "ws")
    s3_server.stop()
    opts = ExportOptions(format="jsonl", source="run:r1", command="export")
    with pytest.raises((ExportError, StoreError), match="Could not connect"):  # at selection, or mid-write
        export_sft(ws, tmp_path / "out", opts)
    assert not (tmp_path / "out").exists()
    s3_server.start()
    export_sft(ws, tmp_path / "out", opts)
    assert len(image_files(tmp_path / "out")) == 6
    ws.close()
