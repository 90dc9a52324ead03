"""The whole paper loop in miniature, on a CPU (``editcaption reproduce mini``).

Stages, each the project's own (the paper section it stands for in brackets):

1. teacher captions — the ``delta`` captioner plus injected mistakes (§4.1, GLM-4.5V);
2. score and filter — EditWorld's exact scorer as the reward, threshold 4.0 (§4.1, EditScore);
3. refinement — a simulated annotator writes the reference instruction (§4.1, human refinement);
4. SFT on the refined set, with a deliberately small budget (§3.2 eq. 1);
5. failure mining — the SFT model on fresh pairs, errors found and labelled (§4.2);
6. preference training — DPO, HAE-DPO and its two ablations from the same SFT model (§3.2 eq. 2–3, Table 4);
7. evaluation on held-out pairs — S / Accuracy / Completeness / Clarity and P0 rates (Tables 3–4).

Two regimes: ``perception`` (the default; the SFT model's errors are what it cannot see) and
``systematic`` (:func:`systematic_config`: scenes it can see, a pretrained-like start — SFT on
the reference instructions of pairs of its own — then fixed shares of the refined rows written
wrong the same way — ``habits`` — a linear ``probe`` of what it perceives, a validation split, and
eq. 3's hardness both literally and standardised).

Library use::

    from editcaption.reproduce import quick_config, run_mini
    result = run_mini(quick_config(), "mini-run")   # resumes when run again
    print(result.markdown)

Modules: ``config`` (presets), ``scenes`` (EditWorld pairs per role), ``mistakes`` and ``teacher``
(stages 1–2), ``annotator`` (the simulated annotator), ``training`` (exports, SFT, preference runs),
``mining`` (stage 5), ``evaluation`` (captioning with a checkpoint, metrics), ``tasks`` and
``runner`` (the task graph on worker processes), ``report`` and ``stats`` (the tables), ``api``;
for the systematic regime ``habits`` (the injected wording errors), ``probe`` (linear probes on
hidden states) and ``systematic`` (its measures and report sections).
"""

from __future__ import annotations

from .api import MiniResult, run_mini
from .config import MiniConfig, full_config, quick_config, systematic_config

__all__ = ["MiniConfig", "MiniResult", "full_config", "quick_config", "run_mini", "systematic_config"]
