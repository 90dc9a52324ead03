"""Evaluation prompts, versioned files written from the paper's Appendix B rubric.

``judge-<dimension>-<version>.txt`` ask the judge for *findings* (assertion verdicts, a
hit/miss list, forbidden terms and attribute checks) in JSON; the scores are computed
from them by :mod:`editcaption.evaluate.rubric`. ``judge-repair`` asks once more after an
unusable reply; ``gt-draft`` drafts ground truth for people to verify.

Slots are written ``{name}`` and filled by :func:`fill`; the JSON examples in the files
keep their braces (only the named slots are replaced). Every request records the
prompt's id (name, version, content hash), so a changed file never mixes with old scores.
"""

from __future__ import annotations

import re

from ...prompts import PromptTemplate, packaged_prompt

DEFAULT_VERSION = "v1"
SLOTS = ("ground_truth", "instruction", "images_note", "dataset_text", "problem")
DIMENSION_PROMPTS = {"accuracy": "judge-accuracy", "completeness": "judge-completeness", "clarity": "judge-clarity"}


def load_eval_prompt(name: str, version: str = DEFAULT_VERSION) -> PromptTemplate:
    """A packaged evaluation prompt (``judge-accuracy``, ``judge-repair``, ``gt-draft`` ...)."""
    return packaged_prompt(__name__, name, version, what="evaluation prompt")


def fill(template: PromptTemplate, **slots: str) -> str:
    """The prompt text with ``{slot}`` markers replaced; a slot left unfilled is an error."""
    text = template.text
    wanted = [k for k in SLOTS if "{" + k + "}" in text]
    unknown = sorted(set(slots) - set(wanted))
    if unknown:
        raise KeyError(f"prompt {template.name} has no slot(s) {', '.join(unknown)}")
    missing = [k for k in wanted if k not in slots]
    if missing:
        raise KeyError(f"prompt {template.name}: slot(s) {', '.join(missing)} not filled")
    # One pass, so a value that itself contains "{instruction}" is never filled again.
    pattern = re.compile(r"\{(" + "|".join(wanted) + r")\}") if wanted else None
    if pattern is not None:
        text = pattern.sub(lambda m: slots[m.group(1)], text)
    return text.strip()
