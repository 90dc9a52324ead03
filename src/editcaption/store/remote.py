"""The object-storage backend: ``s3://bucket/prefix`` (and ``gs://``, ``az://``) through fsspec.

Objects are named like the folder layout, ``<prefix>/<sha[:2]>/<sha><ext>``, so a store can
be copied with any S3 tool. Credentials come only from the environment and the provider's
standard configuration files (for S3: ``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``,
``AWS_PROFILE``, ``~/.aws``; ``AWS_ENDPOINT_URL`` for S3-compatible servers); they are never
written to the workspace or printed. Every failure becomes one line: a
:class:`StoreUnavailable` naming the store and the provider's reason.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

from ..imageio import sha256_bytes
from .base import ImageMissing, ImageStore, KeyLike, StoreError, StoreUnavailable, as_key
from .cache import ReadCache, default_bound, default_cache_dir
from .keys import ImageKey, parse_relpath
from .readahead import DEFAULT_THREADS, ReadAhead

T = TypeVar("T")

# fsspec protocol → the package that provides it (named in the error when it is missing)
PROVIDERS = {"s3": "s3fs", "gs": "gcsfs", "gcs": "gcsfs", "az": "adlfs", "abfs": "adlfs"}
CREDENTIAL_HINTS = {
    "s3": "AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or AWS_PROFILE (and AWS_ENDPOINT_URL for a non-AWS server)",
    "gs": "GOOGLE_APPLICATION_CREDENTIALS", "gcs": "GOOGLE_APPLICATION_CREDENTIALS",
    "az": "AZURE_STORAGE_CONNECTION_STRING or AZURE_STORAGE_ACCOUNT_NAME/KEY",
    "abfs": "AZURE_STORAGE_CONNECTION_STRING or AZURE_STORAGE_ACCOUNT_NAME/KEY",
}


def split_url(url: str) -> tuple[str, str]:
    """``s3://bucket/prefix/`` → (``s3``, ``bucket/prefix``); user:password@ parts are refused."""
    protocol, sep, rest = url.partition("://")
    if not sep or protocol not in PROVIDERS:
        raise StoreError(f"unsupported image store {url!r}: use a folder or one of "
                         f"{', '.join(p + '://' for p in PROVIDERS)}bucket/prefix")
    root = rest.strip("/")
    if not root:
        raise StoreError(f"image store {url!r} names no bucket")
    if "@" in root.split("/", 1)[0]:
        raise StoreError("credentials do not belong in the store URL: set them in the environment instead")
    return protocol, root


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]


class FsspecStore(ImageStore):
    def __init__(self, url: str, *, cache_dir: Path | None = None, cache_bytes: int | None = None,
                 options: dict[str, Any] | None = None):
        self.protocol, self.root = split_url(url)
        self.url = f"{self.protocol}://{self.root}"
        self.bucket = self.root.split("/", 1)[0]
        try:
            import fsspec

            # skip_instance_cache: credentials are read from the environment now, not reused from
            # an earlier filesystem object built under other settings.
            self.fs = fsspec.filesystem(self.protocol, skip_instance_cache=True, **(options or {}))
        except ImportError:
            raise StoreError(f"{self.protocol}:// stores need the {PROVIDERS[self.protocol]} package: "
                             f"pip install 'editcaption[s3]'" + ("" if self.protocol == "s3" else
                                                                  f" {PROVIDERS[self.protocol]}")) from None
        self.cache = ReadCache(cache_dir or default_cache_dir(self.url), cache_bytes or default_bound())
        self._args = (url, cache_dir, cache_bytes, options)
        # Sizes seen (by a lookup, a write or a download). Keys never change or disappear, so a
        # known size needs no second round trip.
        self._known: dict[ImageKey, int] = {}
        # S3 writes are one conditional PUT (If-None-Match: *) instead of a lookup then a PUT.
        self._conditional = self.protocol == "s3"
        self._readahead = ReadAhead(self._fetch)

    def __reduce__(self) -> tuple[type, tuple[Any, ...]]:
        # Sent to another process (a Ray worker) as its URL: the worker builds its own client from
        # its own environment's credentials and its own read cache; nothing secret travels.
        url, cache_dir, cache_bytes, options = self._args
        return (_rebuild, (url, cache_dir, cache_bytes, options))

    def _path(self, key: ImageKey) -> str:
        return f"{self.root}/{key.relpath}"

    def _call(self, what: str, fn: Callable[[], T], key: ImageKey | None = None) -> T:
        """Run one request; provider errors become one-line :class:`StoreError`s."""
        try:
            return fn()
        except StoreError:
            raise
        except FileNotFoundError:
            if key is None:
                raise StoreUnavailable(f"image store {self.url}: bucket or prefix not found") from None
            raise ImageMissing(f"image {key.name} is not in the store {self.url}") from None
        except PermissionError as exc:
            raise StoreUnavailable(
                f"image store {self.url}: access denied while {what} ({_one_line(exc)}); check the credentials "
                f"in the environment: {CREDENTIAL_HINTS[self.protocol]}") from None
        except Exception as exc:  # noqa: BLE001 - network and provider errors of any library
            raise StoreUnavailable(f"image store {self.url} failed while {what}: {_one_line(exc)}") from None

    # -- interface ----------------------------------------------------------------
    def put(self, data: bytes, ext: str, sha256: str | None = None) -> ImageKey:
        key = ImageKey.of(sha256 or sha256_bytes(data), ext)
        if self._known.get(key) == len(data):
            return key
        if not self._conditional:
            return super().put(data, ext, key.sha256)

        def put_if_absent() -> bool:
            try:
                self.fs.pipe_file(self._path(key), data, IfNoneMatch="*")
                return True
            except FileExistsError:  # 412: the key is taken
                return False

        if not self._call(f"writing {key.name}", put_if_absent, key) and self._head(key) != len(data):
            self._write(key, data)  # a damaged object under this key: replace it with the verified bytes
        self._known[key] = len(data)
        return key

    def _write(self, key: ImageKey, data: bytes) -> None:
        # One PUT: object stores make it visible whole or not at all.
        self._call(f"writing {key.name}", lambda: self.fs.pipe_file(self._path(key), data), key)
        self._known[key] = len(data)

    def _open(self, key: ImageKey) -> BinaryIO:
        fh = self._call(f"reading {key.name}", lambda: self.fs.open(self._path(key), "rb", size=self._known.get(key)),
                        key)
        return _Guarded(self, key, fh)  # type: ignore[return-value]

    def read_bytes(self, key: KeyLike | str, ext: str | None = None) -> bytes:
        k = as_key(key, ext)
        return self._call(f"reading {k.name}", lambda: self.fs.cat_file(self._path(k)), k)

    def _size(self, key: ImageKey) -> int | None:
        known = self._known.get(key)
        return known if known is not None else self._head(key)

    def _head(self, key: ImageKey) -> int | None:
        try:
            info = self._call(f"looking up {key.name}", lambda: self.fs.info(self._path(key)), key)
        except ImageMissing:
            return None
        self._known[key] = int(info["size"])
        return self._known[key]

    def sizes(self, keys: Iterable[KeyLike]) -> dict[ImageKey, int | None]:
        todo = [as_key(k) for k in keys]
        with ThreadPoolExecutor(max_workers=DEFAULT_THREADS, thread_name_prefix="store-lookup") as pool:
            return dict(zip(todo, pool.map(self._size, todo), strict=True))

    def prefetch(self, keys: Iterable[KeyLike]) -> None:
        self._readahead.schedule(as_key(k) for k in keys)

    def iter_keys(self) -> Iterator[ImageKey]:
        names = self._call("listing images", lambda: self.fs.find(self.root))
        for name in names:
            key = parse_relpath(name[len(self.root):] if name.startswith(self.root) else name)
            if key is not None:
                yield key

    def _local_path(self, key: ImageKey) -> Path:
        self._readahead.wait(key)
        return self._fetch(key)

    def _fetch(self, key: ImageKey) -> Path:
        def stream() -> BinaryIO:  # images are small: one GET, no separate size lookup
            return io.BytesIO(self.read_bytes(key))

        path = self.cache.get(key, stream)
        self._known[key] = path.stat().st_size
        return path

    def _ref(self, key: ImageKey) -> str:
        return f"{self.url}/{key.relpath}"

    def check(self) -> None:
        """Reach the bucket once (init and `store info`): wrong credentials or a missing bucket fail here."""
        self._call("checking the bucket", lambda: self.fs.info(self.bucket))
        self.fs.invalidate_cache()


def _rebuild(url: str, cache_dir: Path | None, cache_bytes: int | None, options: dict[str, Any] | None
             ) -> FsspecStore:
    return FsspecStore(url, cache_dir=cache_dir, cache_bytes=cache_bytes, options=options)


class _Guarded:
    """A read stream whose errors become :class:`StoreError`s like every other request's."""

    def __init__(self, store: FsspecStore, key: ImageKey, fh: BinaryIO):
        self.store, self.key, self.fh = store, key, fh

    def read(self, n: int = -1) -> bytes:
        return self.store._call(f"reading {self.key.name}", lambda: self.fh.read(n), self.key)

    def __enter__(self) -> _Guarded:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.fh.close()


def environment_note() -> str | None:
    """Which endpoint override is in effect (printed by `store info`), never a secret."""
    endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    return f"endpoint {endpoint} (from the environment)" if endpoint else None
