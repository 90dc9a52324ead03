"""What went wrong in each instruction, for the report's example gallery.

Two sources name failures in the paper's terms (Table 6: type orientation / viewpoint /
detail / other, severity P0 / P1 / P2):

* the instruction checker (:func:`editcaption.delta.check`), run here on every instruction
  of the runs shown, against the delta analysis of its pair (one analysis per pair);
* stored scores that classify errors (the exact scorer keeps ``components["errors"]``).

Each instruction becomes an :class:`Example` holding its findings, its mean S over the
scorers that scored it, and the reference text of its pair. Pairs whose images cannot be
read or analysed are kept with the reason, never dropped silently.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from ...progress import ProgressCallback
from ...workspace import Workspace
from ...workspace.models import GroundTruthRecord, InstructionRecord, PairRecord, ScoreRecord
from ..stats import mean

SEVERITIES = ("P0", "P1", "P2")
TYPES = ("orientation", "viewpoint", "detail", "other")
LEVEL_RANK = {"correct": 0, "P2": 1, "P1": 2, "P0": 3}  # larger is worse
CHECKER = "checker"
REFERENCE_RUN = "source:manifest"
# a phrase a message quotes from the instruction: ``says ... ('Pan the camera to the right'), but ...``
_QUOTED = re.compile(r"(?<![A-Za-z])(['\"])(?P<q>[^'\"]{3,}?)\1(?![A-Za-z])")


@dataclass
class Finding:
    source: str  # "checker" or the scorer that classified the error
    type: str
    severity: str
    message: str
    evidence: str = ""
    spans: list[tuple[int, int]] = field(default_factory=list)  # character ranges of the instruction

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "type": self.type, "severity": self.severity, "message": self.message,
                "evidence": self.evidence, "spans": [list(s) for s in self.spans]}


@dataclass
class Example:
    run: str
    instruction_id: int
    pair_id: str
    pair_name: str
    text: str
    S: float | None = None
    findings: list[Finding] = field(default_factory=list)
    reference: str = ""
    reference_kind: str = ""  # "ground truth" | "reference instruction" | ""
    error: str | None = None  # why the checker could not look at this pair

    @property
    def level(self) -> str:
        """The most severe finding's severity, or ``correct``."""
        found = {f.severity for f in self.findings}
        return next((s for s in SEVERITIES if s in found), "correct")

    def to_json(self) -> dict[str, Any]:
        return {"run": self.run, "instruction_id": self.instruction_id, "pair_id": self.pair_id,
                "pair_name": self.pair_name, "text": self.text, "S": self.S, "level": self.level,
                "findings": [f.to_json() for f in self.findings], "reference": self.reference,
                "reference_kind": self.reference_kind, "error": self.error}


def flag_spans(flag: dict[str, Any], text: str) -> list[tuple[int, int]]:
    """Where a checker flag points in the instruction.

    The flag's own ``spans`` / ``span`` / ``start``+``end`` fields win when it has them, then
    its ``phrase``; otherwise the phrase it quotes in its message is looked up in the text. Omissions
    ("does not mention ...") point nowhere.
    """
    raw: list[Any] = []
    if isinstance(flag.get("spans"), list):
        raw = flag["spans"]
    elif isinstance(flag.get("span"), (list, tuple)):
        raw = [flag["span"]]
    elif isinstance(flag.get("start"), int) and isinstance(flag.get("end"), int):
        raw = [(flag["start"], flag["end"])]
    spans = [(int(s[0]), int(s[1])) for s in raw
             if isinstance(s, (list, tuple)) and len(s) == 2 and 0 <= int(s[0]) < int(s[1]) <= len(text)]
    if spans or raw:
        return spans
    if isinstance(flag.get("phrase"), str) and flag["phrase"].strip():
        return [s for s in [_find(flag["phrase"].strip(), text)] if s]
    return quoted_spans(str(flag.get("message") or ""), text)


def quoted_spans(message: str, text: str) -> list[tuple[int, int]]:
    """Where the phrases a message quotes sit in the text (case-insensitive; phrases not found are skipped)."""
    return [s for s in (_find(m.group("q").strip(), text) for m in _QUOTED.finditer(message)) if s]


def _find(phrase: str, text: str) -> tuple[int, int] | None:
    at = text.lower().find(phrase.lower())
    return (at, at + len(phrase)) if at >= 0 and phrase else None


def scorer_findings(scorer: str, components: dict[str, Any], text: str) -> list[Finding]:
    """Classified errors a score keeps (the exact scorer's ``errors``)."""
    out = []
    for e in components.get("errors") or []:
        if isinstance(e, dict) and e.get("severity") in SEVERITIES:
            message = str(e.get("message") or "")
            out.append(Finding(scorer, str(e.get("type") or "other"), e["severity"], message, str(e.get("kind") or ""),
                               quoted_spans(message, text)))
    return out


class PairAnalyses:
    """Delta analyses of pairs, each read once through the workspace's image store."""

    def __init__(self, ws: Workspace, max_side: int = 512):
        self.ws = ws
        self.max_side = max_side
        self._done: dict[str, tuple[Any, str | None]] = {}

    def get(self, pair: PairRecord) -> tuple[Any, str | None]:
        """(delta report, None) or (None, why not)."""
        if pair.id not in self._done:
            self._done[pair.id] = self._analyse(pair)
        return self._done[pair.id]

    def _analyse(self, pair: PairRecord) -> tuple[Any, str | None]:
        from .images import read_rgb

        try:
            from ...delta import analyze
        except ImportError as exc:
            return None, f"delta analysis unavailable ({exc})"
        try:
            src = read_rgb(self.ws, pair.source)
            tgt = read_rgb(self.ws, pair.target)
            return analyze(src, tgt, max_side=self.max_side), None
        except Exception as exc:  # noqa: BLE001 - one bad pair must not stop the report
            return None, f"{type(exc).__name__}: {exc}"


def checker_findings(report: Any, text: str) -> list[Finding]:
    from ...delta import check

    out = []
    for flag in check(report, text):
        j = flag.to_json()
        out.append(Finding(CHECKER, str(j.get("type") or "other"), str(j.get("severity") or "P2"),
                           str(j.get("message") or ""), str(j.get("evidence") or ""), flag_spans(j, text)))
    return out


def _references(s: Any, pair_ids: Any) -> dict[str, tuple[str, str]]:
    """Per pair of ``pair_ids`` (a subquery), (text, kind): its ground truth when it has one,
    else its reference instruction."""
    out: dict[str, tuple[str, str]] = {}
    for ins in s.scalars(select(InstructionRecord).where(InstructionRecord.run_id == REFERENCE_RUN,
                                                         InstructionRecord.status == "ok",
                                                         InstructionRecord.pair_id.in_(pair_ids))):
        if ins.text:
            out[ins.pair_id] = (ins.text, "reference instruction")
    for gt in s.scalars(select(GroundTruthRecord).where(GroundTruthRecord.pair_id.in_(pair_ids))):
        texts = [str(c.get("text")) for c in gt.primary or [] if isinstance(c, dict) and c.get("text")]
        text = gt.overall or " ".join(texts)
        if text:
            out[gt.pair_id] = (text, "ground truth" + (" (verified)" if gt.verified else ""))
    return out


def instruction_runs(ws: Workspace) -> list[str]:
    """Runs that hold usable instructions, in the order they were first written."""
    with ws.session() as s:
        rows = s.execute(select(InstructionRecord.run_id).where(InstructionRecord.status == "ok",
                                                                 InstructionRecord.run_id.is_not(None))
                         .group_by(InstructionRecord.run_id).order_by(InstructionRecord.run_id))
        return [r[0] for r in rows]


def collect_examples(ws: Workspace, runs: Sequence[str], *, analyses: PairAnalyses | None = None,
                     check: bool = True, on_progress: ProgressCallback | None = None) -> list[Example]:
    """Every usable instruction of ``runs`` with its findings, mean S and reference."""
    analyses = analyses or PairAnalyses(ws)
    with ws.session() as s:
        stmt = (select(InstructionRecord, PairRecord)
                .join(PairRecord, PairRecord.id == InstructionRecord.pair_id)
                .where(InstructionRecord.run_id.in_(list(runs)), InstructionRecord.status == "ok",
                       InstructionRecord.text.is_not(None))
                .order_by(InstructionRecord.id))
        rows = list(s.execute(stmt).unique())
        # selected by run (subqueries), never by long lists of ids
        mine = select(InstructionRecord.id).where(InstructionRecord.run_id.in_(list(runs)))
        scores: dict[int, dict[str, ScoreRecord]] = defaultdict(dict)
        for rec in s.scalars(select(ScoreRecord).where(ScoreRecord.instruction_id.in_(mine))
                             .order_by(ScoreRecord.id)):
            scores[rec.instruction_id][rec.scorer] = rec  # the latest per scorer wins
        refs = _references(s, select(InstructionRecord.pair_id).where(InstructionRecord.run_id.in_(list(runs))))
        examples = []
        for done, (ins, pair) in enumerate(rows, 1):
            ex = Example(ins.run_id or "(no run)", ins.id, pair.id, pair.name or pair.id, ins.text or "")
            ex.reference, ex.reference_kind = refs.get(pair.id, ("", ""))
            ok = [r for r in scores[ins.id].values() if r.status == "ok" and r.overall is not None]
            ex.S = mean([float(r.overall) for r in ok if r.overall is not None])
            for r in ok:
                ex.findings += scorer_findings(r.scorer, r.components or {}, ex.text)
            if check:
                report, why = analyses.get(pair)
                if report is None:
                    ex.error = why
                else:
                    ex.findings[:0] = checker_findings(report, ex.text)
            examples.append(ex)
            if on_progress and check:
                on_progress("checking instructions", done, len(rows))
    return examples
