"""Reading the judge's findings and turning them into scores with the shared rubric.

The judge reports what it *found*; the arithmetic is ours (Appendix B):

* Accuracy — assertion verdicts → counts of major errors (a wrong fact about a primary
  change), minor errors (about a secondary change or an unchanged element) and
  hallucinations, plus the coverage of primary changes → :func:`rubric.accuracy_score`;
* Completeness — a hit / partial / miss status per ground-truth change → hits (partial
  = 0.5, Table 9) and the minor-change bonus → :func:`rubric.completeness_score`;
* Clarity — the forbidden terms (kept only if they literally occur in the instruction)
  set the ceiling (:func:`rubric.clarity_ceiling`); the judge's attribute-based
  detail score is capped by it; a long instruction with few stated attributes loses a
  point (criterion 3 of B.3).

A reply that is not valid JSON or breaks the format (an unknown change id, a change left
out, a verdict outside the list, a detail score outside 1–5) raises
:class:`FindingError` with the reason: it is repaired once or left unscored, never
guessed. The judge's own "score" field, if it sends one, is kept for audit only.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..llm.jsonparse import JsonFieldError, as_number, parse_json_reply
from .judge_request import TruthIds
from .llm_calls import FindingError
from .rubric import accuracy_score, clarity_ceiling, completeness_score, find_forbidden_terms

VERDICTS = ("correct", "wrong", "unchanged", "hallucinated")
STATUSES = ("hit", "partial", "miss")
TERM_KINDS = ("vague_verb", "vague_degree", "vague_reference")
REQUIRED_KEYS = {"accuracy": ("assertions",), "completeness": ("primary",), "clarity": ("forbidden_terms", "detail_score")}
LONG_INSTRUCTION_WORDS = 150  # B.3 criterion 3: > 150 words with < 5 information points loses a point
MIN_INFO_POINTS = 5


def _norm(value: Any) -> str:
    return " ".join(str(value).strip().lower().replace("_", " ").split())


def normalise_ref(value: Any, ids: TruthIds, where: str) -> str | None:
    """A change id as the prompt wrote it (``primary-2``); ``None`` for null/none; else an error."""
    if value is None or (isinstance(value, str) and _norm(value) in ("", "null", "none", "n/a")):
        return None
    text = _norm(value).replace(" ", "-")
    m = re.fullmatch(r"(primary|secondary)-?(\d+)", text)
    if not m or f"{m.group(1)}-{int(m.group(2))}" not in ids.all:
        known = ", ".join(ids.all) or "none"
        raise FindingError(f"{where} names the change {value!r}, which is not one of the ids sent ({known})")
    return f"{m.group(1)}-{int(m.group(2))}"


def _choice(value: Any, allowed: tuple[str, ...], where: str) -> str:
    text = _norm(value).replace(" ", "_") if isinstance(value, str) else None
    if text not in allowed:
        raise FindingError(f"{where} is {value!r}, not one of {', '.join(allowed)}")
    return text


def _list(obj: dict[str, Any], key: str) -> list[Any]:
    value = obj.get(key)
    if not isinstance(value, list):
        raise FindingError(f"{key!r} should be a list, got {type(value).__name__}")
    return value


def _check_dimension(obj: dict[str, Any], dimension: str) -> None:
    said = obj.get("dimension")
    if said is not None and _norm(said) != dimension:
        raise FindingError(f"the reply is about {said!r}, not {dimension!r}")


def _judge_score(obj: dict[str, Any]) -> Any:
    return obj.get("score")


# ------------------------------------------------------------------------------ accuracy


def accuracy_findings(obj: dict[str, Any], ids: TruthIds) -> tuple[float, dict[str, Any]]:
    _check_dimension(obj, "accuracy")
    assertions = []
    for i, item in enumerate(_list(obj, "assertions"), 1):
        if not isinstance(item, dict):
            raise FindingError(f"assertion {i} is not an object")
        verdict = _choice(item.get("verdict"), VERDICTS, f"the verdict of assertion {i}")
        ref = normalise_ref(item.get("ref"), ids, f"assertion {i}")
        assertions.append({"claim": str(item.get("claim", "")), "ref": ref, "verdict": verdict,
                           "why": str(item.get("why", ""))})
    primary = set(ids.primary)
    major = sum(a["verdict"] == "wrong" and a["ref"] in primary for a in assertions)
    minor = sum((a["verdict"] == "wrong" and a["ref"] not in primary) or a["verdict"] == "unchanged"
                for a in assertions)
    hallucinations = sum(a["verdict"] == "hallucinated" for a in assertions)
    # Coverage: primary changes some assertion is about, rightly or wrongly (Listing 1, step 5).
    addressed = {a["ref"] for a in assertions if a["verdict"] in ("correct", "wrong") and a["ref"] in primary}
    coverage = len(addressed) / len(primary) if primary else 1.0
    unrelated = bool(assertions) and all(a["verdict"] == "hallucinated" for a in assertions)
    score = accuracy_score(major_errors=major, minor_errors=minor, hallucinations=hallucinations,
                           coverage=coverage, unrelated=unrelated)
    return score, {"assertions": assertions, "major_errors": major, "minor_errors": minor,
                   "hallucinations": hallucinations, "coverage": round(coverage, 4), "unrelated": unrelated,
                   "judge_score": _judge_score(obj), "reasoning": str(obj.get("reasoning", ""))}


# -------------------------------------------------------------------------- completeness


def _statuses(obj: dict[str, Any], key: str, wanted: tuple[str, ...], ids: TruthIds) -> dict[str, str]:
    if not wanted and key not in obj:
        return {}
    out: dict[str, str] = {}
    for i, item in enumerate(_list(obj, key), 1):
        if not isinstance(item, dict):
            raise FindingError(f"item {i} of {key!r} is not an object")
        ref = normalise_ref(item.get("id"), ids, f"item {i} of {key!r}")
        if ref is None or ref not in wanted:
            raise FindingError(f"item {i} of {key!r} names {item.get('id')!r}; expected one of {', '.join(wanted)}")
        if ref in out:
            raise FindingError(f"{ref} is listed twice")
        out[ref] = _choice(item.get("status"), STATUSES, f"the status of {ref}")
    missing = [r for r in wanted if r not in out]
    if missing:
        raise FindingError(f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not listed")
    return out


def completeness_findings(obj: dict[str, Any], ids: TruthIds) -> tuple[float, dict[str, Any]]:
    _check_dimension(obj, "completeness")
    primary = _statuses(obj, "primary", ids.primary, ids)
    secondary = _statuses(obj, "secondary", ids.secondary, ids)
    hits = sum({"hit": 1.0, "partial": 0.5}.get(st, 0.0) for st in primary.values())
    bonus = any(st in ("hit", "partial") for st in secondary.values())
    total = len(ids.primary)
    score = completeness_score(hits, total, minor_bonus=bonus)
    return score, {"primary": primary, "secondary": secondary, "hits": hits, "total": total,
                   "coverage": round(hits / total, 4) if total else 1.0, "minor_bonus": bonus,
                   "judge_score": _judge_score(obj), "reasoning": str(obj.get("reasoning", ""))}


# ------------------------------------------------------------------------------- clarity


def _occurs(term: str, text: str) -> bool:
    return re.search(r"(?<!\w)" + re.escape(term) + r"(?!\w)", text, re.I) is not None


def clarity_findings(obj: dict[str, Any], instruction: str) -> tuple[float, dict[str, Any]]:
    _check_dimension(obj, "clarity")
    terms: list[dict[str, str]] = []
    rejected: list[str] = []
    seen: set[str] = set()
    for i, item in enumerate(_list(obj, "forbidden_terms"), 1):
        if isinstance(item, str):
            term, kind = item, None
        elif isinstance(item, dict) and isinstance(item.get("term"), str):
            term, kind = item["term"], item.get("kind")
        else:
            raise FindingError(f"forbidden term {i} is neither a string nor an object with a 'term'")
        term = " ".join(term.split())
        key = term.lower()
        if not term or key in seen:
            continue
        seen.add(key)
        # A term the instruction does not contain is a misreading by the judge: it does not count.
        if not _occurs(term, instruction):
            rejected.append(term)
            continue
        kind_text = _norm(kind).replace(" ", "_") if isinstance(kind, str) else ""
        terms.append({"term": key, "kind": kind_text if kind_text in TERM_KINDS else "unspecified"})
    try:
        detail = as_number(obj.get("detail_score"), name="detail_score")
    except JsonFieldError as exc:
        raise FindingError(str(exc)) from None
    if not 1.0 <= detail <= 5.0:
        raise FindingError(f"detail_score is {detail:g}, outside 1–5")
    attributes = obj.get("attributes") if isinstance(obj.get("attributes"), list) else []
    info_points = sum(len(a.get("stated") or []) for a in attributes
                      if isinstance(a, dict) and isinstance(a.get("stated") or [], list))
    ceiling = clarity_ceiling(len(terms))
    score = min(ceiling, detail)
    words = len(instruction.split())
    long_and_thin = words > LONG_INSTRUCTION_WORDS and info_points < MIN_INFO_POINTS
    if long_and_thin:
        score = max(1.0, score - 1.0)
    return score, {"forbidden_terms": terms, "rejected_terms": rejected, "ceiling": ceiling, "detail_score": detail,
                   "attributes": attributes, "info_points": info_points, "words": words,
                   "long_and_thin": long_and_thin,
                   "heuristic_terms": [t.term for t in find_forbidden_terms(instruction)],
                   "judge_score": _judge_score(obj), "reasoning": str(obj.get("reasoning", ""))}


# ---------------------------------------------------------------------------- dispatch


def read_reply(dimension: str, reply: str | None, ids: TruthIds, instruction: str) -> tuple[float, dict[str, Any]]:
    """Score and findings for one dimension from the raw reply; :class:`FindingError` if unusable."""
    parsed = parse_json_reply(reply, expect="object", required_keys=REQUIRED_KEYS[dimension])
    if not parsed.ok:
        raise FindingError(parsed.error or "no usable JSON")
    readers: dict[str, Callable[[dict[str, Any]], tuple[float, dict[str, Any]]]] = {
        "accuracy": lambda o: accuracy_findings(o, ids),
        "completeness": lambda o: completeness_findings(o, ids),
        "clarity": lambda o: clarity_findings(o, instruction),
    }
    score, findings = readers[dimension](parsed.value)
    if parsed.repairs:
        findings["json_repairs"] = list(parsed.repairs)
    return score, findings
