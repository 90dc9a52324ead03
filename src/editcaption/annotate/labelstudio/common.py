"""What every part of the Label Studio bridge shares: its error, server addresses, loose numbers."""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import urlsplit


class LabelStudioError(ValueError):
    """A Label Studio export, option or user map that cannot be used; the message says what to do."""


def normalize_url(url: str) -> str:
    """A Label Studio server as ``scheme://host[:port][/path]``: lower-case scheme and host, no trailing slash.

    Annotation keys are scoped to this string, so ``HTTP://LS:8080/`` and ``http://ls:8080`` are one server.
    """
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise LabelStudioError(f"--ls-url must be the server's address, like http://localhost:8080 (got {url!r})")
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{parts.path.rstrip('/')}"


def server_label(server: str) -> str:
    """A short name for a server in annotator names: ``host:port[/path]`` (a hash when that is too long)."""
    parts = urlsplit(server)
    label = parts.netloc + parts.path
    return label if len(label) <= 96 else hashlib.sha256(server.encode()).hexdigest()[:16]


def number(value: Any) -> int | None:
    """An id as Label Studio writes it (a number, or digits in a string); None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None
