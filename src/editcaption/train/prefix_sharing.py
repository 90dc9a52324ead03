"""The prefix-shared DPO forward: one row ``[prompt | chosen | rejected]`` per pair.

The unshared ``concat`` forward feeds each pair's prompt — two images, hundreds to thousands of
tokens — through the model twice, and the vision tower twice, for answers of 50–150 tokens.
Here each pair becomes one row (docs/guides/train.md, "Prefix sharing"; after Wang & Hegde 2024 and flash-pref):

- **vision once per pair**: the batch's ``pixel_values`` are passed as they are, one copy per pair;
- **mask**: causal, except that rejected tokens never see chosen tokens, as a dense mask or a
  FlexAttention block mask (``attention.build_mask``), delivered to a registered
  ``AttentionInterface`` function (``attention.py``);
- **positions**: the model's own ``get_rope_index`` (3-D M-RoPE on Qwen-VL, interleaved on
  Qwen3-VL) runs on ``[prompt | chosen]`` and ``[prompt | rejected]``, exactly the rows an
  unshared run sees, and each token keeps the position it gets there; rejected tokens therefore
  restart where chosen tokens started;
- **first rejected token**: it is predicted by the last prompt position, whose hidden state is
  the same in both runs; we gather that position's logits a second time instead of duplicating
  a token (no extra token reaches attention, MoE routing or DeepStack);
- **LM head on answer positions only**: ``logits_to_keep`` gets a per-row index tensor of the
  predicting positions, so the head sees B·(C+R) rows, never ``[B, L, V]``.

Rows are compacted: each row's real tokens are moved to the right end (padding first), so a
short chosen answer leaves no gap before its rejected answer. DeepStack features are added at
image positions, which all lie in the prompt, so they are untouched.

Supported: Qwen2-VL, Qwen2.5-VL, Qwen3-VL and Qwen3-VL-MoE with ``sdpa``, ``eager`` or
``flash_attention_2/3`` attention (flash runs as SDPA or FlexAttention with the mask) and no
sliding-window layers. Anything else falls back to ``concat`` with one log line. With an
MoE router aux loss, the shared row counts prompt tokens once rather than twice, so the aux term
(not the log-probs) differs slightly from the unshared run.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch

from . import attention
from .attention import SEG_CHOSEN, SEG_PROMPT, SEG_REJECTED
from .logprobs import DpoForward, PairLogps, _unwrap, accepts_kwarg, concat_forward, register_dpo_forward

log = logging.getLogger(__name__)

FORWARD_NAME = "prefix_shared"
SUPPORTED_MODEL_TYPES = ("qwen2_vl", "qwen2_5_vl", "qwen3_vl", "qwen3_vl_moe")
_ROPE_MEDIA_KEYS = ("image_grid_thw", "video_grid_thw", "second_per_grid_ts")
_reported: set[str] = set()


# --------------------------------------------------------------------------- support


def _rope_index(model: Any) -> Callable[..., Any] | None:
    """The model's M-RoPE position function (``get_rope_index`` on the inner ``*VLModel``)."""
    inner = getattr(model, "model", None)
    return getattr(inner, "get_rope_index", None) or getattr(model, "get_rope_index", None)


def unsupported_reason(model: Any) -> str | None:
    """Why ``model`` cannot run the prefix-shared forward, or None when it can."""
    base = _unwrap(model)
    config = getattr(base, "config", None)
    model_type = getattr(config, "model_type", None)
    if model_type not in SUPPORTED_MODEL_TYPES:
        return f"model type {model_type!r} is not one of {', '.join(SUPPORTED_MODEL_TYPES)}"
    if _rope_index(base) is None:
        return "the model has no get_rope_index"
    text = config.get_text_config()
    layer_types = getattr(text, "layer_types", None) or []
    if any(t != "full_attention" for t in layer_types):
        return "the language model has sliding-window layers"
    impl = text._attn_implementation
    if not (impl in attention.BASES or attention.is_prefix_attention(impl)):
        return f"attention implementation {impl!r} (prefix sharing wraps {', '.join(attention.BASES)})"
    if not accepts_kwarg(model, "logits_to_keep"):
        return "the model's forward has no logits_to_keep"
    return None


def _report_fallback(model: Any, reason: str) -> None:
    name = type(_unwrap(model)).__name__
    if name not in _reported:  # one line per model class, not one per step
        _reported.add(name)
        log.warning("prefix sharing is not supported for %s (%s); using the unshared concat forward", name, reason)


# --------------------------------------------------------------------------- rows


@dataclass
class SharedRows:
    """One prefix-shared row per pair, compacted (padding on the left), plus where to read answers."""

    input_ids: torch.Tensor  # [B, L]
    attention_mask: torch.Tensor  # [B, L], 1 for real tokens
    segments: torch.Tensor  # [B, L]: 0 pad, 1 prompt, 2 chosen, 3 rejected
    position_ids: torch.Tensor  # [3, B, L] (M-RoPE)
    token_fields: dict[str, torch.Tensor]  # other per-token inputs (mm_token_type_ids ...)
    predictors: torch.Tensor  # [B, C + R]: position whose logits predict each answer token
    targets: torch.Tensor  # [B, C + R]: chosen ids then rejected ids
    target_mask: torch.Tensor  # [B, C + R]
    chosen_width: int


def _call_rope_index(rope_index: Callable[..., Any], input_ids: torch.Tensor, attention_mask: torch.Tensor,
                     token_fields: dict[str, torch.Tensor], media: dict[str, Any]) -> torch.Tensor:
    params = inspect.signature(rope_index).parameters
    kwargs: dict[str, Any] = {"attention_mask": attention_mask}
    if "mm_token_type_ids" in params:
        # a text-only batch may come without it; then every token is text (0)
        kwargs["mm_token_type_ids"] = token_fields.get("mm_token_type_ids", torch.zeros_like(input_ids))
    for key in _ROPE_MEDIA_KEYS:
        if key in params and media.get(key) is not None:
            kwargs[key] = media[key]
    positions, _ = rope_index(input_ids, **kwargs)
    return positions


def _compaction(real: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(order, inverse): ``order`` moves each row's padding to the front keeping token order;
    ``inverse[b, old]`` is the new index of old position ``old``."""
    order = torch.sort(real.to(torch.int8), dim=1, stable=True).indices
    return order, torch.argsort(order, dim=1)


def build_shared_rows(batch: dict[str, Any], rope_index: Callable[..., Any]) -> SharedRows:
    """Lay out the ``preference`` batch of :class:`~editcaption.train.collator.VLMCollator` as shared rows."""
    prompt, chosen, rejected = batch["prompt"], batch["chosen"], batch["rejected"]
    media = batch.get("media", {})
    p_ids, p_mask = prompt["input_ids"], prompt["attention_mask"]
    c_ids, c_mask = chosen["input_ids"], chosen["attention_mask"]
    r_ids, r_mask = rejected["input_ids"], rejected["attention_mask"]
    n_prompt, n_chosen, n_rejected = p_ids.size(1), c_ids.size(1), r_ids.size(1)
    fields = {k: v for k, v in prompt.items() if k not in ("input_ids", "attention_mask")}
    if not bool(p_mask[:, -1].all()):
        raise ValueError("prefix sharing needs left-padded prompts (every prompt ending in the last column)")

    # Aligned layout first: [left-padded prompt | chosen, right-padded | rejected, right-padded].
    ids = torch.cat([p_ids, c_ids, r_ids], dim=1)
    real = torch.cat([p_mask, c_mask, r_mask], dim=1)
    segments = torch.cat([p_mask * SEG_PROMPT, c_mask * SEG_CHOSEN, r_mask * SEG_REJECTED], dim=1).long()
    wide_fields = {k: torch.cat([v, v.new_zeros(v.size(0), n_chosen + n_rejected)], dim=1) for k, v in fields.items()}

    # Positions exactly as the two unshared rows get them from the model's own function.
    def rope_of(answer_ids: torch.Tensor, answer_mask: torch.Tensor) -> torch.Tensor:
        row_fields = {k: torch.cat([v, v.new_zeros(v.size(0), answer_ids.size(1))], dim=1) for k, v in fields.items()}
        return _call_rope_index(rope_index, torch.cat([p_ids, answer_ids], dim=1),
                                torch.cat([p_mask, answer_mask], dim=1), row_fields, media)

    pos_chosen = rope_of(c_ids, c_mask)
    pos_rejected = rope_of(r_ids, r_mask)
    positions = torch.cat([pos_chosen, pos_rejected[..., n_prompt:]], dim=-1)

    # Compact each row, then drop the columns that are padding in every row.
    order, inverse = _compaction(real)
    width = int(real.sum(dim=1).max())
    drop = ids.size(1) - width
    keep = order[:, drop:]
    inverse = inverse - drop

    def take(t: torch.Tensor) -> torch.Tensor:
        return t.gather(1, keep)

    positions = positions.gather(2, keep.unsqueeze(0).expand(positions.size(0), -1, -1))

    # Logits at position t predict the token at t + 1. The first rejected token is predicted by
    # the last prompt position (index n_prompt - 1 in the aligned layout: prompts are left-padded).
    chosen_pred = inverse[:, n_prompt:n_prompt + n_chosen] - 1
    rejected_first = inverse[:, n_prompt - 1:n_prompt]
    rejected_rest = inverse[:, n_prompt + n_chosen + 1:] - 1
    predictors = torch.cat([chosen_pred, rejected_first, rejected_rest], dim=1).clamp(min=0)  # padding: any index
    return SharedRows(
        input_ids=take(ids), attention_mask=take(real), segments=take(segments), position_ids=positions,
        token_fields={k: take(v) for k, v in wide_fields.items()}, predictors=predictors,
        targets=torch.cat([c_ids, r_ids], dim=1), target_mask=torch.cat([c_mask, r_mask], dim=1).float(),
        chosen_width=n_chosen,
    )


# --------------------------------------------------------------------------- forward


@dataclass
class AnswerLogps:
    """Per-token answer log-probs of shared rows (left-aligned, zero where the mask is 0)."""

    chosen: torch.Tensor  # [B, C]
    chosen_mask: torch.Tensor  # [B, C]
    rejected: torch.Tensor  # [B, R]
    rejected_mask: torch.Tensor  # [B, R]
    output: Any


def shared_answer_logps(model: Any, batch: dict[str, Any], prefix_mask_kind: str = "auto",
                        **model_kwargs: Any) -> AnswerLogps:
    """One pass over the shared rows of ``batch``; ``model`` must be supported (see :func:`unsupported_reason`).

    ``prefix_mask_kind``: ``dense``, ``flex`` or ``auto`` (flex on CUDA), see :mod:`.attention`.
    """
    base = _unwrap(model)
    attention.enable(base)
    rows = build_shared_rows(batch, _rope_index(base))
    mask = attention.build_mask(rows.segments, prefix_mask_kind)
    out = model(input_ids=rows.input_ids, attention_mask=rows.attention_mask, position_ids=rows.position_ids,
                **rows.token_fields, **batch.get("media", {}), logits_to_keep=rows.predictors, use_cache=False,
                **{attention.PREFIX_MASK_KWARG: mask}, **model_kwargs)
    logps = torch.log_softmax(out.logits.float(), dim=-1).gather(-1, rows.targets.unsqueeze(-1)).squeeze(-1)
    logps = logps * rows.target_mask
    c = rows.chosen_width
    return AnswerLogps(chosen=logps[:, :c], chosen_mask=rows.target_mask[:, :c], rejected=logps[:, c:],
                       rejected_mask=rows.target_mask[:, c:], output=out)


def prefix_shared_forward(model: Any, batch: dict[str, Any], prefix_mask_kind: str = "auto",
                          **model_kwargs: Any) -> PairLogps:
    """Summed answer log-probs of chosen and rejected from one pass over shared rows.

    Equal to :func:`~editcaption.train.logprobs.concat_forward` up to float rounding; models it
    does not support are scored by ``concat_forward`` (logged once per model class).
    """
    reason = unsupported_reason(model)
    if reason is not None:
        _report_fallback(model, reason)
        return concat_forward(model, batch, **model_kwargs)
    ans = shared_answer_logps(model, batch, prefix_mask_kind, **model_kwargs)
    return PairLogps(chosen=ans.chosen.sum(dim=1), rejected=ans.rejected.sum(dim=1),
                     chosen_tokens=ans.chosen_mask.sum(dim=1), rejected_tokens=ans.rejected_mask.sum(dim=1),
                     aux_loss=getattr(ans.output, "aux_loss", None))


def resolve_dpo_forward(model: Any, *, prefix_sharing: bool, fallback: str = "concat",
                        prefix_mask: str = "auto") -> tuple[str, DpoForward, str]:
    """(name, forward, one-line message) a run uses for ``model``.

    ``prefix_sharing`` picks the shared forward where ``model`` supports it (with the mask kind
    ``prefix_mask``); otherwise (or when it is off) the ``fallback`` forward (the config's
    ``dpo_forward``) is used.
    """
    from .logprobs import get_dpo_forward

    if prefix_sharing or fallback == FORWARD_NAME:
        reason = unsupported_reason(model)
        if reason is None:
            attention.resolve_mask_kind(prefix_mask, "cpu")  # an unknown kind fails here, before training
            base = attention.text_attention(_unwrap(model)).removeprefix(attention.NAME_PREFIX)
            note = "" if attention.DELEGATES[base] == base else f"; the language model's {base} runs as SDPA"
            kind = "flex on CUDA, dense elsewhere" if prefix_mask == "auto" else prefix_mask
            return FORWARD_NAME, functools.partial(prefix_shared_forward, prefix_mask_kind=prefix_mask), (
                f"prefix sharing on: one row (prompt, chosen, rejected) per pair, the vision tower once per pair "
                f"(attention {attention.attention_name(base)}{note}; mask {kind})")
        _reported.add(type(_unwrap(model)).__name__)  # this message is the one log line
        name = "concat" if fallback == FORWARD_NAME else fallback
        return name, get_dpo_forward(name), (
            f"prefix sharing is not supported for {type(_unwrap(model)).__name__} ({reason}); using the unshared "
            f"{name} forward")
    return fallback, get_dpo_forward(fallback), f"prefix sharing off: {fallback} forward"


register_dpo_forward(FORWARD_NAME, prefix_shared_forward)
