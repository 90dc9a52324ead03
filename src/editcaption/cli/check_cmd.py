"""`editcaption check`: flag direction and omission errors in an instruction, from measurements."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._common import JsonOpt, console, fail, print_json
from .analyze_cmd import ManifestOpt, MaxSideOpt, SrcArg, TgtArg, pair_or_manifest


def check(
    src: SrcArg = None,
    tgt: TgtArg = None,
    instruction: Annotated[
        str | None, typer.Option("--instruction", "-i", help="The instruction to check (single pair).")
    ] = None,
    manifest: ManifestOpt = None,
    as_json: JsonOpt = False,
    max_side: MaxSideOpt = 512,
) -> None:
    """Check an instruction against what the images show: camera and side directions, mirror, zoom, tone.

    Flags carry the paper's failure type (orientation | viewpoint | detail) and severity
    (P0 | P1 | P2). The checker stays silent where the measurement is unsure. With
    --manifest, rows add "instruction"; one {"id", "flags"} line per row.

    Example: editcaption check before.jpg after.jpg --instruction "Pan the camera to the left." --json
    """
    pair_or_manifest(src, tgt, manifest)
    if manifest is not None:
        _check_manifest(manifest, as_json, max_side)
        return
    if not instruction:
        fail("--instruction is required for a single pair")
    from ..delta import analyze_files
    from ..delta import check as run_check
    from ..imageio import ImageDecodeError

    assert src is not None and tgt is not None
    try:
        report = analyze_files(src, tgt, max_side=max_side)
    except ImageDecodeError as exc:
        fail(str(exc))
    flags = [f.to_json() for f in run_check(report, instruction)]
    if as_json:
        print_json({"id": None, "flags": flags})
        return
    _print_flags(src.name, flags)


def _check_manifest(manifest: Path, as_json: bool, max_side: int) -> None:
    from ..delta.batch import check_manifest
    from ..ingest.base import SourceError

    if not manifest.is_file():
        fail(f"{manifest}: manifest not found")
    try:
        for row in check_manifest(manifest, max_side=max_side):
            if as_json:
                print_json(row)
            elif "error" in row:
                console.print(f"[bold]{row['id']}[/]: [red]{row['error']}[/]", highlight=False)
            else:
                _print_flags(row["id"], row["flags"])
    except SourceError as exc:
        fail(str(exc))


def _print_flags(name: str, flags: list[dict]) -> None:
    if not flags:
        console.print(f"[bold]{name}[/]: no problems found", highlight=False)
        return
    console.print(f"[bold]{name}[/]: {len(flags)} flag{'s' if len(flags) != 1 else ''}", highlight=False)
    for f in flags:
        colour = "red" if f["severity"] == "P0" else "yellow"
        console.print(f"  [{colour}]{f['severity']} {f['type']}[/]: {f['message']}\n      measured: {f['evidence']}",
                      highlight=False)


def register(app: typer.Typer) -> None:
    app.command("check")(check)
