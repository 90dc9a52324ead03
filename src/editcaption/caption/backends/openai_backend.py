"""``openai:<model>@<base_url>``: any OpenAI-compatible server, through the shared client."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...llm import (
    EncodedPair,
    FatalServerError,
    ImageEncoding,
    LLMError,
    ModelCallConfig,
    encode_pair,
    encode_pair_files,
    pair_messages,
)
from ...llm.spec import ModelSpec
from ..config import GenerationOptions
from ..items import Outcome, PairFiles, PairInput
from .base import CaptionBackend

DEFAULT_CONCURRENCY = 16


@dataclass
class EncodedRequest:
    pair_id: str
    messages: list[dict[str, Any]]
    images: EncodedPair


class OpenAIBackend(CaptionBackend):
    def __init__(self, spec: ModelSpec, *, calls: ModelCallConfig, generation: GenerationOptions, temperature: float,
                 encoding: ImageEncoding):
        assert spec.kind == "openai" and spec.model and spec.base_url
        self.producer = str(spec)
        self.model = spec.model
        self.generation = generation
        self.temperature = temperature
        self.encoding = encoding
        self.concurrency = calls.in_flight(DEFAULT_CONCURRENCY)
        self.client = calls.client(spec.base_url, default_concurrency=DEFAULT_CONCURRENCY)

    def encode(self, item: PairInput) -> EncodedRequest:
        # Resize and encode both images once; retries resend the same bytes.
        images = encode_pair(item.source, item.target, self.encoding)
        return EncodedRequest(item.pair_id, pair_messages(item.prompt or "", images), images)

    def encode_files(self, task: PairFiles, prompt: str | None) -> EncodedRequest:
        # From the files: a stored JPEG that already fits is sent as it is, without decoding it.
        images = encode_pair_files(task.source_path, task.target_path, self.encoding)
        return EncodedRequest(task.pair_id, pair_messages(prompt or "", images), images)

    async def caption(self, encoded: list[EncodedRequest]) -> list[Outcome]:
        return [await self._one(req) for req in encoded]

    async def _one(self, req: EncodedRequest) -> Outcome:
        g = self.generation
        try:
            result = await self.client.chat(req.messages, model=self.model, temperature=self.temperature,
                                            max_tokens=g.max_tokens, top_p=g.top_p, seed=g.seed)
        except FatalServerError as exc:
            return Outcome.failed(req.pair_id, exc.reason, str(exc), attempts=exc.attempts, fatal=True)
        except LLMError as exc:
            return Outcome.failed(req.pair_id, exc.reason, str(exc), attempts=exc.attempts)
        return Outcome(pair_id=req.pair_id, text=result.text, usage=result.usage, attempts=result.attempts)

    async def aclose(self) -> None:
        await self.client.aclose()

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "base_url": self.client.base_url, "api_key": self.client.has_api_key}
