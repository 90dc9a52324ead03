"""Building an export: select → balance → split → write → card, into a fresh folder.

Every export is written into a sibling ``.<name>.partial`` folder and moved into place only
when complete, so a killed export never leaves a half-written dataset under the final
name; the next run reuses the images the killed one had already copied. An existing
output folder is replaced only with ``overwrite``.

``on_progress(phase, done, total)`` follows the long phases: "hashing images" (near-duplicate
detection), "computing grounding hints" (grounded exports) and the writer's own ("writing
parquet", "writing ms-swift JSONL"...), counted in examples.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import select

from .. import __version__
from ..progress import ProgressCallback
from ..prompts import PromptTemplate, instruction_messages, load_prompt
from ..workspace import Workspace
from ..workspace.models import PairRecord
from . import formats, outdir
from .balance import BalanceResult, BalanceSpec, balance, parse_balance
from .card import count_items, render_card, value_of
from .errors import ExportError
from .examples import ExportJob
from .phash import ImageHash, hash_images
from .provenance import provenance
from .reference import attach_ref_logps
from .sources import select_preferences, select_texts
from .splits import (
    DEFAULT_NEAR_DUP_DISTANCE,
    DEFAULT_SPLIT,
    SplitMember,
    SplitResult,
    SplitSpec,
    assign_splits,
    parse_split_spec,
)

DEFAULT_PREFS_BALANCE = "error_type=1:1:1"
BALANCE_KEYS = {"sft": ("category", "subtype"), "triplets": ("category", "subtype"),
                "prefs": ("error_type", "severity", "category", "subtype")}


@dataclass
class ExportOptions:
    format: str = "hf"
    source: str = "refined"  # sft / triplets: refined | run:NAME
    where: dict[str, list[str]] | None = None
    min_score: float | None = None
    scorer: str | None = None
    balance: str | None = None  # "category=25:25:50"; None → default for the kind ("none" disables)
    seed: int = 0
    split: str = DEFAULT_SPLIT
    near_dup_distance: int = DEFAULT_NEAR_DUP_DISTANCE
    prompt_path: Path | None = None
    grounded: bool = False  # each pair's prompt carries its delta hints (prompt needs {hints})
    overwrite: bool = False
    link_images: bool = False
    absolute_paths: bool | None = None  # None: the format's default (absolute for swift, relative otherwise)
    save_splits: bool = False
    include_simulated: bool = True
    ref_logps: Path | None = None
    shard_size: int = 1000
    command: str | None = None


@dataclass
class ExportReport:
    out: Path
    manifest: dict[str, Any]
    warnings: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        m = self.manifest
        return {"out": str(self.out), "kind": m["kind"], "format": m["format"],
                "splits": {s: info["rows"] for s, info in m["splits"].items()},
                "skipped": m["selection"]["skipped"], "balance": m.get("balance"), "failures": m["failures"]}


# -- the three exports -------------------------------------------------------------------


def export_sft(ws: Workspace, out: str | os.PathLike[str], opts: ExportOptions,
               on_progress: ProgressCallback | None = None) -> ExportReport:
    """One (two-image prompt → instruction) example per pair."""
    return _export(ws, Path(out), "sft", opts, on_progress)


def export_prefs(ws: Workspace, out: str | os.PathLike[str], opts: ExportOptions,
                 on_progress: ProgressCallback | None = None) -> ExportReport:
    """Chosen / rejected instructions with failure type and severity, balanced across failure modes."""
    return _export(ws, Path(out), "prefs", opts, on_progress)


def export_triplets(ws: Workspace, out: str | os.PathLike[str], opts: ExportOptions,
                    on_progress: ProgressCallback | None = None) -> ExportReport:
    """(source image, target image, instruction) triplets for training image-editing models."""
    return _export(ws, Path(out), "triplets", opts, on_progress)


# -- steps -------------------------------------------------------------------------------


def _prompt(kind: str, opts: ExportOptions) -> tuple[PromptTemplate | None, list[dict[str, Any]] | None]:
    """The template and, unless the export is grounded (one prompt per pair), the shared messages."""
    if kind == "triplets":
        return None, None
    default = "instruction-grounded" if opts.grounded else "instruction"
    try:
        template = load_prompt(path=opts.prompt_path) if opts.prompt_path else load_prompt(default)
        if opts.grounded:
            if "{hints}" not in template.text:
                raise ValueError("a grounded export needs a prompt with a {hints} slot")
            return template, None
        return template, instruction_messages(template.render())
    except (OSError, ValueError) as exc:
        raise ExportError(f"cannot use the prompt {opts.prompt_path or default + '-v1'}: {exc}") from None


def _grounded_prompts(ws: Workspace, template: PromptTemplate, items: list[Any],
                      on_progress: ProgressCallback | None) -> tuple[dict[str, Any], dict]:
    """Each pair's prompt with its delta hints — the same text the caption stage's grounded
    prompt gives the model at inference (:func:`editcaption.caption.pipeline.pair_hints`) —
    and the pairs whose hints could not be computed (pair id → reason)."""
    from ..caption.pipeline import pair_hints
    from ..imageio import ImageDecodeError, decode_file

    pairs = {it.pair.id: it.pair for it in items}
    prompts: dict[str, Any] = {}
    failed: dict[str, str] = {}
    for done, p in enumerate(pairs.values(), 1):
        try:
            hints = pair_hints(decode_file(ws.store.local_path(p.source_sha, p.source_ext)).rgb,
                               decode_file(ws.store.local_path(p.target_sha, p.target_ext)).rgb)
        except (ImageDecodeError, OSError, ValueError) as exc:
            failed[p.id] = f"no grounding hints: {exc}"
        else:
            prompts[p.id] = instruction_messages(template.render(hints))
        if on_progress:
            on_progress("computing grounding hints", done, len(pairs))
    return prompts, failed


def _balance_spec(kind: str, opts: ExportOptions) -> BalanceSpec | None:
    text = opts.balance if opts.balance is not None else (DEFAULT_PREFS_BALANCE if kind == "prefs" else "none")
    try:
        return parse_balance(text, BALANCE_KEYS[kind])
    except ValueError as exc:
        raise ExportError(str(exc)) from None


def _balance_key(spec: BalanceSpec):  # noqa: ANN202 - a small accessor
    return lambda item: None if value_of(item, spec.key) == "unknown" else value_of(item, spec.key)


def _apply_balance(kind: str, items: list[Any], spec: BalanceSpec | None, seed: int) -> tuple[list[Any], dict | None]:
    if spec is None:
        return items, None
    try:
        res: BalanceResult[Any] = balance(items, spec, _balance_key(spec), lambda it: it.key, seed)
    except ValueError as exc:
        raise ExportError(str(exc)) from None
    report_keys = ("error_type", "severity") if kind == "prefs" else ("category", "subtype")
    if spec.key not in report_keys:
        report_keys = (spec.key, *report_keys)

    def by(key: str, group: list[Any]) -> dict[str, int]:
        return dict(sorted(Counter(value_of(it, key) for it in group).items()))

    report = {
        "spec": spec.describe(), "key": spec.key, "targets": spec.targets, "kept": len(res.kept),
        "dropped": len(res.dropped), "outside": res.outside,
        "available_by": {k: by(k, items) for k in report_keys},
        "kept_by": {k: by(k, res.kept) for k in report_keys},
        "dropped_by": {k: by(k, res.dropped) for k in report_keys},
    }
    return res.kept, report


def _hashes(ws: Workspace, items: list[Any], near_dup_distance: int, on_progress: ProgressCallback | None
            ) -> tuple[dict[str, ImageHash], dict[str, str]]:
    if near_dup_distance < 0:
        return {}, {}
    # Files are asked for one at a time as they are hashed; an object store downloads a bounded
    # window of them ahead (prefetch), so its read cache stays within its size.
    files: dict[str, Callable[[], Path]] = {}
    keys: dict[str, tuple[str, str]] = {}
    for it in items:
        p = it.pair
        for sha, ext in ((p.source_sha, p.source_ext), (p.target_sha, p.target_ext)):
            keys.setdefault(sha, (sha, ext))
            files.setdefault(sha, partial(ws.store.local_path, sha, ext))
    ws.store.prefetch(keys.values())
    return hash_images(files.items(), on_progress)


def _split(ws: Workspace, items: list[Any], opts: ExportOptions, on_progress: ProgressCallback | None
           ) -> tuple[dict[str, list[Any]], SplitResult, dict]:
    try:
        ratios = parse_split_spec(opts.split)
    except ValueError as exc:
        raise ExportError(str(exc)) from None
    members = {it.pair.id: SplitMember(it.pair.id, it.pair.source_sha, it.pair.target_sha, it.pair.split)
               for it in items}
    hashes, failed = _hashes(ws, items, opts.near_dup_distance, on_progress)
    spec = SplitSpec(ratios=ratios, seed=opts.seed, near_dup_distance=opts.near_dup_distance)
    result = assign_splits(list(members.values()), spec, hashes)
    by_split: dict[str, list[Any]] = {}
    for it in items:
        by_split.setdefault(result.assignment[it.pair.id], []).append(it)
    ordered = {s: by_split[s] for s in ("train", "val", "test") if by_split.get(s)}
    info = {"ratios": ratios, "seed": opts.seed, "near_dup_distance": opts.near_dup_distance,
            **result.as_json(), "hash_failures": len(failed),
            "uninformative_hashes": sum(1 for h in hashes.values() if not h.informative), "saved": False}
    return ordered, result, info


def _save_splits(ws: Workspace, result: SplitResult) -> int:
    """Record assigned splits on pairs that had none (so later exports keep the same sides)."""
    changed = 0
    with ws.session() as s:
        ids = list(result.assignment)
        for start in range(0, len(ids), 5000):
            chunk = ids[start : start + 5000]
            for rec in s.scalars(select(PairRecord).where(PairRecord.id.in_(chunk))).unique():
                if rec.split is None:
                    rec.split = result.assignment[rec.id]
                    changed += 1
    return changed


def _export(ws: Workspace, out: Path, kind: str, opts: ExportOptions, on_progress: ProgressCallback | None
            ) -> ExportReport:
    try:
        formats.check_format(opts.format, kind)
    except ValueError as exc:
        raise ExportError(str(exc)) from None
    if opts.shard_size < 1:
        raise ExportError("--shard-size must be at least 1")
    template, messages = _prompt(kind, opts)
    balance_spec = _balance_spec(kind, opts)
    with ws.session() as s:
        try:
            if kind == "prefs":
                sel = select_preferences(s, ws.store, opts.where, include_simulated=opts.include_simulated)
            else:
                sel = select_texts(s, ws.store, opts.source, opts.where, opts.min_score, opts.scorer)
        except ValueError as exc:
            raise ExportError(str(exc)) from None
    if not sel.items:
        skipped = ", ".join(f"{n} {r}" for r, n in sel.skipped.most_common()) or "the workspace has no matching pairs"
        raise ExportError(f"nothing to export from {sel.source} ({skipped})")
    warnings: list[str] = []
    if kind == "prefs" and opts.ref_logps:
        matched = attach_ref_logps(sel.items, Path(opts.ref_logps))
        if matched < len(sel.items):
            warnings.append(f"reference log-probs found for {matched} of {len(sel.items)} preferences")
    items, balance_report = _apply_balance(kind, sel.items, balance_spec, opts.seed)
    if not items:
        raise ExportError("balancing left nothing to export")
    splits, split_result, split_info = _split(ws, items, opts, on_progress)
    if opts.save_splits:
        split_info["saved"] = True
        split_info["saved_pairs"] = _save_splits(ws, split_result)
    if split_result.conflicts:
        warnings.append(f"{len(split_result.conflicts)} groups of related pairs already had different recorded splits")

    pair_prompts = None
    if opts.grounded and template is not None:
        pair_prompts, no_hints = _grounded_prompts(ws, template, [it for its in splits.values() for it in its],
                                                   on_progress)
        if no_hints:
            splits = {s: [it for it in its if it.pair.id not in no_hints] for s, its in splits.items()}
            warnings.append(f"{len(no_hints)} pair(s) left out: their grounding hints could not be computed")
    partial = outdir.prepare(out, opts.overwrite)
    absolute = formats.absolute_paths(opts.format, opts.absolute_paths)
    job = ExportJob(kind=kind, splits=splits, store=ws.store, prompt_messages=messages, link_images=opts.link_images,
                    absolute_paths=bool(absolute), shard_size=opts.shard_size, pair_prompts=pair_prompts,
                    on_progress=on_progress)
    files = formats.write(opts.format, job, partial, final_dir=out.resolve())
    if job.failures:
        failed = {f["id"] for f in job.failures}
        splits = {s: [it for it in its if it.key not in failed] for s, its in splits.items()}
    manifest = {
        "kind": kind, "format": opts.format,
        "command": opts.command or f"editcaption export {kind} {out} --format {opts.format}",
        "created_at": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
        "editcaption_version": __version__,
        "source": sel.source,
        "prompt": {"id": template.id, "source": template.source, "grounded": opts.grounded} if template else None,
        "splits": files,
        "counts": count_items(kind, splits),
        "selection": {"selected": len(sel.items), "skipped": dict(sel.skipped.most_common())},
        "balance": balance_report,
        "split": split_info,
        "provenance": provenance(ws, kind, sel, items, opts.min_score, opts.scorer),
        "failures": job.failures,
        "images": job.files.get("images"),
        "image_paths": None if absolute is None else ("absolute" if absolute else "relative"),
        "warnings": warnings,
    }
    (partial / "export.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False, default=str) + "\n",
                                         encoding="utf-8")
    (partial / "README.md").write_text(render_card(manifest), encoding="utf-8")
    outdir.finalise(partial, out)
    return ExportReport(out=out, manifest=manifest, warnings=warnings)
