"""Distributed data parallel with two CPU processes (gloo): sharded data, one shared model, one save."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from trainhelpers import EXAMPLES

from children import free_port

pytestmark = pytest.mark.slow



def test_hae_dpo_with_two_processes(tmp_path, pref_data):
    out = tmp_path / "ddp"
    # two CPU processes also on a machine with one GPU (two processes cannot both own cuda:0)
    env = {**os.environ, "OMP_NUM_THREADS": "1", "TOKENIZERS_PARALLELISM": "false", "CUDA_VISIBLE_DEVICES": ""}
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_addr", "127.0.0.1",
           "--master_port", str(free_port()), "-m", "editcaption.cli", "train", "dpo", str(EXAMPLES / "tiny-dpo.yaml"),
           f"data={pref_data}", f"output_dir={out}", "max_steps=6", "per_device_batch_size=2", "log_batch_ids=true",
           "report_to=[none]", "save_steps=100", "eval_split=null", "logging_steps=2"]
    result = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]

    summary = json.loads((out / "train_summary.json").read_text())
    assert summary["world_size"] == 2 and summary["global_step"] == 6
    logs = {r: [json.loads(x) for x in (out / f"batch_ids.rank{r}.jsonl").read_text().splitlines()] for r in (0, 1)}
    steps = {r: {rec["step"]: rec["ids"] for rec in logs[r] if "step" in rec} for r in (0, 1)}
    assert sorted(steps[0]) == sorted(steps[1]) == list(range(6))
    for step in range(6):
        a, b = steps[0][step], steps[1][step]
        assert len(a) == len(b) == 2 and not set(a) & set(b)  # each process trains on its own shard
    # 16 pairs, 4 per step over both processes: the first epoch (steps 0-3) sees every pair exactly once
    first_epoch = [i for step in range(4) for r in (0, 1) for i in steps[r][step]]
    assert len(first_epoch) == len(set(first_epoch)) == 16
    # gradients were averaged: both replicas end with identical weights
    sums = [next(rec["final_param_sum"] for rec in logs[r] if "final_param_sum" in rec) for r in (0, 1)]
    assert sums[0] == sums[1]
    # the reference pass was split over the processes and gathered into one store
    import pyarrow.parquet as pq

    stored = pq.read_table(out / "reference" / "train.parquet").to_pydict()
    assert sorted(stored["id"]) == sorted(json.loads(json.dumps(stored["id"]))) and len(set(stored["id"])) == 16
    assert (out / "final" / "model.safetensors").is_file()
    assert "DPO (hae) on 16 pairs" in result.stderr
