"""Label Studio interop: export tasks plus a labelling config, import its JSON export back.

Export writes ``tasks.json`` (one task per instruction of a run: two images, the
instruction to pre-fill, the untouched model instruction, ids to find the pair again) and
``config.xml``: two ``<Image>`` tags side by side, an editable ``<TextArea>`` pre-filled
from the task with ``value="$instruction"``, and — for preference work — ``<Choices>`` for
the verdict, failure type and severity (shown only when the verdict is "corrected").

Import reads Label Studio's JSON export (full ``JSON`` or ``JSON_MIN``): every
non-cancelled annotation with an instruction becomes a Refinement; one whose text differs
from the model's and carries a failure type and severity also becomes a Preference
(chosen = annotator's text, rejected = model's). Importing the same file again adds
nothing (each annotation's key is recorded, unique).
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..imageio import data_url, load_rgb
from ..schema import ErrorType, Severity
from ..workspace import Workspace
from ..workspace.models import (
    AnnotationSubmissionRecord,
    InstructionRecord,
    PairRecord,
    PreferenceRecord,
    RefinementRecord,
    RunRecord,
)
from ..workspace.queries import pairs_select
from .tasks.common import MAX_TEXT, same_text

CONFIG_KINDS = ("refine", "prefer")
DEFAULT_IMAGE_URL = "/data/local-files/?d=images/"
EMBED_MAX_SIDE = 1600


class LabelStudioError(ValueError):
    pass


# -- export -----------------------------------------------------------------------------------


def labeling_config(kind: str = "prefer") -> str:
    """The Label Studio labelling config (XML) for refine or prefer work."""
    if kind not in CONFIG_KINDS:
        raise LabelStudioError(f"config kind must be one of {', '.join(CONFIG_KINDS)}")
    root = ET.Element("View")
    ET.SubElement(root, "Header", value="Source (left) and target (right)")
    grid = ET.SubElement(root, "View", style="display: grid; grid-template-columns: 1fr 1fr; column-gap: 8px")
    for name in ("source", "target"):
        ET.SubElement(grid, "Image", name=name, value=f"${name}_image", zoom="true", zoomControl="true")
    ET.SubElement(root, "Header", value="Model instruction")
    ET.SubElement(root, "Text", name="model_instruction", value="$model_instruction")
    if kind == "prefer":
        verdict = ET.SubElement(root, "Choices", name="verdict", toName="target", choice="single-radio",
                                required="true", showInline="true")
        ET.SubElement(verdict, "Choice", value="correct", hotkey="c")
        ET.SubElement(verdict, "Choice", value="corrected", hotkey="e")
    ET.SubElement(root, "Header", value="Instruction — edit it until it states exactly what changed "
                                        "(semantic accuracy, explicit left/right, fine-grained attributes)")
    ET.SubElement(root, "TextArea", name="instruction", toName="target", value="$instruction", editable="true",
                  rows="4", maxSubmissions="1", required="true")
    if kind == "prefer":
        block = ET.SubElement(root, "View", visibleWhen="choice-selected", whenTagName="verdict",
                              whenChoiceValue="corrected")
        failure = ET.SubElement(block, "Choices", name="failure_type", toName="target", choice="single-radio",
                                showInline="true")
        for value, key in (("orientation", "o"), ("viewpoint", "v"), ("detail", "d")):
            ET.SubElement(failure, "Choice", value=value, hotkey=key)
        severity = ET.SubElement(block, "Choices", name="severity", toName="target", choice="single-radio",
                                 showInline="true")
        for value, key in (("P0", "0"), ("P1", "1"), ("P2", "2")):
            ET.SubElement(severity, "Choice", value=value, hotkey=key)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode") + "\n"


@dataclass
class ExportReport:
    tasks: int = 0
    images: int = 0
    out: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"tasks": self.tasks, "images": self.images, "out": self.out}


def export_labelstudio(ws: Workspace, run: str, out: Path, *, where: dict[str, list[str]] | None = None,
                       kind: str = "prefer", images: str = "copy", image_url: str = DEFAULT_IMAGE_URL,
                       limit: int | None = None) -> ExportReport:
    """Write ``tasks.json``, ``config.xml`` (and ``images/`` in copy mode) for a run's instructions."""
    if images not in ("copy", "embed"):
        raise LabelStudioError("images must be 'copy' or 'embed'")
    labeling = labeling_config(kind)
    out.mkdir(parents=True, exist_ok=True)
    report = ExportReport(out=str(out))
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
                path = ws.store.path_for(img.sha256, img.ext)
                name = f"{img.sha256}{img.ext}"
                if images == "embed":
                    if name not in embedded:
                        embedded[name] = data_url(load_rgb(path, max_side=EMBED_MAX_SIDE), fmt="jpeg", quality=92)
                    urls[which] = embedded[name]
                else:
                    if name not in copied:
                        (out / "images").mkdir(exist_ok=True)
                        shutil.copyfile(path, out / "images" / name)
                        copied.add(name)
                    urls[which] = image_url + name
            tasks.append({"data": {
                "source_image": urls["source"], "target_image": urls["target"],
                "instruction": ins.text, "model_instruction": ins.text,
                "pair_id": pair.id, "pair_name": pair.name, "instruction_id": ins.id, "run": run,
            }})
    (out / "tasks.json").write_text(json.dumps(tasks, ensure_ascii=False, indent=1) + "\n")
    (out / "config.xml").write_text(labeling)
    report.tasks, report.images = len(tasks), len(copied)
    return report


# -- import -----------------------------------------------------------------------------------


@dataclass
class ImportReport:
    refinements: int = 0
    preferences: int = 0
    duplicates: int = 0
    skipped: list[dict[str, Any]] = field(default_factory=list)  # annotations not imported, with the reason
    notes: list[dict[str, Any]] = field(default_factory=list)  # imported, with a remark

    def as_json(self) -> dict[str, Any]:
        return {"refinements": self.refinements, "preferences": self.preferences, "duplicates": self.duplicates,
                "skipped": self.skipped, "notes": self.notes}


@dataclass
class LSAnnotation:
    key: str
    annotator: str
    data: dict[str, Any]
    values: dict[str, Any]  # from_name -> text (textarea) or choice (choices)


def _value(item: dict[str, Any]) -> Any:
    value = item.get("value") or {}
    if "text" in value:
        text = value["text"]
        return "\n".join(text) if isinstance(text, list) else str(text)
    if "choices" in value:
        choices = value["choices"]
        return choices[0] if isinstance(choices, list) and choices else None
    return None


def _annotator(completed_by: Any) -> str:
    if isinstance(completed_by, dict):
        completed_by = completed_by.get("email") or completed_by.get("id")
    return f"labelstudio:{completed_by}" if completed_by is not None else "labelstudio"


def _annotations(export: Any) -> list[LSAnnotation]:
    if not isinstance(export, list):
        raise LabelStudioError("a Label Studio JSON export is a list of tasks")
    out = []
    for n, task in enumerate(export):
        if not isinstance(task, dict):
            raise LabelStudioError(f"task {n} is not an object")
        task_id = task.get("id", n)
        if "annotations" in task or "data" in task:  # full JSON export
            for m, ann in enumerate(task.get("annotations") or []):
                if ann.get("was_cancelled"):
                    continue
                values = {r.get("from_name"): _value(r) for r in ann.get("result") or [] if isinstance(r, dict)}
                out.append(LSAnnotation(f"ls:{task_id}:{ann.get('id', m)}", _annotator(ann.get("completed_by")),
                                        task.get("data") or {}, values))
        else:  # JSON_MIN: data fields and control values side by side
            values = {k: (v[0] if isinstance(v, list) and v else v) for k, v in task.items()}
            if isinstance(values.get("instruction"), dict):
                values["instruction"] = _value({"value": values["instruction"]})
            out.append(LSAnnotation(f"ls:{task_id}:{task.get('annotation_id', 0)}", _annotator(task.get("annotator")),
                                    task, values))
    return out


def import_labelstudio(ws: Workspace, path: Path) -> ImportReport:
    """Read a Label Studio JSON export into Refinements and Preferences (idempotent)."""
    try:
        export = json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise LabelStudioError(f"cannot read {path}: {exc}") from None
    report = ImportReport()
    for ann in _annotations(export):
        try:
            _import_one(ws, ann, report)
        except _Skip as exc:
            report.skipped.append({"annotation": ann.key, "reason": str(exc)})
    return report


class _Skip(Exception):
    pass


def _import_one(ws: Workspace, ann: LSAnnotation, report: ImportReport) -> None:
    text = ann.values.get("instruction")
    if not isinstance(text, str) or not text.strip():
        raise _Skip("no instruction text in the annotation")
    text = text.strip()
    if len(text) > MAX_TEXT:
        raise _Skip(f"instruction longer than {MAX_TEXT} characters")
    pair_id = ann.data.get("pair_id")
    verdict, error_type, severity = (ann.values.get(k) for k in ("verdict", "failure_type", "severity"))
    with ws.session() as s:
        if s.scalar(select(AnnotationSubmissionRecord.id).where(AnnotationSubmissionRecord.token == ann.key)):
            report.duplicates += 1
            return
        if not isinstance(pair_id, str) or s.get(PairRecord, pair_id) is None:
            raise _Skip(f"pair {pair_id!r} is not in this workspace")
        ins_id = ann.data.get("instruction_id")
        ins = s.get(InstructionRecord, ins_id) if isinstance(ins_id, int) else None
        model = ann.data.get("model_instruction") or (ins.text if ins else None) or ""
        corrected = verdict == "corrected" or (verdict != "correct" and not same_text(text, model))
        if verdict == "correct":
            text = model or text
        refinement = RefinementRecord(pair_id=pair_id, instruction_id=ins.id if ins else None, text=text,
                                      annotator=ann.annotator)
        s.add(refinement)
        s.flush()
        preference = None
        note = None
        if corrected and not same_text(text, model):
            if error_type in {e.value for e in ErrorType} and severity in {e.value for e in Severity}:
                preference = PreferenceRecord(pair_id=pair_id, rejected_instruction_id=ins.id if ins else None,
                                              chosen=text, rejected=model, error_type=error_type, severity=severity,
                                              annotator=ann.annotator)
                s.add(preference)
                s.flush()
            else:
                note = "corrected without a failure type and severity: refinement only"
        s.add(AnnotationSubmissionRecord(
            token=ann.key, annotator=ann.annotator, kind="labelstudio",
            outcome=error_type if preference else ("correct" if not corrected else "refined"),
            payload={"verdict": verdict, "instruction": text, "failure_type": error_type, "severity": severity,
                     "preference_id": preference.id if preference else None, "note": note},
            record_kind="refinement", record_id=refinement.id))
        try:
            s.flush()
        except IntegrityError:
            raise _Skip("imported concurrently by another process") from None
    report.refinements += 1
    report.preferences += preference is not None
    if note:
        report.notes.append({"annotation": ann.key, "note": note})
