"""LoRA through PEFT: only adapters train, the vision tower stays untouched, the saved model is merged."""

from __future__ import annotations

import pytest
import torch
from trainhelpers import EXAMPLES

from editcaption.train.config import load_config
from editcaption.train.hfcompat import load_model_and_processor
from editcaption.train.run import load_start_model, run_sft

pytestmark = pytest.mark.slow


def test_lora_sft_saves_a_merged_model_that_loads_and_generates(tmp_path, sft_data):
    cfg = load_config("sft", EXAMPLES / "tiny-sft.yaml", [
        f"data={sft_data}", f"output_dir={tmp_path / 'run'}", "lora.enabled=true", "lora.r=4", "max_steps=6",
        "learning_rate=5e-2", "eval_split=null", "report_to=[none]", "save_steps=100"])
    start, _ = load_start_model(cfg)
    summary = run_sft(cfg)
    assert summary["global_step"] == 6
    merged, processor = load_model_and_processor(tmp_path / "run" / "final")
    before, after = start.state_dict(), merged.state_dict()
    assert before.keys() == after.keys()  # merged: no adapter weights left
    changed = {k for k in before if not torch.equal(before[k], after[k])}
    assert changed and all("self_attn" in k or "mlp" in k for k in changed)
    assert not any("visual" in k for k in changed)  # exclude_vision keeps the tower as it was
    from editcaption.train.collator import VLMCollator
    from editcaption.train.synthetic import synthetic_rows

    batch = VLMCollator(processor, "prompt")(synthetic_rows("sft", 1, image_size=56))
    batch.pop("meta")
    out = merged.generate(**batch, min_new_tokens=4, max_new_tokens=4, do_sample=False)
    assert out.shape[1] == batch["input_ids"].shape[1] + 4
