"""Stage 5: failure mining (paper §4.2).

The SFT model captions fresh pairs; the exact scorer finds its errors; the simulated annotator
labels each failed instruction with its failure mode (orientation / viewpoint / detail) and
severity (P0/P1/P2) and writes the corrected instruction as the chosen answer. The preference
set is then balanced across the failure modes found (the paper's 34/31/34%).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from .annotator import FAILURE_MODES, MinedPreference, classify, corrected, write_preferences
from .evaluation import run_results

# A failure mode enters the balanced set only when the SFT model made enough of its errors:
# balancing 1:1:1 down to a handful of pairs would throw most of the set away.
MIN_PER_MODE = 8
MIN_SHARE_OF_LARGEST = 0.15


def mine(ws: Any, run_name: str, rows: dict[str, dict[str, Any]]) -> tuple[list[MinedPreference], dict[str, Any]]:
    """Preferences from the scored instructions of ``run_name`` (stored in the workspace)."""
    mined: list[MinedPreference] = []
    counts: Counter[str] = Counter()
    for r in run_results(ws, run_name):
        if r["score"] is None:
            counts["unparsable_or_failed"] += 1
            continue
        failure = classify(r["score"].get("errors") or [])
        if failure is None:
            counts["other_errors_only" if r["score"].get("errors") else "correct"] += 1
            continue
        counts[f"{failure.error_type}/{failure.severity}"] += 1
        chosen = corrected(rows[r["pair_id"]], r["text"])
        if chosen.strip() == (r["text"] or "").strip():
            counts["chosen_equals_rejected"] += 1
            continue
        mined.append(MinedPreference(r["pair_id"], r["instruction_id"], r["text"], chosen, failure))
    added = write_preferences(ws, mined)
    return mined, {"outcomes": dict(sorted(counts.items())), "preferences": len(mined), "added": added}


def balance_spec(mined: list[MinedPreference]) -> tuple[str, dict[str, int]]:
    """``error_type=...`` over the failure modes with enough pairs (equal shares), and the counts."""
    by_mode = Counter(m.failure.error_type for m in mined)
    largest = max(by_mode.values(), default=0)
    usable = [m for m in FAILURE_MODES
              if by_mode.get(m, 0) >= max(MIN_PER_MODE, MIN_SHARE_OF_LARGEST * largest)]
    if not usable:
        usable = [m for m in FAILURE_MODES if by_mode.get(m)]
    return "error_type=" + ",".join(f"{m}:1" for m in usable), dict(by_mode)
