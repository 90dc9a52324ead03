"""Fused GPU kernels for the Qwen-VL families, opt-in with ``liger_kernels: true``.

Liger (``pip install 'editcaption[gpu]'``) replaces RMSNorm and the rotary embedding (and, where
the family's default says so, the SwiGLU MLP) with Triton kernels; TRL and LLaMA-Factory offer
the same switch. We never take its fused linear cross-entropy: our forwards project only the
answer positions through the LM head (``logits_to_keep``), which already avoids ``[B, L, V]``
logits, and the DPO log-probs need the per-token values that loss does not return.

The kernels are Triton GPU code: on a machine without CUDA the switch is refused up front.
Liger patches the family's modelling module as well as the instance, so every model of that
family built later in the same process gets the kernels too.
"""

from __future__ import annotations

from typing import Any

from ..importutils import require

LIGER_FAMILIES = ("qwen2_vl", "qwen2_5_vl", "qwen3_vl", "qwen3_vl_moe")


def liger_unavailable_reason(model: Any) -> str | None:
    """Why Liger kernels cannot be applied to ``model`` here, or None when they can."""
    import torch

    model_type = getattr(getattr(model, "config", None), "model_type", None)
    if model_type not in LIGER_FAMILIES:
        return f"liger_kernels supports {', '.join(LIGER_FAMILIES)}, not {model_type!r}"
    if not torch.cuda.is_available():
        return "liger_kernels needs a CUDA GPU (its kernels are Triton GPU code); set liger_kernels: false"
    return None


def apply_liger(model: Any) -> None:
    """Swap in Liger's kernels on ``model`` (raises ValueError with the reason when it cannot)."""
    reason = liger_unavailable_reason(model)
    if reason is not None:
        raise ValueError(reason)
    require("liger_kernel", feature="liger_kernels")
    from liger_kernel.transformers import _apply_liger_kernel_to_instance

    _apply_liger_kernel_to_instance(model=model, rope=True, rms_norm=True, cross_entropy=False,
                                    fused_linear_cross_entropy=False)
