"""`editcaption annotate export-labelstudio` and `import-labelstudio`: the Label Studio round trip.

The commands live on the `annotate` group (annotate_cmd.annotate_app); annotate_cmd imports this
module when it registers the group.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._common import DbOpt, JsonOpt, WhereOpt, WorkspaceOpt, console, fail, on_workspace, print_json
from .annotate_cmd import annotate_app

LsUrlHelp = "The Label Studio server the tasks go to (e.g. http://localhost:8080); annotation keys are scoped to it."
LsProjectHelp = "The Label Studio project's number (the N in /projects/N/); annotation keys are scoped to it."


def say(text: str) -> None:
    """Print as is: paths, URLs and [brackets] untouched, long lines unbroken (they are copied into shells)."""
    console.print(text, markup=False, highlight=False, soft_wrap=True)


@annotate_app.command("export-labelstudio")
def export_labelstudio_cmd(
    run: Annotated[str, typer.Option("--run", help="Run whose instructions become tasks.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for tasks.json, config.xml, SETUP.md and images/.")],
    ls_url: Annotated[str, typer.Option("--ls-url", help=LsUrlHelp)],
    ls_project: Annotated[int | None, typer.Option("--ls-project", help=LsProjectHelp + " Optional here: a JSON "
                                                   "export says it; a JSON_MIN import then needs --ls-project.",
                                                   show_default=False)] = None,
    where: WhereOpt = None,
    kind: Annotated[str, typer.Option(help="prefer (verdict, failure type, severity) | refine (text only)")] = "prefer",
    images: Annotated[str, typer.Option(help="copy (files in OUT/images) | embed (data: URLs in the tasks)")] = "copy",
    image_url: Annotated[str, typer.Option(help="URL prefix for copied images, as Label Studio will fetch them.")] =
        "/data/local-files/?d=images/",
    limit: Annotated[int | None, typer.Option(help="At most this many tasks.")] = None,
    as_json: JsonOpt = False,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Write Label Studio tasks, a labelling config and the setup steps (printed too) that make the images show.

    OUT gets tasks.json (one task per instruction of the run, recording --ls-url and --ls-project), config.xml
    (paste it under Settings → Labeling Interface → Code) and SETUP.md. With --images copy the images go to
    OUT/images and resolve only when Label Studio is started with LABEL_STUDIO_LOCAL_FILES_SERVING_ENABLED=true
    and LABEL_STUDIO_LOCAL_FILES_DOCUMENT_ROOT set to the folder SETUP.md names, and the project has a
    local-files source storage on OUT/images: SETUP.md gives the exact values for this export. With
    --images embed the images travel inside tasks.json and nothing needs serving.

    Example: editcaption annotate export-labelstudio --run source:manifest --ls-url http://localhost:8080 --out ls-project
    """
    from ..annotate.labelstudio import LabelStudioError, export_labelstudio
    from ..workspace.queries import WhereError, parse_where

    try:
        w = parse_where(where)
    except WhereError as exc:
        fail(str(exc))
    report = on_workspace(workspace, db, lambda ws: export_labelstudio(
        ws, run, out, ls_url=ls_url, ls_project=ls_project, where=w, kind=kind, images=images, image_url=image_url,
        limit=limit), errors=(LabelStudioError,))
    if as_json:
        print_json(report.as_json())
        return
    say(f"{report.tasks} tasks, {report.images} images → {report.out}\n")
    say(report.setup.rstrip("\n"))


@annotate_app.command("import-labelstudio")
def import_labelstudio_cmd(
    export: Annotated[Path, typer.Argument(help="Label Studio JSON (or JSON_MIN) export file.")],
    ls_url: Annotated[str | None, typer.Option("--ls-url", help=LsUrlHelp + " Default: the one the tasks were "
                                               "exported for.", show_default=False)] = None,
    ls_project: Annotated[int | None, typer.Option("--ls-project", help=LsProjectHelp + " Default: what the export "
                                                   "or its tasks say.", show_default=False)] = None,
    user_map: Annotated[Path | None, typer.Option(
        "--user-map", show_default=False,
        help='JSON naming Label Studio users: {"<user id or email>": "<annotator name>"}, or Label Studio\'s '
             'GET /api/users/ list (ids with emails; an optional "name" each), for the server this export comes '
             'from (ids are per server). Default name: labelstudio:EMAIL when the email is known, else '
             'labelstudio:HOST:PORT#ID.')] = None,
    as_json: JsonOpt = False,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Read a Label Studio export back into Refinements and Preferences (revisions applied; safe to repeat).

    Each annotation is keyed by server, project, task and annotation id, each version by its updated_at: a
    newer version supersedes the current one (the older Refinement stays as history, its Preference goes), a
    version seen before adds nothing, so JSON and JSON_MIN exports of one state give the same records.
    created_at, updated_at and lead_time are kept. "corrected" with a failure type and severity gives a
    Preference too; "correct" with an edited text is kept as a correction (a Refinement of the annotator's
    text, no Preference) and the report says so. Cancelled annotations are counted and left out.

    Example: editcaption annotate import-labelstudio project-1-export.json --user-map users.json --json
    """
    from ..annotate.labelstudio import LabelStudioError, import_labelstudio

    report = on_workspace(workspace, db, lambda ws: import_labelstudio(
        ws, export, ls_url=ls_url, ls_project=ls_project, user_map=user_map), errors=(LabelStudioError,))
    if as_json:
        print_json(report.as_json())
        return
    scope = f"{report.ls_url} project {report.ls_project}: " if report.ls_url else ""
    say(f"{scope}{report.refinements} versions imported "
        f"({report.revisions} revisions, {report.history} older versions kept as history), "
        f"{report.preferences} preferences, {report.duplicates} already imported, "
        f"{report.cancelled} cancelled, {len(report.skipped)} skipped")
    for item in report.skipped:
        say(f"  skipped {item['annotation']}: {item['reason']}")
    for item in report.notes:
        say(f"  note {item['annotation']}: {item['note']}")
