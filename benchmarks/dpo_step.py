"""One DPO training step as ``trainer.train()`` runs it: TRL 1.16 vs our trainer, unshared vs prefix-shared.

    .venv/bin/python benchmarks/dpo_step.py                          # CPU, fp32, a 22 M Qwen3-VL
    python benchmarks/dpo_step.py --preset gpu --device cuda --precision bf16 --json out.json

Every configuration gets a copy of the same randomly initialised Qwen3-VL (the offline builder
at these sizes), the same preference pairs (two ``--image-size``² images each, the packaged
prompt, answers of about ``--answer-tokens`` tokens with unequal chosen/rejected lengths) and
AdamW. A step is what ``trainer.train()`` does per optimizer step: the model and optimizer go
through ``accelerator.prepare`` (which is where the bf16 autocast of ``--precision bf16`` comes
from), then ``training_step`` (forward + backward) and the optimizer step on that batch:

* ``trl``             stock TRL ``DPOTrainer`` (sigmoid loss) with a frozen reference copy: it
                      runs the reference forward every step (TRL refuses precomputed reference
                      log-probs for vision data) and encodes the prompt and images twice per pair;
* ``ours unshared``   ``HAEDPOTrainer`` with ``dpo_forward: concat``, ``loss: hae``: reference
                      log-probs precomputed once, prompt and images still twice per pair;
* ``ours shared``     prefix sharing (one ``[prompt|chosen|rejected]`` row per pair, the vision
                      tower once per pair), ``loss: hae``, ``prefix_mask: auto`` (FlexAttention
                      block mask on CUDA, dense SDPA mask on CPU);
* ``ours shared dense`` (CUDA only) the same with the dense ``[B,1,L,L]`` mask, to show the mask's cost;
* ``ours shared dpo`` prefix sharing, ``loss: dpo`` (no margin): the HAE margin's cost is the
                      difference to ``ours shared``, also timed in isolation;
* ``ours shared liger`` (CUDA, when ``liger-kernel`` is installed) ``ours shared`` with Liger's
                      RMSNorm/rotary kernels, timed last (Liger patches the model module globally).

Rounds alternate the configurations (rotating the order), one warm-up step each first; medians
over rounds are reported. On CPU torch runs on ``--threads`` threads (default 1) so process CPU
time measures the work on a shared machine; on CUDA the wall time between synchronisations counts.

FLOPs are counted from the model's parameters and the tokens each configuration really feeds it
(prompt and image tokens included, padding excluded): 2·N per token and image patch for a
forward, 6·N for forward + backward, plus the attention score and value products over the
attended (query, key) pairs (causal rows; the shared row's rejected answer skips the chosen one)
and the LM head on answer positions. Utilisation = FLOPs / step time / peak, with the peak
measured here by a large bf16 (or fp32) matrix product unless ``--peak-tflops`` is given.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch

FILLER = [
    "Keep the background, the lighting and every other object unchanged.",
    "The square keeps its size, colour and vertical position; only its horizontal place changes.",
    "Do not add shadows or reflections, and leave the empty area behind it plain.",
    "The camera does not move: the framing, zoom and angle stay exactly as in the source image.",
    "Nothing else in the picture is edited.",
]

PRESETS = {
    # a 22 M model that steps in seconds on one CPU core
    "cpu": dict(hidden=512, layers=8, heads=8, kv_heads=4, vision_hidden=192, vision_layers=2, image_size=448,
                pairs=2, answer_tokens=60),
    # 0.78 B parameters (0.25 B vision), 8 pairs: the setting of the GPU figures in the docs
    "gpu": dict(hidden=2048, layers=14, heads=16, kv_heads=8, vision_hidden=1024, vision_layers=24, image_size=448,
                pairs=8, answer_tokens=60),
}


# --------------------------------------------------------------------------- inputs


def _lengthen(text: str, tokenizer: Any, target: int, offset: int) -> str:
    """``text`` plus filler words until the answer has at least ``target`` tokens."""
    words = " ".join(FILLER[offset % len(FILLER):] + FILLER[:offset % len(FILLER)]).split()
    parts = [text]
    for word in words * 4:
        if len(tokenizer(" ".join(parts))["input_ids"]) >= target:
            break
        parts.append(word)
    return " ".join(parts)


def build(args: argparse.Namespace) -> tuple[Any, Any, list[dict[str, Any]]]:
    from editcaption.prompts import load_prompt
    from editcaption.train.synthetic import synthetic_rows
    from editcaption.train.tiny import build_tiny

    model, processor = build_tiny("qwen3_vl", hidden=args.hidden, layers=args.layers, heads=args.heads,
                                  kv_heads=args.kv_heads, vision_hidden=args.vision_hidden,
                                  vision_layers=args.vision_layers, image_size=args.image_size)
    rows = synthetic_rows("preference", args.pairs, image_size=args.image_size, prompt_text=load_prompt().render(),
                          seed=1)
    tok = processor.tokenizer
    for i, row in enumerate(rows):  # unequal lengths: chosen and rejected targets differ per pair
        row["chosen"][0]["content"] = _lengthen(row["chosen"][0]["content"], tok, args.answer_tokens + 3 * i, i)
        row["rejected"][0]["content"] = _lengthen(row["rejected"][0]["content"], tok, args.answer_tokens - 4 + 5 * i,
                                                  i + 2)
    return model, processor, rows


# --------------------------------------------------------------------------- FLOPs


@dataclass
class Work:
    """What one configuration feeds the model per step: rows as (prompt, answer lengths), patches, passes."""

    text_tokens: int = 0
    patches: int = 0
    attended_pairs: int = 0
    vision_pairs: int = 0
    head_rows: int = 0
    flops: float = 0.0
    parts: list[str] = field(default_factory=list)


def count_work(model: Any, batch: dict[str, Any], *, shared: bool, passes: list[int]) -> Work:
    """FLOPs of the model calls one step makes; ``passes`` gives the multiplier of each call
    (6 for a forward with backward, 2 for a forward without), applied to 2·N-per-token work."""
    cfg = model.config
    text, vision = cfg.get_text_config(), cfg.vision_config
    params_text = sum(p.numel() for n, p in model.named_parameters()
                      if "language_model" in n and "embed_tokens" not in n)
    params_vision = sum(p.numel() for p in model.model.visual.parameters())
    p = batch["prompt"]["attention_mask"].sum(1).tolist()
    c = batch["chosen"]["attention_mask"].sum(1).tolist()
    r = batch["rejected"]["attention_mask"].sum(1).tolist()
    grids = batch["media"]["image_grid_thw"]
    per_image = [int(t * h * w) for t, h, w in grids.tolist()]
    w = Work()
    for pi, ci, ri in zip(p, c, r, strict=True):
        if shared:  # one row: prompt, chosen, rejected; rejected skips chosen
            w.text_tokens += pi + ci + ri
            w.attended_pairs += (pi + ci) * (pi + ci + 1) // 2 + ri * pi + ri * (ri + 1) // 2
        else:
            w.text_tokens += 2 * pi + ci + ri
            w.attended_pairs += (pi + ci) * (pi + ci + 1) // 2 + (pi + ri) * (pi + ri + 1) // 2
        w.head_rows += ci + ri
    copies = 1 if shared else 2
    w.patches = copies * sum(per_image)
    w.vision_pairs = copies * sum(n * n for n in per_image)  # each image attends within itself
    attn_width = text.num_attention_heads * getattr(text, "head_dim", text.hidden_size // text.num_attention_heads)
    one_forward = (2 * params_text * w.text_tokens + 2 * params_vision * w.patches
                   + 4 * attn_width * text.num_hidden_layers * w.attended_pairs
                   + 4 * vision.hidden_size * vision.depth * w.vision_pairs
                   + 2 * text.hidden_size * text.vocab_size * w.head_rows)
    w.flops = sum(m / 2 * one_forward for m in passes)
    return w


def measured_peak_tflops(device: str, precision: str) -> float:
    """TFLOP/s of a large matrix product on ``device`` in the compute dtype (the achievable peak)."""
    dtype = torch.bfloat16 if precision == "bf16" else torch.float32
    n = 8192 if device == "cuda" else 1024
    a = torch.randn(n, n, device=device, dtype=dtype)
    b = torch.randn(n, n, device=device, dtype=dtype)
    for _ in range(3):
        a @ b
    _sync(device)
    reps = 10 if device == "cuda" else 3
    t0 = time.perf_counter()
    for _ in range(reps):
        a @ b
    _sync(device)
    return 2 * n ** 3 * reps / (time.perf_counter() - t0) / 1e12


def _sync(device: str) -> None:
    if device == "cuda":
        torch.cuda.synchronize()


# --------------------------------------------------------------------------- trainers


def _our_trainer(model: Any, processor: Any, rows: list[dict[str, Any]], args: argparse.Namespace, *, loss: str,
                 forward: Callable, reference: dict[str, list[Any]]) -> tuple[Any, dict[str, Any]]:
    import datasets

    from editcaption.train.collator import VLMCollator
    from editcaption.train.config import DPOConfig
    from editcaption.train.hae import MarginScheme
    from editcaption.train.reference import attach_reference
    from editcaption.train.run import training_arguments
    from editcaption.train.trainers import HAEDPOTrainer

    cfg = DPOConfig(data="x", output_dir=tempfile.mkdtemp(), per_device_batch_size=len(rows), learning_rate=1e-5,
                    precision=args.precision, report_to=["none"], loss=loss)
    margin = MarginScheme.from_config(cfg)
    collator = VLMCollator(processor, "preference", margin=margin)
    ds = attach_reference(datasets.Dataset.from_list(rows), reference)
    trainer = HAEDPOTrainer(model=model, args=training_arguments(cfg, has_eval=False, moe=False), train_dataset=ds,
                            data_collator=collator, margin=margin, beta=cfg.beta, dpo_forward=forward)
    return trainer, collator([ds[i] for i in range(len(ds))])


def _trl_trainer(model: Any, processor: Any, rows: list[dict[str, Any]],
                 args: argparse.Namespace) -> tuple[Any, dict[str, Any]]:
    import datasets
    from trl import DPOConfig, DPOTrainer

    from editcaption.train.data import decode_image

    plain = [{"images": [decode_image(i) for i in r["images"]], "prompt": r["prompt"], "chosen": r["chosen"],
              "rejected": r["rejected"]} for r in rows]
    ds = datasets.Dataset.from_list(plain)
    cfg = DPOConfig(output_dir=tempfile.mkdtemp(), bf16=args.precision == "bf16", use_cpu=args.device == "cpu",
                    max_length=None, report_to="none", per_device_train_batch_size=len(rows), learning_rate=1e-5,
                    gradient_checkpointing=False)
    ref = copy.deepcopy(model).eval()
    trainer = DPOTrainer(model=model, ref_model=ref, args=cfg, train_dataset=ds, processing_class=processor)
    return trainer, trainer.data_collator([ds[i] for i in range(len(ds))])


class Runner:
    """One configuration: its trainer prepared as ``trainer.train()`` prepares it, its batch, its timings."""

    def __init__(self, name: str, trainer: Any, batch: dict[str, Any], work: Work, device: str):
        self.name, self.trainer, self.work, self.device = name, trainer, work, device
        trainer.create_optimizer_and_scheduler(num_training_steps=1000)
        trainer.current_gradient_accumulation_steps = 1  # set by Trainer.train(); we drive the steps ourselves
        # What _prepare_for_training does: placement, and the mixed-precision autocast around forward.
        self.model, trainer.optimizer = trainer.accelerator.prepare(trainer.model, trainer.optimizer)
        trainer.model_wrapped = self.model
        self.model.train()
        self.batch = trainer._prepare_inputs(batch)
        self.cpu: list[float] = []
        self.wall: list[float] = []

    def step(self, record: bool) -> None:
        _sync(self.device)
        t0, c0 = time.perf_counter(), time.process_time()
        self.trainer.training_step(self.model, self.batch)
        self.trainer.optimizer.step()
        self.trainer.optimizer.zero_grad()
        _sync(self.device)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        if record:
            self.cpu.append(cpu)
            self.wall.append(wall)

    def seconds(self) -> float:
        """The step time that counts: CPU time on CPU (robust to a shared machine), wall time on a GPU."""
        return statistics.median(self.cpu if self.device == "cpu" else self.wall)


def margin_cost(pairs: int, repeats: int = 2000) -> tuple[float, float]:
    """Seconds per call of the HAE loss (margin on) and of the same function as standard DPO."""
    from editcaption.train.hae import hae_dpo_loss

    g = torch.Generator().manual_seed(0)
    pc, pr, rc, rr = (-torch.rand(pairs, generator=g) * 100 for _ in range(4))
    sev, tw = torch.rand(pairs, generator=g), torch.rand(pairs, generator=g)
    nc, nr = rc / 60, rr / 60
    out = []
    for gammas in ((1.0, 1.0), (0.0, 0.0)):
        t0 = time.process_time()
        for _ in range(repeats):
            hae_dpo_loss(pc, pr, rc, rr, sev, tw, nc, nr, beta=0.1, gamma_st=gammas[0], gamma_h=gammas[1])
        out.append((time.process_time() - t0) / repeats)
    return out[0], out[1]


def _loss_at_step0(trainer: Any, batch: dict[str, Any], gammas_off: bool) -> float:
    """Loss of ``trainer`` on ``batch`` before any step, without the HAE margin where asked."""
    with torch.no_grad(), trainer.accelerator.autocast():
        if gammas_off:
            old = trainer.margin.gamma_st, trainer.margin.gamma_h
            trainer.margin.gamma_st = trainer.margin.gamma_h = 0.0
            try:
                return float(trainer.compute_loss(trainer.model, batch))
            finally:
                trainer.margin.gamma_st, trainer.margin.gamma_h = old
        return float(trainer.compute_loss(trainer.model, batch))


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", choices=sorted(PRESETS), default=None,
                    help="model and batch sizes (default: cpu on CPU, gpu on CUDA); the flags below override it")
    for name, kind in (("hidden", int), ("layers", int), ("heads", int), ("kv-heads", int), ("vision-hidden", int),
                       ("vision-layers", int), ("image-size", int), ("pairs", int), ("answer-tokens", int)):
        ap.add_argument(f"--{name}", type=kind, default=None)
    ap.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    ap.add_argument("--precision", choices=["fp32", "bf16"], default="fp32",
                    help="bf16: the mixed-precision autocast trainer.train() applies (fp32 master weights)")
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--threads", type=int, default=1, help="torch threads on CPU (1: CPU time measures the work)")
    ap.add_argument("--peak-tflops", type=float, default=None,
                    help="peak for the utilisation column (default: a large matrix product measured here)")
    ap.add_argument("--no-liger", action="store_true", help="skip the Liger row even where liger-kernel is installed")
    ap.add_argument("--json", default=None, help="also write the figures to this JSON file")
    args = ap.parse_args(argv)
    preset = PRESETS[args.preset or ("gpu" if args.device == "cuda" else "cpu")]
    for key, value in preset.items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    return args


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    if args.device == "cuda" and not torch.cuda.is_available():
        raise SystemExit("--device cuda: no CUDA device is visible")
    if args.device == "cpu":
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)

    import datasets

    from editcaption.train.collator import VLMCollator
    from editcaption.train.hae import MarginScheme
    from editcaption.train.logprobs import concat_forward
    from editcaption.train.prefix_sharing import prefix_shared_forward
    from editcaption.train.reference import autocast_context, compute_reference_logps

    base, processor, rows = build(args)
    ds = datasets.Dataset.from_list(rows)
    collator = VLMCollator(processor, "preference", margin=MarginScheme())

    # The one-off reference pass, both ways (forward only, training's autocast); training uses the shared values.
    ref_model = copy.deepcopy(base).to(args.device)
    ref_seconds, ref_values = {}, {}
    for name, fwd in (("unshared", concat_forward), ("shared", prefix_shared_forward)):
        compute_reference_logps(ref_model, ds, collator, batch_size=len(rows), forward=fwd,
                                context=lambda: autocast_context(args.precision, args.device))  # warm-up
        _sync(args.device)
        t0, c0 = time.perf_counter(), time.process_time()
        ref_values[name] = compute_reference_logps(ref_model, ds, collator, batch_size=len(rows), forward=fwd,
                                                   context=lambda: autocast_context(args.precision, args.device))
        _sync(args.device)
        ref_seconds[name] = (time.process_time() - c0) if args.device == "cpu" else (time.perf_counter() - t0)
    ref_diff = max(abs(a - b) for col in ("ref_chosen_logps", "ref_rejected_logps")
                   for a, b in zip(ref_values["shared"][col], ref_values["unshared"][col], strict=True))
    values = ref_values["shared"]  # what a prefix-sharing run stores
    del ref_model

    batch0 = collator(rows)
    unshared_once = count_work(base, batch0, shared=False, passes=[6])
    shared_once = count_work(base, batch0, shared=True, passes=[6])
    trl_work = count_work(base, batch0, shared=False, passes=[6, 2])  # policy with backward + reference forward

    def shared_forward(kind: str) -> Callable:
        return lambda model, batch, **kw: prefix_shared_forward(model, batch, prefix_mask_kind=kind, **kw)

    runners = []
    trainer, batch = _trl_trainer(copy.deepcopy(base), processor, rows, args)
    runners.append(Runner("trl", trainer, batch, trl_work, args.device))
    configs = [("ours unshared", "hae", concat_forward, unshared_once),
               ("ours shared", "hae", shared_forward("auto"), shared_once)]
    if args.device == "cuda":
        configs.append(("ours shared dense", "hae", shared_forward("dense"), shared_once))
    configs.append(("ours shared dpo", "dpo", shared_forward("auto"), shared_once))
    for name, loss, fwd, work in configs:
        trainer, batch = _our_trainer(copy.deepcopy(base), processor, rows, args, loss=loss, forward=fwd,
                                      reference=values)
        runners.append(Runner(name, trainer, batch, work, args.device))

    # Step-0 agreement: with no margin our loss equals TRL's sigmoid DPO loss at policy == reference.
    loss_ours = _loss_at_step0(runners[1].trainer, runners[1].batch, gammas_off=True)
    loss_trl = _loss_at_step0(runners[0].trainer, runners[0].batch, gammas_off=False)

    for r in runners:
        r.step(record=False)  # warm-up (on CUDA: kernel selection, FlexAttention compilation)
    for i in range(args.rounds):
        for r in runners[i % len(runners):] + runners[:i % len(runners)]:
            r.step(record=True)
        print(f"round {i + 1}/{args.rounds}: " + ", ".join(f"{r.name} {r.seconds():.3f}s" for r in runners),
              flush=True)

    liger_note = "not run (CPU)" if args.device == "cpu" else "not installed (pip install 'editcaption[gpu]')"
    if args.device == "cuda" and not args.no_liger:
        from editcaption.importutils import is_available

        if is_available("liger_kernel"):
            from editcaption.train.kernels import apply_liger

            model = copy.deepcopy(base)
            apply_liger(model)
            trainer, batch = _our_trainer(model, processor, rows, args, loss="hae", forward=shared_forward("auto"),
                                          reference=values)
            liger = Runner("ours shared liger", trainer, batch, shared_once, args.device)
            liger.step(record=False)
            for _ in range(args.rounds):
                liger.step(record=True)
            runners.append(liger)
            liger_note = "timed after the other rows (its patches are global)"
    elif args.no_liger:
        liger_note = "skipped (--no-liger)"

    peak = args.peak_tflops or measured_peak_tflops(args.device, args.precision)
    hae_loss, dpo_loss = margin_cost(args.pairs)
    params = sum(p.numel() for p in base.parameters())
    vision = sum(p.numel() for p in base.model.visual.parameters())
    grid = batch0["media"]["image_grid_thw"][0].tolist()
    med = {r.name: r.seconds() for r in runners}
    device_name = torch.cuda.get_device_name(0) if args.device == "cuda" else (platform.processor() or
                                                                               platform.machine())
    import transformers
    import trl

    result: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d"),
        "device": device_name,
        "cpu_count": os.cpu_count(),
        "versions": {"torch": torch.__version__, "transformers": transformers.__version__, "trl": trl.__version__},
        "precision": args.precision,
        "timing": "CPU time, one thread" if args.device == "cpu" else "wall time between CUDA synchronisations",
        "model": {"params": params, "vision_params": vision, "hidden": args.hidden, "layers": args.layers,
                  "vision_hidden": args.vision_hidden, "vision_layers": args.vision_layers},
        "batch": {"pairs": args.pairs, "image_size": args.image_size, "grid": grid,
                  "prompt_tokens": batch0["prompt"]["attention_mask"].sum(1).tolist(),
                  "chosen_tokens": batch0["chosen"]["attention_mask"].sum(1).tolist(),
                  "rejected_tokens": batch0["rejected"]["attention_mask"].sum(1).tolist()},
        "peak_tflops": peak,
        "peak_source": "given" if args.peak_tflops else "measured matrix product",
        "reference_pass_s": ref_seconds,
        "reference_max_abs_diff": ref_diff,
        "step0_loss": {"ours_no_margin": loss_ours, "trl": loss_trl},
        "liger": liger_note,
        "rows": [],
    }
    pair_tokens = shared_once.text_tokens  # the batch's own tokens: each prompt once, both answers
    result["batch"]["pair_tokens"] = pair_tokens
    for r in runners:
        s = r.seconds()
        result["rows"].append({
            "name": r.name, "seconds": s, "wall_median": statistics.median(r.wall),
            "cpu_median": statistics.median(r.cpu), "text_tokens": r.work.text_tokens, "patches": r.work.patches,
            "tokens_per_s": pair_tokens / s, "tflops": r.work.flops / 1e12,
            "tflops_per_s": r.work.flops / s / 1e12, "utilisation": r.work.flops / s / 1e12 / peak,
            "vs_trl": s / med["trl"], "rounds": r.wall if args.device == "cuda" else r.cpu})
    result["ratios"] = {
        "shared_vs_trl": med["ours shared"] / med["trl"],
        "shared_vs_unshared": med["ours shared"] / med["ours unshared"],
        "unshared_vs_trl": med["ours unshared"] / med["trl"],
        "hae_vs_dpo": med["ours shared"] / med["ours shared dpo"],
        "margin_us": {"hae": hae_loss * 1e6, "dpo": dpo_loss * 1e6},
    }
    print_report(result)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(result, fh, indent=2)
    return result


def print_report(res: dict[str, Any]) -> None:
    m, b = res["model"], res["batch"]
    print()
    print(f"date {res['date']}, {res['device']}, torch {res['versions']['torch']}, transformers "
          f"{res['versions']['transformers']}, trl {res['versions']['trl']}, {res['precision']}, timing: {res['timing']}")
    print(f"Qwen3-VL hidden {m['hidden']} × {m['layers']} layers, vision {m['vision_hidden']} × {m['vision_layers']}: "
          f"{m['params'] / 1e6:.1f} M parameters ({m['vision_params'] / 1e6:.1f} M vision); {b['pairs']} pairs, two "
          f"{b['image_size']}² images each (grid {b['grid']}); prompt tokens {b['prompt_tokens']}, chosen "
          f"{b['chosen_tokens']}, rejected {b['rejected_tokens']}")
    rp = res["reference_pass_s"]
    print(f"reference pass (one-off, forward only): unshared {rp['unshared']:.3f} s, shared {rp['shared']:.3f} s; "
          f"max |Δ log-prob| shared vs unshared {res['reference_max_abs_diff']:.1e}")
    print(f"step-0 loss without margin: ours {res['step0_loss']['ours_no_margin']:.6f}, TRL "
          f"{res['step0_loss']['trl']:.6f}")
    print(f"peak {res['peak_tflops']:.1f} TFLOP/s ({res['peak_source']}); Liger: {res['liger']}")
    print()
    print(f"tokens/s: the batch's {b['pair_tokens']} tokens (each prompt once, both answers) per second of a step; "
          "tokens fed: what the configuration passes through the model per pass")
    print()
    print("| configuration | s/step (median) | tokens fed | vision patches | tokens/s | model TFLOP | TFLOP/s | "
          "utilisation | vs TRL |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in res["rows"]:
        print(f"| {r['name']} | {r['seconds']:.3f} | {r['text_tokens']} | {r['patches']} | {r['tokens_per_s']:.0f} | "
              f"{r['tflops']:.2f} | {r['tflops_per_s']:.1f} | {100 * r['utilisation']:.1f}% | {r['vs_trl']:.2f}× |")
    q = res["ratios"]
    print()
    print(f"shared / TRL = {q['shared_vs_trl']:.2f}×; shared / unshared = {q['shared_vs_unshared']:.2f}×; "
          f"unshared / TRL = {q['unshared_vs_trl']:.2f}×; HAE / standard DPO step = {q['hae_vs_dpo']:.3f}× "
          f"(the margin itself: {q['margin_us']['hae']:.0f} µs vs {q['margin_us']['dpo']:.0f} µs)")


if __name__ == "__main__":
    main()
