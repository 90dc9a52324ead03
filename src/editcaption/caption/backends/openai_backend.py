"""``openai:<model>@<base_url>``: any OpenAI-compatible server, through the shared client."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...llm import (
    ChatClient,
    EncodedPair,
    FatalServerError,
    ImageEncoding,
    LLMError,
    RetryPolicy,
    encode_pair,
    pair_messages,
)
from ...llm.spec import ModelSpec
from ..config import GenerationOptions
from ..items import Outcome, PairInput
from .base import CaptionBackend

DEFAULT_CONCURRENCY = 16


@dataclass
class EncodedRequest:
    pair_id: str
    messages: list[dict[str, Any]]
    images: EncodedPair


class OpenAIBackend(CaptionBackend):
    def __init__(self, spec: ModelSpec, *, generation: GenerationOptions, encoding: ImageEncoding,
                 concurrency: int | None = None, api_key_env: str | None = "OPENAI_API_KEY", timeout: float = 120.0,
                 max_retries: int = 5, extra_body: dict[str, Any] | None = None):
        assert spec.kind == "openai" and spec.model and spec.base_url
        self.producer = str(spec)
        self.model = spec.model
        self.generation = generation
        self.encoding = encoding
        self.concurrency = concurrency or DEFAULT_CONCURRENCY
        self.client = ChatClient(spec.base_url, api_key_env=api_key_env, timeout=timeout,
                                 max_concurrency=self.concurrency, retry=RetryPolicy(max_retries=max_retries),
                                 default_extra_body=dict(extra_body or {}))

    def encode(self, item: PairInput) -> EncodedRequest:
        # Resize and encode both images once; retries resend the same bytes.
        images = encode_pair(item.source, item.target, self.encoding)
        return EncodedRequest(item.pair_id, pair_messages(item.prompt or "", images), images)

    async def caption(self, encoded: list[EncodedRequest]) -> list[Outcome]:
        return [await self._one(req) for req in encoded]

    async def _one(self, req: EncodedRequest) -> Outcome:
        g = self.generation
        try:
            result = await self.client.chat(req.messages, model=self.model, temperature=g.temperature,
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
