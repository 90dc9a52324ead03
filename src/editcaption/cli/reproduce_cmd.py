"""`editcaption reproduce mini`: the paper's whole loop in miniature, on a CPU."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from ._common import JsonOpt, console, err_console, fail, print_json

reproduce_app = typer.Typer(
    help=(
        "Reproduce the paper end to end at toy scale (tiny Qwen3-VL trained from scratch on EditWorld).\n\n"
        "Example: editcaption reproduce mini --quick --out mini-quick"
    ),
    no_args_is_help=True,
)


@reproduce_app.command("mini")
def mini(
    regime: Annotated[str, typer.Option("--regime", help="perception: the SFT model's errors are what it cannot "
                                        "see (two-object scenes, teacher mistakes + filter); systematic: one-object "
                                        "scenes it can see, a pretrained-like start (SFT on clean pairs of its "
                                        "own), then fixed shares of the refined SFT rows written wrong the same "
                                        "way every time (habits), a perception probe and a validation split.")]
    = "perception",
    quick: Annotated[bool, typer.Option("--quick", help="One seed, small pools and budgets (a few minutes); "
                                        "perception adds the blank-image control.")] = False,
    seeds: Annotated[int | None, typer.Option("--seeds", min=1, help="Seeds to run (default: 3, or 1 with --quick).")]
    = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Run directory (re-running the same command resumes it).")]
    = Path("mini-run"),
    workers: Annotated[int, typer.Option("--workers", min=1, help="Processes in parallel (one torch thread each).")]
    = 2,
    report: Annotated[Path | None, typer.Option("--report", help="Also write the report here "
                                                "(e.g. benchmarks/results/mini.md).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Teacher captions → exact scores + filter → simulated refinement → SFT → failure mining →
    DPO / HAE-DPO / ablations → held-out evaluation, reported like the paper's Tables 3 and 4.

    Example: editcaption reproduce mini --seeds 3 --out mini-run --report benchmarks/results/mini.md

    Example: editcaption reproduce mini --regime systematic --seeds 3 --out mini-systematic
    """
    from ..importutils import MissingExtraError, require

    try:
        require("torch", "transformers", "datasets", "accelerate", feature="editcaption reproduce mini")
    except MissingExtraError as exc:
        fail(str(exc))
    from ..reproduce.api import run_mini
    from ..reproduce.config import full_config, quick_config, systematic_config
    from ..reproduce.report import summary_line
    from ..reproduce.runner import MiniError

    overrides = {"workers": workers}
    if seeds is not None:
        overrides["seeds"] = seeds
    if regime == "systematic":
        config = systematic_config(quick, **overrides)
    elif regime == "perception":
        config = quick_config(**overrides) if quick else full_config(**overrides)
    else:
        fail(f"--regime: expected perception or systematic, got {regime!r}")
    command = "editcaption " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    try:
        result = run_mini(config, out, command=command,
                          on_event=None if as_json else (lambda m: err_console.print(f"[dim]{escape(m)}[/]", highlight=False)))
    except MiniError as exc:
        fail(str(exc))
    if report is not None:
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(result.markdown + "\n", encoding="utf-8")
    if as_json:
        print_json({"out": str(result.out), "report": str(result.report), "wall_seconds": round(result.wall_seconds, 1),
                    "failed": result.failed})
    else:
        console.print(f"report: {result.report} ({summary_line(result.out, config) or 'no model scores'})")
        for key, why in result.failed.items():
            err_console.print(f"[yellow]not done:[/] {key}: {escape(str(why))}", highlight=False)
    if result.failed:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(reproduce_app, name="reproduce")
