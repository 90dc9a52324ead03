"""`editcaption synth`: EditWorld, the verifiable benchmark (generate pairs, score predictions)."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path
from typing import Annotated

import typer

from ._common import JsonOpt, console, err_console, fail, print_json

synth_app = typer.Typer(
    help="EditWorld: synthetic pairs with exact ground truth, and an exact scorer.\n\n"
    "Example: editcaption synth editworld --n 200 --seed 0 --out ew",
    no_args_is_help=True,
)


def _parse_size(text: str) -> tuple[int, int]:
    parts = text.lower().replace("×", "x").split("x")
    try:
        if len(parts) == 1:
            return int(parts[0]), int(parts[0])
        if len(parts) == 2:
            return int(parts[0]), int(parts[1])
    except ValueError:
        pass
    fail(f"--size {text!r} is not W or WxH (e.g. 256 or 320x240)")


def _parse_range(text: str) -> tuple[int, int]:
    try:
        if "-" in text:
            lo, hi = text.split("-", 1)
            return int(lo), int(hi)
        return int(text), int(text)
    except ValueError:
        fail(f"--objects {text!r} is not N or MIN-MAX (e.g. 1-4)")


@synth_app.command("editworld")
def editworld(
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder (images/, manifest.jsonl, editworld.json).")],
    n: Annotated[int, typer.Option("--n", help="Number of pairs.")] = 200,
    seed: Annotated[int, typer.Option("--seed", help="Seed; the same seed gives byte-identical output.")] = 0,
    size: Annotated[str, typer.Option("--size", help="Frame size W or WxH.")] = "256",
    mix: Annotated[
        str, typer.Option("--mix", help="Category weights, e.g. semantic=25,stylistic=25,structural=50.")
    ] = "semantic=25,stylistic=25,structural=50",
    family: Annotated[str, typer.Option("--family", help="objects | photos | both.")] = "both",
    objects: Annotated[str, typer.Option("--objects", help="Objects per scene in the objects family, MIN-MAX.")] = "1-4",
    backgrounds: Annotated[
        str, typer.Option("--backgrounds", help="Background patterns of the objects family (plain,gradient,checkered).")
    ] = "plain,gradient,checkered",
    signs: Annotated[
        bool, typer.Option("--signs/--no-signs", help="Decorative signs in scenes (text edits always get one).")
    ] = True,
    subtypes: Annotated[
        str | None, typer.Option("--subtypes", help="Only these subtypes (comma-separated), e.g. move_object,camera_pan.")
    ] = None,
    split: Annotated[str | None, typer.Option("--split", help="Write this split (train|val|test) on every row.")] = None,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace an EditWorld run with other parameters in --out.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Generate EditWorld pairs and the manifest `editcaption ingest` reads.

    Objects family: procedural scenes of coloured shapes, icons and signs; photos family:
    camera and local edits of the bundled photos. Every pair carries structured ground truth
    and a reference instruction. Same arguments → byte-identical files; an interrupted run
    resumes when re-run with the same arguments.

    For small models: --family objects --objects 1-1 --backgrounds plain --no-signs --subtypes move_object.

    Example: editcaption synth editworld --n 200 --seed 0 --out ew --family objects
    """
    from ..synth import EditWorldError, generate_run

    w, h = _parse_size(size)
    names = tuple(s.strip() for s in subtypes.split(",") if s.strip()) if subtypes is not None else None
    patterns = tuple(s.strip() for s in backgrounds.split(",") if s.strip())
    run = partial(generate_run, n, seed, out, (w, h), mix, family, n_objects=_parse_range(objects), subtypes=names,
                  backgrounds=patterns, signs=signs, split=split, overwrite=overwrite)
    try:
        if as_json:
            report = run()
        else:
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            with Progress(TextColumn("editworld"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                          TimeElapsedColumn(), console=err_console, transient=True) as progress:
                task = progress.add_task("pairs", total=n)
                report = run(on_progress=lambda done, total: progress.update(task, completed=done))
    except EditWorldError as exc:
        fail(str(exc))
    for f in report.failed:
        err_console.print(f"[yellow]warning:[/] pair {f['index']} left out: {f['reason']}", highlight=False)
    if as_json:
        print_json(report.as_json())
        return
    from rich.table import Table

    pairs = report.generated + report.reused
    console.print(f"[bold]{pairs}[/] pairs ({report.generated} generated, {report.reused} already present, "
                  f"{len(report.failed)} failed) → {report.manifest}")
    table = Table("category", "subtype", "pairs", title="EditWorld")
    from ..synth.taxonomy import SUBTYPES

    for name, count in report.by_subtype.items():
        table.add_row(SUBTYPES[name].category, name, str(count))
    console.print(table)
    console.print(f"Ingest with: editcaption ingest {report.manifest}")


def _fmt(v: float | None) -> str:
    return "—" if v is None else f"{v:.3f}"


@synth_app.command("score")
def score(
    manifest: Annotated[Path, typer.Argument(help="An EditWorld manifest.jsonl.")],
    predictions: Annotated[Path, typer.Argument(help='Predictions: JSONL lines {"id": ..., "instruction": ...}.')],
    per_sample: Annotated[
        Path | None, typer.Option("--per-sample", help="Also write one JSON line per pair (scores, parse, errors).")
    ] = None,
    by: Annotated[str | None, typer.Option("--by", help="Add a breakdown by category, subtype or family.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Score predicted instructions exactly against EditWorld ground truth.

    Accuracy, Completeness and Clarity on the paper's 1–5 scales and S = 0.4·Acc + 0.4·Comp +
    0.2·Clar; errors typed orientation / viewpoint / detail / other with P0/P1/P2 severity
    (Table 6). Predictions the parser cannot read are counted as unparsable, never scored.
    --json prints {"n", "S", "accuracy", "completeness", "clarity", "unparsable", "errors", "p0_rate"}.

    Example: editcaption synth score ew/manifest.jsonl predictions.jsonl --json
    """
    from ..synth import EditWorldError, score_predictions

    if by is not None and by not in ("category", "subtype", "family"):
        fail(f"--by {by!r}: use category, subtype or family")
    try:
        report = score_predictions(manifest, predictions)
    except EditWorldError as exc:
        fail(str(exc))
    except FileNotFoundError as exc:
        fail(str(exc))
    for w in report.warnings:
        err_console.print(f"[yellow]warning:[/] {w}", highlight=False)
    if per_sample is not None:
        with per_sample.open("w", encoding="utf-8") as fh:
            for s in report.samples:
                fh.write(json.dumps(s.as_json(), ensure_ascii=False) + "\n")
    summary = report.summary()
    if as_json:
        print_json(summary if by is None else {**summary, "by_" + by: report.breakdown(by)})
        return
    from rich.table import Table

    table = Table(title="EditWorld score (Acc/Comp/Clar on 1–5, S = 0.4·Acc + 0.4·Comp + 0.2·Clar)")
    table.add_column(by or "", no_wrap=True)
    for head in ("n", "S", "Acc", "Comp", "Clar", "unparsable", "P0 rate"):
        table.add_column(head, justify="right", no_wrap=True)

    def add(label: str, s: dict) -> None:
        table.add_row(label, str(s["n"]), _fmt(s["S"]), _fmt(s["accuracy"]), _fmt(s["completeness"]),
                      _fmt(s["clarity"]), str(s["unparsable"]), _fmt(s["p0_rate"]))

    add("all", summary)
    if by is not None:
        for name, s in report.breakdown(by).items():
            add(name, s)
    console.print(table)
    errs = summary["errors"]
    console.print("errors: " + ", ".join(f"{k} {v}" for k, v in errs.items()))


@synth_app.command("references")
def references(
    manifest: Annotated[Path, typer.Argument(help="An EditWorld manifest.jsonl.")],
    swap: Annotated[
        str | None,
        typer.Option("--swap", help="Swap direction words first: horizontal, vertical, zoom or rotation."),
    ] = None,
) -> None:
    """Print the reference instructions as predictions (JSONL), optionally with swapped directions.

    A sanity check of the scorer: references score S = 5.0; swapped ones show
    orientation/viewpoint P0 errors.

    Example: editcaption synth references ew/manifest.jsonl --swap horizontal > swapped.jsonl
    """
    from ..directions import swap_direction_words
    from ..synth import EditWorldError, read_manifest

    if swap is not None and swap not in ("horizontal", "vertical", "zoom", "rotation"):
        fail(f"--swap {swap!r}: use horizontal, vertical, zoom or rotation")
    try:
        rows = read_manifest(manifest)
    except EditWorldError as exc:
        fail(str(exc))
    for row in rows:
        text = row.get("reference_instruction") or ""
        if swap is not None:
            text = swap_direction_words(text, swap)
        print_json({"id": row.get("id"), "instruction": text})


def register(app: typer.Typer) -> None:
    app.add_typer(synth_app, name="synth")
