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

The vision tower keeps its own implementation. transformers' FlexAttention would take the same
mask as a ``BlockMask``, but in 5.23 only the MoE Qwen3-VL class accepts ``flex_attention`` and on
CPU it needs ``torch.compile``; one dense-mask hook covers every supported class.
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
    length = segments.size(1)
    idx = torch.arange(length, device=segments.device)
    causal = idx[:, None] >= idx[None, :]  # [query, key]
    real_key = (segments != SEG_PAD)[:, None, :]
    rejected_query = (segments == SEG_REJECTED)[:, :, None]
    chosen_key = (segments == SEG_CHOSEN)[:, None, :]
    allowed = causal[None] & real_key & ~(rejected_query & chosen_key)
    allowed |= torch.eye(length, dtype=torch.bool, device=segments.device)[None]
    return allowed[:, None]
