"""How sure is a miniature's model of the direction word it writes for a horizontal pan?

    .venv/bin/python benchmarks/mini_direction_words.py RUN_DIR --role val --models sft dpo-dpo dpo-hae
    .venv/bin/python benchmarks/mini_direction_words.py RUN_DIR --role mine --seed 1 --models sft dpo-dpo

``RUN_DIR`` is the output of ``editcaption reproduce mini --regime systematic``. For each model and
each horizontal pan of the role's pairs (``mine``: the failure-mining pairs the preference sets were
built from; ``val``; ``test``), the model is shown the pair and the answer prefix "Pan the camera to
the", and the probabilities of the next words "left" and "right" are read
(:func:`editcaption.reproduce.probe.next_word_probs`, at the position the perception probe reads).
Printed per true direction: the median probability of the true word and of the other one, and how
many pairs put the true word first.

Why: the habit rate and the "which way is written" table in the run's report count greedy answers.
They cannot tell a model that inverted its mapping from image to word but is unsure from one that
dropped the mapping and writes its preferred word. The probabilities can: after a preference run
that dropped the mapping, both words sit near the same values whatever the picture shows.
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

import torch

from editcaption.imageio import load_rgb, to_pil
from editcaption.reproduce.probe import next_word_probs
from editcaption.reproduce.scenes import pair_images
from editcaption.reproduce.tasks import _prompts, _roles, seed_dir
from editcaption.train.hfcompat import load_model_and_processor

PREFIX = "Pan the camera to the"
WORDS = ("left", "right")


def pan_rows(root: Path, seed: int, role: str, limit: int) -> list[dict]:
    rows = _roles(root, seed)[role].rows
    pans = [rows[i] for i in sorted(rows) if rows[i]["subtype"] == "camera_pan"
            and rows[i]["ground_truth"]["primary"][0]["direction"] in WORDS]
    return pans[:limit]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("run", type=Path)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--role", default="val", choices=("mine", "val", "test"))
    ap.add_argument("--models", nargs="+", default=["sft", "dpo-dpo"])
    ap.add_argument("--limit", type=int, default=60, help="pans read per model")
    args = ap.parse_args()
    torch.set_num_threads(1)
    prompt = _prompts(args.run, args.seed)[0].read_text(encoding="utf-8").strip()
    rows = pan_rows(args.run, args.seed, args.role, args.limit)
    items = [((to_pil(load_rgb(src)), to_pil(load_rgb(tgt))), PREFIX) for src, tgt in map(pair_images, rows)]
    truths = [row["ground_truth"]["primary"][0]["direction"] for row in rows]
    print(f"{args.run} seed {args.seed}, {args.role} pairs: {len(rows)} horizontal pans")
    print("| model | true direction | pairs | p(true word), median | p(other word), median | true word first |")
    print("|---|---|---:|---:|---:|---:|")
    for name in args.models:
        model, processor = load_model_and_processor(seed_dir(args.run, args.seed) / "models" / name / "final",
                                                    device="cpu")
        model.eval()
        probs = next_word_probs(model, processor, prompt, items, WORDS)
        for truth in WORDS:
            k = WORDS.index(truth)
            sel = [(p[k], p[1 - k]) for t, p in zip(truths, probs, strict=True) if t == truth]
            if not sel:
                continue
            first = sum(1 for true_p, other_p in sel if true_p > other_p)
            print(f"| {name} | {truth} | {len(sel)} | {statistics.median(p for p, _ in sel):.3f} | "
                  f"{statistics.median(p for _, p in sel):.3f} | {first}/{len(sel)} |")


if __name__ == "__main__":
    main()
