"""Ingest: a corpus of awkward and broken inputs, idempotency, manifests, dataset adapters, kill + resume."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from PIL import Image
from sqlalchemy import func, select, text
from typer.testing import CliRunner

import imagefactory as f
from editcaption import testhook
from editcaption.cli import app
from editcaption.ingest import ingest, pair_id_for
from editcaption.workspace import GroundTruthRecord, ImageRecord, InstructionRecord, PairRecord, Workspace

runner = CliRunner()


def build_corpus(root: Path) -> dict[str, tuple[int, int] | str]:
    """A folder with valid pairs of every accepted kind and one broken pair per failure.

    Returns pair name → expected displayed target size (valid) or expected reason fragment.
    """
    expect: dict[str, tuple[int, int] | str] = {}
    s = f.scene

    def ok(name, src_maker, tgt_maker, size):  # noqa: ANN001
        src_maker(root / name)
        tgt_maker(root / name)
        expect[name] = size

    ok("plain", lambda n: f.save(s(seed=1), Path(f"{n}_src.jpg")), lambda n: f.save(s(seed=2), Path(f"{n}_tgt.jpg")), (64, 48))
    ok("exif", lambda n: f.save(s(20, 40, 3), Path(f"{n}_src.png")),
       lambda n: f.exif_rotated_jpeg(Path(f"{n}_tgt.jpg"), 40, 20), (20, 40))
    ok("rgba", lambda n: f.save(s(seed=4), Path(f"{n}_source.png")),
       lambda n: f.save(np.dstack([s(seed=5), np.full((48, 64), 128, np.uint8)]), Path(f"{n}_target.png")), (64, 48))
    ok("cmyk", lambda n: f.cmyk_jpeg(Path(f"{n}_0.jpg")), lambda n: f.save(s(seed=6), Path(f"{n}_1.jpg")), (64, 48))
    ok("deep16", lambda n: f.png16(Path(f"{n}_src.png")), lambda n: f.save(s(seed=7), Path(f"{n}_tgt.png")), (64, 48))
    ok("webp", lambda n: f.save(s(seed=8), Path(f"{n}_src.webp"), "WEBP"),
       lambda n: f.save(s(seed=9), Path(f"{n}_tgt.webp"), "WEBP"), (64, 48))
    ok("anim", lambda n: f.animated_gif(Path(f"{n}_src.gif")), lambda n: f.animated_webp(Path(f"{n}_tgt.webp")), (64, 48))
    ok("palette", lambda n: f.save(Image.fromarray(s(seed=10)).convert("P"), Path(f"{n}_src.png")),
       lambda n: f.save(Image.fromarray(s(seed=11)).convert("L"), Path(f"{n}_tgt.png")), (64, 48))
    ok("sizes", lambda n: f.save(s(200, 100, 12), Path(f"{n}_src.png")), lambda n: f.save(s(80, 120, 13), Path(f"{n}_tgt.png")),
       (80, 120))
    ok("café-ünïcødé 猫", lambda n: f.save(s(seed=14), Path(f"{n}_src.png")), lambda n: f.save(s(seed=15), Path(f"{n}_tgt.png")),
       (64, 48))
    sub = root / "nested"
    sub.mkdir()
    f.save(s(seed=16), sub / "deep_src.png")
    f.save(s(seed=17), sub / "deep_tgt.png")
    expect["nested/deep"] = (64, 48)

    def bad(name, src_maker, reason):  # noqa: ANN001
        src_maker(root / name)
        f.save(s(seed=99 + len(expect)), root / f"{name}_tgt.png")
        expect[name] = reason

    bad("truncated", lambda n: f.truncated_jpeg(Path(f"{n}_src.jpg")), "truncated")
    bad("corrupt", lambda n: Path(f"{n}_src.png").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(64)), "corrupt")
    bad("empty", lambda n: Path(f"{n}_src.jpg").write_bytes(b""), "empty file")
    bad("text", lambda n: Path(f"{n}_src.png").write_text("not an image"), "not a recognised image")
    bad("vector", lambda n: f.svg(Path(f"{n}_src.svg")), "SVG")
    bad("phone", lambda n: f.heic_like(Path(f"{n}_src.heic")), "HEIC")
    bad("bomb", lambda n: f.bomb_png(Path(f"{n}_src.png")), "decompression bomb")
    f.save(s(seed=50), root / "lonely_src.png")
    expect["lonely"] = "target image missing"
    return expect


def test_corpus_ingest_reports_every_file(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    expect = build_corpus(corpus)
    assert len(expect) >= 15
    ws_dir = tmp_path / "ws"
    result = runner.invoke(app, ["ingest", str(corpus), "--json", "-w", str(ws_dir)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout.strip().splitlines()[-1])
    valid = {k: v for k, v in expect.items() if isinstance(v, tuple)}
    broken = {k: v for k, v in expect.items() if isinstance(v, str)}
    assert report["ingested"] == len(valid)
    assert report["duplicates"] == 0
    assert len(report["rejected"]) == len(broken)
    for name, reason in broken.items():
        hits = [r for r in report["rejected"] if Path(r["path"]).name.startswith(name + "_")]
        assert len(hits) == 1, (name, report["rejected"])
        assert reason.lower() in hits[0]["reason"].lower()

    listed = runner.invoke(app, ["pairs", "list", "--json", "-w", str(ws_dir)])
    rows = {json.loads(line)["name"]: json.loads(line) for line in listed.stdout.splitlines()}
    assert set(rows) == set(valid)
    for name, (w, h) in valid.items():
        assert (rows[name]["target"]["width"], rows[name]["target"]["height"]) == (w, h), name
    assert (rows["exif"]["target"]["width"], rows["exif"]["target"]["height"]) == (20, 40)

    again = runner.invoke(app, ["ingest", str(corpus), "--json", "-w", str(ws_dir)])
    report2 = json.loads(again.stdout.strip().splitlines()[-1])
    assert report2["ingested"] == 0 and report2["duplicates"] == len(valid)
    stats = json.loads(runner.invoke(app, ["pairs", "stats", "--json", "-w", str(ws_dir)]).stdout)
    assert stats["pairs"] == len(valid)


def test_missing_source_is_a_clean_failure(tmp_path):
    result = runner.invoke(app, ["ingest", str(tmp_path / "nope"), "-w", str(tmp_path / "ws")])
    assert result.exit_code == 2
    assert "no such file or folder" in result.output


def test_subfolder_layout(tmp_path, workspace):
    for d in ("src", "tgt"):
        (tmp_path / d).mkdir()
    f.save(f.scene(seed=1), tmp_path / "src" / "a.png")
    f.save(f.scene(seed=2), tmp_path / "tgt" / "a.jpg")
    f.save(f.scene(seed=3), tmp_path / "src" / "b.png")
    report = ingest(workspace, tmp_path)
    assert report.ingested == 1
    assert report.rejected[0]["reason"].startswith("target image missing for pair 'b'")
    with workspace.session() as s:
        pair = s.scalars(select(PairRecord)).unique().one()
        assert pair.name == "a" and pair.origin["layout"] == "src/ + tgt/"


def _png_bytes(seed: int) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(f.scene(seed=seed)).save(buf, format="PNG")
    return buf.getvalue()


GT = {"primary": [{"text": "The red square moves left.", "op": "move", "object": "square", "direction": "left"}],
      "secondary": ["The shadow shifts."], "overall": "A square slides to the left."}


@pytest.mark.parametrize("kind", ["csv", "jsonl", "parquet"])
def test_manifest_formats(tmp_path, workspace, kind):
    f.save(f.scene(seed=1), tmp_path / "imgs" / "a.png")
    f.save(f.scene(seed=2), tmp_path / "imgs" / "b.png")
    rows = [
        {"id": "r1", "source": "imgs/a.png", "target": "imgs/b.png", "instruction": "Move the red square to the left.",
         "category": "structural", "subtype": "move", "split": "validation", "ground_truth": json.dumps(GT), "note": "x"},
        {"id": "r2", "source": "imgs/a.png", "target": "imgs/missing.png", "category": "structural"},
        {"id": "r3", "source": "imgs/b.png", "target": "imgs/a.png", "category": "funky"},
    ]
    path = tmp_path / f"m.{kind}"
    if kind == "csv":
        import csv

        with path.open("w", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]))
            w.writeheader()
            for r in rows:
                w.writerow(r)
    elif kind == "jsonl":
        path.write_text("\n".join(json.dumps({**r, "ground_truth": GT} if "ground_truth" in r else r) for r in rows)
                        + "\n{broken json\n")
    else:
        table = pa.table({
            "id": ["r1", "r4"],
            "source": [_png_bytes(1), _png_bytes(5)],
            "target": [_png_bytes(2), _png_bytes(6)],
            "instruction": ["Move the red square to the left.", None],
            "category": ["structural", None],
            "subtype": ["move", None],
            "split": ["validation", "train"],
            "ground_truth": [json.dumps(GT), None],
        })
        pq.write_table(table, path)
    report = ingest(workspace, path)
    assert report.format == "manifest"
    with workspace.session() as s:
        pair = s.scalars(select(PairRecord).where(PairRecord.name == "r1")).unique().one()
        assert (pair.category, pair.subtype, pair.split) == ("structural", "move", "val")
        gt = s.scalars(select(GroundTruthRecord).where(GroundTruthRecord.pair_id == pair.id)).one()
        assert gt.primary[0]["direction"] == "left" and gt.secondary == [{"text": "The shadow shifts."}]
        ins = s.scalars(select(InstructionRecord).where(InstructionRecord.pair_id == pair.id)).one()
        assert ins.text == "Move the red square to the left." and ins.run_id == "source:manifest"
    if kind == "parquet":
        assert report.ingested == 2 and not report.rejected
        return
    assert report.ingested == 1
    reasons = " | ".join(r["reason"] for r in report.rejected)
    assert "file not found" in reasons and "category 'funky'" in reasons
    if kind == "jsonl":
        assert "not valid JSON" in reasons


def _hf_image(seed: int) -> dict:
    return {"bytes": _png_bytes(seed), "path": None}


def test_dataset_adapters(tmp_path, workspace):
    hq = tmp_path / "hq"
    hq.mkdir()
    pq.write_table(pa.table({
        "input": ["a cat"], "input_image": [_hf_image(1)], "edit": ["Make the cat wear a hat."],
        "inverse_edit": ["Remove the hat."], "output": ["a cat in a hat"], "output_image": [_hf_image(2)],
    }), hq / "train-00000.parquet")
    report = runner.invoke(app, ["ingest", str(hq), "--both-directions", "--json", "-w", str(workspace.root),
                                 *(["--db", workspace.db_url] if not workspace.is_sqlite else [])])
    assert json.loads(report.stdout)["ingested"] == 2
    bm = tmp_path / "bm.parquet"
    pq.write_table(pa.table({
        "edit_type": ["0_camera_zoom", "Human Motion"], "image_id": ["i0", "i1"],
        "src_img": [_hf_image(3), _hf_image(5)], "tgt_img": [_hf_image(4), _hf_image(6)],
        "edit_prompt": ["Zoom in.", "Raise the arm."], "edit_prompt_rewrite_instruction": ["x", "y"],
        "src_img_caption": ["s", "s"], "tgt_img_caption": ["t", "t"],
    }), bm)
    assert ingest(workspace, bm).ingested == 2
    mb = tmp_path / "mb.parquet"
    pq.write_table(pa.table({
        "img_id": ["42"], "turn_index": [1], "source_img": [_hf_image(7)], "mask_img": [_hf_image(8)],
        "instruction": ["Put a dog on the sofa."], "target_img": [_hf_image(9)],
    }), mb)
    assert ingest(workspace, mb).format == "magicbrush"
    with workspace.session() as s:
        pairs = {p.name: p for p in s.scalars(select(PairRecord)).unique()}
        assert {"hqedit-1", "hqedit-1-inverse", "bytemorph-i0", "bytemorph-i1", "magicbrush-42-1"} == set(pairs)
        assert pairs["hqedit-1-inverse"].source_sha == pairs["hqedit-1"].target_sha
        assert (pairs["bytemorph-i0"].category, pairs["bytemorph-i0"].subtype) == ("structural", "camera_zoom")
        assert pairs["bytemorph-i1"].subtype == "human_motion"
        texts = {i.text for i in s.scalars(select(InstructionRecord))}
        assert {"Make the cat wear a hat.", "Remove the hat.", "Zoom in.", "Put a dog on the sofa."} <= texts


def test_pair_id_is_stable_and_ordered():
    assert pair_id_for("a" * 64, "b" * 64) == pair_id_for("a" * 64, "b" * 64)
    assert pair_id_for("a" * 64, "b" * 64) != pair_id_for("b" * 64, "a" * 64)


def _write_many(root: Path, n: int) -> Path:
    rows = []
    for i in range(n):
        rng = np.random.default_rng(i)
        a = rng.integers(0, 255, (96, 128, 3), dtype=np.uint8)
        f.save(a, root / f"p{i}_src.png")
        f.save(255 - a, root / f"p{i}_tgt.png")
        rows.append({"id": f"p{i}", "source": f"p{i}_src.png", "target": f"p{i}_tgt.png", "category": "stylistic",
                     "instruction": f"Invert the colours of image {i}.", "ground_truth": {"overall": f"inverted {i}"}})
    manifest = root / "manifest.jsonl"
    manifest.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return manifest


def _state(ws_dir: Path) -> dict:
    ws = Workspace.open(ws_dir)
    try:
        with ws.session() as s:
            pairs = sorted(s.scalars(select(PairRecord.id)))
            gts = sorted(s.scalars(select(GroundTruthRecord.pair_id)))
            ins = sorted(s.scalars(select(InstructionRecord.pair_id)))
            n_images = s.scalar(select(func.count()).select_from(ImageRecord))
            for img in s.scalars(select(ImageRecord)):
                assert ws.store.path_for(img.sha256, img.ext).exists()
        with ws.engine.connect() as conn:
            assert conn.execute(text("pragma integrity_check")).scalar() == "ok"
    finally:
        ws.close()
    return {"pairs": pairs, "gts": gts, "instructions": ins, "images": n_images}


KILL_AFTER = 20  # pairs committed before the ingest process kills itself


def test_killed_ingest_resumes_to_the_same_state(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    manifest = _write_many(data, 120)
    ws_dir = tmp_path / "ws"
    Workspace.init(ws_dir).close()
    # The process SIGKILLs itself right after committing its 20th pair (editcaption.testhook).
    env = {**os.environ, testhook.ENV: f"ingest:{KILL_AFTER}"}
    killed = subprocess.run([sys.executable, "-m", "editcaption.cli", "ingest", str(manifest), "--json",
                             "-w", str(ws_dir)], env=env, capture_output=True, text=True, timeout=300)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert killed.stdout == ""  # killed before its report
    partial = _state(ws_dir)
    # Exactly the pairs committed before the kill are there, each whole: its images, ground truth and instruction.
    assert len(partial["pairs"]) == KILL_AFTER and partial["images"] == 2 * KILL_AFTER
    assert partial["pairs"] == partial["gts"] == partial["instructions"]
    result = runner.invoke(app, ["ingest", str(manifest), "--json", "-w", str(ws_dir)])
    report = json.loads(result.stdout)
    assert (report["ingested"], report["duplicates"], report["rejected"]) == (120 - KILL_AFTER, KILL_AFTER, [])
    resumed = _state(ws_dir)
    clean_dir = tmp_path / "clean"
    runner.invoke(app, ["ingest", str(manifest), "--json", "-w", str(clean_dir)])
    assert resumed == _state(clean_dir)
    assert len(resumed["pairs"]) == 120 and resumed["images"] == 240
