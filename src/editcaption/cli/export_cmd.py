"""`editcaption export sft|prefs|triplets`: datasets for trainers, with splits and a dataset card."""

from __future__ import annotations

import shlex
import sys
from contextlib import nullcontext
from pathlib import Path
from typing import Annotated, Any

import click
import typer
from typer.core import TyperCommand

from ._common import (
    DbOpt,
    JsonOpt,
    WhereOpt,
    WorkspaceOpt,
    console,
    err_console,
    fail,
    open_workspace,
    pick,
    print_json,
)

export_app = typer.Typer(
    help=(
        "Build training datasets from the workspace: SFT examples, preference pairs, editing triplets. "
        "Each export is a folder with the data, a README.md dataset card and export.json.\n\n"
        "Example: editcaption export sft --out ./sft-data --format hf --source refined"
    ),
    no_args_is_help=True,
)

OutOpt = Annotated[
    Path | None, typer.Option("--out", "-o", help="Output folder (created; must be empty unless --overwrite).",
                              show_default=False)]
# The output folder as a positional argument: the spelling before --out, kept for one release.
OldOutArg = Annotated[Path | None, typer.Argument(hidden=True, show_default=False)]


class _Command(TyperCommand):
    """A command whose usage line leaves out hidden arguments (the deprecated positional output folder)."""

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if not getattr(param, "hidden", False):
                pieces.extend(param.get_usage_pieces(ctx))
        return pieces

SplitOpt = Annotated[str, typer.Option("--split", help="Split ratios; pairs sharing or nearly sharing an image stay on one side.")]
SeedOpt = Annotated[int, typer.Option("--seed", help="Seed for the split order and the balancing choice.")]
NearDupOpt = Annotated[
    int, typer.Option("--near-dup-distance", help="Max perceptual-hash distance (bits of 64) for near-duplicate images; -1: exact only.")
]
OverwriteOpt = Annotated[bool, typer.Option("--overwrite", help="Replace an existing output folder.")]
SaveSplitsOpt = Annotated[
    bool, typer.Option("--save-splits", help="Record the assigned splits on pairs that had none, so later exports keep them.")
]
LinkOpt = Annotated[bool, typer.Option("--link-images", help="Hard-link images from the store instead of copying them.")]
AbsOpt = Annotated[bool | None, typer.Option(
    "--absolute-paths/--relative-paths", show_default=False,
    help="Image paths in llamafactory / swift / jsonl files: absolute, or relative to the output folder "
         "(default: absolute for swift, which opens relative paths from its working directory; relative otherwise).")]
PromptOpt = Annotated[
    Path | None, typer.Option("--prompt", help="Prompt file replacing the packaged instruction prompt (as in caption).")
]
SourceOpt = Annotated[str, typer.Option("--source", help="refined (latest refinement per pair) or run:NAME.")]
MinScoreOpt = Annotated[
    float | None, typer.Option("--min-score", help="With run:NAME: keep instructions whose latest score is ok and ≥ this.")
]
ScorerOpt = Annotated[str | None, typer.Option("--scorer", help="Use only this scorer's scores for --min-score.")]

GroundedOpt = Annotated[bool, typer.Option(
    "--grounded", help="Give each pair's prompt its delta hints (prompt: instruction-grounded, or --prompt FILE "
                       "with {hints}); the model then trains on what `caption --grounded` asks.")]

DEFAULT_SPLIT = "train=0.9,val=0.05,test=0.05"


def invoked_command(ctx: typer.Context) -> str:
    """The command line as typed when run as `editcaption`, else rebuilt from the parsed options."""
    argv0 = sys.argv[0] if sys.argv else ""
    if Path(argv0).name == "editcaption" or argv0.replace("\\", "/").endswith("editcaption/cli/__main__.py"):
        return shlex.join(["editcaption", *sys.argv[1:]])
    parts = ctx.command_path.split()
    parts[0] = "editcaption"
    for param in ctx.command.params:
        value = ctx.params.get(param.name)
        if param.param_type_name == "argument":
            if value is not None:
                parts.append(str(value))
            continue
        if value is None or value == param.default or value == [] or param.name in ("workspace", "db"):
            continue
        flag = max(param.opts, key=len)
        if isinstance(value, bool):
            parts.append(flag if value else max(param.secondary_opts or param.opts, key=len))
        elif isinstance(value, (list, tuple)):
            for v in value:
                parts += [flag, str(v)]
        else:
            parts += [flag, str(value)]
    return shlex.join(parts)


def _run(ctx: typer.Context, kind: str, out: Path | None, old_out: Path | None, as_json: bool, workspace: Path | None,
         db: str | None, where: list[str] | None, **options: Any) -> None:
    from ..export import ExportError, ExportOptions, export_prefs, export_sft, export_triplets
    from ..progress import PhaseBar
    from ..store import StoreError
    from ..workspace.queries import WhereError, parse_where

    out = pick(out, old_out, old="the output folder as a positional argument", new="--out/-o")
    if out is None:
        fail(f"give the output folder with --out (e.g. editcaption export {kind} --out ./{kind})")
    try:
        parsed_where = parse_where(where)
    except WhereError as exc:
        fail(str(exc))
    opts = ExportOptions(where=parsed_where, command=invoked_command(ctx), **options)
    ws = open_workspace(workspace, db)
    builder = {"sft": export_sft, "prefs": export_prefs, "triplets": export_triplets}[kind]
    try:
        with nullcontext() if as_json else PhaseBar(err_console) as bar:  # no bar with --json
            report = builder(ws, out, opts, on_progress=bar)
    except (ExportError, StoreError) as exc:  # StoreError: the image store went away (nothing written)
        fail(str(exc))
    finally:
        ws.close()
    for w in report.warnings:
        err_console.print(f"[yellow]warning:[/] {w}", highlight=False)
    if as_json:
        print_json(report.as_json())
        return
    m = report.manifest
    sizes = ", ".join(f"{s} {info['rows']}" for s, info in m["splits"].items())
    console.print(f"[bold]{kind}[/] → {report.out} ({m['format']}): {sizes}")
    skipped = m["selection"]["skipped"]
    if skipped:
        console.print("left out: " + ", ".join(f"{n} {r}" for r, n in skipped.items()), highlight=False)
    if m.get("balance"):
        b = m["balance"]
        dropped = "; ".join(f"{k}: " + ", ".join(f"{v} {n}" for v, n in d.items())
                            for k, d in b["dropped_by"].items() if d)
        console.print(f"balanced to {b['spec']}: kept {b['kept']}, dropped {b['dropped']}"
                      + (f" ({dropped})" if dropped else ""), highlight=False)
    if m["failures"]:
        console.print(f"[yellow]{len(m['failures'])} examples failed while writing[/] (see export.json)")
    console.print(f"dataset card: {report.out / 'README.md'}")


@export_app.command("sft", cls=_Command)
def sft_cmd(
    ctx: typer.Context,
    old_out: OldOutArg = None,
    out: OutOpt = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="hf | llamafactory | swift | jsonl")] = "hf",
    source: SourceOpt = "refined",
    min_score: MinScoreOpt = None,
    scorer: ScorerOpt = None,
    balance: Annotated[
        str | None, typer.Option("--balance", help="Target proportions, e.g. category=25:25:50 (semantic:stylistic:structural).")
    ] = None,
    where: WhereOpt = None,
    seed: SeedOpt = 0,
    split: SplitOpt = DEFAULT_SPLIT,
    near_dup_distance: NearDupOpt = 8,
    prompt: PromptOpt = None,
    grounded: GroundedOpt = False,
    save_splits: SaveSplitsOpt = False,
    link_images: LinkOpt = False,
    absolute_paths: AbsOpt = None,
    overwrite: OverwriteOpt = False,
    as_json: JsonOpt = False,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """SFT dataset: one example per pair — the shared two-image prompt, and the instruction as completion.

    Example: editcaption export sft -o ./sft --format hf --source run:glm --min-score 4.0 --balance category=25:25:50
    """
    _run(ctx, "sft", out, old_out, as_json, workspace, db, where, format=fmt, source=source, min_score=min_score,
         scorer=scorer, balance=balance, seed=seed, split=split, near_dup_distance=near_dup_distance, prompt_path=prompt,
         grounded=grounded, save_splits=save_splits, link_images=link_images, absolute_paths=absolute_paths, overwrite=overwrite)


@export_app.command("prefs", cls=_Command)
def prefs_cmd(
    ctx: typer.Context,
    old_out: OldOutArg = None,
    out: OutOpt = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="hf | llamafactory | swift | jsonl")] = "hf",
    balance: Annotated[
        str | None,
        typer.Option("--balance", help="Failure-mode proportions (orientation:viewpoint:detail); default equal "
                                       "thirds; the paper's split is error_type=34.2:31.5:34.3; 'none' keeps all."),
    ] = None,
    where: WhereOpt = None,
    seed: SeedOpt = 0,
    split: SplitOpt = DEFAULT_SPLIT,
    near_dup_distance: NearDupOpt = 8,
    prompt: PromptOpt = None,
    ref_logps: Annotated[
        Path | None,
        typer.Option("--ref-logps", help="JSONL/Parquet of id, ref_chosen_logps, ref_rejected_logps to include."),
    ] = None,
    no_simulated: Annotated[bool, typer.Option("--no-simulated", help="Leave out simulated annotators' preferences.")] = False,
    grounded: GroundedOpt = False,
    save_splits: SaveSplitsOpt = False,
    link_images: LinkOpt = False,
    absolute_paths: AbsOpt = None,
    overwrite: OverwriteOpt = False,
    as_json: JsonOpt = False,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Preference dataset: chosen / rejected / error_type / severity per pair, balanced across failure modes.

    Example: editcaption export prefs -o ./prefs --format hf --balance error_type=34.2:31.5:34.3
    """
    _run(ctx, "prefs", out, old_out, as_json, workspace, db, where, format=fmt, balance=balance, seed=seed, split=split,
         near_dup_distance=near_dup_distance, prompt_path=prompt, ref_logps=ref_logps, grounded=grounded,
         include_simulated=not no_simulated, save_splits=save_splits, link_images=link_images,
         absolute_paths=absolute_paths, overwrite=overwrite)


@export_app.command("triplets", cls=_Command)
def triplets_cmd(
    ctx: typer.Context,
    old_out: OldOutArg = None,
    out: OutOpt = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="hf | jsonl | webdataset")] = "hf",
    source: SourceOpt = "refined",
    min_score: MinScoreOpt = None,
    scorer: ScorerOpt = None,
    balance: Annotated[str | None, typer.Option("--balance", help="Target proportions, e.g. category=25:25:50.")] = None,
    where: WhereOpt = None,
    seed: SeedOpt = 0,
    split: SplitOpt = DEFAULT_SPLIT,
    near_dup_distance: NearDupOpt = 8,
    shard_size: Annotated[int, typer.Option("--shard-size", help="webdataset: samples per tar shard.")] = 1000,
    save_splits: SaveSplitsOpt = False,
    link_images: LinkOpt = False,
    absolute_paths: AbsOpt = None,
    overwrite: OverwriteOpt = False,
    as_json: JsonOpt = False,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Editing triplets (source image, target image, instruction) for InstructPix2Pix-style editing models.

    Example: editcaption export triplets -o ./triplets --format webdataset --shard-size 500
    """
    _run(ctx, "triplets", out, old_out, as_json, workspace, db, where, format=fmt, source=source, min_score=min_score,
         scorer=scorer, balance=balance, seed=seed, split=split, near_dup_distance=near_dup_distance,
         shard_size=shard_size, save_splits=save_splits, link_images=link_images, absolute_paths=absolute_paths,
         overwrite=overwrite)


def register(app: typer.Typer) -> None:
    app.add_typer(export_app, name="export")
