"""Round trips: exported SFT and preference sets train two steps with TRL and with our own trainers.

The models are tiny Qwen2.5-VL built offline (``editcaption.train.tiny``); two steps each
on CPU. This is the acceptance of the export contract: what we write, the trainers read.
"""

from __future__ import annotations

import math

import pytest
from export_helpers import SAMPLE_TEXTS, add_refinement, ingest_samples, sample_preferences

from editcaption.export import ExportOptions, export_prefs, export_sft
from editcaption.workspace import Workspace

pytest.importorskip("torch")
pytest.importorskip("trl")

pytestmark = pytest.mark.slow
TINY = dict(hidden=64, layers=2, image_size=56, seed=0)


@pytest.fixture(scope="module")
def exported(tmp_path_factory):  # noqa: ANN001
    root = tmp_path_factory.mktemp("roundtrip")
    ws = Workspace.init(root / "ws")
    ids = ingest_samples(ws)
    for name, text in SAMPLE_TEXTS.items():
        add_refinement(ws, ids[name], text)
    sample_preferences(ws, ids)
    export_sft(ws, root / "sft", ExportOptions(format="hf", split="train=0.7,val=0.3"))
    export_prefs(ws, root / "prefs", ExportOptions(format="hf", split="train=0.7,val=0.3"))
    ws.close()
    return root


def _load(path):  # noqa: ANN001, ANN202
    import datasets

    return datasets.load_dataset("parquet", data_files=str(path), split="train")


def _weights(model):  # noqa: ANN001, ANN202
    return {n: p.detach().clone() for n, p in model.named_parameters() if p.requires_grad}


def _changed(before, model) -> bool:  # noqa: ANN001
    return any(not before[n].equal(p.detach()) for n, p in model.named_parameters() if n in before)


def test_trl_sft_trainer_runs_two_steps_on_the_export(exported, tmp_path):  # noqa: ANN001
    from trl import SFTConfig, SFTTrainer

    from editcaption.train.tiny import build_tiny

    model, processor = build_tiny("qwen2_5_vl", **TINY)
    before = _weights(model)
    args = SFTConfig(output_dir=str(tmp_path / "trl-sft"), max_steps=2, per_device_train_batch_size=2,
                     learning_rate=1e-3, report_to=[], logging_steps=1, save_strategy="no", max_length=None,
                     bf16=False, use_cpu=True, gradient_checkpointing=False)
    trainer = SFTTrainer(model=model, args=args, train_dataset=_load(exported / "sft" / "train.parquet"),
                         processing_class=processor)
    trainer.train()
    losses = [h["loss"] for h in trainer.state.log_history if "loss" in h]
    assert trainer.state.global_step == 2 and len(losses) == 2 and all(math.isfinite(v) for v in losses)
    assert _changed(before, model)


def test_trl_dpo_trainer_runs_two_steps_on_the_export(exported, tmp_path):  # noqa: ANN001
    from trl import DPOConfig, DPOTrainer

    from editcaption.train.tiny import build_tiny

    model, processor = build_tiny("qwen2_5_vl", **TINY)
    ref, _ = build_tiny("qwen2_5_vl", **TINY)
    before = _weights(model)
    args = DPOConfig(output_dir=str(tmp_path / "trl-dpo"), max_steps=2, per_device_train_batch_size=2,
                     learning_rate=1e-3, report_to=[], logging_steps=1, save_strategy="no", max_length=None,
                     bf16=False, use_cpu=True, gradient_checkpointing=False)
    trainer = DPOTrainer(model=model, ref_model=ref, args=args,
                         train_dataset=_load(exported / "prefs" / "train.parquet"), processing_class=processor)
    trainer.train()
    logs = [h for h in trainer.state.log_history if "loss" in h]
    assert trainer.state.global_step == 2 and len(logs) == 2
    assert logs[0]["loss"] == pytest.approx(math.log(2), abs=1e-4)  # policy == reference at step 0
    assert _changed(before, model)


def _cfg(kind: str, data, out, **extra):  # noqa: ANN001, ANN202
    from editcaption.train.config import load_config

    overrides = [f"data={data}", f"output_dir={out}", "model=tiny:qwen2_5_vl", "max_steps=2",
                 "per_device_batch_size=2", "learning_rate=1e-3", "precision=fp32", "model_dtype=fp32",
                 "report_to=[none]", "logging_steps=1", "save_steps=100", "max_length=1024",
                 *(f"tiny.{k}={v}" for k, v in TINY.items()), *(f"{k}={v}" for k, v in extra.items())]
    return load_config(kind, None, overrides)


def test_project_trainers_run_two_steps_and_read_reference_logprobs_merged_by_export(exported, tmp_path):  # noqa: ANN001
    from editcaption.train.data import has_reference, load_split
    from editcaption.train.run import run_dpo, run_reference, run_sft

    sft = run_sft(_cfg("sft", exported / "sft", tmp_path / "sft"))
    assert sft["global_step"] == 2 and sft["train_rows"] == len(_load(exported / "sft" / "train.parquet"))
    dpo = run_dpo(_cfg("dpo", exported / "prefs", tmp_path / "dpo"))
    assert dpo["global_step"] == 2 and dpo["loss"] == "hae"
    # `train reference` writes a copy with reference log-probs; the export merges them back by id
    # (e.g. after re-balancing), and the trainer then uses them instead of a new reference pass.
    ref_dir = tmp_path / "ref"
    run_reference(_cfg("dpo", exported / "prefs", tmp_path / "ref-run"), ref_dir)
    ws = Workspace.open(exported / "ws")
    report = export_prefs(ws, tmp_path / "prefs-ref", ExportOptions(format="hf", split="train=0.7,val=0.3",
                                                                   ref_logps=ref_dir))
    ws.close()
    assert report.warnings == []
    merged = load_split(tmp_path / "prefs-ref", "train")
    computed = {r["id"]: r for r in _load(ref_dir / "train.parquet")}
    assert has_reference(merged)
    for row in merged:
        assert row["ref_chosen_logps"] == pytest.approx(computed[row["id"]]["ref_chosen_logps"])
        assert row["ref_rejected_logps_mean"] == pytest.approx(computed[row["id"]]["ref_rejected_logps_mean"])
    again = run_dpo(_cfg("dpo", tmp_path / "prefs-ref", tmp_path / "dpo2"))
    assert again["global_step"] == 2
