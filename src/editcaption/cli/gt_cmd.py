"""`editcaption gt draft`: draft ground truth with a model, for people to verify."""

from __future__ import annotations

from typing import Annotated

import typer

from ._common import DbOpt, JsonOpt, WhereOpt, WorkspaceOpt, console, fail, open_workspace, run_resumable

gt_app = typer.Typer(help="Ground truth for evaluation.\n\nExample: editcaption gt draft --llm openai:gpt-4.1 --benchmark hqedit",
                     no_args_is_help=True)
MODEL_PANEL = "Model requests"


@gt_app.command("draft")
def draft(
    llm: Annotated[str, typer.Option("--llm", help="openai:<model>@<base_url> that writes the drafts.")],
    where: WhereOpt = None,
    benchmark: Annotated[str | None, typer.Option(help="Only the pairs of this benchmark.")] = None,
    images: Annotated[bool, typer.Option("--images/--no-images", help="Send both images, or only the dataset's text.")] = True,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Redraft pairs with an unverified draft (verified truth is never touched).")] = False,
    limit: Annotated[int | None, typer.Option(help="Only the first N selected pairs.")] = None,
    concurrency: Annotated[int, typer.Option(help="Requests in flight.")] = 8,
    api_key_env: Annotated[str, typer.Option("--api-key-env", help="Name of the variable holding the API key.", rich_help_panel=MODEL_PANEL)] = "OPENAI_API_KEY",
    timeout: Annotated[float, typer.Option(help="Seconds to wait for one answer.", rich_help_panel=MODEL_PANEL)] = 120.0,
    max_retries: Annotated[int, typer.Option("--max-retries", help="Retries on 429/5xx/timeouts.", rich_help_panel=MODEL_PANEL)] = 5,
    max_tokens: Annotated[int, typer.Option("--max-tokens", help="Longest answer, in tokens.", rich_help_panel=MODEL_PANEL)] = 1024,
    image_max_side: Annotated[int, typer.Option("--image-max-side", help="Longer image side sent, in pixels.", rich_help_panel=MODEL_PANEL)] = 1024,
    as_json: JsonOpt = False,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Draft primary/secondary changes and an overall description for pairs without ground truth,
    from the images and what the dataset carries (edit text, inverse edit, captions). Drafts are
    stored unverified; people correct and verify them in the annotation studio's Verify-GT queue.

    Example: editcaption gt draft --llm openai:Qwen/Qwen3-VL-235B-A22B-Instruct@http://gpu:8000/v1 --benchmark hqedit
    """
    from ..evaluate.benchmarks import BenchmarkError
    from ..evaluate.gt_draft import DraftConfig, run_gt_draft
    from ..evaluate.scores import EvalError
    from ..workspace.queries import WhereError, parse_where

    try:
        config = DraftConfig(llm=llm, where=parse_where(where), benchmark=benchmark, images=images,
                             overwrite=overwrite, limit=limit, concurrency=concurrency, api_key_env=api_key_env,
                             timeout=timeout, max_retries=max_retries, max_tokens=max_tokens,
                             image_max_side=image_max_side)
        config.model()
    except (WhereError, EvalError) as exc:
        fail(str(exc))
    ws = open_workspace(workspace, db)
    run_resumable(ws, lambda: run_gt_draft(ws, config), errors=(EvalError, BenchmarkError), what="drafting",
                  saved="finished drafts", as_json=as_json, show=_print_draft_summary)


def _print_draft_summary(summary) -> None:  # noqa: ANN001 - DraftSummary
    console.print(f"{summary.selected} pairs selected: {summary.drafted} drafted (unverified), "
                  f"{summary.kept} already had ground truth, {len(summary.failed)} failed "
                  f"· calls {summary.calls}, cached {summary.cached}")
    for f in summary.failed[:20]:
        console.print(f"  [red]failed[/] {f['pair_id']}: {f['reason']}")


def register(app: typer.Typer) -> None:
    app.add_typer(gt_app, name="gt")
