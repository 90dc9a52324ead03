"""Reading Label Studio's JSON and JSON_MIN exports into one list of annotations, each with its scope.

The full ``JSON`` export is a list of tasks, each with its ``annotations`` (cancelled ones
included, marked ``was_cancelled``) and ``completed_by`` as a user id; ``JSON_MIN`` has one row
per annotation, the task's data fields and the controls' values side by side, ``annotator`` for
the user, and no project number. Both carry ``created_at``, ``updated_at`` and ``lead_time``,
so an annotation version reads the same from either.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ..timeutil import as_utc
from .common import LabelStudioError, normalize_url, number
from .identity import parse_user


@dataclass
class LSAnnotation:
    """One version of one Label Studio annotation, as an export shows it."""

    ls_url: str
    ls_project: int
    task: int
    annotation: int
    user_id: int | None
    user_email: str | None
    created_at: dt.datetime | None
    updated_at: dt.datetime | None
    lead_time: float | None
    data: dict[str, Any]
    values: dict[str, Any]  # from_name -> text (textarea) or choice (choices)
    export_format: str

    @property
    def version_at(self) -> dt.datetime | None:
        """When this version was saved: ``updated_at`` (``created_at`` for a never-revised one without it)."""
        return self.updated_at or self.created_at

    @property
    def key(self) -> str:
        return f"ls:{self.ls_url}/p{self.ls_project}/t{self.task}/a{self.annotation}"


@dataclass
class Scan:
    """What an export holds: its annotations, how many were cancelled, and remarks on its scope."""

    annotations: list[LSAnnotation] = field(default_factory=list)
    cancelled: int = 0
    notes: list[dict[str, Any]] = field(default_factory=list)


def _value(item: dict[str, Any]) -> Any:
    """A result's value: a text area's lines joined by newlines, a choice control's first choice."""
    value = item.get("value") or {}
    if "text" in value:
        text = value["text"]
        return "\n".join(text) if isinstance(text, list) else str(text)
    if "choices" in value:
        choices = value["choices"]
        return choices[0] if isinstance(choices, list) and choices else None
    return None


def _min_value(name: str, value: Any) -> Any:
    """A control's value in a JSON_MIN row: a plain string for one line or one choice, else what
    Label Studio's converter leaves: ``{"text": [lines]}`` for a text of several lines, a list when a
    control has several results."""
    if isinstance(value, dict):
        return _value({"value": value})
    if isinstance(value, list):
        if name == "instruction":
            return "\n".join(str(v) for v in value)
        return value[0] if value else None
    return value


def _time(value: Any) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return as_utc(parsed)


def _lead_time(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _scope(task: dict[str, Any], data: dict[str, Any], ls_url: str | None, ls_project: int | None,
           notes: list[dict[str, Any]]) -> tuple[str, int]:
    """The server and project an annotation comes from: the options, else what export and tasks say."""
    recorded_url = data.get("ls_url") if isinstance(data.get("ls_url"), str) else None
    if ls_url:
        server = normalize_url(ls_url)
        if recorded_url and normalize_url(recorded_url) != server:
            note = f"tasks were exported for {normalize_url(recorded_url)}; keyed by --ls-url {server} as given"
            if {"annotation": "*", "note": note} not in notes:
                notes.append({"annotation": "*", "note": note})
    elif recorded_url:
        server = normalize_url(recorded_url)
    else:
        raise LabelStudioError("this export does not say which Label Studio server it comes from (its tasks were "
                               "exported without --ls-url): pass --ls-url, e.g. --ls-url http://localhost:8080")
    in_export = number(task.get("project"))  # full JSON says it; JSON_MIN does not
    recorded = number(data.get("ls_project"))
    if ls_project is not None:
        if in_export is not None and in_export != ls_project:
            raise LabelStudioError(f"--ls-project {ls_project} but this export comes from project {in_export}")
        project = ls_project
    elif in_export is not None:
        if recorded is not None and recorded != in_export:
            raise LabelStudioError(f"the tasks were exported for project {recorded} but this export comes from "
                                   f"project {in_export}: pass --ls-project {in_export} (for JSON_MIN exports of "
                                   f"it too)")
        project = in_export
    elif recorded is not None:
        project = recorded
    else:
        raise LabelStudioError("a JSON_MIN export does not say which Label Studio project it comes from: pass "
                               "--ls-project N (the N in /projects/N/), or export the tasks with --ls-project")
    return server, project


def read_export(export: Any, ls_url: str | None = None, ls_project: int | None = None) -> Scan:
    """Every non-cancelled annotation of a parsed JSON or JSON_MIN export, keyed by its server and project."""
    if not isinstance(export, list):
        raise LabelStudioError("a Label Studio JSON export is a list of tasks")
    scan = Scan()
    out = scan.annotations
    for n, task in enumerate(export):
        if not isinstance(task, dict):
            raise LabelStudioError(f"task {n} is not an object")
        task_id = number(task.get("id"))
        if "annotations" in task or "data" in task:  # full JSON export
            data = task.get("data") if isinstance(task.get("data"), dict) else {}
            server, project = _scope(task, data, ls_url, ls_project, scan.notes)
            for ann in task.get("annotations") or []:
                if not isinstance(ann, dict):
                    continue
                if ann.get("was_cancelled"):
                    scan.cancelled += 1
                    continue
                # results laid over the task's data, as Label Studio's JSON_MIN converter does: a text
                # area left as pre-filled (no result of its own) reads as the task's instruction in both
                values = {k: v for k, v in data.items() if k == "instruction"}
                values |= {r.get("from_name"): _value(r) for r in ann.get("result") or [] if isinstance(r, dict)}
                uid, email = parse_user(ann.get("completed_by"))
                out.append(LSAnnotation(server, project, task_id if task_id is not None else n,
                                        number(ann.get("id")) or 0, uid, email, _time(ann.get("created_at")),
                                        _time(ann.get("updated_at")), _lead_time(ann.get("lead_time")), data, values,
                                        "JSON"))
        else:  # JSON_MIN: data fields and control values side by side, one row per annotation
            server, project = _scope(task, task, ls_url, ls_project, scan.notes)
            values = {k: _min_value(k, v) for k, v in task.items()}
            uid, email = parse_user(task.get("annotator"))
            out.append(LSAnnotation(server, project, task_id if task_id is not None else n,
                                    number(task.get("annotation_id")) or 0, uid, email, _time(task.get("created_at")),
                                    _time(task.get("updated_at")), _lead_time(task.get("lead_time")), task, values,
                                    "JSON_MIN"))
    return scan
