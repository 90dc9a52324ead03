"""Awkward inputs give sensible reports and never crash: sizes, aspect ratios, modes, tiny
and featureless images; and the JSON output matches the issue's contract exactly."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest
from deltahelpers import photo, window

from editcaption.delta import analyze, analyze_files, check, describe, difference_heatmap, grounding_hints
from editcaption.imageio import ImageDecodeError

RNG = np.random.default_rng(0)

AWKWARD = {
    "1x1 black vs white": (np.zeros((1, 1, 3), np.uint8), np.full((1, 1, 3), 255, np.uint8)),
    "2x3 vs 3x2 grayscale": (np.zeros((2, 3), np.uint8), np.zeros((3, 2), np.uint8)),
    "7x5 noise, same": (RNG.integers(0, 255, (7, 5, 3), dtype=np.uint8),) * 2,
    "flat grey, same": (np.full((120, 160, 3), 128, np.uint8),) * 2,
    "flat red vs flat blue": (np.full((120, 160, 3), (200, 30, 30), np.uint8), np.full((120, 160, 3), (30, 30, 200), np.uint8)),
    "noise vs other noise": (RNG.integers(0, 255, (200, 300, 3), dtype=np.uint8), RNG.integers(0, 255, (200, 300, 3), dtype=np.uint8)),
    "RGBA": (RNG.integers(0, 255, (64, 64, 4), dtype=np.uint8),) * 2,
    "float 0-1": (RNG.random((40, 50, 3)), RNG.random((40, 50, 3))),
    "uint16 gray": (RNG.integers(0, 65535, (40, 50), dtype=np.uint16),) * 2,
    "bool": (RNG.random((60, 80)) > 0.5, RNG.random((60, 80)) > 0.5),
    "1x1000 strip": (RNG.integers(0, 255, (1, 1000, 3), dtype=np.uint8),) * 2,
    "tall vs wide": (RNG.integers(0, 255, (900, 20, 3), dtype=np.uint8), RNG.integers(0, 255, (20, 900, 3), dtype=np.uint8)),
    "huge vs tiny": (window(photo("chelsea"), 0.9), np.full((3, 3, 3), 90, np.uint8)),
}


@pytest.mark.parametrize("name", list(AWKWARD))
def test_awkward_inputs_never_crash(name):
    src, tgt = AWKWARD[name]
    report = analyze(src, tgt)
    data = json.loads(json.dumps(report.to_json("x")))
    assert data["id"] == "x"
    assert isinstance(describe(report), str) and describe(report)
    assert grounding_hints(report).startswith("- ")
    assert isinstance(check(report, "Pan the camera to the left and add a red disc on the left side."), list)
    heat = difference_heatmap(src, tgt)
    tgt_shape = np.asarray(tgt).shape
    assert heat.shape == (tgt_shape[0], tgt_shape[1], 3) and heat.dtype == np.uint8


def test_awkward_inputs_give_sensible_answers():
    assert analyze(*AWKWARD["flat grey, same"]).same
    assert analyze(*AWKWARD["7x5 noise, same"]).same
    assert analyze(*AWKWARD["RGBA"]).same
    assert not analyze(*AWKWARD["1x1 black vs white"]).same
    unrelated = analyze(*AWKWARD["noise vs other noise"])
    assert not unrelated.same and not unrelated.camera.moved  # no camera words from random matches
    assert unrelated.camera.confidence < 0.3
    flat = analyze(*AWKWARD["flat red vs flat blue"])
    assert not flat.same and flat.camera.confidence == 0.0


def test_grayscale_arrays_and_different_sizes():
    img = window(photo("rocket"), 0.9)
    gray = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
    h, w = gray.shape
    shifted = gray[:, int(0.1 * w):]  # content slides left in a narrower frame: the camera panned right
    report = analyze(gray[:, : w - int(0.1 * w)], shifted)
    assert report.camera.pan_horizontal == "right" and not report.photometric.grayscale
    bigger = cv2.resize(img, (w * 2, h * 2), interpolation=cv2.INTER_CUBIC)
    assert analyze(img, bigger).same


EXPECTED_KEYS = {
    "top": {"id", "same", "camera", "photometric", "regions"},
    "camera": {"zoom", "scale", "pan", "rotation_deg", "flip", "confidence"},
    "pan": {"horizontal", "vertical"},
    "photometric": {"brightness", "temperature", "saturation", "grayscale"},
    "region": {"bbox", "area", "side", "vertical", "kind", "color_before", "color_after"},
}


def test_json_matches_the_output_contract_exactly():
    from deltahelpers import disc

    img = window(photo("astronaut"), 0.9)
    data = analyze(img, disc(img, 0.5, 0.5, 0.1, "green")).to_json("pair-1")
    assert set(data) == EXPECTED_KEYS["top"] and data["id"] == "pair-1" and data["same"] is False
    assert set(data["camera"]) == EXPECTED_KEYS["camera"] and set(data["camera"]["pan"]) == EXPECTED_KEYS["pan"]
    assert set(data["photometric"]) == EXPECTED_KEYS["photometric"]
    assert data["camera"]["zoom"] in ("in", "out", "none") and data["camera"]["flip"] in ("horizontal", "vertical", "none")
    assert all(isinstance(data["camera"][k], float) for k in ("scale", "rotation_deg", "confidence"))
    assert data["photometric"]["brightness"] in ("brighter", "darker", "same")
    assert data["photometric"]["temperature"] in ("warmer", "cooler", "same")
    assert data["photometric"]["saturation"] in ("more", "less", "same")
    (region,) = data["regions"]
    assert set(region) == EXPECTED_KEYS["region"]
    assert len(region["bbox"]) == 4 and all(0.0 <= v <= 1.0 for v in region["bbox"]) and 0 < region["area"] < 1
    assert (region["side"], region["vertical"], region["color_after"]) == ("center", "middle", "green")
    assert "measurements" not in data
    assert "measurements" in analyze(img, img).to_json(details=True)


def test_analyze_files_uses_the_safe_decoder(tmp_path):
    good = tmp_path / "a.png"
    cv2.imwrite(str(good), window(photo("coffee"), 0.5)[:, :, ::-1])
    assert analyze_files(good, good).same
    (tmp_path / "broken.jpg").write_bytes(b"\xff\xd8not really")
    with pytest.raises(ImageDecodeError, match="broken.jpg"):
        analyze_files(good, tmp_path / "broken.jpg")
