"""``liger_kernels: true``: Liger's fused kernels where a GPU and the package are present, one clear refusal elsewhere."""

from __future__ import annotations

import pytest
import torch

from editcaption.importutils import is_available
from editcaption.train.config import ConfigError, load_config
from editcaption.train.kernels import liger_unavailable_reason
from editcaption.train.run import load_start_model
from editcaption.train.tiny import build_tiny


def _cfg(**over):
    return load_config("sft", overrides=["data=x", "model=tiny:qwen3_vl", "tiny.image_size=64", "liger_kernels=true",
                                         *[f"{k}={v}" for k, v in over.items()]])


@pytest.mark.skipif(torch.cuda.is_available(), reason="a GPU is visible")
def test_without_a_gpu_the_switch_is_refused_in_one_line():
    with pytest.raises(ConfigError, match="liger_kernels needs a CUDA GPU"):
        load_start_model(_cfg())


def test_families_without_liger_support_are_named():
    from trainhelpers import build_tiny_llava

    model, _ = build_tiny_llava()
    assert "not 'llava'" in liger_unavailable_reason(model)


@pytest.mark.skipif(not (torch.cuda.is_available() and is_available("liger_kernel")),
                    reason="needs a GPU and liger-kernel")
def test_liger_kernels_keep_the_forward_of_a_tiny_model(device):
    from editcaption.train.kernels import apply_liger

    plain, processor = build_tiny("qwen3_vl", image_size=64)
    fused, _ = build_tiny("qwen3_vl", image_size=64)
    plain.to(device)
    fused.to(device)
    ids = torch.randint(0, 500, (2, 12), device=device)
    with torch.no_grad():
        before = plain(input_ids=ids).logits
        apply_liger(fused)
        after = fused(input_ids=ids).logits
    assert torch.allclose(before, after, atol=1e-3, rtol=1e-3)
