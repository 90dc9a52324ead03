"""Log-probabilities of answers given the two-image prompt, and the swappable DPO forward.

Sequences are laid out flush right: ``[pad … | prompt (with image tokens) | answer]``, so every
answer ends at the last position. That lets the model project only the last ``C + 1`` hidden
states through the LM head (``logits_to_keep``), instead of building ``[N, L, V]`` logits for
prompts of thousands of image tokens. Models without ``logits_to_keep`` get full logits,
sliced the same way.

``DPO_FORWARDS`` maps a name to a function ``(model, batch) -> PairLogps``. ``concat`` scores
``[prompt | chosen]`` and ``[prompt | rejected]`` as 2B rows in one forward (images passed
twice). ``prefix_shared`` (``prefix_sharing.py``) scores one ``[prompt | chosen | rejected]`` row
per pair and is what the DPO config's ``prefix_sharing: true`` selects. Another forward registers
itself with :func:`register_dpo_forward` and is chosen by the DPO config's ``dpo_forward``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch


def flush_right(attention_mask: torch.Tensor, *tensors: torch.Tensor) -> list[torch.Tensor]:
    """Roll each row so that its trailing padding moves to the front (rows end with real tokens)."""
    length = attention_mask.size(1)
    # index of the last real token + 1, per row; rows are [left pad | tokens | right pad]
    positions = torch.arange(length, device=attention_mask.device).expand_as(attention_mask)
    end = torch.where(attention_mask.bool(), positions + 1, torch.zeros_like(positions)).amax(dim=1)
    shift = (length - end).unsqueeze(1)
    index = (positions - shift) % length
    return [t.gather(1, index) if t.dim() == 2 else t for t in (attention_mask, *tensors)]


def join_prompt_completion(
    prompt_input_ids: torch.Tensor,
    prompt_attention_mask: torch.Tensor,
    completion_input_ids: torch.Tensor,
    completion_attention_mask: torch.Tensor,
    token_fields: dict[str, torch.Tensor] | None = None,
) -> dict[str, torch.Tensor]:
    """Left-padded prompts + right-padded answers → flush-right rows with a ``completion_mask``.

    ``token_fields`` are other per-token prompt tensors (``mm_token_type_ids``, ...); answer
    tokens get 0 (text) in them.
    """
    zeros_c = torch.zeros_like(completion_input_ids)
    input_ids = torch.cat([prompt_input_ids, completion_input_ids], dim=1)
    attention_mask = torch.cat([prompt_attention_mask, completion_attention_mask], dim=1)
    completion_mask = torch.cat([torch.zeros_like(prompt_attention_mask), completion_attention_mask], dim=1)
    names = list(token_fields or {})
    extra = [torch.cat([token_fields[n], zeros_c.to(token_fields[n].dtype)], dim=1) for n in names]
    rolled = flush_right(attention_mask, input_ids, completion_mask, *extra)
    out = {"input_ids": rolled[1], "attention_mask": rolled[0], "completion_mask": rolled[2]}
    out.update(dict(zip(names, rolled[3:], strict=True)))
    return out


def _unwrap(model: Any) -> Any:
    while hasattr(model, "module") and not hasattr(model, "get_base_model"):
        model = model.module  # DDP / accelerate wrappers
    if hasattr(model, "get_base_model"):
        model = model.get_base_model()  # PEFT
    return model


def accepts_kwarg(model: Any, name: str) -> bool:
    try:
        return name in inspect.signature(_unwrap(model).forward).parameters
    except (TypeError, ValueError):
        return False


def completion_token_logps(
    model: Any,
    input_ids: torch.Tensor,
    attention_mask: torch.Tensor,
    completion_mask: torch.Tensor,
    **model_kwargs: Any,
) -> tuple[torch.Tensor, torch.Tensor, Any]:
    """Per-token log-probs of the answer tokens of flush-right rows.

    Returns ``(token_logps [N, C], mask [N, C], model_output)`` where C is the longest answer;
    ``token_logps`` is zero where ``mask`` is 0.
    """
    longest = int(completion_mask.sum(dim=1).max().item())
    longest = max(longest, 1)
    keep = longest + 1
    if accepts_kwarg(model, "logits_to_keep"):
        model_kwargs["logits_to_keep"] = keep
    out = model(input_ids=input_ids, attention_mask=attention_mask, use_cache=False, **model_kwargs)
    logits = out.logits[:, -keep:-1, :]  # position t predicts token t + 1
    targets = input_ids[:, -longest:]
    mask = completion_mask[:, -longest:].float()
    logps = torch.log_softmax(logits.float(), dim=-1).gather(-1, targets.unsqueeze(-1)).squeeze(-1)
    return logps * mask, mask, out


@dataclass
class PairLogps:
    """Summed and per-token-mean answer log-probs for a batch of pairs (each [B])."""

    chosen: torch.Tensor
    rejected: torch.Tensor
    chosen_tokens: torch.Tensor
    rejected_tokens: torch.Tensor
    aux_loss: torch.Tensor | None = None

    @property
    def chosen_mean(self) -> torch.Tensor:
        return self.chosen / self.chosen_tokens.clamp(min=1)

    @property
    def rejected_mean(self) -> torch.Tensor:
        return self.rejected / self.rejected_tokens.clamp(min=1)


def _repeat_media(value: Any) -> Any:
    if isinstance(value, torch.Tensor):
        return torch.cat([value, value], dim=0)
    if isinstance(value, list):
        return value + value
    return value


def _pad_to(t: torch.Tensor, width: int, value: int) -> torch.Tensor:
    if t.size(1) == width:
        return t
    pad = torch.full((t.size(0), width - t.size(1)), value, dtype=t.dtype, device=t.device)
    return torch.cat([t, pad], dim=1)


def concat_forward(model: Any, batch: dict[str, Any], **model_kwargs: Any) -> PairLogps:
    """Score chosen and rejected in one forward over 2B rows ``[prompt|chosen ; prompt|rejected]``."""
    prompt, chosen, rejected = batch["prompt"], batch["chosen"], batch["rejected"]
    width = max(chosen["input_ids"].size(1), rejected["input_ids"].size(1))
    comp_ids = torch.cat([_pad_to(chosen["input_ids"], width, 0), _pad_to(rejected["input_ids"], width, 0)])
    comp_mask = torch.cat([_pad_to(chosen["attention_mask"], width, 0), _pad_to(rejected["attention_mask"], width, 0)])
    token_fields = {k: v.repeat(2, 1) for k, v in prompt.items() if k not in ("input_ids", "attention_mask")}
    joined = join_prompt_completion(prompt["input_ids"].repeat(2, 1), prompt["attention_mask"].repeat(2, 1),
                                    comp_ids, comp_mask, token_fields)
    media = {k: _repeat_media(v) for k, v in batch.get("media", {}).items()}
    token_logps, mask, out = completion_token_logps(model, **joined, **media, **model_kwargs)
    sums, counts = token_logps.sum(dim=1), mask.sum(dim=1)
    n = prompt["input_ids"].size(0)
    return PairLogps(chosen=sums[:n], rejected=sums[n:], chosen_tokens=counts[:n], rejected_tokens=counts[n:],
                     aux_loss=getattr(out, "aux_loss", None))


DpoForward = Callable[..., PairLogps]
DPO_FORWARDS: dict[str, DpoForward] = {"concat": concat_forward}


def register_dpo_forward(name: str, fn: DpoForward) -> None:
    """Make ``fn`` selectable as ``dpo_forward: <name>``.

    A forward receives the ``preference`` batch of :class:`~editcaption.train.collator.VLMCollator`
    (``prompt``, ``media``, ``chosen``, ``rejected``, ``meta``) plus model keyword arguments, and
    returns :class:`PairLogps` computed exactly as :func:`concat_forward` would (the reference pass
    and training both call the configured forward, so their log-probs stay comparable).
    """
    DPO_FORWARDS[name] = fn


def get_dpo_forward(name: str) -> DpoForward:
    from . import prefix_sharing  # noqa: F401  (registers "prefix_shared")

    try:
        return DPO_FORWARDS[name]
    except KeyError:
        raise ValueError(f"unknown dpo_forward {name!r}; available: {', '.join(sorted(DPO_FORWARDS))}") from None
