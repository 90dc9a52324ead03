"""The attention hook of prefix-shared preference rows, registered through transformers' public
``AttentionInterface``.

A prefix-shared row is ``[prompt | chosen | rejected]``. Rejected tokens must see the prompt and
earlier rejected tokens but never the chosen answer, which plain causal attention would allow.
We register an attention function ``editcaption_prefix_shared_<base>`` (``<base>`` = the
implementation the model had: ``sdpa``, ``eager`` or ``flash_attention_2/3``) and switch the
*text* model to it:

- a call that carries the keyword argument ``prefix_shared_mask`` (a boolean ``[B, 1, L, L]``
  mask, True = may attend) runs SDPA with that mask; the model passes unknown keyword arguments of
  its ``forward`` down to every attention call, also when gradient checkpointing recomputes a layer;
- any other call (generation, SFT, the unshared forward) runs like the base implementation with
  the mask transformers builds for it, so switching can stay on for the model's lifetime. A flash
  base cannot take a custom mask (and its kernel reads the implementation name from the config),
  so with ``flash_attention_*`` the language model's attention runs as SDPA while the switch is on.

The mask travels in one of two forms (``MASK_KINDS``):

- ``dense``: a boolean ``[B, 1, L, L]`` tensor run through SDPA. Any custom mask rules out the
  flash kernel, so SDPA falls back to its memory-efficient (or, on CPU, math) kernel and the mask
  costs B·L² bytes: fine on CPU and for short prompts;
- ``flex``: a FlexAttention ``BlockMask`` built from the same rule. Only the blocks the rule
  allows are computed (the chosen×rejected corner and the padding are skipped, not masked), with
  a fused kernel compiled by ``torch.compile`` on the GPU: what long two-image prompts on CUDA
  want. On CPU it runs FlexAttention's eager reference implementation (exact, slow: tests only).

``auto`` picks ``flex`` on CUDA and ``dense`` elsewhere. We call FlexAttention ourselves rather
than switching the model to transformers' ``flex_attention`` implementation: in 5.23 only the MoE
Qwen3-VL class accepts it, and this hook covers every supported class.

The vision tower keeps its own implementation.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import torch

PREFIX_MASK_KWARG = "prefix_shared_mask"
NAME_PREFIX = "editcaption_prefix_shared_"
# base implementation → the one that runs calls without the shared mask
DELEGATES = {"sdpa": "sdpa", "eager": "eager", "flash_attention_2": "sdpa", "flash_attention_3": "sdpa"}
BASES = tuple(DELEGATES)

# Segment ids of a prefix-shared row (also used by prefix_sharing.py).
SEG_PAD, SEG_PROMPT, SEG_CHOSEN, SEG_REJECTED = 0, 1, 2, 3
MASK_KINDS = ("auto", "dense", "flex")
_compiled_flex: Any = None


def attention_name(base: str) -> str:
    return NAME_PREFIX + base


def is_prefix_attention(name: str | None) -> bool:
    return bool(name) and str(name).startswith(NAME_PREFIX)


def _base_function(module: Any, base: str) -> Callable[..., Any]:
    if DELEGATES[base] == "sdpa":
        from transformers.integrations.sdpa_attention import sdpa_attention_forward

        return sdpa_attention_forward
    # "eager" is each model file's own function, as the model itself would pick it
    return sys.modules[type(module).__module__].eager_attention_forward


def _make_attention(base: str) -> Callable[..., Any]:
    def attention(module: Any, query: torch.Tensor, key: torch.Tensor, value: torch.Tensor,
                  attention_mask: torch.Tensor | None, **kwargs: Any) -> tuple[torch.Tensor, Any]:
        shared = kwargs.pop(PREFIX_MASK_KWARG, None)
        if shared is None:
            return _base_function(module, base)(module, query, key, value, attention_mask, **kwargs)
        if not isinstance(shared, torch.Tensor):  # a FlexAttention BlockMask
            return flex_forward(module, query, key, value, shared, **kwargs)
        from transformers.integrations.sdpa_attention import sdpa_attention_forward

        # The mask built by transformers from the 2-D padding mask is replaced by the shared-row mask.
        return sdpa_attention_forward(module, query, key, value, shared, **kwargs)

    attention.__name__ = f"prefix_shared_{base}_attention"
    return attention


def register(base: str) -> str:
    """Register the prefix-shared attention for ``base`` (idempotent); returns its name."""
    if base not in BASES:
        raise ValueError(f"prefix-shared attention wraps {', '.join(BASES)}, not {base!r}")
    from transformers import AttentionInterface
    from transformers.masking_utils import ALL_MASK_ATTENTION_FUNCTIONS, AttentionMaskInterface

    name = attention_name(base)
    if name not in AttentionInterface._global_mapping:
        AttentionInterface.register(name, _make_attention(base))
        # Calls without the shared mask get exactly the mask the base implementation gets.
        AttentionMaskInterface.register(name, ALL_MASK_ATTENTION_FUNCTIONS[DELEGATES[base]])
    return name


def text_config_key(model: Any) -> str | None:
    """The sub-config name of the language model (``text_config`` on Qwen-VL), or None."""
    config = model.config
    text = config.get_text_config()
    for key in getattr(config, "sub_configs", {}):
        if getattr(config, key, None) is text:
            return key
    return None


def text_attention(model: Any) -> str:
    return model.config.get_text_config()._attn_implementation


def enable(model: Any) -> str:
    """Switch ``model``'s language model to the prefix-shared attention; returns its name.

    ``model`` is the unwrapped ``PreTrainedModel``. Calls without ``prefix_shared_mask`` behave
    exactly as before, so the switch is never undone during training (gradient checkpointing
    recomputes layers after the forward has returned and must find the same function).
    """
    current = text_attention(model)
    if is_prefix_attention(current):
        return current
    key = text_config_key(model)
    if key is None:
        raise ValueError(f"{type(model).__name__}: cannot find the text model's config")
    name = register(current)
    model.set_attn_implementation({key: name})
    return name


def disable(model: Any) -> None:
    """Give the language model back its base attention implementation."""
    current = text_attention(model)
    if is_prefix_attention(current):
        model.set_attn_implementation({text_config_key(model): current[len(NAME_PREFIX):]})


def prefix_mask(segments: torch.Tensor) -> torch.Tensor:
    """Boolean ``[B, 1, L, L]`` mask (True = may attend) for rows of segment ids.

    Causal attention over real tokens, except that rejected queries never see chosen keys.
    Every query also sees itself, so padding queries have a non-empty softmax (their outputs are
    never read; a row with no allowed key would give NaN, and NaN × 0 is NaN in backward).
    """
    idx = torch.arange(segments.size(1), device=segments.device)
    rule = allowed(segments[:, :, None], segments[:, None, :], idx[None, :, None], idx[None, None, :])
    return rule[:, None]


def allowed(segments_q: torch.Tensor, segments_k: torch.Tensor, q: torch.Tensor, k: torch.Tensor) -> torch.Tensor:
    """The attention rule of shared rows, elementwise: query position ``q`` may attend key ``k``.

    Causal over real tokens, rejected queries never see chosen keys, every query sees itself
    (so a padding query's softmax is never empty). The dense and the block mask both use it.
    """
    rule = (q >= k) & (segments_k != SEG_PAD) & ~((segments_q == SEG_REJECTED) & (segments_k == SEG_CHOSEN))
    return rule | (q == k)


def prefix_block_mask(segments: torch.Tensor) -> Any:
    """The FlexAttention ``BlockMask`` of :func:`prefix_mask` (same rule, block-sparse)."""
    from torch.nn.attention.flex_attention import create_block_mask

    batch, length = segments.shape

    def mask_mod(b: torch.Tensor, h: torch.Tensor, q: torch.Tensor, k: torch.Tensor) -> torch.Tensor:
        return allowed(segments[b, q], segments[b, k], q, k)

    return create_block_mask(mask_mod, batch, None, length, length, device=segments.device)


def resolve_mask_kind(kind: str, device: torch.device | str) -> str:
    """``dense`` or ``flex`` for a requested kind (``auto``: flex on CUDA, dense elsewhere)."""
    if kind not in MASK_KINDS:
        raise ValueError(f"prefix mask must be one of {', '.join(MASK_KINDS)}, not {kind!r}")
    if kind != "auto":
        return kind
    return "flex" if torch.device(device).type == "cuda" else "dense"


def build_mask(segments: torch.Tensor, kind: str) -> Any:
    """The shared-row mask of ``kind`` (``dense`` or ``flex``) for rows of segment ids."""
    return prefix_block_mask(segments) if resolve_mask_kind(kind, segments.device) == "flex" else prefix_mask(segments)


def _flex_attention(device_type: str) -> Callable[..., Any]:
    from torch.nn.attention.flex_attention import flex_attention

    if device_type == "cpu":
        return flex_attention  # eager reference implementation: exact, for tests
    global _compiled_flex
    if _compiled_flex is None:
        _compiled_flex = torch.compile(flex_attention)  # the fused kernel; compiled once per process
    return _compiled_flex


def flex_forward(module: Any, query: torch.Tensor, key: torch.Tensor, value: torch.Tensor, block_mask: Any,
                 **kwargs: Any) -> tuple[torch.Tensor, None]:
    """Attention of shared rows through FlexAttention, in the layout transformers expects ([B, L, H, D])."""
    if kwargs.get("dropout", 0.0):
        raise ValueError("the flex prefix mask runs without attention dropout; set attention_dropout to 0")
    if query.device.type == "cpu" and torch.is_grad_enabled() and query.requires_grad:
        raise ValueError("prefix_mask flex trains on CUDA only (FlexAttention has no backward on CPU); use "
                         "prefix_mask: auto or dense")
    if query.shape[1] % key.shape[1]:
        raise ValueError(f"{query.shape[1]} query heads are not a multiple of {key.shape[1]} key/value heads")
    out = _flex_attention(query.device.type)(query, key, value, block_mask=block_mask,
                                              scale=kwargs.get("scaling", getattr(module, "scaling", None)),
                                              enable_gqa=query.shape[1] != key.shape[1])
    return out.transpose(1, 2).contiguous(), None
