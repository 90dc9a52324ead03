"""Processors preprocess the same with and without torchvision.

transformers resolves a saved image processor to its torchvision class whenever torchvision is
installed, and that class resamples differently, so a model trained where torchvision is missing
would see other pixels where it is present. CI has no usable torchvision (the reachable wheels
are CUDA builds that do not import next to CPU torch), so the ``torchvision_present`` stand-in
makes transformers believe it is there: its availability check answers True and the torchvision
backend of the Qwen image processors resolves to a class that resamples differently, exactly the
hazard a real torchvision brings. ``make test-torchvision`` runs this file with the real one.
"""

from __future__ import annotations

import pytest
import torch
from trainhelpers import tiny_size

from editcaption.imageio import to_pil
from editcaption.prompts import instruction_messages
from editcaption.train.config import ConfigError, load_config
from editcaption.train.hfcompat import (
    backend_of,
    build_processor,
    load_processor,
    processor_class_for,
    recorded_backend,
    torchvision_available,
)
from editcaption.train.synthetic import _scene
from editcaption.train.tiny import FAMILIES, build_tiny, save_tiny


def _images(size):
    # 13 px off the patch grid, so every processor resizes (and its resampling shows in the pixels)
    return [to_pil(_scene("red", 4, size + 13, (235, 235, 235))),
            to_pil(_scene("blue", size - 20, size + 13, (30, 90, 200)))]


def _inputs(processor, size):
    images = _images(size)
    text = processor.apply_chat_template(instruction_messages("Write the instruction."), tokenize=False,
                                         add_generation_prompt=True)
    return processor(text=[text], images=[images], return_tensors="pt")


@pytest.fixture
def torchvision_present(monkeypatch):
    """transformers sees torchvision; its Qwen "torchvision" image processor resamples differently."""
    from PIL import Image
    from transformers.models.auto import image_processing_auto as auto
    from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import Qwen2VLImageProcessorPil

    if torchvision_available():
        yield None  # the real thing is here: nothing to stand in for
        return

    class StandInTorchvisionQwen2VLImageProcessor(Qwen2VLImageProcessorPil):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.resample = Image.Resampling.NEAREST

    resolve = auto.get_image_processor_class_from_name

    def class_from_name(name):
        return StandInTorchvisionQwen2VLImageProcessor if name == "Qwen2VLImageProcessor" else resolve(name)

    monkeypatch.setattr(auto, "is_torchvision_available", lambda: True)
    monkeypatch.setattr(auto, "get_image_processor_class_from_name", class_from_name)
    yield StandInTorchvisionQwen2VLImageProcessor


@pytest.mark.parametrize("family", FAMILIES)
def test_a_saved_processor_reloads_as_the_class_it_was_trained_with(family, tmp_path, torchvision_present):
    from transformers import AutoImageProcessor

    size = tiny_size(family)["image_size"]
    model, processor = build_tiny(family, **tiny_size(family))
    trained = _inputs(processor, size)
    path = save_tiny(model, processor, tmp_path / family)
    assert recorded_backend(path) == "pil"

    # the hazard: the stock loader switches to the torchvision class, which gives other pixels
    stock = AutoImageProcessor.from_pretrained(str(path))
    assert backend_of(stock) == "torchvision"
    stock_pixels = stock(images=_images(size), return_tensors="pt")
    own_pixels = processor.image_processor(images=_images(size), return_tensors="pt")
    assert not torch.equal(stock_pixels["pixel_values"], own_pixels["pixel_values"])

    # ours: the recorded class, no video processor, identical ids and pixels
    loaded = load_processor(path)
    assert type(loaded) is type(processor)
    assert type(loaded.image_processor) is type(processor.image_processor)
    assert loaded.video_processor is None
    again = _inputs(loaded, size)
    assert torch.equal(again["input_ids"], trained["input_ids"])
    assert torch.equal(again["pixel_values"], trained["pixel_values"])
    assert torch.equal(again["image_grid_thw"], trained["image_grid_thw"])


def test_building_without_a_video_processor_works_where_the_stock_class_refuses_none(torchvision_present):
    model, processor = build_tiny("qwen3_vl", **tiny_size("qwen3_vl"))
    cls = processor_class_for("qwen3_vl")
    with pytest.raises((TypeError, AttributeError)):
        cls(image_processor=processor.image_processor, tokenizer=processor.tokenizer, video_processor=None)
    built = build_processor(cls, image_processor=processor.image_processor, tokenizer=processor.tokenizer,
                            chat_template=processor.chat_template)
    assert built.video_processor is None
    assert "check_argument_for_proper_class" not in built.__dict__  # the skipped check is not left behind


def test_a_hub_checkpoint_naming_the_torchvision_class_follows_an_explicit_backend(tmp_path):
    import json

    model, processor = build_tiny("qwen2_5_vl", **tiny_size("qwen2_5_vl"))
    path = save_tiny(model, processor, tmp_path / "hub")
    cfg_file = path / "preprocessor_config.json"
    cfg = json.loads(cfg_file.read_text())
    cfg["image_processor_type"] = "Qwen2VLImageProcessorFast"  # what hub checkpoints record
    cfg_file.write_text(json.dumps(cfg))
    (path / "editcaption_processor.json").unlink()  # hub checkpoints carry no record of ours
    assert recorded_backend(path) is None
    assert backend_of(load_processor(path, image_backend="pil").image_processor) == "pil"


@pytest.mark.skipif(torchvision_available(), reason="torchvision imports here")
def test_asking_for_torchvision_without_it_is_one_clear_error(tmp_path):
    model, processor = build_tiny("qwen2_5_vl", **tiny_size("qwen2_5_vl"))
    path = save_tiny(model, processor, tmp_path / "m")
    with pytest.raises(RuntimeError, match="torchvision does not import here"):
        load_processor(path, image_backend="torchvision")


def test_image_backend_is_a_checked_config_key():
    assert load_config("sft", overrides=["data=x"]).image_backend == "pil"
    assert load_config("sft", overrides=["data=x", "image_backend=torchvision"]).image_backend == "torchvision"
    with pytest.raises(ConfigError, match="image_backend"):
        load_config("sft", overrides=["data=x", "image_backend=opencv"])
