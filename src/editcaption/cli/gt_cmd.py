"""`editcaption gt draft`: draft ground truth with a model, for people to verify."""

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
    model_calls,
    model_spec,
    open_workspace,
    progress_bar,
    ray_options,
    run_resumable,
)

gt_app = typer.Typer(help="Ground truth for evaluation.\n\n"
                          "Example: editcaption gt draft -m openai:gpt-4.1@https://api.openai.com/v1 --benchmark hqedit",
                     no_args_is_help=True)


@gt_app.command("draft")
def draft(
    model: Annotated[str | None, typer.Option("--model", "-m", help="openai:<model>@<base_url> that writes the drafts. Required.", show_default=False)] = None,
    llm_old: Annotated[str | None, typer.Option("--llm", hidden=True, help="Old spelling of --model.")] = None,
    where: WhereOpt = None,
    benchmark: Annotated[str | None, typer.Option(help="Only the pairs of this benchmark.")] = None,
    images: Annotated[bool, typer.Option("--images/--no-images", help="Send both images, or only the dataset's text.")] = True,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Redraft pairs with an unverified draft (verified truth is never touched).")] = False,
    limit: Annotated[int | None, typer.Option(help="Only the first N selected pairs.")] = None,
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
    """Draft primary/secondary changes and an overall description for pairs without ground truth,
    from the images and what the dataset carries (edit text, inverse edit, captions). Drafts are
    stored unverified; people correct and verify them in the annotation studio's Verify-GT queue.
    --executor ray sends the requests from Ray actors (on a cluster: --ray-address).

    Example: editcaption gt draft -m openai:Qwen/Qwen3-VL-235B-A22B-Instruct@http://gpu:8000/v1 --benchmark hqedit
    """
    from ..evaluate.benchmarks import BenchmarkError
    from ..evaluate.gt_draft import DraftConfig, run_gt_draft
    from ..evaluate.scores import EvalError
    from ..importutils import MissingExtraError
    from ..runner.ray_executor import RayWorkerError
    from ..workspace.queries import WhereError, parse_where

    spec = model_spec(model, llm_old, old="--llm")
    calls = model_calls(api_key_env, extra_body, temperature, timeout, max_retries, concurrency)
    ray = ray_options(executor, ray_address, ray_workers, ray_batch_size)
    try:
        config = DraftConfig(llm=spec, where=parse_where(where), benchmark=benchmark, images=images,
                             overwrite=overwrite, limit=limit, calls=calls, max_tokens=max_tokens,
                             image_max_side=image_max_side)
        config.validate()
    except (WhereError, EvalError) as exc:
        fail(str(exc))
    ws = open_workspace(workspace, db)
    progress = progress_bar(no_progress, as_json)
    run_resumable(ws, lambda: run_gt_draft(ws, config, progress=progress, ray=ray),
                  errors=(EvalError, BenchmarkError, MissingExtraError, RayWorkerError),
                  what="drafting", saved="finished drafts", as_json=as_json, show=_print_draft_summary)


def _print_draft_summary(summary) -> None:  # noqa: ANN001 - DraftSummary
    console.print(f"{summary.selected} pairs selected: {summary.drafted} drafted (unverified), "
                  f"{summary.kept} already had ground truth, {len(summary.failed)} failed "
                  f"· calls {summary.calls}, cached {summary.cached}")
    for f in summary.failed[:20]:
        console.print(f"  [red]failed[/] {f['pair_id']}: {f['reason']}")


def register(app: typer.Typer) -> None:
    app.add_typer(gt_app, name="gt")
