"""The one collator: chat template, completion-only labels, image tokens intact, extra fields carried."""

from __future__ import annotations

import pytest
import torch
from trainhelpers import tiny_size

from editcaption.prompts import instruction_messages, load_prompt
from editcaption.train.collator import SampleTooLongError, VLMCollator, configure_image_processor, scan_lengths
from editcaption.train.data import DatasetError
from editcaption.train.hae import MarginScheme
from editcaption.train.logprobs import completion_token_logps, concat_forward
from editcaption.train.synthetic import synthetic_rows
from editcaption.train.tiny import build_tiny

FAMILIES = ["qwen2_vl", "qwen2_5_vl", "qwen3_vl", "qwen3_vl_moe"]


@pytest.fixture(scope="module", params=FAMILIES)
def tiny(request):
    return build_tiny(request.param, **tiny_size(request.param))


def _answer_with_end(text: str) -> str:
    return text + "<|im_end|>\n"  # the chat template's end of an assistant turn


def test_sft_labels_supervise_only_the_answer(tiny):
    model, processor = tiny
    rows = synthetic_rows("sft", 3, image_size=56)
    batch = VLMCollator(processor, "sft")(rows)
    tok = processor.tokenizer
    image_id = model.config.image_token_id
    for i, row in enumerate(rows):
        labels, ids = batch["labels"][i], batch["input_ids"][i]
        supervised = labels[labels != -100]
        assert tok.decode(supervised) == _answer_with_end(row["completion"][0]["content"])
        # the supervised tokens are the last tokens of the row, and no image/prompt token is supervised
        n = supervised.numel()
        assert torch.equal(ids[-n:], supervised)
        assert (labels[:-n] == -100).all()
        assert not (labels == image_id).any()
        # padding is on the left and masked
        pad = batch["attention_mask"][i] == 0
        assert (labels[pad] == -100).all()
    # every image token the processor made is present: 2 images per row
    grid = batch["image_grid_thw"]
    assert grid.shape[0] == 6
    assert int((batch["input_ids"] == image_id).sum()) == int(grid.prod(dim=1).sum()) // 4
    assert batch["mm_token_type_ids"].shape == batch["input_ids"].shape
    assert int(batch["mm_token_type_ids"].sum()) == int((batch["input_ids"] == image_id).sum())
    assert batch["meta"]["ids"] == [r["id"] for r in rows]
    assert batch["meta"]["category"] == [r["category"] for r in rows]


def test_answer_log_probs_equal_a_full_logits_computation(tiny):
    model, processor = tiny
    batch = VLMCollator(processor, "sft")(synthetic_rows("sft", 3, image_size=56))
    meta, labels = batch.pop("meta"), batch.pop("labels")
    with torch.no_grad():
        token_logps, mask, _ = completion_token_logps(model, completion_mask=(labels != -100).long(), **batch)
        full = torch.log_softmax(model(**batch).logits.float(), dim=-1)
    for i in range(3):
        pos = (labels[i] != -100).nonzero().squeeze(1)
        expected = full[i, pos - 1].gather(-1, batch["input_ids"][i, pos].unsqueeze(-1)).sum()
        assert token_logps[i].sum().item() == pytest.approx(expected.item(), abs=1e-4)
        assert int(mask[i].sum()) == pos.numel()
    assert len(meta["ids"]) == 3


def test_preference_batch_carries_pairs_labels_and_numeric_margins(tiny):
    model, processor = tiny
    rows = synthetic_rows("preference", 4, image_size=56)
    rows[0]["ref_chosen_logps"], rows[0]["ref_rejected_logps"] = -1.0, -2.0
    for r in rows[1:]:
        r["ref_chosen_logps"], r["ref_rejected_logps"] = -3.0, -4.0
    batch = VLMCollator(processor, "preference", margin=MarginScheme())(rows)
    meta = batch["meta"]
    assert meta["error_type"] == [r["error_type"] for r in rows]
    assert meta["severity_label"] == [r["severity"] for r in rows]
    sev = {"P0": 1.0, "P1": 0.5, "P2": 0.0}
    tw = {"orientation": 0.2, "viewpoint": 0.15, "detail": 0.1}
    assert meta["severity"].tolist() == [sev[r["severity"]] for r in rows]
    assert meta["type_weight"].tolist() == pytest.approx([tw[r["error_type"]] for r in rows])
    assert meta["ref_chosen_logps"].tolist() == [-1.0, -3.0, -3.0, -3.0]
    tok = processor.tokenizer
    for i, r in enumerate(rows):
        c = batch["chosen"]["input_ids"][i][batch["chosen"]["attention_mask"][i] == 1]
        assert tok.decode(c) == _answer_with_end(r["chosen"][0]["content"])
    # the pair forward scores the same chosen answer as the SFT path does
    sft_rows = [{**r, "completion": r["chosen"]} for r in rows]
    sft = VLMCollator(processor, "sft")(sft_rows)
    sft.pop("meta")
    labels = sft.pop("labels")
    with torch.no_grad():
        pair = concat_forward(model, batch)
        single, _, _ = completion_token_logps(model, completion_mask=(labels != -100).long(), **sft)
    assert torch.allclose(pair.chosen, single.sum(1), atol=1e-4)
    assert pair.chosen_tokens.tolist() == (labels != -100).sum(1).float().tolist()


def test_too_long_samples_are_refused_never_cut(tiny):
    _, processor = tiny
    rows = synthetic_rows("sft", 2, image_size=56)
    with pytest.raises(SampleTooLongError, match=r"sample syn-0-0000: \d+ tokens .*never truncated"):
        VLMCollator(processor, "sft", max_length=20)(rows)
    found = scan_lengths(rows, VLMCollator(processor, "sft", max_length=20))
    assert [f[1] for f in found] == ["syn-0-0000", "syn-0-0001"]
    assert scan_lengths(rows, VLMCollator(processor, "sft", max_length=4096)) == []


def test_prompt_batches_generate(tiny):
    model, processor = tiny
    batch = VLMCollator(processor, "prompt")(synthetic_rows("sft", 2, image_size=56))
    meta = batch.pop("meta")
    out = model.generate(**batch, max_new_tokens=3, do_sample=False)
    assert out.shape[0] == 2 and out.shape[1] == batch["input_ids"].shape[1] + 3
    assert meta["ids"] == ["syn-0-0000", "syn-0-0001"]


def test_the_packaged_prompt_and_a_user_prompt_render_through_the_template():
    _, processor = build_tiny("qwen2_5_vl", image_size=56)
    prompt = instruction_messages(load_prompt().render())
    row = {**synthetic_rows("sft", 1, image_size=56)[0], "prompt": prompt}
    batch = VLMCollator(processor, "sft")([row])
    text = processor.tokenizer.decode(batch["input_ids"][0][batch["attention_mask"][0] == 1])
    assert "Image 1 (source):<|vision_start|>" in text and "Image 2 (target):<|vision_start|>" in text
    assert load_prompt().render().splitlines()[0] in text


def test_image_count_mismatch_and_broken_images_name_the_sample():
    _, processor = build_tiny("qwen2_5_vl", image_size=56)
    row = synthetic_rows("sft", 1, image_size=56)[0]
    with pytest.raises(DatasetError, match="sample syn-0-0000: the prompt has 2 image part"):
        VLMCollator(processor, "sft")([{**row, "images": row["images"][:1]}])
    broken = {**row, "images": [{"bytes": b"not an image", "path": "x.png"}, row["images"][1]]}
    with pytest.raises(ValueError, match="x.png"):
        VLMCollator(processor, "sft")([broken])


def test_image_pixel_budget_changes_the_image_tokens():
    _, processor = build_tiny("qwen2_5_vl", image_size=112)
    rows = synthetic_rows("sft", 1, image_size=112)
    before = VLMCollator(processor, "sft")(rows)["image_grid_thw"]
    configure_image_processor(processor, max_pixels=56 * 56)
    after = VLMCollator(processor, "sft")(rows)["image_grid_thw"]
    assert before.prod(dim=1).tolist() == [64, 64] and after.prod(dim=1).tolist() == [16, 16]


def test_moe_router_aux_loss_reaches_the_pair_forward():
    model, processor = build_tiny("qwen3_vl_moe", **tiny_size("qwen3_vl_moe"))
    batch = VLMCollator(processor, "preference", margin=MarginScheme())(synthetic_rows("preference", 2, image_size=56))
    with torch.no_grad():
        with_aux = concat_forward(model, batch, output_router_logits=True)
        plain = concat_forward(model, batch)
    assert with_aux.aux_loss is not None and with_aux.aux_loss.item() > 0 and plain.aux_loss is None
    assert torch.allclose(with_aux.chosen, plain.chosen)
