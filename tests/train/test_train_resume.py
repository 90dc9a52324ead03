"""Killed mid-run (SIGKILL), `--resume` continues from the last complete checkpoint with the same data order."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from trainhelpers import EXAMPLES, run_cli

from editcaption import testhook
from editcaption.train.trainers import COMPLETE_MARKER

pytestmark = pytest.mark.slow
STEPS = 24


def _args(data: Path, out: Path) -> list[str]:
    return ["train", "sft", str(EXAMPLES / "tiny-sft.yaml"), f"data={data}", f"output_dir={out}",
            f"max_steps={STEPS}", "save_steps=4", "log_batch_ids=true", "eval_split=null", "report_to=[none]",
            "per_device_batch_size=3"]


def _order(out: Path) -> dict[int, list[str]]:
    """Sample ids per optimizer step; after a resume the re-run steps replace the killed run's lines."""
    order: dict[int, list[str]] = {}
    for line in (out / "batch_ids.rank0.jsonl").read_text().splitlines():
        rec = json.loads(line)
        if "step" in rec:
            order[rec["step"]] = rec["ids"]
    return order


def _weights(out: Path) -> dict[str, torch.Tensor]:
    from safetensors.torch import load_file

    return load_file(str(out / "final" / "model.safetensors"))


def test_sigkill_then_resume_matches_an_uninterrupted_run(tmp_path, sft_data):
    straight = tmp_path / "straight"
    done = run_cli(*_args(sft_data, straight))
    assert done.returncode == 0, done.stderr[-2000:]

    killed = tmp_path / "killed"
    # The run SIGKILLs itself once its second checkpoint (step 8) is marked complete (editcaption.testhook).
    env = {**os.environ, "TOKENIZERS_PARALLELISM": "false", testhook.ENV: "checkpoint:2"}
    proc = subprocess.run([sys.executable, "-m", "editcaption.cli", *_args(sft_data, killed)], env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-2000:]
    assert (killed / "checkpoint-8" / COMPLETE_MARKER).is_file()
    assert sorted(p.name for p in killed.glob("checkpoint-*")) == ["checkpoint-4", "checkpoint-8"]
    assert not (killed / "final").exists()

    from typer.testing import CliRunner

    from editcaption.cli import app

    again = CliRunner().invoke(app, _args(sft_data, killed))
    assert again.exit_code == 2 and "pass --resume" in again.output  # never silently starts over

    resumed = run_cli(*_args(sft_data, killed), "--resume")
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert "resuming from" in resumed.stderr and "checkpoint-" in resumed.stderr
    resumed_from = int(resumed.stderr.split("resuming from")[1].split("checkpoint-")[1].split()[0])
    assert resumed_from == 8

    assert _order(killed) == _order(straight)  # same samples in the same order, step by step
    assert len(_order(straight)) == STEPS
    a, b = _weights(straight), _weights(killed)
    assert a.keys() == b.keys()
    for name in a:
        # bitwise equal on CPU; fp32 reductions on CUDA are not bitwise deterministic, hence the tolerance
        assert torch.allclose(a[name], b[name], atol=1e-5, rtol=1e-4), name
