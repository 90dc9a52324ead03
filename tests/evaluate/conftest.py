"""Fixtures for the evaluate tests: a workspace with four EditWorld pairs (exact truth, and
their reference instructions in run ``source:manifest``) and a stub OpenAI server."""

from __future__ import annotations

import pytest
from evalhelpers import editworld_workspace

from editcaption.testing.stub_openai import StubOpenAI


@pytest.fixture
def ew4(tmp_path):  # noqa: ANN001
    ws = editworld_workspace(tmp_path, 4)
    yield ws
    ws.close()


@pytest.fixture
def stub():
    with StubOpenAI() as server:
        yield server
