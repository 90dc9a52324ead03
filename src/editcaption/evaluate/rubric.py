"""The paper's automatic-evaluation rubric (Appendix B) as plain functions.

Shared by the LLM-judge path (which reports *findings* — hits, forbidden terms,
assertion checks — and lets these functions do the arithmetic) and by EditWorld's exact
scorer. S = 0.4·Accuracy + 0.4·Completeness + 0.2·Clarity (paper eq. 4).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

WEIGHTS = {"accuracy": 0.4, "completeness": 0.4, "clarity": 0.2}


def overall_score(accuracy: float, completeness: float, clarity: float) -> float:
    """S = 0.4·Acc + 0.4·Comp + 0.2·Clar (paper eq. 4), on the 1–5 scale."""
    return WEIGHTS["accuracy"] * accuracy + WEIGHTS["completeness"] * completeness + WEIGHTS["clarity"] * clarity


# ------------------------------------------------------------------------ completeness


def completeness_score(hits: float, total: int, minor_bonus: bool = False) -> float:
    """Completeness from the coverage of primary changes (Appendix B.2 lookup table).

    R = hits / total. R = 100% → 5.0; 75–100% → 4.5; 60–75% → 4.0; 50–60% → 3.0;
    20–50% → 2.0; 0–20% → 1.0 (the paper's table leaves 0 < R < 20% open; its Table 9
    scores ≈10% as 1); R = 0 → 1.0. A +0.5 bonus (capped at 5.0) applies when 0 < R < 100%
    and secondary ("minor") changes are covered as well — the only upward adjustment
    allowed. The bonus is for minor changes covered *in addition* to primary ones: an
    instruction that mentions only minor changes (R = 0) stays at 1 (Table 9, score 1).
    ``hits`` may be fractional: a vaguely mentioned change counts 0.5 (Table 9).
    A pair with no primary changes at all (identical images) has nothing to miss: 5.0.
    """
    if total < 0 or hits < 0:
        raise ValueError("hits and total must be non-negative")
    if total == 0:
        return 5.0
    r = min(hits / total, 1.0)
    if r >= 1.0:
        return 5.0
    if r == 0:
        return 1.0
    if r >= 0.75:
        base = 4.5
    elif r >= 0.60:
        base = 4.0
    elif r >= 0.50:
        base = 3.0
    elif r >= 0.20:
        base = 2.0
    else:
        base = 1.0
    return min(5.0, base + 0.5) if minor_bonus else base


# ---------------------------------------------------------------------------- clarity


def clarity_ceiling(n_forbidden: int) -> float:
    """Highest Clarity allowed given the number of forbidden terms (Appendix B.3)."""
    if n_forbidden < 0:
        raise ValueError("n_forbidden must be non-negative")
    return {0: 5.0, 1: 3.0, 2: 2.5}.get(n_forbidden, 2.0)


VAGUE_VERBS = ("adjust", "modify", "process", "optimize", "optimise", "enhance", "improve", "tweak")
VAGUE_DEGREES = ("appropriate", "appropriately", "slightly", "a bit", "a little", "a little bit", "somewhat",
                 "kind of", "sort of")
VAGUE_REFERENCES = ("that", "this", "it", "refer to the original image", "as in the original image",
                    "like the original", "as in the target image")

# Every inflection of the vague verbs ("modified", "optimising", "improves" ...).
_VERB_FORMS = (
    r"adjust(?:s|ed|ing)?", r"modif(?:y|ies|ied|ying)", r"process(?:es|ed|ing)?", r"optimi[sz](?:e|es|ed|ing)",
    r"enhanc(?:e|es|ed|ing)", r"improv(?:e|es|ed|ing)", r"tweak(?:s|ed|ing)?",
)
_VERB_RE = re.compile(r"\b(" + "|".join(_VERB_FORMS) + r")\b", re.I)
# A vague verb is acceptable when its clause names the target state ("adjust the
# brightness to 80%", "modify the sign so that it reads OPEN").
_TARGET_STATE = re.compile(r"\b(?:to|into|until|so that)\b", re.I)
# Purely subjective goals never count as a target state, and are forbidden on their own
# ("Optimize the image to make it look better", Table 10's score-1 example).
SUBJECTIVE = ("look better", "looks better", "look nicer", "look good", "more beautiful", "more attractive",
              "better looking")
_SUBJECTIVE_RE = re.compile(r"\b(" + "|".join(SUBJECTIVE) + r")\b", re.I)
_DEGREE_RE = re.compile(r"\b(" + "|".join(sorted((re.escape(d) for d in VAGUE_DEGREES), key=len, reverse=True)) + r")\b", re.I)
_REF_PHRASE_RE = re.compile(
    r"\b(refer(?:ring)? to the original(?: image)?|as in the (?:original|reference|target)(?: image)?|like the original)\b", re.I
)
# "this"/"that" used as a pointing word after a verb or preposition ("change that piece",
# "move this"), not as a conjunction or relative pronoun ("so that", "the cup that is").
_POINTER_RE = re.compile(
    r"\b(?:make|change|move|remove|add|replace|put|place|turn|rotate|colou?r|paint|recolou?r|shift|swap|delete|"
    r"erase|keep|set|of|to|on|in|at|with|from|like|into|onto)\s+(this|that)\b",
    re.I,
)
_IT_RE = re.compile(r"\bit\b", re.I)


@dataclass(frozen=True)
class ForbiddenTerm:
    term: str
    kind: str  # vague_verb | vague_degree | vague_reference
    start: int


def find_forbidden_terms(text: str) -> list[ForbiddenTerm]:
    """Forbidden terms of the Clarity rubric found in ``text`` (a heuristic reader).

    Vague verbs count only when their clause states no target state; "this"/"that" count
    as pointing words, not as conjunctions; "it" always counts (the paper lists it).
    """
    found: list[ForbiddenTerm] = []
    for m in _VERB_RE.finditer(text):
        clause_end = re.search(r"[.;!?]|\band\b|,", text[m.end():])
        clause = text[m.end(): m.end() + (clause_end.start() if clause_end else len(text))]
        if not _TARGET_STATE.search(clause) or _SUBJECTIVE_RE.search(clause):
            found.append(ForbiddenTerm(m.group(0).lower(), "vague_verb", m.start()))
    for m in _SUBJECTIVE_RE.finditer(text):
        found.append(ForbiddenTerm(m.group(0).lower(), "vague_verb", m.start()))
    for m in _DEGREE_RE.finditer(text):
        found.append(ForbiddenTerm(m.group(0).lower(), "vague_degree", m.start()))
    for m in _REF_PHRASE_RE.finditer(text):
        found.append(ForbiddenTerm(m.group(0).lower(), "vague_reference", m.start()))
    for m in _POINTER_RE.finditer(text):
        found.append(ForbiddenTerm(m.group(1).lower(), "vague_reference", m.start(1)))
    for m in _IT_RE.finditer(text):
        found.append(ForbiddenTerm("it", "vague_reference", m.start()))
    found.sort(key=lambda f: f.start)
    return found


# --------------------------------------------------------------------------- accuracy


def accuracy_score(
    *,
    major_errors: int,
    minor_errors: int,
    hallucinations: int,
    coverage: float,
    unrelated: bool = False,
) -> float:
    """Accuracy on 1–5 from fact-check findings (Appendix B.1 and Table 8).

    * 1 — the instruction is about the wrong object / unrelated to the images;
    * 2 — any hallucinated operation (the cap "any hallucination → at most 2") or ≥ 2 major
      factual errors;
    * 3 — one major factual error, or coverage of primary changes below 30% (the coverage
      floor that stops an instruction from scoring high by skipping the primary edits);
    * 4 — core facts right but a minor error (e.g. on an unchanged element), or coverage
      between 30% and 50%;
    * 5 — every stated fact correct and coverage ≥ 50%.
    """
    if unrelated:
        return 1.0
    if hallucinations > 0 or major_errors >= 2:
        return 2.0
    if major_errors == 1 or coverage < 0.30:
        return 3.0
    if minor_errors > 0 or coverage < 0.50:
        return 4.0
    return 5.0
