"""Fixtures for the export tests (builders live in export_helpers.py)."""

from __future__ import annotations

import pytest
from export_helpers import SAMPLE_TEXTS, add_refinement, ingest_samples

from editcaption.workspace import Workspace


@pytest.fixture
def sample_ws(tmp_path):  # noqa: ANN001
    """The six bundled sample pairs, each with one refinement by one of two annotators."""
    ws = Workspace.init(tmp_path / "ws")
    ids = ingest_samples(ws)
    for n, (name, text) in enumerate(SAMPLE_TEXTS.items()):
        add_refinement(ws, ids[name], text, annotator=f"ann{n % 2}")
    ws.ids = ids  # type: ignore[attr-defined]
    yield ws
    ws.close()
