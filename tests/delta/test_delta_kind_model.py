"""The learned second opinion on a region's kind: its fit, its weights file, and where it acts."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from deltahelpers import disc, photo, region_over

from editcaption.delta import analyze, kind_model, regions
from editcaption.delta.regions import MEASUREMENTS, recording
from editcaption.delta.thresholds import DEFAULT

RULES_ONLY = replace(DEFAULT, regions=replace(DEFAULT.regions, learned_kind_confidence=None))


def _three_clusters(n: int = 60, seed: int = 0) -> tuple[np.ndarray, list[str]]:
    rng = np.random.default_rng(seed)
    centres = np.array([[3.0, 0, 0, 1], [-3.0, 0, 0, 1], [0, 3.0, 0, 1]])
    x = np.concatenate([c + rng.normal(0, 0.7, (n, 4)) for c in centres])
    return x, [k for k in kind_model.KINDS for _ in range(n)]


def test_fit_is_deterministic_and_separates_what_is_separable():
    x, kinds = _three_clusters()
    names = ("a", "b", "c", "d")
    first = kind_model.fit(x, kinds, names)
    again = kind_model.fit(x, kinds, names)
    assert np.array_equal(first.weights, again.weights)
    p = first.probabilities(x)
    assert p.shape == (180, 3)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    assert np.mean(np.array(first.kinds)[p.argmax(axis=1)] == np.array(kinds)) >= 0.97
    assert first.kind(np.array([3.0, 0, 0, 1]), 0.8) == "appeared"
    assert first.kind(np.array([-3.0, 0, 0, 1]), 0.8) == "disappeared"
    # half-way between two clusters the model is not sure, and says nothing
    assert first.kind(np.array([1.5, 1.5, 0, 1]), 0.9) is None


def test_the_weights_survive_their_json_file():
    x, kinds = _three_clusters()
    model = kind_model.fit(x, kinds, ("a", "b", "c", "d"), trained_on="three clusters")
    back = kind_model.KindModel.from_json(json.loads(json.dumps(model.to_json())))
    assert back.trained_on == "three clusters" and back.features == ("a", "b", "c", "d")
    np.testing.assert_allclose(back.probabilities(x), model.probabilities(x), atol=1e-4)


def test_the_shipped_weights_read_what_the_regions_measure():
    model = kind_model.shipped()
    assert model.features == MEASUREMENTS
    assert model.weights.shape == (len(MEASUREMENTS) + 1, len(kind_model.KINDS))
    assert np.all(model.scale > 0)
    # fitted on tuning data only: the held-out parts stay a fair test
    assert "tuning part only" in model.trained_on and "heldout" not in model.trained_on


def test_recording_lists_each_region_with_its_measurements_and_the_rules_kind():
    img = photo()
    src, tgt = img, disc(img, 0.25, 0.5, 0.09, "yellow")
    with recording() as seen:
        regions = analyze(src, tgt).regions
    assert len(regions) == 1 and regions[0].kind == "appeared"
    assert [r for r, _, _ in seen] == regions  # the very objects the report holds
    region, measured, rules_kind = seen[0]
    assert rules_kind == "appeared"
    assert measured.shape == (len(MEASUREMENTS),) and np.all(np.isfinite(measured))
    # the disc's outline is an edge in the target only
    named = dict(zip(MEASUREMENTS, measured, strict=True))
    assert named["step_after"] > named["step_before"] and named["step_lean"] > 0.25
    analyze(src, tgt)  # outside the block nothing more is recorded
    assert len(seen) == 1


def test_without_a_confidence_the_rules_alone_name_the_kind():
    img = photo()
    src, tgt = disc(img, 0.25, 0.5, 0.09, "yellow"), disc(img, 0.25, 0.5, 0.09, "blue")
    with recording() as seen:
        regions = analyze(src, tgt, thresholds=RULES_ONLY).regions
    assert [r.kind for r in regions] == [rules_kind for _, _, rules_kind in seen]


def test_a_weights_file_for_other_measurements_is_refused(tmp_path, monkeypatch):
    x, kinds = _three_clusters()
    stale = kind_model.fit(x, kinds, ("a", "b", "c", "d"))
    path = tmp_path / "kind_model.json"
    path.write_text(json.dumps(stale.to_json()))
    monkeypatch.setattr(kind_model, "WEIGHTS", path)

    def forget() -> None:  # the weights are read and checked once per process
        kind_model.shipped.cache_clear()
        regions._kind_model.cache_clear()

    forget()
    try:
        img = photo()
        with pytest.raises(RuntimeError, match="train_kind.py"):
            analyze(img, disc(img, 0.25, 0.5, 0.09, "yellow"))
    finally:
        forget()


@pytest.mark.parametrize("part, index, rules_said", [
    ("tuning", 76, "appeared"),  # a low-contrast coin removed from a textured photo
    ("heldout6", 41, "changed"),  # a soft, low-contrast object removed (read once, after the model was fitted)
])
def test_a_removed_object_the_rules_misread_is_named_by_the_model(part, index, rules_said):
    pytest.importorskip("skimage")
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks" / "region_photos"))
    from photoset import make_pair

    pair = make_pair(part, "disappeared", index)
    assert region_over(analyze(pair.src, pair.tgt, thresholds=RULES_ONLY).regions, pair.bbox).kind == rules_said
    assert region_over(analyze(pair.src, pair.tgt).regions, pair.bbox).kind == "disappeared"


def test_a_recolour_stays_the_rules_call():
    # whatever the model thinks of a disc turned from yellow to blue, it may not move a
    # recolour to appeared or disappeared, nor make an arrival a recolour
    from editcaption.delta.regions import overrules

    assert not overrules("appeared", "recolored") and not overrules("disappeared", "recolored")
    assert not overrules("recolored", "appeared") and not overrules("recolored", "disappeared")
    assert overrules("disappeared", "appeared") and overrules("appeared", "disappeared")
    assert all(overrules(k, "changed") for k in kind_model.KINDS)
    img = photo()
    src, tgt = disc(img, 0.25, 0.5, 0.09, "yellow"), disc(img, 0.25, 0.5, 0.09, "blue")
    assert [r.kind for r in analyze(src, tgt).regions] == [r.kind for r in analyze(src, tgt, thresholds=RULES_ONLY).regions]


def test_the_training_script_reads_tuning_pairs_only():
    pytest.importorskip("skimage")
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks" / "region_photos"))
    import train_kind

    cases = list(train_kind.tuning_cases((0,), 2, (7000,), 1))
    assert {c.id.split("-")[0] for c in cases} == {"tuning", "shapes"}
    shape_photos = {c.id.rsplit("-", 1)[-1].split("@")[0] for c in cases if c.id.startswith("shapes")}
    assert shape_photos <= {"astronaut", "coffee"}  # the photo set's tuning backgrounds, no held-out one
    x, truth, rules = train_kind.examples(iter(cases))
    assert x.shape == (len(truth), len(MEASUREMENTS)) and len(truth) == len(rules) >= 6
    assert set(truth) <= set(kind_model.KINDS) and "moved" not in truth
