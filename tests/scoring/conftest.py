"""A stub OpenAI server per test, and workspaces holding the bundled sample pairs."""

from __future__ import annotations

import pytest

from editcaption.demo import samples_dir
from editcaption.ingest import ingest
from editcaption.testing.stub_openai import StubOpenAI


@pytest.fixture
def stub():
    with StubOpenAI() as server:
        yield server


@pytest.fixture
def samples_ws(workspace):  # noqa: ANN001 - SQLite, and PostgreSQL under `make test`
    report = ingest(workspace, samples_dir() / "pairs" / "manifest.jsonl")
    assert report.ingested == 6
    return workspace


@pytest.fixture
def samples_sqlite(sqlite_workspace):  # noqa: ANN001
    report = ingest(sqlite_workspace, samples_dir() / "pairs" / "manifest.jsonl")
    assert report.ingested == 6
    return sqlite_workspace
