"""Visual delta analysis: measure what changed between a source and a target image.

Public API (OpenCV and numpy; no torch):

* :func:`analyze` / :func:`analyze_files` → :class:`DeltaReport` (camera, tone, local regions);
* :func:`describe` — the offline ``delta`` captioner's instruction for a report;
* :func:`grounding_hints` — a short factual block for grounded VLM prompts;
* :func:`check` → list of :class:`Flag` — where an instruction contradicts or omits a measurement;
* :func:`difference_heatmap` — a heat overlay of the aligned difference, in the target frame.
"""

from __future__ import annotations

from .analyzer import analyze, analyze_files
from .check import Flag, check
from .describe import describe
from .heatmap import difference_heatmap
from .hints import grounding_hints
from .report import CameraMotion, DeltaReport, Photometric, Region
from .thresholds import DEFAULT as DEFAULT_THRESHOLDS
from .thresholds import Thresholds

__all__ = [
    "DEFAULT_THRESHOLDS",
    "CameraMotion",
    "DeltaReport",
    "Flag",
    "Photometric",
    "Region",
    "Thresholds",
    "analyze",
    "analyze_files",
    "check",
    "describe",
    "difference_heatmap",
    "grounding_hints",
]
