"""Prefix-shared preference rows give the log-probs and gradients of the unshared forward.

The batches have left padding (prompts of different lengths), images of different shapes
(different M-RoPE grids, height ≠ width) and chosen/rejected answers of unequal lengths.
"""

from __future__ import annotations

import copy
import json
import logging

import numpy as np
import pytest
import torch
from trainhelpers import EXAMPLES, build_tiny_llava, run_cli, tiny_size

from editcaption.imageio import encode_png
from editcaption.prompts import instruction_messages
from editcaption.train import attention
from editcaption.train.attention import SEG_CHOSEN, SEG_PAD, SEG_PROMPT, SEG_REJECTED
from editcaption.train.collator import VLMCollator, to_device
from editcaption.train.hae import MarginScheme
from editcaption.train.logprobs import completion_token_logps, concat_forward, get_dpo_forward, join_prompt_completion
from editcaption.train.prefix_sharing import (
    _rope_index,
    build_shared_rows,
    prefix_shared_forward,
    resolve_dpo_forward,
    shared_answer_logps,
    unsupported_reason,
)
from editcaption.train.reference import compute_reference_logps
from editcaption.train.synthetic import synthetic_rows
from editcaption.train.tiny import build_tiny

FAMILIES = ["qwen2_5_vl", "qwen3_vl", "qwen3_vl_moe", "qwen2_vl"]


def _answer(text: str) -> list[dict]:
    return [{"role": "assistant", "content": text}]


def _rows() -> list[dict]:
    rows = synthetic_rows("preference", 3, image_size=56, seed=3)
    # a longer prompt in row 1 → the other prompts are left-padded
    rows[1]["prompt"] = instruction_messages("Write the editing instruction for these two images in one sentence.")
    # a wide pair in row 2 → another image grid, with height ≠ width
    wide = np.full((64, 128, 3), 230, np.uint8)
    wide[16:48, 8:40] = (200, 30, 30)
    rows[2]["images"] = [{"bytes": encode_png(wide), "path": None},
                         {"bytes": encode_png(np.ascontiguousarray(wide[:, ::-1])), "path": None}]
    # unequal answers: a long chosen answer in row 0, a long rejected answer in row 1
    rows[0]["chosen"] = _answer("Move the red square from the right edge all the way to the left edge of the picture.")
    rows[1]["rejected"] = _answer("Pan the camera to the right and then zoom out to show the whole scene again.")
    return rows


def _batch(processor) -> dict:  # noqa: ANN001
    return VLMCollator(processor, "preference", margin=MarginScheme())(_rows())


def _unshared_token_logps(model, batch: dict, answer: str) -> tuple[torch.Tensor, torch.Tensor]:  # noqa: ANN001
    """Per-token log-probs of one answer as the unshared run computes them (right-aligned)."""
    prompt, ans = batch["prompt"], batch[answer]
    fields = {k: v for k, v in prompt.items() if k not in ("input_ids", "attention_mask")}
    joined = join_prompt_completion(prompt["input_ids"], prompt["attention_mask"], ans["input_ids"],
                                    ans["attention_mask"], fields)
    logps, mask, _ = completion_token_logps(model, **joined, **batch["media"])
    return logps, mask


def _left_aligned(right: torch.Tensor, lengths: list[int], width: int) -> torch.Tensor:
    out = torch.zeros(len(lengths), width, dtype=right.dtype)
    for i, n in enumerate(lengths):
        out[i, :n] = right[i, right.size(1) - n:]
    return out


@pytest.fixture(scope="module", params=FAMILIES)
def family_model(request):
    model, processor = build_tiny(request.param, **tiny_size(request.param))
    return request.param, model, processor


def test_batch_has_padding_unequal_answers_and_several_image_grids(family_model):
    _, _, processor = family_model
    batch = _batch(processor)
    prompt_lengths = batch["prompt"]["attention_mask"].sum(1).tolist()
    assert len(set(prompt_lengths)) > 1
    assert batch["chosen"]["attention_mask"].sum(1).tolist() != batch["rejected"]["attention_mask"].sum(1).tolist()
    grids = batch["media"]["image_grid_thw"]
    assert grids.size(0) == 6 and len({tuple(g.tolist()) for g in grids}) == 2
    assert any(g[1] != g[2] for g in grids)


def test_rows_layout_mask_positions_and_predictors(family_model):
    family, model, processor = family_model
    batch = _batch(processor)
    rope = _rope_index(model)
    rows = build_shared_rows(batch, rope)
    seg = rows.segments
    mask = attention.prefix_mask(seg)[:, 0]
    prompt, chosen, rejected = batch["prompt"], batch["chosen"], batch["rejected"]
    fields = {k: v for k, v in prompt.items() if k not in ("input_ids", "attention_mask")}
    for i in range(seg.size(0)):
        p_ids = prompt["input_ids"][i][prompt["attention_mask"][i].bool()]
        c_ids = chosen["input_ids"][i][chosen["attention_mask"][i].bool()]
        r_ids = rejected["input_ids"][i][rejected["attention_mask"][i].bool()]
        real = rows.attention_mask[i].bool()
        # one compact row [pad | prompt | chosen | rejected]
        assert torch.equal(rows.input_ids[i][real], torch.cat([p_ids, c_ids, r_ids]))
        assert not real[: (~real).sum()].any()
        s = seg[i]
        is_p, is_c, is_r, is_pad = s == SEG_PROMPT, s == SEG_CHOSEN, s == SEG_REJECTED, s == SEG_PAD
        m = mask[i]
        assert not m[is_r][:, is_c].any()  # rejected never sees chosen
        assert m[is_r][:, is_p].all() and m[is_c][:, is_p].all()  # both answers see the whole prompt
        assert torch.equal(m[is_c][:, is_c], torch.ones(int(is_c.sum()), int(is_c.sum())).tril().bool())
        assert torch.equal(m[is_r][:, is_r], torch.ones(int(is_r.sum()), int(is_r.sum())).tril().bool())
        assert not m.triu(1).any()  # causal
        assert torch.equal(m[is_pad], torch.eye(m.size(0)).bool()[is_pad])  # padding sees only itself
        # the token before each answer token is where its prediction is read
        before_c = torch.cat([p_ids[-1:], c_ids[:-1]])
        before_r = torch.cat([p_ids[-1:], r_ids[:-1]])
        pred = rows.predictors[i]
        assert torch.equal(rows.input_ids[i][pred[: len(c_ids)]], before_c)
        c_width = chosen["input_ids"].size(1)
        assert torch.equal(rows.input_ids[i][pred[c_width: c_width + len(r_ids)]], before_r)
        # the rejected answer's first prediction comes from the last prompt position
        assert pred[c_width] == pred[0] == int(is_p.nonzero().max())

    # positions: what the model's own M-RoPE gives the two unshared rows
    for answer, segment in (("chosen", SEG_CHOSEN), ("rejected", SEG_REJECTED)):
        ans = batch[answer]
        joined = join_prompt_completion(prompt["input_ids"], prompt["attention_mask"], ans["input_ids"],
                                        ans["attention_mask"], fields)
        unshared, _ = rope(joined["input_ids"], mm_token_type_ids=joined["mm_token_type_ids"],
                           image_grid_thw=batch["media"]["image_grid_thw"], attention_mask=joined["attention_mask"])
        for i in range(seg.size(0)):
            keep = (seg[i] == SEG_PROMPT) | (seg[i] == segment)
            expected = unshared[:, i, joined["attention_mask"][i].bool()]
            assert torch.equal(rows.position_ids[:, i, keep], expected)
    # image tokens really carry 3-D positions (so the check above covers M-RoPE)
    image = rows.token_fields["mm_token_type_ids"] == 1
    pos = rows.position_ids
    assert image.any() and not torch.equal(pos[1][image], pos[2][image])


def test_log_probs_and_gradients_equal_the_unshared_forward(family_model):
    family, model, processor = family_model
    batch = _batch(processor)
    model.eval()  # no dropout; both passes see the same function
    visual = model.model.visual
    seen: list[int] = []
    hook = visual.register_forward_hook(lambda mod, args, out: seen.append(args[0].shape[0]))
    weights_c = torch.tensor([1.0, -0.7, 0.4])
    weights_r = torch.tensor([-0.5, 0.9, -1.2])

    def grads(forward) -> tuple[dict[str, torch.Tensor], object]:  # noqa: ANN001
        model.zero_grad(set_to_none=True)
        pairs = forward(model, batch)
        # a loss with distinct weights per pair and answer, so every log-prob's gradient counts
        ((pairs.chosen * weights_c).sum() + (pairs.rejected * weights_r).sum()).backward()
        return {n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None}, pairs

    try:
        g_unshared, unshared = grads(concat_forward)
        g_shared, shared = grads(prefix_shared_forward)
    finally:
        hook.remove()
        model.zero_grad(set_to_none=True)
    patches = batch["media"]["pixel_values"].shape[0]
    assert seen == [2 * patches, patches]  # the vision tower runs once per pair, not twice

    assert torch.allclose(shared.chosen, unshared.chosen, atol=1e-4, rtol=0)  # sums of up to ~200 nats
    assert torch.allclose(shared.rejected, unshared.rejected, atol=1e-4, rtol=0)
    assert torch.equal(shared.chosen_tokens, unshared.chosen_tokens)
    assert torch.equal(shared.rejected_tokens, unshared.rejected_tokens)
    # per token: within 1e-5
    with torch.no_grad():
        ans = shared_answer_logps(model, batch)
        for name, got, n in (("chosen", ans.chosen, ans.chosen_mask), ("rejected", ans.rejected, ans.rejected_mask)):
            ref, _ = _unshared_token_logps(model, batch, name)
            lengths = [int(x) for x in n.sum(1)]
            assert (got - _left_aligned(ref, lengths, got.size(1))).abs().max() < 1e-5
            assert (got[n.bool()] < 0).all()

    assert g_shared.keys() == g_unshared.keys()
    assert any(n.startswith("model.visual.") for n in g_shared)  # the vision tower is trained too
    worst = max((g_shared[n] - g_unshared[n]).abs().max().item() for n in g_shared)
    scale = max(g.abs().max().item() for g in g_unshared.values())
    assert worst < 1e-4 and scale > 1e-2, (worst, scale)


def test_gradient_checkpointing_keeps_the_shared_mask():
    """Recomputed layers must get the shared mask again (the kwarg travels with the checkpoint)."""
    model, processor = build_tiny("qwen3_vl", **tiny_size("qwen3_vl"))
    batch = _batch(processor)

    def grads(m) -> dict[str, torch.Tensor]:  # noqa: ANN001
        m.zero_grad(set_to_none=True)
        pairs = prefix_shared_forward(m, batch)
        (pairs.chosen.sum() - 0.5 * pairs.rejected.sum()).backward()
        return {n: p.grad.clone() for n, p in m.named_parameters() if p.grad is not None}

    plain = grads(model)
    ckpt_model = copy.deepcopy(model)
    ckpt_model.activation_checkpointing_enable(activation_checkpointing_kwargs={"use_reentrant": False})
    ckpt_model.train()
    ckpt_model.config.text_config.attention_dropout = 0.0
    checkpointed = grads(ckpt_model)
    assert max((plain[n] - checkpointed[n]).abs().max().item() for n in plain) < 1e-4


def test_switching_the_attention_is_exact_for_ordinary_calls():
    model, processor = build_tiny("qwen2_5_vl", **tiny_size("qwen2_5_vl"))
    rows = _rows()
    batch = VLMCollator(processor, "prompt")(rows)
    batch.pop("meta")
    with torch.no_grad():
        before = model(**batch).logits
        name = attention.enable(model)
        after = model(**batch).logits
    assert name == "editcaption_prefix_shared_sdpa"
    assert model.config.text_config._attn_implementation == name
    assert model.config.vision_config._attn_implementation == "sdpa"  # the vision tower keeps its own
    assert torch.equal(before, after)
    attention.disable(model)
    assert model.config.text_config._attn_implementation == "sdpa"


def test_eager_attention_models_are_shared_too():
    model, processor = build_tiny("qwen3_vl", **tiny_size("qwen3_vl"))
    model.set_attn_implementation("eager")
    batch = _batch(processor)
    with torch.no_grad():
        unshared = concat_forward(model, batch)
        shared = prefix_shared_forward(model, batch)
    assert model.config.text_config._attn_implementation == "editcaption_prefix_shared_eager"
    assert torch.allclose(shared.chosen, unshared.chosen, atol=1e-4, rtol=0)
    assert torch.allclose(shared.rejected, unshared.rejected, atol=1e-4, rtol=0)


def test_unsupported_models_fall_back_to_concat_with_one_log_line(caplog):
    from editcaption.train import prefix_sharing

    model, processor = build_tiny_llava()
    prefix_sharing._reported.discard(type(model).__name__)  # a fresh process would not have logged yet
    batch = VLMCollator(processor, "preference", margin=MarginScheme())(synthetic_rows("preference", 3, image_size=56))
    assert "llava" in unsupported_reason(model)
    with caplog.at_level(logging.WARNING, logger="editcaption.train.prefix_sharing"), torch.no_grad():
        first = prefix_shared_forward(model, batch)
        second = prefix_shared_forward(model, batch)
        unshared = concat_forward(model, batch)
    lines = [r.getMessage() for r in caplog.records if "prefix sharing" in r.getMessage()]
    assert len(lines) == 1 and "LlavaForConditionalGeneration" in lines[0] and "concat" in lines[0]
    assert torch.equal(first.chosen, unshared.chosen) and torch.equal(second.rejected, unshared.rejected)
    assert model.config.text_config._attn_implementation == "sdpa"  # untouched

    name, forward, message = resolve_dpo_forward(model, prefix_sharing=True)
    assert (name, forward) == ("concat", concat_forward) and "not supported" in message


def test_resolution_and_the_reference_pass():
    import datasets

    model, processor = build_tiny("qwen3_vl", **tiny_size("qwen3_vl"))
    assert get_dpo_forward("prefix_shared") is prefix_shared_forward
    name, forward, _ = resolve_dpo_forward(model, prefix_sharing=True)
    assert name == "prefix_shared"
    assert forward.func is prefix_shared_forward and forward.keywords == {"prefix_mask_kind": "auto"}
    forward = resolve_dpo_forward(model, prefix_sharing=True, prefix_mask="dense")[1]
    assert forward.keywords == {"prefix_mask_kind": "dense"}
    assert resolve_dpo_forward(model, prefix_sharing=False)[:2] == ("concat", concat_forward)
    ds = datasets.Dataset.from_list(_rows())
    collator = VLMCollator(processor, "preference", margin=MarginScheme())
    shared = compute_reference_logps(model, ds, collator, batch_size=2, forward=prefix_shared_forward)
    unshared = compute_reference_logps(model, ds, collator, batch_size=3, forward=concat_forward)
    assert shared["id"] == unshared["id"]
    for col in ("ref_chosen_logps", "ref_rejected_logps"):
        assert shared[col] == pytest.approx(unshared[col], abs=1e-4)
    for col in ("ref_chosen_logps_mean", "ref_rejected_logps_mean"):
        assert shared[col] == pytest.approx(unshared[col], abs=1e-5)


@pytest.mark.slow
def test_train_dpo_with_and_without_prefix_sharing_takes_the_same_steps(tmp_path, pref_data):
    """`editcaption train dpo` on the tiny config: same reference values, same first two steps."""
    import pyarrow.parquet as pq

    runs = {}
    for sharing in ("true", "false"):
        out = tmp_path / f"sharing-{sharing}"
        result = run_cli("train", "dpo", str(EXAMPLES / "tiny-dpo.yaml"), f"data={pref_data}", f"output_dir={out}",
                         f"prefix_sharing={sharing}", "max_steps=2", "logging_steps=1", "eval_split=null",
                         "save_steps=1000", "report_to=[none]", "scan_lengths=false", "warmup_ratio=0",
                         "lr_scheduler=constant")
        assert result.returncode == 0, result.stderr[-3000:]
        runs[sharing] = (out, result.stderr)
    on, off = runs["true"], runs["false"]
    assert "prefix sharing on" in on[1] and "prefix sharing off" in off[1]
    summary_on = json.loads((on[0] / "train_summary.json").read_text())
    summary_off = json.loads((off[0] / "train_summary.json").read_text())
    assert (summary_on["dpo_forward"], summary_off["dpo_forward"]) == ("prefix_shared", "concat")
    ref_on = pq.read_table(on[0] / "reference" / "train.parquet").to_pydict()
    ref_off = pq.read_table(off[0] / "reference" / "train.parquet").to_pydict()
    assert ref_on["ref_chosen_logps"] == pytest.approx(ref_off["ref_chosen_logps"], abs=1e-4)
    assert ref_on["ref_rejected_logps"] == pytest.approx(ref_off["ref_rejected_logps"], abs=1e-4)
    for key in ("first_logged", "last_logged"):  # step 1, and step 2 after one update (gradients agree)
        a, b = summary_on[key], summary_off[key]
        assert a["step"] == b["step"]
        for metric in ("loss", "logps/chosen", "logps/rejected", "rewards/margins", "margin/mean"):
            assert a[metric] == pytest.approx(b[metric], rel=1e-4, abs=1e-5), (key, metric)
    assert summary_on["last_logged"]["rewards/margins"] != 0.0  # the second step really moved the policy


def test_a_flash_attention_config_is_shared_through_sdpa():
    """FlashAttention takes no custom mask: the wrapped language model runs SDPA (checked without flash-attn
    installed by marking the text config as flash_attention_2, as a checkpoint loaded with it would be)."""
    model, processor = build_tiny("qwen2_5_vl", **tiny_size("qwen2_5_vl"))
    batch = _batch(processor)
    with torch.no_grad():
        unshared = concat_forward(model, batch)
        model.config.text_config._attn_implementation_internal = "flash_attention_2"
        assert unsupported_reason(model) is None
        name, _, message = resolve_dpo_forward(model, prefix_sharing=True)
        shared = prefix_shared_forward(model, batch)
    assert name == "prefix_shared" and "flash_attention_2 runs as SDPA" in message
    assert model.config.text_config._attn_implementation == "editcaption_prefix_shared_flash_attention_2"
    assert torch.allclose(shared.chosen, unshared.chosen, atol=1e-4, rtol=0)
    with torch.no_grad():  # an ordinary padded call now runs SDPA with the padding mask: same as before
        again = concat_forward(model, batch)
    assert torch.allclose(again.rejected, unshared.rejected, atol=1e-5, rtol=0)


def test_flex_block_mask_gives_the_dense_masks_log_probs_and_gradients(family_model, device):
    """The FlexAttention path (what CUDA runs) computes exactly what the dense-mask SDPA path does.

    FlexAttention has no backward on CPU, so gradients are compared where the tests run on a GPU.
    """
    family, model, processor = family_model
    model = copy.deepcopy(model).to(device).eval()
    batch = to_device(_batch(processor), device)
    weights = torch.tensor([0.8, -1.1, 0.3], device=device)
    with_grads = torch.device(device).type != "cpu"

    def run(kind: str) -> tuple[dict[str, torch.Tensor], object]:
        model.zero_grad(set_to_none=True)
        with torch.set_grad_enabled(with_grads):
            pairs = prefix_shared_forward(model, batch, prefix_mask_kind=kind)
        if with_grads:
            ((pairs.chosen - 0.6 * pairs.rejected) * weights).sum().backward()
        return {n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None}, pairs

    g_dense, dense = run("dense")
    g_flex, flex = run("flex")
    assert torch.allclose(flex.chosen, dense.chosen, atol=1e-4, rtol=0)
    assert torch.allclose(flex.rejected, dense.rejected, atol=1e-4, rtol=0)
    assert g_flex.keys() == g_dense.keys()
    assert bool(g_flex) == with_grads
    if with_grads:
        worst = max((g_flex[n] - g_dense[n]).abs().max().item() for n in g_flex)
        assert worst < 1e-4, worst


def test_the_block_mask_skips_the_blocks_the_rule_forbids():
    """A long prompt with answers: the block mask computes far fewer blocks than the dense L×L square."""
    seg = torch.full((2, 1024), SEG_PROMPT)
    seg[0, :200] = SEG_PAD
    seg[:, 768:896] = SEG_CHOSEN
    seg[:, 896:] = SEG_REJECTED
    block = attention.prefix_block_mask(seg)
    dense_blocks = block.to_dense()  # [B, H, q blocks, kv blocks]: 1 where a block is computed
    assert dense_blocks.shape[-2:] == (8, 8)
    assert not dense_blocks[:, :, 7, 6].any()  # rejected queries × chosen keys: skipped
    assert not dense_blocks[0, :, 0, 1:].any()  # causal: nothing above the diagonal
    assert int(dense_blocks.sum()) < 0.6 * dense_blocks.numel()


@pytest.mark.parametrize("kind, device, expected", [("auto", "cpu", "dense"), ("auto", "cuda", "flex"),
                                                    ("flex", "cpu", "flex"), ("dense", "cuda", "dense")])
def test_auto_mask_is_flex_on_cuda_and_dense_elsewhere(kind, device, expected):
    assert attention.resolve_mask_kind(kind, device) == expected


def test_an_unknown_mask_kind_is_refused_before_training():
    from editcaption.train.config import ConfigError, load_config

    with pytest.raises(ConfigError, match="prefix_mask"):
        load_config("dpo", overrides=["data=x", "prefix_mask=sparse"])
