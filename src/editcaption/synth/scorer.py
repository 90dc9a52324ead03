"""The exact scorer: structured truth vs a parsed prediction, on the paper's three 1–5
dimensions (Appendix B), S = 0.4·Accuracy + 0.4·Completeness + 0.2·Clarity (eq. 4).

No judge is involved. Each prediction is parsed (:mod:`.language`); clauses are matched to
truth changes by operation and object; the findings are counted the way the rubric's
prompts ask a judge to count them, and the arithmetic is the shared rubric's
(:mod:`editcaption.evaluate.rubric`):

* Completeness — a change is *hit* when its object and operation are named (1.0; 0.5 when
  its key attribute is left out, as Table 9 counts a vague mention); a reversed operation
  is a miss; secondary changes give the +0.5 bonus.
* Accuracy — wrong stated facts on primary changes are major errors, on secondary changes
  or on unchanged objects minor ones; a fabricated operation is a hallucination (cap 2);
  coverage below 30% caps at 3; an instruction with nothing true in it is "unrelated" (1).
* Clarity — forbidden terms set the ceiling (Appendix B.3); a clause missing its key
  attribute scores at most 3, one missing a required attribute at most 4, an ambiguous
  reference (two objects fit) at most 2.

Every error is also classified by type and severity (:mod:`.errors`, Table 6). A
prediction the parser cannot read is *unparsable*: counted, never scored.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..evaluate.rubric import (
    accuracy_score,
    clarity_ceiling,
    completeness_score,
    find_forbidden_terms,
    overall_score,
)
from .assertion import Assertion, ObjectRef, assertion_from_change
from .errors import (
    ERROR_TYPES,
    SPATIAL_OPS,
    ErrorRecord,
    detail_error,
    direction_error,
    hallucination,
    minor_detail,
    redundant,
    reversed_action,
    unchanged_object,
)
from .findings import OBJECT_OPS, agreeing, as_truth_op, clause_clarity, compare, identity, same_statement
from .language import ParsedInstruction, parse_with_reason

# ----------------------------------------------------------------------------- truth


@dataclass
class TruthSet:
    """A pair's truth in scorer form: changes (primary first), their areas, and what the
    source and target show (for telling an unchanged object from a made-up one)."""

    changes: list[Assertion]
    primary: list[bool]
    areas: list[float | None]
    source: list[ObjectRef]
    target: list[ObjectRef]

    @property
    def n_primary(self) -> int:
        return sum(self.primary)


class TruthError(ValueError):
    """A manifest row whose ground truth cannot be scored exactly."""


def truth_from_row(row: Mapping[str, Any]) -> TruthSet:
    gt = row.get("ground_truth")
    if isinstance(gt, str):
        gt = json.loads(gt) if gt.strip().startswith("{") else None
    if not isinstance(gt, dict):
        raise TruthError("the row has no structured ground_truth")
    meta = row.get("editworld") or {}
    areas = meta.get("areas") or {}
    changes: list[Assertion] = []
    primary: list[bool] = []
    area_list: list[float | None] = []
    for key, is_primary in (("primary", True), ("secondary", False)):
        known = list(areas.get(key) or [])
        for i, ch in enumerate(gt.get(key) or []):
            if not isinstance(ch, dict) or not ch.get("op"):
                raise TruthError(f"a {key} change has no structured op; exact scoring needs EditWorld-style truth")
            changes.append(assertion_from_change(ch))
            primary.append(is_primary)
            area_list.append(float(known[i]) if i < len(known) else None)
    inv = meta.get("inventory") or {}

    def refs(names: Iterable[str]) -> list[ObjectRef]:
        return [r for r in (ObjectRef.from_name(n) for n in names) if r is not None]

    return TruthSet(changes, primary, area_list, refs(inv.get("source") or []), refs(inv.get("target") or []))


# ----------------------------------------------------------------------------- results


@dataclass
class SampleScore:
    """One prediction's outcome: ``status`` is scored, unparsable or missing."""

    id: str
    status: str
    reason: str | None = None
    instruction: str | None = None
    S: float | None = None
    accuracy: float | None = None
    completeness: float | None = None
    clarity: float | None = None
    coverage: float | None = None
    parsed: ParsedInstruction | None = None
    errors: list[ErrorRecord] = field(default_factory=list)
    category: str | None = None
    subtype: str | None = None
    family: str | None = None

    @property
    def has_p0(self) -> bool:
        return any(e.severity == "P0" for e in self.errors)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "status": self.status, "reason": self.reason, "category": self.category,
            "subtype": self.subtype, "family": self.family, "instruction": self.instruction, "S": self.S,
            "accuracy": self.accuracy, "completeness": self.completeness, "clarity": self.clarity,
            "coverage": self.coverage, "parsed": self.parsed.as_json() if self.parsed else None,
            "errors": [e.as_json() for e in self.errors],
        }


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


@dataclass
class ScoreReport:
    samples: list[SampleScore]
    warnings: list[str] = field(default_factory=list)

    @property
    def scored(self) -> list[SampleScore]:
        return [s for s in self.samples if s.status == "scored"]

    def summary(self) -> dict[str, Any]:
        """The ``--json`` summary: means over scored samples, unparsable counted apart,
        error counts by type, and the share of scored samples with at least one P0 error."""
        scored = self.scored
        counts = Counter(e.type for s in scored for e in s.errors)
        return {
            "n": sum(1 for s in self.samples if s.status in ("scored", "unparsable")),
            "S": _mean([s.S for s in scored if s.S is not None]),
            "accuracy": _mean([s.accuracy for s in scored if s.accuracy is not None]),
            "completeness": _mean([s.completeness for s in scored if s.completeness is not None]),
            "clarity": _mean([s.clarity for s in scored if s.clarity is not None]),
            "unparsable": sum(1 for s in self.samples if s.status == "unparsable"),
            "errors": {t: counts.get(t, 0) for t in ERROR_TYPES},
            "p0_rate": round(sum(s.has_p0 for s in scored) / len(scored), 4) if scored else None,
        }

    def breakdown(self, key: str = "subtype") -> dict[str, dict[str, Any]]:
        """The summary per category, subtype or family."""
        groups: dict[str, list[SampleScore]] = {}
        for s in self.samples:
            groups.setdefault(str(getattr(s, key) or "?"), []).append(s)
        return {k: ScoreReport(v).summary() for k, v in sorted(groups.items())}


# --------------------------------------------------------------------------- scoring


@dataclass
class _Tally:
    """Running counts for one prediction: hits per truth change and the rubric's inputs."""

    hits: dict[int, float]
    errors: list[ErrorRecord] = field(default_factory=list)
    major: int = 0
    minor: int = 0
    hallucinations: int = 0
    only_hallucinations: bool = True


def _match(clauses: list[Assertion], truth: TruthSet) -> dict[int, tuple[int, Assertion]]:
    """truth index → (clause index, clause in the truth's terms). Greedy: full object names
    first, then partial ones, then misnamed subjects."""
    matched: dict[int, tuple[int, Assertion]] = {}
    used: set[int] = set()
    for level in (3, 2, 1):
        for ci, c in enumerate(clauses):
            if ci in used:
                continue
            for ti, t in enumerate(truth.changes):
                conv = None if ti in matched else as_truth_op(c, t)
                if conv is None:
                    continue
                if identity(conv, t, truth.target if t.op == "add" else truth.source) == level:
                    matched[ti] = (ci, conv)
                    used.add(ci)
                    break
    return matched


def _grade_matches(matched: dict[int, tuple[int, Assertion]], truth: TruthSet, tally: _Tally) -> None:
    """Findings on each matched change → hits (half for a vague mention) and typed errors."""
    for ti, (ci, c) in sorted(matched.items()):
        t = truth.changes[ti]
        primary, area = truth.primary[ti], truth.areas[ti]
        findings = compare(t, c, truth.target if t.op == "add" else truth.source)
        tally.hits[ti] = 0.5 if any(f.kind == "missing_key" for f in findings) else 1.0
        for f in findings:
            msg = f"{t.op} of {t.obj.name if t.obj else 'the image'}: {f.kind.replace('_', ' ')} {f.what}"
            if f.kind == "wrong":
                if primary:
                    tally.major += 1
                else:
                    tally.minor += 1
                tally.errors.append(direction_error(t.op, "wrong_direction", msg, ti, ci) if f.spatial
                                    else detail_error(t.op, primary, area, "wrong_attribute", msg, ti, ci))
            elif f.kind == "missing_key" and f.spatial:
                tally.errors.append(direction_error(t.op, "missing_direction", msg, ti, ci))
            elif f.kind in ("missing_key", "missing"):
                tally.errors.append(detail_error(t.op, primary, area, "missing_attribute", msg, ti, ci))
            elif f.kind == "ambiguous":
                tally.errors.append(detail_error(t.op, primary, area, "ambiguous_reference", msg, ti, ci))
            else:
                tally.errors.append(minor_detail("incomplete_description", msg, ti, ci))


def _replace_as_remove_add(clauses: list[Assertion], unmatched: list[int], matched: dict[int, tuple[int, Assertion]],
                           truth: TruthSet, tally: _Tally) -> list[int]:
    """Credit "remove X. add Y." written for "replace X with Y" (Table 6 row 7: P2)."""
    for ti, t in enumerate(truth.changes):
        if ti in matched or t.op != "replace" or t.obj is None or t.new is None:
            continue
        rem = next((ci for ci in unmatched if clauses[ci].op == "remove" and clauses[ci].obj
                    and clauses[ci].obj.agrees_with(t.obj)), None)
        add = next((ci for ci in unmatched if clauses[ci].op == "add" and clauses[ci].obj
                    and clauses[ci].obj.agrees_with(t.new)), None)
        if rem is not None and add is not None:
            tally.hits[ti] = 1.0
            matched[ti] = (rem, clauses[rem])
            unmatched = [ci for ci in unmatched if ci not in (rem, add)]
            tally.errors.append(redundant(f"remove + add written for replacing the {t.obj.name}", ti, add))
    return unmatched


def _grade_leftovers(clauses: list[Assertion], unmatched: list[int], matched: dict[int, tuple[int, Assertion]],
                     truth: TruthSet, tally: _Tally) -> set[int]:
    """Clauses that match no change: repeats, reversed actions, edits of unchanged objects,
    made-up edits. Returns the truth changes a reversed action stood for."""
    reversed_truth: set[int] = set()
    for ci in unmatched:
        c = clauses[ci]
        if any(same_statement(c, clauses[m]) for m in range(ci)):
            tally.errors.append(redundant(f"repeated clause {c.text!r}", None, ci))
            tally.only_hallucinations = False
            continue
        inverse = {"add": "remove", "remove": "add"}.get(c.op)
        rev = next((ti for ti, t in enumerate(truth.changes) if ti not in matched and ti not in reversed_truth
                    and t.op == inverse and t.obj and c.obj and c.obj.agrees_with(t.obj)), None)
        if rev is not None:
            reversed_truth.add(rev)
            tally.major += 1
            tally.only_hallucinations = False
            name = truth.changes[rev].obj.name  # type: ignore[union-attr]
            tally.errors.append(reversed_action(f"{c.op} said where the {name} was {truth.changes[rev].op}d", rev, ci))
            continue
        existing = c.obj is not None and c.op in OBJECT_OPS and bool(agreeing(c.obj, truth.source)) and (
            c.op != "add" or bool(agreeing(c.obj, truth.target))
        )
        if existing:
            tally.minor += 1
            tally.only_hallucinations = False
            tally.errors.append(unchanged_object(c.op, f"{c.op} claimed for the unchanged {c.obj.name}", ci))  # type: ignore[union-attr]
        else:
            tally.hallucinations += 1
            tally.errors.append(hallucination(c.op, f"{c.op} is not among the changes: {c.text!r}", ci))
    return reversed_truth


def _grade_omissions(skip: set[int], truth: TruthSet, tally: _Tally) -> None:
    for ti, t in enumerate(truth.changes):
        if ti in skip:
            continue
        msg = f"{t.op} of {t.obj.name if t.obj else 'the image'} is not mentioned"
        if t.op in SPATIAL_OPS:
            tally.errors.append(direction_error(t.op, "omitted_change", msg, ti, None))
        else:
            tally.errors.append(detail_error(t.op, truth.primary[ti], truth.areas[ti], "omitted_change", msg, ti, None))


def _clarity(parsed: ParsedInstruction, truth: TruthSet) -> float:
    """Forbidden-term ceiling, then attribute completeness per clause, then density (B.3)."""
    inventory = truth.source + [o for o in truth.target if o not in truth.source]
    clauses = parsed.clauses
    clarity = min(clarity_ceiling(len(find_forbidden_terms(parsed.text))),
                  min((clause_clarity(c, inventory) for c in clauses), default=5.0))
    if len(parsed.text.split()) > 150 and len(clauses) < 5:  # long and thin
        clarity = max(1.0, clarity - 1.0)
    return clarity


def score_parsed(parsed: ParsedInstruction, truth: TruthSet) -> SampleScore:
    """Score one parsed instruction against one truth (the result's id is left blank)."""
    clauses = list(parsed.clauses)
    tally = _Tally(hits={ti: 0.0 for ti in range(len(truth.changes))})
    matched = _match(clauses, truth)
    _grade_matches(matched, truth, tally)
    used = {ci for ci, _ in matched.values()}
    unmatched = _replace_as_remove_add(clauses, [ci for ci in range(len(clauses)) if ci not in used], matched, truth,
                                       tally)
    reversed_truth = _grade_leftovers(clauses, unmatched, matched, truth, tally)
    _grade_omissions(set(matched) | reversed_truth, truth, tally)

    n_primary = truth.n_primary
    primary_hits = sum(h for ti, h in tally.hits.items() if truth.primary[ti])
    coverage = primary_hits / n_primary if n_primary else 1.0
    secondary_hit = any(h > 0 for ti, h in tally.hits.items() if not truth.primary[ti])
    completeness = completeness_score(primary_hits, n_primary, minor_bonus=secondary_hit)
    unrelated = bool(clauses) and not matched and tally.only_hallucinations
    accuracy = accuracy_score(major_errors=tally.major, minor_errors=tally.minor, hallucinations=tally.hallucinations,
                              coverage=coverage, unrelated=unrelated)
    clarity = _clarity(parsed, truth)
    return SampleScore(
        id="", status="scored", instruction=parsed.text, S=round(overall_score(accuracy, completeness, clarity), 4),
        accuracy=accuracy, completeness=completeness, clarity=clarity, coverage=round(coverage, 4), parsed=parsed,
        errors=tally.errors,
    )


def score_one(row: Mapping[str, Any], instruction: str | None) -> SampleScore:
    """Score one prediction against one manifest row."""
    meta = {"category": row.get("category"), "subtype": row.get("subtype"), "family": row.get("family")}
    rid = str(row.get("id", ""))
    try:
        truth = truth_from_row(row)
    except (TruthError, json.JSONDecodeError) as exc:
        return SampleScore(id=rid, status="unscored", reason=str(exc), instruction=instruction, **meta)
    parsed, reason = parse_with_reason(instruction)
    if parsed is None:
        return SampleScore(id=rid, status="unparsable", reason=reason, instruction=instruction, **meta)
    result = score_parsed(parsed, truth)
    result.id = rid
    result.category, result.subtype, result.family = meta["category"], meta["subtype"], meta["family"]
    return result


def read_predictions(path: str | Path) -> tuple[dict[str, str | None], list[str]]:
    """{id: instruction} from a JSONL file of {"id", "instruction"} lines, plus warnings.
    Bad lines are reported and skipped; a repeated id keeps its first line."""
    preds: dict[str, str | None] = {}
    warnings: list[str] = []
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FileNotFoundError(f"{p}: no such predictions file") from None
    for i, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            warnings.append(f"{p}: line {i} is not valid JSON ({exc.msg}); skipped")
            continue
        if not isinstance(obj, dict) or "id" not in obj:
            warnings.append(f"{p}: line {i} has no \"id\"; skipped")
            continue
        pid = str(obj["id"])
        if pid in preds:
            warnings.append(f"{p}: line {i} repeats id {pid!r}; the first prediction is kept")
            continue
        value = obj.get("instruction")
        preds[pid] = value if isinstance(value, str) else None
    return preds, warnings


def score_predictions(
    manifest_rows_or_path: str | Path | Iterable[Mapping[str, Any]],
    predictions: str | Path | Mapping[str, str | None] | Iterable[Mapping[str, Any]],
) -> ScoreReport:
    """Score predictions against an EditWorld manifest (a path or its rows).

    ``predictions`` is a JSONL path, a mapping id → instruction, or an iterable of
    ``{"id", "instruction"}`` records. Manifest pairs without a prediction are reported as
    ``missing``; predictions for unknown ids are warned about and ignored.
    """
    from .manifest import read_manifest

    rows = read_manifest(manifest_rows_or_path) if isinstance(manifest_rows_or_path, (str, Path)) else list(
        manifest_rows_or_path
    )
    warnings: list[str] = []
    if isinstance(predictions, (str, Path)):
        preds, warnings = read_predictions(predictions)
    elif isinstance(predictions, Mapping):
        preds = {str(k): v for k, v in predictions.items()}
    else:
        preds = {}
        for rec in predictions:
            preds.setdefault(str(rec["id"]), rec.get("instruction"))
    known = {str(r.get("id")) for r in rows}
    unknown = [k for k in preds if k not in known]
    if unknown:
        warnings.append(f"{len(unknown)} prediction(s) name ids not in the manifest (e.g. {unknown[0]!r}); ignored")
    samples = []
    for row in rows:
        rid = str(row.get("id"))
        if rid not in preds:
            samples.append(SampleScore(id=rid, status="missing", reason="no prediction for this pair",
                                       category=row.get("category"), subtype=row.get("subtype"),
                                       family=row.get("family")))
            continue
        samples.append(score_one(row, preds[rid]))
    missing = sum(1 for s in samples if s.status == "missing")
    if missing:
        warnings.append(f"{missing} manifest pair(s) have no prediction; they are not counted")
    return ScoreReport(samples=samples, warnings=warnings)
