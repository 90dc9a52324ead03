"""Stages 4 and 6: the tiny start model, dataset exports, SFT and the preference runs.

Everything goes through the project's own stages: ``export sft|prefs`` (Hugging Face format),
``train sft``, ``train reference`` (one reference pass shared by the four preference runs) and
``train dpo`` with ``loss`` = dpo | hae | hae-severity | hae-hardness (paper Table 4). torch is
imported inside the functions only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..export import ExportOptions, export_prefs, export_sft
from ..workspace import Workspace
from .config import LITERAL_HAE, MiniConfig, SFTBudget

PROMPT = "Write the editing instruction that turns image 1 into image 2."
GROUNDED_PROMPT = PROMPT + "\nMeasured differences:\n{hints}"


def write_prompts(directory: Path) -> tuple[Path, Path]:
    """The short prompt files the mini run trains and asks with (plain and grounded)."""
    directory.mkdir(parents=True, exist_ok=True)
    plain, grounded = directory / "mini.txt", directory / "mini-grounded.txt"
    plain.write_text(PROMPT + "\n", encoding="utf-8")
    grounded.write_text(GROUNDED_PROMPT + "\n", encoding="utf-8")
    return plain, grounded


def build_start_model(config: MiniConfig, seed: int, corpus: list[str], out: Path) -> Path:
    """A randomly initialised tiny Qwen-VL whose tokenizer also learned ``corpus`` (saved to ``out``)."""
    from ..train.tiny import build_tiny, save_tiny

    m = config.model
    model, processor = build_tiny(m.family, seed=seed, hidden=m.hidden, layers=m.layers, heads=m.heads,
                                  kv_heads=m.kv_heads, vision_hidden=m.vision_hidden, vision_layers=m.vision_layers,
                                  image_size=config.image_size, init_range=m.init_range, vocab_size=m.vocab_size,
                                  extra_corpus=corpus)
    save_tiny(model, processor, out)
    return out


def _export_options(pair_ids: list[str], prompt: Path, **kw: Any) -> ExportOptions:
    # every selected pair goes to train (the held-out pairs are never exported), no near-duplicate
    # grouping needed: the roles come from separate EditWorld runs
    return ExportOptions(format="hf", where={"id": pair_ids}, split="train=1", near_dup_distance=-1,
                         prompt_path=prompt, overwrite=True, **kw)


def export_sft_set(ws: Workspace, pair_ids: list[str], prompt: Path, out: Path, *, grounded: bool = False) -> dict:
    """The refined instructions of ``pair_ids`` as an SFT set (``grounded``: each prompt with its delta hints)."""
    report = export_sft(ws, out, _export_options(pair_ids, prompt, source="refined", balance="none", grounded=grounded))
    return report.as_json()


def export_preference_set(ws: Workspace, pair_ids: list[str], prompt: Path, out: Path, balance: str) -> dict[str, Any]:
    report = export_prefs(ws, out, _export_options(pair_ids, prompt, balance=balance))
    return report.as_json()


def _common(config: MiniConfig, seed: int, data: Path, output_dir: Path) -> dict[str, Any]:
    return {"data": str(data), "output_dir": str(output_dir), "eval_split": None, "precision": "fp32",
            "report_to": ["none"], "logging_steps": 20, "seed": seed, "lr_scheduler": "cosine", "weight_decay": 0.0,
            "scan_lengths": False, "save_total_limit": 1}


def train_sft(config: MiniConfig, seed: int, start_model: Path, data: Path, output_dir: Path,
              steps: int | None = None, *, budget: SFTBudget | None = None) -> dict[str, Any]:
    """SFT with the run's limited budget (``budget``, else ``config.sft``); returns the trainer summary
    (the model is in ``output_dir/final``)."""
    from ..train.config import SFTConfig, validate
    from ..train.run import run_sft

    b = budget or config.sft
    cfg = SFTConfig(model=str(start_model), max_steps=steps or b.steps, per_device_batch_size=b.batch_size,
                    learning_rate=b.learning_rate, warmup_ratio=b.warmup_ratio, save_steps=(steps or b.steps) + 1,
                    **_common(config, seed, data, output_dir))
    validate(cfg)
    return run_sft(cfg)


def delta_ref_per_token(data: Path) -> list[float]:
    """Δref = ℓ_ref(rejected) − ℓ_ref(chosen) per pair, on per-token mean log-probs, of a set the
    reference pass has annotated."""
    import pyarrow.parquet as pq

    t = pq.read_table(data / "train.parquet", columns=["ref_chosen_logps_mean", "ref_rejected_logps_mean"])
    return [r - c for r, c in zip(t["ref_rejected_logps_mean"].to_pylist(), t["ref_chosen_logps_mean"].to_pylist(),
                                  strict=True)]


def standardised_hardness(deltas: list[float]) -> tuple[float, float]:
    """(centre, τ) that spread h = σ((Δref − centre)/τ) over the set: its median and its interquartile
    range / 1.349 (a standard deviation that one outlying pair cannot inflate)."""
    import statistics

    if len(deltas) < 4:
        raise ValueError(f"standardised hardness needs at least 4 preference pairs, got {len(deltas)}")
    q1, median, q3 = statistics.quantiles(deltas, n=4)
    return median, max((q3 - q1) / 1.349, 1e-3)


def hardness_setting(config: MiniConfig, data: Path, loss: str) -> dict[str, Any]:
    """What the hardness term of run ``loss`` reads: eq. 3 as configured, eq. 3 literally
    (``hae-eq3``: summed log-probs, τ 1, no centre), or standardised on this preference set."""
    b = config.dpo
    if loss == LITERAL_HAE:
        return {"loss": "hae", "hardness_norm": "sum", "tau": 1.0, "hardness_center": 0.0}
    if b.hardness_scale == "standardised":
        center, tau = standardised_hardness(delta_ref_per_token(data))
        return {"loss": loss, "hardness_norm": "mean", "tau": tau, "hardness_center": center}
    return {"loss": loss, "hardness_norm": b.hardness_norm, "tau": b.tau, "hardness_center": 0.0}


def _dpo_config(config: MiniConfig, seed: int, sft_model: Path, data: Path, output_dir: Path, loss: str,
                hardness: dict[str, Any] | None = None) -> Any:
    from ..train.config import DPOConfig, validate

    b = config.dpo
    h = hardness or {"loss": loss, "hardness_norm": b.hardness_norm, "tau": b.tau, "hardness_center": 0.0}
    cfg = DPOConfig(model=str(sft_model), max_steps=b.steps, per_device_batch_size=b.batch_size,
                    learning_rate=b.learning_rate, warmup_ratio=b.warmup_ratio, beta=b.beta, gamma_st=b.gamma_st,
                    gamma_h=b.gamma_h, chosen_nll_weight=b.chosen_nll_weight, save_steps=b.steps + 1,
                    reference_batch_size=16, **h, **_common(config, seed, data, output_dir))
    validate(cfg)
    return cfg


def reference_pass(config: MiniConfig, seed: int, sft_model: Path, data: Path, out: Path, work: Path) -> dict:
    """Reference log-probs of the SFT model for every preference pair, written into a copy of the set."""
    from ..train.run import run_reference

    return run_reference(_dpo_config(config, seed, sft_model, data, work, "dpo"), out)


def train_preference(config: MiniConfig, seed: int, sft_model: Path, data: Path, output_dir: Path,
                     loss: str) -> dict[str, Any]:
    """One preference run from the SFT checkpoint (``loss`` picks the Table 4 row, or ``hae-eq3``)."""
    from ..train.run import run_dpo

    setting = hardness_setting(config, data, loss)
    summary = run_dpo(_dpo_config(config, seed, sft_model, data, output_dir, loss, setting))
    return {**summary, "hardness_setting": setting}
