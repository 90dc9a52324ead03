"""Tiny offline VLMs: every family builds, sees two images, trains, saves and loads back."""

from __future__ import annotations

import pytest
import torch

from editcaption.imageio import to_pil
from editcaption.prompts import instruction_messages, load_prompt
from editcaption.train.hfcompat import load_model_and_processor, torchvision_available
from editcaption.train.synthetic import _scene
from editcaption.train.tiny import FAMILIES, build_tiny, save_tiny


def _two_images():
    return [to_pil(_scene("red", 4, 56, (235, 235, 235))), to_pil(_scene("blue", 36, 56, (235, 235, 235)))]


def _batch(processor, prompt_text="Write the editing instruction."):
    text = processor.apply_chat_template(instruction_messages(prompt_text), tokenize=False, add_generation_prompt=True)
    return processor(text=[text], images=[_two_images()], return_tensors="pt")


@pytest.mark.parametrize("family", FAMILIES)
def test_each_family_builds_sees_both_images_and_round_trips(family, tmp_path):
    model, processor = build_tiny(family, image_size=64 if family.startswith("qwen3") else 56)
    assert model.config.model_type == family
    batch = _batch(processor)
    # two images, each expanded to its own run of image tokens between vision start/end markers
    image_id = model.config.image_token_id
    assert batch["image_grid_thw"].shape == (2, 3)
    expected = int(sum(int(t.prod()) for t in batch["image_grid_thw"]) // 4)
    assert int((batch["input_ids"] == image_id).sum()) == expected
    assert "mm_token_type_ids" in batch
    out = model(**batch)
    assert out.logits.shape[-1] == len(processor.tokenizer)
    loss = model(**batch, labels=batch["input_ids"]).loss
    loss.backward()  # gradients reach the vision tower
    assert any(p.grad is not None and p.grad.abs().sum() > 0 for n, p in model.named_parameters() if "visual" in n)
    generated = model.generate(**batch, max_new_tokens=6, do_sample=False)

    path = save_tiny(model, processor, tmp_path / family)
    model2, processor2 = load_model_and_processor(path)
    assert type(processor2) is type(processor)
    # without a usable torchvision the loader rebuilds the processor without a video processor
    assert torchvision_available() or processor2.video_processor is None
    assert processor2.chat_template == processor.chat_template
    batch2 = _batch(processor2)
    assert torch.equal(batch2["input_ids"], batch["input_ids"])
    assert torch.equal(batch2["pixel_values"], batch["pixel_values"])
    assert torch.equal(model2.generate(**batch2, max_new_tokens=6, do_sample=False), generated)


def test_same_seed_same_weights_and_global_rng_untouched():
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    a, _ = build_tiny("qwen3_vl", seed=3)
    after = torch.rand(1)
    b, _ = build_tiny("qwen3_vl", seed=3)
    c, _ = build_tiny("qwen3_vl", seed=4)
    assert torch.equal(before, after)  # building a model does not consume the caller's random stream
    sa, sb, sc = a.state_dict(), b.state_dict(), c.state_dict()
    assert all(torch.equal(sa[k], sb[k]) for k in sa)
    assert any(not torch.equal(sa[k], sc[k]) for k in sa)


def test_sizes_and_init_range_are_arguments():
    model, _ = build_tiny("qwen3_vl", hidden=128, layers=4, vision_hidden=64, vision_layers=2, init_range=0.08)
    text, vision = model.config.text_config, model.config.vision_config
    assert (text.hidden_size, text.num_hidden_layers, vision.hidden_size, vision.depth) == (128, 4, 64, 2)
    assert text.initializer_range == vision.initializer_range == 0.08
    # the wider initialiser shows in the weights: std of a linear layer ≈ init_range
    std = model.model.language_model.layers[0].mlp.up_proj.weight.std().item()
    assert 0.06 < std < 0.10


def test_packaged_prompt_is_compact_in_tiny_tokens():
    # The tokenizer is trained on the prompt file too, so the real prompt stays short for tiny runs.
    _, processor = build_tiny("qwen2_5_vl", image_size=56)
    prompt = load_prompt().render()
    words = len(prompt.split())
    tokens = len(processor.tokenizer(prompt)["input_ids"])
    assert tokens < 1.5 * words


def test_missing_model_directory_is_one_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such model directory"):
        load_model_and_processor(tmp_path / "nope")


def test_a_hub_style_chat_template_json_is_read(tmp_path):
    import json

    from editcaption.train.hfcompat import load_processor

    model, processor = build_tiny("qwen2_5_vl", image_size=56)
    path = save_tiny(model, processor, tmp_path / "hub-style")
    (path / "chat_template.jinja").unlink()
    (path / "chat_template.json").write_text(json.dumps({"chat_template": processor.chat_template + "{#- hub #}"}))
    loaded = load_processor(path)
    assert loaded.chat_template.endswith("{#- hub #}")
