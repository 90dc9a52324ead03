"""The report's example gallery on the demo workspace: it lists exactly the instructions the
checker flags, in the cell of their failure mode and severity, with the flagged words
highlighted and the pictures embedded; two runs compare pair by pair; bad input is reported
with a reason; and in Chromium a click enlarges a picture and no two text boxes overlap."""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from pathlib import Path

import pytest
from rich.console import Console
from sqlalchemy import select
from typer.testing import CliRunner

from chromium import OVERLAPS_JS, chromium, watch
from editcaption.cli import app
from editcaption.delta import analyze, check
from editcaption.demo import run_demo
from editcaption.directions import swap_direction_words
from editcaption.imageio import decode_bytes
from editcaption.workspace import Workspace
from editcaption.workspace.models import GroundTruthRecord, InstructionRecord, PairRecord, RunRecord

SWAPPED = "demo-swapped"


def add_swapped_run(ws: Workspace) -> None:
    """demo-caption's instructions with left/right (and up/down) swapped: deliberate direction errors."""
    with ws.session() as s:
        s.add(RunRecord(id=SWAPPED, kind="caption", config={"model": "swapped"}, package_version="test",
                        status="done", tags={}))
        s.flush()
        for ins in s.scalars(select(InstructionRecord).where(InstructionRecord.run_id == "demo-caption")):
            s.add(InstructionRecord(pair_id=ins.pair_id, run_id=SWAPPED, text=swap_direction_words(ins.text),
                                    producer="swap", status="ok"))


@pytest.fixture(scope="module")
def demo(tmp_path_factory):  # noqa: ANN001
    root = tmp_path_factory.mktemp("gallery")
    run_demo(root / "demo", console=Console(file=io.StringIO()))
    ws = Workspace.open(root / "demo" / "workspace")
    add_swapped_run(ws)
    ws.close()
    return root


def report(demo: Path, name: str, *args: str) -> tuple[dict, Path]:
    out = demo / name
    result = CliRunner().invoke(app, ["report", "--out", str(out), "--json", "-w", str(demo / "demo" / "workspace"),
                                      *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), out


@pytest.fixture(scope="module")
def full(demo):  # noqa: ANN001
    return report(demo, "full")


def expected_checker_flags(demo: Path, run: str) -> dict[str, list[dict]]:
    """Pair name → the checker's flags on the run's instruction, straight from its public API."""
    ws = Workspace.open(demo / "demo" / "workspace")
    out = {}
    with ws.session() as s:
        rows = s.execute(select(InstructionRecord, PairRecord).join(PairRecord).where(InstructionRecord.run_id == run))
        for ins, pair in rows:
            src = decode_bytes(ws.store.read_bytes(pair.source.sha256, pair.source.ext)).rgb
            tgt = decode_bytes(ws.store.read_bytes(pair.target.sha256, pair.target.ext)).rgb
            out[pair.name] = [f.to_json() for f in check(analyze(src, tgt), ins.text)]
    ws.close()
    return out


def ground_truths(demo: Path) -> dict[str, tuple[str, str]]:
    ws = Workspace.open(demo / "demo" / "workspace")
    with ws.session() as s:
        out = {g.pair_id: ("Ground truth (verified)" if g.verified else "Ground truth", g.overall)
               for g in s.scalars(select(GroundTruthRecord))}
    ws.close()
    return out


def test_single_run_gallery_lists_what_the_checker_flags(demo):  # noqa: ANN001
    summary, out = report(demo, "single", "--run", SWAPPED)
    expected = expected_checker_flags(demo, SWAPPED)
    flagged = {name: flags for name, flags in expected.items() if flags}
    # the two swapped directions of the demo captions, each a P0 (Table 6 row 4)
    assert {(n, f["type"], f["severity"]) for n, fl in flagged.items() for f in fl} == {
        ("chelsea_pan_left", "viewpoint", "P0"), ("astronaut_add_red_disc", "orientation", "P0")}
    gallery = json.loads((out / "report.json").read_text())["gallery"]
    assert summary["gallery"]["examined"] == gallery["examined"] == 6
    assert gallery["flagged"] == len(flagged) == 2
    want = Counter((f["type"], f["severity"]) for fl in flagged.values() for f in {(g["type"], g["severity"]): g
                                                                                     for g in fl}.values())
    assert {(c["type"], c["severity"]): c["count"] for c in gallery["cells"]} == dict(want)
    for cell in gallery["cells"]:
        [shown] = cell["examples"]  # one instruction per cell: it is the worst and the typical one
        assert shown["roles"] == ["worst", "typical"] and shown["run"] == SWAPPED
        mine = [f for f in shown["findings"] if f["source"] == "checker"]
        assert [(f["type"], f["severity"], f["message"]) for f in mine] == [
            (f["type"], f["severity"], f["message"]) for f in expected[shown["pair_name"]]]
    html = (out / "report.html").read_text()
    # the flagged words, highlighted with the flag's severity
    marks = re.findall(r'<mark class="(P\d)"[^>]*>([^<]+)</mark>', html)
    assert ("P0", "Pan the camera to the right") in marks
    assert ("P0", "at the upper left of the image") in marks
    # source, target and heatmap of each shown pair, embedded; nothing fetched from elsewhere
    articles = re.findall(r'<article class="example" data-cell="([^"]+)"(.*?)</article>', html, re.S)
    assert sorted(c for c, _ in articles) == ["orientation-P0", "viewpoint-P0"]
    truth = ground_truths(demo)
    for _, body in articles:
        assert body.count('src="data:image/jpeg;base64,') == 3
        pair = re.search(r'data-pair="([^"]+)"', body).group(1)
        label, text = truth[pair]
        assert f'<span class="label">{label}:</span> {text}</p>' in body
    assert "http://" not in html and "https://" not in html and "<link" not in html
    md = (out / "report.md").read_text()
    assert "### P0 viewpoint — 1 instruction\n" in md and "Pan the camera to the right." in md


def test_compare_two_runs(demo):  # noqa: ANN001
    _, out = report(demo, "compare", "--run", "demo-caption", "--run", SWAPPED)
    c = json.loads((out / "report.json").read_text())["gallery"]["compare"]
    assert (c["a"], c["b"], c["pairs"], c["unchanged"]) == ("demo-caption", SWAPPED, 6, 4)
    assert c["better"] == [] and c["better_total"] == 0
    worse = {ch["pair_name"]: (ch["a"]["level"], ch["b"]["level"]) for ch in c["worse"]}
    assert worse == {"chelsea_pan_left": ("correct", "P0"), "astronaut_add_red_disc": ("correct", "P0")}
    html = (out / "report.html").read_text()
    assert "demo-caption → demo-swapped: 2 pairs worse, 0 better, 4 unchanged (of 6 in both)" in html
    assert len(re.findall(r'<article class="example change worse"', html)) == 2
    # the tables show the two runs only
    runs_table = re.search(r'<table id="runs">(.*?)</table>', html, re.S).group(1)
    assert re.findall(r"<tr><td[^>]*>([^<]+)</td>", runs_table) == ["demo-caption", SWAPPED]


def test_full_report_gallery_and_scorer_errors(full):  # noqa: ANN001
    summary, out = full
    data = json.loads((out / "report.json").read_text())
    gallery = data["gallery"]
    # every run that holds instructions, the swapped one included
    assert set(gallery["runs"]) == {"demo-caption", "demo-delta", "source:manifest", SWAPPED}
    assert summary["gallery"]["cells"] == len(gallery["cells"]) > 0
    # the exact scorer's classified errors show up in their cells, with the scorer named
    exact = [(c["type"], c["severity"]) for c in gallery["cells"]
             for ex in c["examples"] for f in ex["findings"] if f["source"] == "editworld-exact"]
    assert exact
    # cells in Table 6 order: P0 first; at most two examples each
    sev = [c["severity"] for c in gallery["cells"]]
    assert sev == sorted(sev) and all(1 <= len(c["examples"]) <= 2 for c in gallery["cells"])
    # the worst example of a cell has the lowest S among its scored members shown
    for c in gallery["cells"]:
        worst = next(ex for ex in c["examples"] if "worst" in ex["roles"])
        others = [ex["S"] for ex in c["examples"] if ex["S"] is not None]
        if worst["S"] is not None:
            assert worst["S"] == min(others)
    assert gallery["embedded_bytes"] <= 8 * 1024 * 1024 and gallery["pictures_left_out"] == 0


def test_picture_bound_and_unreadable_pair(demo, tmp_path):  # noqa: ANN001
    import shutil

    shutil.copytree(demo / "demo" / "workspace", tmp_path / "ws")
    ws = Workspace.open(tmp_path / "ws")
    with ws.session() as s:
        pair = s.scalars(select(PairRecord).where(PairRecord.name == "rocket_zoom_in")).one()
        ws.store.local_path(pair.target.sha256, pair.target.ext).unlink()  # the store loses an image
    ws.close()
    out = tmp_path / "r"
    result = CliRunner().invoke(app, ["report", "--out", str(out), "--json", "-w", str(tmp_path / "ws"),
                                      "--run", SWAPPED, "--gallery-mb", "0.05"])
    assert result.exit_code == 0, result.output
    g = json.loads((out / "report.json").read_text())["gallery"]
    [missing] = g["unanalysed"]
    assert missing["pair_name"] == "rocket_zoom_in" and "ImageMissing" in missing["reason"]
    assert g["embedded_bytes"] <= 0.05 * 1024 * 1024 and g["pictures_left_out"] >= 1
    html = (out / "report.html").read_text()
    assert "The checker could not look at 1 pair(s): rocket_zoom_in" in html
    assert html.count("Pictures: left out: the pictures would pass the report&#39;s bound of 0.05 MB") == 2


def test_bad_run_arguments(demo):  # noqa: ANN001
    ws = str(demo / "demo" / "workspace")
    for args, message in ((["--run", "nope"], "no instructions in run 'nope'"),
                          (["--run", "a", "--run", "b", "--run", "c"], "give one run, or two to compare"),
                          (["--run", SWAPPED, "--run", SWAPPED], "the same run")):
        result = CliRunner().invoke(app, ["report", "--out", str(demo / "bad"), "-w", ws, *args])
        assert result.exit_code == 2 and message in result.output, result.output


# ---------------------------------------------------------------------------- in Chromium



@pytest.mark.browser
@pytest.mark.parametrize("which", ["full", "compare"])
def test_gallery_in_chromium(demo, full, which, artifacts_dir: Path):  # noqa: ANN001
    out = full[1] if which == "full" else report(demo, "compare-browser", "--run", "demo-caption", "--run",
                                                  SWAPPED)[1]
    problems: list[str] = []
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        watch(page, problems)
        page.goto((out / "report.html").as_uri())
        page.wait_for_load_state("load")
        thumbs = page.eval_on_selector_all("img.thumb", "els => els.map(e => [e.complete, e.naturalWidth])")
        assert thumbs and all(done and width > 0 for done, width in thumbs)
        layout = page.evaluate(OVERLAPS_JS)
        page.screenshot(path=str(artifacts_dir / f"report-gallery-{which}.png"), full_page=True)
        assert page.is_hidden("#lightbox")
        page.locator("img.thumb").first.click()
        page.wait_for_selector("#lightbox", state="visible")
        big = page.eval_on_selector("#lightbox-img", "e => [e.naturalWidth, e.getBoundingClientRect().width, "
                                                     "document.querySelector('img.thumb').getBoundingClientRect()"
                                                     ".width, document.getElementById('lightbox-caption')"
                                                     ".textContent]")
        page.screenshot(path=str(artifacts_dir / f"report-gallery-{which}-enlarged.png"))
        page.keyboard.press("Escape")
        page.wait_for_selector("#lightbox", state="hidden")
    assert problems == []
    assert big[0] > 0 and big[1] > 2 * big[2] and big[3].startswith("source — ")
    assert layout["count"] > 100 and layout["hits"] == [], layout["hits"]
    if which == "full":
        assert layout["svg"] > 20  # the charts' titles and value labels are page text, and were checked
