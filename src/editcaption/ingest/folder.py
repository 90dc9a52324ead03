"""Folder adapter: pairs by file name.

Accepted layouts (the pair's ``name`` is NAME, relative to the folder):

* ``NAME_src.EXT`` + ``NAME_tgt.EXT`` (also ``_source``/``_target`` and ``_0``/``_1``),
  anywhere below the folder;
* ``src/`` + ``tgt/`` (or ``source/`` + ``target/``) sub-folders holding files with
  matching stems.

A source without its target (or the reverse) is reported, not silently skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from .base import ImageInput, PairCandidate

_SUFFIX = re.compile(r"^(?P<name>.+?)_(?P<role>src|tgt|source|target|0|1)$", re.IGNORECASE)
_ROLE = {"src": "source", "source": "source", "0": "source", "tgt": "target", "target": "target", "1": "target"}
_SUBDIRS = (("src", "tgt"), ("source", "target"))
_IGNORED = {".txt", ".md", ".json", ".jsonl", ".csv", ".parquet", ".license", ".yaml", ".yml"}


def _files(root: Path) -> list[Path]:
    return sorted(
        p for p in root.rglob("*") if p.is_file() and not p.name.startswith(".") and p.suffix.lower() not in _IGNORED
    )


def iter_folder(root: Path) -> Iterator[PairCandidate]:
    for src_dir_name, tgt_dir_name in _SUBDIRS:
        src_dir, tgt_dir = root / src_dir_name, root / tgt_dir_name
        if src_dir.is_dir() and tgt_dir.is_dir():
            yield from _iter_subdirs(root, src_dir, tgt_dir)
            return
    yield from _iter_suffixed(root)


def _iter_subdirs(root: Path, src_dir: Path, tgt_dir: Path) -> Iterator[PairCandidate]:
    def by_stem(d: Path) -> dict[str, Path]:
        out: dict[str, Path] = {}
        for p in _files(d):
            out[str(p.relative_to(d).with_suffix(""))] = p
        return out

    sources, targets = by_stem(src_dir), by_stem(tgt_dir)
    for name in sorted(set(sources) | set(targets)):
        yield _candidate(root, name, sources.get(name), targets.get(name), f"{src_dir.name}/ + {tgt_dir.name}/")


def _iter_suffixed(root: Path) -> Iterator[PairCandidate]:
    groups: dict[str, dict[str, Path]] = {}
    for p in _files(root):
        m = _SUFFIX.match(p.stem)
        if not m:
            continue
        rel_name = str((p.parent.relative_to(root) / m.group("name")).as_posix())
        role = _ROLE[m.group("role").lower()]
        groups.setdefault(rel_name, {})[role] = p
    for name in sorted(groups):
        g = groups[name]
        yield _candidate(root, name, g.get("source"), g.get("target"), "NAME_src/NAME_tgt")


def _candidate(root: Path, name: str, src: Path | None, tgt: Path | None, layout: str) -> PairCandidate:
    problem = None
    if src is None:
        problem = f"source image missing for pair {name!r} (found only {tgt.name if tgt else '?'})"
    elif tgt is None:
        problem = f"target image missing for pair {name!r} (found only {src.name})"
    label = str(src or tgt)
    return PairCandidate(
        name=name,
        source=ImageInput(label=str(src), path=src) if src else None,
        target=ImageInput(label=str(tgt), path=tgt) if tgt else None,
        origin={
            "dataset": "folder",
            "root": str(root),
            "source_path": str(src.relative_to(root)) if src else None,
            "target_path": str(tgt.relative_to(root)) if tgt else None,
            "layout": layout,
        },
        label=label,
        problem=problem,
    )
