"""`editcaption train` on the tiny example configs, end to end, and the result captions through hf:."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from trainhelpers import EXAMPLES, run_cli

from editcaption.train.synthetic import SHORT_PROMPT, _scene, synthetic_rows

pytestmark = pytest.mark.slow


def _ok(result) -> None:  # noqa: ANN001
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]


def _summary(run: Path) -> dict:
    return json.loads((run / "train_summary.json").read_text())


def test_tiny_sft_then_hae_dpo_then_caption_with_the_result(tmp_path, pref_data):
    from PIL import Image

    sft_data = tmp_path / "data" / "sft"
    _ok(run_cli("train", "synth-data", str(sft_data), "--kind", "sft", "--n", "32", "--image-size", "56"))

    sft_run = tmp_path / "sft-run"
    _ok(run_cli("train", "sft", str(EXAMPLES / "tiny-sft.yaml"), f"data={sft_data}", f"output_dir={sft_run}",
                "max_steps=40", "--json"))
    s = _summary(sft_run)
    assert s["global_step"] == 40
    assert s["last_logged"]["loss"] < s["first_logged"]["loss"] - 1.0
    assert s["last_eval"]["eval_loss"] < 4.0
    assert list((sft_run / "runs").rglob("events.out.tfevents*")), "TensorBoard logs (report_to) missing"
    assert (sft_run / "final" / "model.safetensors").is_file()

    dpo_run = tmp_path / "dpo-run"
    _ok(run_cli("train", "dpo", str(EXAMPLES / "tiny-dpo.yaml"), f"data={pref_data}", f"output_dir={dpo_run}",
                f"model={sft_run / 'final'}", "max_steps=12", "--loss", "hae"))
    d = _summary(dpo_run)
    assert d["loss"] == "hae" and d["global_step"] == 12
    logged = d["last_logged"]
    for key in ("rewards/accuracies", "rewards/chosen", "rewards/rejected", "margin/mean", "margin/satisfied",
                "margin/orientation", "hardness/p50"):
        assert key in logged
    assert (dpo_run / "reference" / "train.parquet").is_file()
    config = (dpo_run / "editcaption-config.yaml").read_text()
    assert "loss: hae" in config and "model: " + str(sft_run / "final") in config

    # The trained model writes instructions through the caption stage's hf: backend.
    pairs = tmp_path / "pairs"
    pairs.mkdir()
    for name, colour, x0, x1 in (("a", "red", 4, 36), ("b", "blue", 36, 4)):
        Image.fromarray(_scene(colour, x0, 56, (235, 235, 235))).save(pairs / f"{name}_src.png")
        Image.fromarray(_scene(colour, x1, 56, (235, 235, 235))).save(pairs / f"{name}_tgt.png")
    prompt = tmp_path / "prompt.txt"
    prompt.write_text(SHORT_PROMPT)  # the prompt the tiny model was trained with
    ws = tmp_path / "ws"
    _ok(run_cli("init", str(ws)))
    _ok(run_cli("ingest", str(pairs), "-w", str(ws)))
    result = run_cli("caption", "--model", f"hf:{dpo_run / 'final'}", "--prompt", str(prompt), "-w", str(ws),
                     "--max-tokens", "16", "--image-max-side", "56", "--no-progress", "--json", "--run-name", "tiny")
    _ok(result)
    assert json.loads(result.stdout.strip().splitlines()[-1])["done"] == 2
    exported = run_cli("instructions", "export", "--run", "tiny", "-w", str(ws))
    texts = [json.loads(line)["instruction"] for line in exported.stdout.splitlines() if line.strip()]
    # A few dozen tiny steps teach the answers' language, not yet their content: every word the
    # model writes comes from the training answers (an untrained tiny model writes only newlines).
    answers = [r["completion"][0]["content"] for r in synthetic_rows("sft", 200, image_size=8)]
    answers += [r[k][0]["content"] for r in synthetic_rows("preference", 200, image_size=8) for k in ("chosen", "rejected")]
    vocabulary = {w.strip(".").lower() for a in answers for w in a.split()}
    assert len(texts) == 2 and all(t.strip() for t in texts), exported.stdout
    for text in texts:
        words = {w.strip(".").lower() for w in text.split()} - {""}
        assert words <= vocabulary, (text, words - vocabulary)


def _invoke(*args: str):  # noqa: ANN202 - in-process: the error paths need no fresh interpreter
    from typer.testing import CliRunner

    from editcaption.cli import app

    return CliRunner().invoke(app, list(args))


def test_bad_config_and_missing_data_fail_with_one_line(tmp_path):
    bad = _invoke("train", "sft", str(EXAMPLES / "tiny-sft.yaml"), "learning_rat=1e-4")
    assert bad.exit_code == 2 and "unknown config key 'learning_rat' (did you mean learning_rate?)" in bad.output
    missing = _invoke("train", "dpo", str(EXAMPLES / "tiny-dpo.yaml"), f"data={tmp_path / 'nothing'}",
                      f"output_dir={tmp_path / 'out'}")
    assert missing.exit_code == 2 and "no such dataset directory" in missing.output


def test_sft_data_given_to_dpo_is_refused_clearly(tmp_path, sft_data):
    result = _invoke("train", "dpo", str(EXAMPLES / "tiny-dpo.yaml"), f"data={sft_data}",
                     f"output_dir={tmp_path / 'out'}")
    assert result.exit_code == 2
    assert "missing column(s) chosen, rejected, error_type, severity" in result.output
    assert "DPO needs a preference export" in result.output


def test_too_long_samples_stop_the_run_before_training(tmp_path, sft_data):
    result = _invoke("train", "sft", str(EXAMPLES / "tiny-sft.yaml"), f"data={sft_data}", "max_length=16",
                     f"output_dir={tmp_path / 'out'}")
    assert result.exit_code == 2
    assert "exceed max_length 16" in result.output and "never truncated" in result.output
    assert not list((tmp_path / "out").glob("checkpoint-*"))


