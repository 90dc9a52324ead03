"""Options and helpers shared by every CLI module (kept tiny: the CLI only parses and calls)."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

console = Console()
err_console = Console(stderr=True)

WorkspaceOpt = Annotated[
    Path | None,
    typer.Option(
        "--workspace",
        "-w",
        envvar="EDITCAPTION_WORKSPACE",
        help="Workspace folder (default: $EDITCAPTION_WORKSPACE, else ./editcaption-workspace).",
        show_default=False,
    ),
]
DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db",
        envvar="EDITCAPTION_DB",
        help="Database URL (default: SQLite inside the workspace; e.g. postgresql://user@host/db).",
        show_default=False,
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON instead of a table.")]
WhereOpt = Annotated[
    list[str] | None,
    typer.Option("--where", help="Filter pairs: key=value[,value] with key in id, name, category, subtype, split, origin."),
]
NoProgressOpt = Annotated[bool, typer.Option("--no-progress", help="No progress bar.")]

# -- calling a model: the same options, names and help for caption, score, eval judge and gt draft -----
MODEL_CALLS_PANEL = "Model calls"
DEFAULT_API_KEY_ENV = "OPENAI_API_KEY"
DEFAULT_TIMEOUT = 120.0
DEFAULT_MAX_RETRIES = 5

ApiKeyEnvOpt = Annotated[str, typer.Option(
    "--api-key-env", rich_help_panel=MODEL_CALLS_PANEL,
    help="Name of the environment variable holding the API key (the key itself is never stored or printed).")]
ExtraBodyOpt = Annotated[str | None, typer.Option(
    "--extra-body", rich_help_panel=MODEL_CALLS_PANEL, show_default=False,
    help='JSON object merged into every request body, e.g. \'{"chat_template_kwargs": {"enable_thinking": false}}\'.')]
TemperatureOpt = Annotated[float | None, typer.Option(
    "--temperature", rich_help_panel=MODEL_CALLS_PANEL, show_default=False,
    help="Sampling temperature (0 = greedy). Default: 0, except score: the EditScore protocol's 0.7.")]
TimeoutOpt = Annotated[float, typer.Option(
    "--timeout", rich_help_panel=MODEL_CALLS_PANEL, help="Seconds to wait for one answer.")]
MaxRetriesOpt = Annotated[int, typer.Option(
    "--max-retries", rich_help_panel=MODEL_CALLS_PANEL,
    help="Retries on 429/5xx, timeouts and garbled answers (exponential backoff, Retry-After honoured).")]
ConcurrencyOpt = Annotated[int | None, typer.Option(
    "--concurrency", rich_help_panel=MODEL_CALLS_PANEL, show_default=False,
    help="Requests in flight. Default: 16 for caption (delta: one analysis per core) and eval judge, "
         "8 for score and gt draft.")]


# -- where the calls run: the same options for caption, score, eval judge and gt draft ---------------
RAY_PANEL = "Scale-out (--executor ray)"

ExecutorOpt = Annotated[str, typer.Option(
    "--executor", help="local (asyncio + threads here) or ray (Ray actors, on a cluster with --ray-address).")]
RayAddressOpt = Annotated[str | None, typer.Option(
    "--ray-address", rich_help_panel=RAY_PANEL, show_default=False,
    help="Ray cluster address (default: $RAY_ADDRESS, else a Ray started for this command).")]
RayWorkersOpt = Annotated[int, typer.Option(
    "--ray-workers", rich_help_panel=RAY_PANEL, help="Ray actors, each with its own client or backend.")]
RayBatchSizeOpt = Annotated[int, typer.Option(
    "--ray-batch-size", rich_help_panel=RAY_PANEL, help="Items per batch sent to an actor.")]


def ray_options(executor: str, address: str | None, workers: int, batch_size: int,
                gpus_per_worker: float = 0.0) -> Any:
    """None for ``--executor local``; the :class:`editcaption.runner.ray_executor.RayOptions` for ``ray``."""
    if executor not in ("local", "ray"):
        fail(f"--executor must be local or ray, not {executor!r}")
    if workers < 1 or batch_size < 1:
        fail("--ray-workers and --ray-batch-size must be at least 1")
    if executor == "local":
        return None
    from ..runner.ray_executor import RayOptions

    return RayOptions(address=address, workers=workers, batch_size=batch_size, gpus_per_worker=gpus_per_worker)


def model_calls(api_key_env: str, extra_body: str | None, temperature: float | None, timeout: float,
                max_retries: int, concurrency: int | None) -> Any:
    """The shared model-call options as one :class:`editcaption.llm.ModelCallConfig` (bad values fail here)."""
    from ..llm.call_config import ModelCallConfig, ModelCallConfigError

    calls = ModelCallConfig(api_key_env=api_key_env, extra_body=parse_extra_body(extra_body),
                            temperature=temperature, timeout=timeout, max_retries=max_retries,
                            concurrency=concurrency)
    try:
        calls.validate()
    except ModelCallConfigError as exc:
        fail(str(exc))
    return calls


def model_spec(model: str | None, old_value: str | None, *, old: str) -> str:
    """The -m/--model value, or the one given under its old spelling ``old`` (with a deprecation line)."""
    value = pick(model, old_value, old=old, new="--model")
    if value is None:
        fail("Missing option '-m' / '--model'.")
    return value


def progress_bar(no_progress: bool, as_json: bool) -> Any:
    """The progress bar of a model-calling stage on standard error (none with --no-progress or --json)."""
    from ..progress import NoProgress, RichProgress

    return NoProgress() if (no_progress or as_json) else RichProgress(err_console)


def fail(message: str, code: int = 2) -> NoReturn:
    """Print a one-line error to stderr and exit with ``code``."""
    # the message is plain text: brackets in it (``editcaption[train]``, paths) are not markup
    err_console.print(f"[bold red]Error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def deprecated(old: str, new: str) -> None:
    """Say on stderr that the spelling ``old`` still works for this release but ``new`` replaces it."""
    err_console.print(f"[yellow]Deprecated:[/] {escape(old)} will be removed in the next release; use "
                      f"{escape(new)}", highlight=False, soft_wrap=True)


def output_path(out: Path | None, positional: Path | None) -> Path | None:
    """``--out/-o``, or the output path given the old way, as a positional argument (with a deprecation line)."""
    return pick(out, positional, old="the output path as a positional argument", new="--out/-o")


def pick(new_value: Any, old_value: Any, *, old: str, new: str) -> Any:
    """The value given under the new spelling, else the old one (with a deprecation line); None if neither."""
    if old_value is not None:
        if new_value is not None and new_value != old_value:
            fail(f"{old} and {new} name the same thing; give only {new}")
        deprecated(old, new)
        return old_value
    return new_value


def open_workspace(workspace: Path | None, db: str | None, *, create: bool = False):  # noqa: ANN201
    from ..workspace import Workspace, WorkspaceError

    try:
        return Workspace.open(workspace, db, create=create)
    except WorkspaceError as exc:
        fail(str(exc))


def print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


def run_resumable(
    ws: Any,
    call: Callable[[], Any],
    *,
    errors: tuple[type[BaseException], ...],
    what: str,
    saved: str,
    as_json: bool,
    show: Callable[[Any], None],
) -> Any:
    """Run a long, resumable stage (caption, score, judge) and report it the same way everywhere.

    Known ``errors`` become a one-line failure; Ctrl-C exits 130 and a database error exits 1,
    both saying that ``saved`` are kept and a rerun resumes; the summary is printed (or its
    ``to_json()`` with --json), and a run that stopped early (e.g. a 401) exits 1.
    """
    from sqlalchemy.exc import SQLAlchemyError

    hint = f"{saved} are saved; run the same command again to resume"
    try:
        summary = call()
    except errors as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        err_console.print(f"Interrupted: {hint}.")
        raise typer.Exit(130) from None
    except SQLAlchemyError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        fail(f"database error, the {what} stopped ({hint}): {first}", code=1)
    finally:
        ws.close()
    if as_json:
        print_json(summary.to_json())
    else:
        show(summary)
    if summary.stopped:
        fail(f"{what} stopped early: {summary.stopped}", code=1)
    return summary


def on_workspace(workspace: Path | None, db: str | None, fn: Callable[[Any], Any], *,
                 errors: tuple[type[BaseException], ...] = ()) -> Any:
    """Open the workspace, return ``fn(ws)``, close; ``errors`` become a one-line failure."""
    ws = open_workspace(workspace, db)
    try:
        return fn(ws)
    except errors as exc:
        fail(str(exc))
    finally:
        ws.close()


def in_session(workspace: Path | None, db: str | None, fn: Callable[[Any], Any], *,
               errors: tuple[type[BaseException], ...] = ()) -> Any:
    """:func:`on_workspace` with ``fn(session)`` run in one transaction."""

    def in_transaction(ws: Any) -> Any:
        with ws.session() as s:
            return fn(s)

    return on_workspace(workspace, db, in_transaction, errors=errors)


def parse_extra_body(text: str | None) -> dict:
    """The --extra-body option as a dict; anything but a JSON object fails."""
    try:
        extra = json.loads(text) if text else {}
        if not isinstance(extra, dict):
            raise ValueError("it is not a JSON object")
    except ValueError as exc:
        fail(f"--extra-body must be a JSON object: {exc}")
    return extra


def write_jsonl(rows: Iterable[dict], out: Path | None) -> int:
    """Write ``rows`` as JSONL to ``out`` (default: standard output); returns how many.

    A file is written as ``<out>.tmp`` and renamed when complete, so a partial file never
    carries the final name; the partial file is removed if writing fails.
    """
    n = 0
    if out is None:
        for row in rows:
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
        return n
    tmp = out.with_name(out.name + ".tmp")
    try:
        with tmp.open("w", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
                n += 1
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return n
