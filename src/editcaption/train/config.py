"""Training configs: one dataclass per algorithm, loaded from YAML and overridden by ``key=value``.

Every field carries its help text in ``metadata["help"]`` (``editcaption train options sft|dpo``
prints them). Nested sections (``lora``, ``tiny``) are addressed with dots on the command
line: ``editcaption train sft cfg.yaml lora.enabled=true lora.r=8 learning_rate=2e-4``.
Values are parsed as YAML scalars and checked against the field's type.

This module imports nothing heavy: the CLI reads configs without torch.
"""

from __future__ import annotations

import dataclasses
import difflib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml


class ConfigError(ValueError):
    """A config file or override that cannot be used; ``str()`` is one line."""


def _help(text: str, **kw: Any) -> Any:
    return field(metadata={"help": text}, **kw)


@dataclass
class TinyModelSettings:
    """Sizes for ``model: tiny:<family>`` (a randomly initialised model built offline)."""

    hidden: int = _help("Width of the language model.", default=64)
    layers: int = _help("Language-model layers.", default=2)
    heads: int = _help("Attention heads (hidden must be a multiple).", default=4)
    kv_heads: int = _help("Key/value heads.", default=2)
    vision_hidden: int | None = _help("Width of the vision tower (default: hidden).", default=None)
    vision_layers: int | None = _help("Vision-tower blocks (default: layers).", default=None)
    image_size: int | None = _help("Image side budget in pixels (default 112 Qwen2/2.5-VL, 128 Qwen3-VL).",
                                   default=None)
    init_range: float = _help("initializer_range; 0.08 lets a tiny Qwen3-VL learn direction.", default=0.02)
    seed: int = _help("Seed of the random initialisation and the tokenizer corpus.", default=0)


@dataclass
class LoraSettings:
    """LoRA through PEFT; off means full fine-tuning."""

    enabled: bool = _help("Train LoRA adapters instead of all weights.", default=False)
    r: int = _help("LoRA rank.", default=16)
    alpha: int = _help("LoRA alpha (scale = alpha / r).", default=32)
    dropout: float = _help("Dropout on the LoRA branch.", default=0.05)
    target_modules: list[str] = _help(
        "Module names that get adapters.",
        default_factory=lambda: ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
    )
    exclude_vision: bool = _help("Keep the vision tower free of adapters.", default=True)
    merge_on_save: bool = _help("Save the final model with the adapters merged (loads like a full model).",
                                default=True)


@dataclass
class TrainConfig:
    """Settings both stages share."""

    model: str = _help("Model to start from: a local directory, a hub id, or tiny:<family> "
                       "(qwen2_vl, qwen2_5_vl, qwen3_vl, qwen3_vl_moe).", default="tiny:qwen2_5_vl")
    tiny: TinyModelSettings = _help("Sizes for a tiny:<family> model.", default_factory=TinyModelSettings)
    data: str = _help("Exported dataset directory (train.parquet, optional val.parquet).", default="")
    output_dir: str = _help("Where checkpoints, logs and the final model go.", default="runs/train")
    eval_split: str | None = _help("Split evaluated during training, when its file exists.", default="val")
    max_length: int = _help("Longest sequence (prompt with image tokens + answer). Longer samples are "
                            "refused, never truncated.", default=8192)
    scan_lengths: bool = _help("Measure every sample before training so too-long ones are refused up front "
                               "(false: a too-long sample stops the run when its batch comes).", default=True)
    skip_too_long: bool = _help("Drop samples longer than max_length (counted and reported) instead of "
                                "stopping with an error.", default=False)
    image_max_pixels: int | None = _help("Pixel budget per image for the processor (default: the model's).",
                                         default=None)
    image_min_pixels: int | None = _help("Lower pixel bound per image (default: the model's).", default=None)
    image_backend: str = _help("Image-processor class: pil (default; the same pixels on every machine) or "
                               "torchvision (needs torchvision). Recorded in every saved processor, so checkpoints, "
                               "the reference pass and hf: captioning preprocess exactly as training did.",
                               default="pil")
    epochs: float = _help("Training epochs.", default=1.0)
    max_steps: int = _help("Stop after this many optimizer steps (-1: run all epochs).", default=-1)
    per_device_batch_size: int = _help("Samples (pairs, for DPO) per device per micro-step.", default=1)
    global_batch_size: int | None = _help("Samples per optimizer step over all devices; sets gradient "
                                          "accumulation = global / (per_device × devices).", default=None)
    gradient_accumulation_steps: int = _help("Micro-steps per optimizer step (when global_batch_size is unset).",
                                             default=1)
    learning_rate: float = _help("Peak learning rate (AdamW).", default=1e-5)
    lr_scheduler: str = _help("Learning-rate schedule (transformers name: cosine, linear, constant, ...).",
                              default="cosine")
    warmup_ratio: float = _help("Fraction of steps spent warming up.", default=0.03)
    weight_decay: float = _help("AdamW weight decay.", default=0.0)
    max_grad_norm: float = _help("Gradient clipping norm.", default=1.0)
    optim: str = _help("Optimizer (transformers name).", default="adamw_torch")
    precision: str = _help("Mixed precision for compute: bf16, fp16 or fp32 (no autocast).", default="bf16")
    model_dtype: str = _help("dtype the weights are loaded in: fp32, bf16 or fp16 (bf16 halves memory; "
                             "DeepSpeed/FSDP keep fp32 optimizer state).", default="fp32")
    attn_implementation: str = _help("Attention kernel (sdpa, eager, flash_attention_2).", default="sdpa")
    liger_kernels: bool = _help("Fused Triton kernels (Liger: RMSNorm, rotary embedding) for the Qwen-VL families; "
                                "CUDA only, needs the gpu extra.", default=False)
    gradient_checkpointing: bool = _help("Recompute activations in backward to save memory.", default=False)
    freeze_vision: bool = _help("Keep the vision tower frozen.", default=False)
    lora: LoraSettings = _help("LoRA settings.", default_factory=LoraSettings)
    seed: int = _help("Seed for initialisation-free randomness (data order, dropout).", default=42)
    logging_steps: int = _help("Log metrics every N optimizer steps.", default=10)
    save_steps: int = _help("Checkpoint every N optimizer steps (what --resume continues from).", default=500)
    save_total_limit: int | None = _help("Keep at most this many checkpoints.", default=3)
    eval_steps: int | None = _help("Evaluate every N steps (default: at logging steps when a val split exists).",
                                   default=None)
    report_to: list[str] = _help("Metric sinks: tensorboard, wandb, none.", default_factory=lambda: ["tensorboard"])
    dataloader_num_workers: int = _help("Worker processes that decode images and run the processor.", default=0)
    log_batch_ids: bool = _help("Write the sample ids of every micro-batch to batch_ids.rank<N>.jsonl.",
                                default=False)
    router_aux_loss_coef: float | None = _help("MoE router load-balancing loss weight (default: the model "
                                               "config's, when it outputs router logits).", default=None)


@dataclass
class SFTConfig(TrainConfig):
    """Stage 1 (paper §3.2 eq. 1): cross-entropy on the answer tokens only."""


HAE_LOSSES = ("dpo", "hae", "hae-severity", "hae-hardness")

# s_i and c(t_i) of eq. 3 (paper §3.2). Kept here, torch-free, because exports write the
# static margin too (the ms-swift format's `margin` key).
DEFAULT_SEVERITY_WEIGHTS: dict[str, float] = {"P0": 1.0, "P1": 0.5, "P2": 0.0}
DEFAULT_TYPE_WEIGHTS: dict[str, float] = {"orientation": 0.2, "viewpoint": 0.15, "detail": 0.1}


def static_margin(severity: str, error_type: str, gamma_st: float = 1.0) -> float:
    """γ_st·s·c(t), the part of the HAE margin that needs no model, with the default weights."""
    return gamma_st * DEFAULT_SEVERITY_WEIGHTS[severity] * DEFAULT_TYPE_WEIGHTS[error_type]


@dataclass
class DPOConfig(TrainConfig):
    """Stage 2 (paper §3.2 eq. 2-3): DPO with the HAE per-pair margin."""

    learning_rate: float = _help("Peak learning rate (AdamW).", default=5e-6)
    loss: str = _help("dpo (no margin), hae (both margin terms), hae-severity (only γ_st·s·c), "
                      "hae-hardness (only the hardness term).", default="hae")
    beta: float = _help("DPO β.", default=0.1)
    tau: float = _help("Hardness temperature τ (eq. 3).", default=1.0)
    hardness_center: float = _help(
        "Subtracted from Δref = ℓ_ref(rejected) − ℓ_ref(chosen) before σ(·/τ). 0 (default) is eq. 3; the "
        "preference set's median Δref, with τ its spread, makes h rank the pairs when Δref is positive for nearly "
        "all of them (a departure from the paper; docs/method.md, \"Hardness\").", default=0.0)
    gamma_st: float = _help("γ_st, weight of the severity × type term.", default=1.0)
    gamma_h: float = _help("γ_h, weight of the hardness term.", default=1.0)
    severity_weights: dict[str, float] = _help(
        "Severity label → s_i. The paper lists s ∈ [0, 0.5, 1] and says severe errors get larger margins.",
        default_factory=lambda: dict(DEFAULT_SEVERITY_WEIGHTS),
    )
    type_weights: dict[str, float] = _help(
        "Error type → c(t_i) (paper §3.2).",
        default_factory=lambda: dict(DEFAULT_TYPE_WEIGHTS),
    )
    chosen_nll_weight: float = _help(
        "α of an extra α·NLL(chosen) term (per-token mean), as RPO (Pang et al. 2024) and TRL's rpo_alpha add; "
        "it keeps the policy near the chosen answers when a small preference set would otherwise push it off "
        "them. 0 (default) is the paper's loss.", default=0.0)
    hardness_norm: str = _help("Reference log-prob in the hardness term: mean (per token, default) or sum "
                               "(eq. 3 literally; saturates σ for long answers).", default="mean")
    reference: str | None = _help("Reference model for the precomputed log-probs (default: model, i.e. the "
                                  "frozen SFT checkpoint).", default=None)
    reference_batch_size: int = _help("Pairs per batch in the reference log-prob pass.", default=4)
    prefix_sharing: bool = _help("Score each pair as one row (prompt, then chosen, then rejected), so the prompt "
                                 "and its images go through the model once instead of twice (Qwen2-VL, Qwen2.5-VL, "
                                 "Qwen3-VL dense and MoE; with flash_attention_2 the language model runs SDPA "
                                 "with the mask; other models use dpo_forward, with a log line). Also used by "
                                 "the reference pass.", default=True)
    prefix_mask: str = _help("How prefix-shared rows mask chosen from rejected: auto (flex on CUDA, dense "
                             "elsewhere), dense (a [B,1,L,L] mask through SDPA) or flex (a FlexAttention block mask: "
                             "only allowed blocks are computed).", default="auto")
    dpo_forward: str = _help("How chosen and rejected are scored when prefix sharing is off or unsupported: "
                             "concat (prompt encoded per answer).", default="concat")


CONFIG_CLASSES: dict[str, type[TrainConfig]] = {"sft": SFTConfig, "dpo": DPOConfig}


# --------------------------------------------------------------------------- loading


def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _is_dataclass_type(tp: Any) -> bool:
    return isinstance(tp, type) and dataclasses.is_dataclass(tp)


def _coerce(value: Any, tp: Any, key: str) -> Any:
    """Check ``value`` against the annotation ``tp`` (converting int → float and scalars → str)."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(tp)
        if value is None and type(None) in args:
            return None
        errors = []
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _coerce(value, arg, key)
            except ConfigError as exc:
                errors.append(str(exc))
        raise ConfigError(errors[0] if errors else f"{key}: invalid value {value!r}")
    if _is_dataclass_type(tp):
        if isinstance(value, tp):
            return value
        if not isinstance(value, dict):
            raise ConfigError(f"{key}: expected a mapping of {', '.join(f.name for f in dataclasses.fields(tp))}")
        return from_dict(tp, value, prefix=f"{key}.")
    if origin is list:
        (inner,) = typing.get_args(tp)
        if isinstance(value, str):
            value = [v for v in (s.strip() for s in value.split(",")) if v]
        if not isinstance(value, (list, tuple)):
            raise ConfigError(f"{key}: expected a list, got {value!r}")
        return [_coerce(v, inner, key) for v in value]
    if origin is dict:
        _, inner = typing.get_args(tp)
        if not isinstance(value, dict):
            raise ConfigError(f"{key}: expected a mapping, got {value!r}")
        return {str(k): _coerce(v, inner, f"{key}.{k}") for k, v in value.items()}
    if tp is bool:
        if isinstance(value, bool):
            return value
        raise ConfigError(f"{key}: expected true or false, got {value!r}")
    if tp is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        raise ConfigError(f"{key}: expected an integer, got {value!r}")
    if tp is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):  # YAML reads "1e-5" (no dot) as a string
            try:
                return float(value)
            except ValueError:
                pass
        raise ConfigError(f"{key}: expected a number, got {value!r}")
    if tp is str:
        if isinstance(value, (dict, list)) or value is None:
            raise ConfigError(f"{key}: expected text, got {value!r}")
        return str(value)
    return value


def _unknown(key: str, known: list[str]) -> ConfigError:
    close = difflib.get_close_matches(key, known, n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    return ConfigError(f"unknown config key {key!r}{hint}")


def from_dict(cls: type, data: dict[str, Any], prefix: str = "") -> Any:
    """Build ``cls`` from a mapping, rejecting unknown keys and wrong types."""
    hints = _hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    kwargs = {}
    for key, value in data.items():
        if key not in names:
            raise _unknown(prefix + key, [prefix + n for n in names])
        kwargs[key] = _coerce(value, hints[key], prefix + key)
    return cls(**kwargs)


def _set_dotted(data: dict[str, Any], dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    node = data
    for part in parts[:-1]:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise ConfigError(f"{dotted}: {part} is not a section")
    node[parts[-1]] = value


def parse_override(text: str) -> tuple[str, Any]:
    """``key=value`` → (key, YAML-parsed value)."""
    if "=" not in text:
        raise ConfigError(f"override {text!r} is not key=value")
    key, raw = text.split("=", 1)
    key = key.strip()
    if not key:
        raise ConfigError(f"override {text!r} has no key")
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError:
        value = raw
    return key, value


def load_config(kind: str, path: str | Path | None = None, overrides: list[str] | None = None) -> TrainConfig:
    """Read a YAML config for ``kind`` (sft or dpo) and apply ``key=value`` overrides."""
    if kind not in CONFIG_CLASSES:
        raise ConfigError(f"unknown training kind {kind!r}")
    data: dict[str, Any] = {}
    if path is not None:
        p = Path(path)
        if not p.is_file():
            raise ConfigError(f"{p}: no such config file")
        try:
            loaded = yaml.safe_load(p.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise ConfigError(f"{p}: not valid YAML ({str(exc).splitlines()[0]})") from None
        if loaded is not None and not isinstance(loaded, dict):
            raise ConfigError(f"{p}: the top level must be a mapping of config keys")
        data = loaded or {}
    for item in overrides or []:
        key, value = parse_override(item)
        _set_dotted(data, key, value)
    cfg = from_dict(CONFIG_CLASSES[kind], data)
    validate(cfg)
    return cfg


def validate(cfg: TrainConfig) -> None:
    if cfg.precision not in ("bf16", "fp16", "fp32"):
        raise ConfigError(f"precision: expected bf16, fp16 or fp32, got {cfg.precision!r}")
    if cfg.model_dtype not in ("bf16", "fp16", "fp32"):
        raise ConfigError(f"model_dtype: expected bf16, fp16 or fp32, got {cfg.model_dtype!r}")
    if cfg.image_backend not in ("pil", "torchvision"):
        raise ConfigError(f"image_backend: expected pil or torchvision, got {cfg.image_backend!r}")
    if not cfg.data:
        raise ConfigError("data: no dataset directory given (set data: in the config or data=DIR)")
    if cfg.max_length <= 0:
        raise ConfigError("max_length must be positive")
    if cfg.per_device_batch_size <= 0:
        raise ConfigError("per_device_batch_size must be positive")
    if isinstance(cfg, DPOConfig):
        if cfg.loss not in HAE_LOSSES:
            raise ConfigError(f"loss: expected one of {', '.join(HAE_LOSSES)}, got {cfg.loss!r}")
        if cfg.hardness_norm not in ("mean", "sum"):
            raise ConfigError(f"hardness_norm: expected mean or sum, got {cfg.hardness_norm!r}")
        if cfg.tau <= 0:
            raise ConfigError("tau must be positive")
        if cfg.prefix_mask not in ("auto", "dense", "flex"):
            raise ConfigError(f"prefix_mask: expected auto, dense or flex, got {cfg.prefix_mask!r}")
        if cfg.chosen_nll_weight < 0:
            raise ConfigError("chosen_nll_weight must be 0 or more")


def to_dict(cfg: Any) -> dict[str, Any]:
    return dataclasses.asdict(cfg)


def dump_yaml(cfg: Any) -> str:
    return yaml.safe_dump(to_dict(cfg), sort_keys=False, allow_unicode=True)


def describe(cls: type, prefix: str = "") -> list[tuple[str, str, Any, str]]:
    """(key, type, default, help) for every field, nested sections flattened with dots."""
    rows: list[tuple[str, str, Any, str]] = []
    hints = _hints(cls)
    default = cls()
    for f in dataclasses.fields(cls):
        tp = hints[f.name]
        value = getattr(default, f.name)
        if _is_dataclass_type(tp):
            rows.extend(describe(tp, prefix=f"{prefix}{f.name}."))
            continue
        type_name = str(tp).replace("typing.", "") if not isinstance(tp, type) else tp.__name__
        rows.append((prefix + f.name, type_name, value, f.metadata.get("help", "")))
    return rows
