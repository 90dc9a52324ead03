"""ms-swift format: JSONL in its standard ``messages`` layout.

Per the ms-swift custom-dataset documentation: ``messages`` is a list of
``{"role", "content"}`` turns with ``<image>`` tags where the images go, ``images`` lists
their paths in tag order, and preference (DPO/RM) rows put the chosen answer as the last
assistant turn and the rejected one in ``rejected_response``, plus ``margin`` = γ_st·s·c(t)
(paper eq. 3's static part, default weights). Only documented keys are written (ms-swift drops
unknown ones); the ``jsonl`` format carries our metadata.
Relative image paths resolve against the folder of the JSONL file; pass
``--absolute-paths`` when training from another working directory.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ...train.config import static_margin
from ..examples import ExportJob, ImagePlacer, flatten_content
from ..sources import PreferenceItem, TextItem

SUPPORTED_KINDS = ("sft", "prefs")


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
        # trainer uses it as is, and a HAE-DPO plugin adds the hardness term to it (README, Training)
        row["margin"] = static_margin(item.severity, item.error_type)
    return row


def write(job: ExportJob, out_dir: Path, placer: ImagePlacer) -> dict[str, Any]:
    if job.kind not in SUPPORTED_KINDS:
        raise ValueError(f"the swift format holds {' and '.join(SUPPORTED_KINDS)} datasets, not {job.kind}")
    shared = flatten_content(job.prompt_messages) if job.pair_prompts is None and job.prompt_messages else None
    files: dict[str, Any] = {}
    for split, items in job.splits.items():
        path = out_dir / f"{split}.jsonl"
        rows = 0
        with path.open("w", encoding="utf-8") as fh:
            for item in items:
                try:
                    prompt = shared or flatten_content(job.messages_for(item.pair.id))
                    row = _row(job, placer, item, prompt)
                except OSError as exc:
                    job.fail(item.key, f"cannot read image: {exc.strerror or exc}")
                    continue
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
                rows += 1
        files[split] = {"file": path.name, "rows": rows}
    return files
