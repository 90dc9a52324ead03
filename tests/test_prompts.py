"""Prompt files: versioned, hashed, with the two-image message layout every stage shares."""

from __future__ import annotations

import pytest

from editcaption.prompts import instruction_messages, load_prompt


def test_packaged_prompt_and_grounded_variant():
    plain = load_prompt()
    grounded = load_prompt("instruction-grounded")
    assert plain.version == "v1" and plain.id.startswith("instruction-v1@")
    assert "Image 1 is the SOURCE" in plain.render() and "{hints}" not in plain.render()
    with pytest.raises(ValueError):
        grounded.render()
    text = grounded.render("- camera: pans left")
    assert text.endswith("- camera: pans left") and text.startswith(plain.render().splitlines()[0])


def test_user_prompt_file(tmp_path):
    path = tmp_path / "mine.txt"
    path.write_text("Describe the edit.")
    p = load_prompt(path=path)
    assert p.render() == "Describe the edit." and p.source == str(path) and p.version == "custom"
    assert p.sha256 != load_prompt().sha256


def test_message_layout_has_source_then_target():
    msgs = instruction_messages("Write it.")
    parts = msgs[0]["content"]
    assert [p["type"] for p in parts] == ["text", "image", "text", "image", "text"]
    assert "source" in parts[0]["text"] and "target" in parts[2]["text"] and parts[4]["text"] == "Write it."
