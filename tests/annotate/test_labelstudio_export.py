"""Label Studio export: the labelling config, the tasks, and the setup steps that make images resolve.

Whether those steps really make the images show in Label Studio is checked live by
``make test-labelstudio`` (tests/annotate/labelstudio_live.py: 404 before them, 200 after).
"""

from __future__ import annotations

import json
from xml.etree import ElementTree as ET

import pytest
from sqlalchemy import select

from editcaption.annotate.labelstudio import LabelStudioError, export_labelstudio, labeling_config
from editcaption.workspace.models import PairRecord


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


# -- export -----------------------------------------------------------------------------------


def test_export_copies_images_records_the_server_and_writes_the_setup_steps(studio_sqlite, tmp_path):
    out = tmp_path / "ls"
    report = export_labelstudio(studio_sqlite, "source:manifest", out, ls_url="HTTP://LS.Example.org:8080/",
                                ls_project=3)
    tasks = json.loads((out / "tasks.json").read_text())
    with studio_sqlite.session() as s:
        shas = {sha for p in s.scalars(select(PairRecord)) for sha in (p.source_sha, p.target_sha)}
    assert report.tasks == len(tasks) == 6 and report.images == len(shas)  # shared images copied once
    data = tasks[0]["data"]
    assert data["instruction"] == data["model_instruction"] and data["run"] == "source:manifest"
    assert (data["ls_url"], data["ls_project"]) == ("http://ls.example.org:8080", 3)
    name = data["source_image"].removeprefix("/data/local-files/?d=images/")
    assert (out / "images" / name).read_bytes()[:2] == b"\xff\xd8"
    assert ET.fromstring((out / "config.xml").read_text()).tag == "View"
    setup = (out / "SETUP.md").read_text()
    assert setup == report.setup
    lines = setup.splitlines()
    assert lines[2] == ("6 tasks in tasks.json, the labelling config in config.xml, for project 3 on "
                        "http://ls.example.org:8080 (imported annotations are keyed by that server and project).")
    assert lines[4:10] == ["1. Start Label Studio with local files served from this folder:", "",
                           "       export LABEL_STUDIO_LOCAL_FILES_SERVING_ENABLED=true",
                           f"       export LABEL_STUDIO_LOCAL_FILES_DOCUMENT_ROOT={out}",
                           "       label-studio start", ""]
    assert (f"3. Settings → Cloud Storage → Add Source Storage → Local files, absolute local path {out / 'images'}; "
            f"Check Connection, then Add Storage.") in setup
    assert f"       editcaption annotate import-labelstudio EXPORT.json -w {studio_sqlite.root}" in lines
    with pytest.raises(LabelStudioError, match="no run"):
        export_labelstudio(studio_sqlite, "nope", tmp_path / "ls3", ls_url="http://localhost:8080")
    with pytest.raises(LabelStudioError, match="--ls-url must be the server's address"):
        export_labelstudio(studio_sqlite, "source:manifest", tmp_path / "ls3", ls_url="localhost:8080")


def test_export_setup_steps_for_each_image_mode(studio_sqlite, tmp_path):
    ws = studio_sqlite
    embedded = export_labelstudio(ws, "source:manifest", tmp_path / "ls2", ls_url="http://localhost:8080",
                                  images="embed", limit=1)
    assert embedded.tasks == 1 and embedded.images == 0
    data = json.loads((tmp_path / "ls2" / "tasks.json").read_text())[0]["data"]
    assert data["target_image"].startswith("data:image/jpeg;base64,") and data["ls_project"] is None
    assert "LOCAL_FILES" not in embedded.setup and "Cloud Storage" not in embedded.setup
    assert embedded.setup.splitlines()[4] == ("1. Start Label Studio. The images are inside tasks.json as data: "
                                              "URLs: nothing to serve.")
    assert "EXPORT.json --ls-project N -w" in embedded.setup  # no project given: its number is asked for
    # a local-files URL one folder deeper: the document root moves up with it
    nested = export_labelstudio(ws, "source:manifest", tmp_path / "proj" / "ls", ls_url="http://localhost:8080",
                                image_url="/data/local-files/?d=ls/images/", limit=1)
    assert f"export LABEL_STUDIO_LOCAL_FILES_DOCUMENT_ROOT={tmp_path / 'proj'}" in nested.setup
    assert "and /label-studio/files/ls/images as the path in step 3" in nested.setup
    web = export_labelstudio(ws, "source:manifest", tmp_path / "web", ls_url="http://localhost:8080",
                             image_url="https://img.example.org/pairs/", limit=1)
    assert (f"1. Serve the files of {tmp_path / 'web' / 'images'} so that https://img.example.org/pairs/<file name> "
            f"answers them") in web.setup
    assert "LOCAL_FILES" not in web.setup
    with pytest.raises(LabelStudioError, match="must end with a folder path"):
        export_labelstudio(ws, "source:manifest", tmp_path / "bad", ls_url="http://localhost:8080",
                           image_url="/data/local-files/?d=elsewhere/")
