"""Images for the pair viewer: display copies, the difference heatmap and the measured hints.

Images are looked up by the pair's image hashes in the workspace store, never by a path
from the request. Browsers show JPEG and PNG originals as they are (they apply the EXIF
orientation as our decoder does); other formats are decoded once by
:mod:`editcaption.imageio` and cached as PNG. The heatmap and the delta analysis come
from :mod:`editcaption.delta` and are cached per pair under ``<workspace>/cache/annotate``,
so a page view costs a file read once computed.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from ..atomicfile import write_atomic
from ..imageio import encode_png, load_rgb
from ..workspace import Workspace
from ..workspace.models import ImageRecord, PairRecord

SERVE_AS_IS = {".jpg": "image/jpeg", ".png": "image/png"}
HEATMAP_MAX_SIDE = 1024
HINTS_VERSION = "1"


class NotServable(LookupError):
    """A file the studio will not send: missing, a symbolic link, or not a regular file inside its folder."""


def regular_file(root: Path, path: Path) -> Path:
    """``path`` if it is a regular file below ``root`` with no symbolic link on the way, else
    :class:`NotServable`. The store and cache are written only by us; a link found there (planted,
    or left by a careless copy) must never turn an image request into a read of another file."""
    try:
        rel = path.relative_to(root)
    except ValueError:
        raise NotServable(str(path)) from None
    current = root
    for part in rel.parts:
        current = current / part
        try:
            mode = os.lstat(current).st_mode
        except OSError:
            raise NotServable(str(path)) from None
        if stat.S_ISLNK(mode):
            raise NotServable(str(path))
    if not stat.S_ISREG(mode) or ".." in rel.parts:
        raise NotServable(str(path))
    return path


def stored(ws: Workspace, image: ImageRecord) -> Path:
    """A local file holding a stored image; :class:`NotServable` when the store refuses it (a
    symlink or not a regular file in a folder store) or does not have it."""
    try:
        return ws.store.local_path(image.sha256, image.ext)
    except (OSError, ValueError, RuntimeError) as exc:  # the store's own errors derive from these
        raise NotServable(str(exc)) from None


def cache_dir(ws: Workspace, *parts: str) -> Path:
    path = ws.root.joinpath("cache", "annotate", *parts)
    path.mkdir(parents=True, exist_ok=True)
    return path


def display_image(ws: Workspace, image: ImageRecord) -> tuple[Path, str]:
    """(file, media type) to send for a stored image."""
    original = stored(ws, image)
    if image.ext in SERVE_AS_IS:
        return original, SERVE_AS_IS[image.ext]
    folder = cache_dir(ws, "display")
    cached = folder / f"{image.sha256}.png"
    if not cached.exists():
        write_atomic(cached, encode_png(load_rgb(original)), durable=False)  # a cache: rebuilt if lost
    return regular_file(folder, cached), "image/png"


def delta_available() -> str | None:
    """None when the delta analysis can be used here, else why not."""
    try:
        from ..delta import analyze_files, check, difference_heatmap, grounding_hints  # noqa: F401
    except ImportError as exc:
        return f"delta analysis unavailable ({exc})"
    return None


def heatmap_path(ws: Workspace, pair: PairRecord) -> Path | None:
    """The cached difference heatmap PNG for a pair (computed on first use); None if unavailable."""
    if delta_available():
        return None
    from ..delta import difference_heatmap

    folder = cache_dir(ws, "heatmap")
    path = folder / f"{pair.source_sha}_{pair.target_sha}.png"
    if not path.exists():
        src = load_rgb(stored(ws, pair.source), max_side=HEATMAP_MAX_SIDE)
        tgt = load_rgb(stored(ws, pair.target), max_side=HEATMAP_MAX_SIDE)
        write_atomic(path, encode_png(difference_heatmap(src, tgt)), durable=False)
    return regular_file(folder, path)


class SingleFlight:
    """A bounded in-memory cache whose misses are computed once: the first thread to ask for a
    key computes it, threads asking for that key meanwhile wait for its result instead of
    computing it again (a failure is handed to them too, and not kept)."""

    def __init__(self, size: int):
        self.size = size
        self.done: dict[Any, Any] = {}
        self._running: dict[Any, Future[Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: Any) -> Any:
        """The value kept for ``key``, or None."""
        return self.done.get(key)

    def put(self, key: Any, value: Any) -> Any:
        with self._lock:
            self._keep(key, value)
        return value

    def _keep(self, key: Any, value: Any) -> None:
        if key not in self.done and len(self.done) >= self.size:
            self.done.pop(next(iter(self.done)))  # the oldest entry
        self.done[key] = value

    def run(self, key: Any, compute: Callable[[], tuple[Any, bool]]) -> Any:
        """The value for ``key``: kept, being computed by another thread (waited for), or computed
        here. ``compute`` returns (value, whether to keep it)."""
        with self._lock:
            if key in self.done:
                return self.done[key]
            running = self._running.get(key)
            if running is None:
                mine = self._running[key] = Future()
        if running is not None:
            return running.result()
        try:
            value, keep = compute()
        except BaseException as exc:
            with self._lock:
                del self._running[key]
            mine.set_exception(exc)
            raise
        with self._lock:
            if keep:
                self._keep(key, value)
            del self._running[key]
        mine.set_result(value)
        return value


_REPORTS = SingleFlight(256)


def _report_for(source: Path, target: Path) -> Any:
    """The delta report of an image pair, kept in memory: every instruction shown with the same
    pair reuses one analysis (the hints file cache is per instruction), and concurrent first
    views of a pair wait for one analysis instead of each running it."""
    from ..delta import analyze_files

    return _REPORTS.run((source, target), lambda: (analyze_files(source, target), True))


def measured_facts(report: Any) -> list[str]:
    """The analyzer's grounding hints (one line each) as "measured" facts for the annotator."""
    from ..delta import grounding_hints

    return [line.strip().removeprefix("- ") for line in grounding_hints(report).splitlines() if line.strip()]


HINTS_IN_MEMORY = 4096
_HINTS = SingleFlight(HINTS_IN_MEMORY)


def hints(ws: Workspace, pair: PairRecord, instruction: str | None) -> dict[str, Any]:
    """Measured facts and checker flags for a pair and the instruction shown (cached).

    Returns ``{"facts": [...], "flags": [...], "unavailable": reason | None}``. Requests for the
    same pair and instruction arriving while it is computed wait for that one computation.
    """
    reason = delta_available()
    if reason:
        return {"facts": [], "flags": [], "unavailable": reason}
    key = hashlib.sha256(f"{HINTS_VERSION}|{pair.source_sha}|{pair.target_sha}|{instruction or ''}".encode()).hexdigest()
    path = cache_dir(ws, "hints") / f"{key}.json"
    known = _HINTS.get(str(path))  # a task page is shown again and again (reloads, the next annotator of the item)
    if known is not None:
        return known
    return _HINTS.run(str(path), lambda: _compute_hints(ws, pair, instruction, path))


def _compute_hints(ws: Workspace, pair: PairRecord, instruction: str | None, path: Path) -> tuple[dict[str, Any], bool]:
    """(the hints, whether to keep them in memory): read from the file cache, else computed and written there."""
    if path.exists():
        try:
            return json.loads(path.read_text()), True
        except (OSError, json.JSONDecodeError):
            pass  # a damaged cache entry is recomputed
    from ..delta import check

    try:
        report = _report_for(stored(ws, pair.source), stored(ws, pair.target))
        flags = [f.to_json() for f in check(report, instruction)] if instruction else []
        out = {"facts": measured_facts(report), "flags": flags, "unavailable": None}
    except Exception as exc:  # noqa: BLE001 - a hint failure must never block annotation
        return {"facts": [], "flags": [], "unavailable": f"delta analysis failed: {type(exc).__name__}: {exc}"}, False
    write_atomic(path, json.dumps(out).encode(), durable=False)
    return out, True


def warm(ws: Workspace, pair: PairRecord, instruction: str | None) -> None:
    """Compute and cache a pair's heatmap and hints ahead of the first page view."""
    heatmap_path(ws, pair)
    hints(ws, pair, instruction)
