"""Killed mid-run (SIGKILL), `--resume` continues from the last complete checkpoint with the same data order."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from trainhelpers import EXAMPLES, run_cli

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
    env = {**os.environ, "TOKENIZERS_PARALLELISM": "false"}
    proc = subprocess.Popen([sys.executable, "-m", "editcaption.cli", *_args(sft_data, killed)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    marker = killed / "checkpoint-8" / "editcaption-complete.json"
    deadline = time.time() + 180
    while not marker.exists() and proc.poll() is None and time.time() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert marker.exists(), "the run never reached its second checkpoint"
    assert not (killed / "final").exists(), "the run finished before it could be killed"

    from typer.testing import CliRunner

    from editcaption.cli import app

    again = CliRunner().invoke(app, _args(sft_data, killed))
    assert again.exit_code == 2 and "pass --resume" in again.output  # never silently starts over

    resumed = run_cli(*_args(sft_data, killed), "--resume")
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert "resuming from" in resumed.stderr and "checkpoint-" in resumed.stderr
    resumed_from = int(resumed.stderr.split("resuming from")[1].split("checkpoint-")[1].split()[0])
    assert 8 <= resumed_from < STEPS

    assert _order(killed) == _order(straight)  # same samples in the same order, step by step
    assert len(_order(straight)) == STEPS
    a, b = _weights(straight), _weights(killed)
    assert a.keys() == b.keys()
    for name in a:
        # bitwise equal on CPU; fp32 reductions on CUDA are not bitwise deterministic, hence the tolerance
        assert torch.allclose(a[name], b[name], atol=1e-5, rtol=1e-4), name
