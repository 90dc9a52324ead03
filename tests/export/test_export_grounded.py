"""Grounded exports: each pair's prompt carries its own delta hints, exactly as the caption stage's
grounded prompt asks at inference, in every format that holds prompts."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest
from export_helpers import sample_preferences

from editcaption.caption.pipeline import pair_hints
from editcaption.export import ExportError, ExportOptions, export_prefs, export_sft
from editcaption.export.examples import flatten_content
from editcaption.imageio import decode_file
from editcaption.prompts import instruction_messages, load_prompt
from editcaption.workspace.models import PairRecord

SPLIT = "train=1"


def expected_prompts(ws) -> dict[str, list]:  # noqa: ANN001
    template = load_prompt("instruction-grounded")
    out = {}
    with ws.session() as s:
        for p in s.query(PairRecord).all():
            hints = pair_hints(decode_file(ws.store.path_for(p.source_sha, p.source.ext)).rgb,
                               decode_file(ws.store.path_for(p.target_sha, p.target.ext)).rgb)
            out[p.id] = instruction_messages(template.render(hints))
    return out


def test_hf_sft_rows_carry_their_own_hints(sample_ws, tmp_path):  # noqa: ANN001
    report = export_sft(sample_ws, tmp_path / "sft", ExportOptions(split=SPLIT, grounded=True))
    rows = pq.read_table(tmp_path / "sft" / "train.parquet").to_pylist()
    expected = expected_prompts(sample_ws)
    assert len(rows) == 6
    for row in rows:
        texts = [part["text"] for part in row["prompt"][0]["content"] if part["type"] == "text"]
        want = [part["text"] for part in expected[row["id"]][0]["content"] if part["type"] == "text"]
        assert texts == want
    assert len({json.dumps(r["prompt"]) for r in rows}) == 6  # one prompt per pair
    assert report.manifest["prompt"]["grounded"] is True


def test_text_formats_flatten_each_pairs_prompt(sample_ws, tmp_path):  # noqa: ANN001
    sample_preferences(sample_ws, sample_ws.ids)
    expected = expected_prompts(sample_ws)
    export_prefs(sample_ws, tmp_path / "swift", ExportOptions(format="swift", split=SPLIT, grounded=True,
                                                              balance="none"))
    lines = [json.loads(x) for x in (tmp_path / "swift" / "train.jsonl").read_text().splitlines()]
    flattened = {flatten_content(m) for m in expected.values()}
    assert lines and all(line["messages"][0]["content"] in flattened for line in lines)


def test_a_grounded_export_needs_a_hints_slot(sample_ws, tmp_path):  # noqa: ANN001
    plain = tmp_path / "p.txt"
    plain.write_text("Describe the edit.")
    with pytest.raises(ExportError, match=r"\{hints\}"):
        export_sft(sample_ws, tmp_path / "x", ExportOptions(split=SPLIT, grounded=True, prompt_path=plain))
