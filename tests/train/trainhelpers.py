"""Helpers shared by the training tests (sizes, CLI runner)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "train"

# Small sizes keep every step in tens of milliseconds on two CPU cores.
TINY = {"hidden": 64, "layers": 2, "image_size": 56}


def tiny_size(family: str) -> dict:
    # Qwen3-VL's factor is 32 px (patch 16 × merge 2): 64 px gives the same 4 tokens per image.
    return {**TINY, "image_size": 64 if family.startswith("qwen3") else 56}


def run_cli(*args: str, cwd: Path | None = None, timeout: float = 240) -> subprocess.CompletedProcess:
    """Run `editcaption ...` in a fresh process (what a user runs)."""
    env = {**os.environ, "TOKENIZERS_PARALLELISM": "false"}
    return subprocess.run([sys.executable, "-m", "editcaption.cli", *args], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=timeout)


def build_tiny_llava():  # noqa: ANN201
    """A tiny LLaVA (CLIP tower, Llama text model, pixel_values per image, no mm_token_type_ids) and its processor."""
    import torch
    from transformers import CLIPVisionConfig, LlamaConfig, LlavaConfig, LlavaForConditionalGeneration, LlavaProcessor
    from transformers.models.clip.image_processing_pil_clip import CLIPImageProcessorPil

    from editcaption.train.tiny import CHAT_TEMPLATE, build_tokenizer

    tok = build_tokenizer()
    tok.add_special_tokens({"additional_special_tokens": ["<image>"]})
    template = CHAT_TEMPLATE.replace("<|vision_start|><|image_pad|><|vision_end|>", "<image>")
    ip = CLIPImageProcessorPil(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32})
    processor = LlavaProcessor(image_processor=ip, tokenizer=tok, patch_size=8, chat_template=template,
                               vision_feature_select_strategy="default", image_token="<image>",
                               num_additional_image_tokens=1)
    config = LlavaConfig(
        vision_config=CLIPVisionConfig(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2,
                                       image_size=32, patch_size=8),
        text_config=LlamaConfig(vocab_size=len(tok), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                                num_attention_heads=4, num_key_value_heads=2, pad_token_id=tok.pad_token_id),
        image_token_id=tok.convert_tokens_to_ids("<image>"), vision_feature_select_strategy="default")
    torch.manual_seed(0)
    return LlavaForConditionalGeneration(config).eval(), processor
