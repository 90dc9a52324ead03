"""`editcaption train sft|dpo|reference|options|synth-data`: SFT and HAE-DPO for multi-image VLMs.

Only the command bodies import the training stack (torch, transformers); `--help` stays light.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._common import JsonOpt, console, fail, output_path, print_json

train_app = typer.Typer(
    help=(
        "Train VLMs to write editing instructions: SFT, then HAE-DPO (paper §3.2).\n\n"
        "Configs are YAML files (see examples/train/); any key can be overridden as key=value.\n\n"
        "Example: editcaption train sft examples/train/tiny-sft.yaml max_steps=20"
    ),
    no_args_is_help=True,
)

ConfigArg = Annotated[Path, typer.Argument(help="YAML config file (examples/train/*.yaml).", show_default=False)]
OverridesArg = Annotated[
    list[str] | None,
    typer.Argument(help="Overrides as key=value (nested: lora.r=8).", show_default=False),
]
ResumeOpt = Annotated[bool, typer.Option("--resume", help="Continue from the last complete checkpoint in output_dir.")]


def _errors() -> tuple[type[BaseException], ...]:
    from ..importutils import MissingExtraError
    from ..train.config import ConfigError
    from ..train.data import DatasetError

    errors: list[type[BaseException]] = [ConfigError, DatasetError, MissingExtraError, FileNotFoundError]
    try:
        from ..train.run import TrainError

        errors.append(TrainError)
    except ImportError:
        pass
    return tuple(errors)


def _load(kind: str, config: Path, overrides: list[str] | None, extra: list[str] | None = None):  # noqa: ANN202
    from ..train.config import load_config

    return load_config(kind, config, [*(overrides or []), *(extra or [])])


def _report(summary: dict, as_json: bool) -> None:
    if as_json:
        print_json(summary)
        return
    last = summary.get("last_logged") or {}
    console.print(f"[bold]{summary['kind']}[/] finished: {summary['global_step']} steps, "
                  f"loss {last.get('loss', 'n/a')}, model saved to {summary['final_model']}")


@train_app.command("sft")
def sft_cmd(config: ConfigArg, overrides: OverridesArg = None, resume: ResumeOpt = False,
            as_json: JsonOpt = False) -> None:
    """Supervised fine-tuning on an SFT export (loss on the answer tokens only).

    Example: editcaption train sft examples/train/tiny-sft.yaml data=runs/tiny-data/sft
    """
    try:
        cfg = _load("sft", config, overrides)
        from ..train.run import run_sft

        summary = run_sft(cfg, resume=resume)
    except _errors() as exc:
        fail(str(exc))
    _report(summary, as_json)


@train_app.command("dpo")
def dpo_cmd(
    config: ConfigArg,
    overrides: OverridesArg = None,
    loss: Annotated[str | None, typer.Option(
        "--loss", help="dpo | hae | hae-severity | hae-hardness (paper Table 4 ablations); overrides the config.")] = None,
    resume: ResumeOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Preference training with the HAE-DPO margin on a preference export.

    Reference log-probs come from the dataset when present, else one pass of the frozen
    reference (default: the starting model) computes and stores them before training.

    Example: editcaption train dpo examples/train/tiny-dpo.yaml --loss hae-severity
    """
    try:
        cfg = _load("dpo", config, overrides, [f"loss={loss}"] if loss else None)
        from ..train.run import run_dpo

        summary = run_dpo(cfg, resume=resume)
    except _errors() as exc:
        fail(str(exc))
    _report(summary, as_json)


@train_app.command("reference")
def reference_cmd(
    config: ConfigArg,
    out: Annotated[Path, typer.Option("--out", "-o", help="Directory for the dataset copy with reference log-probs.")],
    overrides: OverridesArg = None,
    as_json: JsonOpt = False,
) -> None:
    """Compute the frozen reference's log-probs once and write the dataset with them added.

    Example: editcaption train reference examples/train/tiny-dpo.yaml -o runs/tiny-data/pref-ref
    """
    try:
        cfg = _load("dpo", config, overrides)
        from ..train.run import run_reference

        result = run_reference(cfg, out)
    except _errors() as exc:
        fail(str(exc))
    if as_json:
        print_json(result)
    else:
        console.print(f"wrote {result['out']} ({', '.join(f'{k}: {v} rows' for k, v in result['rows'].items())})")


@train_app.command("options")
def options_cmd(
    kind: Annotated[str, typer.Argument(help="sft or dpo.")],
    as_json: JsonOpt = False,
) -> None:
    """List every config key with its type, default and meaning.

    Example: editcaption train options dpo
    """
    from ..train.config import CONFIG_CLASSES, describe

    if kind not in CONFIG_CLASSES:
        fail(f"unknown kind {kind!r}; choose sft or dpo")
    rows = describe(CONFIG_CLASSES[kind])
    if as_json:
        for key, tp, default, text in rows:
            print_json({"key": key, "type": tp, "default": default, "help": text})
        return
    from rich.table import Table

    table = Table("key", "type", "default", "meaning")
    for key, tp, default, text in rows:
        table.add_row(key, tp, repr(default), text)
    console.print(table)


# The output folder used to be a positional argument: still accepted (as an extra argument, so
# that the usage line shows only the new spelling), with a deprecation line.
@train_app.command("synth-data", context_settings={"allow_extra_args": True})
def synth_data_cmd(
    ctx: typer.Context,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Directory to write train.parquet / val.parquet into. Required.", show_default=False)] = None,
    kind: Annotated[str, typer.Option(help="sft or preference.")] = "sft",
    n: Annotated[int, typer.Option(help="Training rows.")] = 32,
    n_val: Annotated[int, typer.Option(help="Validation rows.")] = 8,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    image_size: Annotated[int, typer.Option(help="Image side in pixels.")] = 64,
) -> None:
    """Write a small synthetic dataset in the export format (for smoke runs of the tiny configs).

    Example: editcaption train synth-data -o runs/tiny-data/sft --kind sft
    """
    if len(ctx.args) > 1:
        fail(f"unexpected arguments: {' '.join(ctx.args[1:])}")
    folder = output_path(out, Path(ctx.args[0]) if ctx.args else None)
    if folder is None:
        fail("Missing option '-o' / '--out'.")
    if kind not in ("sft", "preference"):
        fail(f"--kind must be sft or preference, got {kind!r}")
    try:
        from ..train.synthetic import write_synthetic_dataset

        path = write_synthetic_dataset(folder, kind, n=n, n_val=n_val, seed=seed, image_size=image_size)
    except _errors() as exc:
        fail(str(exc))
    console.print(f"wrote {kind} dataset to {path}")


def register(app: typer.Typer) -> None:
    app.add_typer(train_app, name="train")
