"""EditWorld: a verifiable edit benchmark with exact ground truth.

Procedural scenes (objects family) and the bundled photos (photos family) are edited
across the paper's taxonomy (§4.1); every pair carries structured truth (the Change fields of
docs/concepts/data-contracts.md) and a reference instruction in a small, closed instruction language, which a
deterministic parser reads back so that any model's output can be scored exactly on the
paper's three dimensions, with Table 6 error types and severities.

Library API (what other stages call)::

    from editcaption.synth import generate, score_predictions, parse_instruction
    manifest = generate(200, seed=0, out="ew", size=(256, 256), family="objects")
    report = score_predictions(manifest, {"editworld-s0-00000": "Zoom in."})
    report.summary()   # {"n", "S", "accuracy", "completeness", "clarity", "unparsable", "errors", "p0_rate"}
"""

from __future__ import annotations

from .assertion import Assertion, ObjectRef
from .errors import ErrorRecord
from .language import ParsedInstruction, parse_instruction, parse_with_reason, phrasings
from .manifest import EditWorldError, RunReport, generate, generate_run, read_manifest
from .scorer import SampleScore, ScoreReport, score_one, score_predictions
from .taxonomy import CATEGORIES, DEFAULT_MIX, SUBTYPES

__all__ = [
    "Assertion",
    "CATEGORIES",
    "DEFAULT_MIX",
    "EditWorldError",
    "ErrorRecord",
    "ObjectRef",
    "ParsedInstruction",
    "RunReport",
    "SUBTYPES",
    "SampleScore",
    "ScoreReport",
    "generate",
    "generate_run",
    "parse_instruction",
    "parse_with_reason",
    "phrasings",
    "read_manifest",
    "score_one",
    "score_predictions",
]
