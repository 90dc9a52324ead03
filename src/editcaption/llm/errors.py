"""Errors of model calls, each with a short ``reason`` code that runs group failures by.

``str(error)`` is one line meant for people; ``error.reason`` is a stable code
(``http_429``, ``timeout``, ``malformed_response`` ...) for summaries and for the
``instructions.error`` column (stored as ``"<reason>: <message>"``).
"""

from __future__ import annotations


class LLMError(RuntimeError):
    """A model call that did not produce a usable answer."""

    reason = "error"
    retryable = False

    def __init__(self, message: str, *, reason: str | None = None, status: int | None = None, attempts: int = 1):
        super().__init__(message)
        if reason:
            self.reason = reason
        self.status = status
        self.attempts = attempts

    def record(self) -> str:
        """What a run stores for a failed item: ``"<reason>: <message>"``."""
        return f"{self.reason}: {self}"


class TransientError(LLMError):
    """Rate limits, 5xx, timeouts, dropped connections, garbled bodies: worth retrying."""

    retryable = True

    def __init__(self, message: str, *, reason: str, status: int | None = None, retry_after: float | None = None):
        super().__init__(message, reason=reason, status=status)
        self.retry_after = retry_after


class RequestRejected(LLMError):
    """The server refused this request (400, 413, 422 ...): retrying the same bytes cannot help."""


class FatalServerError(LLMError):
    """The server refuses *every* request like this one (401, 403, 404): a run should stop."""


class EmptyContentError(LLMError):
    """The server answered, but the message content was empty (after cleaning)."""

    reason = "empty_content"


class RetriesExhausted(LLMError):
    """A transient failure that persisted through every retry; ``reason`` is the last one's."""
