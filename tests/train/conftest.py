"""Fixtures for training tests: synthetic datasets in the export format."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")


@pytest.fixture(scope="session")
def sft_data(tmp_path_factory) -> Path:
    from editcaption.train.synthetic import write_synthetic_dataset

    return write_synthetic_dataset(tmp_path_factory.mktemp("sft"), "sft", n=16, n_val=4, image_size=56)


@pytest.fixture(scope="session")
def pref_data(tmp_path_factory) -> Path:
    from editcaption.train.synthetic import write_synthetic_dataset

    return write_synthetic_dataset(tmp_path_factory.mktemp("pref"), "preference", n=16, n_val=4, image_size=56)


@pytest.fixture(scope="session")
def device() -> str:
    """Where device-sensitive tests put models: the GPU where one is visible (``make gpu-check``), else the CPU."""
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"
