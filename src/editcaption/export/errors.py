"""The one error an export raises for a bad request (its message is one line for the CLI)."""

from __future__ import annotations


class ExportError(ValueError):
    """A problem with the request (bad option, nothing to export, output exists)."""
