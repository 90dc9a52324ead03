"""The `editcaption` command line: one sub-command (group) per pipeline stage.

Each stage module registers its commands on the app; command bodies import their stage
lazily so that `editcaption --help` and every non-training command stay free of torch.
"""

from __future__ import annotations

import importlib

import typer

from .. import __version__

app = typer.Typer(
    name="editcaption",
    help=(
        "Turn (source image, target image) pairs into precise editing instructions, and train "
        "vision-language models to write them.\n\n"
        "Pipeline: ingest → caption → score/filter → annotate → export → train → evaluate.\n\n"
        "Example: editcaption demo"
    ),
    no_args_is_help=True,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"editcaption {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version and exit."),
) -> None:
    """EditCaption command line."""


# One module per stage; each exposes register(app). Add a stage by adding its line here.
STAGE_MODULES = [
    "workspace_cmd",
    "ingest_cmd",
    "pairs_cmd",
    "demo_cmd",
    "caption_cmd",
    "runs_cmd",
    "instructions_cmd",
    "export_cmd",
    "train_cmd",
    "annotate_cmd",
    "synth_cmd",
    "score_cmd",
    "eval_cmd",
    "analyze_cmd",
    "check_cmd",
    "reproduce_cmd",
    "store_cmd",
]
for _name in STAGE_MODULES:
    importlib.import_module(f"{__name__}.{_name}").register(app)


def main() -> None:
    app()
