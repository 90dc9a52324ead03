"""The collator and forwards are not Qwen-specific: a tiny LLaVA (CLIP tower, Llama text model,
pixel_values per image, no mm_token_type_ids) trains through the same code."""

from __future__ import annotations

import pytest
import torch
from trainhelpers import build_tiny_llava

from editcaption.train.collator import VLMCollator
from editcaption.train.hae import MarginScheme
from editcaption.train.logprobs import completion_token_logps, concat_forward
from editcaption.train.synthetic import synthetic_rows


@pytest.fixture(scope="module")
def tiny_llava():
    return build_tiny_llava()


def test_two_image_llava_batches_score_and_train(tiny_llava):
    model, processor = tiny_llava
    rows = synthetic_rows("preference", 3, image_size=56)
    pair_batch = VLMCollator(processor, "preference", margin=MarginScheme())(rows)
    assert pair_batch["media"]["pixel_values"].shape == (6, 3, 32, 32)  # one tensor per image, both images
    image_id = model.config.image_token_id
    assert (pair_batch["prompt"]["input_ids"] == image_id).sum(1).tolist() == [32, 32, 32]  # 2 × 16 patches

    sft = VLMCollator(processor, "sft")([{**r, "completion": r["chosen"]} for r in rows])
    sft.pop("meta")
    labels = sft.pop("labels")
    tok = processor.tokenizer
    assert tok.decode(labels[0][labels[0] != -100]) == rows[0]["chosen"][0]["content"] + "<|im_end|>\n"
    with torch.no_grad():
        pairs = concat_forward(model, pair_batch)
        single, _, _ = completion_token_logps(model, completion_mask=(labels != -100).long(), **sft)
        # the model's own loss on the same labels agrees with our log-probs
        own = model(**sft, labels=labels).loss
    assert torch.allclose(pairs.chosen, single.sum(1), atol=1e-4)
    assert own.item() == pytest.approx((-single.sum() / (labels != -100).sum()).item(), abs=1e-4)
