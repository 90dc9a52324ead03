"""Bar charts for the report, drawn with matplotlib's Agg backend (no display) as PNG bytes."""

from __future__ import annotations

import io
from typing import Any

from .collect import LEVELS, ReportData
from .sections import slug

LEVEL_COLORS = {"correct": "#4c9a5b", "P0": "#c0392b", "P1": "#e67e22", "P2": "#f1c40f"}


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    _pyplot().close(fig)
    return buf.getvalue()


def grouped_bars(title: str, groups: list[str], series: dict[str, list[float | None]], ylabel: str,
                 ylim: tuple[float, float] | None = (0.0, 5.0)) -> bytes:
    """Bars grouped along x (``groups``), one colour per series (a run)."""
    plt = _pyplot()
    n = max(1, len(series))
    width = 0.8 / n
    fig, ax = plt.subplots(figsize=(max(5.0, 1.2 + 0.9 * len(groups) * max(1, n) * 0.45), 3.4))
    for i, (name, values) in enumerate(series.items()):
        xs = [g + (i - (n - 1) / 2) * width for g in range(len(groups))]
        heights = [v if v is not None else 0.0 for v in values]
        bars = ax.bar(xs, heights, width, label=name)
        for bar, v in zip(bars, values, strict=True):
            if v is not None:
                ax.annotate(f"{v:.2f}", (bar.get_x() + bar.get_width() / 2, v), ha="center", va="bottom", fontsize=7)
    ax.set_xticks(range(len(groups)))
    ax.set_xticklabels(groups, fontsize=8)
    ax.set_ylabel(ylabel)
    if ylim:
        ax.set_ylim(*ylim)
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=7, loc="lower right")
    ax.grid(axis="y", alpha=0.3)
    return _png(fig)


def level_bars(title: str, per_run: dict[str, dict[str, Any]]) -> bytes:
    """Stacked horizontal bars of Correct / P0 / P1 / P2 shares per run."""
    plt = _pyplot()
    runs = list(per_run)
    fig, ax = plt.subplots(figsize=(6.5, 0.6 + 0.45 * len(runs)))
    left = [0.0] * len(runs)
    for lv in LEVELS:
        widths = [100 * (per_run[r]["levels"][lv]["rate"] or 0.0) for r in runs]
        ax.barh(runs, widths, left=left, color=LEVEL_COLORS[lv], label=lv)
        left = [a + b for a, b in zip(left, widths, strict=True)]
    ax.set_xlim(0, 100)
    ax.set_xlabel("% of instructions")
    ax.invert_yaxis()
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=7, ncol=4, loc="upper center", bbox_to_anchor=(0.5, -0.32 - 0.6 / (1 + len(runs))))
    return _png(fig)


def make_charts(data: ReportData) -> dict[str, bytes]:
    """File name → PNG bytes for every chart the data supports."""
    charts: dict[str, bytes] = {}
    for scorer in data.scorers:
        t3 = data.table3[scorer]
        if t3["rows"]:
            series = {row["run"]: [row["cells"][b]["S"] for b in t3["benchmarks"]] for row in t3["rows"]}
            charts[f"scores-{slug(scorer)}.png"] = grouped_bars(f"Mean S by benchmark — {scorer}", t3["benchmarks"],
                                                                series, "S (0–5)")
        for bench, b in (data.categories.get(scorer) or {}).items():
            series = {row["run"]: [row["cells"][g]["S"] for g in b["groups"]] for row in b["rows"]}
            charts[f"category-{slug(scorer)}-{slug(bench)}.png"] = grouped_bars(
                f"Mean S by category — {scorer} — {bench}", b["groups"], series, "S (0–5)")
    if data.human.get("runs"):
        charts["human-levels.png"] = level_bars("Human evaluation levels", data.human["runs"])
    if data.auto_levels:
        charts["auto-levels.png"] = level_bars("Automatic defect levels (editworld-exact)", data.auto_levels)
    return charts
