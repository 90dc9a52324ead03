"""The judge's findings → scores, on the paper's worked example (Tables 7–10), and a corpus
of malformed replies that must all be refused with a reason (never scored)."""

from __future__ import annotations

import pytest
from judge_corpus import GT, IDS, MALFORMED, acc, clar, comp

from editcaption.evaluate.judge_findings import read_reply
from editcaption.evaluate.judge_request import render_truth
from editcaption.evaluate.llm_calls import FindingError
from editcaption.schema import GroundTruth


def test_truth_is_numbered_for_the_judge():
    text = render_truth(GT)
    assert "- primary-3: The hem is shortened" in text and "- secondary-1: The gold necklace" in text
    assert IDS.primary == ("primary-1", "primary-2", "primary-3") and IDS.secondary == ("secondary-1",)
    assert "- (none)" in render_truth(GroundTruth(primary=["x"]))


@pytest.mark.parametrize("reply, expected", [
    # Table 8, score 5: pink ✓, spaghetti straps ✓, silver necklace ✓; coverage 2/3
    (acc(("primary-1", "correct"), ("primary-2", "correct"), ("secondary-1", "correct")), 5.0),
    # score 4: dress pink ✓, the unchanged bag "turned red" ✗ (a minor, non-core error); coverage 1/3
    (acc(("primary-1", "correct"), (None, "unchanged")), 4.0),
    # score 3: "dress to blue" — one major factual error
    (acc(("primary-1", "wrong"),), 3.0),
    # score 3: "necklace to silver" — all true, but no primary change covered (< 30%)
    (acc(("secondary-1", "correct"),), 3.0),
    # score 2: "long blue dress" — two major errors
    (acc(("primary-1", "wrong"), ("primary-3", "wrong")), 2.0),
    # score 2: "pink dress; add hat" — a hallucinated operation caps at 2
    (acc(("primary-1", "correct"), (None, "hallucinated")), 2.0),
    # score 1: "change the car to red" — nothing but hallucination
    (acc((None, "hallucinated"),), 1.0),
    # an empty instruction states nothing false but covers nothing
    (acc(), 3.0),
])
def test_accuracy_from_findings(reply, expected):
    score, findings = read_reply("accuracy", reply, IDS, "x")
    assert score == expected
    assert findings["coverage"] == pytest.approx(len({a["ref"] for a in findings["assertions"]
                                                      if a["ref"] and a["ref"].startswith("primary")
                                                      and a["verdict"] in ("correct", "wrong")}) / 3, abs=1e-4)


@pytest.mark.parametrize("reply, expected, hits", [
    (comp(["hit", "hit", "hit"]), 5.0, 3.0),  # Table 9, 3/3
    (comp(["hit", "miss", "hit"]), 4.0, 2.0),  # 2/3 = 66.7% → 60–75% → 4.0
    (comp(["hit", "miss", "miss"]), 2.0, 1.0),  # 1/3 = 33% → 20–50% → 2.0 (Listing 2's lookup)
    (comp(["miss", "partial", "miss"]), 1.0, 0.5),  # 0.5/3 = 16.7%
    (comp(["miss", "partial", "miss"], ["hit"]), 1.5, 0.5),  # minor change covered too: +0.5
    (comp(["miss", "miss", "miss"], ["hit"]), 1.0, 0.0),  # only the minor change: no bonus (Table 9, score 1)
    (comp(["hit", "hit", "hit"], ["hit"]), 5.0, 3.0),
])
def test_completeness_from_findings(reply, expected, hits):
    score, findings = read_reply("completeness", reply, IDS, "x")
    assert score == expected and findings["hits"] == hits and findings["total"] == 3


def test_clarity_from_findings():
    # Table 10, score 2: one forbidden reference word caps at 3; the judge's detail score 2 stands
    text = "Change the color of that piece of clothing to pink."
    score, f = read_reply("clarity", clar([{"term": "that", "kind": "vague_reference"}], 2), IDS, text)
    assert (score, f["ceiling"]) == (2.0, 3.0)
    # A detailed instruction with one vague degree: detail 5, ceiling 3 → 3
    text = "Make the dress slightly pinker, a pale rose pink with thin spaghetti straps."
    score, f = read_reply("clarity", clar(["slightly"], 5), IDS, text)
    assert score == 3.0 and f["forbidden_terms"] == [{"term": "slightly", "kind": "unspecified"}]
    # Table 10, score 1: "optimize", "it", "look better" — three terms cap at 2; detail 1
    text = "Optimize the image to make it look better."
    terms = [{"term": "Optimize", "kind": "vague_verb"}, {"term": "it", "kind": "vague_reference"},
             {"term": "look better", "kind": "vague_verb"}]
    score, f = read_reply("clarity", clar(terms, 1), IDS, text)
    assert (score, f["ceiling"], len(f["forbidden_terms"])) == (1.0, 2.0, 3)
    assert "optimize" in f["heuristic_terms"]
    # Terms the instruction does not contain are the judge's misreading: dropped, not counted
    text = "Replace the gray wide-strap dress with a pink spaghetti-strap mini dress."
    score, f = read_reply("clarity", clar(["slightly", "this", "slightly"], 5), IDS, text)
    assert score == 5.0 and f["rejected_terms"] == ["slightly", "this"] and f["forbidden_terms"] == []
    # Two different terms: ceiling 2.5
    text = "Adjust the colours a bit."
    score, f = read_reply("clarity", clar(["adjust", "a bit"], 4), IDS, text)
    assert score == 2.5
    # Long and thin (> 150 words, < 5 stated attributes) loses a point
    text = " ".join(["Change the dress to pink"] * 31)  # 155 words
    score, f = read_reply("clarity", clar([], 4, [{"object": "dress", "stated": ["pink"], "missing": []}]), IDS, text)
    assert score == 3.0 and f["long_and_thin"] and f["words"] == 155


@pytest.mark.parametrize("reply", [
    "```json\n" + acc(("primary-1", "correct"),) + "\n```",
    "Here are my findings:\n" + acc(("primary-1", "correct"),) + "\nThat is all.",
    "<think>pink is right</think>" + acc(("Primary 1", "Correct"),),
    acc(("primary_1", "CORRECT"),).replace('"', "'"),
    "[" + acc(("primary-1", "correct"),) + "]",
])
def test_readable_variants(reply):
    score, findings = read_reply("accuracy", reply, IDS, "x")
    assert score == 4.0 and findings["assertions"][0]["ref"] == "primary-1"  # coverage 1/3 → 4


@pytest.mark.parametrize("dimension, reply, reason", MALFORMED)
def test_malformed_replies_are_refused_with_a_reason(dimension, reply, reason):
    with pytest.raises(FindingError) as err:
        read_reply(dimension, reply, IDS, "Change the dress to pink.")
    assert reason in str(err.value)


def test_the_corpus_is_large_enough():
    assert len(MALFORMED) >= 20
