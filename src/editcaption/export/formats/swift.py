"""ms-swift format: JSONL in its standard ``messages`` layout.

Per the ms-swift custom-dataset documentation: ``messages`` is a list of
``{"role", "content"}`` turns with ``<image>`` tags where the images go, ``images`` lists
their paths in tag order, and preference (DPO/RM) rows put the chosen answer as the last
assistant turn and the rejected one in ``rejected_response``, plus ``margin`` = γ_st·s·c(t)
(paper eq. 3's static part, default weights). Only documented keys are written (ms-swift drops
unknown ones); the ``jsonl`` format carries our metadata.
Image paths are absolute by default: ms-swift opens a relative path from its working
directory (else from ``$ROOT_IMAGE_DIR``), not from the folder of the JSONL file, so absolute
paths are what work wherever the trainer runs. ``--relative-paths`` writes them relative to
the export folder instead, for a folder that will move; the dataset card then says to set
``ROOT_IMAGE_DIR`` to it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ...train.config import static_margin
from ..examples import ExportJob, ImagePlacer
from ..sources import PreferenceItem, TextItem
from .jsonl import write_jsonl


def _row(job: ExportJob, placer: ImagePlacer, item: Any, prompt: str) -> dict[str, Any]:
    images = placer.pair_paths(item.pair)
    if job.kind == "sft":
        assert isinstance(item, TextItem)
        answer, rejected = item.text, None
    else:
        assert isinstance(item, PreferenceItem)
        answer, rejected = item.chosen, item.rejected
    row: dict[str, Any] = {
        "messages": [{"role": "user", "content": prompt}, {"role": "assistant", "content": answer}],
        "images": images,
    }
    if rejected is not None:
        row["rejected_response"] = rejected
        # ms-swift carries `margin` through preprocessing and its RLHF collator; its reward-model
        # trainer uses it as is, and a HAE-DPO plugin adds the hardness term to it (docs/guides/train.md, "235B MoE on Megatron (ms-swift)")
        row["margin"] = static_margin(item.severity, item.error_type)
    return row


def write(job: ExportJob, out_dir: Path, placer: ImagePlacer) -> dict[str, Any]:
    return write_jsonl(job, out_dir, lambda item: _row(job, placer, item, job.flat_prompt(item.pair.id)))
