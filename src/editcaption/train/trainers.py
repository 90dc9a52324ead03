"""``transformers.Trainer`` subclasses for the two stages, using our collator, forward and loss.

Only public Trainer hooks are overridden (``compute_loss``, ``prediction_step``, ``log``), so
checkpointing, resume, gradient accumulation, DDP / DeepSpeed / FSDP through accelerate and
``report_to`` all work as in any Trainer run.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import torch
from transformers import Trainer, TrainerCallback

from .. import testhook
from .hae import MarginScheme, hae_dpo_loss, hardness
from .logprobs import DpoForward, completion_token_logps

COMPLETE_MARKER = "editcaption-complete.json"


class _SharedHooks:
    """What both trainers share: evaluation by our loss only, and (optionally) appending the
    sample ids of every micro-batch to ``batch_ids.rank<N>.jsonl``."""

    batch_log_path: Path | None = None

    def _log_batch(self, meta: dict[str, Any]) -> None:
        if self.batch_log_path is None or not self.model.training:
            return
        line = {"step": self.state.global_step, "rank": self.args.process_index, "ids": list(meta.get("ids", []))}
        with self.batch_log_path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(line) + "\n")

    def prediction_step(self, model: Any, inputs: dict[str, Any], prediction_loss_only: bool,
                        ignore_keys: list[str] | None = None) -> tuple[Any, None, None]:
        inputs = self._prepare_inputs(inputs)
        with torch.no_grad(), self.compute_loss_context_manager():
            loss = self.compute_loss(model, inputs)
        return loss.detach(), None, None


def _model_inputs(inputs: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in inputs.items() if k not in ("meta", "labels")}


def _aux_kwargs(trainer: Any) -> dict[str, Any]:
    return {"output_router_logits": True} if trainer.router_aux_loss_coef else {}


class SFTTrainer(_SharedHooks, Trainer):
    """Cross-entropy on answer tokens only (paper eq. 1), averaged over all answer tokens of the
    optimizer step (across micro-batches and devices)."""

    def __init__(self, *args: Any, router_aux_loss_coef: float = 0.0, batch_log_path: Path | None = None,
                 **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.router_aux_loss_coef = router_aux_loss_coef
        self.batch_log_path = batch_log_path
        # Our loss divides by the token count the Trainer computes from `labels` over the whole
        # accumulated batch, so the Trainer must count tokens and not rescale the loss again.
        self.model_accepts_loss_kwargs = True
        self.loss_is_scaled_for_ga = True

    def compute_loss(self, model: Any, inputs: dict[str, Any], return_outputs: bool = False,
                     num_items_in_batch: Any = None) -> Any:
        self._log_batch(inputs.get("meta", {}))
        labels = inputs["labels"]
        completion_mask = (labels != -100).long()
        token_logps, mask, out = completion_token_logps(model, completion_mask=completion_mask,
                                                        **_model_inputs(inputs), **_aux_kwargs(self))
        nll = -token_logps.sum()
        if num_items_in_batch is not None and model.training:
            loss = nll / num_items_in_batch
            if self.args.average_tokens_across_devices and self.args.world_size > 1:
                loss = loss * self.args.world_size  # DDP averages gradients over processes
        else:
            loss = nll / mask.sum().clamp(min=1)
        aux = getattr(out, "aux_loss", None)
        if self.router_aux_loss_coef and aux is not None:
            loss = loss + self.router_aux_loss_coef * aux
        return (loss, out) if return_outputs else loss


class HAEDPOTrainer(_SharedHooks, Trainer):
    """DPO with the HAE margin (eq. 2-3) on precomputed reference log-probs.

    Batches come from the ``preference`` collator and must carry ``ref_chosen_logps`` /
    ``ref_rejected_logps`` (and the per-token means for ``hardness_norm: mean``).
    """

    def __init__(self, *args: Any, margin: MarginScheme, beta: float, dpo_forward: DpoForward,
                 router_aux_loss_coef: float = 0.0, chosen_nll_weight: float = 0.0,
                 batch_log_path: Path | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.margin = margin
        self.beta = beta
        self.chosen_nll_weight = chosen_nll_weight
        self.dpo_forward = dpo_forward
        self.router_aux_loss_coef = router_aux_loss_coef
        self.batch_log_path = batch_log_path
        self.loss_is_scaled_for_ga = False  # a per-batch mean: the Trainer divides by accumulation steps
        self._metrics: dict[str, dict[str, list[Any]]] = {"train": defaultdict(list), "eval": defaultdict(list)}

    def compute_loss(self, model: Any, inputs: dict[str, Any], return_outputs: bool = False,
                     num_items_in_batch: Any = None) -> Any:
        meta = inputs["meta"]
        self._log_batch(meta)
        if "ref_chosen_logps" not in meta:
            raise ValueError("the batch has no reference log-probs; run the reference pass first")
        policy = self.dpo_forward(model, inputs, **_aux_kwargs(self))
        ref_c, ref_r = meta["ref_chosen_logps"], meta["ref_rejected_logps"]
        norm_c = norm_r = None
        if self.margin.hardness_norm == "mean":
            norm_c, norm_r = meta["ref_chosen_logps_mean"], meta["ref_rejected_logps_mean"]
        m = self.margin
        losses, margins = hae_dpo_loss(policy.chosen, policy.rejected, ref_c, ref_r, meta["severity"],
                                       meta["type_weight"], norm_c, norm_r, beta=self.beta, gamma_st=m.gamma_st,
                                       gamma_h=m.gamma_h, tau=m.tau, center=m.hardness_center)
        loss = losses.mean()
        if self.chosen_nll_weight:  # RPO-style anchor on the chosen answers (off in the paper's loss)
            loss = loss + self.chosen_nll_weight * (-policy.chosen_mean).mean()
        if self.router_aux_loss_coef and policy.aux_loss is not None:
            loss = loss + self.router_aux_loss_coef * policy.aux_loss
        self._record(policy, ref_c, ref_r, norm_c, norm_r, margins, losses, meta,
                     "train" if model.training else "eval")
        return (loss, None) if return_outputs else loss

    @torch.no_grad()
    def _record(self, policy: Any, ref_c: torch.Tensor, ref_r: torch.Tensor, norm_c: Any, norm_r: Any,
                margins: torch.Tensor, losses: torch.Tensor, meta: dict[str, Any], mode: str) -> None:
        chosen_rewards = self.beta * (policy.chosen.detach() - ref_c)
        rejected_rewards = self.beta * (policy.rejected.detach() - ref_r)
        gap = chosen_rewards - rejected_rewards
        hard = hardness(ref_c if norm_c is None else norm_c, ref_r if norm_r is None else norm_r, self.margin.tau,
                        self.margin.hardness_center)
        rec = self._metrics[mode]
        rec["loss_items"].extend(losses.detach().float().tolist())
        rec["rewards/chosen"].extend(chosen_rewards.float().tolist())
        rec["rewards/rejected"].extend(rejected_rewards.float().tolist())
        rec["rewards/margins"].extend(gap.float().tolist())
        rec["rewards/accuracies"].extend((gap > 0).float().tolist())
        rec["margin/satisfied"].extend((gap > margins).float().tolist())
        rec["margin/mean"].extend(margins.float().tolist())
        rec["hardness"].extend(hard.float().tolist())
        rec["logps/chosen"].extend(policy.chosen.detach().float().tolist())
        rec["logps/rejected"].extend(policy.rejected.detach().float().tolist())
        rec["error_type"].extend(meta["error_type"])

    def log(self, logs: dict[str, float], *args: Any, **kwargs: Any) -> None:
        mode = "eval" if any(k.startswith("eval_") for k in logs) else "train"
        summary = summarize(self._gather(self._metrics[mode]))
        prefix = "eval_" if mode == "eval" else ""
        logs.update({prefix + k: v for k, v in summary.items()})
        self._metrics[mode] = defaultdict(list)
        super().log(logs, *args, **kwargs)

    def _gather(self, rec: dict[str, list[Any]]) -> dict[str, list[Any]]:
        if self.args.world_size <= 1:
            return dict(rec)
        from accelerate.utils import gather_object

        parts = gather_object([dict(rec)])
        merged: dict[str, list[Any]] = defaultdict(list)
        for part in parts:
            for k, v in part.items():
                merged[k].extend(v)
        return merged


def summarize(rec: dict[str, list[Any]]) -> dict[str, float]:
    """Means of the per-pair records, margin mean per error type and hardness quantiles."""
    if not rec.get("rewards/chosen"):
        return {}
    out: dict[str, float] = {}
    for key in ("rewards/chosen", "rewards/rejected", "rewards/margins", "rewards/accuracies", "margin/mean",
                "margin/satisfied", "logps/chosen", "logps/rejected"):
        values = rec[key]
        out[key] = float(sum(values) / len(values))
    by_type: dict[str, list[float]] = defaultdict(list)
    for t, m in zip(rec["error_type"], rec["margin/mean"], strict=True):
        by_type[t].append(m)
    for t, values in sorted(by_type.items()):
        out[f"margin/{t}"] = float(sum(values) / len(values))
    hard = torch.tensor(rec["hardness"], dtype=torch.float64)
    out["hardness/mean"] = float(hard.mean())
    for q in (0.1, 0.5, 0.9):
        out[f"hardness/p{int(q * 100)}"] = float(torch.quantile(hard, q))
    out["hardness/saturated"] = float(((hard < 0.01) | (hard > 0.99)).double().mean())
    return out


class CheckpointMarker(TrainerCallback):
    """Marks a checkpoint complete once the Trainer has written everything into it.

    A run killed while saving leaves a checkpoint without the marker; ``--resume`` skips it.
    The processor is written into each checkpoint too (the Trainer cannot save a Qwen-VL
    processor without torchvision).
    """

    def __init__(self, processor: Any = None):
        self.processor = processor

    def on_save(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if state.is_world_process_zero:
            ckpt = Path(args.output_dir) / f"checkpoint-{state.global_step}"
            if ckpt.is_dir():
                if self.processor is not None:  # so a checkpoint loads like a model directory
                    from .hfcompat import save_processor

                    save_processor(self.processor, ckpt)
                (ckpt / COMPLETE_MARKER).write_text(json.dumps({"global_step": state.global_step}), encoding="utf-8")
                testhook.item_done("checkpoint")  # kill-and-resume tests only; a no-op otherwise


def last_complete_checkpoint(output_dir: str | Path) -> Path | None:
    """The newest ``checkpoint-N`` in ``output_dir`` that carries the completion marker."""
    root = Path(output_dir)
    if not root.is_dir():
        return None
    found = []
    for child in root.iterdir():
        if child.is_dir() and child.name.startswith("checkpoint-") and child.name.split("-")[-1].isdigit():
            if (child / COMPLETE_MARKER).is_file():
                found.append((int(child.name.split("-")[-1]), child))
    return max(found)[1] if found else None


def any_checkpoint(output_dir: str | Path) -> bool:
    root = Path(output_dir)
    return root.is_dir() and any(c.name.startswith("checkpoint-") for c in root.iterdir())
