"""Files handed to EXIF-unaware trainers are upright: a sideways original never swaps left and right."""

from __future__ import annotations

import io
import json
import tarfile

import numpy as np
from export_helpers import add_run
from PIL import Image

import imagefactory as f
from editcaption.export import ExportOptions, export_sft, export_triplets
from editcaption.imageio import decode_file
from editcaption.ingest import ingest


def _plain_pixels(data: bytes) -> np.ndarray:
    """What a reader that ignores EXIF (plain PIL) sees."""
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


def test_exif_rotated_originals_are_exported_upright(workspace, tmp_path):
    (tmp_path / "in").mkdir()
    src = f.exif_rotated_jpeg(tmp_path / "in" / "turned_src.jpg", stored_w=40, stored_h=20)
    f.save(f.scene(20, 40, seed=3), tmp_path / "in" / "turned_tgt.png")
    assert ingest(workspace, tmp_path / "in").ingested == 1
    upright = decode_file(src).rgb
    assert upright.shape == (40, 20, 3)
    with workspace.session() as s:
        from editcaption.workspace.models import PairRecord

        pid = s.query(PairRecord).one().id
    add_run(workspace, "r", {pid: "Move the red square to the right."})

    out = tmp_path / "lf"
    export_sft(workspace, out, ExportOptions(format="llamafactory", source="run:r", split="train=1,val=0,test=0"))
    rows = json.loads((out / "train.json").read_text())
    exported_src = (out / rows[0]["images"][0]).read_bytes()
    assert rows[0]["images"][0].endswith(".upright.png")
    assert np.abs(_plain_pixels(exported_src).astype(int) - upright.astype(int)).max() == 0

    wds = tmp_path / "wds"
    export_triplets(workspace, wds, ExportOptions(format="webdataset", source="run:r", split="train=1,val=0,test=0"))
    with tarfile.open(next(wds.glob("train-*.tar"))) as tar:
        names = tar.getnames()
        src_name = next(n for n in names if ".src." in n)
        assert src_name.endswith(".src.png")
        assert _plain_pixels(tar.extractfile(src_name).read()).shape == (40, 20, 3)
