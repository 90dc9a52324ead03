"""Shared EditWorld fixtures: one small generated run per subtype (both families)."""

from __future__ import annotations

from pathlib import Path

import pytest

from editcaption.synth import SUBTYPES, generate, read_manifest


@pytest.fixture(scope="session")
def editworld_rows(tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    """Six pairs of every subtype (three per family where the family supports it)."""
    root = tmp_path_factory.mktemp("editworld")
    rows: list[dict] = []
    for i, name in enumerate(SUBTYPES):
        manifest = generate(6, 100 + i, root / name, family="both", subtypes=[name])
        rows.extend(read_manifest(manifest))
    return rows


@pytest.fixture(scope="session")
def editworld_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A default-mix run of 48 pairs on disk."""
    out = tmp_path_factory.mktemp("editworld-mix") / "ew"
    generate(48, 7, out)
    return out
