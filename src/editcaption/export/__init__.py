"""Dataset export: SFT examples, preference pairs and editing triplets, in the formats trainers read.

Modules: ``sources`` (which instruction or preference per pair), ``balance`` (target
proportions), ``phash`` and ``splits`` (leak-free train/val/test), ``formats/`` (Hugging
Face Parquet, LLaMA-Factory, ms-swift, JSONL, WebDataset), ``card`` (the README.md dataset
card) and ``builders`` (the three exports, end to end). Nothing here imports torch.
"""

from __future__ import annotations

from .builders import ExportError, ExportOptions, ExportReport, export_prefs, export_sft, export_triplets

__all__ = ["ExportError", "ExportOptions", "ExportReport", "export_prefs", "export_sft", "export_triplets"]
