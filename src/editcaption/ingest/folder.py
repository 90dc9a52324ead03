"""Folder adapter: pairs by file name, at any depth, both layouts mixed freely.

* ``NAME_src.EXT`` + ``NAME_tgt.EXT`` (also ``_source``/``_target`` and ``_0``/``_1``) in the
  same folder: the pair is ``<folder>/NAME``, relative to the ingested folder.
* Any folder holding a ``src/`` + ``tgt/`` (or ``source/`` + ``target/``) pair of sub-folders:
  each file below ``src/`` pairs with the file of the same relative path (any extension) below
  ``tgt/``; the pair is ``<folder>/<relative path without extension>``. Files below those two
  sub-folders follow that layout only.

Every other image file (by its extension: .jpg, .png, .webp, .heic, .svg...) belongs to no
pair, and each one is reported with its reason: no matching target (or source), several
candidates for one side, or a name that fits neither layout. A file without an image
extension is reported only when its name puts it in a pair. Hidden files and folders
(``.git``, ``.DS_Store``), text or metadata files (``.txt``, ``.json``, ``.csv``...) and the
folders in ``skip`` (the workspace, when it lies inside the ingested folder) are passed over.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from .base import ImageInput, PairCandidate

_SUFFIX = re.compile(r"^(?P<name>.+?)_(?P<role>src|tgt|source|target|0|1)$", re.IGNORECASE)
_ROLE = {"src": "source", "source": "source", "0": "source", "tgt": "target", "target": "target", "1": "target"}
_ROLE_DIRS = (("src", "tgt"), ("source", "target"))
_PARTNER = {a: b for pair in _ROLE_DIRS for a, b in (pair, pair[::-1])}
_IGNORED = {".txt", ".md", ".json", ".jsonl", ".csv", ".parquet", ".license", ".yaml", ".yml"}
_IMAGE_SUFFIXES = {".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".apng", ".webp", ".gif", ".bmp", ".tif", ".tiff",
                   ".mpo", ".heic", ".heif", ".avif", ".jxl", ".svg", ".ico", ".ppm", ".pgm", ".pbm"}


def _is_candidate(name: str) -> bool:
    return not name.startswith(".") and Path(name).suffix.lower() not in _IGNORED


def _files_below(folder: Path) -> list[Path]:
    """Candidate files anywhere below ``folder`` (hidden and text files passed over), sorted."""
    out = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = [n for n in dirnames if not n.startswith(".")]
        out += [Path(dirpath) / n for n in filenames if _is_candidate(n)]
    return sorted(out)


def iter_folder(root: Path, skip: tuple[Path, ...] = ()) -> list[PairCandidate]:
    """Every pair the folder holds, and a refused candidate for each image that is in none."""
    out: list[PairCandidate] = []
    skipped = {p.resolve() for p in skip}
    for dirpath, dirnames, filenames in os.walk(root):
        folder = Path(dirpath)
        dirnames[:] = sorted(n for n in dirnames if not n.startswith(".") and (folder / n).resolve() not in skipped)
        by_lower = {n.lower(): n for n in dirnames}
        for src_name, tgt_name in _ROLE_DIRS:
            if src_name in by_lower and tgt_name in by_lower:
                src_dir, tgt_dir = folder / by_lower[src_name], folder / by_lower[tgt_name]
                out += _pair_subdirs(root, folder, src_dir, tgt_dir)
                dirnames.remove(src_dir.name)
                dirnames.remove(tgt_dir.name)
        out += _pair_suffixed(root, folder, sorted(folder / n for n in filenames if _is_candidate(n)))
    return out


def _pair_subdirs(root: Path, folder: Path, src_dir: Path, tgt_dir: Path) -> list[PairCandidate]:
    def by_stem(d: Path) -> dict[str, list[Path]]:
        out: dict[str, list[Path]] = {}
        for p in _files_below(d):
            out.setdefault(p.relative_to(d).with_suffix("").as_posix(), []).append(p)
        return out

    sources, targets = by_stem(src_dir), by_stem(tgt_dir)
    prefix = folder.relative_to(root)
    layout = f"{src_dir.name}/ + {tgt_dir.name}/"
    return [c for stem in sorted(set(sources) | set(targets))
            for c in _resolve(root, (prefix / stem).as_posix(), sources.get(stem, []), targets.get(stem, []), layout)]


def _pair_suffixed(root: Path, folder: Path, files: list[Path]) -> list[PairCandidate]:
    groups: dict[str, dict[str, list[Path]]] = {}
    out: list[PairCandidate] = []
    for p in files:
        m = _SUFFIX.match(p.stem)
        if not m:
            if _is_image_name(p):
                out.append(_refused(root, p, p.stem, _no_layout_reason(root, p)))
            continue
        name = (folder.relative_to(root) / m.group("name")).as_posix()
        groups.setdefault(name, {"source": [], "target": []})[_ROLE[m.group("role").lower()]].append(p)
    for name in sorted(groups):
        out += _resolve(root, name, groups[name]["source"], groups[name]["target"], "NAME_src/NAME_tgt")
    return out


def _no_layout_reason(root: Path, p: Path) -> str:
    parent = p.parent.name.lower()
    if p.parent != root and parent in _PARTNER:
        return (f"no matching {'target' if _ROLE[parent] == 'source' else 'source'}: {p.parent.name}/ has no "
                f"{_PARTNER[parent]}/ folder beside it, and the name does not end in _src/_tgt")
    return ("not part of a pair: the name does not end in _src/_tgt, _source/_target or _0/_1, "
            "and no src/ + tgt/ folders hold it")


def _resolve(root: Path, name: str, sources: list[Path], targets: list[Path], layout: str) -> list[PairCandidate]:
    """One pair when each side has exactly one file, else a refusal for every file involved."""
    if len(sources) == 1 and len(targets) == 1:
        return [_candidate(root, name, sources[0], targets[0], layout)]
    if len(sources) > 1 or len(targets) > 1:
        crowded = [(role, files) for role, files in (("source", sources), ("target", targets)) if len(files) > 1]
        reason = "; ".join(f"several {role} images for pair {name!r} ({', '.join(_rel(root, p) for p in files)})"
                           for role, files in crowded)
        return [_refused(root, p, name, reason) for p in sources + targets]
    lone = sources or targets
    if not _is_image_name(lone[0]):
        return []  # e.g. notes.doc beside src/ images: not an image, so not a missing half
    if not targets:
        return [_refused(root, sources[0], name,
                         f"target image missing for pair {name!r} (no matching target for {_rel(root, sources[0])})")]
    return [_refused(root, targets[0], name,
                     f"source image missing for pair {name!r} (no matching source for {_rel(root, targets[0])})")]


def _is_image_name(p: Path) -> bool:
    return p.suffix.lower() in _IMAGE_SUFFIXES


def _rel(root: Path, p: Path) -> str:
    return p.relative_to(root).as_posix()


def _origin(root: Path, layout: str | None, src: Path | None, tgt: Path | None) -> dict[str, str | None]:
    return {"dataset": "folder", "root": str(root), "source_path": _rel(root, src) if src else None,
            "target_path": _rel(root, tgt) if tgt else None, "layout": layout}


def _refused(root: Path, p: Path, name: str, reason: str) -> PairCandidate:
    return PairCandidate(name=name, source=None, target=None, origin=_origin(root, None, None, None), label=str(p),
                         problem=reason)


def _candidate(root: Path, name: str, src: Path, tgt: Path, layout: str) -> PairCandidate:
    return PairCandidate(
        name=name,
        source=ImageInput(label=str(src), path=src),
        target=ImageInput(label=str(tgt), path=tgt),
        origin=_origin(root, layout, src, tgt),
        label=str(src),
    )
