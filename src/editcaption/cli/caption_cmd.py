"""`editcaption caption`: write instructions for pairs with a model (resumable runs)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._common import (
    DEFAULT_API_KEY_ENV,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    MODEL_CALLS_PANEL,
    RAY_PANEL,
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
    open_workspace,
    progress_bar,
    run_resumable,
)

HF_PANEL = "Local checkpoint (hf:)"


def caption(
    model: Annotated[str, typer.Option("--model", "-m", help="Model spec: delta, openai:<model>@<base_url> or hf:<path>.")],
    prompt: Annotated[Path | None, typer.Option("--prompt", help="Prompt file replacing the packaged one ({hints} slot optional).", dir_okay=False)] = None,
    grounded: Annotated[bool, typer.Option("--grounded", help="Add the delta analyzer's measurements to the prompt.")] = False,
    where: WhereOpt = None,
    limit: Annotated[int | None, typer.Option(help="The run covers the first N matching pairs.")] = None,
    run_name: Annotated[str | None, typer.Option("--run-name", help="Run name; running again with the same name resumes it (default: derived from model and prompt).")] = None,
    retry_failed: Annotated[bool, typer.Option("--retry-failed", help="Also retry pairs this run failed on before.")] = False,
    executor: ExecutorOpt = "local",
    api_key_env: ApiKeyEnvOpt = DEFAULT_API_KEY_ENV,
    extra_body: ExtraBodyOpt = None,
    temperature: TemperatureOpt = None,
    timeout: TimeoutOpt = DEFAULT_TIMEOUT,
    max_retries: MaxRetriesOpt = DEFAULT_MAX_RETRIES,
    concurrency: ConcurrencyOpt = None,
    max_tokens: Annotated[int, typer.Option("--max-tokens", help="Longest answer, in tokens.", rich_help_panel=MODEL_CALLS_PANEL)] = 512,
    top_p: Annotated[float | None, typer.Option("--top-p", help="Nucleus sampling (with temperature > 0).", rich_help_panel=MODEL_CALLS_PANEL)] = None,
    seed: Annotated[int | None, typer.Option(help="Sampling seed.", rich_help_panel=MODEL_CALLS_PANEL)] = None,
    image_max_side: Annotated[int, typer.Option("--image-max-side", help="Images are downscaled so their longer side is at most this.", rich_help_panel=MODEL_CALLS_PANEL)] = 1024,
    image_format: Annotated[str, typer.Option("--image-format", help="jpeg or png (how images travel to an openai: server).", rich_help_panel=MODEL_CALLS_PANEL)] = "jpeg",
    device: Annotated[str, typer.Option(help="auto (a GPU where one is visible), cpu, cuda, cuda:1 ...", rich_help_panel=HF_PANEL)] = "auto",
    dtype: Annotated[str | None, typer.Option(help="float32, bfloat16, float16 (default: the checkpoint's).", rich_help_panel=HF_PANEL)] = None,
    batch_size: Annotated[int, typer.Option("--batch-size", help="Pairs per generate() call.", rich_help_panel=HF_PANEL)] = 4,
    ray_address: RayAddressOpt = None,
    ray_workers: RayWorkersOpt = 2,
    ray_batch_size: RayBatchSizeOpt = 16,
    ray_gpus_per_worker: Annotated[float, typer.Option("--ray-gpus-per-worker", help="GPUs each actor reserves (hf: on a GPU cluster).", rich_help_panel=RAY_PANEL)] = 0.0,
    no_progress: NoProgressOpt = False,
    as_json: JsonOpt = False,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Write an instruction for every selected pair with a model; resumable, results saved as they arrive.

    Running the same command again (same --run-name) resumes the run and skips pairs already
    done; --retry-failed also redoes the failed ones.

    Example: editcaption caption -m openai:Qwen/Qwen3-VL-8B-Instruct@http://localhost:8000/v1 --concurrency 32
    """

    from ..caption import CaptionConfig, CaptionConfigError, GenerationOptions, run_caption
    from ..importutils import MissingExtraError
    from ..llm.spec import ModelSpecError
    from ..runner.ray_executor import RayWorkerError
    from ..workspace.queries import WhereError, parse_where

    calls = model_calls(api_key_env, extra_body, temperature, timeout, max_retries, concurrency)
    try:
        config = CaptionConfig(
            model=model, prompt_path=str(prompt) if prompt else None, grounded=grounded, where=parse_where(where),
            limit=limit, calls=calls, run_name=run_name, retry_failed=retry_failed, executor=executor,
            ray_address=ray_address, ray_workers=ray_workers, ray_batch_size=ray_batch_size,
            ray_gpus_per_worker=ray_gpus_per_worker, image_max_side=image_max_side, image_format=image_format,
            device=device, dtype=dtype, batch_size=batch_size,
            generation=GenerationOptions(max_tokens=max_tokens, top_p=top_p, seed=seed),
        )
        config.validate()
    except (WhereError, ModelSpecError, CaptionConfigError) as exc:
        fail(str(exc))
    ws = open_workspace(workspace, db)
    progress = progress_bar(no_progress, as_json)
    run_resumable(ws, lambda: run_caption(ws, config, progress=progress),
                  errors=(CaptionConfigError, MissingExtraError, ModelSpecError, RayWorkerError), what="run",
                  saved="finished pairs", as_json=as_json, show=_print_summary)


def _print_summary(summary) -> None:  # noqa: ANN001 - CaptionSummary
    from rich.table import Table

    verb = "resumed" if summary.resumed else "started"
    console.print(f"Run [bold]{summary.run}[/] ({verb}) · {summary.producer} · prompt {summary.prompt_id or '-'}")
    table = Table("", "pairs", show_header=False, box=None, pad_edge=False)
    table.add_row("selected", str(summary.selected))
    table.add_row("already done", str(summary.already_done))
    if summary.failed_not_retried:
        table.add_row("failed before (not retried)", f"{summary.failed_not_retried}  (use --retry-failed)")
    table.add_row("[green]done now[/]", str(summary.done))
    table.add_row("[red]failed now[/]", str(summary.failed))
    for reason, n in summary.failed_by_reason.items():
        table.add_row(f"  {reason}", str(n))
    console.print(table)
    tok = summary.tokens
    if tok:
        console.print(f"tokens: {tok.get('prompt_tokens', 0):,} prompt + {tok.get('completion_tokens', 0):,} completion")
    console.print(f"wall time {summary.wall_time:.1f} s · {summary.rate:.1f} pairs/s · run status: {summary.status} "
                  f"({summary.run_totals.get('ok', 0)} ok, {summary.run_totals.get('failed', 0)} failed in total)")


def register(app: typer.Typer) -> None:
    app.command("caption")(caption)
