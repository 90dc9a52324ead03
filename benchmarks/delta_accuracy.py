"""Accuracy of the visual delta analyzer and of the instruction checker, against known truth.

    .venv/bin/python benchmarks/delta_accuracy.py                  # held-out photos + EditWorld photos
    .venv/bin/python benchmarks/delta_accuracy.py --sets tuning    # the set the thresholds were chosen on
    .venv/bin/python benchmarks/delta_accuracy.py --per-kind 40 --editworld-per-subtype 40 --json out.json

Sets (never mixed):

* ``heldout`` — edits with known truth (``delta_edits.py``) of scikit-image photos that are
  not bundled with the package and were never used to choose a threshold (but were looked
  at during development: a validation set);
* ``fresh`` — the same edits of photos never looked at before the final run;
* ``editworld`` — ``editcaption synth editworld --family photos`` pairs (issue 3's
  generator: its own edit code, the bundled photos with pasted objects), with their
  structured ground truth; unchanged pairs are EditWorld sources re-encoded as JPEG;
* ``tuning`` — the same edits as ``heldout`` on the four bundled photos; the only set the
  thresholds in ``editcaption/delta/thresholds.py`` were chosen on.

The checker is measured on the same pairs: its catch rate on instructions whose pan, zoom
or side direction was swapped, and its false-flag rate on the correct instructions.
Targets (issue 4): camera and tone ≥ 97%, local side ≥ 95%, colour ≥ 90%, false change ≤ 5%,
checker catch ≥ 95% with ≤ 5% false flags.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from delta_edits import FRESH_PHOTOS, HELDOUT_PHOTOS, TUNING_PHOTOS, Edit, jpeg, make_edits  # noqa: E402

from editcaption.delta import DeltaReport, analyze, check, describe  # noqa: E402
from editcaption.directions import swap_direction_words  # noqa: E402

TARGETS = {
    "pan direction": 0.97, "zoom direction": 0.97, "mirror": 0.97, "rotation sign": 0.97,
    "brightness": 0.97, "warmth": 0.97, "grayscale": 0.97, "local-change side": 0.95,
    "colour after recolour": 0.90, "false change (unchanged pairs)": -0.05,
    "checker: swapped pan caught": 0.95, "checker: swapped zoom caught": 0.95, "checker: swapped side caught": 0.95,
    "checker: false flags on correct": -0.05,
}
ORDER = [
    "pan direction", "zoom direction", "mirror", "rotation sign", "brightness", "warmth", "grayscale",
    "saturation", "local-change side", "colour after recolour", "false change (unchanged pairs)",
    "checker: swapped pan caught", "checker: swapped zoom caught", "checker: swapped side caught",
    "checker: swapped rotation caught", "checker: swapped move caught", "checker: false flags on correct",
    "delta captions: EditWorld exact S",
]


@dataclass
class Tally:
    hits: dict[str, list[bool]] = field(default_factory=lambda: defaultdict(list))
    misses: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    extra: dict[str, str] = field(default_factory=dict)

    def add(self, metric: str, ok: bool, note: str) -> None:
        self.hits[metric].append(bool(ok))
        if not ok:
            self.misses[metric].append(note)

    def event(self, metric: str, happened: bool, note: str) -> None:
        """For rates of something bad (false change, false flag): the note is kept when it happens."""
        self.hits[metric].append(bool(happened))
        if happened:
            self.misses[metric].append(note)

    def rate(self, metric: str) -> tuple[float, int] | None:
        v = self.hits.get(metric)
        return (sum(v) / len(v), len(v)) if v else None


# ----------------------------------------------------------------------------- scoring


def main_region(report: DeltaReport):  # noqa: ANN201
    return report.regions[0] if report.regions else None


def score_camera(t: Tally, metric: str, ok: bool, report: DeltaReport, note: str) -> None:
    c = report.camera
    t.add(metric, ok, f"{note} | {c.method} conf={c.confidence:.2f} shift=({c.shift_x:.3f},{c.shift_y:.3f}) "
                      f"scale={c.scale:.3f} rot={c.rotation_deg:.1f} flip={c.flip}")


def score_checker(t: Tally, report: DeltaReport, correct: str, swapped: str | None, axis: str | None, note: str) -> None:
    flags = check(report, correct)
    t.event("checker: false flags on correct", bool(flags), f"{note} | {correct!r} → {[f.message for f in flags]}")
    if swapped and axis and swapped != correct:
        expected = "orientation" if axis in ("side", "move") else "viewpoint"
        flags = check(report, swapped)
        t.add(f"checker: swapped {axis} caught", any(f.type == expected for f in flags), f"{note} | {swapped!r}")


def score_own_edit(t: Tally, e: Edit, report: DeltaReport) -> None:
    """One edit of delta_edits.py (held-out or tuning set)."""
    truth, c, p = e.truth, report.camera, report.photometric
    note = f"{e.kind} {e.photo} {truth}"
    if e.kind == "pan":
        score_camera(t, "pan direction", (c.pan_horizontal, c.pan_vertical) ==
                     (truth["pan_horizontal"], truth["pan_vertical"]), report, note)
    elif e.kind == "zoom":
        score_camera(t, "zoom direction", c.zoom == truth["zoom"], report, note)
    elif e.kind == "rotate":
        score_camera(t, "rotation sign", np.sign(c.rotation_deg) == truth["rotation_sign"], report, note)
    elif e.kind == "mirror":
        score_camera(t, "mirror", c.flip == "horizontal", report, note)
    elif e.kind == "brightness":
        t.add("brightness", p.brightness == truth["brightness"], f"{note} dl={p.delta_l:.1f}")
    elif e.kind == "warmth":
        t.add("warmth", p.temperature == truth["temperature"], f"{note} warm={p.delta_warm:.1f}")
    elif e.kind == "grayscale":
        t.add("grayscale", p.grayscale, f"{note} chroma {p.chroma_before:.1f}->{p.chroma_after:.1f}")
    elif e.kind == "saturation":
        t.add("saturation", p.saturation == truth["saturation"], f"{note} k={p.saturation_ratio:.2f}")
    elif e.kind in ("add", "remove", "recolor", "recolor_region"):
        r = main_region(report)
        t.add("local-change side", r is not None and r.side == truth["side"],
              f"{note} got {r and (r.side, r.vertical, r.kind)}")
        if e.kind.startswith("recolor"):
            t.add("colour after recolour", r is not None and r.color_after == truth["color_after"],
                  f"{note} got {r and r.color_after}")
    elif e.kind == "unchanged":
        t.event("false change (unchanged pairs)", not report.same, f"{note} {e.meta} -> {report.to_json()}")
    score_checker(t, report, e.instruction, e.swapped, e.swap_axis, note)


def run_own(photos: tuple[str, ...], per_kind: int, seed: int) -> Tally:
    t = Tally()
    for e in make_edits(photos, per_kind, seed):
        score_own_edit(t, e, analyze(e.src, e.tgt))
    return t


# --------------------------------------------------------------------------- EditWorld

EDITWORLD_SUBTYPES = ("camera_pan", "camera_zoom", "view_rotation", "mirror", "tone", "style", "recolor",
                      "add_object", "remove_object", "move_object", "hybrid")


def _position(phrase: str | None) -> tuple[str, str] | None:
    if not phrase:
        return None
    words = phrase.lower().replace("-", " ").split()
    side = "left" if "left" in words else "right" if "right" in words else "center"
    vertical = "top" if {"top", "upper"} & set(words) else "bottom" if {"bottom", "lower"} & set(words) else "middle"
    return side, vertical


def score_editworld_row(t: Tally, row: dict[str, Any], report: DeltaReport) -> None:
    primary = row["ground_truth"]["primary"]
    change = primary[0]
    op, c, p = change.get("op"), report.camera, report.photometric
    note = f"{row['id']} {row['subtype']} {change.get('text')}"
    single = row["subtype"] != "hybrid"
    axis = None
    if single and op == "pan":
        d = change["direction"]
        want = (d, "none") if d in ("left", "right") else ("none", d)
        score_camera(t, "pan direction", (c.pan_horizontal, c.pan_vertical) == want, report, note)
        axis = "pan"
    elif single and op == "zoom":
        score_camera(t, "zoom direction", c.zoom == change["direction"], report, note)
        axis = "zoom"
    elif single and op == "rotate":
        want = 1 if change["direction"] == "counter-clockwise" else -1
        score_camera(t, "rotation sign", np.sign(c.rotation_deg) == want, report, note)
        axis = "rotation"
    elif single and op == "mirror":
        score_camera(t, "mirror", c.flip == "horizontal", report, note)
    elif single and op == "tone":
        attr, after = change.get("attribute"), change.get("after")
        if attr == "brightness":
            t.add("brightness", p.brightness == after, f"{note} dl={p.delta_l:.1f}")
        elif attr == "warmth":
            t.add("warmth", p.temperature == after, f"{note} warm={p.delta_warm:.1f}")
        elif attr == "saturation":
            t.add("saturation", f"{p.saturation} saturated" == after, f"{note} k={p.saturation_ratio:.2f}")
    elif single and op == "style" and change.get("after") == "grayscale":
        t.add("grayscale", p.grayscale, f"{note} chroma {p.chroma_before:.1f}->{p.chroma_after:.1f}")
    elif single and op == "recolor":
        r = main_region(report)
        t.add("colour after recolour", r is not None and r.color_after == change.get("after"),
              f"{note} got {r and r.color_after}")
    elif single and op in ("add", "remove"):
        want = _position(change.get("after") if op == "add" else change.get("before"))
        r = main_region(report)
        if want is not None:
            t.add("local-change side", r is not None and r.side == want[0], f"{note} want {want} got "
                  f"{r and (r.side, r.vertical, r.kind, round(r.centroid[0], 3))}")
            if want[0] != "center":
                axis = "side"
    elif single and op == "move":
        axis = "move"
    correct = row["reference_instruction"]
    swapped = None
    if axis in ("pan", "move"):
        d = change.get("direction")
        swapped = swap_direction_words(correct, "horizontal" if d in ("left", "right") else "vertical")
    elif axis == "zoom":
        swapped = swap_direction_words(correct, "zoom")
    elif axis == "rotation":
        swapped = swap_direction_words(correct, "rotation")
    elif axis == "side":
        swapped = swap_direction_words(correct, "horizontal")
    score_checker(t, report, correct, swapped, axis, note)


def run_editworld(per_subtype: int, seed: int, size: tuple[int, int]) -> Tally:
    from editcaption.imageio import decode_file
    from editcaption.synth import generate, read_manifest, score_predictions

    t = Tally()
    predictions: dict[str, str] = {}
    rows_all: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for i, subtype in enumerate(EDITWORLD_SUBTYPES):
            n = per_subtype * (3 if subtype in ("tone", "style") else 1)  # tone/style split over their values
            manifest = generate(n, seed + i, Path(tmp) / subtype, size=size, family="photos", subtypes=[subtype])
            for row in read_manifest(manifest):
                src = decode_file(manifest.parent / row["source"]).rgb
                tgt = decode_file(manifest.parent / row["target"]).rgb
                report = analyze(src, tgt)
                score_editworld_row(t, row, report)
                predictions[row["id"]] = describe(report)
                rows_all.append(row | {"_manifest": str(manifest)})
                if subtype == "style" and len(t.hits["false change (unchanged pairs)"]) < per_subtype:
                    # unchanged pairs: an EditWorld source against its JPEG re-encoding
                    again = analyze(src, jpeg(src, 75 + len(t.hits["false change (unchanged pairs)"]) % 20))
                    t.event("false change (unchanged pairs)", not again.same, f"{row['id']} -> {again.to_json()}")
        # the delta captions scored exactly by EditWorld's scorer, per generated manifest
        by_manifest: dict[str, dict[str, str]] = defaultdict(dict)
        for row in rows_all:
            by_manifest[row["_manifest"]][row["id"]] = predictions[row["id"]]
        total, n = 0.0, 0
        for manifest, preds in by_manifest.items():
            summary = score_predictions(manifest, preds).summary()
            if summary.get("S") is not None:
                total += summary["S"] * summary["n"]
                n += summary["n"]
        if n:
            t.extra["delta captions: EditWorld exact S"] = f"{total / n:.2f} / 5 (n={n})"
    return t


# ------------------------------------------------------------------------------ report


def cell(t: Tally | None, metric: str) -> str:
    if t is None:
        return ""
    if metric in t.extra:
        return t.extra[metric]
    r = t.rate(metric)
    if r is None:
        return "—"
    rate, n = r
    return f"{rate * 100:.1f}% ({n})"


def verdict(tallies: dict[str, Tally], metric: str) -> str:
    target = TARGETS.get(metric)
    if target is None:
        return ""
    rates = [t.rate(metric) for t in tallies.values()]
    rates = [r[0] for r in rates if r]
    if not rates:
        return ""
    ok = all(r <= -target for r in rates) if target < 0 else all(r >= target for r in rates)
    return "yes" if ok else "**no**"


def table(tallies: dict[str, Tally]) -> str:
    names = list(tallies)
    head = "| metric | target | " + " | ".join(names) + " | met |"
    lines = [head, "|" + "---|" * (len(names) + 3)]
    for metric in ORDER:
        if not any(metric in t.hits or metric in t.extra for t in tallies.values()):
            continue
        target = TARGETS.get(metric)
        tgt = "" if target is None else (f"≤ {-target * 100:.0f}%" if target < 0 else f"≥ {target * 100:.0f}%")
        lines.append(f"| {metric} | {tgt} | " + " | ".join(cell(tallies[n], metric) for n in names)
                     + f" | {verdict(tallies, metric)} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sets", default="heldout,fresh,editworld",
                    help="comma-separated: heldout, fresh, editworld, tuning")
    ap.add_argument("--per-kind", type=int, default=24, help="edits per kind in the held-out/tuning sets")
    ap.add_argument("--editworld-per-subtype", type=int, default=30)
    ap.add_argument("--editworld-size", default="512x384")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--show-misses", type=int, default=5, help="print up to this many misses per metric")
    ap.add_argument("--json", type=Path, help="also write the rates and misses here")
    args = ap.parse_args()

    tallies: dict[str, Tally] = {}
    start = time.perf_counter()
    for name in (s.strip() for s in args.sets.split(",") if s.strip()):
        t0 = time.perf_counter()
        if name == "heldout":
            tallies[f"held-out photos ({len(HELDOUT_PHOTOS)})"] = run_own(HELDOUT_PHOTOS, args.per_kind, args.seed)
        elif name == "fresh":
            tallies[f"fresh photos ({len(FRESH_PHOTOS)})"] = run_own(FRESH_PHOTOS, args.per_kind, args.seed + 2000)
        elif name == "tuning":
            tallies["tuning photos (4, bundled)"] = run_own(TUNING_PHOTOS, args.per_kind, args.seed + 1000)
        elif name == "editworld":
            w, h = (int(v) for v in args.editworld_size.lower().split("x"))
            tallies["EditWorld photos"] = run_editworld(args.editworld_per_subtype, args.seed, (w, h))
        else:
            ap.error(f"unknown set {name!r}")
        print(f"# {name}: {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    print(table(tallies))
    print(f"\n(total {time.perf_counter() - start:.0f} s; rates with the number of pairs in brackets)")
    if args.show_misses:
        for name, t in tallies.items():
            for metric, notes in t.misses.items():
                print(f"\nmisses — {name} — {metric} ({len(notes)}):")
                for note in notes[: args.show_misses]:
                    print("   ", note[:400])
    if args.json:
        args.json.write_text(json.dumps({name: {m: t.rate(m) for m in ORDER if t.rate(m)} | {"extra": t.extra,
                                                                                          "misses": t.misses}
                                         for name, t in tallies.items()}, indent=1))


if __name__ == "__main__":
    main()
