"""The delta backend writes the analyzer's descriptions; --grounded puts its hints into the prompt."""

from __future__ import annotations

from captionhelpers import names_by_id
from sqlalchemy import select

from editcaption.caption import CaptionConfig, run_caption
from editcaption.delta import analyze_files, describe, grounding_hints
from editcaption.demo import samples_dir
from editcaption.ingest import ingest
from editcaption.prompts import load_prompt
from editcaption.workspace import Workspace
from editcaption.workspace.models import InstructionRecord, PairRecord


def sample_workspace(tmp_path):  # noqa: ANN001
    ws = Workspace.init(tmp_path / "ws")
    ingest(ws, samples_dir() / "pairs" / "manifest.jsonl")
    return ws


def stored_paths(ws, s):  # noqa: ANN001
    return {p.id: [ws.store.path_for(i.sha256, i.ext) for i in (p.source, p.target)]
            for p in s.scalars(select(PairRecord)).unique()}


def test_delta_backend_writes_the_analyzers_description(tmp_path):
    ws = sample_workspace(tmp_path)
    summary = run_caption(ws, CaptionConfig(model="delta", run_name="d"))
    assert (summary.done, summary.failed, summary.prompt_id) == (6, 0, None)
    with ws.session() as s:
        rows = list(s.scalars(select(InstructionRecord).where(InstructionRecord.run_id == "d")))
        paths = stored_paths(ws, s)
    names = names_by_id(ws)
    by_name = {names[r.pair_id]: r.text for r in rows}
    for r in rows:
        assert r.text == describe(analyze_files(*paths[r.pair_id])) and r.producer == "delta"
    assert by_name["chelsea_pan_left"] == "Pan the camera to the left."
    assert by_name["astronaut_mirror"] == "Mirror the image horizontally."
    ws.close()


def test_grounded_prompt_carries_the_pairs_own_measurements(tmp_path, stub):
    ws = sample_workspace(tmp_path)
    summary = run_caption(ws, CaptionConfig(model=f"openai:teacher-vl@{stub.base_url}", grounded=True,
                                            run_name="g", where={"name": ["chelsea_pan_left", "coffee_brighter"]}))
    template = load_prompt("instruction-grounded")
    assert summary.done == 2 and summary.prompt_id == template.id
    with ws.session() as s:
        paths = stored_paths(ws, s)
        by_name = {p.name: p.id for p in s.scalars(select(PairRecord)).unique()}
    prompts = {r.texts[-1] for r in stub.requests}
    expected = {template.render(grounding_hints(analyze_files(*paths[by_name[n]])))
                for n in ("chelsea_pan_left", "coffee_brighter")}
    assert prompts == expected
    assert any("the camera pans left" in p for p in prompts) and any("brighter overall" in p for p in prompts)
    ws.close()


def test_a_prompt_file_with_a_hints_slot_gets_hints(tmp_path, stub):
    ws = sample_workspace(tmp_path)
    mine = tmp_path / "mine.txt"
    mine.write_text("Measured:\n{hints}\nNow write the instruction.")
    run_caption(ws, CaptionConfig(model=f"openai:m@{stub.base_url}", prompt_path=str(mine), run_name="h",
                                  where={"name": ["astronaut_mirror"]}))
    [req] = stub.requests
    assert req.texts[-1].startswith("Measured:\n- Camera: the image is mirrored horizontally")
    assert req.texts[-1].endswith("Now write the instruction.")
    ws.close()
