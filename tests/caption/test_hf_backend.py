"""The hf: backend generates with tiny offline Qwen2.5-VL and Qwen3-VL checkpoints, in batches."""

from __future__ import annotations

import functools

import pytest
from captionhelpers import make_workspace
from sqlalchemy import select

from editcaption.caption import CaptionConfig, CaptionConfigError, GenerationOptions, run_caption
from editcaption.workspace.models import InstructionRecord
from editcaption.workspace.queries import list_pairs

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", params=["qwen2_5_vl", "qwen3_vl"])
def checkpoint(request, tmp_path_factory):  # noqa: ANN001
    from editcaption.train.tiny import build_tiny, save_tiny

    # A wide weight init makes greedy decoding of a random model emit varied tokens
    # (at the default 0.02 it repeats one newline, which cleans to an empty answer).
    model, processor = build_tiny(request.param, init_range=0.2, seed=0)
    return save_tiny(model, processor, tmp_path_factory.mktemp(request.param) / "ckpt")


@functools.lru_cache(maxsize=2)
def _load(path):  # noqa: ANN001
    from editcaption.train.hfcompat import load_model_and_processor

    return load_model_and_processor(path)


def reference_text(path, prompt_text, source, target, max_new_tokens) -> str:  # noqa: ANN001
    """One pair, unbatched, straight through transformers (the independent computation)."""
    import torch

    from editcaption.imageio import resize_max_side, to_pil
    from editcaption.llm import clean_reply
    from editcaption.prompts import instruction_messages

    model, processor = _load(path)
    text = processor.apply_chat_template(instruction_messages(prompt_text), add_generation_prompt=True, tokenize=False)
    images = [to_pil(resize_max_side(a, 112)) for a in (source, target)]
    inputs = processor(text=[text], images=images, return_tensors="pt")
    with torch.inference_mode():
        out = model.generate(**inputs, max_new_tokens=max_new_tokens, do_sample=False)
    new = out[0, inputs["input_ids"].shape[1]:]
    return clean_reply(processor.tokenizer.decode(new, skip_special_tokens=True)).text


def test_hf_backend_batched_generation_matches_one_by_one(checkpoint, tmp_path):
    from editcaption.imageio import decode_file
    from editcaption.prompts import load_prompt

    ws = make_workspace(tmp_path, 5)
    cfg = CaptionConfig(model=f"hf:{checkpoint}", batch_size=4, image_max_side=112, run_name="tiny",
                        generation=GenerationOptions(max_tokens=8))
    summary = run_caption(ws, cfg)
    assert (summary.done, summary.failed) == (5, 0), summary.failed_by_reason
    with ws.session() as s:
        got = list(s.scalars(select(InstructionRecord).where(InstructionRecord.run_id == "tiny")))
        paths = {p.id: [ws.store.path_for(i.sha256, i.ext) for i in (p.source, p.target)] for p in list_pairs(s)}
    ws.close()
    prompt = load_prompt().render()
    for row in got:
        src, tgt = (decode_file(p).rgb for p in paths[row.pair_id])
        assert row.text and row.text == reference_text(checkpoint, prompt, src, tgt, 8)
        assert row.producer == f"hf:{checkpoint}" and row.prompt_version == load_prompt().id
        assert 1 <= row.usage["completion_tokens"] <= 8 and row.usage["prompt_tokens"] > 16
    assert len(got) == 5


def test_missing_checkpoint_is_a_clear_error(tmp_path):
    ws = make_workspace(tmp_path, 1)
    with pytest.raises(CaptionConfigError, match="cannot load hf:.*no such model directory"):
        run_caption(ws, CaptionConfig(model=f"hf:{tmp_path / 'nope'}"))
    ws.close()
