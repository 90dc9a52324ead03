"""`editcaption eval ...`: benchmarks, the LLM judge, the exact EditWorld scorer, human statistics.

The same module registers `editcaption report` and `editcaption gt` (see report_cmd.py,
gt_cmd.py), so the evaluate stage takes one line in STAGE_MODULES.
"""

from __future__ import annotations

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
    fail,
    in_session,
    model_calls,
    model_spec,
    open_workspace,
    print_json,
    progress_bar,
    ray_options,
    run_resumable,
)

eval_app = typer.Typer(
    help="Evaluate instructions: benchmarks, LLM judge, exact EditWorld scores, human statistics.\n\n"
         "Example: editcaption eval judge --run teacher-v1 -m openai:gpt-4.1@https://api.openai.com/v1",
    no_args_is_help=True,
)
KINDS_HELP = "hqedit, bytemorph, editworld or custom"


@eval_app.command("prepare")
def prepare(
    kind: Annotated[str, typer.Argument(help=f"Benchmark kind: {KINDS_HELP}.")],
    name: Annotated[str | None, typer.Option(help="Benchmark name (default: the kind; editworld: editworld-s<seed>-n<n>).")] = None,
    n: Annotated[int | None, typer.Option("--n", help="Pairs to sample (hqedit default 500, editworld 200; bytemorph and custom: all).")] = None,
    seed: Annotated[int, typer.Option(help="Sampling / generation seed.")] = 0,
    where: WhereOpt = None,
    both_directions: Annotated[bool, typer.Option("--both-directions", help="hqedit: also sample inverse edits.")] = False,
    size: Annotated[int, typer.Option(help="editworld: image side in pixels.")] = 256,
    family: Annotated[str, typer.Option(help="editworld: objects, photos or both.")] = "both",
    mix: Annotated[str | None, typer.Option(help="editworld: category mix, e.g. semantic=0.4,stylistic=0.3,structural=0.3.")] = None,
    verified_only: Annotated[bool, typer.Option("--verified-only", help="custom: only pairs whose ground truth people verified.")] = False,
    replace: Annotated[bool, typer.Option("--replace", help="Rebuild a benchmark of that name with new settings.")] = False,
    as_json: JsonOpt = False,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Record a benchmark: a seeded selection of pairs that --benchmark NAME selects later.

    hqedit: N (500) random HQ-Edit train pairs; bytemorph: ByteMorph-Bench's test pairs (all 613,
    or N stratified by category); editworld: N generated pairs with exact truth, ingested;
    custom: pairs with ground truth (--where, optional --n sample).

    Example: editcaption eval prepare hqedit --n 500 --seed 0
    """
    from ..evaluate.benchmarks import (
        KINDS,
        BenchmarkError,
        prepare_bytemorph,
        prepare_custom,
        prepare_editworld,
        prepare_hqedit,
    )
    from ..workspace.queries import WhereError, parse_where

    if kind not in KINDS:
        fail(f"unknown benchmark kind {kind!r}: choose {KINDS_HELP}")
    if n is not None and n < 1:
        fail("--n must be at least 1")
    try:
        where_dict = parse_where(where)
    except WhereError as exc:
        fail(str(exc))
    if where_dict and kind != "custom":
        fail("--where applies to custom benchmarks only")
    ws = open_workspace(workspace, db)
    try:
        if kind == "hqedit":
            bench = prepare_hqedit(ws, n=500 if n is None else n, seed=seed, name=name or "hqedit",
                                   both_directions=both_directions, replace=replace)
        elif kind == "bytemorph":
            bench = prepare_bytemorph(ws, n=n, seed=seed, name=name or "bytemorph", replace=replace)
        elif kind == "editworld":
            bench = prepare_editworld(ws, n=200 if n is None else n, seed=seed, name=name, size=size, family=family,
                                      mix=mix, replace=replace)
        else:
            bench = prepare_custom(ws, name=name or "custom", where=where_dict, n=n, seed=seed,
                                   verified_only=verified_only, replace=replace)
    except BenchmarkError as exc:
        fail(str(exc))
    finally:
        ws.close()
    if as_json:
        print_json(bench.to_json())
        return
    state = "recorded" if bench.created else "already recorded (unchanged)"
    console.print(f"Benchmark [bold]{bench.name}[/] ({bench.kind}) {state}: {len(bench.pair_ids)} pairs "
                  f"of {bench.available} available · {bench.by_category}")
    for w in bench.warnings:
        console.print(f"[yellow]warning:[/] {w}")


@eval_app.command("benchmarks")
def benchmarks(as_json: JsonOpt = False, workspace: WorkspaceOpt = None, db: DbOpt = None) -> None:
    """List the recorded benchmarks: kind, pairs, ground truth (verified), categories.

    Example: editcaption eval benchmarks --json
    """
    from ..evaluate.benchmarks import list_benchmarks

    rows = in_session(workspace, db, list_benchmarks)
    if as_json:
        for row in rows:
            print_json(row)
        return
    from rich.table import Table

    table = Table("benchmark", "kind", "pairs", "truth", "verified", "by category", "settings")
    for r in rows:
        table.add_row(r["name"], r["kind"], str(r["pairs"]), str(r["ground_truth"]), str(r["verified_ground_truth"]),
                      " ".join(f"{k} {v}" for k, v in r["by_category"].items()),
                      " ".join(f"{k}={v}" for k, v in r["config"].items() if v not in (None, {}, False)))
    console.print(table)


def _print_scoring(summary) -> None:  # noqa: ANN001 - ScoringSummary
    m = summary.means
    bench = f" on {summary.benchmark}" if summary.benchmark else ""
    console.print(f"[bold]{summary.scorer}[/] · run {summary.run}{bench}: {summary.selected} instructions, "
                  f"{summary.scored} scored now, {summary.unscored} unscored, {summary.skipped} already scored"
                  + (f", {summary.not_applicable} not applicable" if summary.not_applicable else "")
                  + (f" · calls {summary.calls}, cached {summary.cached}" if summary.calls or summary.cached else ""))
    for reason, count in summary.unscored_reasons.items():
        console.print(f"  unscored ({reason}): {count}")
    if m.get("n"):
        def f(key: str, digits: int = 2) -> str:
            return "–" if m.get(key) is None else f"{m[key]:.{digits}f}"

        console.print(f"means over {m['n']} ok scores: S {f('S', 3)} · Acc {f('accuracy')} · "
                      f"Comp {f('completeness')} · Clar {f('clarity')}")


@eval_app.command("judge")
def judge(
    run: Annotated[str, typer.Option("--run", help="The run whose instructions are judged.")],
    model: Annotated[str | None, typer.Option("--model", "-m", help="The judge: openai:<model>@<base_url>, or editworld-exact for the exact scorer. Required.", show_default=False)] = None,
    judge_old: Annotated[str | None, typer.Option("--judge", hidden=True, help="Old spelling of --model.")] = None,
    benchmark: Annotated[str | None, typer.Option(help="Only the pairs of this benchmark (eval prepare).")] = None,
    images: Annotated[bool, typer.Option("--images/--no-images", help="Send both images (multimodal judge) or the ground truth only.")] = True,
    rescore: Annotated[bool, typer.Option("--rescore", help="Recompute existing scores (cached answers cost no calls).")] = False,
    refresh: Annotated[bool, typer.Option("--refresh", help="Ask the judge again instead of reading cached answers.")] = False,
    verified_only: Annotated[bool, typer.Option("--verified-only", help="Leave pairs with unverified ground truth unscored.")] = False,
    limit: Annotated[int | None, typer.Option(help="Judge only the first N instructions.")] = None,
    api_key_env: ApiKeyEnvOpt = DEFAULT_API_KEY_ENV,
    extra_body: ExtraBodyOpt = None,
    temperature: TemperatureOpt = None,
    timeout: TimeoutOpt = DEFAULT_TIMEOUT,
    max_retries: MaxRetriesOpt = DEFAULT_MAX_RETRIES,
    concurrency: ConcurrencyOpt = None,
    max_tokens: Annotated[int, typer.Option("--max-tokens", help="Longest answer, in tokens.", rich_help_panel=MODEL_CALLS_PANEL)] = 1024,
    image_max_side: Annotated[int, typer.Option("--image-max-side", help="Longer image side sent, in pixels.", rich_help_panel=MODEL_CALLS_PANEL)] = 1024,
    executor: ExecutorOpt = "local",
    ray_address: RayAddressOpt = None,
    ray_workers: RayWorkersOpt = 2,
    ray_batch_size: RayBatchSizeOpt = 16,
    no_progress: NoProgressOpt = False,
    as_json: JsonOpt = False,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Score a run's instructions with an LLM judge on Accuracy, Completeness and Clarity (S = 0.4/0.4/0.2).

    Three requests per instruction carry the ground truth and both images; the judge reports
    findings in JSON and the scores are computed from them. Unusable answers get one repair
    request, then the instruction is left unscored with the reason. Answers are cached in the
    workspace: running again costs no calls; interrupted runs resume. --executor ray sends the
    requests from Ray actors (on a cluster: --ray-address).

    Example: editcaption eval judge --run teacher-v1 -m openai:Qwen/Qwen3-VL-235B-A22B-Instruct@http://gpu:8000/v1 --benchmark hqedit
    """
    from ..evaluate.benchmarks import BenchmarkError
    from ..evaluate.scores import EvalError

    spec = model_spec(model, judge_old, old="--judge")
    if spec == "editworld-exact":
        return exact(run=run, benchmark=benchmark, rescore=rescore, as_json=as_json, workspace=workspace, db=db)
    from ..evaluate.judge import JudgeConfig, run_judge
    from ..importutils import MissingExtraError
    from ..runner.ray_executor import RayWorkerError

    calls = model_calls(api_key_env, extra_body, temperature, timeout, max_retries, concurrency)
    ray = ray_options(executor, ray_address, ray_workers, ray_batch_size)
    config = JudgeConfig(judge=spec, run=run, benchmark=benchmark, images=images, calls=calls, rescore=rescore,
                         refresh=refresh, verified_only=verified_only, limit=limit, max_tokens=max_tokens,
                         image_max_side=image_max_side)
    try:
        config.validate()
    except EvalError as exc:
        fail(str(exc))
    ws = open_workspace(workspace, db)
    progress = progress_bar(no_progress, as_json)
    run_resumable(ws, lambda: run_judge(ws, config, progress=progress, ray=ray),
                  errors=(EvalError, BenchmarkError, MissingExtraError, RayWorkerError),
                  what="judging", saved="finished scores", as_json=as_json, show=_print_scoring)


@eval_app.command("exact")
def exact(
    run: Annotated[str, typer.Option("--run", help="The run whose instructions are scored.")],
    benchmark: Annotated[str | None, typer.Option(help="Only the pairs of this benchmark.")] = None,
    rescore: Annotated[bool, typer.Option("--rescore", help="Recompute existing scores.")] = False,
    as_json: JsonOpt = False,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Score a run's instructions on EditWorld pairs exactly (no judge): S, Accuracy, Completeness, Clarity.

    Instructions on other pairs are counted as not applicable. Same as `eval judge -m editworld-exact`.

    Example: editcaption eval exact --run caption-delta --benchmark editworld-s0-n200
    """
    from ..evaluate.benchmarks import BenchmarkError
    from ..evaluate.exact import score_run_exact
    from ..evaluate.scores import EvalError

    ws = open_workspace(workspace, db)
    try:
        summary = score_run_exact(ws, run, benchmark=benchmark, rescore=rescore)
    except (EvalError, BenchmarkError) as exc:
        fail(str(exc))
    finally:
        ws.close()
    if as_json:
        print_json(summary.to_json())
    else:
        _print_scoring(summary)


@eval_app.command("human")
def human(
    run: Annotated[list[str] | None, typer.Option("--run", help="Only these runs (repeatable; default: all judged runs).")] = None,
    benchmark: Annotated[str | None, typer.Option(help="Only instructions on this benchmark's pairs.")] = None,
    as_json: JsonOpt = False,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Human evaluation statistics: Correct/P0/P1/P2 rates with Wilson 95% intervals.

    Also the share of judgements ticking each Table 6 checklist row, the rates per category,
    and agreement (raw, Cohen's κ, Fleiss' κ) on instructions judged by several people.

    Example: editcaption eval human --run sft-hae-dpo --json
    """
    from ..evaluate.benchmarks import BenchmarkError, benchmark_pair_ids
    from ..evaluate.human import human_statistics

    def statistics(s) -> dict:  # noqa: ANN001 - Session
        pair_ids = set(benchmark_pair_ids(s, benchmark)) if benchmark else None
        return human_statistics(s, run or None, pair_ids)

    stats = in_session(workspace, db, statistics, errors=(BenchmarkError,))
    if as_json:
        print_json(stats)
        return
    _print_human(stats)


def _print_human(stats: dict) -> None:
    from rich.table import Table

    from ..evaluate.report.fmt import number, rate_with_interval

    if not stats["overall"]["items"]:
        console.print("No human judgements yet (annotation studio, Judge queue).")
        return
    table = Table("run", "items", "judgements", "Correct", "P0", "P1", "P2",
                  title="Human evaluation (Wilson 95% intervals)")
    for run, s in [*stats["runs"].items(), ("all", stats["overall"])]:
        table.add_row(run, str(s["items"]), str(s["judgements"]),
                      *(rate_with_interval(s["levels"][lv]) for lv in ("correct", "P0", "P1", "P2")))
    console.print(table)
    rows = Table("row", "level", "issue", "ticked", title="Checklist rows (share of judgements)")
    for c in stats["overall"]["checklist"]:
        rows.add_row(c["row"], c["level"], c["title"], f"{c['count']}/{c['n']}  {rate_with_interval(c)}")
    console.print(rows)
    a = stats["overall"]["agreement"]
    pairs = a.get("pairs_of_ratings") or {}
    console.print(f"Agreement: {a['overlapped_items']} overlapped items · Cohen's κ "
                  f"{number((pairs.get('cohen') or {}).get('value'))} · Fleiss' κ "
                  f"{number((pairs.get('fleiss') or {}).get('value'))}" + (f" ({a['reason']})" if a.get("reason") else ""))


@eval_app.command("tag")
def tag(
    run: Annotated[str, typer.Argument(help="Run name.")],
    tags: Annotated[list[str] | None, typer.Argument(help="key=value pairs, e.g. ablation='Only hardness'.")] = None,
    remove: Annotated[list[str] | None, typer.Option("--remove", help="Tag keys to remove (repeatable).")] = None,
    as_json: JsonOpt = False,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Tag a run (key=value); ablation=<label> puts it in the report's ablation table.

    The report shows runs tagged ablation=<label> in the Table 4 layout, one table per
    ablation_group=<name> when given.

    Example: editcaption eval tag sft-hae-dpo ablation=HAE-DPO ablation_group=235B
    """
    from ..workspace.models import RunRecord

    updates = {}
    for item in tags or []:
        if "=" not in item:
            fail(f"tags are key=value, got {item!r}")
        key, value = item.split("=", 1)
        if not key.strip():
            fail(f"tag {item!r} has no key")
        updates[key.strip()] = value.strip()

    def retag(s) -> dict:  # noqa: ANN001 - Session
        rec = s.get(RunRecord, run)
        if rec is None:
            fail(f"no run named {run!r} (see `editcaption runs list`)")
        new = {**(rec.tags or {}), **updates}
        for key in remove or []:
            new.pop(key, None)
        rec.tags = new
        return new

    new = in_session(workspace, db, retag)
    if as_json:
        print_json({"run": run, "tags": new})
    else:
        console.print(f"{run}: {new or '(no tags)'}")


def register(app: typer.Typer) -> None:
    from . import gt_cmd, report_cmd

    app.add_typer(eval_app, name="eval")
    report_cmd.register(app)
    gt_cmd.register(app)
