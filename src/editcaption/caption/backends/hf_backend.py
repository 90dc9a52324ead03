"""``hf:<path>``: a local ``transformers`` vision-language model, generating in batches.

Loading goes through :func:`editcaption.train.hfcompat.load_model_and_processor` (the one
loader, which also works without torchvision). The request is the same chat-template
layout the model is trained on (:func:`editcaption.prompts.instruction_messages`), with
``images=[source, target]`` per pair. torch is imported only here.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from ...imageio import resize_max_side, to_pil
from ...llm.spec import ModelSpec
from ...llm.text import clean_reply
from ...prompts import instruction_messages
from ..config import GenerationOptions
from ..items import Outcome, PairInput
from .base import CaptionBackend


@dataclass
class EncodedHF:
    pair_id: str
    images: list[Any]  # [source, target] as PIL images
    prompt: str


class HFBackend(CaptionBackend):
    concurrency = 1  # one generate() at a time; parallelism comes from batching

    def __init__(self, spec: ModelSpec, *, generation: GenerationOptions, temperature: float = 0.0,
                 device: str = "auto", dtype: str | None = None, batch_size: int = 4, image_max_side: int = 1024):
        from ...importutils import require

        require("torch", "transformers", feature="the hf: backend")
        from ...train.hfcompat import load_model_and_processor

        self.producer = str(spec)
        self.generation = generation
        self.temperature = temperature
        self.batch_size = batch_size
        self.image_max_side = image_max_side
        self.model, self.processor = load_model_and_processor(spec.path, device=device, dtype=dtype)
        self.model.eval()
        self.tokenizer = getattr(self.processor, "tokenizer", self.processor)
        # Decoder-only generation needs prompts aligned on the right: pad on the left.
        self.tokenizer.padding_side = "left"
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hf-generate")

    def encode(self, item: PairInput) -> EncodedHF:
        images = [to_pil(resize_max_side(a, self.image_max_side)) for a in (item.source, item.target)]
        return EncodedHF(item.pair_id, images, item.prompt or "")

    async def caption(self, encoded: list[EncodedHF]) -> list[Outcome]:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, self.generate_isolating_failures, encoded)

    def generate_isolating_failures(self, items: list[EncodedHF]) -> list[Outcome]:
        """Generate for the batch; if the batch fails, retry pair by pair so one bad pair fails alone."""
        try:
            return self.generate(items)
        except Exception as exc:  # noqa: BLE001
            if len(items) == 1:
                return [Outcome.failed(items[0].pair_id, "generation_error", f"{type(exc).__name__}: {exc}")]
        return [out for item in items for out in self.generate_isolating_failures([item])]

    def generate(self, items: list[EncodedHF]) -> list[Outcome]:
        import torch

        texts = [
            self.processor.apply_chat_template(instruction_messages(it.prompt), add_generation_prompt=True,
                                               tokenize=False)
            for it in items
        ]
        images = [img for it in items for img in it.images]  # flat, in prompt order: src, tgt, src, tgt, ...
        inputs = self.processor(text=texts, images=images, padding=True, return_tensors="pt").to(self.model.device)
        g = self.generation
        kwargs: dict[str, Any] = {"max_new_tokens": g.max_tokens, "do_sample": self.temperature > 0,
                                  "pad_token_id": self.tokenizer.pad_token_id}
        if self.temperature > 0:
            kwargs["temperature"] = self.temperature
            if g.top_p is not None:
                kwargs["top_p"] = g.top_p
        if g.seed is not None:
            torch.manual_seed(g.seed)
        with torch.inference_mode():
            out = self.model.generate(**inputs, **kwargs)
        prompt_len = inputs["input_ids"].shape[1]
        new_tokens = out[:, prompt_len:]
        decoded = self.tokenizer.batch_decode(new_tokens, skip_special_tokens=True)
        stop_ids = {self.tokenizer.pad_token_id, self.tokenizer.eos_token_id}
        prompt_tokens = inputs["attention_mask"].sum(dim=1).tolist()
        outcomes = []
        for i, it in enumerate(items):
            row = new_tokens[i].tolist()
            completion = next((j for j, t in enumerate(row) if t in stop_ids), len(row))
            usage = {"prompt_tokens": int(prompt_tokens[i]), "completion_tokens": completion,
                     "total_tokens": int(prompt_tokens[i]) + completion}
            text = clean_reply(decoded[i]).text
            if not text:
                outcomes.append(Outcome.failed(it.pair_id, "empty_content", "the model generated no text",
                                               usage=usage))
            else:
                outcomes.append(Outcome(pair_id=it.pair_id, text=text, usage=usage))
        return outcomes

    async def aclose(self) -> None:
        self._pool.shutdown(wait=False)

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "device": str(self.model.device), "dtype": str(self.model.dtype)}
