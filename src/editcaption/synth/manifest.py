"""Writing an EditWorld run to disk: images, ``manifest.jsonl`` (what ``editcaption ingest``
reads) and ``editworld.json`` (the run's parameters and counts).

Layout of ``OUT``::

    OUT/editworld.json                  parameters, counts, failures
    OUT/manifest.jsonl                  one pair per line, in index order
    OUT/images/<id>_src.png, _tgt.png   lossless pixels (the truth is exact)
    OUT/.manifest.partial.jsonl         progress of an unfinished run (removed at the end)

Rows reach the progress file only after both images are on disk (atomic renames), so a
killed run resumes where it stopped and still produces byte-identical output.
"""

from __future__ import annotations

import inspect
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..atomicfile import write_atomic
from ..imageio import encode_png
from .pairs import GeneratedPair, GenerationError, SceneOptions, frame_size, inventory, make_pair
from .scene import CHECKER_CELL, PAN_SHIFT, Backdrop
from .taxonomy import check_subtypes, parse_mix, plan
from .vocab import BACKGROUND_PATTERNS

FORMAT_VERSION = 1
MANIFEST = "manifest.jsonl"
PARTIAL = ".manifest.partial.jsonl"
RUN_FILE = "editworld.json"


class EditWorldError(ValueError):
    """Bad parameters or an output folder that holds a different run (one-line message)."""


@dataclass
class RunReport:
    out: Path
    manifest: Path
    n: int
    generated: int = 0
    reused: int = 0
    failed: list[dict[str, Any]] = field(default_factory=list)
    by_category: dict[str, int] = field(default_factory=dict)
    by_subtype: dict[str, int] = field(default_factory=dict)
    by_family: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "out": str(self.out), "manifest": str(self.manifest), "n": self.n, "generated": self.generated,
            "reused": self.reused, "failed": self.failed, "by_category": self.by_category,
            "by_subtype": self.by_subtype, "by_family": self.by_family,
        }


def pair_id(seed: int, index: int) -> str:
    return f"editworld-s{seed}-{index:05d}"




def build_row(pair: GeneratedPair, seed: int, size: tuple[int, int], split: str | None) -> dict[str, Any]:
    """The manifest row of one pair (keys in a fixed order, so files are byte-identical)."""
    pid = pair_id(seed, pair.index)
    base = pair.source_scene.base
    row: dict[str, Any] = {
        "id": pid,
        "source": f"images/{pid}_src.png",
        "target": f"images/{pid}_tgt.png",
        "dataset": "editworld",
        "category": pair.category,
        "subtype": pair.subtype,
    }
    if split:
        row["split"] = split
    row["reference_instruction"] = pair.reference
    row["ground_truth"] = pair.truth
    row["family"] = pair.family
    row["editworld"] = {
        "version": FORMAT_VERSION,
        "seed": seed,
        "index": pair.index,
        "size": list(size),
        "base": base.name if isinstance(base, Backdrop) else f"photo:{base.name}",
        "areas": pair.areas,
        "inventory": {"source": inventory(pair.source_scene), "target": inventory(pair.target_scene)},
    }
    return row


def _dumps(row: dict[str, Any]) -> str:
    return json.dumps(row, ensure_ascii=False, separators=(", ", ": "))


def read_manifest(path: str | Path) -> list[dict[str, Any]]:
    """Rows of a JSONL manifest; a line that is not a JSON object is an :class:`EditWorldError`."""
    p = Path(path)
    try:
        lines = p.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise EditWorldError(f"{p}: no such manifest") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise EditWorldError(f"{p}: cannot read manifest: {exc}") from None
    rows = []
    for i, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise EditWorldError(f"{p}: line {i} is not valid JSON ({exc.msg})") from None
        if not isinstance(row, dict):
            raise EditWorldError(f"{p}: line {i} is not a JSON object")
        rows.append(row)
    return rows


def _params(n: int, seed: int, size: tuple[int, int], mix: dict[str, float], family: str, options: SceneOptions,
            subtypes: tuple[str, ...] | None, split: str | None) -> dict[str, Any]:
    params = {"format": FORMAT_VERSION, "n": n, "seed": seed, "size": list(size), "mix": mix, "family": family,
              "objects": list(options.n_objects), "backgrounds": list(options.backgrounds), "signs": options.signs,
              "subtypes": list(subtypes) if subtypes else None, "split": split}
    # recorded only when set, so that runs made before these settings existed still resume
    defaults = SceneOptions()
    if options.checker_cell != defaults.checker_cell:
        params["checker_cell"] = options.checker_cell
    if options.pan_shift != defaults.pan_shift:
        params["pan_shift"] = list(options.pan_shift)
    return params


def _load_done(out: Path, params: dict[str, Any], overwrite: bool) -> dict[int, dict[str, Any]]:
    """Rows already finished by an earlier run with the same parameters (index → row)."""
    run_file = out / RUN_FILE
    if not run_file.exists():
        if (out / MANIFEST).exists() and not overwrite:
            raise EditWorldError(f"{out} already holds a {MANIFEST} that EditWorld did not write; use another --out")
        return {}
    try:
        old = json.loads(run_file.read_text(encoding="utf-8")).get("params")
    except (OSError, json.JSONDecodeError):
        old = None
    if old != params:
        if not overwrite:
            raise EditWorldError(
                f"{out} holds an EditWorld run with other parameters; use another --out or pass --overwrite"
            )
        _remove_run(out)
        return {}
    done: dict[int, dict[str, Any]] = {}
    for name in (MANIFEST, PARTIAL):
        path = out / name
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                row = json.loads(line)
                idx = int(row["editworld"]["index"])
            except (json.JSONDecodeError, KeyError, TypeError, ValueError):
                continue  # a torn last line from a kill: that pair is simply made again
            if (out / row["source"]).exists() and (out / row["target"]).exists():
                done[idx] = row
    return done


def _remove_run(out: Path) -> None:
    """Delete the files a previous EditWorld run wrote here (and nothing else)."""
    for name in (MANIFEST, PARTIAL):
        path = out / name
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                try:
                    row = json.loads(line)
                except json.JSONDecodeError:
                    continue
                for key in ("source", "target"):
                    f = out / str(row.get(key, ""))
                    if f.is_file() and f.parent == out / "images":
                        f.unlink()
            path.unlink()
    (out / RUN_FILE).unlink(missing_ok=True)


def _write(path: Path, data: bytes) -> None:
    # regenerated on a rerun, so no fsync per file (it would dominate a pair's cost)
    write_atomic(path, data, durable=False)


def generate(*args: Any, **kwargs: Any) -> Path:
    """Generate ``n`` EditWorld pairs into ``out``; returns the manifest path (arguments: :func:`generate_run`).

    Same arguments → byte-identical files. An interrupted run resumes when called again
    with the same arguments; a pair whose constraints cannot be met is reported in
    ``editworld.json`` and left out, never stopping the run.
    """
    return generate_run(*args, **kwargs).manifest


def generate_run(
    n: int,
    seed: int,
    out: str | Path,
    size: tuple[int, int] | int = (256, 256),
    mix: str | dict[str, float] | None = None,
    family: str = "both",
    *,
    n_objects: tuple[int, int] = (1, 4),
    backgrounds: Iterable[str] | None = None,
    signs: bool = True,
    subtypes: Iterable[str] | None = None,
    split: str | None = None,
    overwrite: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
    checker_cell: float = CHECKER_CELL,
    pan_shift: tuple[float, float] = PAN_SHIFT,
) -> RunReport:
    """:func:`generate`, returning the full :class:`RunReport`."""
    if n < 1:
        raise EditWorldError("--n must be at least 1")
    if seed < 0:
        raise EditWorldError("--seed must be non-negative")
    try:
        wh = frame_size(size) if isinstance(size, int) else frame_size(*size)
    except ValueError as exc:
        raise EditWorldError(str(exc)) from None
    lo, hi = n_objects
    if not (0 <= lo <= hi <= 6):
        raise EditWorldError(f"objects range {lo}-{hi} must satisfy 0 <= min <= max <= 6")
    patterns = tuple(backgrounds) if backgrounds is not None else BACKGROUND_PATTERNS
    unknown = [p for p in patterns if p not in BACKGROUND_PATTERNS]
    if unknown or not patterns:
        raise EditWorldError(f"backgrounds must be among {', '.join(BACKGROUND_PATTERNS)} (got {', '.join(patterns)})")
    if not 0.01 <= checker_cell <= 2.0:
        raise EditWorldError(f"checker cell {checker_cell} must be between 0.01 and 2 (a share of the frame width)")
    if not 0.0 < pan_shift[0] <= pan_shift[1] < 1.0:
        raise EditWorldError(f"pan shift {pan_shift} must satisfy 0 < min <= max < 1 (shares of the frame width)")
    options = SceneOptions(n_objects=(lo, hi), backgrounds=patterns, signs=signs, checker_cell=checker_cell,
                           pan_shift=(float(pan_shift[0]), float(pan_shift[1])))
    if split is not None and split not in ("train", "val", "test"):
        raise EditWorldError(f"split {split!r} is not one of train, val, test")
    try:
        weights = parse_mix(mix)
        allowed = check_subtypes(tuple(subtypes) if subtypes is not None else None)
        assignment = plan(n, seed, weights, family, allowed)
    except ValueError as exc:
        raise EditWorldError(str(exc)) from None
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "images").mkdir(exist_ok=True)
    params = _params(n, seed, wh, weights, family, options, allowed, split)
    done = _load_done(out, params, overwrite)
    (out / RUN_FILE).write_text(json.dumps({"params": params, "status": "running"}, indent=2) + "\n", encoding="utf-8")
    report = RunReport(out=out, manifest=out / MANIFEST, n=n, reused=len(done))
    rows: dict[int, dict[str, Any]] = dict(done)
    # Rewrite the progress file from the rows kept, so a torn last line from a kill is dropped.
    with (out / PARTIAL).open("w", encoding="utf-8") as progress:
        progress.writelines(_dumps(done[i]) + "\n" for i in sorted(done))
        progress.flush()
        for index, row in _generate_missing(assignment, done, seed, wh, options, allowed, split, out, report):
            rows[index] = row
            progress.write(_dumps(row) + "\n")
            progress.flush()
            if on_progress:
                on_progress(len(rows) + len(report.failed), n)
    manifest_text = "".join(_dumps(rows[i]) + "\n" for i in sorted(rows))
    _write(out / MANIFEST, manifest_text.encode("utf-8"))
    (out / PARTIAL).unlink(missing_ok=True)
    ordered = [rows[i] for i in sorted(rows)]
    report.by_category = dict(sorted(Counter(r["category"] for r in ordered).items()))
    report.by_subtype = dict(sorted(Counter(r["subtype"] for r in ordered).items()))
    report.by_family = dict(sorted(Counter(r["family"] for r in ordered).items()))
    summary = {"params": params, "status": "done", "pairs": len(rows), "failed": report.failed,
               "by_category": report.by_category, "by_subtype": report.by_subtype, "by_family": report.by_family}
    _write(out / RUN_FILE, (json.dumps(summary, indent=2) + "\n").encode("utf-8"))
    return report


# help(generate) shows the arguments it passes on
generate.__signature__ = inspect.signature(generate_run).replace(return_annotation="Path")  # type: ignore[attr-defined]


def _generate_missing(
    assignment: list[tuple[str, str]], done: dict[int, dict[str, Any]], seed: int, size: tuple[int, int],
    options: SceneOptions, allowed: tuple[str, ...] | None, split: str | None, out: Path, report: RunReport,
) -> Iterator[tuple[int, dict[str, Any]]]:
    for index, (category, family) in enumerate(assignment):
        if index in done:
            continue
        try:
            pair = make_pair(seed, index, category, family, size, options, allowed)
        except GenerationError as exc:
            report.failed.append({"index": index, "reason": str(exc)})
            continue
        row = build_row(pair, seed, size, split)
        # PNG encoding is most of a pair's cost: the fast encoder
        _write(out / row["source"], encode_png(pair.source, fast=True))
        _write(out / row["target"], encode_png(pair.target, fast=True))
        report.generated += 1
        yield index, row
