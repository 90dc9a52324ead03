"""The content-addressed image store: one interface, a folder backend and an object-storage one.

* :class:`LocalStore` — ``<workspace>/images/<sha[:2]>/<sha><ext>`` (the default);
* :class:`FsspecStore` — ``s3://bucket/prefix`` (``gs://``, ``az://`` through the same fsspec code).

Every stage reaches images through a store and an :class:`ImageKey`; only this package turns a
hash into a path or an object name. Code that needs a file (a model backend, a decoder) asks
:meth:`ImageStore.local_path`; work handed to another process carries :meth:`ImageStore.ref`
strings, which :func:`local_file` turns back into a file on whatever machine runs it.
"""

from __future__ import annotations

import threading
from pathlib import Path

from .base import ImageMissing, ImageStore, StoreError, StoreUnavailable, UnsafeImage
from .keys import EXTENSIONS, ImageKey, parse_relpath
from .local import LocalStore

__all__ = [
    "EXTENSIONS", "FsspecStore", "ImageKey", "ImageMissing", "ImageStore", "LocalStore", "StoreError",
    "StoreUnavailable", "UnsafeImage", "is_remote", "local_file", "open_store", "parse_relpath",
]

_registry: dict[str, ImageStore] = {}  # remote store URL → the store (and read cache) this process uses
_lock = threading.Lock()


def is_remote(spec: str | None) -> bool:
    return bool(spec) and "://" in str(spec)


def open_store(spec: str | None, workspace_root: Path) -> ImageStore:
    """The store a workspace records: None → ``<workspace>/images``; a URL → object storage;
    any other string → that folder (relative to the workspace)."""
    if not spec:
        return LocalStore(workspace_root / "images")
    if is_remote(spec):
        from .remote import FsspecStore

        store = FsspecStore(spec)
        with _lock:
            _registry[store.url] = store  # refs resolved in this process share its read cache
        return store
    path = Path(spec).expanduser()
    return LocalStore(path if path.is_absolute() else workspace_root / path)


def _remote_for(url: str) -> ImageStore:
    with _lock:
        store = _registry.get(url)
    if store is None:
        from .remote import FsspecStore

        store = FsspecStore(url)
        with _lock:
            store = _registry.setdefault(store.url, store)
    return store


def local_file(ref: str) -> Path:
    """A local file holding the image a :meth:`ImageStore.ref` string names.

    Object URLs are downloaded once into this machine's read cache (credentials from this
    process's environment); folder paths are checked like :class:`LocalStore` reads.
    """
    head, _, name = str(ref).replace("\\", "/").rpartition("/")
    root, _, folder = head.rpartition("/")
    key = parse_relpath(f"{folder}/{name}")
    if key is None:
        raise StoreError(f"not an image-store reference: {ref!r}")
    if is_remote(ref):
        return _remote_for(root).local_path(key)
    return LocalStore(Path(root)).local_path(key)


def __getattr__(name: str) -> object:  # FsspecStore imports fsspec only when asked for
    if name == "FsspecStore":
        from .remote import FsspecStore

        return FsspecStore
    raise AttributeError(name)
