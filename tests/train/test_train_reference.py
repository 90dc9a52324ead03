"""Precomputed reference log-probs equal a live reference forward, and are stored and reused."""

from __future__ import annotations

import pytest
import torch
from trainhelpers import tiny_size

from editcaption.train.collator import VLMCollator
from editcaption.train.hae import MarginScheme
from editcaption.train.logprobs import concat_forward
from editcaption.train.reference import (
    ReferenceStore,
    attach_reference,
    autocast_context,
    compute_reference_logps,
    fingerprint,
    reference_for_split,
)
from editcaption.train.synthetic import synthetic_rows
from editcaption.train.tiny import build_tiny


def _dataset(n: int = 6):
    import datasets

    return datasets.Dataset.from_list(synthetic_rows("preference", n, image_size=56, seed=3))


@pytest.mark.parametrize("family", ["qwen2_5_vl", "qwen3_vl"])
def test_precomputed_reference_equals_a_live_reference_forward(family):
    model, processor = build_tiny(family, **tiny_size(family))
    ds = _dataset()
    collator = VLMCollator(processor, "preference", margin=MarginScheme())
    # the pass batches rows 3 at a time; training batches them 4 and 2 (different padding)
    values = compute_reference_logps(model, ds, collator, batch_size=3)
    ds = attach_reference(ds, values)
    for rows in ([0, 1, 2, 3], [4, 5]):
        batch = collator([ds[i] for i in rows])
        with torch.no_grad():
            live = concat_forward(model, batch)
        meta = batch["meta"]
        assert torch.allclose(live.chosen, meta["ref_chosen_logps"], atol=1e-4)
        assert torch.allclose(live.rejected, meta["ref_rejected_logps"], atol=1e-4)
        assert torch.allclose(live.chosen_mean, meta["ref_chosen_logps_mean"], atol=1e-5)
        assert torch.allclose(live.rejected_mean, meta["ref_rejected_logps_mean"], atol=1e-5)
    assert all(v < 0 for v in values["ref_chosen_logps"])


def test_reference_pass_under_bf16_autocast_matches_training_autocast():
    model, processor = build_tiny("qwen2_5_vl", **tiny_size("qwen2_5_vl"))
    ds = _dataset(4)
    collator = VLMCollator(processor, "preference", margin=MarginScheme())
    values = compute_reference_logps(model, ds, collator, batch_size=2, context=lambda: autocast_context("bf16"))
    batch = collator([ds[i] for i in range(4)])
    with torch.no_grad(), autocast_context("bf16"):
        live = concat_forward(model, batch)
    fp32 = compute_reference_logps(model, ds, collator, batch_size=4)
    assert torch.allclose(live.chosen, torch.tensor(values["ref_chosen_logps"], dtype=torch.float32), atol=0.05)
    # bf16 autocast really changes the numbers: the pass must run under the training autocast
    assert values["ref_chosen_logps"] != fp32["ref_chosen_logps"]


def test_stored_values_are_reused_only_while_the_fingerprint_matches(tmp_path):
    model, processor = build_tiny("qwen2_5_vl", **tiny_size("qwen2_5_vl"))
    ds = _dataset(4)
    collator = VLMCollator(processor, "preference", margin=MarginScheme())
    store = ReferenceStore(tmp_path / "reference")
    fp = fingerprint(reference="tiny", dataset=ds, processor=processor, precision="fp32", model_dtype="fp32",
                     forward="concat", max_length=8192)
    logs: list[str] = []
    kw = dict(model=model, dataset=ds, collator=collator, store=store, split="train", batch_size=4,
              forward=concat_forward, context=lambda: autocast_context("fp32"), log=logs.append)
    first = reference_for_split(fp=fp, **kw)
    second = reference_for_split(fp=fp, **kw)
    assert first == second and "computing 4 rows" in logs[0] and "reusing" in logs[1]
    changed = {**fp, "precision": "bf16"}
    reference_for_split(fp=changed, **kw)
    assert "computing" in logs[2]
    # a missing row is an error, never a silent zero
    with pytest.raises(ValueError, match="missing for 1 row"):
        attach_reference(ds, {k: v[:3] for k, v in first.items()})


def test_a_separate_reference_model_and_the_reference_command(tmp_path, pref_data):
    from trainhelpers import EXAMPLES

    from editcaption.train.config import load_config
    from editcaption.train.data import has_reference, load_split
    from editcaption.train.run import run_reference
    from editcaption.train.tiny import save_tiny

    other, other_processor = build_tiny("qwen2_5_vl", **{**tiny_size("qwen2_5_vl"), "seed": 5})
    ref_dir = save_tiny(other, other_processor, tmp_path / "ref-model")
    cfg = load_config("dpo", EXAMPLES / "tiny-dpo.yaml", [f"data={pref_data}", f"output_dir={tmp_path / 'run'}",
                                                          f"reference={ref_dir}"])
    result = run_reference(cfg, tmp_path / "with-ref")
    assert result["rows"] == {"train": 16, "val": 4}
    written = load_split(tmp_path / "with-ref", "train")
    assert has_reference(written) and written["id"] == load_split(pref_data, "train")["id"]
    # the values are the separate reference's, not the policy's
    collator = VLMCollator(other_processor, "preference", margin=MarginScheme())
    direct = compute_reference_logps(other, load_split(pref_data, "train"), collator, batch_size=5)
    assert written["ref_chosen_logps"] == pytest.approx(direct["ref_chosen_logps"], abs=1e-4)
    assert written["ref_rejected_logps_mean"] == pytest.approx(direct["ref_rejected_logps_mean"], abs=1e-5)
    with pytest.raises(Exception, match="--out must differ"):
        run_reference(cfg, pref_data)
