"""`editcaption analyze`: measure camera motion, tone and local changes between two images."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from ._common import JsonOpt, console, fail, print_json

SrcArg = Annotated[Path | None, typer.Argument(help="Source image (before the edit).", show_default=False)]
TgtArg = Annotated[Path | None, typer.Argument(help="Target image (after the edit).", show_default=False)]
ManifestOpt = Annotated[
    Path | None,
    typer.Option("--manifest", "-m", help="JSONL/CSV/JSON/Parquet manifest with id, src, tgt per row (paths relative "
                 "to the manifest); one output line per row, in order.", show_default=False),
]
MaxSideOpt = Annotated[int, typer.Option("--max-side", min=32, help="Analysis resolution (longer side, pixels).")]


def pair_or_manifest(src: Path | None, tgt: Path | None, manifest: Path | None) -> None:
    """Exactly one of SRC TGT or --manifest, or a one-line error."""
    if manifest is not None and (src is not None or tgt is not None):
        fail("give either SRC TGT or --manifest, not both")
    if manifest is None and (src is None or tgt is None):
        fail("give two images (SRC TGT) or --manifest FILE")


def analyze(
    src: SrcArg = None,
    tgt: TgtArg = None,
    manifest: ManifestOpt = None,
    as_json: JsonOpt = False,
    details: Annotated[bool, typer.Option("--details", help="Add the raw measurements behind the words.")] = False,
    heatmap: Annotated[
        Path | None, typer.Option("--heatmap", help="Also write the difference heatmap (PNG) of a single pair here.")
    ] = None,
    max_side: MaxSideOpt = 512,
) -> None:
    """Measure what changed from SRC to TGT: camera (zoom, pan, rotation, mirror), tone and local regions.

    Directions follow the project's convention: pan left = the target shows what lay to the
    left (content slides right); positions are the viewer's, in the target frame. Without
    --json it prints a summary and the offline `delta` instruction.

    Example: editcaption analyze before.jpg after.jpg --json
    """
    pair_or_manifest(src, tgt, manifest)
    if manifest is not None:
        _analyze_manifest(manifest, as_json, details, max_side)
        return
    from ..delta import describe
    from ..delta.analyzer import run_analysis
    from ..delta.heatmap import heatmap_of
    from ..imageio import ImageDecodeError, encode_png, load_rgb

    assert src is not None and tgt is not None
    try:
        src_rgb, tgt_rgb = load_rgb(src), load_rgb(tgt)
    except ImageDecodeError as exc:
        fail(str(exc))
    # One decode and one analysis serve both the report and the heatmap.
    analysis = run_analysis(src_rgb, tgt_rgb, max_side=max_side)
    report = analysis.report
    if heatmap is not None:
        heatmap.parent.mkdir(parents=True, exist_ok=True)
        heatmap.write_bytes(encode_png(heatmap_of(analysis, tgt_rgb)))
    if as_json:
        print_json(report.to_json(None, details=details))
        return
    _print_report(report.to_json(src.name), describe(report))
    if heatmap is not None:
        console.print(f"heatmap: {heatmap}")


def _analyze_manifest(manifest: Path, as_json: bool, details: bool, max_side: int) -> None:
    from ..delta.batch import analyze_manifest
    from ..ingest.base import SourceError

    if not manifest.is_file():
        fail(f"{manifest}: manifest not found")
    try:
        for row in analyze_manifest(manifest, max_side=max_side, details=details):
            if as_json:
                print_json(row)
            elif "error" in row:
                console.print(f"[bold]{escape(str(row['id']))}[/]: [red]{escape(str(row['error']))}[/]", highlight=False)
            else:
                _print_report(row, None)
    except SourceError as exc:
        fail(str(exc))


def _print_report(row: dict[str, Any], instruction: str | None) -> None:
    from ..delta.wording import summary

    camera, tone, regions = summary(row)
    title = f"[bold]{row['id']}[/]" + (" — identical" if row["same"] else "")
    console.print(title, highlight=False)
    console.print(f"  camera:  {camera}\n  tone:    {tone}\n  regions: {regions}", highlight=False)
    if instruction is not None:
        console.print(f"  delta:   {instruction}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("analyze")(analyze)
