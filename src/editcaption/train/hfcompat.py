"""Load and save VLMs and their processors on machines with or without torchvision.

The Qwen-VL processors declare a video processor, and transformers resolves its class even
when ``video_processor=None`` is passed; without a working torchvision that lookup fails and
so does ``processor.save_pretrained``. We work around both the same way everywhere:

- building: construct the processor with the video-processor class check skipped for ``None``;
- saving: write the tokenizer (with its chat template) and the image processor separately;
- loading: try ``AutoProcessor`` first and, only when torchvision is unusable, rebuild the
  processor from ``AutoTokenizer`` + ``AutoImageProcessor`` with no video processor.

When torchvision imports, none of the workaround runs: the stock classes are used as is.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from ..importutils import require

CHAT_TEMPLATE_FILE = "chat_template.jinja"


@functools.lru_cache(maxsize=1)
def torchvision_available() -> bool:
    """True when torchvision imports (a CUDA-only build next to CPU torch raises at import)."""
    try:
        import torchvision  # noqa: F401
    except Exception:  # noqa: BLE001 - any failure means "not usable here"
        return False
    return True


def processor_class_for(model_type: str) -> type:
    """The processor class transformers registers for a model type (e.g. ``qwen3_vl``)."""
    from transformers.models.auto.processing_auto import PROCESSOR_MAPPING_NAMES, processor_class_from_name

    name = PROCESSOR_MAPPING_NAMES.get(model_type)
    cls = processor_class_from_name(name) if name else None
    if cls is None:
        raise ValueError(f"no processor class is registered for model type {model_type!r}")
    return cls


def build_processor(cls: type, *, image_processor: Any, tokenizer: Any, chat_template: str | None = None,
                    video_processor: Any = None, **kwargs: Any) -> Any:
    """Instantiate a processor class, allowing ``video_processor=None`` without torchvision."""
    if video_processor is not None or torchvision_available() or "video_processor" not in _attributes(cls):
        extra = {"video_processor": video_processor} if "video_processor" in _attributes(cls) else {}
        return cls(image_processor=image_processor, tokenizer=tokenizer, chat_template=chat_template, **extra, **kwargs)
    proc = cls.__new__(cls)
    original = proc.check_argument_for_proper_class

    def check(argument_name: str, argument: Any) -> Any:
        # The class lookup for the video processor needs torchvision; None needs no check.
        if argument_name == "video_processor" and argument is None:
            return None
        return original(argument_name, argument)

    proc.check_argument_for_proper_class = check  # instance attribute, removed right after __init__
    try:
        cls.__init__(proc, image_processor=image_processor, tokenizer=tokenizer, video_processor=None,
                     chat_template=chat_template, **kwargs)
    finally:
        proc.__dict__.pop("check_argument_for_proper_class", None)
    return proc


def _attributes(cls: type) -> list[str]:
    get = getattr(cls, "get_attributes", None)
    return list(get()) if callable(get) else list(getattr(cls, "attributes", []))


def save_processor(processor: Any, path: str | Path) -> None:
    """Write a processor so that :func:`load_processor` (and, with torchvision, AutoProcessor) reads it."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    if getattr(processor, "video_processor", None) is not None or "video_processor" not in _attributes(type(processor)):
        processor.save_pretrained(str(path))
        return
    tokenizer = processor.tokenizer
    tokenizer._set_processor_class(type(processor).__name__)
    if processor.chat_template and not tokenizer.chat_template:
        tokenizer.chat_template = processor.chat_template
    tokenizer.save_pretrained(str(path))
    processor.image_processor.save_pretrained(str(path))
    if processor.chat_template:
        (path / CHAT_TEMPLATE_FILE).write_text(processor.chat_template, encoding="utf-8")


def _model_type(path: Path) -> str | None:
    cfg = path / "config.json"
    if cfg.is_file():
        return json.loads(cfg.read_text(encoding="utf-8")).get("model_type")
    return None


def _processor_class_name(path: Path) -> str | None:
    for name in ("processor_config.json", "preprocessor_config.json", "tokenizer_config.json"):
        f = path / name
        if f.is_file():
            found = json.loads(f.read_text(encoding="utf-8")).get("processor_class")
            if found:
                return found
    return None


def load_processor(path: str | Path) -> Any:
    """The processor saved in ``path`` (a model or processor directory)."""
    require("transformers", feature="loading a local model")
    from transformers import AutoImageProcessor, AutoProcessor, AutoTokenizer

    path = Path(path)
    try:
        return AutoProcessor.from_pretrained(str(path))
    except Exception:
        if torchvision_available():
            raise
    # torchvision is missing: rebuild the processor without its video processor.
    from transformers.models.auto.processing_auto import processor_class_from_name

    cls = None
    if (name := _processor_class_name(path)) is not None:
        cls = processor_class_from_name(name)
    if cls is None and (model_type := _model_type(path)) is not None:
        cls = processor_class_for(model_type)
    if cls is None:
        raise ValueError(f"{path}: cannot tell which processor class to build (no config.json or processor_class)")
    tokenizer = AutoTokenizer.from_pretrained(str(path))
    image_processor = AutoImageProcessor.from_pretrained(str(path))
    return build_processor(cls, image_processor=image_processor, tokenizer=tokenizer,
                           chat_template=_chat_template(path, tokenizer))


def _chat_template(path: Path, tokenizer: Any) -> str | None:
    """The processor's chat template: chat_template.jinja, a legacy chat_template.json, else the tokenizer's."""
    jinja = path / CHAT_TEMPLATE_FILE
    if jinja.is_file():
        return jinja.read_text(encoding="utf-8")
    legacy = path / "chat_template.json"
    if legacy.is_file():
        found = json.loads(legacy.read_text(encoding="utf-8")).get("chat_template")
        if found:
            return found
    return tokenizer.chat_template


def _resolve_dtype(dtype: Any) -> Any:
    import torch

    if dtype is None or dtype == "auto":
        return "auto"
    if isinstance(dtype, str):
        names = {"bf16": "bfloat16", "fp16": "float16", "fp32": "float32"}
        return getattr(torch, names.get(dtype, dtype))
    return dtype


def load_model_and_processor(path: str | Path, device: str = "cpu", dtype: Any = None) -> tuple[Any, Any]:
    """Load a saved VLM (a full model, or a PEFT adapter directory) and its processor, in eval mode.

    ``dtype``: None/"auto" keeps the saved dtype; otherwise a torch dtype or its name
    ("bfloat16", "bf16", "float32", ...).
    """
    require("torch", "transformers", feature="loading a local model")
    from transformers import AutoModelForImageTextToText

    path = Path(path)
    if not path.is_dir():
        raise FileNotFoundError(f"{path}: no such model directory")
    torch_dtype = _resolve_dtype(dtype)
    adapter_cfg = path / "adapter_config.json"
    if adapter_cfg.is_file() and not (path / "config.json").is_file():
        require("peft", feature="loading a LoRA adapter")
        from peft import PeftModel

        base = json.loads(adapter_cfg.read_text(encoding="utf-8")).get("base_model_name_or_path")
        if not base:
            raise ValueError(f"{adapter_cfg}: no base_model_name_or_path")
        model = AutoModelForImageTextToText.from_pretrained(base, dtype=torch_dtype)
        model = PeftModel.from_pretrained(model, str(path)).merge_and_unload()
        proc_dir = path if (path / "tokenizer_config.json").is_file() else Path(base)
        processor = load_processor(proc_dir)
    else:
        model = AutoModelForImageTextToText.from_pretrained(str(path), dtype=torch_dtype)
        processor = load_processor(path)
    model.to(device)
    model.eval()
    return model, processor


def save_model_and_processor(model: Any, processor: Any, path: str | Path) -> None:
    """Save weights, config, generation config and processor into one directory."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(path))
    save_processor(processor, path)
