"""The precomputed reference pass: log-probs of chosen and rejected under the frozen reference.

With a frozen reference both the DPO reference terms and the HAE margin are constants per
pair, so one inference pass before training replaces a reference model held in memory and a
reference forward per step (docs/guides/train.md, "Reference log-probs"). The pass uses the training collator,
the same processor settings (image pixel budget), the same weights dtype and autocast and the
same DPO forward as training, so at step 0 the policy/reference log-ratio is zero.

Results are stored next to the run (``<output_dir>/reference/<split>.parquet`` with a
fingerprint in ``reference.json``) and reused when the fingerprint matches, or written into
a copy of the dataset (``editcaption train reference``) that later runs read directly.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import torch

from .collator import VLMCollator, to_device
from .data import REF_COLUMNS
from .logprobs import DpoForward, concat_forward


def autocast_context(precision: str, device: str | torch.device = "cpu") -> contextlib.AbstractContextManager:
    """The autocast the Trainer applies for ``precision`` (bf16/fp16 mixed precision), or a no-op."""
    if precision == "fp32":
        return contextlib.nullcontext()
    dtype = torch.bfloat16 if precision == "bf16" else torch.float16
    return torch.autocast(device_type=torch.device(device).type, dtype=dtype)


def _batches(indices: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(indices), size):
        yield indices[start:start + size]


@torch.no_grad()
def compute_reference_logps(
    model: Any,
    dataset: Any,
    collator: VLMCollator,
    *,
    batch_size: int = 4,
    forward: DpoForward = concat_forward,
    context: Callable[[], contextlib.AbstractContextManager] = contextlib.nullcontext,
    indices: list[int] | None = None,
    device: str | torch.device | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, list[Any]]:
    """``id`` and the four reference columns for ``indices`` (default: every row) of ``dataset``."""
    was_training = model.training
    model.eval()
    device = device or next(model.parameters()).device
    rows = list(range(len(dataset))) if indices is None else list(indices)
    out: dict[str, list[Any]] = {"id": [], **{c: [] for c in REF_COLUMNS}}
    done = 0
    try:
        for chunk in _batches(rows, batch_size):
            batch = collator([dataset[i] for i in chunk])
            batch = to_device(batch, device)
            with context():
                logps = forward(model, batch)
            out["id"].extend(batch["meta"]["ids"])
            out["ref_chosen_logps"].extend(logps.chosen.double().tolist())
            out["ref_rejected_logps"].extend(logps.rejected.double().tolist())
            out["ref_chosen_logps_mean"].extend(logps.chosen_mean.double().tolist())
            out["ref_rejected_logps_mean"].extend(logps.rejected_mean.double().tolist())
            done += len(chunk)
            if progress is not None:
                progress(done, len(rows))
    finally:
        model.train(was_training)
    return out


def attach_reference(dataset: Any, values: dict[str, list[Any]]) -> Any:
    """``dataset`` with the reference columns added (matched by ``id``; every row must have one)."""
    by_id = {i: n for n, i in enumerate(values["id"])}
    ids = [str(x) for x in dataset["id"]]
    missing = [i for i in ids if i not in by_id]
    if missing:
        raise ValueError(f"reference log-probs missing for {len(missing)} row(s), e.g. {missing[0]}")
    order = [by_id[i] for i in ids]
    for col in REF_COLUMNS:
        if col in dataset.column_names:
            dataset = dataset.remove_columns(col)
        dataset = dataset.add_column(col, [float(values[col][k]) for k in order])
    return dataset


def write_values(path: Path, values: dict[str, list[Any]]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    table = pa.table({"id": pa.array(values["id"], pa.string()),
                      **{c: pa.array(values[c], pa.float64()) for c in REF_COLUMNS}})
    pq.write_table(table, tmp)
    tmp.replace(path)  # atomic: a killed pass leaves no half-written file


def read_values(path: Path) -> dict[str, list[Any]]:
    import pyarrow.parquet as pq

    return pq.read_table(path).to_pydict()


def fingerprint(*, reference: str, dataset: Any, processor: Any, precision: str, model_dtype: str, forward: str,
                max_length: int | None) -> dict[str, Any]:
    """What the stored log-probs depend on; a mismatch means they are recomputed."""
    ip = getattr(processor, "image_processor", None)
    size = getattr(ip, "size", None)
    return {
        "reference": reference,
        "dataset": getattr(dataset, "_fingerprint", None),
        "rows": len(dataset),
        "image_size": size.to_dict() if hasattr(size, "to_dict") else str(size),
        "image_processor": type(ip).__name__,
        "chat_template_sha": _sha(processor.chat_template or ""),
        "precision": precision,
        "model_dtype": model_dtype,
        "forward": forward,
        "max_length": max_length,
    }


def _sha(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


class ReferenceStore:
    """Stored reference log-probs of one run: ``<dir>/<split>.parquet`` plus ``reference.json``."""

    def __init__(self, directory: str | Path):
        self.dir = Path(directory)

    def _meta_path(self) -> Path:
        return self.dir / "reference.json"

    def load(self, split: str, expected: dict[str, Any]) -> dict[str, list[Any]] | None:
        meta_path, data_path = self._meta_path(), self.dir / f"{split}.parquet"
        if not meta_path.is_file() or not data_path.is_file():
            return None
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get(split) != expected:
            return None
        return read_values(data_path)

    def save(self, split: str, values: dict[str, list[Any]], fp: dict[str, Any]) -> None:
        write_values(self.dir / f"{split}.parquet", values)
        meta_path = self._meta_path()
        meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
        meta[split] = fp
        tmp = meta_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(meta, indent=2, default=str), encoding="utf-8")
        tmp.replace(meta_path)


def reference_for_split(
    *,
    model: Any,
    dataset: Any,
    collator: VLMCollator,
    store: ReferenceStore,
    split: str,
    fp: dict[str, Any],
    batch_size: int,
    forward: DpoForward,
    context: Callable[[], contextlib.AbstractContextManager],
    log: Callable[[str], None] = print,
) -> dict[str, list[Any]]:
    """Stored values when their fingerprint matches, else one pass (sharded over processes)."""
    from accelerate import PartialState

    state = PartialState()
    cached = store.load(split, fp)
    if cached is not None:
        log(f"reference log-probs for {split}: reusing {store.dir / (split + '.parquet')}")
        return cached
    log(f"reference log-probs for {split}: computing {len(dataset)} rows")
    mine = list(range(state.process_index, len(dataset), state.num_processes))
    values = compute_reference_logps(model, dataset, collator, batch_size=batch_size, forward=forward,
                                     context=context, indices=mine)
    if state.num_processes > 1:
        from accelerate.utils import gather_object

        parts = gather_object([values])
        values = {k: [x for part in parts for x in part[k]] for k in values}
    if state.is_main_process:
        store.save(split, values, fp)
    state.wait_for_everyone()
    return values
