"""The requests of the EditScore protocol on an OpenAI-compatible server, per base model.

EditScore's reward models are LoRA fine-tunes of two families, and each saw its own prompt
layout in training (data_eval.md §1.4):

* ``qwen25vl`` (EditScore-7B/32B/72B on Qwen2.5-VL): every image is preceded by a label
  ``<img1>: ``, ``<img2>: `` and the prompt follows the last image, in one user turn. Sending
  the labels as text parts between ``image_url`` parts makes the served chat template produce
  the same string the library builds by hand (the template's default system prompt included).
* ``qwen3vl`` (EditScore-Qwen3-VL-4B/8B): the images, then the prompt, without labels (the
  processor's standard chat template).

Sampling follows the library: temperature 0.7, top-p 0.9, top-k 20 (a vLLM extension, sent at
the top level of the body), at most 512 new tokens, and a seed per pass.
"""

from __future__ import annotations

from typing import Any

from ..llm.images import EncodedImage, EncodedPair
from ..llm.messages import openai_messages

BASES = ("qwen25vl", "qwen3vl")
SAMPLING: dict[str, Any] = {"temperature": 0.7, "top_p": 0.9, "max_tokens": 512}
EXTRA_SAMPLING: dict[str, Any] = {"top_k": 20}


def guess_base(model: str) -> str:
    """The base family a served model name points to (Qwen3-VL names say so; the rest are 2.5)."""
    flat = model.lower().replace("_", "-")
    return "qwen3vl" if "qwen3" in flat else "qwen25vl"


def user_turn(base: str, n_images: int, prompt_text: str) -> list[dict[str, Any]]:
    """One user message in chat-template form (``{"type": "image"}`` placeholders)."""
    if base not in BASES:
        raise ValueError(f"base must be one of {', '.join(BASES)}, not {base!r}")
    content: list[dict[str, Any]] = []
    for i in range(1, n_images + 1):
        if base == "qwen25vl":
            content.append({"type": "text", "text": f"<img{i}>: "})
        content.append({"type": "image"})
    content.append({"type": "text", "text": prompt_text})
    return [{"role": "user", "content": content}]


def sc_messages(base: str, prompt_text: str, pair: EncodedPair) -> list[dict[str, Any]]:
    """The semantic-consistency request: source image, target image, prompt with the instruction."""
    return openai_messages(user_turn(base, 2, prompt_text), pair.urls)


def pq_messages(base: str, prompt_text: str, target: EncodedImage) -> list[dict[str, Any]]:
    """The perceptual-quality request: the edited (target) image alone, as in EditScore's ``evaluate``."""
    return openai_messages(user_turn(base, 1, prompt_text), [target.url])


def repair_messages(original: list[dict[str, Any]], answer: str, repair_text: str) -> list[dict[str, Any]]:
    """The same conversation, the unreadable answer, and a request for the JSON alone."""
    return [*original, {"role": "assistant", "content": answer},
            {"role": "user", "content": [{"type": "text", "text": repair_text}]}]
