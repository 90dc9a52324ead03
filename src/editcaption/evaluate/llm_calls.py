"""One request to a model whose answer must be read by a strict reader, with one repair.

Shared by the judge and ground-truth drafting: ask; if the reader refuses the reply
(:class:`FindingError`), continue the conversation once with the reason and read the
second reply; if that is refused too, the error says both reasons. Transport errors
(:class:`editcaption.llm.LLMError`) pass through untouched.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from ..llm import ChatClient, ModelSpecError, parse_model_spec
from ..prompts import PromptTemplate
from .prompts import fill
from .scores import EvalError

T = TypeVar("T")


class FindingError(ValueError):
    """A reply that cannot be used (the message says exactly why)."""


def openai_model(spec_text: str, option: str, other_forms: str = "") -> tuple[str, str]:
    """(model name, base URL) of an ``openai:<model>@<base_url>`` spec given as ``option``; else :class:`EvalError`."""
    try:
        spec = parse_model_spec(spec_text)
    except ModelSpecError as exc:
        raise EvalError(str(exc)) from None
    if spec.kind != "openai" or not spec.model or not spec.base_url:
        raise EvalError(f"{option} must be openai:<model>@<base_url>{other_forms}, not {spec_text!r}")
    return spec.model, spec.base_url


@dataclass
class Asker:
    """A client, a model and the sampling settings every request of a pass shares."""

    client: ChatClient
    model: str
    repair: PromptTemplate
    temperature: float = 0.0
    max_tokens: int = 1024

    async def ask(self, messages: list[dict[str, Any]], counts: Counter[str]) -> str:
        # Extra body fields come with the client (ModelCallConfig.client), as for every stage.
        result = await self.client.chat(messages, model=self.model, temperature=self.temperature,
                                        max_tokens=self.max_tokens)
        counts["cached" if result.cached else "calls"] += 1
        return result.text

    async def ask_and_read(self, messages: list[dict[str, Any]], read: Callable[[str], T],
                           counts: Counter[str]) -> tuple[T, str | None]:
        """``(value, why a repair was needed or None)``; :class:`FindingError` after a failed repair."""
        reply = await self.ask(messages, counts)
        try:
            return read(reply), None
        except FindingError as first:
            followup = [*messages, {"role": "assistant", "content": reply},
                        {"role": "user", "content": fill(self.repair, problem=str(first))}]
            second_reply = await self.ask(followup, counts)
            try:
                return read(second_reply), str(first)
            except FindingError as second:
                raise FindingError(f"{second} (first reply: {first}; one repair attempted)") from None
