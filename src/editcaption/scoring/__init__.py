"""Scoring instructions with the EditScore protocol, and filtering them by score.

* :func:`run_scoring` — score a run's instructions with an EditScore model served behind an
  OpenAI-compatible API (``editcaption score``);
* :func:`apply_filter` — mark instructions kept or dropped by threshold and report keep rates
  by category and subtype (``editcaption filter``);
* :class:`EditScorer` — one item at a time, for library use.
"""

from .config import ScoreConfig, ScoreConfigError
from .editscore import EditScorer, ScoreOutcome, ScoringPrompts
from .engine import ScoreSummary, run_scoring
from .filtering import PAPER_THRESHOLD, FilterReport, ThresholdError, Thresholds, apply_filter, parse_thresholds
from .protocol import SCORE_RANGE, PassScores, average_passes, scale
from .records import ScoringSelectionError, iter_score_rows

__all__ = [
    "ScoreConfig", "ScoreConfigError", "EditScorer", "ScoreOutcome", "ScoringPrompts", "ScoreSummary", "run_scoring",
    "PAPER_THRESHOLD", "FilterReport", "ThresholdError", "Thresholds", "apply_filter", "parse_thresholds",
    "SCORE_RANGE", "PassScores", "average_passes", "scale", "ScoringSelectionError", "iter_score_rows",
]
