"""What ``editcaption train sft|dpo|reference`` runs: model, data, reference pass, Trainer, final save."""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ..importutils import require
from .config import ConfigError, DPOConfig, SFTConfig, TrainConfig, dump_yaml

DTYPES = {"fp32": "float32", "bf16": "bfloat16", "fp16": "float16"}
VISION_NAMES = ("visual", "vision_tower", "vision_model")


class TrainError(RuntimeError):
    """A run that cannot start or continue; ``str()`` is one line."""


def _is_main() -> bool:
    return int(os.environ.get("RANK", "0")) == 0


def quiet_progress_bars() -> None:
    """No per-shard/per-split progress bars in logs (the Trainer's own progress stays)."""
    import datasets
    from transformers.utils import logging as hf_logging

    datasets.disable_progress_bars()
    hf_logging.disable_progress_bar()


def say(message: str) -> None:
    if _is_main():
        print(f"[editcaption train] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- model


def load_start_model(cfg: TrainConfig, spec: str | None = None) -> tuple[Any, Any]:
    """The model named by ``spec`` (default ``cfg.model``) and its processor, configured per ``cfg``."""
    import torch
    from transformers import AutoModelForImageTextToText

    from .collator import configure_image_processor
    from .hfcompat import load_processor
    from .tiny import FAMILIES, build_tiny

    spec = spec or cfg.model
    dtype = getattr(torch, DTYPES[cfg.model_dtype])
    if spec.startswith("tiny:"):
        family = spec.split(":", 1)[1]
        if family not in FAMILIES:
            raise ConfigError(f"model: unknown tiny family {family!r}; choose one of {', '.join(FAMILIES)}")
        model, processor = build_tiny(family, **asdict(cfg.tiny), image_backend=cfg.image_backend)
        model.to(dtype)
    else:
        if not Path(spec).exists() and "/" not in spec:
            raise ConfigError(f"model: {spec} is neither a directory nor a hub id")
        model = AutoModelForImageTextToText.from_pretrained(spec, dtype=dtype,
                                                            attn_implementation=cfg.attn_implementation)
        processor = load_processor(spec, image_backend=cfg.image_backend)
    configure_image_processor(processor, max_pixels=cfg.image_max_pixels, min_pixels=cfg.image_min_pixels)
    if cfg.liger_kernels:
        from .kernels import apply_liger

        try:
            apply_liger(model)
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
        say("Liger kernels on (RMSNorm, rotary embedding)")
    return model, processor


def prepare_for_training(model: Any, cfg: TrainConfig) -> Any:
    """Freeze the vision tower (keeping its merger/projector) and/or add LoRA adapters."""
    if cfg.freeze_vision:
        for name, param in model.named_parameters():
            if any(v in name for v in VISION_NAMES) and "merger" not in name:
                param.requires_grad_(False)
    if not cfg.lora.enabled:
        return model
    require("peft", feature="LoRA training")
    from peft import LoraConfig, get_peft_model

    lora = LoraConfig(r=cfg.lora.r, lora_alpha=cfg.lora.alpha, lora_dropout=cfg.lora.dropout,
                      target_modules=list(cfg.lora.target_modules), task_type="CAUSAL_LM",
                      exclude_modules=(r".*(" + "|".join(VISION_NAMES) + r").*") if cfg.lora.exclude_vision else None)
    model = get_peft_model(model, lora)
    if cfg.gradient_checkpointing:
        model.enable_input_require_grads()
    return model


def restore_weights(model: Any, checkpoint: Path | None, cfg: TrainConfig) -> None:
    """Load a full-model checkpoint's weights into ``model`` before the Trainer resumes.

    The Trainer's own resume loader reads the safetensors file with ``load_state_dict`` and
    misses the key renaming that transformers applies to Qwen-VL checkpoints on save/load
    (huggingface/transformers#43701): it silently loads nothing. ``from_pretrained`` applies
    the renaming, so we load through it. LoRA checkpoints hold adapters only; PEFT loads those.
    """
    if checkpoint is None or cfg.lora.enabled or not (checkpoint / "config.json").is_file():
        return
    from transformers import AutoModelForImageTextToText

    loaded = AutoModelForImageTextToText.from_pretrained(str(checkpoint), dtype=next(model.parameters()).dtype)
    model.load_state_dict(loaded.state_dict(), strict=True)
    del loaded
    say(f"weights restored from {checkpoint.name} (the Trainer's missing-key warning that follows is expected: "
        "its loader does not rename Qwen-VL keys)")


def router_aux_coef(model: Any, cfg: TrainConfig) -> float:
    if cfg.router_aux_loss_coef is not None:
        return float(cfg.router_aux_loss_coef)
    text = getattr(model.config, "text_config", model.config)
    if getattr(text, "output_router_logits", False):
        return float(getattr(text, "router_aux_loss_coef", 0.0) or 0.0)
    return 0.0


def is_moe(spec: str) -> bool:
    """Whether the model named by ``spec`` routes tokens to experts (read from its config, not its weights)."""
    if spec.startswith("tiny:"):
        return spec.endswith("_moe")
    from transformers import AutoConfig

    config = AutoConfig.from_pretrained(spec)
    text = getattr(config, "text_config", config)
    return bool(getattr(text, "num_experts", 0))


# --------------------------------------------------------------------------- data


def load_data(cfg: TrainConfig, kind: str) -> tuple[Any, Any]:
    from .data import check_columns, load_split

    train = load_split(cfg.data, "train", required=True)
    check_columns(train, kind, f"{cfg.data}/train.parquet")
    evaluation = load_split(cfg.data, cfg.eval_split) if cfg.eval_split else None
    if evaluation is not None:
        check_columns(evaluation, kind, f"{cfg.data}/{cfg.eval_split}.parquet")
    return train, evaluation


def refuse_or_skip_long(dataset: Any, collator: Any, cfg: TrainConfig, split: str) -> tuple[Any, int]:
    """Stop on samples longer than max_length (or drop them with ``skip_too_long``)."""
    from .collator import scan_lengths

    if not cfg.scan_lengths:
        return dataset, 0
    too_long = scan_lengths(dataset, collator)
    if not too_long:
        return dataset, 0
    first = too_long[0]
    if not cfg.skip_too_long:
        raise TrainError(f"{split}: {len(too_long)} sample(s) exceed max_length {cfg.max_length} (e.g. {first[1]} "
                         f"with {first[2]} tokens); raise max_length, lower image_max_pixels, or set skip_too_long=true "
                         "(samples are never truncated)")
    drop = {i for i, _, _ in too_long}
    say(f"{split}: skipping {len(drop)} sample(s) longer than max_length {cfg.max_length}")
    return dataset.select([i for i in range(len(dataset)) if i not in drop]), len(drop)


# --------------------------------------------------------------------------- trainer arguments


def sharded_weights() -> bool:
    """True when accelerate/transformers will partition the weights (ZeRO-3 or FSDP)."""
    from transformers.integrations import is_deepspeed_zero3_enabled

    return bool(is_deepspeed_zero3_enabled() or os.environ.get("ACCELERATE_USE_FSDP", "").lower() in ("1", "true"))


def world_size() -> int:
    return int(os.environ.get("WORLD_SIZE", "1"))


def accumulation_steps(cfg: TrainConfig) -> int:
    if cfg.global_batch_size is None:
        return cfg.gradient_accumulation_steps
    per_step = cfg.per_device_batch_size * world_size()
    if cfg.global_batch_size % per_step:
        raise ConfigError(f"global_batch_size {cfg.global_batch_size} is not a multiple of per_device_batch_size × "
                          f"devices = {per_step}")
    return cfg.global_batch_size // per_step


def training_arguments(cfg: TrainConfig, *, has_eval: bool, moe: bool) -> Any:
    import torch
    from transformers import TrainingArguments

    cpu = not torch.cuda.is_available()
    report = [r for r in cfg.report_to if r != "none"] or "none"
    eval_steps = cfg.eval_steps or cfg.logging_steps
    return TrainingArguments(
        output_dir=cfg.output_dir,
        num_train_epochs=cfg.epochs,
        max_steps=cfg.max_steps,
        per_device_train_batch_size=cfg.per_device_batch_size,
        per_device_eval_batch_size=cfg.per_device_batch_size,
        gradient_accumulation_steps=accumulation_steps(cfg),
        learning_rate=cfg.learning_rate,
        lr_scheduler_type=cfg.lr_scheduler,
        warmup_steps=cfg.warmup_ratio,  # a value below 1 is a ratio of the total steps
        weight_decay=cfg.weight_decay,
        max_grad_norm=cfg.max_grad_norm,
        optim=cfg.optim,
        bf16=cfg.precision == "bf16",
        fp16=cfg.precision == "fp16",
        use_cpu=cpu,
        activation_checkpointing=cfg.gradient_checkpointing,
        logging_steps=cfg.logging_steps,
        save_strategy="steps",
        save_steps=cfg.save_steps,
        save_total_limit=cfg.save_total_limit,
        eval_strategy="steps" if has_eval else "no",
        eval_steps=eval_steps if has_eval else None,
        report_to=report,
        seed=cfg.seed,
        remove_unused_columns=False,  # our collator needs every column (ids, labels, reference log-probs)
        dataloader_num_workers=cfg.dataloader_num_workers,
        ddp_find_unused_parameters=moe,  # experts a batch does not route to get no gradient
        ddp_backend="gloo" if cpu and world_size() > 1 else None,
        disable_tqdm=not sys.stderr.isatty(),
    )


def check_output_dir(cfg: TrainConfig, resume: bool) -> Path | None:
    from .trainers import any_checkpoint, last_complete_checkpoint

    if resume:
        ckpt = last_complete_checkpoint(cfg.output_dir)
        if ckpt is None:
            raise TrainError(f"{cfg.output_dir}: no complete checkpoint to resume from")
        say(f"resuming from {ckpt}")
        return ckpt
    if any_checkpoint(cfg.output_dir):
        raise TrainError(f"{cfg.output_dir} already has checkpoints; pass --resume to continue, or choose another "
                         "output_dir")
    return None


def _write_config(cfg: TrainConfig, kind: str) -> None:
    if _is_main():
        out = Path(cfg.output_dir)
        out.mkdir(parents=True, exist_ok=True)
        (out / "editcaption-config.yaml").write_text(f"# kind: {kind}\n" + dump_yaml(cfg), encoding="utf-8")


def _batch_log(cfg: TrainConfig) -> Path | None:
    if not cfg.log_batch_ids:
        return None
    Path(cfg.output_dir).mkdir(parents=True, exist_ok=True)
    return Path(cfg.output_dir) / f"batch_ids.rank{int(os.environ.get('RANK', '0'))}.jsonl"


# --------------------------------------------------------------------------- save


def save_final(trainer: Any, processor: Any, cfg: TrainConfig) -> Path:
    """Write the trained model (LoRA merged unless sharded or merge_on_save is off) and its processor."""
    from .hfcompat import save_model_and_processor, save_processor

    final = Path(cfg.output_dir) / "final"
    sharded = getattr(trainer, "is_deepspeed_enabled", False) or getattr(trainer, "is_fsdp_enabled", False)
    if cfg.lora.enabled and cfg.lora.merge_on_save and not sharded:
        if trainer.accelerator.is_main_process:
            merged = trainer.accelerator.unwrap_model(trainer.model).merge_and_unload()
            save_model_and_processor(merged, processor, final)
    else:
        trainer.save_model(str(final))
        if trainer.accelerator.is_main_process:
            save_processor(processor, final)
    trainer.accelerator.wait_for_everyone()
    return final


def _log_param_checksum(trainer: Any, cfg: TrainConfig) -> None:
    """With ``log_batch_ids``, each process records a checksum of its final weights (DDP replicas must agree)."""
    path = _batch_log(cfg)
    if path is None:
        return
    import torch

    with torch.no_grad():
        total = sum(float(p.double().sum()) for p in trainer.accelerator.unwrap_model(trainer.model).parameters())
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps({"final_param_sum": total, "rank": trainer.args.process_index}) + "\n")


def _summary(trainer: Any, cfg: TrainConfig, kind: str, final: Path, started: float, extra: dict[str, Any]) -> dict:
    history = trainer.state.log_history
    train_logs = [h for h in history if "loss" in h]
    eval_logs = [h for h in history if "eval_loss" in h]
    summary = {
        "kind": kind,
        "global_step": trainer.state.global_step,
        "world_size": trainer.args.world_size,
        "distributed": str(trainer.accelerator.distributed_type).rsplit(".", 1)[-1],  # NO, MULTI_GPU, FSDP, DEEPSPEED
        "device": str(trainer.args.device),
        "first_logged": train_logs[0] if train_logs else None,
        "last_logged": train_logs[-1] if train_logs else None,
        "last_eval": eval_logs[-1] if eval_logs else None,
        "final_model": str(final),
        "seconds": round(time.time() - started, 2),
        **extra,
    }
    if _is_main():
        (Path(cfg.output_dir) / "train_summary.json").write_text(json.dumps(summary, indent=2, default=str),
                                                                 encoding="utf-8")
    return summary


# --------------------------------------------------------------------------- stages


def run_sft(cfg: SFTConfig, *, resume: bool = False) -> dict[str, Any]:
    """Supervised fine-tuning on an SFT export; returns the run summary."""
    require("torch", "transformers", "datasets", "accelerate", feature="editcaption train sft")
    from .collator import VLMCollator
    from .trainers import CheckpointMarker, SFTTrainer

    started = time.time()
    quiet_progress_bars()
    checkpoint = check_output_dir(cfg, resume)
    _write_config(cfg, "sft")
    train, evaluation = load_data(cfg, "sft")
    # Arguments before the model: under DeepSpeed ZeRO-3 the weights are then loaded already partitioned.
    args = training_arguments(cfg, has_eval=evaluation is not None, moe=is_moe(cfg.model))
    model, processor = load_start_model(cfg)
    collator = VLMCollator(processor, "sft", max_length=cfg.max_length, base_dir=cfg.data)
    train, skipped = refuse_or_skip_long(train, collator, cfg, "train")
    if evaluation is not None:
        evaluation, skipped_eval = refuse_or_skip_long(evaluation, collator, cfg, cfg.eval_split or "val")
        skipped += skipped_eval
    coef = router_aux_coef(model, cfg)
    restore_weights(model, checkpoint, cfg)
    model = prepare_for_training(model, cfg)
    trainer = SFTTrainer(model=model, args=args, train_dataset=train, eval_dataset=evaluation, data_collator=collator,
                         processing_class=None, callbacks=[CheckpointMarker(processor)], router_aux_loss_coef=coef,
                         batch_log_path=_batch_log(cfg))
    say(f"SFT on {len(train)} samples, model {cfg.model}, {_trainable(model)}")
    trainer.train(resume_from_checkpoint=str(checkpoint) if checkpoint else None)
    _log_param_checksum(trainer, cfg)
    final = save_final(trainer, processor, cfg)
    return _summary(trainer, cfg, "sft", final, started, {"skipped_too_long": skipped, "train_rows": len(train)})


def _trainable(model: Any) -> str:
    total = sum(p.numel() for p in model.parameters())
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return f"{trainable:,} of {total:,} parameters trainable"


def dpo_forward_for(cfg: DPOConfig, model: Any, role: str = "") -> tuple[str, Any]:
    """(name, forward) scoring pairs for ``model``: prefix-shared where supported and switched on."""
    from .prefix_sharing import resolve_dpo_forward

    name, forward, message = resolve_dpo_forward(model, prefix_sharing=cfg.prefix_sharing, fallback=cfg.dpo_forward,
                                                 prefix_mask=cfg.prefix_mask)
    say(role + message)
    return name, forward


def reference_values(cfg: DPOConfig, policy: Any, processor: Any, datasets_by_split: dict[str, Any],
                     policy_forward: tuple[str, Any] | None = None) -> dict:
    """Reference log-probs per split: from the dataset, from this run's store, or one new pass.

    The pass scores pairs with the forward training uses (``policy_forward`` when the reference
    is the policy itself), so policy and reference log-probs are computed the same way.
    """
    import torch
    from accelerate import PartialState

    from .collator import VLMCollator
    from .data import has_reference
    from .reference import ReferenceStore, autocast_context, fingerprint, reference_for_split

    need = {s: ds for s, ds in datasets_by_split.items() if ds is not None and not has_reference(ds)}
    if not need:
        say("using the reference log-probs stored in the dataset")
        return {}
    if sharded_weights():
        raise TrainError("under DeepSpeed ZeRO-3 / FSDP the weights are partitioned, so the reference pass cannot run "
                         "inside the training job: run `editcaption train reference CONFIG --out DIR` first (plain "
                         "multi-GPU launch, one bf16 copy per GPU) and train with data=DIR")
    ref_spec = cfg.reference or cfg.model
    ref_model = policy if ref_spec == cfg.model else load_start_model(cfg, ref_spec)[0]
    device = PartialState().device
    ref_model.to(device)
    if ref_model is policy and policy_forward is not None:
        forward_name, forward = policy_forward
    else:
        forward_name, forward = dpo_forward_for(cfg, ref_model, "reference pass: " if ref_model is not policy else "")
    collator = VLMCollator(processor, "preference", max_length=cfg.max_length, base_dir=cfg.data)
    store = ReferenceStore(Path(cfg.output_dir) / "reference")
    out = {}
    for split, ds in need.items():
        fp = fingerprint(reference=ref_spec if not ref_spec.startswith("tiny:") else f"{ref_spec}:{asdict(cfg.tiny)}",
                         dataset=ds, processor=processor, precision=cfg.precision, model_dtype=cfg.model_dtype,
                         forward=forward_name, max_length=cfg.max_length)
        out[split] = reference_for_split(model=ref_model, dataset=ds, collator=collator, store=store, split=split,
                                         fp=fp, batch_size=cfg.reference_batch_size,
                                         forward=forward,
                                         context=lambda: autocast_context(cfg.precision, device), log=say)
    if ref_model is not policy:
        del ref_model
        torch.cuda.empty_cache() if torch.cuda.is_available() else None
    return out


def run_dpo(cfg: DPOConfig, *, resume: bool = False) -> dict[str, Any]:
    """HAE-DPO (or plain DPO) on a preference export; returns the run summary."""
    require("torch", "transformers", "datasets", "accelerate", feature="editcaption train dpo")
    from .collator import VLMCollator
    from .hae import MarginScheme
    from .logprobs import get_dpo_forward
    from .reference import attach_reference
    from .trainers import CheckpointMarker, HAEDPOTrainer

    started = time.time()
    quiet_progress_bars()
    checkpoint = check_output_dir(cfg, resume)
    _write_config(cfg, "dpo")
    get_dpo_forward(cfg.dpo_forward)  # an unknown name fails before any model is loaded
    margin = MarginScheme.from_config(cfg)
    train, evaluation = load_data(cfg, "preference")
    for ds in (train, evaluation):
        if ds is not None:
            margin.check_labels(ds["severity"], ds["error_type"])
    args = training_arguments(cfg, has_eval=evaluation is not None, moe=is_moe(cfg.model))
    model, processor = load_start_model(cfg)
    forward_name, forward = dpo_forward_for(cfg, model)
    collator = VLMCollator(processor, "preference", max_length=cfg.max_length, margin=margin, base_dir=cfg.data)
    train, skipped = refuse_or_skip_long(train, collator, cfg, "train")
    if evaluation is not None:
        evaluation, skipped_eval = refuse_or_skip_long(evaluation, collator, cfg, cfg.eval_split or "val")
        skipped += skipped_eval
    values = reference_values(cfg, model, processor, {"train": train, "eval": evaluation}, (forward_name, forward))
    if "train" in values:
        train = attach_reference(train, values["train"])
    if evaluation is not None and "eval" in values:
        evaluation = attach_reference(evaluation, values["eval"])
    coef = router_aux_coef(model, cfg)
    restore_weights(model, checkpoint, cfg)  # after the reference pass, which uses the starting weights
    model = prepare_for_training(model, cfg)
    trainer = HAEDPOTrainer(model=model, args=args, train_dataset=train, eval_dataset=evaluation,
                            data_collator=collator, processing_class=None, callbacks=[CheckpointMarker(processor)],
                            margin=margin, beta=cfg.beta, dpo_forward=forward, router_aux_loss_coef=coef,
                            chosen_nll_weight=cfg.chosen_nll_weight, batch_log_path=_batch_log(cfg))
    say(f"DPO ({cfg.loss}) on {len(train)} pairs, model {cfg.model}, γ_st={margin.gamma_st} γ_h={margin.gamma_h} "
        f"hardness_norm={margin.hardness_norm}"
        + (f" chosen NLL α={cfg.chosen_nll_weight}" if cfg.chosen_nll_weight else "") + f", {_trainable(model)}")
    trainer.train(resume_from_checkpoint=str(checkpoint) if checkpoint else None)
    _log_param_checksum(trainer, cfg)
    final = save_final(trainer, processor, cfg)
    return _summary(trainer, cfg, "dpo", final, started,
                    {"loss": cfg.loss, "skipped_too_long": skipped, "train_rows": len(train),
                     "dpo_forward": forward_name})


def run_reference(cfg: DPOConfig, out_dir: str | Path) -> dict[str, Any]:
    """Compute reference log-probs for every split of ``cfg.data`` and write a dataset copy with them."""
    require("torch", "transformers", "datasets", "accelerate", feature="editcaption train reference")
    from .data import SPLITS, check_columns, load_split
    from .reference import attach_reference

    quiet_progress_bars()
    out = Path(out_dir)
    if out.resolve() == Path(cfg.data).resolve():
        raise TrainError("--out must differ from the dataset directory (the export is left untouched)")
    splits = {}
    for split in SPLITS:
        ds = load_split(cfg.data, split, required=split == "train")
        if ds is not None:
            check_columns(ds, "preference", f"{cfg.data}/{split}.parquet")
            if all(c in ds.column_names for c in ("ref_chosen_logps", "ref_rejected_logps")):
                ds = ds.remove_columns([c for c in ds.column_names if c.startswith("ref_")])
            splits[split] = ds
    model, processor = load_start_model(cfg, cfg.reference or cfg.model)
    values = reference_values(cfg, model, processor, splits)
    written = {}
    if _is_main():
        out.mkdir(parents=True, exist_ok=True)
        for split, ds in splits.items():
            ds = attach_reference(ds, values[split])
            ds.to_parquet(str(out / f"{split}.parquet"))
            written[split] = len(ds)
    return {"out": str(out), "rows": written, "reference": cfg.reference or cfg.model}
