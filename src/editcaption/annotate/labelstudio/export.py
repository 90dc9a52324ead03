"""Export a run's instructions as Label Studio tasks, with the config and the steps that make images show.

``tasks.json`` holds one task per instruction: the two images, the instruction to pre-fill, the
untouched model instruction, ids to find the pair again, and the Label Studio server (and
project, when known) the tasks are meant for: imported annotations are keyed by those.
``config.xml`` is the labelling config; ``SETUP.md`` the exact steps for the chosen image mode
(printed by ``annotate export-labelstudio`` too).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy import select

from ...imageio import data_url, load_rgb
from ...workspace import Workspace
from ...workspace.models import InstructionRecord, PairRecord, RunRecord
from ...workspace.queries import pairs_select
from .common import LabelStudioError, normalize_url
from .config import labeling_config

LOCAL_FILES_PREFIX = "/data/local-files/?d="
DEFAULT_IMAGE_URL = LOCAL_FILES_PREFIX + "images/"
EMBED_MAX_SIDE = 1600
SETUP_FILE = "SETUP.md"


@dataclass
class ExportReport:
    tasks: int = 0
    images: int = 0
    out: str = ""
    ls_url: str = ""
    ls_project: int | None = None
    setup: str = ""  # the steps, as written to SETUP.md

    def as_json(self) -> dict[str, Any]:
        return {"tasks": self.tasks, "images": self.images, "out": self.out, "ls_url": self.ls_url,
                "ls_project": self.ls_project, "setup": str(Path(self.out) / SETUP_FILE)}


def local_files_root(out: Path, image_url: str) -> Path | None:
    """The LOCAL_FILES_DOCUMENT_ROOT under which ``image_url`` names ``out/images`` (None: not a local-files URL)."""
    if not image_url.startswith(LOCAL_FILES_PREFIX):
        return None
    rel = [p for p in image_url[len(LOCAL_FILES_PREFIX):].split("/") if p]
    images = (out / "images").resolve()
    if not rel or list(images.parts[-len(rel):]) != rel:
        raise LabelStudioError(f"--image-url {image_url!r} must end with a folder path that {images} ends with, "
                               f"e.g. {DEFAULT_IMAGE_URL}")
    return images.parents[len(rel) - 1]


def export_labelstudio(ws: Workspace, run: str, out: Path, *, ls_url: str, ls_project: int | None = None,
                       where: dict[str, list[str]] | None = None, kind: str = "prefer", images: str = "copy",
                       image_url: str = DEFAULT_IMAGE_URL, limit: int | None = None) -> ExportReport:
    """Write ``tasks.json``, ``config.xml``, ``SETUP.md`` (and ``images/`` in copy mode) for a run's instructions."""
    if images not in ("copy", "embed"):
        raise LabelStudioError("images must be 'copy' or 'embed'")
    server = normalize_url(ls_url)
    labeling = labeling_config(kind)
    out = Path(out).resolve()
    root = local_files_root(out, image_url) if images == "copy" else None
    out.mkdir(parents=True, exist_ok=True)
    report = ExportReport(out=str(out), ls_url=server, ls_project=ls_project)
    tasks = []
    copied: set[str] = set()
    embedded: dict[str, str] = {}  # name → data URL: an image shown in several tasks is encoded once
    with ws.session() as s:
        if s.get(RunRecord, run) is None:
            raise LabelStudioError(f"no run {run!r} in this workspace")
        pairs = pairs_select(where).with_only_columns(PairRecord.id).subquery()
        stmt = (select(InstructionRecord, PairRecord).join(PairRecord, PairRecord.id == InstructionRecord.pair_id)
                .join(pairs, pairs.c.id == PairRecord.id)
                .where(InstructionRecord.run_id == run, InstructionRecord.status == "ok",
                       InstructionRecord.text.is_not(None))
                .order_by(PairRecord.created_at, PairRecord.id))
        if limit:
            stmt = stmt.limit(limit)
        for ins, pair in s.execute(stmt).unique():
            urls = {}
            for which, img in (("source", pair.source), ("target", pair.target)):
                name = f"{img.sha256}{img.ext}"
                if images == "embed":
                    if name not in embedded:
                        path = ws.store.local_path(img.sha256, img.ext)
                        embedded[name] = data_url(load_rgb(path, max_side=EMBED_MAX_SIDE), fmt="jpeg", quality=92)
                    urls[which] = embedded[name]
                else:
                    if name not in copied:
                        (out / "images").mkdir(exist_ok=True)
                        ws.store.copy_to((img.sha256, img.ext), out / "images" / name)
                        copied.add(name)
                    urls[which] = image_url + name
            tasks.append({"data": {
                "source_image": urls["source"], "target_image": urls["target"],
                "instruction": ins.text, "model_instruction": ins.text,
                "pair_id": pair.id, "pair_name": pair.name, "instruction_id": ins.id, "run": run,
                "ls_url": server, "ls_project": ls_project,
            }})
    report.tasks, report.images = len(tasks), len(copied)
    report.setup = setup_steps(out, ws, report, images=images, image_url=image_url, root=root)
    (out / "tasks.json").write_text(json.dumps(tasks, ensure_ascii=False, indent=1) + "\n")
    (out / "config.xml").write_text(labeling)
    (out / SETUP_FILE).write_text(report.setup)
    return report


def setup_steps(out: Path, ws: Workspace, report: ExportReport, *, images: str, image_url: str,
                root: Path | None) -> str:
    """The steps from this export folder to a Label Studio project whose images show, and back."""
    project = f"project {report.ls_project}" if report.ls_project is not None else "a project"
    lines = [f"# Label Studio setup for {out}", "",
             f"{report.tasks} tasks in tasks.json, the labelling config in config.xml, for {project} on "
             f"{report.ls_url} (imported annotations are keyed by that server and project).", ""]
    step = 0

    def add(*text: str) -> None:
        nonlocal step
        step += 1
        lines.append(f"{step}. {text[0]}")
        lines.extend(f"   {t}" if t else "" for t in text[1:])
        lines.append("")

    if images == "embed":
        add("Start Label Studio. The images are inside tasks.json as data: URLs: nothing to serve.",
            "", "    label-studio start")
    elif root is not None:
        inside = PurePosixPath("/label-studio/files", *(out / "images").relative_to(root).parts)
        add("Start Label Studio with local files served from this folder:", "",
            "    export LABEL_STUDIO_LOCAL_FILES_SERVING_ENABLED=true",
            f"    export LABEL_STUDIO_LOCAL_FILES_DOCUMENT_ROOT={root}",
            "    label-studio start", "",
            f"In Docker: -v {root}:/label-studio/files -e LABEL_STUDIO_LOCAL_FILES_SERVING_ENABLED=true "
            f"-e LABEL_STUDIO_LOCAL_FILES_DOCUMENT_ROOT=/label-studio/files, and {inside} as the path in step 3.")
    else:
        add(f"Serve the files of {out / 'images'} so that {image_url}<file name> answers them, from a web "
            f"server the annotators' browsers reach (Label Studio hands the URL to the browser as it is); "
            f"then start Label Studio.")
    add("Create the project (Create Project) and paste config.xml under Settings → Labeling Interface → Code; "
        "Save." + ("" if report.ls_project is not None else
                   " Note the project's number (the N in /projects/N/ in the address bar)."))
    if root is not None:
        add(f"Settings → Cloud Storage → Add Source Storage → Local files, absolute local path "
            f"{out / 'images'}; Check Connection, then Add Storage. Do not Sync it: the tasks already name "
            f"the images. Without this storage every image answers 404 (403 without the variables of step 1).")
    add("Import tasks.json (Import → Upload Files).")
    project_opt = "" if report.ls_project is not None else " --ls-project N"
    add("When the work is done (and after every later round of revisions): Export → JSON (or JSON_MIN), then",
        "", f"    editcaption annotate import-labelstudio EXPORT.json{project_opt} -w {ws.root}", "",
        "Revised annotations replace the earlier version (kept as history); importing a file again adds "
        "nothing. --user-map names Label Studio users (ids or emails) as studio annotators.")
    return "\n".join(lines).rstrip() + "\n"
