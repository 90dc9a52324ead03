"""Both stages learn on a fixed batch: SFT lowers the loss, DPO and every HAE variant raise reward accuracy."""

from __future__ import annotations

import pytest
import torch
from trainhelpers import tiny_size

from editcaption.train.collator import VLMCollator, to_device
from editcaption.train.config import DPOConfig, SFTConfig
from editcaption.train.hae import MarginScheme
from editcaption.train.logprobs import concat_forward
from editcaption.train.reference import attach_reference, compute_reference_logps
from editcaption.train.run import training_arguments
from editcaption.train.synthetic import synthetic_rows
from editcaption.train.tiny import build_tiny
from editcaption.train.trainers import HAEDPOTrainer, SFTTrainer

pytestmark = pytest.mark.slow
FAMILIES = ["qwen2_5_vl", "qwen3_vl"]
STEPS = 10


def _dataset(kind: str, n: int = 4):
    import datasets

    return datasets.Dataset.from_list(synthetic_rows(kind, n, image_size=56, seed=7))


def _args(cfg, tmp_path):
    cfg.output_dir = str(tmp_path)
    return training_arguments(cfg, has_eval=False, moe=False)


def _common(**kw):
    return dict(data="unused", max_steps=STEPS, per_device_batch_size=4, learning_rate=3e-3, warmup_ratio=0.0,
                lr_scheduler="constant", precision="fp32", report_to=["none"], save_steps=10_000, logging_steps=STEPS,
                **kw)


@pytest.mark.parametrize("family", FAMILIES)
def test_sft_lowers_the_loss_on_a_fixed_batch(family, tmp_path):
    model, processor = build_tiny(family, **tiny_size(family))
    ds = _dataset("sft")
    collator = VLMCollator(processor, "sft")
    trainer = SFTTrainer(model=model, args=_args(SFTConfig(**_common()), tmp_path), train_dataset=ds,
                         data_collator=collator)
    batch = to_device(collator([ds[i] for i in range(len(ds))]), model.device)  # the Trainer placed the model
    with torch.no_grad():
        model.eval()
        before = trainer.compute_loss(model, batch).item()
    trainer.train()
    with torch.no_grad():
        model.eval()
        after = trainer.compute_loss(model, batch).item()
    assert before > 5.0  # ≈ ln(vocab) at random init
    assert after < before - 1.0


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("loss", ["dpo", "hae", "hae-severity", "hae-hardness"])
def test_dpo_and_each_hae_variant_raise_reward_accuracy(family, loss, tmp_path):
    model, processor = build_tiny(family, **tiny_size(family))
    cfg = DPOConfig(**_common(loss=loss))
    margin = MarginScheme.from_config(cfg)
    collator = VLMCollator(processor, "preference", margin=margin)
    ds = _dataset("preference")
    ds = attach_reference(ds, compute_reference_logps(model, ds, collator, batch_size=4))
    batch = collator([ds[i] for i in range(len(ds))])

    def accuracy() -> float:
        model.eval()
        with torch.no_grad():
            pol = concat_forward(model, to_device(batch, model.device))
        meta = batch["meta"]
        gap = (pol.chosen.cpu() - meta["ref_chosen_logps"]) - (pol.rejected.cpu() - meta["ref_rejected_logps"])
        return float((gap > 0).float().mean())

    assert accuracy() == 0.0  # policy == reference: every reward gap is exactly zero
    trainer = HAEDPOTrainer(model=model, args=_args(cfg, tmp_path), train_dataset=ds, data_collator=collator,
                            margin=margin, beta=cfg.beta, dpo_forward=concat_forward)
    trainer.train()
    assert accuracy() >= 0.75
    logged = [h for h in trainer.state.log_history if "rewards/accuracies" in h][-1]
    assert 0.0 <= logged["margin/satisfied"] <= logged["rewards/accuracies"] + 1e-9
    if loss == "dpo":
        assert logged["margin/mean"] == 0.0
    else:
        assert logged["margin/mean"] > 0.0
        assert {"margin/orientation", "margin/viewpoint", "margin/detail"} <= set(logged)


def test_chosen_nll_weight_adds_the_per_token_nll_of_the_chosen_answers(tmp_path):
    model, processor = build_tiny("qwen3_vl", **tiny_size("qwen3_vl"))
    model.eval()
    cfg = DPOConfig(**_common(loss="dpo", chosen_nll_weight=0.5))
    margin = MarginScheme.from_config(cfg)
    collator = VLMCollator(processor, "preference", margin=margin)
    ds = _dataset("preference")
    ds = attach_reference(ds, compute_reference_logps(model, ds, collator, batch_size=4))
    batch = collator([ds[i] for i in range(len(ds))])
    plain = HAEDPOTrainer(model=model, args=_args(DPOConfig(**_common(loss="dpo")), tmp_path / "a"),
                          train_dataset=ds, data_collator=collator, margin=margin, beta=cfg.beta,
                          dpo_forward=concat_forward)
    anchored = HAEDPOTrainer(model=model, args=_args(cfg, tmp_path / "b"), train_dataset=ds, data_collator=collator,
                             margin=margin, beta=cfg.beta, dpo_forward=concat_forward,
                             chosen_nll_weight=cfg.chosen_nll_weight)
    batch = to_device(batch, model.device)  # the Trainer placed the model
    with torch.no_grad():
        pol = concat_forward(model, batch)
        base = plain.compute_loss(model, batch).item()
        total = anchored.compute_loss(model, batch).item()
    # policy == reference: every DPO term is -log σ(0) = log 2
    assert base == pytest.approx(float(torch.log(torch.tensor(2.0))), abs=1e-6)
    expected_nll = float((-pol.chosen / pol.chosen_tokens.clamp(min=1)).mean())
    assert expected_nll > 1.0  # a random model: the chosen answers are far from certain
    assert total == pytest.approx(base + 0.5 * expected_nll, rel=1e-5)
