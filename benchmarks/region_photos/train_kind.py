"""Fit the learned region-kind model (``src/editcaption/delta/kind_model.json``) on the tuning part.

    .venv/bin/python benchmarks/region_photos/train_kind.py            # fit and write the weights
    .venv/bin/python benchmarks/region_photos/train_kind.py --dry-run  # fit, compare with the shipped file

Reads only tuning data: the ``tuning`` part of the region photo set (its own objects and
backgrounds, seeds 0–4, 100 pairs per kind), and the drawn shapes of ``benchmarks/delta_edits.py``
added, removed and recoloured on the two of its tuning photos that are also tuning
backgrounds of the photo set (astronaut, coffee; seeds of their own, never those
``delta_regions.py`` reports). The shapes are flat and hard-edged, unlike any cut-out
object: without them the model named a flat disc turned from yellow to blue "disappeared".
For every appeared, disappeared or recoloured pair, the region that speaks for it (the
largest one over the object's box, as ``benchmarks/delta_regions.py`` judges) is analysed
with the rules alone, and its measurements are kept with the pair's true kind. Regions the
rules read as a move, and regions whose kind the move pairing changed, are left out: the model
is not asked about them. The fit is deterministic (gradient descent from zero weights), so the
same code gives the same file. The held-out parts are never read here.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from delta_edits import make_edits  # noqa: E402
from delta_regions import SHAPE_KINDS, Case, judged, photo_cases  # noqa: E402

from editcaption.delta import analyze, kind_model  # noqa: E402
from editcaption.delta.regions import MEASUREMENTS, overrules, recording  # noqa: E402
from editcaption.delta.thresholds import DEFAULT  # noqa: E402

SEEDS = (0, 1, 2, 3, 4)
PER_KIND = 100
SHAPE_PHOTOS = ("astronaut", "coffee")
SHAPE_SEEDS = (7000, 7001, 7002)  # delta_regions.py draws its shapes from seeds 0, 1000 and 2000
SHAPES_PER_KIND = 40
L2 = 1.0
# the rules alone, on the regions of the first search at ``delta_e`` (the data the shipped weights
# were fitted on; the quiet pairs' second search at a lower threshold came later and is left out)
RULES_ONLY = replace(DEFAULT, regions=replace(DEFAULT.regions, learned_kind_confidence=None, quiet_delta_e=None))


def tuning_cases(seeds: tuple[int, ...], per_kind: int, shape_seeds: tuple[int, ...],
                 shapes_per_kind: int) -> Iterator[Case]:
    for seed in seeds:
        yield from photo_cases("tuning", per_kind, seed)
    for seed in shape_seeds:
        for e in make_edits(SHAPE_PHOTOS, shapes_per_kind, seed, kinds=tuple(SHAPE_KINDS)):
            yield Case(f"shapes-{e.kind}-{e.photo}@{seed}", SHAPE_KINDS[e.kind], e.src, e.tgt)


def examples(cases: Iterator[Case]) -> tuple[np.ndarray, list[str], list[str]]:
    """Measurements of the judged region of every pair, its true kind and the rules' kind."""
    rows, truth, rules = [], [], []
    for n, case in enumerate(cases, 1):
        if case.kind not in kind_model.KINDS:
            continue
        with recording() as seen:
            regions = analyze(case.src, case.tgt, thresholds=RULES_ONLY).regions
        region = judged(regions, case)
        for r, measured, rules_kind in seen:
            if r is region and measured is not None and r.kind == rules_kind:
                rows.append(measured)
                truth.append(case.kind)
                rules.append(rules_kind)
        if n % 300 == 0:
            print(f"{n} pairs read, {len(rows)} regions kept", file=sys.stderr)
    return np.array(rows), truth, rules


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dry-run", action="store_true", help="fit and report, but do not write the weights")
    ap.add_argument("--out", type=Path, default=kind_model.WEIGHTS)
    args = ap.parse_args(argv)

    x, truth, rules = examples(tuning_cases(SEEDS, PER_KIND, SHAPE_SEEDS, SHAPES_PER_KIND))
    trained_on = (f"region photo set, tuning part only, seeds {SEEDS[0]}-{SEEDS[-1]}, {PER_KIND} pairs per kind; "
                  f"drawn shapes on {', '.join(SHAPE_PHOTOS)}, seeds {SHAPE_SEEDS[0]}-{SHAPE_SEEDS[-1]}, "
                  f"{SHAPES_PER_KIND} per kind: {len(truth)} regions {dict(sorted(Counter(truth).items()))}; l2={L2}")
    model = kind_model.fit(x, truth, MEASUREMENTS, l2=L2, trained_on=trained_on)
    p = model.probabilities(x)
    best = np.array(model.kinds)[p.argmax(axis=1)]
    print(trained_on)
    print(f"rules right on these regions: {np.mean(np.array(rules) == np.array(truth)):.4f}; "
          f"model: {np.mean(best == np.array(truth)):.4f}")
    confident = p.max(axis=1) >= DEFAULT.regions.learned_kind_confidence
    final = np.array([b if c and overrules(b, r) else r for b, c, r in zip(best, confident, rules, strict=True)])
    print(f"at confidence {DEFAULT.regions.learned_kind_confidence}, where it may overrule: the model changes "
          f"{int((final != np.array(rules)).sum())} kinds; right {np.mean(final == np.array(truth)):.4f}")
    if args.out.exists():
        # the measurements are float32 sums, whose last bits can follow memory layout, so the file
        # is compared by what it says: its kinds and probabilities on these regions
        before = kind_model.KindModel.from_json(json.loads(args.out.read_text(encoding="utf-8")))
        p_before = before.probabilities(x)
        same_kinds = int((p_before.argmax(axis=1) == p.argmax(axis=1)).sum())
        print(f"{args.out.name} as it stands: the same kind on {same_kinds} of {len(x)} regions, "
              f"probabilities at most {float(np.abs(p_before - p).max()):.1e} apart")
    if not args.dry_run:
        args.out.write_text(json.dumps(model.to_json(), indent=1) + "\n", encoding="utf-8")
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
