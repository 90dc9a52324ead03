"""Training: SFT and HAE-DPO for multi-image VLMs, built on public Hugging Face APIs.

Modules (import them directly; this package imports nothing heavy on its own):

- ``tiny``      tiny Qwen2-VL / Qwen2.5-VL / Qwen3-VL (dense and MoE) models built fully offline
- ``hfcompat``  load/save models and processors with or without torchvision
- ``config``    the SFT and DPO config dataclasses (YAML + ``key=value`` overrides)
- ``data``      reading exported datasets (Parquet directories)
- ``collator``  the one collator both stages share
- ``logprobs``  per-sequence log-probabilities of completions (the swappable DPO forward)
- ``prefix_sharing`` the prefix-shared DPO forward: one [prompt | chosen | rejected] row per pair
- ``attention`` its attention hook (a function registered with transformers' AttentionInterface)
- ``hae``       the HAE-DPO loss (paper eq. 2-3) and its margin
- ``reference`` the precomputed reference log-prob pass
- ``trainers``  ``transformers.Trainer`` subclasses for SFT and DPO
- ``run``       what ``editcaption train sft|dpo`` calls
"""
