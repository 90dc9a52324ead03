"""HAE-DPO: DPO with a per-pair margin from severity, error type and reference hardness.

Paper §3.2, eq. 2:
    L_i = −log σ( β·[(log π(y_w) − log π_ref(y_w)) − (log π(y_r) − log π_ref(y_r))] − m_i )
eq. 3:
    m_i = γ_st · s_i · c(t_i) + γ_h · σ( (ℓ_ref(y_r) − ℓ_ref(y_w)) / τ )

With a frozen reference, m_i is a constant per pair, so it is computed once with the
precomputed reference log-probs. ℓ_ref in the hardness term defaults to the per-token mean
log-prob (``hardness_norm: mean``); the summed log-probs of eq. 3 taken literally make the
sigmoid almost a step function for 50–150-token answers (docs/method.md, "Hardness").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch
import torch.nn.functional as F

from .config import DEFAULT_SEVERITY_WEIGHTS, DEFAULT_TYPE_WEIGHTS

# --loss name → which margin terms are on (the paper's Table 4 ablation rows).
LOSS_TERMS: dict[str, tuple[bool, bool]] = {
    "dpo": (False, False),
    "hae": (True, True),
    "hae-severity": (True, False),
    "hae-hardness": (False, True),
}


def hardness(ref_chosen: torch.Tensor, ref_rejected: torch.Tensor, tau: float = 1.0,
             center: float = 0.0) -> torch.Tensor:
    """σ((ℓ_ref(y_r) − ℓ_ref(y_w) − center) / τ): near 1 when the reference prefers the rejected answer.

    ``center`` = 0 is eq. 3. A centre at the preference set's median Δref (with τ its spread) is our
    departure for sets where every rejected answer is the reference's own greedy output: Δref is then
    positive for nearly all pairs and eq. 3's h is a near-constant, where a centred h ranks them."""
    return torch.sigmoid((ref_rejected - ref_chosen - center) / tau)


def hae_margin(
    ref_chosen_logps: torch.Tensor,
    ref_rejected_logps: torch.Tensor,
    severity: torch.Tensor,
    type_weight: torch.Tensor,
    ref_chosen_norm: torch.Tensor | None = None,
    ref_rejected_norm: torch.Tensor | None = None,
    *,
    gamma_st: float = 1.0,
    gamma_h: float = 1.0,
    tau: float = 1.0,
    center: float = 0.0,
) -> torch.Tensor:
    """m_i of eq. 3 (shape [B]); the hardness term reads the ``*_norm`` tensors when given."""
    chosen = ref_chosen_logps if ref_chosen_norm is None else ref_chosen_norm
    rejected = ref_rejected_logps if ref_rejected_norm is None else ref_rejected_norm
    static = severity.to(chosen.dtype) * type_weight.to(chosen.dtype)
    margin = torch.zeros_like(chosen)
    # Terms with a zero weight are skipped, not multiplied by zero: at γ = 0 the loss is
    # bit-for-bit standard DPO even if a hardness value were inf/NaN.
    if gamma_st != 0:
        margin = margin + gamma_st * static
    if gamma_h != 0:
        margin = margin + gamma_h * hardness(chosen, rejected, tau, center)
    return margin


def hae_dpo_loss(
    policy_chosen_logps: torch.Tensor,
    policy_rejected_logps: torch.Tensor,
    ref_chosen_logps: torch.Tensor,
    ref_rejected_logps: torch.Tensor,
    severity: torch.Tensor,
    type_weight: torch.Tensor,
    ref_chosen_norm: torch.Tensor | None = None,
    ref_rejected_norm: torch.Tensor | None = None,
    *,
    beta: float = 0.1,
    gamma_st: float = 1.0,
    gamma_h: float = 1.0,
    tau: float = 1.0,
    center: float = 0.0,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-pair HAE-DPO losses and margins, both of shape [B].

    ``*_logps`` are summed completion log-probs; ``severity`` and ``type_weight`` are the
    numeric s_i and c(t_i). With γ_st = γ_h = 0 this is exactly the sigmoid DPO loss.
    """
    margins = hae_margin(ref_chosen_logps, ref_rejected_logps, severity, type_weight, ref_chosen_norm,
                         ref_rejected_norm, gamma_st=gamma_st, gamma_h=gamma_h, tau=tau, center=center)
    delta = (policy_chosen_logps - ref_chosen_logps) - (policy_rejected_logps - ref_rejected_logps)
    losses = -F.logsigmoid(beta * delta - margins)
    return losses, margins


@dataclass
class MarginScheme:
    """Label → number mappings and the coefficients of eq. 3, as configured."""

    severity_weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_SEVERITY_WEIGHTS))
    type_weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_TYPE_WEIGHTS))
    gamma_st: float = 1.0
    gamma_h: float = 1.0
    tau: float = 1.0
    hardness_center: float = 0.0
    hardness_norm: str = "mean"

    @classmethod
    def from_config(cls, cfg: Any) -> MarginScheme:
        """The scheme a :class:`DPOConfig` asks for; ``cfg.loss`` switches terms off (Table 4)."""
        use_st, use_h = LOSS_TERMS[cfg.loss]
        return cls(severity_weights=dict(cfg.severity_weights), type_weights=dict(cfg.type_weights),
                   gamma_st=cfg.gamma_st if use_st else 0.0, gamma_h=cfg.gamma_h if use_h else 0.0,
                   tau=cfg.tau, hardness_center=cfg.hardness_center, hardness_norm=cfg.hardness_norm)

    def severity(self, label: str) -> float:
        try:
            return float(self.severity_weights[str(label)])
        except KeyError:
            raise ValueError(f"unknown severity {label!r}; expected one of {', '.join(self.severity_weights)}") from None

    def type_weight(self, label: str) -> float:
        try:
            return float(self.type_weights[str(label)])
        except KeyError:
            raise ValueError(f"unknown error_type {label!r}; expected one of {', '.join(self.type_weights)}") from None

    def check_labels(self, severities: list[Any], error_types: list[Any]) -> None:
        """Fail before training, naming the first unknown label."""
        for s in severities:
            self.severity(s)
        for t in error_types:
            self.type_weight(t)
