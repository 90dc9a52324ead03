"""`editcaption score`, `editcaption filter`, `editcaption scores export`: EditScore scores and the 4.0 filter."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._common import (
    DEFAULT_API_KEY_ENV,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    MODEL_CALLS_PANEL,
    ApiKeyEnvOpt,
    ConcurrencyOpt,
    DbOpt,
    ExecutorOpt,
    ExtraBodyOpt,
    JsonOpt,
    MaxRetriesOpt,
    NoProgressOpt,
    RayAddressOpt,
    RayBatchSizeOpt,
    RayWorkersOpt,
    TemperatureOpt,
    TimeoutOpt,
    WhereOpt,
    WorkspaceOpt,
    console,
    err_console,
    fail,
    model_calls,
    model_spec,
    open_workspace,
    print_json,
    progress_bar,
    ray_options,
    run_resumable,
    write_jsonl,
)

PROTOCOL_PANEL = "Protocol"

RunOpt = Annotated[str | None, typer.Option("--run", help="The run whose instructions to use (default: the only run with instructions).")]


def score(
    model: Annotated[str | None, typer.Option("--model", "-m", help="editscore:<model>@<base_url> — an EditScore model served by vLLM (or any OpenAI-compatible server). Required.", show_default=False)] = None,
    scorer_old: Annotated[str | None, typer.Option("--scorer", hidden=True, help="Old spelling of --model.")] = None,
    base: Annotated[str | None, typer.Option("--base", help="Prompt layout of the base model: qwen25vl (EditScore-7B/32B/72B) or qwen3vl (EditScore-Qwen3-VL-*). Default: from the model name.", rich_help_panel=PROTOCOL_PANEL)] = None,
    passes: Annotated[int, typer.Option("--passes", help="Passes averaged per item (EditScore's self-ensemble, avg@N); pass i samples with seed+i.", rich_help_panel=PROTOCOL_PANEL)] = 1,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the first pass.", rich_help_panel=PROTOCOL_PANEL)] = 42,
    sc_prompt: Annotated[Path | None, typer.Option("--sc-prompt", help="Your own semantic-consistency prompt file ({instruction} and {max_score} slots).", dir_okay=False, rich_help_panel=PROTOCOL_PANEL)] = None,
    pq_prompt: Annotated[Path | None, typer.Option("--pq-prompt", help="Your own perceptual-quality prompt file ({max_score} slot).", dir_okay=False, rich_help_panel=PROTOCOL_PANEL)] = None,
    run: RunOpt = None,
    score_run: Annotated[str | None, typer.Option("--score-run", help="Name of the scoring run (default: score-<run>-<model>); the same name resumes it.")] = None,
    where: WhereOpt = None,
    limit: Annotated[int | None, typer.Option(help="Score only the first N matching instructions.")] = None,
    rescore: Annotated[bool, typer.Option("--rescore", help="Score again items this scoring run already scored (cached answers still apply).")] = False,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Ask the server even for requests it answered before (new answers replace cached ones).")] = False,
    api_key_env: ApiKeyEnvOpt = DEFAULT_API_KEY_ENV,
    extra_body: ExtraBodyOpt = None,
    temperature: TemperatureOpt = None,
    timeout: TimeoutOpt = DEFAULT_TIMEOUT,
    max_retries: MaxRetriesOpt = DEFAULT_MAX_RETRIES,
    concurrency: ConcurrencyOpt = None,
    image_max_side: Annotated[int, typer.Option("--image-max-side", help="Images are downscaled so their longer side is at most this.", rich_help_panel=MODEL_CALLS_PANEL)] = 1024,
    image_format: Annotated[str, typer.Option("--image-format", help="jpeg or png (how images travel to the server).", rich_help_panel=MODEL_CALLS_PANEL)] = "jpeg",
    executor: ExecutorOpt = "local",
    ray_address: RayAddressOpt = None,
    ray_workers: RayWorkersOpt = 2,
    ray_batch_size: RayBatchSizeOpt = 16,
    no_progress: NoProgressOpt = False,
    as_json: JsonOpt = False,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Score a run's instructions with an EditScore model (semantic consistency × perceptual quality, 0–10).

    Per item and pass: one call with both images and the instruction (edit success, over-editing)
    and one with the target image (naturalness, artifacts); raw 0–25 answers are scaled to 0–10 and
    overall = sqrt(min(SC) × min(PQ)), averaged over passes. An answer that cannot be read gets one
    repair request, then the item is `unscored` with the reason — a score is never made up. Answers
    are cached in the workspace: running the same command again makes no new calls.

    With --executor ray the requests are made by Ray actors (on a cluster: --ray-address); the
    scores are the same, written here as they arrive.

    Example: editcaption score -m editscore:EditScore-7B@http://localhost:8000/v1 --run teacher-v1 --passes 4
    """
    from ..importutils import MissingExtraError
    from ..llm.spec import ModelSpecError
    from ..runner.ray_executor import RayWorkerError
    from ..scoring import ScoreConfig, ScoreConfigError, ScoringSelectionError, run_scoring
    from ..workspace.queries import WhereError, parse_where

    spec = model_spec(model, scorer_old, old="--scorer")
    calls = model_calls(api_key_env, extra_body, temperature, timeout, max_retries, concurrency)
    ray = ray_options(executor, ray_address, ray_workers, ray_batch_size)
    try:
        config = ScoreConfig(
            scorer=spec, base=base, passes=passes, seed=seed, run=run, score_run=score_run, where=parse_where(where),
            limit=limit, calls=calls, rescore=rescore, use_cache=not no_cache, image_max_side=image_max_side,
            image_format=image_format, sc_prompt=str(sc_prompt) if sc_prompt else None,
            pq_prompt=str(pq_prompt) if pq_prompt else None,
        )
        config.validate()
    except (WhereError, ModelSpecError, ScoreConfigError) as exc:
        fail(str(exc))
    ws = open_workspace(workspace, db)
    progress = progress_bar(no_progress, as_json)
    run_resumable(ws, lambda: run_scoring(ws, config, progress=progress, ray=ray),
                  errors=(ScoreConfigError, ScoringSelectionError, MissingExtraError, RayWorkerError), what="scoring",
                  saved="finished scores", as_json=as_json, show=_print_score_summary)


def _print_score_summary(summary) -> None:  # noqa: ANN001 - ScoreSummary
    from rich.table import Table

    verb = "resumed" if summary.resumed else "started"
    console.print(f"Scoring run [bold]{summary.score_run}[/] ({verb}) · {summary.scorer} · base {summary.base} · "
                  f"{summary.passes} pass{'es' if summary.passes > 1 else ''} · instructions of run {summary.run}")
    table = Table("", "instructions", show_header=False, box=None, pad_edge=False)
    table.add_row("selected", str(summary.selected))
    table.add_row("already scored", str(summary.already_scored))
    table.add_row("[green]scored now[/]", str(summary.ok))
    table.add_row("[red]unscored now[/]", str(summary.unscored))
    for reason, n in summary.unscored_by_reason.items():
        table.add_row(f"  {reason}", str(n))
    console.print(table)
    console.print(f"requests: {summary.calls} to the server, {summary.cached_calls} answered from the workspace cache"
                  f" · wall time {summary.wall_time:.1f} s · run status: {summary.status} "
                  f"({summary.run_totals.get('ok', 0)} ok, {summary.run_totals.get('unscored', 0)} unscored in total)")
    if summary.run_totals.get("unscored"):
        console.print("Unscored items have no score and never pass a filter; see why with "
                      f"`editcaption scores export --run {summary.score_run} --status unscored`. "
                      "Failed requests are retried by running the same command again.")


def filter_cmd(
    minimum: Annotated[list[str] | None, typer.Option("--min", help="Threshold on the 0–10 overall: a number (default for all), or CATEGORY=N / SUBTYPE=N. Repeatable. Default 4.0 (the paper's).")] = None,
    run: RunOpt = None,
    scorer: Annotated[str | None, typer.Option("--scorer", help="Whose scores to use, e.g. editscore:EditScore-7B (needed when several scorers scored the run). Selects stored scores by the scorer that made them; no model is called.")] = None,
    where: WhereOpt = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only report keep rates; change no marks.")] = False,
    as_json: JsonOpt = False,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Mark a run's instructions kept or dropped by their latest score, and print keep rates by category and subtype.

    Nothing is deleted: marks (kept, keep reason) can be rewritten by filtering again. An instruction
    without an ok score (never scored, or unscored) is dropped.

    Example: editcaption filter --run teacher-v1 --min 4.0 --min structural=3.5
    """
    from ..scoring import ScoringSelectionError, ThresholdError, apply_filter, parse_thresholds
    from ..workspace.queries import WhereError, parse_where

    try:
        thresholds = parse_thresholds(minimum)
        w = parse_where(where)
    except (ThresholdError, WhereError) as exc:
        fail(str(exc))
    ws = open_workspace(workspace, db)
    try:
        report = apply_filter(ws, thresholds, run=run, scorer=scorer, where=w, dry_run=dry_run)
    except (ScoringSelectionError, ThresholdError) as exc:
        fail(str(exc))
    finally:
        ws.close()
    if as_json:
        print_json(report.to_json())
        return
    _print_filter_report(report)


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _num(value: float) -> str:
    """4.0 → "4.0", 3.75 → "3.75" (thresholds read as the user wrote them)."""
    return f"{value:.1f}" if round(value, 1) == value else f"{value:g}"


def _print_filter_report(report) -> None:  # noqa: ANN001 - FilterReport
    from rich.table import Table

    th = report.thresholds
    per_key = ", ".join(f"{k} ≥ {_num(v)}" for k, v in sorted(th.by_key.items()))
    default = _num(th.default) + ("" if th.default_given else " (the paper's default)")
    console.print(f"Run [bold]{report.run}[/] · scores of {report.scorer} · keep overall ≥ {default}"
                  + (f"; {per_key}" if per_key else "") + (" · [yellow]dry run: no marks changed[/]" if report.dry_run else ""))
    # "no score" = unscored + never scored (the JSON output keeps them apart).
    columns = ("min", "n", "kept", "keep", "below", "no score", "mean")

    def row(stats) -> list[str]:  # noqa: ANN001 - GroupStats
        j = stats.to_json()
        return ["mixed" if j["threshold"] is None else _num(j["threshold"]), str(j["total"]), str(j["kept"]),
                _rate(stats.keep_rate), str(j["below_threshold"]), str(j["unscored"] + j["not_scored"]),
                "-" if j["mean_overall"] is None else f"{j['mean_overall']:.2f}"]

    table = Table(title="Keep rates by category")
    for i, name in enumerate(("category", *columns)):
        table.add_column(name, no_wrap=i == 0, justify="left" if i == 0 else "right")
    for name, stats in sorted(report.by_category.items()):
        table.add_row(name, *row(stats))
    table.add_row("[bold]all[/]", *row(report.overall))
    console.print(table)
    sub = Table(title="Keep rates by subtype")
    for i, name in enumerate(("category / subtype", *columns)):
        sub.add_column(name, no_wrap=i == 0, justify="left" if i == 0 else "right")
    for (cat, st), stats in sorted(report.by_subtype.items()):
        sub.add_row(f"{cat} / {st}", *row(stats))
    console.print(sub)
    overall = report.overall.keep_rate
    for name, stats in sorted(report.by_category.items()):
        rate = stats.keep_rate
        if overall is not None and rate is not None and stats.total >= 5 and overall - rate >= 0.15:
            console.print(f"[yellow]Note:[/] {name} keeps {_rate(rate)} against {_rate(overall)} overall; if its "
                          f"scores run low for this kind of edit, give it its own threshold, e.g. --min {name}=3.5")
    missing = report.overall.unscored + report.overall.not_scored
    if missing:
        console.print(f"{missing} instructions have no ok score ({report.overall.unscored} unscored, "
                      f"{report.overall.not_scored} never scored) and were dropped: no score is ever assumed.")
    if report.failed_instructions:
        console.print(f"{report.failed_instructions} failed instructions (no text) were left unmarked.")


scores_app = typer.Typer(help="Scores in the workspace.\n\nExample: editcaption scores export --run teacher-v1 -o scores.jsonl",
                         no_args_is_help=True)


@scores_app.command("export")
def export_cmd(
    run: Annotated[str, typer.Option("--run", help="An instruction run (the scores of its instructions) or a scoring run (its rows).")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Output file (default: standard output).", dir_okay=False)] = None,
    scorer: Annotated[str | None, typer.Option("--scorer", help="Only this scorer's scores, e.g. editscore:EditScore-7B (selects stored scores by the scorer that made them; no model is called).")] = None,
    status: Annotated[str, typer.Option(help="ok, unscored or all.")] = "all",
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Write scores as JSONL: instruction_id, pair_id, pair_name, category, subtype, run, instruction, scorer,
    score_run, status, overall, reason, components (every sub-score and raw answer per pass), created_at.

    Example: editcaption scores export --run teacher-v1 --status unscored -o unscored.jsonl
    """
    from ..scoring import ScoringSelectionError, iter_score_rows

    if status not in ("ok", "unscored", "all"):
        fail(f"--status must be ok, unscored or all, not {status!r}")
    ws = open_workspace(workspace, db)
    try:
        with ws.session() as s:
            n = write_jsonl(iter_score_rows(s, run, scorer, None if status == "all" else status), out)
    except ScoringSelectionError as exc:
        fail(str(exc))
    finally:
        ws.close()
    if out:
        err_console.print(f"{n} scores → {out}")


def register(app: typer.Typer) -> None:
    app.command("score")(score)
    app.command("filter")(filter_cmd)
    app.add_typer(scores_app, name="scores")
