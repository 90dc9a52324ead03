"""Ingest adapters (folder, manifest, HQ-Edit, ByteMorph, MagicBrush) and the ingest stage."""

from .base import ImageInput, PairCandidate, SourceError
from .stage import FORMATS, IngestReport, ingest, pair_id_for, resolve_format

__all__ = ["FORMATS", "ImageInput", "IngestReport", "PairCandidate", "SourceError", "ingest", "pair_id_for", "resolve_format"]
