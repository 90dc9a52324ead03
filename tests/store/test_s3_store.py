"""The object-storage store against a real S3-protocol server (moto) on 127.0.0.1."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys

import pytest

from editcaption.store import FsspecStore, ImageKey, StoreError, StoreUnavailable, local_file, open_store
from editcaption.workspace import Workspace, WorkspaceError


def cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "editcaption.cli", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=300)


def test_put_is_content_addressed_and_never_rewrites_a_key(s3_server, tmp_path):
    store = open_store(s3_server.store_url(), tmp_path)
    data = b"\xff\xd8 an image"
    key = store.put(data, ".jpg")
    name = f"ws/{key.relpath}"
    assert s3_server.objects() == [name]
    # Mark the object; a second put of the same bytes must leave it alone.
    s3 = s3_server.client()
    s3.copy_object(Bucket=s3_server.bucket, Key=name, CopySource={"Bucket": s3_server.bucket, "Key": name},
                   Metadata={"marker": "original"}, MetadataDirective="REPLACE")
    assert store.put(data, ".jpg") == key
    fresh = open_store(s3_server.store_url(), tmp_path)  # knows nothing yet: asks the server
    assert fresh.put(data, ".jpg") == key
    assert s3.head_object(Bucket=s3_server.bucket, Key=name)["Metadata"] == {"marker": "original"}
    # a damaged object (wrong size) under the key is replaced by the verified bytes
    s3.put_object(Bucket=s3_server.bucket, Key=name, Body=b"trunc")
    open_store(s3_server.store_url(), tmp_path).put(data, ".jpg")
    assert s3.get_object(Bucket=s3_server.bucket, Key=name)["Body"].read() == data
    assert store.read_bytes(key) == data and store.size(key) == len(data)
    with store.open(key) as fh:
        assert fh.read(4) == data[:4]  # a stream, read in pieces
    assert list(store.iter_keys()) == [key]
    assert store.size("a" * 64, ".png") is None and not store.exists("a" * 64, ".png")


def test_local_path_is_a_verified_bounded_cache(s3_server, tmp_path):
    store = open_store(s3_server.store_url(), tmp_path)
    keys = [store.put(bytes([i]) * 1000, ".png") for i in range(5)]
    small = FsspecStore(s3_server.store_url(), cache_dir=tmp_path / "cache", cache_bytes=2500)
    paths = [small.local_path(k) for k in keys]
    assert paths[-1].read_bytes() == bytes([4]) * 1000
    cached = sorted(p.name for p in (tmp_path / "cache").rglob("*.png"))
    assert cached == sorted(k.name for k in keys[-2:])  # least recently used ones were dropped
    assert small.cache.total_bytes == 2000

    # a damaged object is never handed out
    s3_server.client().put_object(Bucket=s3_server.bucket, Key=f"ws/{keys[0].relpath}", Body=b"garbage")
    with pytest.raises(StoreError, match="does not match its hash"):
        small.local_path(keys[0])
    assert not (tmp_path / "cache" / keys[0].relpath).exists()


def test_refs_and_pickles_resolve_in_another_process(s3_server, tmp_path):
    store = open_store(s3_server.store_url(), tmp_path)
    key = store.put(b"abc", ".jpg")
    ref = store.ref(key)
    assert ref == f"{s3_server.store_url()}/{key.relpath}"
    assert local_file(ref).read_bytes() == b"abc"
    clone = pickle.loads(pickle.dumps(store))
    assert clone.read_bytes(key) == b"abc"
    assert s3_server.env["AWS_SECRET_ACCESS_KEY"].encode() not in pickle.dumps(store)
    code = ("import sys; from editcaption.store import local_file; "
            "sys.stdout.write(local_file(sys.argv[1]).read_text())")
    out = subprocess.run([sys.executable, "-c", code, ref], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "EDITCAPTION_STORE_CACHE": str(tmp_path / "other-cache")})
    assert out.returncode == 0, out.stderr
    assert out.stdout == "abc"


def test_init_records_the_store_and_the_database(s3_server, tmp_path):
    url = s3_server.store_url("team")
    r = cli("init", str(tmp_path / "ws"), "--store", url)
    assert r.returncode == 0, r.stderr
    info = json.loads((tmp_path / "ws" / "workspace.json").read_text())
    assert info["store"] == url
    assert not (tmp_path / "ws" / "images").exists()
    text = json.dumps(info)
    assert s3_server.env["AWS_ACCESS_KEY_ID"] not in text and s3_server.env["AWS_SECRET_ACCESS_KEY"] not in text
    r = cli("store", "info", "-w", str(tmp_path / "ws"), "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert (out["store"], out["kind"], out["images"], out["reachable"]) == (url, "object storage", 0, True)
    with Workspace.open(tmp_path / "ws") as ws:
        assert ws.store.describe() == url and not ws.store.is_local
    # an existing workspace keeps its store: moving images is `store migrate`'s job
    with pytest.raises(WorkspaceError, match="store migrate"):
        Workspace.init(tmp_path / "ws", store_url=s3_server.store_url("elsewhere"))


@pytest.mark.parametrize("bad", [{"AWS_SECRET_ACCESS_KEY": "wrong-secret"}, {"AWS_ACCESS_KEY_ID": "AKIANOSUCHKEY"}])
def test_wrong_credentials_fail_in_one_clear_line(s3_server, tmp_path, bad, monkeypatch):  # noqa: ANN001
    r = cli("init", str(tmp_path / "ws"), "--store", s3_server.store_url(), env=bad)
    assert r.returncode != 0
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, r.stderr
    assert "access denied" in lines[0] and "AWS_ACCESS_KEY_ID" in lines[0] and s3_server.store_url() in lines[0]
    for secret in (*bad.values(), s3_server.env["AWS_SECRET_ACCESS_KEY"]):
        assert secret not in r.stderr + r.stdout
    assert not (tmp_path / "ws" / "workspace.json").exists()  # nothing recorded

    # the same line from the library, for a store that was fine when the workspace was made
    for k, v in bad.items():
        monkeypatch.setenv(k, v)
    with pytest.raises(StoreUnavailable, match="access denied"):
        open_store(s3_server.store_url(), tmp_path).put(b"x", ".png")


def test_a_store_that_cannot_be_reached_is_one_line(s3_server, tmp_path):
    s3_server.stop()
    r = cli("init", str(tmp_path / "ws"), "--store", s3_server.store_url())
    assert r.returncode != 0
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "Could not connect" in lines[0], r.stderr


@pytest.mark.parametrize("url,message", [("s3://", "names no bucket"), ("ftp://x/y", "unsupported image store"),
                                         ("s3://key:secret@bucket/p", "credentials do not belong")])
def test_bad_store_urls_are_refused(tmp_path, url, message):  # noqa: ANN001
    pytest.importorskip("s3fs")
    with pytest.raises(StoreError, match=message):
        open_store(url, tmp_path)


def test_key_validation_happens_before_any_request(s3_server, tmp_path):
    store = open_store(s3_server.store_url(), tmp_path)
    with pytest.raises(ValueError):
        store.read_bytes("../../x", ".png")
    assert ImageKey.of("a" * 64, ".png").relpath == f"aa/{'a' * 64}.png"


def test_prefetch_and_bulk_lookups(s3_server, tmp_path):
    store = open_store(s3_server.store_url(), tmp_path)
    keys = [store.put(bytes([i]) * 100, ".png") for i in range(20)]
    reader = open_store(s3_server.store_url(), tmp_path)
    absent = ImageKey.of("b" * 64, ".png")
    assert reader.sizes([*keys, absent]) == {**{k: 100 for k in keys}, absent: None}
    reader.prefetch(keys)
    assert [reader.local_path(k).read_bytes() for k in keys] == [bytes([i]) * 100 for i in range(20)]

    # with the store down, prefetching is silent and each read says why
    s3_server.stop()
    other = FsspecStore(s3_server.store_url(), cache_dir=tmp_path / "c2")
    other.prefetch(keys)
    with pytest.raises(StoreUnavailable, match="Could not connect"):
        other.local_path(keys[0])
