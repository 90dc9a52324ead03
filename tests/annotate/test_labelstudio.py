"""Label Studio import: recorded exports read back (revisions, servers, people, formats), the commands, live.

The imports run on exports recorded from real Label Studio 1.23.2 servers, committed in
tests/annotate/data/labelstudio/ (JSON and JSON_MIN, two servers, two annotators on one server,
one revision round). How they were recorded — servers, users, API calls, the command that
records them again — is the docstring of tests/annotate/labelstudio_live.py; recording.json
there names the Label Studio version and the two servers' URLs. ``make test-labelstudio`` plays
the same scenario on fresh servers and checks it against the same expectations
(``test_live_round_trip``, skipped otherwise).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from labelstudio_live import record
from sqlalchemy import func, select
from typer.testing import CliRunner

from editcaption.annotate.labelstudio import LabelStudioError, import_labelstudio
from editcaption.annotate.labelstudio.parse import read_export
from editcaption.annotate.timeutil import as_utc
from editcaption.cli import app
from editcaption.export.sources import select_preferences, select_texts
from editcaption.workspace import Workspace
from editcaption.workspace.models import (
    AnnotationSubmissionRecord,
    LabelStudioAnnotationRecord,
    PairRecord,
    PreferenceRecord,
    RefinementRecord,
)

DATA = Path(__file__).parent / "data" / "labelstudio"
A, B = "http://127.0.0.1:18081", "http://127.0.0.1:18082"  # the recorded servers (recording.json)
MAP_A = {"1": "alice", "2": "bob"}


# -- import of the recorded exports -------------------------------------------------------------


def write_map(tmp_path: Path) -> Path:
    path = tmp_path / "users-a.json"
    path.write_text(json.dumps(MAP_A))
    return path


def import_all(ws: Workspace, folder: Path, map_a: Path, order: tuple[str, ...] = (
        "a-v1.json", "a-v1-min.json", "a-v2.json", "a-v2-min.json", "b.json", "b-min.json")) -> list[dict]:
    """Import a scenario's exports: server A with a {id: name} map, server B with its users list."""
    reports = []
    for name in order:
        maps = {"user_map": map_a} if name.startswith("a-") else {"user_map": folder / "b-users.json"}
        project = {"ls_project": 1} if name == "b-min.json" else {}  # B's tasks were exported without one
        reports.append(import_labelstudio(ws, folder / name, **maps, **project).as_json())
    return reports


def iso(value) -> str | None:  # noqa: ANN001
    return as_utc(value).isoformat() if value is not None else None


def state(ws: Workspace, servers: dict[str, str], times: bool = False) -> dict:
    """What the import left, with servers named by ``servers`` (URL → label) and, with ``times``, timestamps."""
    with ws.session() as s:
        names = {p.id: p.name for p in s.scalars(select(PairRecord))}
        rows = sorted(s.scalars(select(LabelStudioAnnotationRecord)),
                      key=lambda v: (servers[v.ls_url], v.ls_task, v.ls_annotation, as_utc(v.updated_at)))
        by_id = {v.id: v for v in rows}
        versions = [(servers[v.ls_url], v.ls_project, v.ls_task, v.ls_annotation, v.ls_user_id, v.ls_user_email,
                     v.annotator, names[v.pair_id], v.verdict, v.text, v.failure_type, v.severity, v.outcome,
                     v.lead_time, v.preference_id is not None, v.superseded_by is not None) for v in rows]
        refinements = {v.refinement_id: s.get(RefinementRecord, v.refinement_id) for v in rows}
        assert len(refinements) == s.scalar(select(func.count()).select_from(RefinementRecord))
        for v in rows:
            ref = refinements[v.refinement_id]
            assert (ref.pair_id, ref.text, ref.annotator, as_utc(ref.created_at)) == (
                v.pair_id, v.text, v.annotator, as_utc(v.updated_at))
            if v.superseded_by is not None:
                assert as_utc(v.superseded_at) == as_utc(by_id[v.superseded_by].updated_at)
        live = [s.get(PreferenceRecord, v.preference_id) for v in rows if v.preference_id is not None]
        assert len(live) == s.scalar(select(func.count()).select_from(PreferenceRecord))
        preferences = [(names[p.pair_id], p.annotator, p.chosen, p.rejected, p.error_type, p.severity) for p in live]
        texts = select_texts(s, ws.store, "refined")
        prefs = select_preferences(s, ws.store)
        out = {
            "versions": versions,
            "preferences": preferences,
            "sft": {i.pair.name: (i.text, i.provenance["annotator"]) for i in texts.items},
            "dpo": [(i.pair.name, i.annotator, i.chosen) for i in prefs.items],
            "dpo_skipped": dict(prefs.skipped),
        }
        if times:
            out["times"] = [(iso(v.created_at), iso(v.updated_at), iso(v.superseded_at)) for v in rows]
    return out


CHELSEA, COFFEE, ASTRONAUT = "chelsea_pan_left", "coffee_brighter", "astronaut_mirror"
CAROL = "labelstudio:carol@example.org"
# server, project, task, annotation, LS user id, email, annotator, pair, verdict, text, failure type, severity,
# outcome, lead time, live preference, superseded
EXPECTED_VERSIONS = [
    ("A", 1, 1, 1, 1, None, "alice", CHELSEA, "corrected", "Pan the camera to the left, keeping the cat in the "
     "centre.", "detail", "P2", "preference", 12.5, False, True),
    ("A", 1, 1, 1, 1, None, "alice", CHELSEA, "corrected", "Pan the camera to the left by about a quarter of the "
     "frame.", "detail", "P1", "preference", 20.0, True, False),
    ("A", 1, 1, 2, 2, None, "bob", CHELSEA, "correct", "Pan the camera to the left.", None, None, "correct", 3.25,
     False, False),
    ("A", 1, 2, 3, 2, None, "bob", COFFEE, "correct", "Brighten the whole image slightly.", None, None, "refined",
     7.0, False, True),
    ("A", 1, 2, 3, 2, None, "bob", COFFEE, "corrected", "Brighten the whole image slightly.", "detail", "P2",
     "preference", 9.5, True, False),
    ("A", 1, 3, 5, 1, None, "alice", ASTRONAUT, "corrected", "Mirror the image left to right.", None, None,
     "refined", 5.0, False, False),
    ("B", 1, 1, 1, 1, "carol@example.org", CAROL, CHELSEA, "corrected", "Pan the camera to the left; the cat moves "
     "right in the frame.", "orientation", "P1", "preference", 9.0, True, False),
]
EXPECTED = {
    "versions": EXPECTED_VERSIONS,
    "preferences": [
        (CHELSEA, "alice", "Pan the camera to the left by about a quarter of the frame.",
         "Pan the camera to the left.", "detail", "P1"),
        (COFFEE, "bob", "Brighten the whole image slightly.", "Brighten the whole image.", "detail", "P2"),
        (CHELSEA, CAROL, "Pan the camera to the left; the cat moves right in the frame.",
         "Pan the camera to the left.", "orientation", "P1"),
    ],
    # what `editcaption export` takes: the latest refinement per pair, the latest preference per rejected text
    "sft": {CHELSEA: ("Pan the camera to the left; the cat moves right in the frame.", CAROL),
            COFFEE: ("Brighten the whole image slightly.", "bob"),
            ASTRONAUT: ("Mirror the image left to right.", "alice")},
    "dpo": [(COFFEE, "bob", "Brighten the whole image slightly."),  # sorted by pair id
            (CHELSEA, CAROL, "Pan the camera to the left; the cat moves right in the frame.")],
    "dpo_skipped": {"superseded by a later preference for the same rejected text": 1},
}
# Label Studio's created_at and updated_at of each version, and when a newer one superseded it
EXPECTED_TIMES = [
    ("2026-12-04T19:12:44.202444+00:00", "2026-12-04T19:12:44.202471+00:00", "2026-12-04T19:12:44.931138+00:00"),
    ("2026-12-04T19:12:44.202444+00:00", "2026-12-04T19:12:44.931138+00:00", None),
    ("2026-12-04T19:12:44.510132+00:00", "2026-12-04T19:12:44.510161+00:00", None),
    ("2026-12-04T19:12:44.586875+00:00", "2026-12-04T19:12:44.586898+00:00", "2026-12-04T19:12:45.025861+00:00"),
    ("2026-12-04T19:12:44.586875+00:00", "2026-12-04T19:12:45.025861+00:00", None),
    ("2026-12-04T19:12:44.723904+00:00", "2026-12-04T19:12:44.723927+00:00", None),
    ("2026-12-04T19:13:17.379819+00:00", "2026-12-04T19:13:17.379842+00:00", None),
]
NOTE_CORRECT_EDITED = ("verdict 'correct' but the text was edited: kept as a correction (refinement only; set the "
                       "verdict to 'corrected' in Label Studio and import again for a preference)")
NOTE_NO_LABELS = "corrected without a failure type and severity: refinement only"


def report(refinements=0, preferences=0, revisions=0, history=0, duplicates=0, cancelled=0, url=A, project=1,
           notes=()) -> dict:  # noqa: ANN001
    return {"refinements": refinements, "preferences": preferences, "revisions": revisions, "history": history,
            "duplicates": duplicates, "cancelled": cancelled, "ls_url": url, "ls_project": project, "skipped": [],
            "notes": [{"annotation": k, "note": n} for k, n in notes]}


def test_recorded_round_trip_revisions_two_annotators_two_servers(studio_ws, tmp_path):
    ws = studio_ws
    reports = import_all(ws, DATA, write_map(tmp_path))
    assert reports == [
        # first export of A: four annotations (the cancelled one skipped), one preference
        report(4, 1, cancelled=1, notes=[(f"ls:{A}/p1/t2/a3", NOTE_CORRECT_EDITED),
                                         (f"ls:{A}/p1/t3/a5", NOTE_NO_LABELS)]),
        report(duplicates=4),  # the same state as JSON_MIN
        # after the revision round: alice's and bob's new versions supersede the first ones
        report(2, 2, revisions=2, duplicates=2, cancelled=1),
        report(duplicates=4),
        # server B: ids (task 1, annotation 1) like alice's on A, yet a new annotation by another person
        report(1, 1, url=B),
        report(duplicates=1, url=B),
    ]
    assert state(ws, {A: "A", B: "B"}, times=True) == EXPECTED | {"times": EXPECTED_TIMES}
    again = import_all(ws, DATA, write_map(tmp_path))  # every file again: nothing new
    assert [(r["refinements"], r["preferences"], r["duplicates"]) for r in again] == [
        (0, 0, 4), (0, 0, 4), (0, 0, 4), (0, 0, 4), (0, 0, 1), (0, 0, 1)]
    assert state(ws, {A: "A", B: "B"}) == EXPECTED


def test_json_and_json_min_give_the_same_records(studio_sqlite, studio_template, tmp_path):
    only_json = studio_sqlite
    shutil.copytree(studio_template, tmp_path / "ws-min")
    only_min = Workspace.open(tmp_path / "ws-min")
    try:
        import_all(only_json, DATA, write_map(tmp_path), order=("a-v1.json", "a-v2.json", "b.json"))
        import_all(only_min, DATA, write_map(tmp_path), order=("a-v1-min.json", "a-v2-min.json", "b-min.json"))
        assert state(only_json, {A: "A", B: "B"}, times=True) == EXPECTED | {"times": EXPECTED_TIMES}
        assert state(only_min, {A: "A", B: "B"}, times=True) == EXPECTED | {"times": EXPECTED_TIMES}
        with only_min.session() as s:
            assert set(s.scalars(select(LabelStudioAnnotationRecord.export_format))) == {"JSON_MIN"}
    finally:
        only_min.close()


def test_a_text_of_several_lines_reads_the_same_from_both_formats(studio_sqlite, tmp_path):
    # a TextArea answer in several lines: JSON lists the lines in value.text; JSON_MIN writes
    # {"text": [...]} for it (Label Studio's converter keeps a single line as a plain string only)
    lines = ["Pan the camera to the left.", "The cat stays in the centre."]
    full = json.loads((DATA / "b.json").read_text())
    next(r for r in full[0]["annotations"][0]["result"] if r["from_name"] == "instruction")["value"]["text"] = lines
    minimal = json.loads((DATA / "b-min.json").read_text())
    minimal[0]["instruction"] = {"text": lines}
    (tmp_path / "full.json").write_text(json.dumps(full))
    (tmp_path / "min.json").write_text(json.dumps(minimal))
    texts = [read_export(e, ls_project=1).annotations[0].values["instruction"] for e in (full, minimal)]
    assert texts == ["\n".join(lines)] * 2
    assert import_labelstudio(studio_sqlite, tmp_path / "min.json", ls_project=1).refinements == 1
    assert import_labelstudio(studio_sqlite, tmp_path / "full.json").duplicates == 1
    with studio_sqlite.session() as s:
        assert list(s.scalars(select(RefinementRecord.text))) == ["\n".join(lines)]


def test_revisions_imported_before_the_first_version_end_the_same(studio_sqlite, tmp_path):
    ws = studio_sqlite
    reports = import_all(ws, DATA, write_map(tmp_path), order=("a-v2.json", "a-v1-min.json", "b.json"))
    # the older versions arrive last: kept as history (refinements dated in the past), no preference
    assert reports[1] == report(2, 0, history=2, duplicates=2, notes=[(f"ls:{A}/p1/t2/a3", NOTE_CORRECT_EDITED)])
    assert state(ws, {A: "A", B: "B"}, times=True) == EXPECTED | {"times": EXPECTED_TIMES}


def test_an_import_made_before_versions_were_kept_is_not_duplicated(studio_sqlite, tmp_path):
    """Before schema v5 an import recorded ``ls:TASK:ANNOTATION`` in annotation_submissions (no server,
    no project, no version) and, for a "correct" verdict, the model's text: the rows below are what it
    wrote for alice's first answer to task 1 and bob's edited "correct" on task 2 of a-v1.json."""
    ws = studio_sqlite
    tasks = {t["id"]: t for t in json.loads((DATA / "a-v1.json").read_text())}
    with ws.session() as s:
        for task, annotation, text, pref in ((1, 1, "Pan the camera to the left, keeping the cat in the centre.",
                                              ("detail", "P2")),
                                             (2, 3, "Brighten the whole image.", None)):
            data = tasks[task]["data"]
            ref = RefinementRecord(pair_id=data["pair_id"], instruction_id=data["instruction_id"], text=text,
                                   annotator="labelstudio:1")
            s.add(ref)
            s.flush()
            preference = None
            if pref:
                preference = PreferenceRecord(pair_id=data["pair_id"], rejected_instruction_id=data["instruction_id"],
                                              chosen=text, rejected=data["model_instruction"], error_type=pref[0],
                                              severity=pref[1], annotator="labelstudio:1")
                s.add(preference)
                s.flush()
            s.add(AnnotationSubmissionRecord(
                token=f"ls:{task}:{annotation}", annotator="labelstudio:1", kind="labelstudio",
                outcome=pref[0] if pref else "correct", record_kind="refinement", record_id=ref.id,
                payload={"instruction": text, "preference_id": preference.id if preference else None}))
        legacy_pref = s.scalar(select(PreferenceRecord.id))
    first = import_labelstudio(ws, DATA / "a-v1.json", user_map=write_map(tmp_path))
    # alice's answer is the one imported before: claimed, nothing added; bob's text differs (the old
    # import kept the model's text for "correct"): imported, the old refinement kept beside it
    assert (first.refinements, first.preferences, first.duplicates) == (3, 0, 1)
    assert first.notes[:2] == [
        {"annotation": f"ls:{A}/p1/t1/a1", "note": "imported before as ls:1:1 (an import that kept no versions): "
                                                   "recorded as this version"},
        {"annotation": f"ls:{A}/p1/t2/a3", "note": "imported before as ls:2:3 (an import that kept no versions) "
                                                   "with other text: refinement 2 kept beside this version"},
    ]
    # server B's task 1 / annotation 1 shares the old key's numbers, but alice's version claimed it
    assert import_labelstudio(ws, DATA / "b.json").refinements == 1
    assert import_labelstudio(ws, DATA / "a-v1.json", user_map=write_map(tmp_path)).duplicates == 4
    with ws.session() as s:
        alice = s.scalar(select(LabelStudioAnnotationRecord).where(LabelStudioAnnotationRecord.ls_url == A,
                                                                   LabelStudioAnnotationRecord.ls_annotation == 1))
        assert (alice.refinement_id, alice.preference_id) == (1, legacy_pref)
        assert s.scalar(select(func.count()).select_from(RefinementRecord)) == 2 + 3 + 1
    # alice's revision supersedes the claimed version: its preference goes, as any withdrawn one
    revised = import_labelstudio(ws, DATA / "a-v2.json", user_map=write_map(tmp_path))
    assert (revised.refinements, revised.preferences, revised.revisions) == (2, 2, 2)
    with ws.session() as s:
        assert s.get(PreferenceRecord, legacy_pref) is None
        assert s.get(RefinementRecord, 1).text == "Pan the camera to the left, keeping the cat in the centre."


def test_annotators_without_a_map_are_scoped_to_their_server(studio_sqlite):
    ws = studio_sqlite
    import_labelstudio(ws, DATA / "a-v2.json")
    import_labelstudio(ws, DATA / "b.json")
    with ws.session() as s:
        people = sorted(set(s.execute(select(LabelStudioAnnotationRecord.annotator, LabelStudioAnnotationRecord.ls_url,
                                             LabelStudioAnnotationRecord.ls_user_id))))
    assert people == [("labelstudio:127.0.0.1:18081#1", A, 1), ("labelstudio:127.0.0.1:18081#2", A, 2),
                      ("labelstudio:127.0.0.1:18082#1", B, 1)]


def test_user_maps(studio_sqlite, tmp_path):
    ws = studio_sqlite
    # Label Studio's own users list: ids get their emails, and the emails name the people
    first = import_labelstudio(ws, DATA / "a-v1.json", user_map=DATA / "a-users.json")
    with ws.session() as s:
        people = sorted(set(s.execute(select(LabelStudioAnnotationRecord.ls_user_id,
                                             LabelStudioAnnotationRecord.ls_user_email,
                                             LabelStudioAnnotationRecord.annotator))))
    assert people == [(1, "alice@example.org", "labelstudio:alice@example.org"),
                      (2, "bob@example.org", "labelstudio:bob@example.org")]
    assert first.refinements == 4
    # a map by email and id, missing someone: named by default, and said once
    partial = tmp_path / "partial.json"
    partial.write_text(json.dumps({"alice@example.org": "alice"}))
    users = tmp_path / "users.json"
    users.write_text(json.dumps([{"id": 1, "email": "alice@example.org"}, {"id": 2, "email": "bob@example.org",
                                                                          "name": "robert"}]))
    revised = import_labelstudio(ws, DATA / "a-v2.json", user_map=users)
    assert revised.refinements == 2
    with ws.session() as s:
        latest = s.scalars(select(LabelStudioAnnotationRecord).where(LabelStudioAnnotationRecord.ls_annotation == 3)
                           .order_by(LabelStudioAnnotationRecord.updated_at.desc())).first()
        assert (latest.annotator, latest.ls_user_email) == ("robert", "bob@example.org")
    emails = import_labelstudio(ws, DATA / "b.json", user_map=partial)
    assert emails.notes == [{"annotation": f"ls:{B}/p1/t1/a1", "note": "user 1 is not in the user map: named "
                                                                       "labelstudio:127.0.0.1:18082#1"}]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"1": 7}))
    with pytest.raises(LabelStudioError, match="must be a JSON object of Label Studio user ids or emails"):
        import_labelstudio(ws, DATA / "b.json", user_map=bad)


def test_scope_is_required_and_checked(studio_sqlite, tmp_path):
    ws = studio_sqlite
    export = json.loads((DATA / "b.json").read_text())
    for task in export:
        del task["data"]["ls_url"]
    unscoped = tmp_path / "unscoped.json"
    unscoped.write_text(json.dumps(export))
    with pytest.raises(LabelStudioError, match="does not say which Label Studio server"):
        import_labelstudio(ws, unscoped)
    assert import_labelstudio(ws, unscoped, ls_url=B + "/").ls_url == B
    with pytest.raises(LabelStudioError, match="a JSON_MIN export does not say which Label Studio project"):
        import_labelstudio(ws, DATA / "b-min.json")
    with pytest.raises(LabelStudioError, match="--ls-project 2 but this export comes from project 1"):
        import_labelstudio(ws, DATA / "b.json", ls_project=2)
    moved = json.loads((DATA / "a-v1.json").read_text())
    for task in moved:
        task["project"] = 4  # the tasks say project 1: imported into another project of the same server
    path = tmp_path / "moved.json"
    path.write_text(json.dumps(moved))
    with pytest.raises(LabelStudioError, match="exported for project 1 but this export comes from project 4: pass "
                                               "--ls-project 4"):
        import_labelstudio(ws, path)
    assert import_labelstudio(ws, path, ls_project=4).refinements == 4
    # --ls-url given for tasks recorded for another server: the option wins, and the report says so
    other = import_labelstudio(ws, DATA / "a-v1.json", ls_url="http://other:8080")
    assert other.notes[0] == {"annotation": "*", "note": f"tasks were exported for {A}; keyed by --ls-url "
                                                         f"http://other:8080 as given"}


def test_an_annotation_key_reused_for_another_pair_or_person_is_refused(studio_sqlite, tmp_path):
    ws = studio_sqlite
    import_labelstudio(ws, DATA / "a-v1.json")
    export = json.loads((DATA / "b.json").read_text())
    export[0]["data"]["ls_url"] = A  # server B's export keyed as server A's by mistake
    export[0]["data"]["pair_id"] = json.loads((DATA / "a-v1.json").read_text())[1]["data"]["pair_id"]
    path = tmp_path / "mixed.json"
    path.write_text(json.dumps(export))
    result = import_labelstudio(ws, path)
    assert result.refinements == 0 and result.skipped == [{"annotation": f"ls:{A}/p1/t1/a1", "reason": (
        "this annotation key was imported before for pair 45f48af56817fa6a, not '2d3d10b5f90668d9': is the export "
        "from another server or project? Pass --ls-url / --ls-project")}]
    export = json.loads((DATA / "a-v2.json").read_text())
    export[0]["annotations"][0]["completed_by"] = 2
    path.write_text(json.dumps(export))
    result = import_labelstudio(ws, path)
    assert result.skipped == [{"annotation": f"ls:{A}/p1/t1/a1", "reason": (
        "this annotation key was imported before as Label Studio user 1's, not user 2's: is the export from "
        "another server or project? Pass --ls-url / --ls-project")}]


def test_unreadable_or_odd_exports(studio_sqlite, tmp_path):
    ws = studio_sqlite
    path = tmp_path / "odd.json"
    with pytest.raises(LabelStudioError, match="list of tasks"):
        path.write_text("{}")
        import_labelstudio(ws, path)
    with pytest.raises(LabelStudioError, match="cannot read"):
        import_labelstudio(ws, tmp_path / "missing.json")
    export = json.loads((DATA / "a-v1.json").read_text())
    task = export[0]
    first, second = task["annotations"][0], task["annotations"][1]
    del first["updated_at"], first["created_at"]
    next(r for r in second["result"] if r["from_name"] == "instruction")["value"]["text"] = ["  "]
    # a text area left as pre-filled, without a result of its own: the task's text, as JSON_MIN reads it
    export[1]["annotations"][0]["result"] = [r for r in export[1]["annotations"][0]["result"]
                                             if r["from_name"] != "instruction"]
    export[2]["data"]["pair_id"] = "0" * 16
    path.write_text(json.dumps(export))
    result = import_labelstudio(ws, path)
    assert result.skipped == [
        {"annotation": f"ls:{A}/p1/t1/a1", "reason": "no created_at/updated_at in the export: versions cannot be "
                                                     "told apart"},
        {"annotation": f"ls:{A}/p1/t1/a2", "reason": "no instruction text in the annotation"},
        {"annotation": f"ls:{A}/p1/t3/a5", "reason": "pair '0000000000000000' is not in this workspace"},
    ]
    assert result.refinements == 1 and result.notes == []
    with ws.session() as s:
        row = s.scalar(select(LabelStudioAnnotationRecord))
        assert (row.ls_task, row.verdict, row.text, row.outcome) == (2, "correct", "Brighten the whole image.",
                                                                     "correct")


# -- the command line -------------------------------------------------------------------------


def cli(ws, *args: str):  # noqa: ANN001
    return CliRunner().invoke(app, ["annotate", *args, "-w", str(ws.root)])


def test_label_studio_from_the_command_line(studio_sqlite, tmp_path):
    ws = studio_sqlite
    r = cli(ws, "export-labelstudio", "--run", "source:manifest", "-o", str(tmp_path / "ls"))
    assert r.exit_code == 2 and "--ls-url" in r.output
    r = cli(ws, "export-labelstudio", "--run", "source:manifest", "--ls-url", A, "--ls-project", "1", "-o",
            str(tmp_path / "ls"), "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout) == {"tasks": 6, "images": 11, "out": str(tmp_path / "ls"), "ls_url": A,
                                    "ls_project": 1, "setup": str(tmp_path / "ls" / "SETUP.md")}
    r = cli(ws, "export-labelstudio", "--run", "source:manifest", "--ls-url", A, "-o", str(tmp_path / "ls2"))
    assert r.exit_code == 0, r.output
    assert r.stdout == f"6 tasks, 11 images → {tmp_path / 'ls2'}\n\n" + (tmp_path / "ls2" / "SETUP.md").read_text()
    r = cli(ws, "import-labelstudio", str(DATA / "a-v1.json"), "--user-map", str(write_map(tmp_path)), "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout) == report(4, 1, cancelled=1, notes=[(f"ls:{A}/p1/t2/a3", NOTE_CORRECT_EDITED),
                                                                    (f"ls:{A}/p1/t3/a5", NOTE_NO_LABELS)])
    r = cli(ws, "import-labelstudio", str(DATA / "b-min.json"))
    assert r.exit_code == 2 and "pass --ls-project N" in r.output
    r = cli(ws, "import-labelstudio", str(DATA / "b-min.json"), "--ls-project", "1")
    assert r.exit_code == 0, r.output
    assert r.stdout == (f"{B} project 1: 1 versions imported (0 revisions, 0 older versions kept as history), "
                        f"1 preferences, 0 already imported, 0 cancelled, 0 skipped\n")
    r = cli(ws, "import-labelstudio", str(DATA / "a-v2.json"))
    assert r.stdout.splitlines() == [
        f"{A} project 1: 2 versions imported (2 revisions, 0 older versions kept as history), 2 preferences, "
        f"2 already imported, 1 cancelled, 0 skipped"]
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    r = cli(ws, "import-labelstudio", str(broken))
    assert r.exit_code == 2 and "cannot read" in r.output


# -- against a live Label Studio (make test-labelstudio) ----------------------------------------

LABEL_STUDIO = os.environ.get("EDITCAPTION_LABEL_STUDIO")


@pytest.mark.skipif(not LABEL_STUDIO, reason="live Label Studio round trip: set EDITCAPTION_LABEL_STUDIO to a "
                                             "label-studio executable (make test-labelstudio does)")
def test_live_round_trip(studio_sqlite, tmp_path):
    ws = studio_sqlite
    rec = record(LABEL_STUDIO, ws, tmp_path)
    rec.write(tmp_path / "exports")
    assert rec.version.startswith("1.23.")
    assert rec.image_status == {"a": [404, 200], "b": [404, 200]}  # images resolve after the SETUP.md steps only
    reports = import_all(ws, tmp_path / "exports", write_map(tmp_path))
    assert [(r["refinements"], r["preferences"], r["revisions"], r["duplicates"]) for r in reports] == [
        (4, 1, 0, 0), (0, 0, 0, 4), (2, 2, 2, 2), (0, 0, 0, 4), (1, 1, 0, 0), (0, 0, 0, 1)]
    assert state(ws, {rec.urls["a"]: "A", rec.urls["b"]: "B"}) == EXPECTED
