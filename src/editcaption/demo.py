"""`editcaption demo`: the whole pipeline, offline, on the bundled sample pairs.

Each stage adds a step to :data:`STEPS`; a step receives the demo context and prints what
it did. The demo never needs a model server or network.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table


@dataclass
class DemoContext:
    out: Path
    console: Console
    workspace: Any = None
    results: dict[str, Any] = field(default_factory=dict)


def samples_dir() -> Path:
    return Path(str(resources.files("editcaption") / "samples"))


def step_ingest(ctx: DemoContext) -> None:
    from .sources import ingest
    from .workspace import Workspace

    ctx.workspace = Workspace.init(ctx.out / "workspace")
    report = ingest(ctx.workspace, samples_dir() / "pairs" / "manifest.jsonl")
    ctx.results["ingest"] = report.as_json()
    ctx.console.print(
        f"[bold]1. ingest[/]: {report.ingested} new pairs, {report.duplicates} already present, "
        f"{len(report.rejected)} rejected"
    )


def step_stats(ctx: DemoContext) -> None:
    from .workspace.queries import list_pairs, pair_stats

    with ctx.workspace.session() as s:
        stats = pair_stats(s)
        pairs = list_pairs(s)
        table = Table("pair", "category", "subtype", "source", "target", title="sample pairs")
        for p in pairs:
            table.add_row(p.name or p.id, p.category or "", p.subtype or "", f"{p.source.width}×{p.source.height}",
                          f"{p.target.width}×{p.target.height}")
    ctx.results["stats"] = stats
    ctx.console.print(table)
    ctx.console.print(f"[bold]2. pairs stats[/]: {stats['pairs']} pairs by category {stats['by_category']}")


STEPS: list[tuple[str, Callable[[DemoContext], None]]] = [
    ("ingest", step_ingest),
    ("stats", step_stats),
]


def run_demo(out: Path, console: Console | None = None) -> DemoContext:
    ctx = DemoContext(out=out, console=console or Console())
    out.mkdir(parents=True, exist_ok=True)
    try:
        for _name, step in STEPS:
            step(ctx)
    finally:
        if ctx.workspace is not None:
            ctx.workspace.close()
    ctx.console.print(f"\nDemo workspace: [bold]{out / 'workspace'}[/] — try "
                      f"`editcaption pairs list -w {out / 'workspace'}`")
    return ctx
