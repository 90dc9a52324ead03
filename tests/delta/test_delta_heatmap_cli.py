"""The difference heatmap, and `editcaption analyze` / `editcaption check` on real files."""

from __future__ import annotations

import json

import cv2
import numpy as np
from deltahelpers import disc, pan, photo, window
from typer.testing import CliRunner

from editcaption.cli import app
from editcaption.delta import difference_heatmap
from editcaption.imageio import decode_file

runner = CliRunner()


def test_heatmap_is_hot_where_the_change_is_and_in_the_target_frame():
    src, tgt = pan(photo("chelsea"), "right", "none", 0.08)
    tgt = disc(tgt, 0.75, 0.3, 0.08, "blue")
    heat = difference_heatmap(src, tgt)
    assert heat.shape == tgt.shape and heat.dtype == np.uint8
    h, w = tgt.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w]
    inside = (xx - 0.75 * w) ** 2 + (yy - 0.3 * h) ** 2 <= (0.05 * min(h, w)) ** 2
    far = (xx > 0.1 * w) & (xx < 0.5 * w) & (yy > 0.5 * h)  # unchanged, covered by the source
    # the inferno map is bright (red/yellow) for large differences, dark for none
    assert heat[inside].mean() > 1.8 * heat[far].mean()
    # the pan's new strip (right edge: what the source never showed) gets no heat, only dimmed
    strip = heat[:, int(0.97 * w):]
    assert strip.mean() < 0.35 * tgt[:, int(0.97 * w):].mean() + 5


def _write(path, rgb):
    cv2.imwrite(str(path), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    return path


def _pair_files(tmp_path):
    src, tgt = pan(photo("chelsea"), "left", "none", 0.1)
    return _write(tmp_path / "a_src.png", src), _write(tmp_path / "a_tgt.png", tgt)


def test_analyze_single_pair_json_and_heatmap(tmp_path):
    src, tgt = _pair_files(tmp_path)
    heat = tmp_path / "out" / "heat.png"
    result = runner.invoke(app, ["analyze", str(src), str(tgt), "--json", "--heatmap", str(heat)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["camera"]["pan"] == {"horizontal": "left", "vertical": "none"} and data["id"] is None
    assert decode_file(heat).rgb.shape == decode_file(tgt).rgb.shape
    text = runner.invoke(app, ["analyze", str(src), str(tgt)])
    assert text.exit_code == 0 and "delta:   Pan the camera to the left." in text.stdout


def test_analyze_manifest_keeps_order_and_survives_bad_rows(tmp_path):
    src, tgt = _pair_files(tmp_path)
    (tmp_path / "sub").mkdir()
    img = window(photo("astronaut"), 0.5)
    _write(tmp_path / "sub" / "b_src.png", img)
    _write(tmp_path / "sub" / "b_tgt.png", img[:, ::-1].copy())
    rows = [
        {"id": "pan", "src": src.name, "tgt": tgt.name},
        {"id": "missing", "src": "nope.png", "tgt": tgt.name},
        "this line is not json",
        {"id": "mirror", "src": "sub/b_src.png", "tgt": "sub/b_tgt.png"},
    ]
    manifest = tmp_path / "m.jsonl"
    manifest.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n")
    result = runner.invoke(app, ["analyze", "--manifest", str(manifest), "--json"])
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o.get("id") for o in out][0::3] == ["pan", "mirror"] and len(out) == 4
    assert out[1] == {"id": "missing", "error": out[1]["error"]} and "nope.png" in out[1]["error"]
    assert "not valid JSON" in out[2]["error"]
    assert out[3]["camera"]["flip"] == "horizontal"


def test_check_single_and_manifest(tmp_path):
    src, tgt = _pair_files(tmp_path)
    ok = runner.invoke(app, ["check", str(src), str(tgt), "--instruction", "Shift the view left.", "--json"])
    assert json.loads(ok.stdout) == {"id": None, "flags": []}
    bad = runner.invoke(app, ["check", str(src), str(tgt), "-i", "Move the camera to the right.", "--json"])
    flags = json.loads(bad.stdout)["flags"]
    assert [(f["type"], f["severity"]) for f in flags] == [("viewpoint", "P0")]
    manifest = tmp_path / "c.jsonl"
    manifest.write_text("\n".join(json.dumps(r) for r in [
        {"id": "right", "src": src.name, "tgt": tgt.name, "instruction": "Pan the camera to the left."},
        {"id": "wrong", "src": src.name, "tgt": tgt.name, "instruction": "Pan the camera to the right."},
        {"id": "none", "src": src.name, "tgt": tgt.name},
    ]) + "\n")
    result = runner.invoke(app, ["check", "--manifest", str(manifest), "--json"])
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert out[0] == {"id": "right", "flags": []}
    assert out[1]["id"] == "wrong" and out[1]["flags"][0]["type"] == "viewpoint"
    assert out[2]["id"] == "none" and "no instruction" in out[2]["error"]
    text = runner.invoke(app, ["check", str(src), str(tgt), "-i", "Pan the camera to the right."])
    assert "P0 viewpoint" in text.stdout


def test_cli_errors_are_one_line(tmp_path):
    src, tgt = _pair_files(tmp_path)
    for args, needle in (
        (["analyze", str(src)], "give two images"),
        (["analyze", str(src), str(tgt), "--manifest", "m.jsonl"], "not both"),
        (["analyze", str(src), str(tmp_path / "missing.png")], "file not found"),
        (["analyze", "--manifest", str(tmp_path / "none.jsonl")], "manifest not found"),
        (["check", str(src), str(tgt)], "--instruction is required"),
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 2 and needle in result.output, (args, result.output)
