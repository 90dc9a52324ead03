"""The HAE-DPO loss (paper eq. 2-3) against hand calculations, standard DPO and TRL."""

from __future__ import annotations

import math
from types import SimpleNamespace

import pytest
import torch

from editcaption.train.hae import LOSS_TERMS, MarginScheme, hae_dpo_loss, hae_margin, hardness

# Three pairs with different severities/types and a reference that prefers the rejected answer in pair 2.
PC = torch.tensor([-10.0, -20.0, -31.0], dtype=torch.float64)
PR = torch.tensor([-12.0, -19.0, -30.0], dtype=torch.float64)
RC = torch.tensor([-11.0, -21.0, -30.0], dtype=torch.float64)
RR = torch.tensor([-11.5, -18.0, -30.5], dtype=torch.float64)
SEV = torch.tensor([1.0, 0.5, 0.0], dtype=torch.float64)        # P0, P1, P2
TW = torch.tensor([0.2, 0.15, 0.1], dtype=torch.float64)        # orientation, viewpoint, detail
N_C = torch.tensor([5.0, 10.0, 6.0], dtype=torch.float64)       # answer lengths in tokens
N_R = torch.tensor([5.0, 8.0, 6.0], dtype=torch.float64)


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _hand(i: int, beta: float, g_st: float, g_h: float, tau: float, norm: str) -> tuple[float, float]:
    """Loss and margin of pair i written out from eq. 2 and 3."""
    pc, pr, rc, rr = PC[i].item(), PR[i].item(), RC[i].item(), RR[i].item()
    if norm == "mean":
        lw, lr = rc / N_C[i].item(), rr / N_R[i].item()
    else:
        lw, lr = rc, rr
    m = g_st * SEV[i].item() * TW[i].item() + g_h * _sigmoid((lr - lw) / tau)
    z = beta * ((pc - rc) - (pr - rr)) - m
    return -math.log(_sigmoid(z)), m


@pytest.mark.parametrize("variant", sorted(LOSS_TERMS))
@pytest.mark.parametrize("norm", ["mean", "sum"])
@pytest.mark.parametrize("beta,tau", [(0.1, 1.0), (0.5, 0.3)])
def test_every_variant_equals_the_hand_calculation(variant, norm, beta, tau):
    use_st, use_h = LOSS_TERMS[variant]
    g_st, g_h = (1.0 if use_st else 0.0), (1.0 if use_h else 0.0)
    norms = (RC / N_C, RR / N_R) if norm == "mean" else (None, None)
    losses, margins = hae_dpo_loss(PC, PR, RC, RR, SEV, TW, *norms, beta=beta, gamma_st=g_st, gamma_h=g_h, tau=tau)
    for i in range(3):
        loss, margin = _hand(i, beta, g_st, g_h, tau, norm)
        assert losses[i].item() == pytest.approx(loss, abs=1e-12)
        assert margins[i].item() == pytest.approx(margin, abs=1e-12)


def test_known_values_of_the_default_hae_margin():
    # pair 0: s=1, c=0.2 → 0.2; hardness σ((-11.5) - (-11)) = σ(-0.5) = 0.377541
    margins = hae_margin(RC, RR, SEV, TW, gamma_st=1.0, gamma_h=1.0, tau=1.0)
    assert margins[0].item() == pytest.approx(0.2 + 0.3775406687981454, abs=1e-12)
    # pair 2 is P2: severity 0 removes the static term; σ(-0.5) again
    assert margins[2].item() == pytest.approx(0.3775406687981454, abs=1e-12)


def test_gamma_zero_is_exactly_standard_dpo():
    beta = 0.1
    standard = -torch.nn.functional.logsigmoid(beta * ((PC - RC) - (PR - RR)))
    losses, margins = hae_dpo_loss(PC, PR, RC, RR, SEV, TW, beta=beta, gamma_st=0.0, gamma_h=0.0)
    assert torch.equal(losses, standard)
    assert torch.equal(margins, torch.zeros(3, dtype=torch.float64))
    # even a non-finite hardness input cannot leak into standard DPO
    bad = torch.tensor([float("nan")] * 3, dtype=torch.float64)
    losses, _ = hae_dpo_loss(PC, PR, RC, RR, SEV, TW, bad, bad, beta=beta, gamma_st=0.0, gamma_h=0.0)
    assert torch.equal(losses, standard)


def test_without_norm_tensors_the_hardness_uses_the_summed_log_probs():
    a, _ = hae_dpo_loss(PC, PR, RC, RR, SEV, TW)
    b, _ = hae_dpo_loss(PC, PR, RC, RR, SEV, TW, RC, RR)
    assert torch.equal(a, b)


def test_at_initialisation_the_loss_is_softplus_of_the_margin():
    # policy == reference: L = -log σ(-m) = softplus(m)  (docs/method.md, eq. 2)
    losses, margins = hae_dpo_loss(RC, RR, RC, RR, SEV, TW, RC / N_C, RR / N_R)
    assert torch.allclose(losses, torch.nn.functional.softplus(margins), atol=1e-12)


def test_gradient_is_larger_for_pairs_with_larger_margins():
    pc = torch.tensor([-10.0, -10.0], requires_grad=True)
    pr = torch.tensor([-12.0, -12.0])
    ref = torch.tensor([-10.0, -10.0])
    ref_r = torch.tensor([-12.0, -12.0])
    losses, _ = hae_dpo_loss(pc, pr, ref, ref_r, torch.tensor([1.0, 0.0]), torch.tensor([0.2, 0.2]), gamma_h=0.0)
    losses.sum().backward()
    assert pc.grad[0] < pc.grad[1] < 0  # a severe pair pushes its chosen answer up harder


def test_margin_scheme_maps_labels_and_switches_terms_per_loss():
    cfg = SimpleNamespace(loss="hae-severity", hardness_center=0.0, severity_weights={"P0": 1.0, "P1": 0.5, "P2": 0.0},
                          type_weights={"orientation": 0.2, "viewpoint": 0.15, "detail": 0.1}, gamma_st=2.0,
                          gamma_h=3.0, tau=1.0, hardness_norm="mean")
    scheme = MarginScheme.from_config(cfg)
    assert (scheme.gamma_st, scheme.gamma_h) == (2.0, 0.0)
    assert scheme.severity("P1") == 0.5 and scheme.type_weight("viewpoint") == 0.15
    cfg.loss = "hae-hardness"
    assert (MarginScheme.from_config(cfg).gamma_st, MarginScheme.from_config(cfg).gamma_h) == (0.0, 3.0)
    with pytest.raises(ValueError, match="unknown severity 'P3'"):
        scheme.check_labels(["P0", "P3"], ["detail"])
    with pytest.raises(ValueError, match="unknown error_type 'colour'"):
        scheme.check_labels(["P0"], ["colour"])


@pytest.mark.slow
def test_matches_trl_sigmoid_dpo_on_the_same_model_and_pairs(tmp_path):
    """TRL 1.16 DPOTrainer (the peer) computes its own log-probs and loss; at γ = 0 ours must agree."""
    import copy

    import datasets
    from trl import DPOConfig, DPOTrainer

    from editcaption.train.collator import VLMCollator
    from editcaption.train.data import decode_image
    from editcaption.train.logprobs import concat_forward
    from editcaption.train.synthetic import synthetic_rows
    from editcaption.train.tiny import build_tiny

    ref, processor = build_tiny("qwen2_5_vl", image_size=56)
    policy = copy.deepcopy(ref)
    with torch.no_grad():  # policy ≠ reference, so the loss is not just ln 2
        g = torch.Generator().manual_seed(1)
        for p in policy.parameters():
            p.add_(torch.randn(p.shape, generator=g) * 0.02)
    rows = synthetic_rows("preference", 4, image_size=56)
    plain = [{"images": [decode_image(i) for i in r["images"]], "prompt": r["prompt"], "chosen": r["chosen"],
              "rejected": r["rejected"]} for r in rows]
    ds = datasets.Dataset.from_list(plain)
    args = DPOConfig(output_dir=str(tmp_path), bf16=False, use_cpu=True, max_length=None, report_to="none",
                     per_device_train_batch_size=4, beta=0.1)
    trl = DPOTrainer(model=policy, ref_model=ref, args=args, train_dataset=ds, processing_class=processor)
    with torch.no_grad():
        trl_loss = trl.compute_loss(trl.model, trl.data_collator([ds[i] for i in range(4)])).item()
        batch = VLMCollator(processor, "preference", margin=MarginScheme())(rows)
        pol, rf = concat_forward(policy, batch), concat_forward(ref, batch)
    losses, _ = hae_dpo_loss(pol.chosen, pol.rejected, rf.chosen, rf.rejected, batch["meta"]["severity"],
                             batch["meta"]["type_weight"], beta=0.1, gamma_st=0.0, gamma_h=0.0)
    assert abs(trl_loss - math.log(2)) > 1e-3
    assert losses.mean().item() == pytest.approx(trl_loss, abs=1e-5)


def test_a_centre_shifts_the_hardness_before_the_temperature() -> None:
    ref_c = torch.tensor([-1.0, -1.0, -1.0])
    ref_r = torch.tensor([-0.2, -0.6, -1.0])  # Δref 0.8, 0.4, 0.0
    h = hardness(ref_c, ref_r, tau=0.4, center=0.4)
    assert torch.allclose(h, torch.sigmoid(torch.tensor([1.0, 0.0, -1.0])))
    # centre 0 is eq. 3 exactly
    assert torch.equal(hardness(ref_c, ref_r, tau=0.4), hardness(ref_c, ref_r, tau=0.4, center=0.0))
    m = hae_margin(ref_c, ref_r, torch.zeros(3), torch.ones(3), gamma_st=0.0, gamma_h=2.0, tau=0.4, center=0.4)
    assert torch.allclose(m, 2 * h)


def test_standardised_hardness_is_the_median_and_a_robust_spread() -> None:
    from editcaption.reproduce.training import standardised_hardness

    deltas = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 100.0]  # one outlier does not inflate τ
    center, tau = standardised_hardness(deltas)
    assert center == pytest.approx(0.45)
    q1, q3 = 0.225, 0.675  # statistics.quantiles' default (exclusive) method
    assert tau == pytest.approx((q3 - q1) / 1.349, rel=0.2)
    assert tau < 1.0
    with pytest.raises(ValueError, match="at least 4"):
        standardised_hardness([0.1, 0.2])
