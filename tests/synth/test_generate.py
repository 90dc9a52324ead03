"""Generation: byte-identical output per seed, exact category quotas, resume after a kill,
and clear errors for bad parameters."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from editcaption.synth import EditWorldError, generate, generate_run, read_manifest
from editcaption.synth.pairs import SceneOptions, make_pair
from editcaption.synth.render import render
from editcaption.synth.scene import Backdrop, Camera, Scene
from editcaption.synth.taxonomy import SUBTYPES, parse_mix, plan, quotas


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_gives_byte_identical_output(tmp_path: Path) -> None:
    a = generate(24, 3, tmp_path / "a", family="both")
    b = generate(24, 3, tmp_path / "b", family="both")
    fa, fb = _files(a.parent), _files(b.parent)
    assert len(fa) == 2 * 24 + 2  # images, manifest.jsonl, editworld.json
    assert fa == fb
    c = generate(24, 4, tmp_path / "c", family="both")
    assert _files(c.parent)["manifest.jsonl"] != fa["manifest.jsonl"]


def test_output_does_not_depend_on_the_process(tmp_path: Path) -> None:
    """Separate interpreters with different string-hash seeds write the same bytes."""
    code = "import sys; from editcaption.synth import generate; generate(12, 5, sys.argv[1], family='both')"
    for i, hashseed in enumerate(("1", "4242")):
        env = {**os.environ, "PYTHONHASHSEED": hashseed}
        subprocess.run([sys.executable, "-c", code, str(tmp_path / f"p{i}")], check=True, env=env)
    assert _files(tmp_path / "p0") == _files(tmp_path / "p1")


def test_a_killed_run_resumes_to_the_same_bytes(tmp_path: Path) -> None:
    class Killed(Exception):
        pass

    def kill_after_ten(done: int, total: int) -> None:
        if done == 10:
            raise Killed

    with pytest.raises(Killed):
        generate(20, 9, tmp_path / "resumed", family="objects", on_progress=kill_after_ten)
    partial = tmp_path / "resumed" / ".manifest.partial.jsonl"
    assert len(partial.read_text().splitlines()) == 10 and not (tmp_path / "resumed" / "manifest.jsonl").exists()
    with partial.open("a") as fh:  # a torn line, as a kill mid-write leaves it
        fh.write('{"id": "editworld-s9-000')
    report = generate_run(20, 9, tmp_path / "resumed", family="objects")
    assert (report.reused, report.generated) == (10, 10)
    assert not partial.exists()
    generate(20, 9, tmp_path / "fresh", family="objects")
    assert _files(tmp_path / "resumed") == _files(tmp_path / "fresh")
    again = generate_run(20, 9, tmp_path / "resumed", family="objects")
    assert (again.reused, again.generated) == (20, 0)


def test_category_quotas_follow_the_mix_exactly() -> None:
    assert quotas(40, parse_mix(None)) == {"semantic": 10, "stylistic": 10, "structural": 20}
    assert quotas(7, parse_mix("semantic=1,structural=1")) == {"semantic": 4, "stylistic": 0, "structural": 3}
    cats = Counter(c for c, _ in plan(200, 0, parse_mix(None), "both"))
    assert cats == {"semantic": 50, "stylistic": 50, "structural": 100}
    fams = Counter(f for _, f in plan(200, 0, parse_mix(None), "both"))
    assert fams["objects"] + fams["photos"] == 200 and abs(fams["objects"] - fams["photos"]) <= 10


def test_manifest_rows_follow_the_contract(tmp_path: Path) -> None:
    rows = read_manifest(generate(16, 1, tmp_path / "ew", family="both", split="test"))
    for row in rows:
        assert row["dataset"] == "editworld" and row["split"] == "test"
        assert SUBTYPES[row["subtype"]].category == row["category"]
        assert (tmp_path / "ew" / row["source"]).is_file() and (tmp_path / "ew" / row["target"]).is_file()
        gt = row["ground_truth"]
        assert gt["primary"] and gt["overall"]
        for change in gt["primary"] + gt["secondary"]:
            assert set(change) <= {"text", "op", "object", "attribute", "before", "after", "direction"}
            assert change["text"] and change["op"]
        meta = row["editworld"]
        assert len(meta["areas"]["primary"]) == len(gt["primary"])
        assert meta["inventory"]["source"] is not None
    run = json.loads((tmp_path / "ew" / "editworld.json").read_text())
    assert run["status"] == "done" and run["pairs"] == 16 and run["params"]["seed"] == 1


def test_small_model_settings_give_one_object_on_a_plain_background(tmp_path: Path) -> None:
    rows = read_manifest(generate(16, 2, tmp_path / "mini", family="objects", subtypes=["move_object"],
                                  n_objects=(1, 1), backgrounds=["plain"], signs=False))
    assert {r["subtype"] for r in rows} == {"move_object"}
    assert all(r["editworld"]["base"].startswith("plain ") for r in rows)
    assert all(len(r["editworld"]["inventory"]["source"]) == 1 for r in rows)
    bg = read_manifest(generate(6, 3, tmp_path / "bg", family="objects", subtypes=["background"],
                                backgrounds=["plain", "gradient"]))
    for r in bg:
        change = r["ground_truth"]["primary"][0]
        assert "checkered" not in change["before"] and "checkered" not in change["after"]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"n": 0}, "--n must be at least 1"),
        ({"size": (32, 32)}, "outside 64..4096"),
        ({"mix": "semantic=x"}, "is not a number"),
        ({"mix": "colour=3"}, "unknown category"),
        ({"family": "cartoons"}, "unknown family"),
        ({"subtypes": ["teleport"]}, "unknown subtype"),
        ({"subtypes": ["background"], "family": "photos"}, "no subtype is available"),
        ({"split": "holdout"}, "not one of train, val, test"),
        ({"backgrounds": ["stripes"]}, "backgrounds must be among"),
        ({"n_objects": (3, 1)}, "must satisfy"),
    ],
)
def test_bad_parameters_are_one_line_errors(tmp_path: Path, kwargs: dict, message: str) -> None:
    args = {"n": 4, "seed": 0, "out": tmp_path / "x"} | kwargs
    with pytest.raises(EditWorldError, match=message) as info:
        generate(**args)
    assert "\n" not in str(info.value)


def test_an_out_folder_with_another_run_is_refused(tmp_path: Path) -> None:
    generate(4, 0, tmp_path / "ew", family="objects")
    with pytest.raises(EditWorldError, match="other parameters"):
        generate(4, 1, tmp_path / "ew", family="objects")
    generate(4, 1, tmp_path / "ew", family="objects", overwrite=True)
    rows = read_manifest(tmp_path / "ew" / "manifest.jsonl")
    assert [r["id"] for r in rows] == [f"editworld-s1-{i:05d}" for i in range(4)]
    assert len(list((tmp_path / "ew" / "images").iterdir())) == 8  # the old run's images are gone


def _squares_across(img: np.ndarray) -> int:
    """How many squares of a checkered backdrop the first pixel row crosses (colour runs)."""
    row = img[0].astype(int)
    return 1 + int(np.count_nonzero(np.abs(np.diff(row, axis=0)).sum(axis=1) > 0))


def test_backdrop_squares_and_pan_shift_are_scene_settings() -> None:
    """The reproduction's scene sets choose the checkered backdrop's squares and how far a pan
    shifts the content (a pan of more than one square looks reversed on a fine pattern)."""
    cam = Camera(cx=0.5, cy=0.5, width=1.0)
    fine = render(Scene(base=Backdrop("checkered", "white"), objects=(), camera=cam), (64, 64))
    coarse = render(Scene(base=Backdrop("checkered", "white", cell=0.5), objects=(), camera=cam), (64, 64))
    assert _squares_across(fine) == 8 and _squares_across(coarse) == 2
    options = SceneOptions(n_objects=(1, 1), backgrounds=("checkered",), signs=False, checker_cell=0.5,
                           pan_shift=(0.35, 0.4))
    for index in range(6):
        pair = make_pair(3, index, "structural", "objects", (64, 64), options, ("camera_pan",))
        assert pair.source_scene.base.cell == 0.5
        src, tgt = pair.source_scene.camera, pair.target_scene.camera
        shift = max(abs(tgt.cx - src.cx), abs(tgt.cy - src.cy)) / src.width
        assert 0.35 - 1e-9 <= shift <= 0.4 + 1e-9, shift


def test_scene_settings_are_checked_and_recorded(tmp_path: Path) -> None:
    with pytest.raises(EditWorldError, match="pan shift"):
        generate_run(2, 0, tmp_path / "bad", family="objects", pan_shift=(0.3, 0.2))
    with pytest.raises(EditWorldError, match="checker cell"):
        generate_run(2, 0, tmp_path / "bad", family="objects", checker_cell=0.0)
    generate_run(2, 0, tmp_path / "default", family="objects")
    params = json.loads((tmp_path / "default" / "editworld.json").read_text())["params"]
    assert "checker_cell" not in params and "pan_shift" not in params  # older runs still resume
    generate_run(2, 0, tmp_path / "set", family="objects", checker_cell=0.5, pan_shift=(0.3, 0.45))
    params = json.loads((tmp_path / "set" / "editworld.json").read_text())["params"]
    assert params["checker_cell"] == 0.5 and params["pan_shift"] == [0.3, 0.45]
