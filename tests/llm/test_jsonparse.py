"""Reading JSON out of model replies: a corpus of malformed replies, each read or refused precisely."""

from __future__ import annotations

import pytest

from editcaption.llm.jsonparse import JsonFieldError, as_number, number_list, parse_json_reply

GOOD = {"reasoning": "The sky turned red as asked.", "score": [20, 18]}

# (reply, the value it must read as) — every one of these is recoverable without guessing.
READABLE = [
    ('{"reasoning": "The sky turned red as asked.", "score": [20, 18]}', GOOD),
    ('```json\n{"reasoning": "The sky turned red as asked.", "score": [20, 18]}\n```', GOOD),
    ('```\n{"reasoning": "The sky turned red as asked.", "score": [20, 18]}\n```', GOOD),
    ('Here is my evaluation:\n{"reasoning": "The sky turned red as asked.", "score": [20, 18]}\nHope this helps!', GOOD),
    ("Sure! ```json\n{\"reasoning\": \"The sky turned red as asked.\", \"score\": [20, 18]}\n``` Let me know.", GOOD),
    ("{'reasoning': 'The sky turned red as asked.', 'score': [20, 18]}", GOOD),
    ('{"reasoning": "The sky turned red as asked.", "score": [20, 18,],}', GOOD),
    ("{'reasoning': 'The sky turned red as asked.', 'score': [20, 18],}", GOOD),
    ('[{"reasoning": "The sky turned red as asked.", "score": [20, 18]}]', GOOD),
    ('<think>The red is strong; maybe 20.</think>\n{"reasoning": "The sky turned red as asked.", "score": [20, 18]}',
     GOOD),
    ('The red is strong; maybe 20.</think>{"reasoning": "The sky turned red as asked.", "score": [20, 18]}', GOOD),
    ('{reasoning: "The sky turned red as asked.", score: [20, 18]}', GOOD),
    ('{"reasoning": "The sky turned red as asked.", // why\n "score": [20, 18]}', GOOD),
    ("{\u201creasoning\u201d: \u201cThe sky turned red as asked.\u201d, \u201cscore\u201d: [20, 18]}", GOOD),
    ('{"reasoning": "It\'s red now [as asked].", "score": [20, 18]}', {"reasoning": "It's red now [as asked].",
                                                                       "score": [20, 18]}),
    ("{'reasoning': 'It\\'s red, \"vivid\" even.', 'score': [20, 18]}", {"reasoning": 'It\'s red, "vivid" even.',
                                                                       "score": [20, 18]}),
    ('{"reasoning": "ok", "score": ["20", "18"]}', {"reasoning": "ok", "score": ["20", "18"]}),
    ("{'ok': True, 'note': None, 'score': [1, 2]}", {"ok": True, "note": None, "score": [1, 2]}),
    # An example object and the real answer: only the one with the asked-for keys is the answer.
    ('Format: {"example": 1}. Answer: {"reasoning": "The sky turned red as asked.", "score": [20, 18]}', GOOD),
    # The same answer twice is one answer.
    ('{"reasoning": "x", "score": [1, 2]}\nAgain: {"reasoning": "x", "score": [1, 2]}', {"reasoning": "x",
                                                                                       "score": [1, 2]}),
    ("It's simple [see below]: {\"reasoning\": \"x\", \"score\": [1, 2]}", {"reasoning": "x", "score": [1, 2]}),
]

# (reply, error code, a fragment of the reason) — none of these may yield a value.
REFUSED = [
    ("", "empty", "empty"),
    ("   \n ", "empty", "empty"),
    ("<think>I should weigh the red against the clouds.</think>", "empty", "only reasoning"),
    ("The edit looks good, I would give it a 20.", "no_json", "no JSON object"),
    ('{"reasoning": "The sky turned red", "score": [20, 1', "truncated", "cut off"),
    ('{"reasoning": "The sky turned red as', "truncated", "cut off"),
    ('{"reasoning": "a", "score": [20, 18]} or maybe {"reasoning": "b", "score": [10, 9]}', "ambiguous",
     "2 different"),
    ('{"reasoning": "a", "score": [20, 18], "score": [3, 4]}', "invalid_json", "duplicate key 'score'"),
    ('{"reasoning": "a", "score": [NaN, 18]}', "invalid_json", "NaN is not a number"),
    ('{"reasoning": "a" "score": [20, 18]}', "invalid_json", "Expecting ',' delimiter"),
    ("[20, 18]", "wrong_type", "found a list of 2 items"),
    ('"just a string"', "wrong_type", "expected a JSON object, found a string"),
    ('{"reasoning": "The sky turned red."}', "missing_keys", "missing key 'score' (keys present: reasoning)"),
    ('{"reason": "x", "scores": [1, 2]}', "missing_keys", "keys present: reason, scores"),
    ('[{"score": [1, 2]}, {"score": [3, 4]}]', "wrong_type", "found a list of 2 items"),
]


@pytest.mark.parametrize(("reply", "expected"), READABLE)
def test_readable_replies_give_exactly_their_value(reply, expected):  # noqa: ANN001
    result = parse_json_reply(reply, required_keys=("score",) if "score" in expected else ())
    assert result.ok, result.error
    assert result.value == expected


@pytest.mark.parametrize(("reply", "code", "fragment"), REFUSED)
def test_unreadable_replies_are_refused_with_a_precise_reason(reply, code, fragment):  # noqa: ANN001
    needs_score = code == "missing_keys"
    result = parse_json_reply(reply, required_keys=("score",) if needs_score else ())
    assert not result.ok and result.value is None
    assert result.code == code, result.error
    assert fragment in result.error


def test_the_corpus_is_large_enough():
    assert len(READABLE) + len(REFUSED) >= 20


def test_repairs_are_reported():
    r = parse_json_reply("Sure:\n```json\n{'score': [1, 2,],}\n```")
    assert r.ok and r.value == {"score": [1, 2]}
    assert "single quotes" in r.repairs and "trailing comma" in r.repairs
    clean = parse_json_reply('{"score": [1, 2]}')
    assert clean.repairs == ()
    think = parse_json_reply('<think>hm</think>{"score": [1, 2]}')
    assert "reasoning removed" in think.repairs
    wrapped = parse_json_reply('[{"score": [1, 2]}]')
    assert "single-item list unwrapped" in wrapped.repairs


def test_expect_array_and_any():
    assert parse_json_reply("Scores: [3, 4]", expect="array").value == [3, 4]
    assert parse_json_reply('{"a": 1}', expect="array").code == "wrong_type"
    assert parse_json_reply('[{"a": 1}]', expect="any").value == [{"a": 1}]
    assert parse_json_reply('{"a": 1}', expect="any").value == {"a": 1}


def test_python_words_inside_strings_are_left_alone():
    r = parse_json_reply("{'reasoning': 'None of the True colours changed', 'score': [0, 25]}")
    assert r.value == {"reasoning": "None of the True colours changed", "score": [0, 25]}


def test_numbers_are_read_exactly_or_refused():
    assert as_number(20) == 20.0 and as_number(7.5) == 7.5
    assert as_number("18") == 18.0 and as_number(" 7.5 ") == 7.5 and as_number("-3") == -3.0
    for bad, fragment in [(True, "boolean"), ("8/25", "the text '8/25'"), ("eight", "the text 'eight'"),
                          ([1], "a list of 1 item"), (None, "is null"), (float("nan"), "not a finite")]:
        with pytest.raises(JsonFieldError, match=fragment):
            as_number(bad, name="score[0]")


def test_number_lists():
    assert number_list(["20", 18], length=2, name="score") == [20.0, 18.0]
    with pytest.raises(JsonFieldError, match="should hold 2 numbers, got 1"):
        number_list([20], length=2, name="score")
    with pytest.raises(JsonFieldError, match="should be a list of 2 numbers, got '20, 18'"):
        number_list("20, 18", length=2, name="score")
    with pytest.raises(JsonFieldError, match=r"score\[1\] is the text 'high'"):
        number_list([20, "high"], length=2, name="score")
