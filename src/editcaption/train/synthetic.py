"""Small synthetic datasets in the export contract, for tests, examples and smoke runs.

Each pair shows one coloured square on a plain background; the target moves it left or
right (or changes its colour). SFT answers say what happened; preference pairs reject an
answer with the direction swapped (orientation), the camera misdescribed (viewpoint) or the
wrong colour (detail), with severities P0/P1/P2 in rotation.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import numpy as np

from ..colors import PALETTE_RGB
from ..directions import swap_direction_words
from ..imageio import encode_png
from ..prompts import instruction_messages

SHORT_PROMPT = "Write the editing instruction."
_COLOURS = ["red", "green", "blue", "yellow", "purple", "orange"]


def _scene(colour: str, x: int, size: int, bg: tuple[int, int, int]) -> np.ndarray:
    img = np.zeros((size, size, 3), dtype=np.uint8)
    img[:] = bg
    side = size // 4
    y = size // 2 - side // 2
    img[y:y + side, x:x + side] = PALETTE_RGB[colour]
    return img


def _pair(rng: random.Random, size: int) -> tuple[bytes, bytes, str, str, str]:
    colour = rng.choice(_COLOURS)
    bg = (235, 235, 235) if rng.random() < 0.5 else (40, 40, 40)
    side = size // 4
    left, right = size // 8, size - size // 8 - side
    if rng.random() < 0.8:
        direction = rng.choice(["left", "right"])
        x0, x1 = (right, left) if direction == "left" else (left, right)
        src, tgt = _scene(colour, x0, size, bg), _scene(colour, x1, size, bg)
        answer = f"Move the {colour} square to the {direction}."
        return encode_png(src), encode_png(tgt), answer, colour, "structural"
    new = rng.choice([c for c in _COLOURS if c != colour])
    x = rng.choice([left, right])
    src, tgt = _scene(colour, x, size, bg), _scene(new, x, size, bg)
    return encode_png(src), encode_png(tgt), f"Change the {colour} square to {new}.", colour, "semantic"


def _rejected(answer: str, colour: str, error_type: str, rng: random.Random) -> str:
    if error_type == "orientation" and ("left" in answer or "right" in answer):
        return swap_direction_words(answer)
    if error_type == "viewpoint":
        return "Pan the camera " + rng.choice(["left", "right"]) + "."
    wrong = rng.choice([c for c in _COLOURS if c != colour])
    return answer.replace(colour, wrong, 1)


def synthetic_rows(kind: str, n: int, *, seed: int = 0, image_size: int = 64, prompt_text: str = SHORT_PROMPT,
                   id_prefix: str = "syn") -> list[dict[str, Any]]:
    """``n`` rows of ``kind`` (sft or preference) as plain dicts in the export contract."""
    rng = random.Random(seed)
    prompt = instruction_messages(prompt_text)
    rows = []
    types = ["orientation", "viewpoint", "detail"]
    severities = ["P0", "P1", "P2"]
    for i in range(n):
        src, tgt, answer, colour, category = _pair(rng, image_size)
        row: dict[str, Any] = {
            "id": f"{id_prefix}-{seed}-{i:04d}",
            "images": [{"bytes": src, "path": None}, {"bytes": tgt, "path": None}],
            "prompt": prompt,
        }
        if kind == "sft":
            row.update(completion=[{"role": "assistant", "content": answer}], category=category,
                       subtype="move" if category == "structural" else "recolour")
        else:
            error_type = types[i % 3]
            if error_type == "orientation" and category != "structural":
                error_type = "detail"
            row.update(chosen=[{"role": "assistant", "content": answer}],
                       rejected=[{"role": "assistant", "content": _rejected(answer, colour, error_type, rng)}],
                       error_type=error_type, severity=severities[(i // 3) % 3])
        rows.append(row)
    return rows


def write_synthetic_dataset(out_dir: str | Path, kind: str = "sft", *, n: int = 32, n_val: int = 8, seed: int = 0,
                            image_size: int = 64, prompt_text: str = SHORT_PROMPT) -> Path:
    """Write ``train.parquet`` (and ``val.parquet`` when ``n_val``) with embedded images."""
    from ..importutils import require

    require("datasets", feature="writing a dataset")
    import datasets

    datasets.disable_progress_bars()
    if kind not in ("sft", "preference"):
        raise ValueError(f"kind must be sft or preference, got {kind!r}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for split, count, split_seed in (("train", n, seed), ("val", n_val, seed + 1000)):
        if count <= 0:
            continue
        rows = synthetic_rows(kind, count, seed=split_seed, image_size=image_size, prompt_text=prompt_text)
        ds = datasets.Dataset.from_list(rows)
        ds = ds.cast_column("images", datasets.List(datasets.Image(decode=False)))
        ds.to_parquet(str(out / f"{split}.parquet"))
    return out
