"""The studio on a workspace whose images are on an S3 server: images go through the server,
with the same access checks as every page."""

from __future__ import annotations

from sqlalchemy import select

from annotate.studio_helpers import ServerThread, add_person, login, one_pair_where, queue_id, take
from editcaption.annotate.app import StudioSettings, create_app
from editcaption.annotate.queues import QueueSpec, add_queue
from editcaption.demo import samples_dir
from editcaption.ingest import ingest
from editcaption.workspace import Workspace
from editcaption.workspace.models import PairRecord


def test_images_stream_through_the_studio_with_its_access_checks(s3_server, tmp_path, monkeypatch):
    ws = Workspace.init(tmp_path / "ws", store_url=s3_server.store_url())
    ingest(ws, samples_dir() / "pairs" / "manifest.jsonl")
    with ws.session() as s:
        add_person(s, "alice")
        add_person(s, "bob")
    add_queue(ws, QueueSpec("refine", "source:manifest", where=one_pair_where(ws, "coffee_brighter"), name="q"))
    server = ServerThread(create_app(ws, StudioSettings())).start()
    try:
        alice, csrf = login(server.url, "alice")
        aid = take(alice, csrf, queue_id(ws, "q"))
        with ws.session() as s:
            pair = s.scalars(select(PairRecord).where(PairRecord.name == "coffee_brighter")).one()
            want = ws.store.read_bytes(pair.source.sha256, pair.source.ext)
        got = alice.get(f"/a/{aid}/image/source")
        assert got.status_code == 200 and got.content == want
        assert got.headers["content-type"] == "image/jpeg"

        bob, _ = login(server.url, "bob")
        assert bob.get(f"/a/{aid}/image/source").status_code == 404  # not his assignment
        assert not [p for p in (tmp_path / "ws").rglob("*.jpg")]  # nothing stored in the workspace folder

        # The store goes down: an image not yet in this machine's read cache is refused, cleanly.
        monkeypatch.setenv("EDITCAPTION_STORE_CACHE", str(tmp_path / "empty-cache"))
        cold = Workspace.open(tmp_path / "ws")
        server.stop()
        server = ServerThread(create_app(cold, StudioSettings())).start()
        alice, csrf = login(server.url, "alice")
        s3_server.stop()
        down = alice.get(f"/a/{aid}/image/target")
        assert down.status_code >= 400 and down.content != want
        s3_server.start()
        assert alice.get(f"/a/{aid}/image/target").status_code == 200
        cold.close()
    finally:
        server.stop()
        ws.close()


def test_no_assignment_no_image(s3_server, tmp_path):
    ws = Workspace.init(tmp_path / "ws", store_url=s3_server.store_url())
    ingest(ws, samples_dir() / "pairs" / "manifest.jsonl")
    with ws.session() as s:
        add_person(s, "alice")
        assert s.scalars(select(PairRecord)).first() is not None
    server = ServerThread(create_app(ws, StudioSettings())).start()
    try:
        alice, _ = login(server.url, "alice")
        assert alice.get("/a/999999/image/source").status_code == 404
    finally:
        server.stop()
        ws.close()
