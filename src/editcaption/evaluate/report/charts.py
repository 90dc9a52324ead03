"""Bar charts for the report, drawn with matplotlib's Agg backend (no display).

Each chart is drawn once and saved twice: a PNG (beside the Markdown report) and an SVG
whose text stays text (``svg.fonttype = none``) for the HTML page, so titles and value
labels are real page elements. Layout rules that keep text apart: the value axis has
headroom above the tallest bar so value labels stay inside the axes, below the title,
and legends sit outside the plotting area.
"""

from __future__ import annotations

import io
import re
import textwrap
from dataclasses import dataclass
from typing import Any

from .collect import LEVELS, ReportData
from .sections import slug

LEVEL_COLORS = {"correct": "#4c9a5b", "P0": "#c0392b", "P1": "#e67e22", "P2": "#f1c40f"}
HEADROOM = 1.18  # top of the value axis / the tallest bar (room for the value labels)


@dataclass(frozen=True)
class Chart:
    png: bytes
    svg: str  # an inline <svg> element, its ids prefixed so that several fit on one page


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _inline_svg(raw: str, prefix: str) -> str:
    """The <svg> element alone (no metadata), every id (and reference to one) prefixed."""
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", raw[raw.index("<svg"):], flags=re.S)
    svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}-{m.group(1)}"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}-{m.group(1)})", svg)
    return re.sub(r'href="#([^"]+)"', lambda m: f'href="#{prefix}-{m.group(1)}"', svg)


def _render(fig: Any, name: str) -> Chart:
    import matplotlib

    plt = _pyplot()
    png = io.BytesIO()
    fig.savefig(png, format="png", dpi=110, bbox_inches="tight")
    svg = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": name}):
        fig.savefig(svg, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    return Chart(png.getvalue(), _inline_svg(svg.getvalue(), "c-" + slug(name)))


def _wrap(label: str, width: int = 14) -> str:
    return "\n".join(textwrap.wrap(label, width)) or label


def grouped_bars(title: str, groups: list[str], series: dict[str, list[float | None]], ylabel: str,
                 ylim: tuple[float, float] | None = (0.0, 5.0), *, name: str = "chart") -> Chart:
    """Bars grouped along x (``groups``), one colour per series (a run), each bar labelled
    with its value."""
    plt = _pyplot()
    n = max(1, len(series))
    width = 0.8 / n
    # about 0.45 in per bar keeps neighbouring value labels apart
    fig, ax = plt.subplots(figsize=(max(5.0, 1.5 + 0.45 * len(groups) * n), 3.6))
    top = max([v for values in series.values() for v in values if v is not None] or [0.0])
    for i, (run, values) in enumerate(series.items()):
        xs = [g + (i - (n - 1) / 2) * width for g in range(len(groups))]
        heights = [v if v is not None else 0.0 for v in values]
        bars = ax.bar(xs, heights, width, label=run)
        for bar, v in zip(bars, values, strict=True):
            if v is not None:
                ax.annotate(f"{v:.2f}", (bar.get_x() + bar.get_width() / 2, v), xytext=(0, 2),
                            textcoords="offset points", ha="center", va="bottom", fontsize=7)
    ax.set_xticks(range(len(groups)))
    ax.set_xticklabels([_wrap(g) for g in groups], fontsize=8)
    ax.set_ylabel(ylabel)
    low, high = ylim if ylim else (0.0, top)
    ax.set_ylim(low, max(high, top) * HEADROOM or 1.0)
    if ylim:
        ax.set_yticks([t for t in range(int(low), int(high) + 1)])
    ax.set_title(title, fontsize=10, pad=10)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    ax.grid(axis="y", alpha=0.3)
    return _render(fig, name)


def level_bars(title: str, per_run: dict[str, dict[str, Any]], *, name: str = "levels") -> Chart:
    """Stacked horizontal bars of Correct / P0 / P1 / P2 shares per run."""
    plt = _pyplot()
    runs = list(per_run)
    fig, ax = plt.subplots(figsize=(6.5, 1.0 + 0.45 * len(runs)))
    left = [0.0] * len(runs)
    for lv in LEVELS:
        widths = [100 * (per_run[r]["levels"][lv]["rate"] or 0.0) for r in runs]
        ax.barh(runs, widths, left=left, color=LEVEL_COLORS[lv], label=lv)
        left = [a + b for a, b in zip(left, widths, strict=True)]
    ax.set_xlim(0, 100)
    ax.set_xlabel("% of instructions")
    ax.invert_yaxis()
    ax.set_title(title, fontsize=10, pad=10)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return _render(fig, name)


def make_charts(data: ReportData) -> dict[str, Chart]:
    """File name → chart for every chart the data supports."""
    charts: dict[str, Chart] = {}
    for scorer in data.scorers:
        t3 = data.table3[scorer]
        if t3["rows"]:
            series = {row["run"]: [row["cells"][b]["S"] for b in t3["benchmarks"]] for row in t3["rows"]}
            name = f"scores-{slug(scorer)}.png"
            charts[name] = grouped_bars(f"Mean S by benchmark — {scorer}", t3["benchmarks"], series, "S (0–5)",
                                        name=name)
        for bench, b in (data.categories.get(scorer) or {}).items():
            series = {row["run"]: [row["cells"][g]["S"] for g in b["groups"]] for row in b["rows"]}
            name = f"category-{slug(scorer)}-{slug(bench)}.png"
            charts[name] = grouped_bars(f"Mean S by category — {scorer} — {bench}", b["groups"], series, "S (0–5)",
                                        name=name)
    if data.human.get("runs"):
        charts["human-levels.png"] = level_bars("Human evaluation levels", data.human["runs"], name="human-levels")
    if data.auto_levels:
        charts["auto-levels.png"] = level_bars("Automatic defect levels (editworld-exact)", data.auto_levels,
                                               name="auto-levels")
    return charts
