"""One preference-training step: our HAE-DPO trainer vs stock TRL 1.16 DPOTrainer, same model and batch.

    .venv/bin/python benchmarks/train_dpo_step.py [--family qwen2_5_vl] [--hidden 128] [--image-size 112]
        [--pairs 4] [--steps 15] [--rounds 3] [--short-prompt]

Both trainers get the same tiny offline VLM (built from one seed), the same 4 preference pairs
with the packaged two-image prompt, and AdamW with the same learning rate; each runs its own
``training_step`` (forward, backward) plus the optimizer step on that batch, repeatedly.

* **ours** — ``HAEDPOTrainer``: chosen and rejected scored in one forward over 2B rows,
  the HAE margin from stored reference log-probs (no reference model, no reference forward);
* **peer** — TRL ``DPOTrainer`` (sigmoid loss) with ``ref_model`` = a frozen copy: it runs a
  reference forward every step, because TRL refuses precomputed reference log-probs for
  vision data.

Also reported: the one-off cost of our reference pass over the same pairs (what replaces the
per-step reference forward), and the loss both compute at step 0 with no margin (must agree).
Rounds alternate ours/peer; the best round's CPU time counts (one torch thread by default, so
CPU time measures the work even on a shared machine).
"""

from __future__ import annotations

import argparse
import copy
import statistics
import tempfile
import time

import torch


def build(args: argparse.Namespace):  # noqa: ANN201
    from editcaption.prompts import load_prompt
    from editcaption.train.synthetic import SHORT_PROMPT, synthetic_rows
    from editcaption.train.tiny import build_tiny

    model, processor = build_tiny(args.family, hidden=args.hidden, layers=args.layers, image_size=args.image_size)
    prompt = SHORT_PROMPT if args.short_prompt else load_prompt().render()
    rows = synthetic_rows("preference", args.pairs, image_size=args.image_size, prompt_text=prompt, seed=1)
    return model, processor, rows


def ours(model, processor, rows, args):  # noqa: ANN001, ANN201
    import datasets

    from editcaption.train.collator import VLMCollator
    from editcaption.train.config import DPOConfig
    from editcaption.train.hae import MarginScheme
    from editcaption.train.logprobs import concat_forward
    from editcaption.train.reference import attach_reference, compute_reference_logps
    from editcaption.train.run import training_arguments
    from editcaption.train.trainers import HAEDPOTrainer

    cfg = DPOConfig(data="x", output_dir=tempfile.mkdtemp(), per_device_batch_size=len(rows), learning_rate=1e-4,
                    precision="fp32", report_to=["none"], max_steps=args.steps)
    margin = MarginScheme.from_config(cfg)
    collator = VLMCollator(processor, "preference", margin=margin)
    ds = datasets.Dataset.from_list(rows)
    t0 = time.perf_counter()
    values = compute_reference_logps(model, ds, collator, batch_size=len(rows))
    ref_seconds = time.perf_counter() - t0
    ds = attach_reference(ds, values)
    trainer = HAEDPOTrainer(model=model, args=training_arguments(cfg, has_eval=False, moe=False), train_dataset=ds,
                            data_collator=collator, margin=margin, beta=cfg.beta, dpo_forward=concat_forward)
    batch = collator([ds[i] for i in range(len(ds))])
    return trainer, batch, ref_seconds


def peer(model, processor, rows, args):  # noqa: ANN001, ANN201
    import datasets
    from trl import DPOConfig, DPOTrainer

    from editcaption.train.data import decode_image

    plain = [{"images": [decode_image(i) for i in r["images"]], "prompt": r["prompt"], "chosen": r["chosen"],
              "rejected": r["rejected"]} for r in rows]
    ds = datasets.Dataset.from_list(plain)
    cfg = DPOConfig(output_dir=tempfile.mkdtemp(), bf16=False, use_cpu=True, max_length=None, report_to="none",
                    per_device_train_batch_size=len(rows), learning_rate=1e-4, gradient_checkpointing=False,
                    max_steps=args.steps)
    ref = copy.deepcopy(model).eval()
    trainer = DPOTrainer(model=model, ref_model=ref, args=cfg, train_dataset=ds, processing_class=processor)
    batch = trainer.data_collator([ds[i] for i in range(len(ds))])
    return trainer, batch


def step_seconds(trainer, batch, steps: int) -> tuple[float, float]:  # noqa: ANN001
    """Mean (wall, CPU) seconds of training_step + optimizer step after two warm-up steps."""
    trainer.create_optimizer_and_scheduler(num_training_steps=steps + 2)
    trainer.current_gradient_accumulation_steps = 1  # set by Trainer.train(); we drive the steps ourselves
    model = trainer.model
    model.train()
    wall, cpu = [], []
    for i in range(steps + 2):
        t0, c0 = time.perf_counter(), time.process_time()
        trainer.training_step(model, batch)
        trainer.optimizer.step()
        trainer.optimizer.zero_grad()
        if i >= 2:
            wall.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
    return statistics.mean(wall), statistics.mean(cpu)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--family", default="qwen2_5_vl")
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--image-size", type=int, default=112)
    ap.add_argument("--pairs", type=int, default=4)
    ap.add_argument("--steps", type=int, default=15)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--short-prompt", action="store_true", help="a one-line prompt instead of the packaged one")
    ap.add_argument("--threads", type=int, default=1, help="torch threads (1: CPU time measures the work)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)

    base, processor, rows = build(args)
    # Same start for both; the check below compares their step-0 losses with no margin.
    our_trainer, our_batch, ref_seconds = ours(copy.deepcopy(base), processor, rows, args)
    peer_trainer, peer_batch = peer(copy.deepcopy(base), processor, rows, args)
    seq = int(our_batch["prompt"]["attention_mask"].sum(1).max() + our_batch["chosen"]["attention_mask"].sum(1).max())
    with torch.no_grad():
        peer_loss = peer_trainer.compute_loss(peer_trainer.model, peer_batch).item()
        our_trainer.margin.gamma_st = our_trainer.margin.gamma_h = 0.0
        our_loss = our_trainer.compute_loss(our_trainer.model, our_batch).item()
        our_trainer.margin.gamma_st = our_trainer.margin.gamma_h = 1.0

    rounds = []
    for _ in range(args.rounds):
        rounds.append((step_seconds(our_trainer, our_batch, args.steps),
                       step_seconds(peer_trainer, peer_batch, args.steps)))
    best_ours = min(r[0][1] for r in rounds)
    best_peer = min(r[1][1] for r in rounds)
    params = sum(p.numel() for p in base.parameters())
    print(f"model {args.family} hidden {args.hidden} layers {args.layers}, {params / 1e6:.2f} M params, "
          f"{args.pairs} pairs, images {args.image_size}px, longest row {seq} tokens, threads {torch.get_num_threads()}")
    print(f"step-0 loss without margin: ours {our_loss:.6f}  TRL {peer_loss:.6f}")
    print(f"reference pass (one-off, {args.pairs} pairs): {ref_seconds * 1000:.1f} ms")
    for i, (a, b) in enumerate(rounds):
        print(f"round {i + 1}: ours {a[0] * 1000:.0f} ms/step wall, {a[1] * 1000:.0f} ms CPU; "
              f"TRL {b[0] * 1000:.0f} ms/step wall, {b[1] * 1000:.0f} ms CPU")
    print(f"best CPU time per step: ours {best_ours * 1000:.0f} ms, TRL {best_peer * 1000:.0f} ms, "
          f"TRL / ours {best_peer / best_ours:.2f}x")


if __name__ == "__main__":
    main()
