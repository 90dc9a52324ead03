"""The folder store: layout, idempotent writes, and refusing links (the studio serves these files)."""

from __future__ import annotations

import os

import pytest

from editcaption.imageio import sha256_bytes
from editcaption.store import ImageKey, ImageMissing, LocalStore, UnsafeImage, local_file, open_store
from editcaption.workspace import Workspace


def test_layout_is_unchanged_and_writes_are_idempotent(tmp_path):
    store = open_store(None, tmp_path)
    data = b"\x89PNG fake bytes"
    key = store.put(data, ".png")
    path = tmp_path / "images" / key.sha256[:2] / f"{key.sha256}.png"
    assert key == ImageKey(sha256_bytes(data), ".png") and path.read_bytes() == data
    before = path.stat().st_ino
    assert store.put(data, ".png") == key
    assert path.stat().st_ino == before  # the same file: an existing key is never rewritten
    assert store.size(key) == len(data) and store.exists(key.sha256, ".png")
    assert store.read_bytes(key) == data and store.local_path(key) == path
    assert list(store.iter_keys()) == [key]
    assert local_file(store.ref(key)) == path


def test_a_damaged_file_is_replaced_by_the_verified_bytes(tmp_path):
    store = LocalStore(tmp_path)
    data = b"0123456789"
    key = store.put(data, ".jpg")
    store.local_path(key).write_bytes(b"012")  # truncated by some crash outside our writes
    store.put(data, ".jpg")
    assert store.read_bytes(key) == data


def test_stray_files_are_not_keys(tmp_path):
    store = LocalStore(tmp_path)
    key = store.put(b"abc", ".jpg")
    (tmp_path / key.sha256[:2] / ".tmp-123.jpg").write_bytes(b"partial")
    (tmp_path / "notes.txt").write_text("hi")
    assert list(store.iter_keys()) == [key]


@pytest.mark.parametrize("bad", ["sha", "../../etc/passwd", "A" * 64])
def test_keys_are_validated(tmp_path, bad):  # noqa: ANN001
    with pytest.raises(ValueError, match="sha256"):
        LocalStore(tmp_path).local_path(bad, ".png")
    with pytest.raises(ValueError, match="extension"):
        LocalStore(tmp_path).exists("a" * 64, ".exe")


def test_symlinks_and_non_regular_files_are_refused(tmp_path):
    store = LocalStore(tmp_path / "images")
    secret = tmp_path / "secret.txt"
    secret.write_text("not an image")
    key = store.put(b"real image", ".png")
    path = store.local_path(key)
    path.unlink()
    path.symlink_to(secret)
    for read in (store.local_path, store.open, store.read_bytes):
        with pytest.raises(UnsafeImage, match="symlink"):
            read(key)
    with pytest.raises(UnsafeImage):
        local_file(store.ref(key))
    assert not store.exists(key)
    store.put(b"real image", ".png")  # the link is replaced by the real bytes
    assert not path.is_symlink() and store.read_bytes(key) == b"real image"

    # a linked folder on the way is refused as well
    other = tmp_path / "elsewhere"
    other.mkdir()
    key2 = ImageKey.of("f" * 64, ".png")
    (other / key2.name).write_bytes(b"x")
    os.symlink(other, tmp_path / "images" / "ff")
    with pytest.raises(UnsafeImage):
        store.local_path(key2)

    # a directory under an image's name
    key3 = ImageKey.of("e" * 64, ".png")
    (tmp_path / "images" / "ee" / key3.name).mkdir(parents=True)
    with pytest.raises(UnsafeImage, match="not a regular file"):
        store.open(key3)


def test_missing_is_a_file_not_found(tmp_path):
    store = LocalStore(tmp_path)
    with pytest.raises(ImageMissing) as info:
        store.local_path("a" * 64, ".jpg")
    assert isinstance(info.value, FileNotFoundError)
    assert store.size("a" * 64, ".jpg") is None


def test_old_import_path_still_works(tmp_path):
    from editcaption.workspace.store import ImageStore

    ws = Workspace.init(tmp_path / "ws")
    assert isinstance(ws.store, ImageStore) and ws.store.is_local
    assert ws.store.describe() == str(tmp_path / "ws" / "images")
    ws.close()
