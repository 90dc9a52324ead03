"""Importing Label Studio annotations: every version kept, the newest one current.

An annotation is known by its key (server, project, task, annotation) and each of its versions
by ``updated_at``:

* a version not seen before becomes a Refinement dated at its ``updated_at`` (so "the latest
  refinement" means the same whichever export format was read), plus a Preference when the text
  was corrected and a failure type and severity were chosen;
* a newer version of a known annotation (the annotator revised it) supersedes the current one:
  the older Refinement stays as history, the older Preference is removed (only the current
  answer is a training pair), and the :class:`LabelStudioAnnotationRecord` rows chain the
  versions through ``superseded_by``;
* a version older than one already imported is kept as history only;
* a version seen before (the same file again, or JSON after JSON_MIN) adds nothing.

A "correct" verdict whose text was edited is kept as a correction: the annotator's text is what
they submitted, and throwing it away (what happened before) or refusing the annotation would
both lose work. It becomes a Refinement only (no Preference: "correct" carries no failure type),
and the report says so, so the verdict can be fixed in Label Studio and the file imported again.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ...schema import ErrorType, Severity
from ...workspace import Workspace
from ...workspace.models import (
    AnnotationSubmissionRecord,
    InstructionRecord,
    LabelStudioAnnotationRecord,
    PairRecord,
    PreferenceRecord,
    RefinementRecord,
)
from ..tasks.common import MAX_TEXT, same_text
from ..timeutil import as_utc
from .common import LabelStudioError, number
from .identity import UserMap
from .parse import LSAnnotation, read_export


@dataclass
class ImportReport:
    refinements: int = 0  # versions imported (each one a Refinement)
    preferences: int = 0  # Preferences made for the newest versions
    revisions: int = 0  # versions that superseded an imported one
    history: int = 0  # versions older than one already imported: kept as history only
    duplicates: int = 0  # versions imported before
    cancelled: int = 0  # skipped (cancelled) annotations in the export
    ls_url: str = ""
    ls_project: int | None = None
    skipped: list[dict[str, Any]] = field(default_factory=list)  # annotations not imported, with the reason
    notes: list[dict[str, Any]] = field(default_factory=list)  # imported, with a remark

    def as_json(self) -> dict[str, Any]:
        return {"refinements": self.refinements, "preferences": self.preferences, "revisions": self.revisions,
                "history": self.history, "duplicates": self.duplicates, "cancelled": self.cancelled,
                "ls_url": self.ls_url, "ls_project": self.ls_project, "skipped": self.skipped, "notes": self.notes}


def import_labelstudio(ws: Workspace, path: Path, *, ls_url: str | None = None, ls_project: int | None = None,
                       user_map: Path | None = None) -> ImportReport:
    """Read a Label Studio JSON or JSON_MIN export into Refinements and Preferences (revisions applied; idempotent)."""
    try:
        export = json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise LabelStudioError(f"cannot read {path}: {exc}") from None
    users = UserMap.load(user_map)
    scan = read_export(export, ls_url, ls_project)
    report = ImportReport(cancelled=scan.cancelled, notes=list(scan.notes))
    scopes = {(a.ls_url, a.ls_project) for a in scan.annotations}
    if len(scopes) == 1:
        report.ls_url, report.ls_project = next(iter(scopes))
    unmapped: set[str] = set()
    # oldest version first, so that a file holding several versions chains them in order
    for ann in sorted(scan.annotations, key=lambda a: (a.version_at or _NEVER, a.task, a.annotation)):
        try:
            _import_one(ws, ann, users, report, unmapped)
        except _Skip as exc:
            report.skipped.append({"annotation": ann.key, "reason": str(exc)})
    return report


_NEVER = dt.datetime.min.replace(tzinfo=dt.timezone.utc)


class _Skip(Exception):
    """This annotation is not imported; the message is the reason the report gives."""


@dataclass
class _Verdict:
    text: str
    outcome: str  # correct | refined | preference
    note: str | None = None


def _judge(ann: LSAnnotation, model: str) -> _Verdict:
    """What an annotation says: the final text, and whether it makes a Preference."""
    text = ann.values.get("instruction")
    if not isinstance(text, str) or not text.strip():
        raise _Skip("no instruction text in the annotation")
    text = text.strip()
    if len(text) > MAX_TEXT:
        raise _Skip(f"instruction longer than {MAX_TEXT} characters")
    verdict, error_type, severity = (ann.values.get(k) for k in ("verdict", "failure_type", "severity"))
    unchanged = same_text(text, model)
    if unchanged:
        note = "verdict 'corrected' but the text is the model's: refinement only" if verdict == "corrected" else None
        return _Verdict(model or text, "correct", note)
    if verdict == "correct":
        return _Verdict(text, "refined", "verdict 'correct' but the text was edited: kept as a correction "
                                         "(refinement only; set the verdict to 'corrected' in Label Studio and "
                                         "import again for a preference)")
    if error_type in {e.value for e in ErrorType} and severity in {e.value for e in Severity}:
        return _Verdict(text, "preference")
    note = "corrected without a failure type and severity: refinement only" if verdict == "corrected" else None
    return _Verdict(text, "refined", note)


def _import_one(ws: Workspace, ann: LSAnnotation, users: UserMap, report: ImportReport, unmapped: set[str]) -> None:
    version_at = ann.version_at
    if version_at is None:
        raise _Skip("no created_at/updated_at in the export: versions cannot be told apart")
    pair_id = ann.data.get("pair_id")
    annotator, email, mapped = users.resolve(ann.ls_url, ann.user_id, ann.user_email)
    with ws.session() as s:
        versions = _versions(s, ann)
        same = [v for v in versions if as_utc(v.updated_at) == version_at]
        if same:
            report.duplicates += 1
            return
        if versions and versions[0].pair_id != pair_id:
            raise _Skip(f"this annotation key was imported before for pair {versions[0].pair_id}, not {pair_id!r}: "
                        f"is the export from another server or project? Pass --ls-url / --ls-project")
        known_user = versions[0].ls_user_id if versions else None
        if known_user is not None and ann.user_id is not None and known_user != ann.user_id:
            raise _Skip(f"this annotation key was imported before as Label Studio user {known_user}'s, not user "
                        f"{ann.user_id}'s: is the export from another server or project? Pass --ls-url / --ls-project")
        if not isinstance(pair_id, str) or s.get(PairRecord, pair_id) is None:
            raise _Skip(f"pair {pair_id!r} is not in this workspace")
        ins_id = number(ann.data.get("instruction_id"))
        ins = s.get(InstructionRecord, ins_id) if ins_id is not None else None
        model = ann.data.get("model_instruction") or (ins.text if ins else None) or ""
        judged = _judge(ann, model)
        newest = versions[-1] if versions else None
        current = newest is None or version_at > as_utc(newest.updated_at)
        legacy = None if versions else _legacy(s, ann, pair_id)
        adopted = legacy is not None and same_text(legacy[0].text, judged.text)
        if adopted:  # the same answer an unversioned import made: recorded as this version, nothing added
            refinement, preference = legacy
        else:
            refinement = RefinementRecord(pair_id=pair_id, instruction_id=ins.id if ins else None, text=judged.text,
                                          annotator=annotator, created_at=version_at)
            s.add(refinement)
            s.flush()
            preference = None
        if judged.outcome == "preference" and current and not adopted:
            preference = PreferenceRecord(pair_id=pair_id, rejected_instruction_id=ins.id if ins else None,
                                          chosen=judged.text, rejected=model,
                                          error_type=ann.values["failure_type"], severity=ann.values["severity"],
                                          annotator=annotator, created_at=version_at)
            s.add(preference)
            s.flush()
        row = LabelStudioAnnotationRecord(
            ls_url=ann.ls_url, ls_project=ann.ls_project, ls_task=ann.task, ls_annotation=ann.annotation,
            ls_user_id=ann.user_id, ls_user_email=email, annotator=annotator, pair_id=pair_id,
            instruction_id=ins.id if ins else None, created_at=ann.created_at or version_at, updated_at=version_at,
            lead_time=ann.lead_time, verdict=_str(ann.values.get("verdict")), text=judged.text,
            failure_type=_str(ann.values.get("failure_type")), severity=_str(ann.values.get("severity")),
            outcome=judged.outcome, refinement_id=refinement.id, preference_id=preference.id if preference else None,
            export_format=ann.export_format, note=judged.note)
        s.add(row)
        try:
            s.flush()
        except IntegrityError:
            raise _Skip("imported concurrently by another process") from None
        _chain(s, [*versions, row])
    if adopted:
        report.duplicates += 1
        report.notes.append({"annotation": ann.key, "note": f"imported before as {_legacy_token(ann)} (an import "
                                                            f"that kept no versions): recorded as this version"})
        return
    if legacy is not None:
        report.notes.append({"annotation": ann.key, "note": f"imported before as {_legacy_token(ann)} (an import "
                                                            f"that kept no versions) with other text: refinement "
                                                            f"{legacy[0].id} kept beside this version"})
    report.refinements += 1
    report.preferences += preference is not None
    report.revisions += current and newest is not None
    report.history += not current
    if judged.note:
        report.notes.append({"annotation": ann.key, "note": judged.note})
    if users.names and not mapped and annotator not in unmapped:
        unmapped.add(annotator)
        report.notes.append({"annotation": ann.key, "note": f"user {ann.user_id or email} is not in the user map: "
                                                            f"named {annotator}"})


def _legacy_token(ann: LSAnnotation) -> str:
    return f"ls:{ann.task}:{ann.annotation}"


def _legacy(s: Session, ann: LSAnnotation, pair_id: str) -> tuple[RefinementRecord, PreferenceRecord | None] | None:
    """The Refinement (and Preference) that an import before schema v5 made for this annotation, if unclaimed.

    Those imports keyed annotations ``ls:TASK:ANNOTATION`` (no server, no project, no version) in
    ``annotation_submissions``. Such a key on the same pair is taken to be this annotation, and
    claimed by the first server/project key that matches it, so that re-importing an export
    after the upgrade adds nothing.
    """
    S, L = AnnotationSubmissionRecord, LabelStudioAnnotationRecord  # noqa: N806
    sub = s.scalar(select(S).where(S.token == _legacy_token(ann), S.kind == "labelstudio"))
    if sub is None or sub.record_kind != "refinement" or sub.record_id is None:
        return None
    ref = s.get(RefinementRecord, sub.record_id)
    if ref is None or ref.pair_id != pair_id or s.scalar(select(L.id).where(L.refinement_id == ref.id)) is not None:
        return None
    pref_id = number((sub.payload or {}).get("preference_id"))
    return ref, (s.get(PreferenceRecord, pref_id) if pref_id is not None else None)


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _versions(s: Session, ann: LSAnnotation) -> list[LabelStudioAnnotationRecord]:
    L = LabelStudioAnnotationRecord  # noqa: N806
    rows = s.scalars(select(L).where(L.ls_url == ann.ls_url, L.ls_project == ann.ls_project, L.ls_task == ann.task,
                                     L.ls_annotation == ann.annotation))
    return sorted(rows, key=lambda v: (as_utc(v.updated_at), v.id))


def _chain(s: Session, versions: list[LabelStudioAnnotationRecord]) -> None:
    """Link each version to the next newer one; only the newest keeps its Preference."""
    versions = sorted(versions, key=lambda v: (as_utc(v.updated_at), v.id))
    for older, newer in zip(versions, versions[1:], strict=False):
        older.superseded_by, older.superseded_at = newer.id, as_utc(newer.updated_at)
        if older.preference_id is not None:
            pref = s.get(PreferenceRecord, older.preference_id)
            if pref is not None:
                s.delete(pref)
            older.preference_id = None
    versions[-1].superseded_by, versions[-1].superseded_at = None, None
    s.flush()
