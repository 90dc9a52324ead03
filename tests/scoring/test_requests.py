"""The exact requests the EditScore protocol sends, per base-model style (against the stub server)."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest
from scoring_helpers import answer, editscore_responder, kind_of

from editcaption.llm import ChatClient, ImageEncoding, encode_pair
from editcaption.scoring import EditScorer
from editcaption.scoring.layout import guess_base

RED, BLUE = (220, 20, 20), (20, 40, 220)
INSTRUCTION = "Recolour the square from red to blue."


def solid(color, w=96, h=64):  # noqa: ANN001
    img = np.zeros((h, w, 3), np.uint8)
    img[:] = color
    return img


def score_once(stub, base: str, passes: int = 1, seed: int = 42):  # noqa: ANN001
    stub.responder = editscore_responder(answer([20, 15]))
    client = ChatClient(stub.base_url)
    scorer = EditScorer(client, "EditScore-7B", base=base, passes=passes, seed=seed)
    pair = encode_pair(solid(RED), solid(BLUE), ImageEncoding(max_side=64, format="png"))

    async def go():  # noqa: ANN202
        try:
            return await scorer.score(INSTRUCTION, pair)
        finally:
            await client.aclose()

    return asyncio.run(go())


def layout(req) -> list[str]:  # noqa: ANN001
    """The content parts of the one user message: text parts by their text, images as IMAGE."""
    assert [m["role"] for m in req.messages] == ["user"]  # no system turn: the chat template adds its default
    return [p["text"] if p["type"] == "text" else "IMAGE" for p in req.content_parts]


def mean_colour(img: np.ndarray) -> tuple[int, ...]:
    return tuple(int(round(v)) for v in img.reshape(-1, 3).mean(axis=0))


def test_qwen25vl_interleaves_image_labels_and_puts_the_prompt_last(stub):
    outcome = score_once(stub, "qwen25vl")
    assert outcome.ok
    sc = next(r for r in stub.requests if kind_of(r) == "sc")
    pq = next(r for r in stub.requests if kind_of(r) == "pq")
    parts = layout(sc)
    assert parts[:4] == ["<img1>: ", "IMAGE", "<img2>: ", "IMAGE"] and len(parts) == 5
    assert parts[4].endswith(f"Editing instruction: {INSTRUCTION}")
    assert "from 0 to 25" in parts[4] and '"score": [edit success, over-editing]' in parts[4]
    assert [mean_colour(i) for i in sc.images()] == [RED, BLUE]  # source first, then target
    parts = layout(pq)
    assert parts[:2] == ["<img1>: ", "IMAGE"] and len(parts) == 3  # the edited image alone
    assert "Editing instruction" not in parts[2] and "[naturalness, artifacts]" in parts[2]
    assert [mean_colour(i) for i in pq.images()] == [BLUE]


def test_qwen3vl_sends_images_then_text_without_labels(stub):
    assert score_once(stub, "qwen3vl").ok
    sc = next(r for r in stub.requests if kind_of(r) == "sc")
    pq = next(r for r in stub.requests if kind_of(r) == "pq")
    assert layout(sc)[:2] == ["IMAGE", "IMAGE"] and len(layout(sc)) == 3
    assert layout(pq)[:1] == ["IMAGE"] and len(layout(pq)) == 2
    assert not any("<img" in t for t in sc.texts + pq.texts)


@pytest.mark.parametrize("base", ["qwen25vl", "qwen3vl"])
def test_sampling_settings_and_one_seed_per_pass_are_in_the_body(stub, base):  # noqa: ANN001
    assert score_once(stub, base, passes=3, seed=7).ok
    assert len(stub.requests) == 6  # SC and PQ for each of 3 passes
    seen = set()
    for req in stub.requests:
        body = req.json
        assert body["model"] == "EditScore-7B"
        assert (body["temperature"], body["top_p"], body["top_k"], body["max_tokens"]) == (0.7, 0.9, 20, 512)
        seen.add((kind_of(req), body["seed"]))
    assert seen == {(k, s) for k in ("sc", "pq") for s in (7, 8, 9)}


def test_base_is_read_from_the_model_name():
    assert guess_base("EditScore/EditScore-Qwen3-VL-8B-Instruct") == "qwen3vl"
    assert guess_base("editscore_qwen3_vl_4b") == "qwen3vl"
    assert guess_base("EditScore-7B") == "qwen25vl" and guess_base("EditScore-72B-merged") == "qwen25vl"
