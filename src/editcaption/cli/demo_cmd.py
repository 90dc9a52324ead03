"""`editcaption demo`: run the offline end-to-end demo."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._common import console


def demo(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the demo workspace and outputs.")] = Path("editcaption-demo"),
) -> None:
    """Run the pipeline offline on the bundled sample pairs (no model server, no network).

    Example: editcaption demo --out /tmp/ec-demo
    """
    from ..demo import run_demo

    run_demo(out, console)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
