"""The systematic regime's own measures and report sections.

* **Habit rate** — of the evaluation pairs a habit could apply to (its subtype and axis), the
  share whose answer makes exactly the habit's mistake (:func:`.habits.shows_habit`: the opposite
  direction, a camera move for the object's, the colour left out); other wrong answers are not
  counted, so the rate separates a learned habit from not seeing. This is what the SFT model learned from its data and what
  preference training should remove.
* **Targeted P0** — share of *all* evaluation pairs whose answer makes a habit's mistake that the
  exact scorer rates P0 (its label on the injected texts); **targeted P2** likewise.
* **S on untouched pairs** — mean S on the pairs no habit applies to (vertical pans, zooms): does
  preference training disturb what SFT already wrote right?
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from .config import LITERAL_HAE, MiniConfig
from .habits import DIRECTION_OPS, applies, axis_words, read_answer, shows_habit, written_direction
from .report import load_json, table_row
from .stats import fmt, mean_std, paired, quantiles
from .tasks import results_path, seed_dir

SYSTEMATIC_ROWS = [
    ("sft", "SFT"),
    ("dpo-dpo", "SFT + DPO"),
    ("dpo-hae", "SFT + HAE-DPO (hardness standardised)"),
    ("dpo-hae-severity", "SFT + severity-only"),
    ("dpo-hae-hardness", "SFT + hardness-only (standardised)"),
    (f"dpo-{LITERAL_HAE}", "SFT + HAE-DPO, eq. 3 literally (summed log-probs, τ 1)"),
]


def habit_labels(root: Path, seed: int) -> dict[str, str]:
    """Habit key → the failure label most of its injected texts got (from the seed's draw record)."""
    record = load_json(seed_dir(root, seed) / "data" / "habits.json") or {}
    out = {}
    for key, h in (record.get("habits") or {}).items():
        labels = Counter({k: v for k, v in (h.get("labels") or {}).items() if "/" in k})
        if labels:
            out[key] = labels.most_common(1)[0][0]
    return out


def habit_key(subtype: str, habit: Any) -> str:
    return f"{subtype}:{habit.kind}:{habit.when}"


def _results(root: Path, seed: int, target: str, role: str) -> list[dict[str, Any]] | None:
    path = results_path(root, seed, target, role)
    if not path.is_file():
        return None
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def measures(root: Path, config: MiniConfig, seed: int, target: str, role: str = "test") -> dict[str, Any] | None:
    """Habit rates, targeted P0/P2 and S on untouched pairs of one model on one seed's pairs."""
    results = _results(root, seed, target, role)
    roles = load_json(seed_dir(root, seed) / "roles.json")
    if results is None or roles is None:
        return None
    rows = roles[role]["rows"]
    labels = habit_labels(root, seed)
    eligible: dict[str, int] = Counter()
    shown: dict[str, int] = Counter()
    targeted = {"P0": 0, "P2": 0}
    untouched = []
    directions: dict[str, dict[str, Counter[str | None]]] = {}  # habit key → true direction → written
    for r in results:
        row = rows[r["pair_id"]]
        answer = read_answer(r.get("text"))
        touched = False
        for scene in config.scenes:
            if row.get("subtype") != scene.subtype:
                continue
            for habit in scene.habits:
                key = habit_key(scene.subtype, habit)
                if key not in labels or not applies(habit, row):
                    continue
                touched = True
                eligible[key] += 1
                said = written_direction(habit.kind, row, answer)
                if said is not None:
                    directions.setdefault(key, {}).setdefault(said[0], Counter())[said[1]] += 1
                if shows_habit(habit.kind, row, answer):
                    shown[key] += 1
                    severity = labels[key].split("/")[1]
                    if severity in targeted:
                        targeted[severity] += 1
        if not touched and r.get("score") is not None:
            untouched.append(float(r["score"]["S"]))
    n = len(results)
    return {"n": n, "habit_rate": {k: shown[k] / eligible[k] for k in eligible if eligible[k]},
            "eligible": dict(eligible), "targeted_p0": targeted["P0"] / n if n else None,
            "targeted_p2": targeted["P2"] / n if n else None,
            "untouched_S": sum(untouched) / len(untouched) if untouched else None,
            "directions": {k: {t: dict(c) for t, c in v.items()} for k, v in directions.items()}}


def _per_seed(root: Path, config: MiniConfig, target: str, key: str, role: str = "test",
              habit: str | None = None) -> list[float | None]:
    out: list[float | None] = []
    for seed in range(config.seeds):
        m = measures(root, config, seed, target, role)
        if m is None:
            out.append(None)
        elif habit is not None:
            out.append(m["habit_rate"].get(habit))
        else:
            out.append(m.get(key))
    return out


def _metric(root: Path, config: MiniConfig, target: str, key: str, prefix: str = "eval") -> list[float | None]:
    out = []
    for seed in range(config.seeds):
        rec = load_json(seed_dir(root, seed) / "tasks" / f"{prefix}-{target}.json")
        out.append(None if not rec or rec.get("status") != "done" else rec["result"]["metrics"].get(key))
    return out


def habit_keys(config: MiniConfig) -> list[str]:
    return [habit_key(scene.subtype, h) for scene in config.scenes for h in scene.habits]


def habits_table(root: Path, config: MiniConfig) -> list[str]:
    """What was written into the SFT set, per habit: eligible rows, injected rows, the scorer's label."""
    lines = [table_row(["Habit", "Subtype, axis", "Rate", "Eligible rows", "Injected rows", "Share of SFT rows",
                   "Scorer's label"]), table_row(["---", "---", "---:", "---:", "---:", "---:", "---"])]
    records = [load_json(seed_dir(root, s) / "data" / "habits.json") or {} for s in range(config.seeds)]
    for scene in config.scenes:
        for habit in scene.habits:
            key = habit_key(scene.subtype, habit)
            hs = [(r.get("habits") or {}).get(key) for r in records]
            share = [h["injected"] / r["sft_rows"] if h and r.get("sft_rows") else None for h, r in zip(hs, records,
                                                                                                     strict=True)]
            labels = sorted({lbl for h in hs if h for lbl in h.get("labels", {})})
            lines.append(table_row([habit.kind, f"{scene.subtype}, {habit.when}", f"{habit.rate:g}",
                               " / ".join(str(h["eligible"]) if h else "–" for h in hs),
                               " / ".join(str(h["injected"]) if h else "–" for h in hs),
                               fmt(share, 1, 100) + " %", ", ".join(labels) or "–"]))
    return lines


def probe_table(root: Path, config: MiniConfig) -> list[str]:
    lines = [table_row(["Fact", "Probe accuracy (SFT model)", "Chance (majority label)", "Same probe, blank images",
                   "Pairs fit / test"]), table_row(["---", "---:", "---:", "---:", "---:"])]
    recs = [load_json(seed_dir(root, s) / "tasks" / "probe.json") for s in range(config.seeds)]
    results = [(r or {}).get("result") or {} for r in recs]
    facts = [p["fact"] for p in (results[0].get("probe") or [])] if results else []
    for fact in facts:
        def pick(kind: str, key: str, fact: str = fact) -> list[float | None]:
            return [next((p[key] for p in (r.get(kind) or []) if p["fact"] == fact), None) for r in results]
        sizes = next((p for p in (results[0].get("probe") or []) if p["fact"] == fact), {})
        lines.append(table_row([fact, fmt(pick("probe", "accuracy"), 1, 100) + " %", fmt(pick("probe", "chance"), 1, 100)
                           + " %", fmt(pick("blank", "accuracy"), 1, 100) + " %",
                           f"{sizes.get('n_fit', '–')} / {sizes.get('n_test', '–')}"]))
    return lines


def outcome_table(root: Path, config: MiniConfig, role: str = "test") -> list[str]:
    """Per model: S, correct, targeted P0/P2, the habit rates, S on untouched pairs; paired Δ vs SFT."""
    keys = habit_keys(config)
    prefix = "eval" if role == "test" else role
    lines = [table_row(["Model", "S", "Correct %", "Unparsable %", "Targeted P0 %", "Targeted P2 %"]
                  + [f"{k.split(':')[1]} rate %" for k in keys] + ["S on untouched pairs"]),
             table_row(["---"] + ["---:"] * (6 + len(keys)))]
    for target, label in SYSTEMATIC_ROWS:
        s = _metric(root, config, target, "S", prefix)
        if all(v is None for v in s):
            continue
        cells = [label, fmt(s), fmt(_metric(root, config, target, "correct", prefix), 1, 100),
                 fmt(_metric(root, config, target, "unparsable", prefix), 1, 100),
                 fmt(_per_seed(root, config, target, "targeted_p0", role), 1, 100),
                 fmt(_per_seed(root, config, target, "targeted_p2", role), 1, 100)]
        cells += [fmt(_per_seed(root, config, target, "", role, habit=k), 1, 100) for k in keys]
        cells.append(fmt(_per_seed(root, config, target, "untouched_S", role)))
        lines.append(table_row(cells))
    return lines


def delta_table(root: Path, config: MiniConfig) -> list[str]:
    """Paired changes against the same seed's SFT model on the held-out pairs."""
    lines = [table_row(["Variant − SFT", "Δ S", "Δ correct (pts)", "Δ targeted P0 (pts)", "targeted P0 cut (share of "
                   "SFT's)", "Δ targeted P2 (pts)", "targeted P2 cut", "Δ S untouched"]),
             table_row(["---"] + ["---:"] * 7)]
    base = {k: _per_seed(root, config, "sft", k) for k in ("targeted_p0", "targeted_p2", "untouched_S")}
    base_s, base_c = _metric(root, config, "sft", "S"), _metric(root, config, "sft", "correct")
    for target, label in SYSTEMATIC_ROWS[1:]:
        s = _metric(root, config, target, "S")
        if all(v is None for v in s):
            continue
        p0, p2 = _per_seed(root, config, target, "targeted_p0"), _per_seed(root, config, target, "targeted_p2")
        lines.append(table_row([label.replace("SFT + ", ""), fmt(paired(base_s, s)),
                           fmt(paired(base_c, _metric(root, config, target, "correct")), 1, 100),
                           fmt(paired(base["targeted_p0"], p0), 1, 100), fmt(cut(base["targeted_p0"], p0), 2),
                           fmt(paired(base["targeted_p2"], p2), 1, 100), fmt(cut(base["targeted_p2"], p2), 2),
                           fmt(paired(base["untouched_S"], _per_seed(root, config, target, "untouched_S")))]))
    return lines


def direction_tables(root: Path, config: MiniConfig, role: str = "test") -> dict[str, list[str]]:
    """Per direction habit (by key), its pairs by true direction: how often each model writes the true
    direction, the mean of the two (balanced: 50% for a model that writes one word whatever the
    picture shows) and how often it writes the axis' first word. A habit can lose half its rate by a
    shifted preferred word alone (one true direction fixed, the other not); this table shows which."""
    habits = {habit_key(scene.subtype, h): axis_words(h) for scene in config.scenes for h in scene.habits
              if h.kind in DIRECTION_OPS and axis_words(h) is not None}
    # habit key → [(model label, per-seed counts: true direction → written direction → n)]
    per_model: dict[str, list[tuple[str, list[dict[str, dict[str | None, int]] | None]]]] = {k: [] for k in habits}
    for target, label in SYSTEMATIC_ROWS:
        seeds = [measures(root, config, seed, target, role) for seed in range(config.seeds)]
        for key in habits:
            counts = [(m or {}).get("directions", {}).get(key) for m in seeds]
            if any(c is not None for c in counts):
                per_model[key].append((label, counts))

    def share(c: dict[str, dict[str | None, int]] | None, truth: str) -> float | None:
        n = sum((c or {}).get(truth, {}).values())
        return c[truth].get(truth, 0) / n if c and n else None

    def says(c: dict[str, dict[str | None, int]] | None, word: str, other: str) -> float | None:
        n_word, n_other = (sum(w.get(x, 0) for w in (c or {}).values()) for x in (word, other))
        return n_word / (n_word + n_other) if n_word + n_other else None

    tables = {}
    for key, (a, b) in habits.items():
        if not per_model[key]:
            continue
        lines = [table_row(["Model", f"truth {a}: writes {a} %", f"truth {b}: writes {b} %", "balanced %",
                            f"answers with a direction that say {a} %"]), table_row(["---"] + ["---:"] * 4)]
        for label, counts in per_model[key]:
            ra, rb = [share(c, a) for c in counts], [share(c, b) for c in counts]
            bal = [None if x is None or y is None else (x + y) / 2 for x, y in zip(ra, rb, strict=True)]
            lines.append(table_row([label, fmt(ra, 1, 100), fmt(rb, 1, 100), fmt(bal, 1, 100),
                                    fmt([says(c, a, b) for c in counts], 1, 100)]))
        tables[key] = lines
    return tables


def cut(before: list[float | None], after: list[float | None]) -> list[float | None]:
    """Per seed, the share of the SFT model's rate that a variant removed (1 = all, 0 = none)."""
    return [None if b is None or a is None or b == 0 else (b - a) / b for b, a in zip(before, after, strict=True)]


def hardness_rows(root: Path, config: MiniConfig) -> list[str]:
    """The hardness each HAE run read (centre, τ, h quantiles over its preference set)."""
    import math

    from .training import delta_ref_per_token

    lines = [table_row(["Seed", "Run", "Δref used", "centre", "τ", "h p10 / p50 / p90", "h saturated"]),
             table_row(["---:", "---", "---", "---:", "---:", "---:", "---:"])]
    for seed in range(config.seeds):
        data = seed_dir(root, seed) / "data" / "prefs-ref"
        if not (data / "train.parquet").is_file():
            continue
        per_token = delta_ref_per_token(data)
        import pyarrow.parquet as pq

        t = pq.read_table(data / "train.parquet", columns=["ref_chosen_logps", "ref_rejected_logps"]).to_pydict()
        summed = [r - c for r, c in zip(t["ref_rejected_logps"], t["ref_chosen_logps"], strict=True)]
        for loss in ("hae", LITERAL_HAE):
            rec = load_json(seed_dir(root, seed) / "tasks" / f"dpo-{loss}.json")
            setting = ((rec or {}).get("result") or {}).get("hardness_setting")
            if not setting:
                continue
            ds = summed if setting["hardness_norm"] == "sum" else per_token
            hs = [1 / (1 + math.exp(-max(-60.0, min(60.0, (d - setting["hardness_center"]) / setting["tau"]))))
                  for d in ds]
            sat = sum(1 for h in hs if not 0.01 <= h <= 0.99) / len(hs)
            lines.append(table_row([str(seed), loss, "summed" if setting["hardness_norm"] == "sum" else "per token",
                               f"{setting['hardness_center']:.3f}", f"{setting['tau']:.3f}",
                               " / ".join(f"{q:.2f}" for q in quantiles(hs, (0.1, 0.5, 0.9))), f"{sat * 100:.0f}%"]))
    return lines


def p0_over_p2(root: Path, config: MiniConfig) -> list[str]:
    """The paper's HAE claim: at the same steps and pairs, does the severity × type margin move the
    fix towards P0 errors and away from P2 ones, compared with DPO?"""
    out = []
    base = {k: _per_seed(root, config, "sft", k) for k in ("targeted_p0", "targeted_p2")}
    for target, name in (("dpo-dpo", "DPO"), ("dpo-hae-severity", "severity-only"), ("dpo-hae", "HAE-DPO")):
        p0 = cut(base["targeted_p0"], _per_seed(root, config, target, "targeted_p0"))
        p2 = cut(base["targeted_p2"], _per_seed(root, config, target, "targeted_p2"))
        if mean_std(p0)[0] is None:
            continue
        out.append(f"{name}: removes {fmt(p0, 2)} of SFT's targeted P0 errors and {fmt(p2, 2)} of its P2 ones.")
    return out


def render_sections(root: Path, config: MiniConfig) -> list[str]:
    out = ["## Systematic regime: what the SFT set was taught", "",
           "Habits written into the refined SFT rows (per seed: eligible / injected rows; the share is of all SFT "
           "rows). Only these rows are wrong; the rest carry the reference instruction.", ""]
    out += habits_table(root, config) + [""]
    out += ["## Does the SFT model see what it writes wrong? (linear probes on its hidden states)", "",
            "A logistic-regression probe per fact, fitted on half of the mining pairs and tested on the other half; "
            "the blank-image row is the same model shown two grey frames (a probe then has nothing to read).", ""]
    out += probe_table(root, config) + [""]
    out += ["## Held-out pairs: the habits after SFT and after each preference run", "",
            f"{config.n_test} held-out pairs per seed. Habit rate = share of the pairs a habit applies to whose answer "
            "shows that habit's failure; targeted P0/P2 = share of all pairs showing a P0/P2 habit's failure; S on "
            "untouched pairs = mean S where no habit applies (vertical pans, zooms).", ""]
    out += outcome_table(root, config) + [""]
    out += ["### Paired changes against SFT (held-out)", ""] + delta_table(root, config) + [""]
    for key, table in direction_tables(root, config).items():
        subtype, kind, when = key.split(":")
        out += [f"### Which way is written? {kind} ({subtype}, {when}; held-out)", "",
                "Per true direction, the share of answers that write it; a model whose preferred word "
                "merely moved writes one word for both (balanced near 50%).", ""] + table + [""]
    lines = p0_over_p2(root, config)
    if lines:
        out += ["### P0 before P2? (the severity × type margin, paper §3.2)", ""] + [f"- {x}" for x in lines] + [""]
    if config.n_val:
        out += ["## Validation pairs (settings were chosen on these, never on the held-out pairs)", "",
                f"{config.n_val} validation pairs per seed, same measures.", ""]
        out += outcome_table(root, config, role="val") + [""]
    out += ["## Hardness as each HAE run read it", ""] + hardness_rows(root, config) + [""]
    return out
