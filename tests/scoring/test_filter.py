"""`filter`: thresholds, marks (nothing deleted), keep rates by category and subtype, no score never passes."""

from __future__ import annotations

import pytest
from scoring_helpers import SAMPLE_RUN, answer, editscore_responder
from sqlalchemy import select

from editcaption.scoring import (
    ScoreConfig,
    ScoringSelectionError,
    ThresholdError,
    apply_filter,
    parse_thresholds,
    run_scoring,
)
from editcaption.testing.stub_openai import Reply
from editcaption.workspace.models import InstructionRecord, RunRecord

# Overall = sqrt(10 × SC) with PQ 10: pan 4.47, brighten 10, mirror 7.75, zoom 3.16, b&w unscored, disc 7.75
SC = {
    "Pan the camera to the left.": answer([5, 25]),  # SC 2
    "Brighten the whole image.": answer([25, 25]),  # SC 10
    "Mirror the image horizontally.": answer([15, 20]),  # SC 6
    "Zoom in on the center of the image.": answer([25, 2.5]),  # SC 1
    "Convert the whole image to black and white.": answer([26, 20]),  # out of range → unscored
    "Add a red disc at the upper right of the image.": answer([15, 15]),  # SC 6
}


def _score(ws, stub):  # noqa: ANN001, ANN202
    stub.responder = editscore_responder(SC, answer([25, 25]))
    summary = run_scoring(ws, ScoreConfig(scorer=f"editscore:EditScore-7B@{stub.base_url}"))
    assert (summary.ok, summary.unscored) == (5, 1)
    return ws


@pytest.fixture
def scored(samples_sqlite, stub):  # noqa: ANN001
    return _score(samples_sqlite, stub)


@pytest.fixture
def scored_any_db(samples_ws, stub):  # noqa: ANN001 - SQLite, and PostgreSQL under `make test`
    return _score(samples_ws, stub)


def marks(ws) -> dict[str, tuple[bool | None, str | None]]:  # noqa: ANN001
    with ws.session() as s:
        return {i.text: (i.kept, i.keep_reason) for i in s.scalars(select(InstructionRecord))}


def test_thresholds_parse_and_refuse_nonsense():
    t = parse_thresholds(["structural=3.5", "4.0", "camera_zoom=3"])
    assert (t.default, t.by_key, t.default_given) == (4.0, {"structural": 3.5, "camera_zoom": 3.0}, True)
    assert t.for_pair("structural", "camera_zoom") == (3.0, "camera_zoom")  # a subtype's own wins
    assert t.for_pair("structural", "mirror") == (3.5, "structural")
    assert t.for_pair("semantic", "add") == (4.0, "default")
    paper = parse_thresholds(None)
    assert paper.default == 4.0 and not paper.default_given
    for bad, fragment in [(["four"], "expects a number"), (["11"], "0–10"), (["=3"], "names no category"),
                          (["3", "4"], "two default thresholds"), (["a=1", "a=2"], "two thresholds given for 'a'")]:
        with pytest.raises(ThresholdError, match=fragment):
            parse_thresholds(bad)


def test_filter_marks_keeps_and_drops_and_reports_by_category(scored_any_db):
    scored = scored_any_db
    report = apply_filter(scored, parse_thresholds(["4.0"]))
    assert report.run == SAMPLE_RUN and report.scorer == "editscore:EditScore-7B"
    m = marks(scored)
    assert m["Brighten the whole image."][0] is True
    assert m["Pan the camera to the left."] == (True, "editscore:EditScore-7B overall 4.47 ≥ 4")
    assert m["Zoom in on the center of the image."] == (False, "editscore:EditScore-7B overall 3.16 < 4")
    kept, reason = m["Convert the whole image to black and white."]
    assert kept is False and reason.startswith("unscored by editscore:EditScore-7B: out_of_range:")
    j = report.to_json()
    expected = {"total": 6, "kept": 4, "dropped": 2, "below_threshold": 1, "unscored": 1, "not_scored": 0,
                "keep_rate": round(4 / 6, 4)}
    assert {k: j["overall"][k] for k in expected} == expected
    assert j["overall"]["mean_overall"] == pytest.approx((20 ** 0.5 + 10 + 2 * 60 ** 0.5 + 10 ** 0.5) / 5, abs=1e-3)
    assert (j["by_category"]["structural"]["kept"], j["by_category"]["structural"]["total"]) == (2, 3)
    assert (j["by_category"]["stylistic"]["kept"], j["by_category"]["stylistic"]["unscored"]) == (1, 1)
    zoom = next(r for r in j["by_subtype"] if r["subtype"] == "camera_zoom")
    assert (zoom["category"], zoom["kept"], zoom["below_threshold"], zoom["threshold"]) == ("structural", 0, 1, 4.0)


def test_per_category_thresholds_and_refiltering_rewrite_marks(scored):
    apply_filter(scored, parse_thresholds(["4.0"]))
    report = apply_filter(scored, parse_thresholds(["4.0", "structural=3.0"]))
    m = marks(scored)
    assert m["Zoom in on the center of the image."] == (True, "editscore:EditScore-7B overall 3.16 ≥ 3 (structural)")
    assert report.by_category["structural"].keep_rate == 1.0 and report.by_category["structural"].threshold == 3.0
    assert report.overall.threshold is None  # mixed thresholds
    # A threshold no score reaches still never lets the unscored item through.
    apply_filter(scored, parse_thresholds(["0"]))
    m = marks(scored)
    assert m["Convert the whole image to black and white."][0] is False
    assert sum(k for k, _ in m.values()) == 5
    with scored.session() as s:  # nothing was deleted
        assert len(list(s.scalars(select(InstructionRecord.id)))) == 6


def test_dry_run_changes_no_marks(scored):
    apply_filter(scored, parse_thresholds(["4.0"]))
    before = marks(scored)
    report = apply_filter(scored, parse_thresholds(["9.0"]), dry_run=True)
    assert report.overall.kept == 1 and marks(scored) == before


def test_filtering_a_run_without_scores_is_an_error(scored):
    with scored.session() as s:
        extra = s.scalars(select(InstructionRecord).where(InstructionRecord.text == "Brighten the whole image.")).one()
        s.add(RunRecord(id="teacher", kind="caption", config={}, package_version="0"))
        s.flush()
        s.add(InstructionRecord(pair_id=extra.pair_id, run_id="teacher", text="Lighten it.", producer="x"))
    with pytest.raises(ScoringSelectionError, match="have no scores yet"):
        apply_filter(scored, parse_thresholds(None), run="teacher")


def test_filter_needs_a_known_key_and_a_single_scorer(scored, stub):
    with pytest.raises(ThresholdError, match="'structual' matches no category or subtype"):
        apply_filter(scored, parse_thresholds(["structual=3"]))
    stub.responder = lambda req: Reply.ok(answer([25, 25]))
    run_scoring(scored, ScoreConfig(scorer=f"editscore:EditScore-Qwen3-VL-8B@{stub.base_url}", limit=2))
    with pytest.raises(ScoringSelectionError, match="scored by 2 scorers; choose one with --scorer"):
        apply_filter(scored, parse_thresholds(None))
    report = apply_filter(scored, parse_thresholds(None), scorer="editscore:EditScore-Qwen3-VL-8B")
    # Only two instructions have this scorer's score; the other four were never scored by it.
    assert (report.overall.kept, report.overall.not_scored) == (2, 4)
    assert marks(scored)["Add a red disc at the upper right of the image."] == (
        False, "not scored by editscore:EditScore-Qwen3-VL-8B")
