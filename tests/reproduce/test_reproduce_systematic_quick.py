"""`editcaption reproduce mini --regime systematic --quick`, end to end: the habits drawn are the rows
the SFT set carries, the probe and its blank control run, every preference variant (the literal
eq. 3 one included) is trained and scored, and the report has the regime's sections."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")

from editcaption.reproduce.config import systematic_config  # noqa: E402
from editcaption.reproduce.systematic import measures  # noqa: E402
from editcaption.workspace import Workspace  # noqa: E402
from editcaption.workspace.models import RefinementRecord  # noqa: E402


@pytest.fixture(scope="module")
def quick_run(run_quick_mini):  # noqa: ANN001, ANN201
    return run_quick_mini(systematic_config(quick=True), "editcaption reproduce mini --regime systematic --quick")


@pytest.mark.slow
def test_every_task_finished(quick_run) -> None:  # noqa: ANN001
    config, result = quick_run
    assert result.failed == {}
    tasks = {p.stem for p in (result.out / "seed-0" / "tasks").glob("*.json")}
    assert {"prepare", "pretrain", "sft", "probe", "mine", "dpo-dpo", "dpo-hae", "dpo-hae-eq3", "eval-sft",
            "eval-dpo-hae-eq3"} <= tasks


@pytest.mark.slow
def test_the_sft_set_carries_exactly_the_drawn_habits(quick_run) -> None:  # noqa: ANN001
    config, result = quick_run
    sd = result.out / "seed-0"
    habits = json.loads((sd / "data" / "habits.json").read_text())
    roles = json.loads((sd / "roles.json").read_text())
    assert habits["sft_rows"] == len(roles["pool"]["ids"])  # no filter in this regime: every row refined
    drawn = {pid: key for key, h in habits["habits"].items() for pid in h["pairs"]}
    for key, h in habits["habits"].items():
        rate = next(x.rate for s in config.scenes for x in s.habits if key == f"{s.subtype}:{x.kind}:{x.when}")
        assert h["injected"] == round(rate * h["eligible"])
    ws = Workspace.open(sd / "workspace")
    try:
        with ws.session() as s:
            refined = {r.pair_id: r.text for r in s.query(RefinementRecord) if r.pair_id in roles["pool"]["rows"]}
    finally:
        ws.close()
    rows = roles["pool"]["rows"]
    assert len(refined) == habits["sft_rows"]
    wrong = {pid for pid, text in refined.items() if text != rows[pid]["reference_instruction"]}
    assert wrong == set(drawn)  # the drawn rows, and only those, differ from the reference


@pytest.mark.slow
def test_the_pretraining_set_is_clean_and_its_own(quick_run) -> None:  # noqa: ANN001
    """The pretrained-like start learns from pairs no other role has, each with its reference
    instruction (no habit, no teacher mistake), and the SFT starts from that model."""
    config, result = quick_run
    sd = result.out / "seed-0"
    roles = json.loads((sd / "roles.json").read_text())
    pretrain = set(roles["pretrain"]["ids"])
    assert len(pretrain) == config.n_pretrain
    assert not pretrain & {pid for role, v in roles.items() if role != "pretrain" for pid in v["ids"]}
    prep = json.loads((sd / "tasks" / "prepare.json").read_text())["result"]
    assert prep["pretrain_rows"] == config.n_pretrain
    ws = Workspace.open(sd / "workspace")
    try:
        with ws.session() as s:
            refined = {r.pair_id: r.text for r in s.query(RefinementRecord) if r.pair_id in pretrain}
    finally:
        ws.close()
    assert refined == {pid: roles["pretrain"]["rows"][pid]["reference_instruction"] for pid in pretrain}
    sft_log = (sd / "logs" / "sft.log").read_text()
    assert str(sd / "models" / "pretrain" / "final") in sft_log  # trained on top of the pretrained-like model


@pytest.mark.slow
def test_probe_and_its_blank_control(quick_run) -> None:  # noqa: ANN001
    _, result = quick_run
    probe = json.loads((result.out / "seed-0" / "tasks" / "probe.json").read_text())["result"]
    facts = {p["fact"] for p in probe["probe"]}
    assert {"camera_or_object", "camera_left_right", "zoom"} <= facts
    for p in probe["blank"]:
        if p["fact"] in ("camera_or_object", "camera_left_right", "camera_up_down", "zoom"):  # same prefix for all
            assert p["accuracy"] <= p["chance"] + 1e-9, p


@pytest.mark.slow
def test_measures_and_report(quick_run) -> None:  # noqa: ANN001
    config, result = quick_run
    m = measures(result.out, config, 0, "sft")
    assert m is not None and m["n"] == config.n_test
    assert set(m["habit_rate"]) == {"camera_pan:pan_content_direction:horizontal", "move_object:move_as_camera:vertical",
                                    "move_object:mirrored_move:horizontal", "recolor:dropped_colour:any"}
    assert all(0.0 <= v <= 1.0 for v in m["habit_rate"].values())
    # the direction habits are counted per true direction, over exactly their eligible pairs
    assert set(m["directions"]) == {"camera_pan:pan_content_direction:horizontal",
                                    "move_object:mirrored_move:horizontal"}
    for key, by_truth in m["directions"].items():
        assert sum(n for written in by_truth.values() for n in written.values()) == m["eligible"][key]
        assert set(by_truth) <= {"left", "right"}
        assert all(set(written) <= {"left", "right", None} for written in by_truth.values())
    text = Path(result.report).read_text()
    for heading in ("Systematic regime: what the SFT set was taught", "linear probes on its hidden states",
                    "Paired changes against SFT", "Which way is written? pan_content_direction", "Hardness as each HAE run read it", "(systematic regime)"):
        assert heading in text, heading
    eq3 = json.loads((result.out / "seed-0" / "tasks" / "dpo-hae-eq3.json").read_text())["result"]
    hae = json.loads((result.out / "seed-0" / "tasks" / "dpo-hae.json").read_text())["result"]
    assert eq3["hardness_setting"] == {"loss": "hae", "hardness_norm": "sum", "tau": 1.0, "hardness_center": 0.0}
    assert hae["hardness_setting"]["hardness_norm"] == "mean" and hae["hardness_setting"]["hardness_center"] > 0
