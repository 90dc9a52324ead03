"""Cleaning model replies down to the answer itself.

Reasoning models wrap their thoughts in ``<think>…</think>`` (Qwen3, GLM with thinking on;
a vLLM reasoning parser may leave only the closing tag); GLM-4.5V boxes its final answer
in ``<|begin_of_box|>…<|end_of_box|>``; chatty models put answers in code fences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_THINK_BLOCK = re.compile(r"<think>.*?</think>", re.S | re.I)
_THINK_OPEN_TAIL = re.compile(r"<think>.*\Z", re.S | re.I)  # reply cut off inside the thoughts
_BOX = re.compile(r"<\|begin_of_box\|>(.*?)<\|end_of_box\|>", re.S)
_BOX_MARKERS = re.compile(r"<\|(?:begin|end)_of_box\|>")
_FENCE = re.compile(r"^```[\w+-]*[ \t]*\n?(.*?)\n?```$", re.S)


@dataclass(frozen=True)
class CleanReply:
    text: str
    reasoning: str | None


def clean_reply(raw: str | None) -> CleanReply:
    """The answer without reasoning, box markers or a surrounding code fence."""
    text = raw or ""
    thoughts: list[str] = []
    for m in _THINK_BLOCK.finditer(text):
        thoughts.append(m.group(0)[len("<think>"): -len("</think>")].strip())
    text = _THINK_BLOCK.sub("", text)
    if "</think>" in text.lower():  # opening tag consumed by the server's reasoning parser
        head, _, text = text.rpartition("</think>")
        thoughts.append(head.replace("<think>", "").strip())
    text = _THINK_OPEN_TAIL.sub("", text)
    boxed = _BOX.findall(text)
    if boxed:
        text = "\n".join(b.strip() for b in boxed)
    text = _BOX_MARKERS.sub("", text).strip()
    fenced = _FENCE.match(text)
    if fenced:
        text = fenced.group(1).strip()
    reasoning = "\n".join(t for t in thoughts if t) or None
    return CleanReply(text=text, reasoning=reasoning)
