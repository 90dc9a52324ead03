"""When to retry a model call and how long to wait.

Exponential backoff with full jitter (the wait is uniform in ``[0, min(cap, base·2^n)]``),
so that many clients hit by the same outage do not come back in lock-step. A server's
``Retry-After`` is a floor: we wait at least that long (plus a little jitter), capped by
``max_retry_after`` so a misconfigured proxy cannot park a run for an hour.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

# 408 Request Timeout, 425 Too Early and 429 Too Many Requests are worth another try;
# every 5xx is. Other 4xx answers mean the request itself is wrong.
RETRYABLE_4XX = frozenset({408, 425, 429})
# Answers that no request of this run can get past: stop instead of failing pair by pair.
FATAL_STATUSES = frozenset({401, 403, 404})


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 5  # retries after the first attempt
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_retry_after: float = 120.0

    def delay(self, retry_number: int, retry_after: float | None = None, rng: random.Random | None = None) -> float:
        """Seconds to wait before retry ``retry_number`` (1 = the first retry)."""
        r = rng or random
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_retry_after) + r.uniform(0, self.base_delay)
        ceiling = min(self.max_delay, self.base_delay * 2 ** (retry_number - 1))
        return r.uniform(0, ceiling)


def parse_retry_after(value: str | None, now: dt.datetime | None = None) -> float | None:
    """``Retry-After`` as seconds: either a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    now = now or dt.datetime.now(dt.timezone.utc)
    return max(0.0, (when - now).total_seconds())


def is_retryable_status(status: int) -> bool:
    return status >= 500 or status in RETRYABLE_4XX
