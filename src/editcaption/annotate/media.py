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
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..atomicfile import write_atomic
from ..imageio import encode_png, load_rgb
from ..workspace import Workspace
from ..workspace.models import ImageRecord, PairRecord

SERVE_AS_IS = {".jpg": "image/jpeg", ".png": "image/png"}
HEATMAP_MAX_SIDE = 1024
HINTS_VERSION = "1"


def cache_dir(ws: Workspace, *parts: str) -> Path:
    path = ws.root.joinpath("cache", "annotate", *parts)
    path.mkdir(parents=True, exist_ok=True)
    return path


def display_image(ws: Workspace, image: ImageRecord) -> tuple[Path, str]:
    """(file, media type) to send for a stored image."""
    original = ws.store.path_for(image.sha256, image.ext)
    if image.ext in SERVE_AS_IS:
        return original, SERVE_AS_IS[image.ext]
    cached = cache_dir(ws, "display") / f"{image.sha256}.png"
    if not cached.exists():
        write_atomic(cached, encode_png(load_rgb(original)))
    return cached, "image/png"


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

    path = cache_dir(ws, "heatmap") / f"{pair.source_sha}_{pair.target_sha}.png"
    if not path.exists():
        src = load_rgb(ws.store.path_for(pair.source.sha256, pair.source.ext), max_side=HEATMAP_MAX_SIDE)
        tgt = load_rgb(ws.store.path_for(pair.target.sha256, pair.target.ext), max_side=HEATMAP_MAX_SIDE)
        write_atomic(path, encode_png(difference_heatmap(src, tgt)))
    return path


@lru_cache(maxsize=256)
def _report_for(source: Path, target: Path) -> Any:
    """The delta report of an image pair, kept in memory: every instruction shown with the same
    pair reuses one analysis (the hints file cache is per instruction)."""
    from ..delta import analyze_files

    return analyze_files(source, target)


def measured_facts(report: Any) -> list[str]:
    """The analyzer's grounding hints (one line each) as "measured" facts for the annotator."""
    from ..delta import grounding_hints

    return [line.strip().removeprefix("- ") for line in grounding_hints(report).splitlines() if line.strip()]


def hints(ws: Workspace, pair: PairRecord, instruction: str | None) -> dict[str, Any]:
    """Measured facts and checker flags for a pair and the instruction shown (cached).

    Returns ``{"facts": [...], "flags": [...], "unavailable": reason | None}``.
    """
    reason = delta_available()
    if reason:
        return {"facts": [], "flags": [], "unavailable": reason}
    key = hashlib.sha256(f"{HINTS_VERSION}|{pair.source_sha}|{pair.target_sha}|{instruction or ''}".encode()).hexdigest()
    path = cache_dir(ws, "hints") / f"{key}.json"
    if path.exists():
        try:
            return json.loads(path.read_text())
        except (OSError, json.JSONDecodeError):
            pass  # a damaged cache entry is recomputed
    from ..delta import check

    try:
        report = _report_for(ws.store.path_for(pair.source.sha256, pair.source.ext),
                             ws.store.path_for(pair.target.sha256, pair.target.ext))
        flags = [f.to_json() for f in check(report, instruction)] if instruction else []
        out = {"facts": measured_facts(report), "flags": flags, "unavailable": None}
    except Exception as exc:  # noqa: BLE001 - a hint failure must never block annotation
        return {"facts": [], "flags": [], "unavailable": f"delta analysis failed: {type(exc).__name__}: {exc}"}
    write_atomic(path, json.dumps(out).encode())
    return out


def warm(ws: Workspace, pair: PairRecord, instruction: str | None) -> None:
    """Compute and cache a pair's heatmap and hints ahead of the first page view."""
    heatmap_path(ws, pair)
    hints(ws, pair, instruction)
