"""`editcaption store migrate`: killed part-way and run again, every image ends up in the new store."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from caption.captionhelpers import make_pairs
from editcaption.imageio import sha256_bytes
from editcaption.ingest import ingest
from editcaption.workspace import Workspace

N = 10  # pairs → 20 images


def migrate(ws_dir, to: str, env: dict | None = None) -> subprocess.CompletedProcess:  # noqa: ANN001
    return subprocess.run([sys.executable, "-m", "editcaption.cli", "store", "migrate", "-w", str(ws_dir), "--to", to,
                           "--concurrency", "2", "--json"],
                          capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=300)


def test_migrate_killed_midway_then_rerun_moves_every_image_once(s3_server, tmp_path):
    ws = Workspace.init(tmp_path / "ws")
    assert ingest(ws, make_pairs(tmp_path / "pairs", N)).ingested == N
    keys = sorted(ws.store.iter_keys())
    ws.close()
    assert len(keys) == 2 * N
    url = s3_server.store_url("moved")

    k = 7
    r = migrate(tmp_path / "ws", url, {"EDITCAPTION_TEST_KILL_AFTER": f"store-migrate:{k}"})
    assert r.returncode == -9, r.stderr  # killed by the test hook after k images
    first = s3_server.objects("moved/")
    assert k <= len(first) < 2 * N
    assert "store" not in json.loads((tmp_path / "ws" / "workspace.json").read_text())  # not switched yet

    r = migrate(tmp_path / "ws", url)
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert report["copied"] + report["present"] == 2 * N and report["present"] >= len(first) >= k
    assert report["switched"] and report["failed"] == {}
    assert json.loads((tmp_path / "ws" / "workspace.json").read_text())["store"] == url

    with Workspace.open(tmp_path / "ws") as moved:
        assert moved.store.describe() == url
        assert sorted(moved.store.iter_keys()) == keys
        for key in keys:
            assert sha256_bytes(moved.store.read_bytes(key)) == key.sha256
    assert len(s3_server.objects("moved/")) == 2 * N
    assert (tmp_path / "ws" / "images").is_dir()  # the old images are left where they were


def test_migrate_with_the_store_down_keeps_the_old_store_and_says_why(s3_server, tmp_path):
    ws = Workspace.init(tmp_path / "ws")
    assert ingest(ws, make_pairs(tmp_path / "pairs", 2)).ingested == 2
    ws.close()
    s3_server.stop()
    r = migrate(tmp_path / "ws", s3_server.store_url("moved"))
    assert r.returncode != 0 and "Could not connect" in r.stderr
    assert "store" not in json.loads((tmp_path / "ws" / "workspace.json").read_text())
    s3_server.start()
    assert migrate(tmp_path / "ws", s3_server.store_url("moved")).returncode == 0


def test_migrate_back_to_a_folder_and_store_info(s3_server, tmp_path):
    from editcaption.store import open_store
    from editcaption.store.migrate import migrate_images

    ws = Workspace.init(tmp_path / "ws", store_url=s3_server.store_url())
    assert ingest(ws, make_pairs(tmp_path / "pairs", 3)).ingested == 3
    keys = sorted(ws.store.iter_keys())
    report = migrate_images(ws, open_store("images-local", ws.root), switch_to="images-local")
    assert (report.copied, report.present, report.failed, report.switched) == (6, 0, {}, True)
    ws.close()
    with Workspace.open(tmp_path / "ws") as back:
        assert back.store.is_local and sorted(back.store.iter_keys()) == keys
        assert back.store.describe() == str(tmp_path / "ws" / "images-local")
    r = subprocess.run([sys.executable, "-m", "editcaption.cli", "store", "info", "-w", str(tmp_path / "ws"), "--json"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    info = json.loads(r.stdout)
    assert (info["kind"], info["images"], info["reachable"]) == ("folder", 6, True)
