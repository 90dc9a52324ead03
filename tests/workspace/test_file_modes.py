"""Files the workspace, an export and a report write are readable as a plain open() would make them
(not mkstemp's private 0600), so a team sharing a workspace or a dataset can read them."""

from __future__ import annotations

import os
import stat

from editcaption.atomicfile import write_atomic


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def test_an_atomically_written_file_has_the_mode_open_would_give(tmp_path):
    write_atomic(tmp_path / "a" / "report.html", "<p>hi</p>")
    plain = tmp_path / "plain.txt"
    plain.write_text("x")
    mode = stat.S_IMODE((tmp_path / "a" / "report.html").stat().st_mode)
    assert mode == stat.S_IMODE(plain.stat().st_mode) == 0o666 & ~_umask()


def test_store_images_and_exported_copies_are_not_private(sqlite_workspace, tmp_path):
    from editcaption.demo import samples_dir
    from editcaption.export import ExportOptions, export_sft
    from editcaption.ingest import ingest

    ws = sqlite_workspace
    ingest(ws, samples_dir() / "pairs" / "manifest.jsonl")
    want = 0o666 & ~_umask()
    images = [p for p in (ws.root / "images").rglob("*") if p.is_file()]
    assert images and {stat.S_IMODE(p.stat().st_mode) for p in images} == {want}
    export_sft(ws, tmp_path / "sft", ExportOptions(format="jsonl", source="run:source:manifest"))
    written = [p for p in (tmp_path / "sft").rglob("*") if p.is_file()]
    assert len(written) > 3 and {stat.S_IMODE(p.stat().st_mode) for p in written} == {want}
