"""The report of a miniature run, in the layout of the paper's Tables 3 and 4 (mean ± std over seeds).

Sections: the objective table (Table 3's columns plus Correct / P0 / unparsable), the margin
ablation (Table 4), P0 rates per failure mode with paired changes against SFT (what preference
training targets), the pipeline's own numbers (teacher keep rates, SFT set, mined failures,
balanced preference set), the reference-model hardness Δref distribution (does eq. 3's sigmoid
saturate?), the preference runs' training metrics, timings and the exact command.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path
from typing import Any

from .config import MiniConfig
from .stats import fmt, mean_std, paired, quantiles
from .tasks import seed_dir

TABLE3_ROWS = [
    ("teacher", "Teacher: delta captioner + injected mistakes (stands in for GLM-4.5V)"),
    ("sft", "SFT"),
    ("dpo-dpo", "SFT + DPO"),
    ("dpo-hae", "SFT + HAE-DPO"),
    ("sft-grounded", "SFT with grounded prompts (delta hints in the prompt, trained and asked)"),
    ("sft-blank", "SFT on blank images (control)"),
]
TABLE4_ROWS = [
    ("dpo-dpo", "None (standard DPO)"),
    ("dpo-hae-severity", "Only s·c(t) (severity × type)"),
    ("dpo-hae-hardness", "Only h (hardness)"),
    ("dpo-hae", "HAE-DPO (both)"),
    ("dpo-hae-eq3", "HAE-DPO, hardness as eq. 3 literally (summed log-probs, τ 1)"),
]
MODES = ("orientation", "viewpoint", "detail")


def load_json(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None


def _task(root: Path, seed: int, name: str) -> dict[str, Any] | None:
    rec = load_json(seed_dir(root, seed) / "tasks" / f"{name.replace(':', '-')}.json")
    return rec.get("result") if rec and rec.get("status") == "done" else None


def _metric(root: Path, seeds: range, target: str, key: str) -> list[float | None]:
    out = []
    for seed in seeds:
        res = _task(root, seed, f"eval:{target}")
        out.append(None if res is None else res["metrics"].get(key))
    return out


def table_row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def table3(root: Path, seeds: range, targets: list[str], labels: dict[str, str] | None = None) -> list[str]:
    labels = labels or {}
    lines = [table_row(["Model", "S", "Acc", "Comp", "Clar", "Correct %", "P0 %", "Unparsable %"]),
             table_row(["---"] + ["---:"] * 7)]
    for key, label in TABLE3_ROWS:
        if key not in targets:
            continue
        label = labels.get(key, label)
        m = {k: _metric(root, seeds, key, k) for k in ("S", "accuracy", "completeness", "clarity", "correct", "p0",
                                                       "unparsable")}
        lines.append(table_row([label, fmt(m["S"]), fmt(m["accuracy"], 2), fmt(m["completeness"], 2),
                           fmt(m["clarity"], 2), fmt(m["correct"], 1, 100), fmt(m["p0"], 1, 100),
                           fmt(m["unparsable"], 1, 100)]))
    return lines


def table4(root: Path, seeds: range, targets: list[str]) -> list[str]:
    lines = [table_row(["Margin components", "S", "Acc", "Comp", "Clar", "ΔS vs DPO (paired)"]),
             table_row(["---"] + ["---:"] * 5)]
    base = _metric(root, seeds, "dpo-dpo", "S")
    for key, label in TABLE4_ROWS:
        if key not in targets:
            continue
        s = _metric(root, seeds, key, "S")
        delta = "–" if key == "dpo-dpo" else fmt(paired(base, s), 3)
        lines.append(table_row([label, fmt(s), fmt(_metric(root, seeds, key, "accuracy"), 2),
                           fmt(_metric(root, seeds, key, "completeness"), 2),
                           fmt(_metric(root, seeds, key, "clarity"), 2), delta]))
    return lines


def failure_table(root: Path, seeds: range, targets: list[str]) -> list[str]:
    """P0 rate (% of held-out pairs) per failure mode, and the paired change against SFT."""
    lines = [table_row(["Model"] + [f"P0 {m} %" for m in MODES] + [f"Δ {m} (pts)" for m in MODES]),
             table_row(["---"] + ["---:"] * 6)]
    sft = {m: _metric(root, seeds, "sft", f"p0_{m}") for m in MODES}
    rows = [("sft", "SFT")] + [(k, lbl) for k, lbl in TABLE4_ROWS] + [("sft-grounded", "SFT with grounded prompts")]
    for key, label in rows:
        if key not in targets:
            continue
        vals = {m: _metric(root, seeds, key, f"p0_{m}") for m in MODES}
        deltas = ["–" if key == "sft" else fmt(paired(sft[m], vals[m]), 1, 100) for m in MODES]
        lines.append(table_row([label] + [fmt(vals[m], 1, 100) for m in MODES] + deltas))
    return lines


def delta_ref(root: Path, seed: int, tau: float) -> dict[str, Any] | None:
    """Δref = ℓ_ref(rejected) − ℓ_ref(chosen) per pair (per-token means and sums), and eq. 3's σ."""
    path = seed_dir(root, seed) / "data" / "prefs-ref" / "train.parquet"
    if not path.is_file():
        return None
    import pyarrow.parquet as pq

    t = pq.read_table(path, columns=["ref_chosen_logps", "ref_rejected_logps", "ref_chosen_logps_mean",
                                     "ref_rejected_logps_mean", "error_type"]).to_pydict()
    mean_d = [r - c for r, c in zip(t["ref_rejected_logps_mean"], t["ref_chosen_logps_mean"], strict=True)]
    sum_d = [r - c for r, c in zip(t["ref_rejected_logps"], t["ref_chosen_logps"], strict=True)]

    def sig(x: float) -> float:
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, x / tau))))

    def sat(ds: list[float]) -> float:
        return sum(1 for d in ds if not 0.01 <= sig(d) <= 0.99) / len(ds)

    return {"n": len(mean_d), "mean_q": quantiles(mean_d, (0.1, 0.5, 0.9)), "sum_q": quantiles(sum_d, (0.1, 0.5, 0.9)),
            "h_mean": sum(sig(d) for d in mean_d) / len(mean_d), "saturated_mean": sat(mean_d),
            "saturated_sum": sat(sum_d), "rejected_more_likely": sum(d > 0 for d in mean_d) / len(mean_d)}


def pipeline_table(root: Path, seeds: range) -> list[str]:
    lines = [table_row(["Seed", "Pool", "Teacher kept (by subtype)", "SFT rows", "SFT final loss",
                   "Mined failures (mode/severity)", "Preference pairs (balanced)"]),
             table_row(["---:", "---:", "---", "---:", "---:", "---", "---:"])]
    for seed in seeds:
        prep = _task(root, seed, "prepare") or {}
        sft = _task(root, seed, "sft") or {}
        mine = _task(root, seed, "mine") or {}
        f = prep.get("filter") or {}
        kept = ", ".join(f"{k} {v['kept']}/{v['total']}" for k, v in sorted((f.get("by_subtype") or {}).items()))
        outcomes = (mine.get("mined") or {}).get("outcomes") or {}
        mined = ", ".join(f"{k} {v}" for k, v in outcomes.items())
        loss = (sft.get("last_logged") or {}).get("loss")
        rows = str(prep.get("sft_rows", "–"))
        if prep.get("pretrain_rows") is not None:  # the pretrained-like start's set and its final loss
            pre_loss = ((_task(root, seed, "pretrain") or {}).get("last_logged") or {}).get("loss")
            pre = f", loss {pre_loss:.3f}" if isinstance(pre_loss, (int, float)) else ""
            rows += f" (after {prep['pretrain_rows']} pretraining rows{pre})"
        lines.append(table_row([str(seed), str((prep.get("pairs") or {}).get("pool", "–")),
                           f"{f.get('kept', '–')}/{f.get('total', '–')} ({kept})", rows,
                           f"{loss:.3f}" if isinstance(loss, (int, float)) else "–", mined or "–",
                           str(mine.get("exported", "–"))]))
    return lines


def preference_training(root: Path, seeds: range, losses: tuple[str, ...]) -> list[str]:
    keys = ("rewards/accuracies", "margin/satisfied", "rewards/margins", "margin/mean", "hardness/mean",
            "hardness/saturated")
    lines = [table_row(["Run"] + [f"{k} (last log)" for k in keys]), table_row(["---"] + ["---:"] * len(keys))]
    for loss in losses:
        vals: dict[str, list[float | None]] = {k: [] for k in keys}
        for seed in seeds:
            last = (_task(root, seed, f"dpo:{loss}") or {}).get("last_logged") or {}
            for k in keys:
                vals[k].append(last.get(k))
        lines.append(table_row([loss] + [fmt(vals[k], 3) for k in keys]))
    return lines


def _verdict(deltas: list[float | None], lower: str = "lower", higher: str = "higher") -> str:
    """How a paired change reads: ``lower`` / ``higher`` when the mean is beyond one standard
    deviation from zero (or, with one seed, simply its sign), else "no clear change"."""
    m, s, _ = mean_std(deltas)
    if m is None:
        return "not measured"
    if s is None:
        return lower if m < 0 else higher if m > 0 else "unchanged"
    if abs(m) <= s:
        return "no clear change"
    return lower if m < 0 else higher


def findings(root: Path, config: MiniConfig, targets: list[str]) -> list[str]:
    """Plain sentences computed from the numbers (no judgement beyond mean vs spread)."""
    seeds = range(config.seeds)
    out: list[str] = []
    sft_s = _metric(root, seeds, "sft", "S")
    for key, label in [("dpo-dpo", "DPO"), ("dpo-hae", "HAE-DPO"), ("dpo-hae-severity", "severity-only"),
                       ("dpo-hae-hardness", "hardness-only")]:
        if key not in targets:
            continue
        parts = []
        for mode in MODES:
            d = paired(_metric(root, seeds, "sft", f"p0_{mode}"), _metric(root, seeds, key, f"p0_{mode}"))
            parts.append(f"{mode} {fmt(d, 1, 100)} pts ({_verdict(d)})")
        ds = paired(sft_s, _metric(root, seeds, key, "S"))
        dc = paired(_metric(root, seeds, "sft", "correct"), _metric(root, seeds, key, "correct"))
        out.append(f"{label} vs SFT: P0 change by mode {', '.join(parts)}; S {fmt(ds)} "
                   f"({_verdict(ds, 'down', 'up')}); correct {fmt(dc, 1, 100)} pts ({_verdict(dc, 'down', 'up')}).")
    if "dpo-hae" in targets and "dpo-dpo" in targets:
        d = paired(_metric(root, seeds, "dpo-dpo", "S"), _metric(root, seeds, "dpo-hae", "S"))
        m, sd, n = mean_std(d)
        if m is not None:
            order = "HAE-DPO above DPO" if m > 0 else "DPO above HAE-DPO" if m < 0 else "HAE-DPO equal to DPO"
            spread = "" if sd is None else (" — within the seed spread" if abs(m) <= sd else " — beyond the seed spread")
            out.append(f"Ordering: {order} by S {fmt(d)} over {n} seed(s){spread}.")
    if "sft-grounded" in targets:
        d = paired(sft_s, _metric(root, seeds, "sft-grounded", "S"))
        dv = paired(_metric(root, seeds, "sft", "p0_viewpoint"), _metric(root, seeds, "sft-grounded", "p0_viewpoint"))
        do = paired(_metric(root, seeds, "sft", "p0_orientation"),
                    _metric(root, seeds, "sft-grounded", "p0_orientation"))
        out.append(f"Grounded SFT vs SFT: S {fmt(d)}, P0 viewpoint {fmt(dv, 1, 100)} pts, P0 orientation "
                   f"{fmt(do, 1, 100)} pts (with {config.grounded_steps} instead of {config.sft.steps} SFT steps).")
    refs = [d for d in (delta_ref(root, s, config.dpo.tau) for s in seeds) if d]
    if refs:
        h = [r["h_mean"] for r in refs]
        out.append(f"Hardness term: per-token Δref has median {fmt([r['mean_q'][1] for r in refs], 2)}, so h = "
                   f"σ(Δref/τ) averages {fmt(h, 3)} and is saturated (outside 0.01–0.99) for "
                   f"{fmt([r['saturated_mean'] for r in refs], 0, 100)}% of pairs; eq. 3 with summed log-probs would "
                   f"saturate for {fmt([r['saturated_sum'] for r in refs], 0, 100)}%.")
    return out


def render(root: Path, config: MiniConfig, timing: dict[str, Any]) -> str:
    """The report as Markdown."""
    from .tasks import eval_targets

    seeds = range(config.seeds)
    targets = ["teacher", *eval_targets(config)]
    run = load_json(root / "mini.json") or {}
    command = (run.get("commands") or ["?"])[-1]
    title = "# EditCaption in miniature: the paper's loop on a CPU"
    if config.regime != "perception":
        title += f" ({config.regime} regime)"
    out: list[str] = [title, ""]
    out += [f"Command: `{command}`  ", f"Seeds: {config.seeds} (mean ± sample std over seeds; one seed prints the "
            f"value alone) · preset `{config.preset}` · finished {timing.get('finished', '?')} · wall time "
            f"{timing.get('wall_minutes', '?')} min on "
            f"{timing.get('machine', 'this machine')} · load average before/after: {timing.get('load_before', '?')} / "
            f"{timing.get('load_after', '?')}", ""]
    out += [settings_line(config), ""]
    out += ["## Table 3 analog: held-out EditWorld pairs, exact scorer", "",
            f"{config.n_test} held-out pairs per seed. S = 0.4·Acc + 0.4·Comp + 0.2·Clar (0–5, means over the "
            "instructions the scorer could read); Correct = no error at all; P0 = at least one P0 error; both over "
            "all pairs, an unreadable instruction counting as not correct.", ""]
    relabel = {}
    if not any(getattr(config.teacher, k) for k in ("direction_swap", "wrong_camera", "dropped_attribute")):
        relabel["teacher"] = "Teacher: delta captioner, no injected mistakes (not filtered in this regime)"
    out += table3(root, seeds, targets, relabel) + [""]
    notes = findings(root, config, targets)
    if notes:
        out += ["### What came out (computed from the tables)", ""] + [f"- {n}" for n in notes] + [""]
    out += ["## Table 4 analog: HAE-DPO margin components (same SFT model)", ""]
    out += table4(root, seeds, targets) + [""]
    out += ["## P0 errors per failure mode (what preference training targets)", "",
            "Share of held-out pairs with a P0 error of each mode; Δ = variant − SFT per seed, in points.", ""]
    out += failure_table(root, seeds, targets) + [""]
    if config.regime == "systematic":
        from .systematic import render_sections

        out += render_sections(root, config)
    out += ["## Pipeline", ""] + pipeline_table(root, seeds) + [""]
    refs = [d for d in (delta_ref(root, s, config.dpo.tau) for s in seeds) if d]
    if refs:
        out += ["## Hardness: Δref = ℓ_ref(rejected) − ℓ_ref(chosen) under the SFT model", "",
                table_row(["Seed", "pairs", "Δref per token p10 / p50 / p90", "Δref summed p10 / p50 / p90",
                      "mean h (per token)", "saturated h: per token / summed", "rejected more likely"]),
                table_row(["---:"] * 7)]
        for seed, d in zip(seeds, refs, strict=False):
            out.append(table_row([str(seed), str(d["n"]), " / ".join(f"{q:.2f}" for q in d["mean_q"]),
                             " / ".join(f"{q:.1f}" for q in d["sum_q"]), f"{d['h_mean']:.3f}",
                             f"{d['saturated_mean'] * 100:.0f}% / {d['saturated_sum'] * 100:.0f}%",
                             f"{d['rejected_more_likely'] * 100:.0f}%"]))
        out.append("")
    out += ["## Preference training (last logged values, mean ± std over seeds)", ""]
    out += preference_training(root, seeds, config.losses) + [""]
    out += ["## Time per task (seconds, summed over seeds)", "", _timing_table(timing), ""]
    return "\n".join(out)


def settings_line(config: MiniConfig) -> str:
    """The budgets behind the numbers, in one line (everything else is in the run's ``mini.json``)."""
    s, d = config.sft, config.dpo
    anchor = f", chosen-NLL α {d.chosen_nll_weight:g}" if d.chosen_nll_weight else ""
    if d.hardness_scale == "standardised":
        anchor += "; hardness standardised on each preference set (centre = median Δref, τ = IQR/1.349)"
    val = f" / {config.n_val} (validation)" if config.n_val else ""
    if config.pretrain is not None:
        p = config.pretrain
        val += (f" / {config.n_pretrain} (pretraining: reference instructions, {p.steps} steps × {p.batch_size}, "
                f"lr {p.learning_rate:g}, before the SFT)")
    return (f"Settings: {config.image_size}-px scenes; pools of {config.n_pool} (teacher) / {config.n_mine} (mining) / "
            f"{config.n_test} (held out){val} pairs; tiny {config.model.family} (hidden {config.model.hidden}, "
            f"{config.model.layers} layers); SFT {s.steps} steps × {s.batch_size}, lr {s.learning_rate:g}; "
            f"preference runs {d.steps} steps × {d.batch_size}, lr {d.learning_rate:g}, β {d.beta:g}, "
            f"γ_st {d.gamma_st:g}, γ_h {d.gamma_h:g}, τ {d.tau:g}, hardness on {d.hardness_norm} log-probs{anchor}.")


def _timing_table(timing: dict[str, Any]) -> str:
    per = Counter()
    for key, sec in (timing.get("tasks") or {}).items():
        name = key.split("/", 1)[1]
        per[name.split(":", 1)[0] if name.startswith(("dpo:", "eval:", "val:")) else name] += sec
    rows = [table_row(["Task", "seconds"]), table_row(["---", "---:"])]
    rows += [table_row([k, f"{v:.0f}"]) for k, v in per.most_common()]
    return "\n".join(rows)


def seed_values(root: Path, config: MiniConfig, target: str, key: str) -> list[float | None]:
    """Per-seed values of one metric (used by tests and the CLI's summary)."""
    return _metric(root, range(config.seeds), target, key)


def summary_line(root: Path, config: MiniConfig) -> str:
    s = {t: mean_std(seed_values(root, config, t, "S"))[0] for t in ("sft", "dpo-dpo", "dpo-hae")}
    return ", ".join(f"{t} S={v:.3f}" for t, v in s.items() if v is not None)
