"""The paper's worked example (Table 7's ground truth), reply builders, and a corpus of
malformed judge replies, shared by the findings tests and the end-to-end judge tests."""

from __future__ import annotations

import json

from editcaption.evaluate.judge_request import TruthIds
from editcaption.schema import GroundTruth

# Table 7: three primary changes (colour, straps, length) and one secondary (necklace).
GT = GroundTruth(
    primary=["The dress color changes from grey to pink.",
             "The shoulder straps change from wide straps to thin spaghetti straps.",
             "The hem is shortened from midi length to a mini skirt."],
    secondary=["The gold necklace is replaced with a thin silver necklace."],
    overall="A woman in a grey wide-strap midi dress now wears a pink spaghetti-strap mini dress.",
)
IDS = TruthIds.of(GT)


def acc(*assertions: tuple[str | None, str]) -> str:
    return json.dumps({"dimension": "accuracy", "assertions": [
        {"claim": f"c{i}", "ref": ref, "verdict": verdict} for i, (ref, verdict) in enumerate(assertions)]})


def comp(primary: list[str], secondary: list[str] | None = None) -> str:
    return json.dumps({"dimension": "completeness",
                       "primary": [{"id": f"primary-{i}", "status": s} for i, s in enumerate(primary, 1)],
                       "secondary": [{"id": f"secondary-{i}", "status": s} for i, s in enumerate(secondary or ["miss"], 1)]})


def clar(terms: list, detail: object, attributes: list | None = None) -> str:
    return json.dumps({"dimension": "clarity", "forbidden_terms": terms, "detail_score": detail,
                       "attributes": attributes or []})


MALFORMED = [
    ("accuracy", "", "empty"),
    ("accuracy", "The instruction is accurate. Score: 5", "no JSON"),
    ("accuracy", '{"dimension": "accuracy", "assertions": [{"claim": "pink", "ref": "primary-1", "verd', "cut off"),
    ("accuracy", acc(("primary-1", "correct"),) + " or " + acc(("primary-1", "wrong"),), "different JSON"),
    ("accuracy", '{"dimension": "accuracy", "score": 5}', "missing key 'assertions'"),
    ("accuracy", '{"assertions": "all correct"}', "should be a list"),
    ("accuracy", acc(("primary-1", "mostly right"),), "not one of correct"),
    ("accuracy", acc(("primary-9", "correct"),), "not one of the ids sent"),
    ("accuracy", acc(("the dress", "correct"),), "not one of the ids sent"),
    ("accuracy", '{"assertions": ["the dress is pink"]}', "is not an object"),
    ("accuracy", '{"dimension": "clarity", "assertions": []}', "not 'accuracy'"),
    ("accuracy", "[5]", "expected a JSON object"),
    ("accuracy", '{"assertions": [], "assertions": []}', "duplicate key"),
    ("completeness", comp(["hit", "hit"]), "primary-3 is not listed"),
    ("completeness", json.dumps({"primary": [{"id": "primary-1", "status": "hit"}, {"id": "primary-1", "status": "hit"},
                                             {"id": "primary-2", "status": "hit"}, {"id": "primary-3", "status": "hit"}],
                                 "secondary": [{"id": "secondary-1", "status": "miss"}]}), "listed twice"),
    ("completeness", comp(["hit", "yes", "hit"]), "not one of hit"),
    ("completeness", json.dumps({"primary": [{"id": "secondary-1", "status": "hit"}]}), "expected one of primary-1"),
    ("completeness", json.dumps({"primary": [{"id": f"primary-{i}", "status": "hit"} for i in (1, 2, 3)]}),
     "'secondary' should be a list"),
    ("completeness", '{"primary": "all hit"}', "should be a list"),
    ("completeness", '{"primary": [{"id": "primary-1", "status": "hit"}], "coverage": 0.33} plus {"primary": []}',
     "different JSON"),
    ("clarity", clar([], "high"), "not a number"),
    ("clarity", clar([], 7), "outside 1–5"),
    ("clarity", '{"dimension": "clarity", "forbidden_terms": []}', "missing key 'detail_score'"),
    ("clarity", clar("none", 4), "should be a list"),
    ("clarity", clar([{"kind": "vague_verb"}], 4), "neither a string nor an object"),
    ("clarity", '{"forbidden_terms": [], "detail_score": NaN}', "NaN is not a number"),
    ("clarity", clar([], True), "boolean"),
    ("clarity", clar([], 0), "outside 1–5"),
]
