"""Label Studio interop: the labelling config, task export, and importing its JSON exports."""

from __future__ import annotations

import json
from xml.etree import ElementTree as ET

import pytest
from sqlalchemy import func, select

from editcaption.annotate.labelstudio import LabelStudioError, export_labelstudio, import_labelstudio, labeling_config
from editcaption.workspace.models import PairRecord, PreferenceRecord, RefinementRecord


def test_prefer_config_has_two_images_prefilled_text_and_choices():
    root = ET.fromstring(labeling_config("prefer"))
    images = root.findall(".//Image")
    assert [i.get("value") for i in images] == ["$source_image", "$target_image"]
    area = root.find(".//TextArea")
    assert (area.get("name"), area.get("value"), area.get("editable")) == ("instruction", "$instruction", "true")
    choices = {c.get("name"): [x.get("value") for x in c.findall("Choice")] for c in root.iter("Choices")}
    assert choices == {"verdict": ["correct", "corrected"], "failure_type": ["orientation", "viewpoint", "detail"],
                       "severity": ["P0", "P1", "P2"]}
    block = next(v for v in root.iter("View") if v.get("visibleWhen"))
    assert (block.get("whenTagName"), block.get("whenChoiceValue")) == ("verdict", "corrected")
    assert {c.get("toName") for c in root.iter("Choices")} == {"target"}
    refine = ET.fromstring(labeling_config("refine"))
    assert refine.find(".//TextArea") is not None and not list(refine.iter("Choices"))
    with pytest.raises(LabelStudioError):
        labeling_config("judge")


def test_export_copies_images_or_embeds_them(studio_sqlite, tmp_path):
    report = export_labelstudio(studio_sqlite, "source:manifest", tmp_path / "ls")
    tasks = json.loads((tmp_path / "ls" / "tasks.json").read_text())
    with studio_sqlite.session() as s:
        shas = {sha for p in s.scalars(select(PairRecord)) for sha in (p.source_sha, p.target_sha)}
    assert report.tasks == len(tasks) == 6 and report.images == len(shas)  # shared images copied once
    data = tasks[0]["data"]
    assert data["instruction"] == data["model_instruction"] and data["run"] == "source:manifest"
    name = data["source_image"].removeprefix("/data/local-files/?d=images/")
    assert (tmp_path / "ls" / "images" / name).read_bytes()[:2] == b"\xff\xd8"
    assert ET.fromstring((tmp_path / "ls" / "config.xml").read_text()).tag == "View"
    embedded = export_labelstudio(studio_sqlite, "source:manifest", tmp_path / "ls2", images="embed", limit=1)
    assert embedded.tasks == 1 and embedded.images == 0
    data = json.loads((tmp_path / "ls2" / "tasks.json").read_text())[0]["data"]
    assert data["target_image"].startswith("data:image/jpeg;base64,")
    with pytest.raises(LabelStudioError, match="no run"):
        export_labelstudio(studio_sqlite, "nope", tmp_path / "ls3")


def ls_result(name: str, kind: str, value) -> dict:  # noqa: ANN001
    key = "text" if kind == "textarea" else "choices"
    return {"from_name": name, "to_name": "target", "type": kind, "value": {key: [value]}}


def full_export(tasks: list[dict]) -> list[dict]:
    """What Label Studio's JSON export looks like after annotators worked on our tasks."""
    a, b, c = tasks[0], tasks[1], tasks[2]
    return [
        {"id": 101, "data": a["data"], "annotations": [
            {"id": 1, "completed_by": {"id": 7, "email": "ann@example.org"}, "was_cancelled": False, "result": [
                ls_result("verdict", "choices", "corrected"),
                ls_result("instruction", "textarea", "Pan the camera to the right."),
                ls_result("failure_type", "choices", "orientation"),
                ls_result("severity", "choices", "P0")]},
            {"id": 2, "completed_by": 8, "was_cancelled": True, "result": []},
        ]},
        {"id": 102, "data": b["data"], "annotations": [
            {"id": 3, "completed_by": 8, "result": [ls_result("verdict", "choices", "correct"),
                                                  ls_result("instruction", "textarea", b["data"]["instruction"])]},
            {"id": 4, "completed_by": 9, "result": [ls_result("verdict", "choices", "corrected"),
                                                  ls_result("instruction", "textarea", "Brighten it a lot.")]},
            {"id": 5, "completed_by": 9, "result": [ls_result("verdict", "choices", "correct")]},
        ]},
        {"id": 103, "data": {**c["data"], "pair_id": "0" * 32}, "annotations": [
            {"id": 6, "completed_by": 9, "result": [ls_result("instruction", "textarea", "Something.")]}]},
    ]


def counts(ws) -> tuple[int, int]:  # noqa: ANN001
    with ws.session() as s:
        return (s.scalar(select(func.count()).select_from(RefinementRecord)),
                s.scalar(select(func.count()).select_from(PreferenceRecord)))


def test_import_full_json_export(studio_sqlite, tmp_path):
    ws = studio_sqlite
    export_labelstudio(ws, "source:manifest", tmp_path / "ls")
    tasks = json.loads((tmp_path / "ls" / "tasks.json").read_text())
    path = tmp_path / "export.json"
    path.write_text(json.dumps(full_export(tasks)))
    report = import_labelstudio(ws, path)
    assert (report.refinements, report.preferences, report.duplicates) == (3, 1, 0)
    assert sorted(s["annotation"] for s in report.skipped) == ["ls:102:5", "ls:103:6"]
    assert report.notes == [{"annotation": "ls:102:4", "note": "corrected without a failure type and severity: "
                                                                "refinement only"}]
    with ws.session() as s:
        pref = s.scalars(select(PreferenceRecord)).one()
        assert (pref.chosen, pref.rejected) == ("Pan the camera to the right.", tasks[0]["data"]["model_instruction"])
        assert (pref.error_type, pref.severity, pref.annotator) == ("orientation", "P0", "labelstudio:ann@example.org")
        assert pref.rejected_instruction_id == tasks[0]["data"]["instruction_id"]
        texts = sorted(r.text for r in s.scalars(select(RefinementRecord)))
        assert texts == sorted(["Pan the camera to the right.", tasks[1]["data"]["model_instruction"],
                                "Brighten it a lot."])
    again = import_labelstudio(ws, path)
    assert (again.refinements, again.preferences, again.duplicates) == (0, 0, 3)
    assert counts(ws) == (3, 1)


def test_import_json_min_export(studio_sqlite, tmp_path):
    ws = studio_sqlite
    export_labelstudio(ws, "source:manifest", tmp_path / "ls", limit=1)
    data = json.loads((tmp_path / "ls" / "tasks.json").read_text())[0]["data"]
    rows = [{**data, "id": 5, "annotation_id": 11, "annotator": "ann@example.org", "verdict": "corrected",
             "instruction": "Mirror the image left to right.", "failure_type": "detail", "severity": "P2"}]
    path = tmp_path / "min.json"
    path.write_text(json.dumps(rows))
    report = import_labelstudio(ws, path)
    assert (report.refinements, report.preferences) == (1, 1)
    with pytest.raises(LabelStudioError, match="list of tasks"):
        path.write_text("{}")
        import_labelstudio(ws, path)
    with pytest.raises(LabelStudioError, match="cannot read"):
        import_labelstudio(ws, tmp_path / "missing.json")
