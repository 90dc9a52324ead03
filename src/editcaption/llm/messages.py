"""Chat messages in the OpenAI wire format, built from the shared chat-template layout.

Stages describe a request once, with ``{"type": "image"}`` placeholders (the form
``transformers`` processors and TRL use, see :func:`editcaption.prompts.instruction_messages`);
:func:`openai_messages` fills the placeholders, in order, with ``image_url`` parts.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from ..prompts import instruction_messages
from .images import EncodedPair


def openai_messages(
    template: list[dict[str, Any]], image_urls: Sequence[str], *, system: str | None = None
) -> list[dict[str, Any]]:
    """``template`` with its image placeholders replaced by ``image_urls`` in order."""
    urls = list(image_urls)
    out: list[dict[str, Any]] = [{"role": "system", "content": system}] if system else []
    used = 0
    for msg in template:
        msg = copy.deepcopy(msg)
        content = msg.get("content")
        if isinstance(content, list):
            parts = []
            for part in content:
                if part.get("type") == "image":
                    if used >= len(urls):
                        raise ValueError(f"the messages have more image slots than the {len(urls)} images given")
                    parts.append({"type": "image_url", "image_url": {"url": urls[used]}})
                    used += 1
                else:
                    parts.append(part)
            msg["content"] = parts
        out.append(msg)
    if used != len(urls):
        raise ValueError(f"{len(urls)} images given but the messages have {used} image slots")
    return out


def pair_messages(prompt_text: str, pair: EncodedPair, *, system: str | None = None) -> list[dict[str, Any]]:
    """The instruction request: source label, source image, target label, target image, prompt."""
    return openai_messages(instruction_messages(prompt_text), pair.urls, system=system)
