"""Tiny Qwen2-VL / Qwen2.5-VL / Qwen3-VL (dense and MoE) models built fully offline.

Tests, the demo and the miniature reproduction need real ``transformers`` VLM classes but
cannot download weights. Everything here is made in-process:

- a byte-level BPE tokenizer trained on a small synthetic corpus of editing instructions
  (plus the packaged prompt text, so prompts stay short in tokens), wrapped in
  ``Qwen2Tokenizer`` with the Qwen special tokens and a chat template of our own;
- the image processor from explicit arguments (patch 14 for Qwen2/2.5-VL, 16 for Qwen3-VL,
  merge 2, a pixel budget from ``image_size``);
- a randomly initialised model from a config sized by ``hidden`` / ``layers``.

``initializer_range`` matters for what a tiny model can learn: in our experiments a
Qwen3-VL at 0.08 learns left/right, while the default 0.02 stays at chance.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..importutils import require

FAMILIES = ("qwen2_vl", "qwen2_5_vl", "qwen3_vl", "qwen3_vl_moe")

SPECIAL_TOKENS = [
    "<|endoftext|>",
    "<|im_start|>",
    "<|im_end|>",
    "<|vision_start|>",
    "<|vision_end|>",
    "<|vision_pad|>",
    "<|image_pad|>",
    "<|video_pad|>",
]

# Our own minimal chat template in the Qwen turn format: each {"type": "image"} part becomes
# <|vision_start|><|image_pad|><|vision_end|> (the processor expands the pad per image).
# Image parts are tested first: Arrow gives them a "text": None field.
CHAT_TEMPLATE = (
    "{%- for message in messages -%}"
    "{{- '<|im_start|>' + message['role'] + '\n' -}}"
    "{%- if message['content'] is string -%}{{- message['content'] -}}"
    "{%- else -%}{%- for part in message['content'] -%}"
    "{%- if part['type'] == 'image' or ('image' in part and part['image'] is not none) -%}"
    "{{- '<|vision_start|><|image_pad|><|vision_end|>' -}}"
    "{%- elif part['type'] == 'text' -%}{{- part['text'] -}}"
    "{%- endif -%}{%- endfor -%}{%- endif -%}"
    "{{- '<|im_end|>\n' -}}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}{{- '<|im_start|>assistant\n' -}}{%- endif -%}"
)

_COLOURS = ["red", "orange", "yellow", "green", "cyan", "blue", "purple", "pink", "brown", "black", "white", "gray"]
_SHAPES = ["circle", "square", "triangle", "star", "cup", "car", "dog", "cat", "tree", "house", "hat", "ball"]
_DIRECTIONS = ["left", "right", "up", "down", "top", "bottom", "center", "top left", "bottom right"]
_VERBS = ["Move", "Shift", "Slide", "Place", "Put"]
_CAMERA = [
    "Pan the camera {d}.", "Tilt the camera {d}.", "Zoom in on the {c} {s}.", "Zoom out to show the whole scene.",
    "Rotate the image counter-clockwise by 90 degrees.", "Rotate the image clockwise by 15 degrees.",
    "Mirror the image horizontally.", "Flip the image vertically.",
]
_EDITS = [
    "{v} the {c} {s} to the {d}.", "Change the {c} {s} to {c2}.", "Add a {c} {s} at the {d} of the picture.",
    "Remove the {c} {s} on the {d}.", "Replace the {c} {s} with a {c2} {s2}.", "Make the {c} {s} larger.",
    "Make the background {c}.", "Turn the {s} {c2} and move it to the {d}.",
]


def edit_corpus(seed: int = 0, n: int = 3000) -> list[str]:
    """Synthetic editing instructions (and the packaged prompt) to train the tiny tokenizer on."""
    from ..prompts import SOURCE_LABEL, TARGET_LABEL, load_prompt

    rng = random.Random(seed)
    lines: list[str] = []
    for _ in range(n):
        tpl = rng.choice(_EDITS + _CAMERA)
        lines.append(tpl.format(v=rng.choice(_VERBS), c=rng.choice(_COLOURS), c2=rng.choice(_COLOURS),
                                s=rng.choice(_SHAPES), s2=rng.choice(_SHAPES), d=rng.choice(_DIRECTIONS)))
    prompt_lines = [SOURCE_LABEL, TARGET_LABEL, "user", "assistant", "system"]
    for name in ("instruction", "instruction-grounded"):
        try:
            prompt_lines += load_prompt(name).text.splitlines()
        except FileNotFoundError:
            continue
    # Repeat the prompt so BPE merges its words: a long prompt would dominate tiny sequences.
    return lines + prompt_lines * 20


def build_tokenizer(*, seed: int = 0, vocab_size: int = 1024, extra_corpus: Sequence[str] = ()) -> Any:
    """A ``Qwen2Tokenizer`` trained in-process (byte-level BPE) with the Qwen special tokens.

    ``extra_corpus`` adds lines of the texts the model will actually read and write (e.g. a
    dataset's instructions and prompt), so they take few tokens each."""
    require("tokenizers", "transformers", feature="building a tiny model")
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import Qwen2Tokenizer

    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  show_progress=False)
    bpe.train_from_iterator(edit_corpus(seed) + list(extra_corpus), trainer=trainer)
    vocab = bpe.get_vocab()
    # Qwen2Tokenizer wants merges as tuples; tokenizers serialises them as [a, b] lists (or "a b").
    merges = [tuple(m.split(" ")) if isinstance(m, str) else tuple(m)
              for m in json.loads(bpe.to_str())["model"]["merges"]]
    tok = Qwen2Tokenizer(vocab=vocab, merges=merges, unk_token="<|endoftext|>", eos_token="<|im_end|>",
                         pad_token="<|endoftext|>")
    tok.add_special_tokens({"additional_special_tokens": [t for t in SPECIAL_TOKENS if t != "<|endoftext|>"]})
    tok.chat_template = CHAT_TEMPLATE
    return tok


def _family_geometry(family: str) -> tuple[int, int]:
    """(patch size, default image side) per family: one LLM token covers (2·patch)² pixels."""
    return (16, 128) if family.startswith("qwen3") else (14, 112)


def build_image_processor(family: str, image_size: int | None = None, backend: str = "pil") -> Any:
    """The Qwen2-VL image processor with a pixel budget of ``image_size``² (Qwen3-VL uses patch 16).

    ``backend`` ``pil`` (default) works everywhere; ``torchvision`` needs torchvision and gives
    slightly different ``pixel_values`` (other resampling), which is why the choice is recorded
    when the processor is saved (:mod:`.hfcompat`)."""
    if backend == "pil":
        from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import Qwen2VLImageProcessorPil as cls
    elif backend == "torchvision":
        from transformers.models.qwen2_vl.image_processing_qwen2_vl import Qwen2VLImageProcessor as cls
    else:
        raise ValueError(f"image backend must be pil or torchvision, not {backend!r}")
    patch, default_side = _family_geometry(family)
    side = image_size or default_side
    factor = patch * 2
    return cls(patch_size=patch, temporal_patch_size=2, merge_size=2, min_pixels=factor * factor,
               max_pixels=max(side, factor) ** 2, image_mean=[0.5, 0.5, 0.5], image_std=[0.5, 0.5, 0.5])


def build_processor(family: str, tokenizer: Any, image_size: int | None = None, image_backend: str = "pil") -> Any:
    from .hfcompat import build_processor as build
    from .hfcompat import processor_class_for

    return build(processor_class_for(family), image_processor=build_image_processor(family, image_size, image_backend),
                 tokenizer=tokenizer, chat_template=CHAT_TEMPLATE)


def _mrope_section(head_dim: int, interleaved: bool) -> list[int]:
    """Split head_dim/2 rotary frequencies into (time, height, width) sections."""
    half = head_dim // 2
    if interleaved:
        hw = half // 3
        return [half - 2 * hw, hw, hw]
    return [half // 2, half // 4, half - half // 2 - half // 4]


def build_config(family: str, tokenizer: Any, *, hidden: int = 64, layers: int = 2, heads: int = 4,
                 kv_heads: int = 2, vision_hidden: int | None = None, vision_layers: int | None = None,
                 init_range: float = 0.02, experts: int = 4) -> Any:
    """A tiny config for ``family`` whose special-token ids match ``tokenizer``."""
    if family not in FAMILIES:
        raise ValueError(f"unknown tiny family {family!r}; choose one of {', '.join(FAMILIES)}")
    if hidden % heads:
        raise ValueError(f"hidden ({hidden}) must be a multiple of heads ({heads})")
    from transformers import AutoConfig

    ids = {name: tokenizer.convert_tokens_to_ids(tok) for name, tok in [
        ("image_token_id", "<|image_pad|>"), ("video_token_id", "<|video_pad|>"),
        ("vision_start_token_id", "<|vision_start|>"), ("vision_end_token_id", "<|vision_end|>")]}
    eos = tokenizer.convert_tokens_to_ids("<|im_end|>")
    v_hidden = vision_hidden or hidden
    v_layers = vision_layers or layers
    head_dim = hidden // heads
    patch, _ = _family_geometry(family)
    qwen3 = family.startswith("qwen3")
    rope = {"rope_type": "default", "rope_theta": 10000.0, "mrope_section": _mrope_section(head_dim, qwen3)}
    text: dict[str, Any] = dict(
        vocab_size=len(tokenizer), hidden_size=hidden, intermediate_size=2 * hidden, num_hidden_layers=layers,
        num_attention_heads=heads, num_key_value_heads=kv_heads, max_position_embeddings=4096,
        initializer_range=init_range, bos_token_id=None, eos_token_id=eos, pad_token_id=tokenizer.pad_token_id,
        rope_parameters=rope,
    )
    if qwen3:
        rope["mrope_interleaved"] = True
        text["head_dim"] = head_dim
        vision: dict[str, Any] = dict(
            depth=v_layers, hidden_size=v_hidden, intermediate_size=2 * v_hidden, num_heads=max(1, v_hidden // 32),
            patch_size=patch, spatial_merge_size=2, temporal_patch_size=2, out_hidden_size=hidden,
            num_position_embeddings=64, deepstack_visual_indexes=[0], initializer_range=init_range,
        )
    elif family == "qwen2_5_vl":
        vision = dict(
            depth=v_layers, hidden_size=v_hidden, intermediate_size=2 * v_hidden, num_heads=max(1, v_hidden // 32),
            patch_size=patch, spatial_merge_size=2, temporal_patch_size=2, out_hidden_size=hidden, window_size=112,
            fullatt_block_indexes=[v_layers - 1], initializer_range=init_range,
        )
    else:  # qwen2_vl
        vision = dict(
            depth=v_layers, embed_dim=v_hidden, hidden_size=hidden, mlp_ratio=2, num_heads=max(1, v_hidden // 32),
            patch_size=patch, spatial_merge_size=2, temporal_patch_size=2, initializer_range=init_range,
        )
    if family == "qwen3_vl_moe":
        text.update(num_experts=experts, num_experts_per_tok=2, moe_intermediate_size=hidden, decoder_sparse_step=1)
    return AutoConfig.for_model(family, text_config=text, vision_config=vision, tie_word_embeddings=True,
                                initializer_range=init_range, **ids)


def build_tiny(family: str = "qwen2_5_vl", *, seed: int = 0, hidden: int = 64, layers: int = 2, heads: int = 4,
               kv_heads: int = 2, vision_hidden: int | None = None, vision_layers: int | None = None,
               image_size: int | None = None, init_range: float = 0.02, vocab_size: int = 1024,
               extra_corpus: Sequence[str] = (), image_backend: str = "pil") -> tuple[Any, Any]:
    """A randomly initialised tiny VLM of ``family`` and its processor; same seed → same weights.

    ``image_size`` caps each image at about ``image_size``² pixels (default 112 for Qwen2/2.5-VL,
    128 for Qwen3-VL: 16 image tokens each); ``image_backend`` picks the image-processor class
    (see :func:`build_image_processor`). The global torch RNG is left untouched.
    """
    require("torch", "transformers", "tokenizers", feature="building a tiny model")
    import torch
    from transformers import AutoModelForImageTextToText

    tokenizer = build_tokenizer(seed=seed, vocab_size=vocab_size, extra_corpus=extra_corpus)
    processor = build_processor(family, tokenizer, image_size, image_backend)
    config = build_config(family, tokenizer, hidden=hidden, layers=layers, heads=heads, kv_heads=kv_heads,
                          vision_hidden=vision_hidden, vision_layers=vision_layers, init_range=init_range)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = AutoModelForImageTextToText.from_config(config, dtype=torch.float32)
    eos = tokenizer.convert_tokens_to_ids("<|im_end|>")
    model.generation_config.eos_token_id = eos
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.generation_config.bos_token_id = None
    model.eval()
    return model, processor


def save_tiny(model: Any, processor: Any, path: str | Path) -> Path:
    """Write the model and processor to ``path``; :func:`hfcompat.load_model_and_processor` reads it back."""
    from .hfcompat import save_model_and_processor

    path = Path(path)
    save_model_and_processor(model, processor, path)
    return path
