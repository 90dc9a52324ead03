"""Captioning: turn pairs into instructions with a backend chosen by model spec.

Library use mirrors the CLI (``editcaption caption``)::

    from editcaption.caption import CaptionConfig, run_caption
    from editcaption.llm import ModelCallConfig
    summary = run_caption(ws, CaptionConfig(model="openai:Qwen/Qwen3-VL-8B-Instruct@http://gpu1:8000/v1",
                                            calls=ModelCallConfig(concurrency=32), run_name="teacher-v1"))

Backends: ``delta`` (offline analyzer), ``openai:<model>@<base_url>`` (any OpenAI-compatible
server), ``hf:<path>`` (local transformers checkpoint). Executors: ``local`` (asyncio +
threads) and ``ray`` (Ray Data actors), both driven by :mod:`editcaption.runner`. Runs are
resumable by name.
"""

from .config import CaptionConfig, CaptionConfigError, GenerationOptions
from .engine import CaptionSummary, run_caption
from .items import Outcome, PairInput, PairTask

__all__ = [
    "CaptionConfig", "CaptionConfigError", "CaptionSummary", "GenerationOptions", "Outcome", "PairInput",
    "PairTask", "run_caption",
]
