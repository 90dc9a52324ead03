"""Fixtures for the caption tests: workspaces with pairs to caption, and a stub OpenAI server."""

from __future__ import annotations

import pytest
from captionhelpers import make_workspace

from editcaption.testing.stub_openai import StubOpenAI


@pytest.fixture
def ws12(tmp_path, db_url):  # noqa: ANN001 - SQLite, and PostgreSQL when `make test` runs one
    ws = make_workspace(tmp_path, 12, db_url)
    yield ws
    ws.close()


@pytest.fixture
def stub():
    with StubOpenAI() as server:
        yield server
