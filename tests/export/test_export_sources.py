"""Which instruction per pair, which preferences: refinements, runs, the filter, scores (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from export_helpers import SAMPLE_TEXTS, add_preference, add_refinement, add_run, add_score, ingest_samples

from editcaption.export.sources import SourceSpecError, parse_source, select_preferences, select_texts


def test_parse_source():
    assert parse_source("refined") == ("refined", None)
    assert parse_source("run:glm-4.5v") == ("run", "glm-4.5v")
    for bad in ("run:", "latest", ""):
        with pytest.raises(SourceSpecError):
            parse_source(bad)


def _texts(sel) -> dict[str, str]:  # noqa: ANN001
    return {it.pair.name: it.text for it in sel.items}


def test_refined_takes_the_latest_refinement_per_pair(workspace):  # noqa: ANN001
    ids = ingest_samples(workspace)
    add_refinement(workspace, ids["astronaut_mirror"], "Flip the image.", annotator="a")
    add_refinement(workspace, ids["astronaut_mirror"], "Mirror the whole image horizontally.", annotator="b")
    add_refinement(workspace, ids["rocket_zoom_in"], "   ", annotator="a")
    add_refinement(workspace, ids["coffee_brighter"], "Brighten the photo evenly.", annotator="a", simulated=True)
    with workspace.session() as s:
        sel = select_texts(s, workspace.store, "refined")
        assert _texts(sel) == {"astronaut_mirror": "Mirror the whole image horizontally.",
                               "coffee_brighter": "Brighten the photo evenly."}
        assert sel.skipped == {"no refinement": 3, "empty text": 1}
        mirror = next(it for it in sel.items if it.pair.name == "astronaut_mirror")
        assert mirror.provenance["annotator"] == "b" and mirror.pair.subtype == "mirror"
        only_structural = select_texts(s, workspace.store, "refined", where={"category": ["stylistic"]})
        assert _texts(only_structural) == {"coffee_brighter": "Brighten the photo evenly."}
        with pytest.raises(SourceSpecError, match="--min-score applies to run instructions"):
            select_texts(s, workspace.store, "refined", min_score=4.0)


def test_run_source_respects_status_filter_and_scores(workspace):  # noqa: ANN001
    ids = ingest_samples(workspace)
    n = {name: ids[name] for name in SAMPLE_TEXTS}
    texts = {pid: SAMPLE_TEXTS[name] for name, pid in n.items()}
    texts[n["rocket_zoom_in"]] = None
    ins = add_run(workspace, "glm", texts, status={n["rocket_zoom_in"]: "failed"},
                  kept={n["coffee_brighter"]: False, n["chelsea_pan_left"]: True})
    add_score(workspace, ins[n["chelsea_pan_left"]], 4.6)
    add_score(workspace, ins[n["astronaut_mirror"]], 4.4)
    add_score(workspace, ins[n["astronaut_mirror"]], 3.1)  # a later score of the same scorer wins
    add_score(workspace, ins[n["chelsea_grayscale"]], None, status="unscored", reason="unparseable reply")
    add_score(workspace, ins[n["astronaut_add_red_disc"]], 4.9, scorer="judge:other")
    with workspace.session() as s:
        everything = select_texts(s, workspace.store, "run:glm")
        assert set(_texts(everything)) == {"chelsea_pan_left", "astronaut_mirror", "chelsea_grayscale",
                                           "astronaut_add_red_disc"}
        assert everything.skipped == {"instruction failed": 1, "dropped by filter": 1}
        scored = select_texts(s, workspace.store, "run:glm", min_score=4.0)
        assert set(_texts(scored)) == {"chelsea_pan_left", "astronaut_add_red_disc"}
        assert scored.skipped == {"instruction failed": 1, "dropped by filter": 1, "below min score": 1,
                                  "unscored": 1}
        pan = next(it for it in scored.items if it.pair.name == "chelsea_pan_left")
        assert pan.provenance["score"] == 4.6 and pan.provenance["producer"].startswith("openai:")
        by_scorer = select_texts(s, workspace.store, "run:glm", min_score=4.0, scorer="editscore:qwen3vl@http://x")
        assert set(_texts(by_scorer)) == {"chelsea_pan_left"}
        assert by_scorer.skipped["unscored"] == 2  # the other scorer's 4.9 does not count here
        with pytest.raises(SourceSpecError, match="no run named 'nope'"):
            select_texts(s, workspace.store, "run:nope")


def test_preferences_selection(workspace):  # noqa: ANN001
    ids = ingest_samples(workspace)
    ins = add_run(workspace, "sft-model", {ids["chelsea_pan_left"]: "Pan right."}, producer="hf:./sft")
    pan = ids["chelsea_pan_left"]
    add_preference(workspace, pan, "Pan left.", "Pan right.", "orientation", "P1", annotator="a",
                   rejected_instruction_id=ins[pan])
    add_preference(workspace, pan, "Pan the camera left.", "Pan right.", "orientation", "P0", annotator="b",
                   rejected_instruction_id=ins[pan])  # same rejected text: supersedes the first
    add_preference(workspace, pan, "Pan left.", "Zoom in.", "viewpoint", "P2", annotator="a", simulated=True)
    add_preference(workspace, ids["rocket_zoom_in"], "Zoom in.", "Zoom in.", "detail", "P2")
    add_preference(workspace, ids["coffee_brighter"], "Brighten.", "Darken.", "colour", "P1")
    add_preference(workspace, ids["astronaut_mirror"], "Mirror.", "Rotate.", "orientation", "P9")
    with workspace.session() as s:
        sel = select_preferences(s, workspace.store)
        got = sorted((it.chosen, it.rejected, it.severity, it.annotator) for it in sel.items)
        assert got == [("Pan left.", "Zoom in.", "P2", "a"), ("Pan the camera left.", "Pan right.", "P0", "b")]
        assert sel.skipped == {"superseded by a later preference for the same rejected text": 1,
                               "chosen equals rejected": 1, "unknown error type 'colour'": 1,
                               "unknown severity 'P9'": 1}
        first = next(it for it in sel.items if it.rejected == "Pan right.")
        assert first.rejected_producer == "hf:./sft" and first.rejected_run == "sft-model"
        assert first.key == f"{pan}-p{first.preference_id}"
        humans = select_preferences(s, workspace.store, include_simulated=False)
        assert len(humans.items) == 1 and humans.skipped["simulated annotator"] == 1


def test_missing_store_image_is_skipped_with_a_reason(sqlite_workspace):  # noqa: ANN001
    ws = sqlite_workspace
    ids = ingest_samples(ws)
    for name, pid in ids.items():
        add_refinement(ws, pid, SAMPLE_TEXTS[name])
    with ws.session() as s:
        from editcaption.workspace.models import PairRecord

        rec = s.get(PairRecord, ids["coffee_brighter"])
        ws.store.path_for(rec.target_sha, rec.target.ext).unlink()
    with ws.session() as s:
        sel = select_texts(s, ws.store, "refined")
    assert len(sel.items) == 5 and sel.skipped == {"image missing from the store": 1}


def test_card_counts_do_not_depend_on_the_order_rows_arrive_in():
    from editcaption.export.provenance import ranked

    a = ranked(["judge:j", "editscore:e", "judge:j", "editscore:e", "x"])
    b = ranked(["editscore:e", "x", "judge:j", "editscore:e", "judge:j"])
    assert list(a.items()) == list(b.items()) == [("editscore:e", 2), ("judge:j", 2), ("x", 1)]
