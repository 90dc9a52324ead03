"""Configs: YAML + key=value overrides with types checked; the examples carry the paper's Table 11."""

from __future__ import annotations

import json
import re

import pytest
import yaml
from trainhelpers import EXAMPLES
from typer.testing import CliRunner

from editcaption.cli import app
from editcaption.train.config import ConfigError, DPOConfig, SFTConfig, describe, load_config
from editcaption.train.run import accumulation_steps


def test_yaml_and_overrides_are_typed_and_nested(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("data: d\nlearning_rate: 1e-5\nlora:\n  r: 4\n")
    cfg = load_config("sft", path, ["lora.enabled=true", "lora.r=8", "report_to=[none]", "max_steps=7",
                                    "image_max_pixels=null", "epochs=2", "lora.target_modules=q_proj,v_proj"])
    assert isinstance(cfg, SFTConfig)
    assert cfg.learning_rate == 1e-5 and isinstance(cfg.learning_rate, float)  # YAML reads 1e-5 as text
    assert cfg.lora.enabled is True and cfg.lora.r == 8 and cfg.lora.target_modules == ["q_proj", "v_proj"]
    assert cfg.report_to == ["none"] and cfg.max_steps == 7 and cfg.epochs == 2.0 and cfg.image_max_pixels is None


@pytest.mark.parametrize("override,message", [
    ("learning_rat=1", "unknown config key 'learning_rat' (did you mean learning_rate?)"),
    ("lora.rank=8", "unknown config key 'lora.rank' (did you mean lora.r?)"),
    ("max_steps=ten", "max_steps: expected an integer, got 'ten'"),
    ("lora.enabled=maybe", "lora.enabled: expected true or false"),
    ("precision=fp8", "precision: expected bf16, fp16 or fp32"),
    ("justtext", "override 'justtext' is not key=value"),
])
def test_bad_overrides_are_one_line_errors(tmp_path, override, message):
    with pytest.raises(ConfigError) as err:
        load_config("sft", None, ["data=d", override])
    assert message in str(err.value) and "\n" not in str(err.value)


def test_dpo_options_are_validated():
    cfg = load_config("dpo", None, ["data=d", "loss=hae-hardness", "severity_weights={P0: 2, P1: 1, P2: 0}"])
    assert isinstance(cfg, DPOConfig) and cfg.severity_weights == {"P0": 2.0, "P1": 1.0, "P2": 0.0}
    with pytest.raises(ConfigError, match="loss: expected one of dpo, hae, hae-severity, hae-hardness"):
        load_config("dpo", None, ["data=d", "loss=ipo"])
    with pytest.raises(ConfigError, match="hardness_norm: expected mean or sum"):
        load_config("dpo", None, ["data=d", "hardness_norm=max"])
    with pytest.raises(ConfigError, match="chosen_nll_weight must be 0 or more"):
        load_config("dpo", None, ["data=d", "chosen_nll_weight=-1"])
    assert load_config("dpo", None, ["data=d", "chosen_nll_weight=0.2"]).chosen_nll_weight == 0.2
    with pytest.raises(ConfigError, match="data: no dataset directory"):
        load_config("dpo", None, [])


def test_every_field_has_help_text():
    for cls in (SFTConfig, DPOConfig):
        for key, _, _, text in describe(cls):
            assert text, f"{cls.__name__}.{key} has no help"


def test_options_command_lists_keys_without_torch():
    result = CliRunner().invoke(app, ["train", "options", "dpo", "--json"])
    assert result.exit_code == 0
    rows = {json.loads(line)["key"]: json.loads(line) for line in result.stdout.splitlines()}
    assert rows["gamma_st"]["default"] == 1.0 and "γ_st" in rows["gamma_st"]["help"]
    assert rows["lora.r"]["default"] == 16


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.name)
def test_each_example_loads_and_its_header_shows_the_command(path):
    kind = "dpo" if "dpo" in path.name else "sft"
    cfg = load_config(kind, path)
    header = "\n".join(line for line in path.read_text().splitlines() if line.startswith("#"))
    assert re.search(rf"editcaption(\.cli)? train {kind} examples/train/{re.escape(path.name)}", header), header
    assert cfg.output_dir


def test_paper_table_11_settings():
    sft = load_config("sft", EXAMPLES / "qwen3-vl-32b-sft.yaml")
    assert (sft.learning_rate, sft.global_batch_size, sft.epochs, sft.lr_scheduler, sft.warmup_ratio,
            sft.max_grad_norm, sft.precision, sft.max_length) == (1e-5, 512, 6, "cosine", 0.03, 1.0, "bf16", 8192)
    assert sft.model == "Qwen/Qwen3-VL-32B-Instruct" and not sft.lora.enabled
    dpo = load_config("dpo", EXAMPLES / "qwen3-vl-32b-hae-dpo.yaml")
    assert (dpo.learning_rate, dpo.global_batch_size, dpo.epochs, dpo.lr_scheduler, dpo.warmup_ratio,
            dpo.max_grad_norm, dpo.precision, dpo.max_length) == (5e-6, 128, 4, "cosine", 0.03, 1.0, "bf16", 8192)
    assert (dpo.beta, dpo.tau, dpo.gamma_st, dpo.gamma_h, dpo.loss) == (0.1, 1.0, 1.0, 1.0, "hae")
    assert dpo.model == sft.output_dir + "/final" and dpo.reference is None  # reference = the frozen SFT model
    assert dpo.type_weights == {"orientation": 0.2, "viewpoint": 0.15, "detail": 0.1}


def test_global_batch_size_sets_gradient_accumulation(monkeypatch):
    cfg = load_config("sft", EXAMPLES / "qwen3-vl-32b-sft.yaml")
    monkeypatch.setenv("WORLD_SIZE", "32")
    assert accumulation_steps(cfg) == 8  # 512 = 2 per GPU × 32 GPUs × 8
    monkeypatch.setenv("WORLD_SIZE", "3")
    with pytest.raises(ConfigError, match="not a multiple"):
        accumulation_steps(cfg)


def test_accelerate_configs_parse():
    for path in sorted((EXAMPLES / "accelerate").glob("*.yaml")):
        data = yaml.safe_load(path.read_text())
        assert data["distributed_type"] in ("DEEPSPEED", "FSDP")
        assert "accelerate launch --config_file examples/train/accelerate/" + path.name in path.read_text()
