"""Folder ingest: both layouts at any depth, mixed; every image file is either in a pair or reported."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import select
from typer.testing import CliRunner

import imagefactory as f
from editcaption.cli import app
from editcaption.ingest import ingest
from editcaption.workspace import PairRecord

runner = CliRunner()


def make(root: Path, *rels: str) -> None:
    """An image at each relative path, every one with its own content (so no two pairs are duplicates)."""
    for rel in rels:
        make.seed += 1
        fmt = "JPEG" if rel.endswith(".jpg") else "PNG"
        f.save(f.scene(seed=make.seed), root / rel, fmt)


make.seed = 0


def pairs(ws) -> dict[str, tuple[str, str, str]]:  # noqa: ANN001
    with ws.session() as s:
        return {p.name: (p.origin["source_path"], p.origin["target_path"], p.origin["layout"])
                for p in s.scalars(select(PairRecord)).unique()}


def test_nested_src_tgt_folders_pair(tmp_path, workspace):  # noqa: ANN001
    make(tmp_path, "b/src/x.jpg", "b/tgt/x.jpg")
    report = ingest(workspace, tmp_path)
    assert (report.ingested, report.duplicates, report.rejected) == (1, 0, [])
    assert pairs(workspace) == {"b/x": ("b/src/x.jpg", "b/tgt/x.jpg", "src/ + tgt/")}


def test_suffixed_pairs_beside_top_level_src_tgt_folders(tmp_path, workspace):  # noqa: ANN001
    make(tmp_path, "src/a.png", "tgt/a.png", "extra/cat_src.jpg", "extra/cat_tgt.jpg")
    report = ingest(workspace, tmp_path)
    assert (report.ingested, report.duplicates, report.rejected) == (2, 0, [])
    assert pairs(workspace) == {"a": ("src/a.png", "tgt/a.png", "src/ + tgt/"),
                                "extra/cat": ("extra/cat_src.jpg", "extra/cat_tgt.jpg", "NAME_src/NAME_tgt")}


def build_mixed(root: Path) -> tuple[dict[str, tuple[str, str, str]], dict[str, str]]:
    """Every layout at several depths, and every way a file can fail to pair.

    Returns (pair name → (source, target, layout), refused file → reason).
    """
    suffixed, folders = "NAME_src/NAME_tgt", "src/ + tgt/"
    expected = {
        "a": ("a_src.png", "a_tgt.png", suffixed),
        "deep/er/b": ("deep/er/b_source.png", "deep/er/b_target.png", suffixed),
        "deep/c": ("deep/c_0.png", "deep/c_1.png", suffixed),
        "d": ("src/d.png", "tgt/d.jpg", folders),
        "sub/e": ("src/sub/e.png", "tgt/sub/e.png", folders),
        "proj/f": ("proj/source/f.png", "proj/target/f.png", "source/ + target/"),
        "proj/g": ("proj/src/g.png", "proj/tgt/g.png", folders),
        "proj/h": ("proj/h_src.png", "proj/h_tgt.png", suffixed),
    }
    for src, tgt, _ in expected.values():
        make(root, src, tgt)
    several = "several source images for pair 'dup' (dup_src.jpg, dup_src.png)"
    refused = {
        "src/only.png": "target image missing for pair 'only' (no matching target for src/only.png)",
        "tgt/orphan.png": "source image missing for pair 'orphan' (no matching source for tgt/orphan.png)",
        "lonely_tgt.png": "source image missing for pair 'lonely' (no matching source for lonely_tgt.png)",
        "stray.png": "not part of a pair: the name does not end in _src/_tgt, _source/_target or _0/_1, "
                     "and no src/ + tgt/ folders hold it",
        "dup_src.jpg": several,
        "dup_src.png": several,
        "dup_tgt.png": several,
        "solo/src/z.png": "no matching target: src/ has no tgt/ folder beside it, and the name does not end in "
                          "_src/_tgt",
    }
    make(root, *refused)
    # named as a pair but not images: paired by name, then refused by the decoder
    (root / "odd_src.dat").write_text("not pixels")
    (root / "odd_tgt.dat").write_text("not pixels either")
    refused["odd_src.dat"] = "not a recognised image format"
    # not images, or hidden: passed over without a word
    (root / "notes.txt").write_text("about these pairs")
    (root / "deep" / "meta.json").write_text("{}")
    (root / "deep" / "readme.doc").write_text("no image extension and no pair name")
    (root / "src" / "credits.rtf").write_text("beside src/ images, but not an image")
    make(root, ".hidden.png", ".cache/x_src.png", ".cache/x_tgt.png")
    return expected, refused


def test_mixed_layouts_at_any_depth_pair_or_report_every_image(tmp_path, workspace):  # noqa: ANN001
    root = tmp_path / "data"
    expected, refused = build_mixed(root)
    events = []
    report = ingest(workspace, root, on_progress=lambda *e: events.append(e))
    assert report.format == "folder"
    assert (report.ingested, report.duplicates, len(report.rejected)) == (8, 0, 9)
    assert pairs(workspace) == expected
    reasons = {str(Path(r["path"]).relative_to(root).as_posix()): r["reason"] for r in report.rejected}
    assert reasons.keys() == refused.keys()
    assert all(reasons[k] == v for k, v in refused.items() if k != "odd_src.dat")
    assert "not a recognised image" in reasons["odd_src.dat"]
    # every image file below the folder, hidden ones aside, is in a pair or refused, exactly once
    images = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() and p.suffix in (".png", ".jpg")
              and not any(part.startswith(".") for part in p.relative_to(root).parts)}
    placed = [path for src, tgt, _ in expected.values() for path in (src, tgt)] + list(refused)
    assert sorted(placed) == sorted(images | {"odd_src.dat"})
    # progress: one phase, counted over all 17 candidates (8 pairs, 8 refused files, the .dat pair)
    assert events == [("ingesting pairs", n, 17) for n in range(18)]


def test_cli_reports_each_refused_file_and_shows_progress_with_total(tmp_path):  # noqa: ANN001
    root = tmp_path / "data"
    build_mixed(root)
    ws = str(tmp_path / "ws")
    quiet = runner.invoke(app, ["ingest", str(root), "--json", "-w", ws])
    assert quiet.exit_code == 0, quiet.output
    assert quiet.stderr == ""  # --json: no progress bar, nothing but the JSON
    rejected = json.loads(quiet.stdout)["rejected"]
    assert len(rejected) == 9 and {"path": str(root / "stray.png"), "reason": "not part of a pair: the name does not "
                                   "end in _src/_tgt, _source/_target or _0/_1, and no src/ + tgt/ folders hold it"} in rejected
    # rich draws its bar only on a terminal: TTY_COMPATIBLE says there is one (read when the CLI starts)
    env = {**os.environ, "TTY_COMPATIBLE": "1", "NO_COLOR": "1", "COLUMNS": "200"}
    shown = subprocess.run([sys.executable, "-m", "editcaption.cli", "ingest", str(root), "-w", ws], env=env,
                           capture_output=True, text=True, timeout=300)
    assert shown.returncode == 0, shown.stderr
    assert "ingesting pairs" in shown.stderr and " 17/17 " in shown.stderr
    assert "0 ingested, 8 duplicates, 9 rejected (folder)" in re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", shown.stdout)


def test_progress_totals_of_manifests_and_datasets(tmp_path, workspace):  # noqa: ANN001
    make(tmp_path, "imgs/a.png", "imgs/b.png")
    manifest = tmp_path / "m.jsonl"
    rows = [{"source": "imgs/a.png", "target": "imgs/b.png"}, {"source": "imgs/b.png", "target": "imgs/nope.png"}]
    manifest.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n{broken\n")
    events = []
    report = ingest(workspace, manifest, on_progress=lambda *e: events.append(e))
    assert (report.ingested, len(report.rejected)) == (1, 2)
    assert events == [("ingesting pairs", n, 3) for n in range(4)]

    def image(rel: str) -> dict:
        return {"bytes": (tmp_path / rel).read_bytes(), "path": None}

    hq = tmp_path / "hq.parquet"
    pq.write_table(pa.table({
        "input": ["x", "y"], "input_image": [image("imgs/a.png"), image("imgs/b.png")], "edit": ["Do.", "Do more."],
        "inverse_edit": ["Undo.", None], "output": ["x2", "y2"], "output_image": [image("imgs/b.png"),
                                                                                  image("imgs/a.png")],
    }), hq)
    events.clear()
    report = ingest(workspace, hq, both_directions=True, on_progress=lambda *e: events.append(e))
    assert report.format == "hqedit" and report.ingested + report.duplicates == 3
    assert events == [("ingesting pairs", n, 3) for n in range(4)]  # two rows, one inverse edit


def test_hidden_and_metadata_files_only_is_an_empty_report(tmp_path, workspace):  # noqa: ANN001
    (tmp_path / "README.md").write_text("nothing here")
    os.makedirs(tmp_path / ".git")
    make(tmp_path, ".git/a_src.png", ".git/a_tgt.png")
    report = ingest(workspace, tmp_path)
    assert (report.ingested, report.duplicates, report.rejected) == (0, 0, [])
