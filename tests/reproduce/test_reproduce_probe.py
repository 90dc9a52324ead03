"""The perception probe: a model shown blank images scores no better than chance; the classifier
recovers a fact that is in the features; prefixes never tell the label."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")

import torch  # noqa: E402

from editcaption.imageio import to_pil  # noqa: E402
from editcaption.reproduce.evaluation import blank_image  # noqa: E402
from editcaption.reproduce.probe import FACTS, fact_item, fit_and_test, next_word_probs, probe  # noqa: E402
from editcaption.synth import generate_run, read_manifest  # noqa: E402


@pytest.fixture(scope="module")
def rows(tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    root = tmp_path_factory.mktemp("ew")
    out = []
    for i, subtype in enumerate(("camera_pan", "move_object")):
        report = generate_run(24, 11 + i, root / subtype, size=64, family="objects", n_objects=(1, 1),
                              backgrounds=("checkered",), signs=False, subtypes=[subtype])
        out += read_manifest(report.manifest)
    return out


def test_prefixes_are_the_same_for_every_label(rows: list[dict]) -> None:
    for fact in FACTS:
        prefixes: dict[str, set[str]] = {}
        for row in rows:
            item = fact_item(fact, row)
            if item is not None:
                prefixes.setdefault(item[1], set()).add(item[0].split(" the ")[0])
        # the words that come before the fact (verb, "camera", object name) never depend on the label
        if fact.startswith("camera") and prefixes:
            assert len({p for ps in prefixes.values() for p in ps}) == 1, (fact, prefixes)


def test_the_classifier_reads_a_fact_that_is_there() -> None:
    g = torch.Generator().manual_seed(0)
    x = torch.randn(80, 12, generator=g, dtype=torch.float64)
    y = ["left" if v > 0 else "right" for v in x[:, 3].tolist()]
    assert fit_and_test(x[0::2], y[0::2], x[1::2], y[1::2]) >= 0.9
    shuffled = y[1:] + y[:1]  # labels that do not follow the features
    assert fit_and_test(x[0::2], shuffled[0::2], x[1::2], shuffled[1::2]) <= 0.75


@pytest.mark.slow
def test_blank_images_give_chance(rows: list[dict], tmp_path: Path) -> None:
    from editcaption.train.tiny import build_tiny, save_tiny

    model, processor = build_tiny("qwen3_vl", seed=0, hidden=64, layers=2, image_size=64)
    save_tiny(model, processor, tmp_path / "m")
    blank = to_pil(blank_image(64))
    results = probe(tmp_path / "m", "Write the editing instruction.", rows, lambda _row: (blank, blank),
                    facts=("camera_or_object", "camera_left_right", "camera_up_down"))
    assert {r.fact for r in results} == {"camera_or_object", "camera_left_right", "camera_up_down"}
    for r in results:
        # every pair has the same features: the probe can only name one label, at best the majority
        assert r.accuracy <= r.chance + 1e-9, r
        assert r.n_fit >= 4 and r.n_test >= 4


def test_next_word_probs_are_the_model_s_own_next_token_distribution() -> None:
    from editcaption.prompts import instruction_messages
    from editcaption.train.tiny import build_tiny

    model, processor = build_tiny("qwen3_vl", seed=0, hidden=64, layers=2, image_size=64)
    model.eval()
    blank = to_pil(blank_image(64))
    prompt, prefix = "Write the editing instruction.", "Pan the camera to the"
    items = [((blank, blank), prefix)] * 3
    probs = next_word_probs(model, processor, prompt, items, ("left", "right"), batch_size=2)
    assert len(probs) == 3 and all(len(p) == 2 for p in probs)
    # the same as one unpadded forward pass of the same input (left padding changes nothing)
    head = processor.apply_chat_template(instruction_messages(prompt), add_generation_prompt=True, tokenize=False)
    inputs = processor(text=[head + prefix], images=[blank, blank], return_tensors="pt")
    with torch.inference_mode():
        full = torch.softmax(model(**inputs).logits[0, -1].float(), dim=-1)
    ids = [processor.tokenizer.encode(f" {w}", add_special_tokens=False)[0] for w in ("left", "right")]
    for p in probs:
        assert p == pytest.approx([full[i].item() for i in ids], rel=1e-4, abs=1e-7)
    with pytest.raises(ValueError, match="not single tokens"):
        next_word_probs(model, processor, prompt, items, ("leftwards and onwards",))

