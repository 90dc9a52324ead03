"""The report: its tables hold exactly the numbers worked out by hand (read back from both the
Markdown and the HTML), and the HTML page opens in Chromium without errors."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from evalhelpers import add_judgement, add_run, add_score, manifest_workspace
from typer.testing import CliRunner

from chromium import OVERLAPS_JS, chromium, watch
from editcaption.cli import app
from editcaption.evaluate.benchmarks import prepare_custom
from editcaption.evaluate.report import write_report
from editcaption.evaluate.stats import spearman
from editcaption.workspace.models import GroundTruthRecord

CATS = ["semantic", "structural", "stylistic", "semantic", "semantic", "structural"]
J = "judge:x"
# (accuracy, completeness, clarity) per pair p0..p5; None = unscored
SCORES = {
    "model-a": [(5, 5, 4), (4, 4.5, 3), (3, 4, 5), (5, 4.5, 5), (2, 3, 2), None],
    "model-b": [(4, 4, 4), (5, 5, 5), (4, 5, 3), (3, 2, 2), (5, 5, 5), (4, 4, 4)],
    "dpo": [(4, 5, 4), (4, 4, 4)],
    "hae": [(5, 5, 4), (5, 5, 5)],
}
LEVELS = {"model-a": ["correct", "P0", "P1", "correct", "P0"], "model-b": ["correct", "correct", "P2", "P0"]}


@pytest.fixture(scope="module")
def report(tmp_path_factory):  # noqa: ANN001
    root = tmp_path_factory.mktemp("report")
    ws, pids = manifest_workspace(root, CATS)
    with ws.session() as s:
        for pid in pids:
            s.add(GroundTruthRecord(pair_id=pid, primary=[{"text": "A yellow square appears."}], verified=True))
    prepare_custom(ws, name="bench-a", where={"id": pids[:4]})
    prepare_custom(ws, name="bench-b", where={"id": pids[2:]})
    tags = {"dpo": {"ablation": "None (Standard DPO)"}, "hae": {"ablation": "HAE-DPO"}}
    ids = {}
    for run, rows in SCORES.items():
        ids[run] = add_run(ws, run, {pids[i]: f"{run} instruction {i}" for i in range(len(rows))}, tags=tags.get(run))
        for i, dims in enumerate(rows):
            iid = ids[run][pids[i]]
            if dims is None:
                add_score(ws, iid, J, None, reason="clarity: unusable reply")
            else:
                add_score(ws, iid, J, *dims)
    for run, levels in LEVELS.items():
        for i, level in enumerate(levels):
            add_judgement(ws, ids[run][pids[i]], "alice", level, ["4"] if level == "P0" else [])
    add_judgement(ws, ids["model-a"][pids[1]], "bob", "P0", ["2-subject"])
    for i, level in enumerate(["correct", "P0", "P1", "correct"]):
        add_score(ws, ids["model-a"][pids[i]], "editworld-exact", 5, 5, 5, level=level, errors=[])
    files = write_report(ws, root / "out")
    ws.close()
    return files


# ---------------------------------------------------------------------------- reading back


def md_tables(text: str) -> dict[str, list[list[str]]]:
    """Markdown tables by their ### title: header row first, markup (** / *) removed."""
    tables: dict[str, list[list[str]]] = {}
    title = None
    for line in text.splitlines():
        if line.startswith("### "):
            title = line[4:].strip()
        elif line.startswith("|") and title and not set(line) <= set("|-: "):
            cells = [c.strip().strip("*") for c in line.strip().strip("|").split(" | ")]
            tables.setdefault(title, []).append(cells)
    return tables


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[tuple[str, str]]]] = {}
        self._id: str | None = None
        self._cell: list[str] | None = None
        self._cls = ""

    def handle_starttag(self, tag: str, attrs: list) -> None:  # noqa: ANN001
        a = dict(attrs)
        if tag == "table":
            self._id = a.get("id")
            self.tables[self._id] = []
        elif tag == "tr" and self._id:
            self.tables[self._id].append([])
        elif tag in ("td", "th") and self._id:
            self._cell, self._cls = [], a.get("class") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._id:
            self.tables[self._id][-1].append(("".join(self._cell).strip(), self._cls))
            self._cell = None
        elif tag == "table":
            self._id = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def html_tables(text: str) -> dict[str, list[list[tuple[str, str]]]]:
    parser = _Tables()
    parser.feed(text)
    return parser.tables


def by_first(rows: list[list[str]]) -> dict[str, list[str]]:
    return {r[0]: r[1:] for r in rows}


# ---------------------------------------------------------------------------- expected values


def s_of(dims: tuple) -> float:
    a, c, cl = dims
    return 0.4 * a + 0.4 * c + 0.2 * cl


def cells(run: str, pairs: range) -> list[str]:
    """Mean S / Acc / Comp / Clar over the ok scores of ``run`` on ``pairs``, formatted like the paper."""
    dims = [SCORES[run][i] for i in pairs if i < len(SCORES[run]) and SCORES[run][i] is not None]
    if not dims:
        return ["–"] * 4
    n = len(dims)
    return [f"{sum(s_of(d) for d in dims) / n:.3f}"] + [f"{sum(d[k] for d in dims) / n:.2f}" for k in range(3)]


def test_table3_numbers(report):
    # By hand: model-a on bench-a (p0–p3): S = (4.8 + 4.0 + 3.8 + 4.8)/4 = 4.350, Acc 4.25, Comp 4.50, Clar 4.25;
    # on bench-b (p2–p4, p5 unscored): S = 11/3 = 3.667, Acc 3.33, Comp 3.83, Clar 4.00.
    assert cells("model-a", range(0, 4)) == ["4.350", "4.25", "4.50", "4.25"]
    assert cells("model-a", range(2, 6)) == ["3.667", "3.33", "3.83", "4.00"]
    expected = {run: cells(run, range(0, 4)) + cells(run, range(2, 6)) for run in SCORES}
    md = md_tables(report.markdown.read_text())
    table = md[f"Automatic evaluation — {J} (Table 3 layout)"]
    assert table[0] == ["Model"] + [f"{b} · {k}" for b in ("bench-a", "bench-b") for k in ("S", "Acc", "Comp", "Clar")]
    assert by_first(table[1:]) == expected
    html = html_tables(report.html.read_text())
    grid = html["scores-judge-x"]
    assert [c for c, _ in grid[0]] == ["", "bench-a", "bench-b"]  # the paper's grouped header
    assert [c for c, _ in grid[1]] == ["Model"] + ["S", "Acc", "Comp", "Clar"] * 2
    assert {r[0][0]: [c for c, _ in r[1:]] for r in grid[2:]} == expected
    # best / second best per column: bench-a S is hae 4.900, then model-a 4.350
    s_col = {r[0][0]: r[1][1] for r in grid[2:]}
    assert s_col == {"model-a": "second", "model-b": "", "dpo": "", "hae": "best"}
    cover = by_first(md[f"Scored / unscored — {J}"][1:])
    assert cover["model-a"] == ["4 / 0", "3 / 1"] and cover["dpo"] == ["2 / 0", "0 / 0"]


def test_table4_categories_and_levels(report):
    md = md_tables(report.markdown.read_text())
    ablation_table = md[f"Ablations — {J} (Table 4 layout)"]
    assert ablation_table[0][0] == "Variant"
    ablation = by_first(ablation_table[1:])
    assert ablation == {"None (Standard DPO)": cells("dpo", range(0, 4)) + ["–"] * 4,
                        "HAE-DPO": cells("hae", range(0, 4)) + ["–"] * 4}
    # S by category on bench-a for model-a: semantic (p0, p3) 4.800, structural (p1) 4.000, stylistic (p2) 3.800
    cat = md[f"S by category — {J} — bench-a"]
    assert cat[0] == ["Model", "semantic · S", "structural · S", "stylistic · S", "semantic · n", "structural · n",
                      "stylistic · n"]
    assert by_first(cat[1:])["model-a"] == ["4.800", "4.000", "3.800", "2", "1", "1"]
    # Table 2: model-a 2 correct, 2 P0 (p1 judged P0 by both), 1 P1 of 5; Wilson intervals by hand
    human = by_first(md["Human evaluation (Table 2 layout)"][1:])
    assert human["model-a"] == ["5", "40.00% [11.76, 76.93]", "40.00% [11.76, 76.93]", "20.00% [3.62, 62.45]",
                                "0.00% [0.00, 43.45]"]
    assert human["model-b"][:2] == ["4", "50.00% [15.00, 85.00]"]
    html = html_tables(report.html.read_text())
    assert {r[0][0]: [c for c, _ in r[1:]] for r in html["human"][1:]} == human
    auto = by_first(md["Automatic defect levels — editworld-exact (Table 2 layout, Table 6 rules)"][1:])
    assert auto == {"model-a": ["4", "50.00% [15.00, 85.00]", "25.00% [4.56, 69.94]", "25.00% [4.56, 69.94]",
                                "0.00% [0.00, 48.99]"]}


def test_judge_human_agreement(report):
    md = md_tables(report.markdown.read_text())
    rows = by_first(md["Judge–human agreement"][1:])
    quality = {"correct": 3, "P2": 2, "P1": 1, "P0": 0}
    s_vals, q_vals = [], []
    for run, levels in LEVELS.items():
        for i, level in enumerate(levels):
            s_vals.append(s_of(SCORES[run][i]))
            q_vals.append(quality[level])
    rho = spearman(s_vals, q_vals).value
    assert rows[J][:2] == [f"{rho:.3f}", "9"]
    data = json.loads(report.data.read_text())
    assert data["table3"][J]["rows"][0]["cells"]["bench-a"]["S"] == pytest.approx(4.35)


def test_report_files_and_cli(report, tmp_path):
    assert {p.name for p in report.charts} >= {"scores-judge-x.png", "human-levels.png", "auto-levels.png",
                                              "category-judge-x-bench-a.png"}
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in report.charts)
    md = report.markdown.read_text()
    assert "![scores-judge-x.png](charts/scores-judge-x.png)" in md
    html = report.html.read_text()
    # charts are inline SVG whose text stays text; nothing is fetched from anywhere
    assert html.count('<figure class="chart"') == len(report.charts) == html.count("<svg")
    assert len(re.findall(r"<text\b", html)) > 20
    assert not re.search(r"""(?:src|href)=["']?(?:https?:|//)|url\((?:["']?)(?:https?:|//)|<link\b|@import""", html)
    empty = tmp_path / "empty"
    from editcaption.workspace import Workspace

    Workspace.init(empty).close()
    out = CliRunner().invoke(app, ["report", "--out", str(tmp_path / "r"), "--json", "-w", str(empty)])
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["scorers"] == []
    assert "No human judgements yet" in (tmp_path / "r" / "report.md").read_text()


@pytest.mark.browser
def test_html_opens_in_chromium_without_errors(report, artifacts_dir: Path):
    problems: list[str] = []
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        watch(page, problems)
        page.goto(report.html.as_uri())
        page.wait_for_load_state("load")
        charts = page.eval_on_selector_all("figure.chart svg", "els => els.map(e => e.getBoundingClientRect().width)")
        images = page.eval_on_selector_all("img.thumb", "els => els.map(e => [e.complete, e.naturalWidth])")
        tables = page.eval_on_selector_all("table", "els => els.length")
        best = page.eval_on_selector_all("#scores-judge-x td.best", "els => els.map(e => e.textContent)")
        layout = page.evaluate(OVERLAPS_JS)
        page.screenshot(path=str(artifacts_dir / "evaluation-report.png"), full_page=True)
    assert problems == []
    assert len(charts) == len(report.charts) and all(width > 100 for width in charts)
    assert all(done and width > 0 for done, width in images)
    assert tables >= 10 and "4.900" in best  # hae's S on bench-a, the column's best
    # four runs, ablations, categories and level charts: no text box runs into another
    assert layout["svg"] > 50 and layout["hits"] == [], layout["hits"]
