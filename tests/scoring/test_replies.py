"""Reading one EditScore answer: two raw scores, or unreadable (worth a repair), or out of range (final)."""

from __future__ import annotations

import pytest

from editcaption.scoring.replies import OUT_OF_RANGE, UNREADABLE, read_score_reply


@pytest.mark.parametrize(("reply", "raw", "reasoning"), [
    ('{"reasoning": "Clear.", "score": [20, 18]}', [20, 18], "Clear."),
    ('```json\n{"reasoning": "Clear.", "score": ["20", "18"]}\n```', [20, 18], "Clear."),
    ("Evaluation: {'reasoning': 'Clear.', 'score': [20, 18,]} Done.", [20, 18], "Clear."),
    ('[{"reasoning": "Clear.", "score": [20, 18]}]', [20, 18], "Clear."),
    ('<think>Quite red.</think>{"reasoning": "Clear.", "score": [0, 25]}', [0, 25], "Clear."),
    ("[20, 18]", [20, 18], None),  # nothing but the score list
    ('{"score": [12.5, 7]}', [12.5, 7], None),
])
def test_readable_answers(reply, raw, reasoning):  # noqa: ANN001
    r = read_score_reply(reply)
    assert r.ok, r.problem
    assert r.raw == raw and r.reasoning == reasoning


@pytest.mark.parametrize(("reply", "kind", "fragment"), [
    ("The edit is good, maybe 20 out of 25.", UNREADABLE, "no JSON"),
    ("On a scale [0, 25] I would say it is good.", UNREADABLE, "no JSON object with a 'score' key"),
    ('{"reasoning": "Clear."}', UNREADABLE, "missing key 'score' (keys present: reasoning)"),
    ('{"reasoning": "Clear.", "scores": [20, 18]}', UNREADABLE, "missing key 'score'"),
    ('{"reasoning": "Clear.", "score": [20]}', UNREADABLE, "should hold 2 numbers, got 1"),
    ('{"reasoning": "Clear.", "score": 20}', UNREADABLE, "should be a list of 2 numbers, got a number"),
    ('{"reasoning": "Clear.", "score": ["high", 18]}', UNREADABLE, "score[0] is the text 'high'"),
    ('{"reasoning": "Clear.", "score": [20, 18', UNREADABLE, "cut off"),
    ('{"reasoning": "Clear.", "score": [30, 18]}', OUT_OF_RANGE, "score[0] = 30 is outside 0–25"),
    ('{"reasoning": "Clear.", "score": [20, -1]}', OUT_OF_RANGE, "score[1] = -1 is outside 0–25"),
    ('{"reasoning": "Clear.", "score": ["26", 18]}', OUT_OF_RANGE, "outside 0–25"),
    ("", UNREADABLE, "empty"),
])
def test_unusable_answers(reply, kind, fragment):  # noqa: ANN001
    r = read_score_reply(reply)
    assert not r.ok and r.raw is None
    assert r.kind == kind and fragment in r.problem
