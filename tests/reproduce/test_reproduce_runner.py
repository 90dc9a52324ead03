"""The task graph and its scheduler: dependencies per seed, a failed task skips only what needs
it (recorded with its reason), and a run directory refuses other settings."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from editcaption.reproduce.config import SceneSet, config_from_json, full_config, quick_config, systematic_config
from editcaption.reproduce.runner import MiniError, plan, run_all, start_run


def test_plan_chains_every_seed() -> None:
    tasks = {t.key: t for t in plan(full_config(seeds=2))}
    assert tasks["seed-1/sft"].needs == ("prepare",)
    assert tasks["seed-1/mine"].needs == ("sft",)
    assert {tasks[f"seed-0/dpo:{loss}"].needs for loss in ("dpo", "hae", "hae-severity", "hae-hardness")} == {("mine",)}
    assert tasks["seed-0/eval:dpo-hae"].needs == ("dpo:hae",)
    assert tasks["seed-0/eval:sft-grounded"].needs == ("sft-grounded",)
    assert tasks["seed-0/eval:teacher"].needs == ("prepare",)
    assert "seed-0/sft-blank" not in tasks  # the blank-image control belongs to --quick
    assert "seed-0/sft-blank" in {t.key for t in plan(quick_config())}


def test_a_pretrained_like_start_comes_before_the_sft_and_survives_a_resume() -> None:
    config = systematic_config(seeds=2)
    tasks = {t.key: t for t in plan(config)}
    assert tasks["seed-1/pretrain"].needs == ("prepare",)
    assert tasks["seed-1/sft"].needs == ("pretrain",)
    assert "seed-0/pretrain" not in {t.key for t in plan(full_config())}  # the perception regime starts from scratch
    again = config_from_json(config.to_json())
    assert again == config and again.pretrain is not None and again.pretrain.steps > again.sft.steps
    old = full_config().to_json()
    del old["pretrain"], old["n_pretrain"]  # a run directory written before the setting existed
    assert config_from_json(old).pretrain is None
    with pytest.raises(ValueError, match="go together"):
        full_config(n_pretrain=100)  # pairs without a budget to train on them
    with pytest.raises(ValueError, match="go together"):
        systematic_config(n_pretrain=0)


def test_a_failed_task_skips_its_dependants(tmp_path: Path) -> None:
    config = quick_config(scenes=(SceneSet("no_such_subtype"),), workers=1)
    start_run(tmp_path, config, "test")
    progress = run_all(tmp_path, config)
    prepare = progress.records["seed-0/prepare"]
    assert prepare["status"] == "failed" and "no_such_subtype" in prepare["error"]
    assert set(progress.skipped) == {t.key for t in plan(config)} - {"seed-0/prepare"}
    assert not (tmp_path / "seed-0" / "tasks" / "prepare.json").exists()  # it runs again next time
    assert "Traceback" in (tmp_path / "seed-0" / "logs" / "prepare.log").read_text()


def test_a_run_directory_keeps_its_settings(tmp_path: Path) -> None:
    config = quick_config()
    start_run(tmp_path, config, "first")
    start_run(tmp_path, config, "again")  # same settings: resumes
    with pytest.raises(MiniError, match="other settings"):
        start_run(tmp_path, dataclasses.replace(config, seeds=2), "other")
