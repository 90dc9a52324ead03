"""A stub OpenAI-compatible server per test (real HTTP on 127.0.0.1)."""

from __future__ import annotations

import pytest

from editcaption.testing.stub_openai import StubOpenAI


@pytest.fixture
def stub():
    with StubOpenAI() as server:
        yield server
