"""One collator for SFT, preference training, the reference pass and generation.

It applies the model's own processor and chat template to the two-image prompt (the prompt
messages stored in the dataset, built by export from the shared prompt file), appends the
answer(s) exactly as the chat template renders an assistant turn, and masks everything but
the answer. Image tokens are never truncated: a sample longer than ``max_length`` raises
:class:`SampleTooLongError` (and :func:`scan_lengths` finds such samples before training).

Batch layouts (all token tensors flush right: ``[pad | prompt | answer]``):

- ``sft``: ``input_ids``, ``attention_mask``, ``labels`` (-100 except answer tokens), the
  processor's per-token fields (``mm_token_type_ids`` …) and media (``pixel_values``,
  ``image_grid_thw`` …), plus ``meta``.
- ``preference``: ``prompt`` (left-padded ``input_ids``/``attention_mask``/per-token fields),
  ``media``, ``chosen`` and ``rejected`` (right-padded answer ids and masks), ``meta``
  (ids, labels, numeric severity / type weight, reference log-probs when present).
- ``prompt``: the processor's left-padded prompt batch, ready for ``model.generate``, plus ``meta``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from .data import REF_COLUMNS, DatasetError, clean_messages, decode_image
from .hae import MarginScheme
from .logprobs import join_prompt_completion

KINDS = ("sft", "preference", "prompt")


class SampleTooLongError(DatasetError):
    """A sample whose prompt (with its image tokens) plus answer exceeds ``max_length``."""


def to_device(batch: Any, device: Any) -> Any:
    """``batch`` (nested dicts of tensors, as our collator makes them) with every tensor on ``device``."""
    if isinstance(batch, torch.Tensor):
        return batch.to(device)
    if isinstance(batch, dict):
        return {k: to_device(v, device) for k, v in batch.items()}
    return batch


def configure_image_processor(processor: Any, *, max_pixels: int | None = None, min_pixels: int | None = None) -> None:
    """Set the per-image pixel budget of a Qwen-style image processor (size = shortest/longest edge in pixels)."""
    if max_pixels is None and min_pixels is None:
        return
    ip = processor.image_processor
    size = getattr(ip, "size", None)
    if size is None or not hasattr(size, "longest_edge"):
        raise ValueError(f"{type(ip).__name__} has no pixel budget; unset image_max_pixels / image_min_pixels")
    new = dict(size.to_dict() if hasattr(size, "to_dict") else vars(size))
    if max_pixels is not None:
        new["longest_edge"] = int(max_pixels)
    if min_pixels is not None:
        new["shortest_edge"] = int(min_pixels)
    ip.size = type(size)(**new)


def _image_parts(messages: list[dict[str, Any]]) -> int:
    count = 0
    for m in messages:
        content = m.get("content")
        if isinstance(content, list):
            count += sum(1 for p in content if isinstance(p, dict) and p.get("type") == "image")
    return count


class VLMCollator:
    """Turns dataset rows into model batches for ``kind`` in sft | preference | prompt."""

    def __init__(self, processor: Any, kind: str, *, max_length: int | None = 8192,
                 margin: MarginScheme | None = None, base_dir: str | Path | None = None):
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}")
        self.processor = processor
        self.kind = kind
        self.max_length = max_length
        self.margin = margin
        self.base_dir = Path(base_dir) if base_dir is not None else None
        tok = processor.tokenizer
        self.pad_id = tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id

    # ------------------------------------------------------------------ rendering

    def render_prompt(self, example: dict[str, Any]) -> tuple[list[Any], list[dict[str, Any]], str]:
        """(images, messages, prompt text with the generation prompt) of one row."""
        where = f"sample {example.get('id', '?')}"
        images = [decode_image(x, self.base_dir) for x in (example.get("images") or [])]
        messages = clean_messages(example["prompt"])
        if _image_parts(messages) != len(images):
            raise DatasetError(f"{where}: the prompt has {_image_parts(messages)} image part(s) but the row has "
                               f"{len(images)} image(s)")
        text = self.processor.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        return images, messages, text

    def answer_text(self, messages: list[dict[str, Any]], prompt_text: str, answer: Any, where: str) -> str:
        """The answer as the chat template writes an assistant turn after the prompt (with its end tokens)."""
        if isinstance(answer, str):
            answer = [{"role": "assistant", "content": answer}]
        turn = clean_messages(answer)
        if not turn or turn[-1].get("role") != "assistant":
            raise DatasetError(f"{where}: the answer must be one assistant message")
        full = self.processor.apply_chat_template(messages + turn[-1:], tokenize=False, add_generation_prompt=False)
        if not full.startswith(prompt_text):
            raise DatasetError(f"{where}: the chat template does not render the prompt as a prefix of prompt + "
                               "answer; cannot separate the answer tokens")
        return full[len(prompt_text):]

    # ------------------------------------------------------------------ batching

    def _encode_prompts(self, texts: list[str], images: list[list[Any]]) -> tuple[dict, dict, dict]:
        kwargs: dict[str, Any] = {"text": texts, "return_tensors": "pt", "padding": True, "padding_side": "left"}
        if any(images):
            kwargs["images"] = images
        enc = self.processor(**kwargs)
        ids, mask = enc["input_ids"], enc["attention_mask"]
        token_fields, media = {}, {}
        for key, value in enc.items():
            if key in ("input_ids", "attention_mask"):
                continue
            if isinstance(value, torch.Tensor) and value.shape == ids.shape:
                token_fields[key] = value
            else:
                media[key] = value
        return {"input_ids": ids, "attention_mask": mask}, token_fields, media

    def _encode_answers(self, texts: list[str]) -> dict[str, torch.Tensor]:
        tok = self.processor.tokenizer
        enc = tok(texts, add_special_tokens=False, padding=True, padding_side="right", return_tensors="pt")
        return {"input_ids": enc["input_ids"].masked_fill(enc["attention_mask"] == 0, self.pad_id),
                "attention_mask": enc["attention_mask"]}

    def _check_length(self, ids: list[str], prompt_mask: torch.Tensor, *answers: dict[str, torch.Tensor]) -> None:
        if self.max_length is None:
            return
        prompt_len = prompt_mask.sum(dim=1)
        answer_len = torch.stack([a["attention_mask"].sum(dim=1) for a in answers]).amax(dim=0) if answers else 0
        total = prompt_len + answer_len
        for i, n in enumerate(total.tolist()):
            if n > self.max_length:
                raise SampleTooLongError(
                    f"sample {ids[i]}: {n} tokens (prompt with image tokens {int(prompt_len[i])}) exceed max_length "
                    f"{self.max_length}; raise max_length or lower image_max_pixels (samples are never truncated)")

    def __call__(self, examples: list[dict[str, Any]]) -> dict[str, Any]:
        ids = [str(e.get("id", i)) for i, e in enumerate(examples)]
        rendered = [self.render_prompt(e) for e in examples]
        prompt, token_fields, media = self._encode_prompts([r[2] for r in rendered], [r[0] for r in rendered])
        meta: dict[str, Any] = {"ids": ids}
        if self.kind == "prompt":
            self._check_length(ids, prompt["attention_mask"])
            return {**prompt, **token_fields, **media, "meta": meta}

        def answers(column: str) -> dict[str, torch.Tensor]:
            texts = [self.answer_text(r[1], r[2], e[column], f"sample {i} {column}")
                     for r, e, i in zip(rendered, examples, ids, strict=True)]
            return self._encode_answers(texts)

        if self.kind == "sft":
            completion = answers("completion")
            self._check_length(ids, prompt["attention_mask"], completion)
            joined = join_prompt_completion(prompt["input_ids"], prompt["attention_mask"], completion["input_ids"],
                                            completion["attention_mask"], token_fields)
            completion_mask = joined.pop("completion_mask")
            joined["labels"] = joined["input_ids"].masked_fill(completion_mask == 0, -100)
            for key in ("category", "subtype"):
                if key in examples[0]:
                    meta[key] = [e.get(key) for e in examples]
            return {**joined, **media, "meta": meta}

        chosen, rejected = answers("chosen"), answers("rejected")
        self._check_length(ids, prompt["attention_mask"], chosen, rejected)
        meta["error_type"] = [str(e.get("error_type")) for e in examples]
        meta["severity_label"] = [str(e.get("severity")) for e in examples]
        if self.margin is not None:
            meta["severity"] = torch.tensor([self.margin.severity(s) for s in meta["severity_label"]])
            meta["type_weight"] = torch.tensor([self.margin.type_weight(t) for t in meta["error_type"]])
        for col in REF_COLUMNS:
            if all(e.get(col) is not None for e in examples):
                meta[col] = torch.tensor([float(e[col]) for e in examples], dtype=torch.float32)
        return {"prompt": {**prompt, **token_fields}, "media": media, "chosen": chosen, "rejected": rejected,
                "meta": meta}


def count_tokens(collator: VLMCollator, example: dict[str, Any]) -> int:
    """Tokens of one row as training sees it (prompt with image tokens + longest answer)."""
    images, messages, prompt_text = collator.render_prompt(example)
    prompt, _, _ = collator._encode_prompts([prompt_text], [images])
    n = int(prompt["attention_mask"].sum())
    columns = {"sft": ["completion"], "preference": ["chosen", "rejected"]}.get(collator.kind, [])
    where = f"sample {example.get('id', '?')}"
    answers = [len(collator.processor.tokenizer(collator.answer_text(messages, prompt_text, example[c], where),
                                                add_special_tokens=False)["input_ids"]) for c in columns]
    return n + max(answers, default=0)


def scan_lengths(dataset: Any, collator: VLMCollator) -> list[tuple[int, str, int]]:
    """(row index, id, tokens) of every row longer than the collator's ``max_length``."""
    if collator.max_length is None:
        return []
    too_long = []
    for i in range(len(dataset)):
        row = dataset[i]
        n = count_tokens(collator, row)
        if n > collator.max_length:
            too_long.append((i, str(row.get("id", i)), n))
    return too_long
