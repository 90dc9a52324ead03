"""The `editscore:` model-spec scheme: accepted where scoring asks for it, refused (clearly) elsewhere."""

from __future__ import annotations

import pytest

from editcaption.llm.spec import ModelSpecError, parse_model_spec


def test_editscore_specs_parse_when_asked_for():
    spec = parse_model_spec("editscore:EditScore/EditScore-7B@http://gpu1:8000/v1/", kinds=("editscore",))
    assert (spec.kind, spec.model, spec.base_url) == ("editscore", "EditScore/EditScore-7B", "http://gpu1:8000/v1")
    assert str(spec) == "editscore:EditScore/EditScore-7B@http://gpu1:8000/v1"
    assert parse_model_spec(str(spec), kinds=("editscore",)) == spec


@pytest.mark.parametrize(("text", "kinds", "message"), [
    ("editscore:EditScore-7B@http://h/v1", None, "names an EditScore scorer (use it with `editcaption score"),
    ("editscore:EditScore-7B", ("editscore",), "names no server: expected editscore:<model>@<base_url>"),
    ("editscore:m@gpu1:8000/v1", ("editscore",), "must start with http:// or https://"),
    ("editscore:m@http://u:pw@h/v1", ("editscore",), "credentials"),
    ("openai:gpt-4o", ("editscore",), "names a model that writes instructions"),
    ("delta", ("editscore",), "expected editscore:<model>@<base_url>"),
])
def test_bad_or_misplaced_editscore_specs(text, kinds, message):  # noqa: ANN001
    with pytest.raises(ModelSpecError) as info:
        parse_model_spec(text) if kinds is None else parse_model_spec(text, kinds=kinds)
    assert message in str(info.value)


def test_producer_specs_are_unchanged_by_default():
    assert parse_model_spec("delta").kind == "delta"
    assert parse_model_spec("openai:gpt-4o").base_url == "https://api.openai.com/v1"
