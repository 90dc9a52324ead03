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
    from .ingest import ingest
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


def _sample_files(ctx: DemoContext) -> list[tuple[str, Path, Path]]:
    """(name, source file, target file) of the bundled sample pairs in the demo workspace."""
    from .workspace.queries import list_pairs

    store = ctx.workspace.store
    with ctx.workspace.session() as s:
        return [(p.name or p.id, store.local_path(p.source.sha256, p.source.ext),
                 store.local_path(p.target.sha256, p.target.ext))
                for p in list_pairs(s, {"origin": ["samples"]})]


def step_delta(ctx: DemoContext) -> None:
    """The visual delta analyzer on every sample pair, and its offline `delta` instruction."""
    from .delta import analyze_files, describe
    from .delta.wording import summary

    table = Table("pair", "camera", "tone", "local changes", "delta instruction", title="measured (editcaption analyze)")
    reports = {}
    for name, src, tgt in _sample_files(ctx):
        report = analyze_files(src, tgt)
        reports[name] = report
        table.add_row(name, *summary(report.to_json(name)), describe(report))
    ctx.results["delta"] = {name: r.to_json(name) for name, r in reports.items()}
    ctx.console.print(table)
    ctx.console.print(f"[bold]{_number('delta')}. analyze[/]: {len(reports)} pairs measured and captioned offline "
                      "by the delta analyzer (editcaption analyze SRC TGT)")


def step_check(ctx: DemoContext) -> None:
    """The checker on a correct instruction and on the same one with left and right swapped."""
    from .delta import analyze_files, check
    from .directions import swap_direction_words

    name = "chelsea_pan_left"
    files = {n: (src, tgt) for n, src, tgt in _sample_files(ctx)}
    report = analyze_files(*files[name])
    right = "Pan the camera to the left."
    wrong = swap_direction_words(right)  # a deliberate orientation mistake
    results = {}
    for text in (right, wrong):
        flags = check(report, text)
        results[text] = [f.to_json() for f in flags]
        shown = "; ".join(f"[red]{f.severity} {f.type}[/]: {f.message}" for f in flags) or "[green]no flags[/]"
        ctx.console.print(f"   {name}: {text!r} → {shown}", highlight=False)
    ctx.results["check"] = results
    ctx.console.print(f"[bold]{_number('check')}. check[/]: the checker flags the swapped direction "
                      "(editcaption check SRC TGT --instruction TEXT)")


def _number(name: str) -> int:
    return next(i for i, (n, _) in enumerate(STEPS, 1) if n == name)


def step_caption(ctx: DemoContext) -> None:
    """The bundled samples captioned offline by the delta backend through the run engine."""
    from .caption import CaptionConfig, run_caption
    from .caption.records import iter_instructions

    config = CaptionConfig(model="delta", run_name="demo-caption", where={"origin": ["samples"]})
    first = run_caption(ctx.workspace, config)
    again = run_caption(ctx.workspace, config)  # same run name: resumes, nothing left to do
    with ctx.workspace.session() as s:
        rows = list(iter_instructions(s, "demo-caption", status=None))
    table = Table("pair", "instruction (delta)", title="demo-caption")
    for r in rows:
        table.add_row(r["pair_name"] or r["pair_id"], r["instruction"] or f"[red]{r['error']}")
    ctx.console.print(table)
    ctx.results["caption"] = {"run": first.run, "done": first.run_totals.get("ok", 0),
                              "failed": first.run_totals.get("failed", 0), "resumed_skipped": again.already_done}
    ctx.console.print(
        f"[bold]{_number('caption')}. caption[/]: run demo-caption — {first.done} written now, "
        f"{first.run_totals.get('ok', 0)} ok in total in {first.wall_time:.1f} s; run again, it resumed and "
        f"skipped {again.already_done} done pairs (editcaption runs show demo-caption)")


def step_evaluate(ctx: DemoContext) -> None:
    """EditWorld pairs with exact truth, captioned by the delta analyzer and scored exactly
    (the offline stand-in for the LLM judge); the pairs' reference instructions are scored too."""
    from .caption import CaptionConfig, run_caption
    from .evaluate.benchmarks import prepare_editworld
    from .evaluate.exact import score_run_exact

    bench = prepare_editworld(ctx.workspace, n=6, seed=0, size=256, family="objects", name="editworld-demo")
    caption = run_caption(ctx.workspace, CaptionConfig(model="delta", run_name="demo-delta",
                                                       where={"origin": ["editworld"]}, retry_failed=True))
    scored = {run: score_run_exact(ctx.workspace, run, benchmark=bench.name).means
              for run in ("demo-delta", "source:manifest")}
    ctx.results["evaluate"] = {"benchmark": bench.name, "pairs": len(bench.pair_ids),
                               "captioned": caption.run_totals.get("ok", 0), "scores": scored}
    shown = " · ".join(f"{run} S={m['S']:.3f} (n={m['n']})" if m.get("S") is not None else f"{run}: no scores"
                       for run, m in scored.items())
    ctx.console.print(f"[bold]{_number('evaluate')}. evaluate[/]: {len(bench.pair_ids)} EditWorld pairs, "
                      f"delta captioned {caption.run_totals.get('ok', 0)}; exact scores: {shown}")


def step_annotate(ctx: DemoContext) -> None:
    """Annotation queues over the samples, and the two commands that open the studio on them."""
    from sqlalchemy import func, select

    from .annotate.queues import QueueSpec, add_queue
    from .workspace import InstructionRecord

    with ctx.workspace.session() as s:  # the delta captions when the caption step wrote some
        captioned = s.scalar(select(func.count()).where(InstructionRecord.run_id == "demo-caption",
                                                        InstructionRecord.status == "ok"))
    run = "demo-caption" if captioned else "source:manifest"
    where = {"origin": ["samples"]}
    specs = [QueueSpec("refine", run, where=where), QueueSpec("prefer", run, where=where),
             QueueSpec("judge", run, where=where, overlap=2), QueueSpec("verify-gt", None, where=where)]
    made = [add_queue(ctx.workspace, spec, actor="demo") for spec in specs]
    ctx.results["annotate"] = {m["queue"]: m["tasks"] for m in made}
    root = ctx.workspace.root
    ctx.console.print(
        f"[bold]{_number('annotate')}. annotate[/]: queues "
        + ", ".join(f"{m['queue']} ({m['tasks']})" for m in made)
        + f". Open the studio: `editcaption annotate user add me --role admin -w {root}` then "
        f"`editcaption annotate serve -w {root}` and browse http://127.0.0.1:8000/"
    )


def step_report(ctx: DemoContext) -> None:
    from .evaluate.report import write_report

    files = write_report(ctx.workspace, ctx.out / "report")
    ctx.results["report"] = str(files.html)
    ctx.console.print(f"[bold]{_number('report')}. report[/]: {files.html} and {files.markdown.name}")


STEPS: list[tuple[str, Callable[[DemoContext], None]]] = [
    ("ingest", step_ingest),
    ("stats", step_stats),
    ("delta", step_delta),
    ("check", step_check),
    ("caption", step_caption),
    ("evaluate", step_evaluate),
    ("annotate", step_annotate),
    ("report", step_report),  # keep last: it reports on everything the steps before produced
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
