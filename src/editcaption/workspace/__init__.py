"""Workspace: database models, sessions, migrations and the content-addressed image store."""

from .models import (
    Base,
    GroundTruthRecord,
    ImageRecord,
    InstructionRecord,
    JudgementRecord,
    LLMCacheRecord,
    PairRecord,
    PreferenceRecord,
    RefinementRecord,
    RunRecord,
    ScoreRecord,
)
from .workspace import Workspace, WorkspaceError, default_workspace_path, redact

__all__ = [
    "Base",
    "GroundTruthRecord",
    "ImageRecord",
    "InstructionRecord",
    "JudgementRecord",
    "LLMCacheRecord",
    "PairRecord",
    "PreferenceRecord",
    "RefinementRecord",
    "RunRecord",
    "ScoreRecord",
    "Workspace",
    "WorkspaceError",
    "default_workspace_path",
    "redact",
]
