"""The quick miniature runs the end-to-end tests share: one run per regime and test module."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture(scope="session")
def run_quick_mini(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Any, str], tuple[Any, Any]]:
    """``run(config, command)`` → (config, result) of ``run_mini`` in a fresh directory."""

    def run(config: Any, command: str) -> tuple[Any, Any]:
        from editcaption.reproduce.api import run_mini

        out = tmp_path_factory.mktemp(f"mini-{config.regime}") / "run"
        return config, run_mini(config, out, command=command)

    return run
