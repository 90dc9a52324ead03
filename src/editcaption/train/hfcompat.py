"""Load and save VLMs and their processors the same way on every machine.

What a model sees depends on its processor, and transformers picks parts of the processor by
what happens to be installed: with torchvision it resolves the image processor to the
torchvision class (different resampling, so different ``pixel_values``) and it insists on a
video processor; without torchvision it uses the PIL class and cannot build a video processor
at all. A model trained on one machine and served on another would then see other pixels.
We remove the dependence on the environment:

- **image processor backend chosen, then recorded.** Training builds or loads the image
  processor with an explicit backend (``pil`` by default, the one that exists everywhere;
  ``torchvision`` on request). Saving records the backend and exact class in
  ``editcaption_processor.json`` (transformers' own ``image_processor_type`` drops the backend:
  it saves ``Qwen2VLImageProcessor`` for the PIL class too), and loading asks transformers for
  that backend explicitly, so a checkpoint, ``train reference`` and ``hf:`` captioning preprocess
  pixel-identically to training, with or without torchvision;
- **no video processor.** We never feed video, so processors are built with
  ``video_processor=None`` (transformers' class check refuses None; we skip that one check)
  and saved as tokenizer + image processor + chat template.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from ..importutils import require

CHAT_TEMPLATE_FILE = "chat_template.jinja"
IMAGE_PROCESSOR_FILE = "preprocessor_config.json"
IMAGE_BACKENDS = ("pil", "torchvision")
RECORD_FILE = "editcaption_processor.json"


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


def backend_of(image_processor: Any) -> str:
    """``pil`` or ``torchvision``: the backend an image processor instance belongs to."""
    name = type(image_processor).__name__
    return "pil" if name.endswith("Pil") else "torchvision"


def build_processor(cls: type, *, image_processor: Any, tokenizer: Any, chat_template: str | None = None,
                    **kwargs: Any) -> Any:
    """Instantiate a processor class with no video processor (where the class declares one)."""
    if "video_processor" not in _attributes(cls):
        return cls(image_processor=image_processor, tokenizer=tokenizer, chat_template=chat_template, **kwargs)
    proc = cls.__new__(cls)
    original = proc.check_argument_for_proper_class

    def check(argument_name: str, argument: Any) -> Any:
        # transformers refuses None here (TypeError with torchvision, a failed class lookup without it).
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
    """Write tokenizer, image processor (its exact class) and chat template; :func:`load_processor` reads them."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    if "video_processor" not in _attributes(type(processor)):
        processor.save_pretrained(str(path))
        if getattr(processor, "image_processor", None) is not None:
            _record(processor.image_processor, path)
        return
    tokenizer = processor.tokenizer
    tokenizer._set_processor_class(type(processor).__name__)
    if processor.chat_template and not tokenizer.chat_template:
        tokenizer.chat_template = processor.chat_template
    tokenizer.save_pretrained(str(path))
    processor.image_processor.save_pretrained(str(path))
    _record(processor.image_processor, path)
    if processor.chat_template:
        (path / CHAT_TEMPLATE_FILE).write_text(processor.chat_template, encoding="utf-8")


def _read_json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def _processor_class(path: Path) -> type:
    from transformers.models.auto.processing_auto import processor_class_from_name

    for name in ("processor_config.json", IMAGE_PROCESSOR_FILE, "tokenizer_config.json"):
        found = _read_json(path / name).get("processor_class")
        if found and (cls := processor_class_from_name(found)) is not None:
            return cls
    model_type = _read_json(path / "config.json").get("model_type")
    if model_type is None:
        raise ValueError(f"{path}: cannot tell which processor class to build (no config.json or processor_class)")
    return processor_class_for(model_type)


def _record(image_processor: Any, path: Path) -> None:
    record = {"image_backend": backend_of(image_processor), "image_processor_class": type(image_processor).__name__,
              "video_processor": None}
    (path / RECORD_FILE).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")


def recorded_backend(path: str | Path) -> str | None:
    """The image backend a processor directory was saved with by us, or None (e.g. a hub checkpoint:
    then transformers' own choice applies unless a backend is asked for)."""
    return _read_json(Path(path) / RECORD_FILE).get("image_backend")


def load_image_processor(path: str | Path, backend: str | None = None) -> Any:
    """The image processor saved in ``path``, of ``backend`` (default: the recorded one)."""
    from transformers import AutoImageProcessor

    if backend is not None and backend not in IMAGE_BACKENDS:
        raise ValueError(f"image backend must be one of {', '.join(IMAGE_BACKENDS)}, not {backend!r}")
    backend = backend or recorded_backend(path)
    if backend == "torchvision" and not torchvision_available():
        raise RuntimeError(f"{path}: the torchvision image processor was asked for, but torchvision does not import "
                           "here; use the pil backend (image_backend: pil)")
    kwargs = {"backend": backend} if backend else {}
    return AutoImageProcessor.from_pretrained(str(path), **kwargs)


def load_processor(path: str | Path, image_backend: str | None = None) -> Any:
    """The processor saved in ``path`` (a model or processor directory), with no video processor.

    ``image_backend`` (``pil`` / ``torchvision``) picks the image-processor class; by default the
    class the directory records is used (ours record it; see the module docstring).
    """
    require("transformers", feature="loading a local model")
    from transformers import AutoTokenizer

    path = Path(path)
    cls = _processor_class(path)
    if "video_processor" not in _attributes(cls):  # e.g. LLaVA: the stock loader, then our image processor
        from transformers import AutoProcessor

        processor = AutoProcessor.from_pretrained(str(path))
        if "image_processor" in _attributes(cls):
            processor.image_processor = load_image_processor(path, image_backend)
        return processor
    tokenizer = AutoTokenizer.from_pretrained(str(path))
    return build_processor(cls, image_processor=load_image_processor(path, image_backend), tokenizer=tokenizer,
                           chat_template=_chat_template(path, tokenizer))


def _chat_template(path: Path, tokenizer: Any) -> str | None:
    """The processor's chat template: chat_template.jinja, a legacy chat_template.json, else the tokenizer's."""
    jinja = path / CHAT_TEMPLATE_FILE
    if jinja.is_file():
        return jinja.read_text(encoding="utf-8")
    found = _read_json(path / "chat_template.json").get("chat_template")
    return found or tokenizer.chat_template
def _resolve_dtype(dtype: Any) -> Any:
    import torch

    if dtype is None or dtype == "auto":
        return "auto"
    if isinstance(dtype, str):
        names = {"bf16": "bfloat16", "fp16": "float16", "fp32": "float32"}
        return getattr(torch, names.get(dtype, dtype))
    return dtype


def resolve_device(device: str | None) -> str:
    """``auto`` (or None) → ``cuda`` where a GPU is visible, else ``cpu``; anything else as given."""
    if device in (None, "auto"):
        import torch

        return "cuda" if torch.cuda.is_available() else "cpu"
    return device


def load_model_and_processor(path: str | Path, device: str = "auto", dtype: Any = None) -> tuple[Any, Any]:
    """Load a saved VLM (a full model, or a PEFT adapter directory) and its processor, in eval mode.

    ``device``: ``auto`` (a GPU where one is visible), ``cpu``, ``cuda``, ``cuda:1`` ...
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
    model.to(resolve_device(device))
    model.eval()
    return model, processor


def save_model_and_processor(model: Any, processor: Any, path: str | Path) -> None:
    """Save weights, config, generation config and processor into one directory."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(path))
    save_processor(processor, path)
