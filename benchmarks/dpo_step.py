"""One DPO step on one small Qwen3-VL and one batch: TRL 1.16 vs our trainer, unshared vs prefix-shared.

    .venv/bin/python benchmarks/dpo_step.py [--hidden 512] [--layers 8] [--vision-hidden 192]
        [--vision-layers 2] [--image-size 448] [--pairs 2] [--answer-tokens 60] [--rounds 9] [--threads 1]

Every configuration gets a copy of the same randomly initialised Qwen3-VL (the tiny offline
builder at these sizes), the same preference pairs (two 448² images each, the packaged prompt,
answers of about 60 tokens with unequal chosen/rejected lengths) and AdamW; one step is the
trainer's own ``training_step`` (forward + backward) plus the optimizer step on that batch:

* ``trl``            — stock TRL ``DPOTrainer`` (sigmoid loss) with a frozen reference copy: it
                       runs the reference forward every step (TRL refuses precomputed reference
                       log-probs for vision data) and encodes the prompt and images twice per pair;
* ``ours unshared``  — ``HAEDPOTrainer`` with ``dpo_forward: concat`` and ``loss: hae``: reference
                       log-probs precomputed once, prompt and images still twice per pair;
* ``ours shared``    — the same trainer with prefix sharing (one ``[prompt|chosen|rejected]`` row
                       per pair, vision tower once per pair), ``loss: hae``;
* ``ours shared dpo``— prefix sharing, ``loss: dpo`` (no margin): the HAE margin's cost is the
                       difference to the line above, also timed in isolation.

Rounds alternate the configurations (rotating the order); each round times one step per
configuration after one warm-up step each; medians over rounds are reported. Torch runs on
``--threads`` threads (default 1), so the process CPU time measures the work even on a shared
machine; wall time is printed too. Tokens are counted from the inputs the models really received
(forward pre-hooks), padding included and excluded, plus the vision patches encoded.
"""

from __future__ import annotations

import argparse
import copy
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from typing import Any

import torch

FILLER = [
    "Keep the background, the lighting and every other object unchanged.",
    "The square keeps its size, colour and vertical position; only its horizontal place changes.",
    "Do not add shadows or reflections, and leave the empty area behind it plain.",
    "The camera does not move: the framing, zoom and angle stay exactly as in the source image.",
    "Nothing else in the picture is edited.",
]


class TokenMeter:
    """Counts what the model receives per call: rows, real and padded tokens, vision patches."""

    def __init__(self) -> None:
        self.calls: list[dict[str, int]] = []

    def hook(self, module: Any, args: tuple, kwargs: dict) -> None:
        ids = kwargs.get("input_ids")
        mask = kwargs.get("attention_mask")
        pixels = kwargs.get("pixel_values")
        self.calls.append({"rows": int(ids.shape[0]), "padded": int(ids.numel()),
                           "real": int(mask.sum()) if mask is not None else int(ids.numel()),
                           "patches": int(pixels.shape[0]) if pixels is not None else 0})

    def attach(self, model: torch.nn.Module) -> Any:
        return model.register_forward_pre_hook(self.hook, with_kwargs=True)

    def total(self) -> dict[str, int]:
        return {k: sum(c[k] for c in self.calls) for k in ("rows", "real", "padded", "patches")}


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


def ours(model: Any, processor: Any, rows: list[dict[str, Any]], *, loss: str, forward: Callable,
         reference: dict[str, list[Any]]) -> tuple[Any, dict[str, Any]]:
    import datasets

    from editcaption.train.collator import VLMCollator
    from editcaption.train.config import DPOConfig
    from editcaption.train.hae import MarginScheme
    from editcaption.train.reference import attach_reference
    from editcaption.train.run import training_arguments
    from editcaption.train.trainers import HAEDPOTrainer

    cfg = DPOConfig(data="x", output_dir=tempfile.mkdtemp(), per_device_batch_size=len(rows), learning_rate=1e-5,
                    precision="fp32", report_to=["none"], loss=loss)
    margin = MarginScheme.from_config(cfg)
    collator = VLMCollator(processor, "preference", margin=margin)
    ds = attach_reference(datasets.Dataset.from_list(rows), reference)
    trainer = HAEDPOTrainer(model=model, args=training_arguments(cfg, has_eval=False, moe=False), train_dataset=ds,
                            data_collator=collator, margin=margin, beta=cfg.beta, dpo_forward=forward)
    return trainer, collator([ds[i] for i in range(len(ds))])


def trl_peer(model: Any, processor: Any, rows: list[dict[str, Any]]) -> tuple[Any, dict[str, Any]]:
    import datasets
    from trl import DPOConfig, DPOTrainer

    from editcaption.train.data import decode_image

    plain = [{"images": [decode_image(i) for i in r["images"]], "prompt": r["prompt"], "chosen": r["chosen"],
              "rejected": r["rejected"]} for r in rows]
    ds = datasets.Dataset.from_list(plain)
    cfg = DPOConfig(output_dir=tempfile.mkdtemp(), bf16=False, use_cpu=True, max_length=None, report_to="none",
                    per_device_train_batch_size=len(rows), learning_rate=1e-5, gradient_checkpointing=False)
    ref = copy.deepcopy(model).eval()
    trainer = DPOTrainer(model=model, ref_model=ref, args=cfg, train_dataset=ds, processing_class=processor)
    return trainer, trainer.data_collator([ds[i] for i in range(len(ds))])


class Runner:
    """One configuration: a trainer, its batch, its optimizer and the models it feeds."""

    def __init__(self, name: str, trainer: Any, batch: dict[str, Any], models: list[Any]):
        self.name, self.trainer, self.batch = name, trainer, batch
        self.meter = TokenMeter()
        self.models = models
        trainer.create_optimizer_and_scheduler(num_training_steps=1000)
        trainer.current_gradient_accumulation_steps = 1  # set by Trainer.train(); we drive the steps ourselves
        trainer.model.train()
        self.cpu: list[float] = []
        self.wall: list[float] = []

    def step(self, record: bool) -> None:
        handles = [self.meter.attach(m) for m in self.models] if not self.meter.calls else []
        t0, c0 = time.perf_counter(), time.process_time()
        self.trainer.training_step(self.trainer.model, self.batch)
        self.trainer.optimizer.step()
        self.trainer.optimizer.zero_grad()
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        for h in handles:
            h.remove()
        if record:
            self.cpu.append(cpu)
            self.wall.append(wall)


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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hidden", type=int, default=512)
    ap.add_argument("--layers", type=int, default=8)
    ap.add_argument("--heads", type=int, default=8)
    ap.add_argument("--kv-heads", type=int, default=4)
    ap.add_argument("--vision-hidden", type=int, default=192)
    ap.add_argument("--vision-layers", type=int, default=2)
    ap.add_argument("--image-size", type=int, default=448)
    ap.add_argument("--pairs", type=int, default=2)
    ap.add_argument("--answer-tokens", type=int, default=60)
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--threads", type=int, default=1, help="torch threads (1: CPU time measures the work)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)

    from editcaption.train.collator import VLMCollator
    from editcaption.train.hae import MarginScheme
    from editcaption.train.logprobs import concat_forward
    from editcaption.train.prefix_sharing import prefix_shared_forward

    base, processor, rows = build(args)
    import datasets

    from editcaption.train.reference import compute_reference_logps

    # The one-off reference pass, both ways (forward only); training uses the shared values.
    ds = datasets.Dataset.from_list(rows)
    collator = VLMCollator(processor, "preference", margin=MarginScheme())
    ref_model = copy.deepcopy(base)
    ref_seconds, ref_values = {}, {}
    for name, fwd in (("unshared", concat_forward), ("shared", prefix_shared_forward)):
        c0 = time.process_time()
        ref_values[name] = compute_reference_logps(ref_model, ds, collator, batch_size=len(rows), forward=fwd)
        ref_seconds[name] = time.process_time() - c0
    diff = max(abs(a - b) for col in ("ref_chosen_logps", "ref_rejected_logps")
               for a, b in zip(ref_values["shared"][col], ref_values["unshared"][col], strict=True))
    values = ref_values["shared"]  # what a prefix-sharing run stores
    del ref_model

    runners = []
    trainer, batch = trl_peer(copy.deepcopy(base), processor, rows)
    runners.append(Runner("trl", trainer, batch, [trainer.model, trainer.ref_model]))
    for name, loss, fwd in (("ours unshared", "hae", concat_forward), ("ours shared", "hae", prefix_shared_forward),
                            ("ours shared dpo", "dpo", prefix_shared_forward)):
        trainer, batch = ours(copy.deepcopy(base), processor, rows, loss=loss, forward=fwd, reference=values)
        runners.append(Runner(name, trainer, batch, [trainer.model]))

    for r in runners:
        r.step(record=False)  # warm-up; also records the token counts of one step
    for i in range(args.rounds):
        for r in runners[i % len(runners):] + runners[:i % len(runners)]:
            r.step(record=True)
        print(f"round {i + 1}/{args.rounds}: " + ", ".join(f"{r.name} {r.cpu[-1]:.2f}s" for r in runners), flush=True)

    hae_loss, dpo_loss = margin_cost(args.pairs)
    params = sum(p.numel() for p in base.parameters())
    vision = sum(p.numel() for p in base.model.visual.parameters())
    ours_batch = runners[1].batch
    prompt_tokens = ours_batch["prompt"]["attention_mask"].sum(1).tolist()
    chosen_tokens = ours_batch["chosen"]["attention_mask"].sum(1).tolist()
    rejected_tokens = ours_batch["rejected"]["attention_mask"].sum(1).tolist()
    grid = ours_batch["media"]["image_grid_thw"][0].tolist()
    load = os.getloadavg()
    print()
    print(f"date {time.strftime('%Y-%m-%d')}, {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}, torch {torch.__version__}, "
          f"threads {torch.get_num_threads()}, fp32")
    print(f"Qwen3-VL hidden {args.hidden} × {args.layers} layers, vision {args.vision_hidden} × {args.vision_layers}: "
          f"{params / 1e6:.1f} M parameters ({vision / 1e6:.1f} M vision); {args.pairs} pairs, two "
          f"{args.image_size}² images each (grid {grid}: {grid[1] * grid[2]} patches, "
          f"{grid[1] * grid[2] // 4} tokens per image)")
    print(f"prompt tokens {prompt_tokens}, chosen {chosen_tokens}, rejected {rejected_tokens}")
    print(f"reference pass (one-off, forward only, CPU s): unshared {ref_seconds['unshared']:.2f}, shared "
          f"{ref_seconds['shared']:.2f} ({ref_seconds['shared'] / ref_seconds['unshared']:.2f}×); "
          f"max |Δ log-prob| shared vs unshared {diff:.1e}")
    print()
    print("| configuration | CPU s/step (median) | wall s/step (median) | model rows | tokens real / padded | "
          "vision patches | CPU vs TRL |")
    print("|---|---|---|---|---|---|---|")
    trl_cpu = statistics.median(runners[0].cpu)
    for r in runners:
        tot = r.meter.total()
        cpu, wall = statistics.median(r.cpu), statistics.median(r.wall)
        print(f"| {r.name} | {cpu:.2f} | {wall:.2f} | {tot['rows']} | {tot['real']} / {tot['padded']} | "
              f"{tot['patches']} | {cpu / trl_cpu:.2f}× |")
    med = {r.name: statistics.median(r.cpu) for r in runners}
    step = med["ours shared"]
    print()
    print(f"shared / TRL = {med['ours shared'] / med['trl']:.2f}× (target ≤ 0.60); shared / unshared = "
          f"{med['ours shared'] / med['ours unshared']:.2f}×; unshared / TRL = {med['ours unshared'] / med['trl']:.2f}×")
    paired = statistics.median(a / b for a, b in zip(runners[2].cpu, runners[3].cpu, strict=True))
    print(f"HAE / standard DPO step = {med['ours shared'] / med['ours shared dpo']:.3f}× (ratio of medians), "
          f"{paired:.3f}× (median of per-round ratios) (target ≤ 1.02); the margin "
          f"itself: hae_dpo_loss {hae_loss * 1e6:.0f} µs vs {dpo_loss * 1e6:.0f} µs without margin, "
          f"{(hae_loss - dpo_loss) / step * 100:.4f}% of a shared step")
    print("per-round CPU s: " + "; ".join(f"{r.name} " + " ".join(f"{x:.2f}" for x in r.cpu) for r in runners))


if __name__ == "__main__":
    main()
