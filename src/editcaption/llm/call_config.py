"""How a stage calls its model server: one set of settings for caption, score, eval judge and gt draft.

The CLI declares these options once (``--api-key-env``, ``--extra-body``, ``--temperature``,
``--timeout``, ``--max-retries``, ``--concurrency``) and every stage that calls a model takes
the same :class:`ModelCallConfig`. ``temperature`` and ``concurrency`` may be left unset: each
stage then uses its own default (greedy captions and judgements, EditScore's protocol sampling,
the backend's usual number of requests in flight).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from .client import DEFAULT_API_KEY_ENV, ChatClient, ResponseCache
from .retry import RetryPolicy


class ModelCallConfigError(ValueError):
    """Model-call settings that cannot work (one line naming the option)."""


@dataclass
class ModelCallConfig:
    api_key_env: str | None = DEFAULT_API_KEY_ENV  # the variable's *name*; its value is never stored
    extra_body: dict[str, Any] = field(default_factory=dict)  # merged at the top level of every request body
    temperature: float | None = None  # None: the stage's default
    timeout: float = 120.0  # seconds to wait for one answer
    max_retries: int = 5  # retries on 429/5xx/timeouts/garbled answers, after the first attempt
    concurrency: int | None = None  # requests in flight; None: the stage's default

    def validate(self) -> None:
        if self.concurrency is not None and self.concurrency < 1:
            raise ModelCallConfigError("--concurrency must be at least 1")
        if self.max_retries < 0:
            raise ModelCallConfigError("--max-retries must be at least 0")
        if self.timeout <= 0:
            raise ModelCallConfigError("--timeout must be more than 0 seconds")
        if self.temperature is not None and self.temperature < 0:
            raise ModelCallConfigError("--temperature must be at least 0")
        if not isinstance(self.extra_body, dict):
            raise ModelCallConfigError("--extra-body must be a JSON object")

    def in_flight(self, default: int) -> int:
        """Requests in flight: the configured number, else the stage's ``default``."""
        return self.concurrency or default

    def temperature_or(self, default: float) -> float:
        return default if self.temperature is None else self.temperature

    def client(self, base_url: str, *, default_concurrency: int, cache: ResponseCache | None = None) -> ChatClient:
        """The shared HTTP client with these settings; it stops sending after a 401/403/404."""
        return ChatClient(base_url, api_key_env=self.api_key_env, timeout=self.timeout,
                          max_concurrency=self.in_flight(default_concurrency),
                          retry=RetryPolicy(max_retries=self.max_retries),
                          default_extra_body=dict(self.extra_body), cache=cache, halt_after_fatal=True)

    def to_record(self) -> dict[str, Any]:
        """The settings as stored with a run (the key's variable name, never its value)."""
        return dataclasses.asdict(self)
