"""Images for the viewer: originals by hash, decoded copies for other formats, cached heatmaps and hints."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import select

import imagefactory as f
from editcaption.annotate import media
from editcaption.imageio import load_rgb
from editcaption.ingest import ingest
from editcaption.workspace.models import PairRecord


@pytest.fixture
def bmp_pair(sqlite_workspace, tmp_path):  # noqa: ANN001
    src = f.scene(64, 48, seed=1)
    f.save(src, tmp_path / "pairs" / "box_src.bmp")
    f.save(np.ascontiguousarray(src[:, ::-1]), tmp_path / "pairs" / "box_tgt.bmp")
    ingest(sqlite_workspace, tmp_path / "pairs")
    with sqlite_workspace.session() as s:
        return s.scalars(select(PairRecord)).one()


def test_jpeg_and_png_are_served_as_stored(studio_sqlite):
    with studio_sqlite.session() as s:
        pair = s.scalars(select(PairRecord)).first()
    path, kind = media.display_image(studio_sqlite, pair.source)
    assert kind == "image/jpeg" and path == studio_sqlite.store.local_path(pair.source.sha256, ".jpg")


def test_other_formats_are_decoded_once_to_png(sqlite_workspace, bmp_pair):
    path, kind = media.display_image(sqlite_workspace, bmp_pair.source)
    assert kind == "image/png" and path.parent == sqlite_workspace.root / "cache" / "annotate" / "display"
    original = load_rgb(sqlite_workspace.store.local_path(bmp_pair.source.sha256, ".bmp"))
    assert np.array_equal(np.asarray(Image.open(path).convert("RGB")), original)
    stamp = path.stat().st_mtime_ns
    assert media.display_image(sqlite_workspace, bmp_pair.source)[0].stat().st_mtime_ns == stamp


def pan_left(ws):  # noqa: ANN001
    from editcaption.workspace.queries import find_pair

    with ws.session() as s:
        return find_pair(s, "chelsea_pan_left")


def test_heatmap_is_computed_once_at_the_target_size(studio_sqlite):
    pair = pan_left(studio_sqlite)
    path = media.heatmap_path(studio_sqlite, pair)
    assert path.parent == studio_sqlite.root / "cache" / "annotate" / "heatmap"
    assert Image.open(path).size == (pair.target.width, pair.target.height)
    stamp = path.stat().st_mtime_ns
    assert media.heatmap_path(studio_sqlite, pair).stat().st_mtime_ns == stamp


def test_hints_state_measurements_and_flag_a_wrong_direction(studio_sqlite):
    pair = pan_left(studio_sqlite)
    hints = media.hints(studio_sqlite, pair, "Pan the camera to the right.")
    assert hints["unavailable"] is None
    assert any(fact.startswith("Camera: the camera pans left") for fact in hints["facts"])
    assert [(f["type"], f["severity"]) for f in hints["flags"]] == [("viewpoint", "P0")]
    assert media.hints(studio_sqlite, pair, "Pan the camera to the left.")["flags"] == []
    cached = list((studio_sqlite.root / "cache" / "annotate" / "hints").glob("*.json"))
    assert len(cached) == 2
    assert media.hints(studio_sqlite, pair, "Pan the camera to the right.") == hints  # read back from the cache


def test_a_broken_image_costs_the_hints_only(studio_sqlite):
    pair = pan_left(studio_sqlite)
    studio_sqlite.store.local_path(pair.source.sha256, pair.source.ext).unlink()
    hints = media.hints(studio_sqlite, pair, "Pan left.")
    assert hints["facts"] == [] and hints["unavailable"].startswith("delta analysis failed")
