"""One asynchronous client for OpenAI-compatible chat-completions servers.

vLLM, SGLang, TGI and hosted APIs all speak ``POST {base_url}/chat/completions``. This
client is what captioning, scoring and the LLM judge use to reach them:

* bounded concurrency (one semaphore per client, shared by every caller);
* retries with exponential backoff and jitter on 429/5xx, timeouts, dropped connections
  and garbled bodies, honouring ``Retry-After``; no retry on other 4xx answers, and
  401/403/404 raise :class:`FatalServerError` so a run can stop instead of failing
  item by item (with ``halt_after_fatal``, later calls raise the same error unsent);
* with a response cache, the body is serialised once, in canonical form, and its hash is
  the cache key;
* the API key comes from an environment variable named by the caller, is sent only as
  the ``Authorization`` header and never appears in messages, logs or ``repr``;
* replies are cleaned (reasoning, GLM answer boxes, code fences) and token usage is kept.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

from .errors import EmptyContentError, FatalServerError, LLMError, RequestRejected, RetriesExhausted, TransientError
from .retry import FATAL_STATUSES, RetryPolicy, is_retryable_status, parse_retry_after
from .text import clean_reply

log = logging.getLogger("editcaption.llm")

DEFAULT_API_KEY_ENV = "OPENAI_API_KEY"


@dataclass
class ChatResult:
    """A usable answer: cleaned ``text``, the server's ``usage`` and the ``raw`` JSON body."""

    text: str
    usage: dict[str, int]
    raw: dict[str, Any]
    raw_text: str = ""
    reasoning: str | None = None
    finish_reason: str | None = None
    model: str | None = None
    attempts: int = 1
    latency: float = 0.0
    cached: bool = False


class ResponseCache(Protocol):
    """Optional store of raw responses keyed by :func:`request_key` (scoring and judging use one)."""

    def get(self, key: str) -> dict[str, Any] | None: ...

    def put(self, key: str, model: str, response: dict[str, Any]) -> None: ...


def canonical_body(body: dict[str, Any]) -> bytes:
    """The body as compact JSON with sorted keys: valid to send, and stable to hash."""
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def request_key(body: dict[str, Any]) -> str:
    """A stable hash of a request body (sorted keys), for response caches."""
    return hashlib.sha256(canonical_body(body)).hexdigest()


@dataclass
class UsageTotals:
    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0

    def add(self, usage: dict[str, Any]) -> None:
        self.requests += 1
        for key in ("prompt_tokens", "completion_tokens", "total_tokens"):
            value = usage.get(key)
            if isinstance(value, int):
                setattr(self, key, getattr(self, key) + value)


RetryHook = Callable[[int, LLMError, float], None]


@dataclass
class ChatClient:
    """``await client.chat(messages, model=...)`` against ``base_url`` (which usually ends in ``/v1``)."""

    base_url: str
    api_key_env: str | None = DEFAULT_API_KEY_ENV
    timeout: float = 120.0
    max_concurrency: int = 8
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    default_extra_body: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    on_retry: RetryHook | None = None
    cache: ResponseCache | None = None
    seed_rng: int | None = None  # makes backoff jitter reproducible in tests
    # After a 401/403/404, raise that error for every later request instead of sending it: a
    # run's other requests (same key, same model) would be refused the same way.
    halt_after_fatal: bool = False

    def __post_init__(self) -> None:
        if not self.base_url.startswith(("http://", "https://")):
            raise ValueError(f"base URL must start with http:// or https://, got {self.base_url!r}")
        if self.max_concurrency < 1:
            raise ValueError("max_concurrency must be at least 1")
        self.base_url = self.base_url.rstrip("/")
        # Read once; kept private and out of repr/str. A missing variable means "send no key"
        # (local vLLM needs none); a 401 then says which variable to set.
        self._api_key = os.environ.get(self.api_key_env) if self.api_key_env else None
        self._http: _ShardedPool | None = None
        self._sem: asyncio.Semaphore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._rng = random.Random(self.seed_rng)
        self._fatal: FatalServerError | None = None
        self.totals = UsageTotals()

    def __repr__(self) -> str:
        key = f"${self.api_key_env} (set)" if self._api_key else "none"
        return f"ChatClient(base_url={self.base_url!r}, api_key={key}, max_concurrency={self.max_concurrency})"

    __str__ = __repr__

    @property
    def url(self) -> str:
        return f"{self.base_url}/chat/completions"

    @property
    def has_api_key(self) -> bool:
        return bool(self._api_key)

    # -- lifecycle -------------------------------------------------------------------
    def _ensure_open(self) -> tuple[_ShardedPool, asyncio.Semaphore]:
        loop = asyncio.get_running_loop()
        if self._http is None or self._loop is not loop:
            # An httpx client and a semaphore belong to one event loop; a new loop (a new
            # asyncio.run) gets fresh ones.
            headers = {"Content-Type": "application/json", **self.headers}
            if self._api_key:
                headers["Authorization"] = f"Bearer {self._api_key}"
            self._http = _ShardedPool(self.max_concurrency, httpx.Timeout(self.timeout), headers)
            self._sem = asyncio.Semaphore(self.max_concurrency)
            self._loop = loop
        assert self._sem is not None
        return self._http, self._sem

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
        self._http = None
        self._loop = None

    async def __aenter__(self) -> ChatClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # -- requests --------------------------------------------------------------------
    def build_body(
        self,
        messages: list[dict[str, Any]],
        *,
        model: str,
        extra_body: dict[str, Any] | None = None,
        temperature: float | None = None,
        max_tokens: int | None = None,
        seed: int | None = None,
        top_p: float | None = None,
        stop: list[str] | None = None,
        response_format: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"model": model, "messages": messages}
        for key, value in (("temperature", temperature), ("max_tokens", max_tokens), ("seed", seed),
                           ("top_p", top_p), ("stop", stop), ("response_format", response_format)):
            if value is not None:
                body[key] = value
        # Extra fields go at the top level of the JSON body, as the OpenAI SDK's extra_body does
        # (vLLM reads e.g. chat_template_kwargs, mm_processor_kwargs, guided_json from there).
        body.update(self.default_extra_body)
        body.update(extra_body or {})
        return body

    async def chat(
        self,
        messages: list[dict[str, Any]],
        *,
        model: str,
        extra_body: dict[str, Any] | None = None,
        temperature: float | None = None,
        max_tokens: int | None = None,
        seed: int | None = None,
        top_p: float | None = None,
        stop: list[str] | None = None,
        response_format: dict[str, Any] | None = None,
        timeout: float | None = None,
        allow_empty: bool = False,
        clean: bool = True,
    ) -> ChatResult:
        """One chat completion, retried as the policy allows; raises an :class:`LLMError` subclass."""
        body = self.build_body(messages, model=model, extra_body=extra_body, temperature=temperature,
                               max_tokens=max_tokens, seed=seed, top_p=top_p, stop=stop,
                               response_format=response_format)
        payload: bytes | None = None
        key: str | None = None
        if self.cache is not None:
            # One serialisation serves as the cache key's input and as the bytes sent.
            payload = canonical_body(body)
            key = hashlib.sha256(payload).hexdigest()
            hit = self.cache.get(key)
            if hit is not None:
                result = self._parse_result(hit, attempts=0, latency=0.0, clean=clean, allow_empty=allow_empty)
                result.cached = True
                return result
        http, sem = self._ensure_open()
        attempt = 0
        while True:
            attempt += 1
            started = time.perf_counter()
            try:
                async with sem:
                    if self._fatal is not None:
                        raise _Halted(self._fatal)
                    # Serialised once, and only when a slot is free: callers may queue thousands
                    # of requests at once without holding thousands of encoded bodies.
                    if payload is None:
                        payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
                    raw = await self._post(http, payload, timeout)
                result = self._parse_result(raw, attempts=attempt, latency=time.perf_counter() - started,
                                            clean=clean, allow_empty=allow_empty)
            except _Halted as halted:
                first = halted.error
                raise FatalServerError(str(first), reason=first.reason, status=first.status, attempts=0) from None
            except TransientError as exc:
                if attempt > self.retry.max_retries:
                    raise RetriesExhausted(f"{exc} (gave up after {attempt} attempts)", reason=exc.reason,
                                           status=exc.status, attempts=attempt) from None
                delay = self.retry.delay(attempt, exc.retry_after, self._rng)
                log.info("retrying %s in %.2fs after %s (attempt %d)", self.url, delay, exc.reason, attempt)
                if self.on_retry is not None:
                    self.on_retry(attempt, exc, delay)
                await asyncio.sleep(delay)
                continue
            except LLMError as exc:
                exc.attempts = attempt
                if isinstance(exc, FatalServerError) and self.halt_after_fatal and self._fatal is None:
                    self._fatal = exc
                raise
            self.totals.add(result.usage)
            if key is not None:
                self.cache.put(key, model, raw)  # type: ignore[union-attr]
            return result

    async def _post(self, pool: _ShardedPool, payload: bytes, timeout: float | None) -> dict[str, Any]:
        try:
            resp = await pool.post(self.url, payload,
                                   httpx.Timeout(timeout) if timeout is not None else httpx.USE_CLIENT_DEFAULT)
        except httpx.TimeoutException:
            raise TransientError(f"no answer from {self.url} within {timeout or self.timeout:g}s",
                                 reason="timeout") from None
        except httpx.TransportError as exc:
            raise TransientError(f"connection to {self.url} failed: {type(exc).__name__}: {_first_line(exc)}",
                                 reason="connection") from None
        if resp.status_code != 200:
            raise self._status_error(resp)
        try:
            data = resp.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise TransientError(f"{self.url} answered 200 with a body that is not JSON: {_excerpt(resp.text)}",
                                 reason="malformed_response") from None
        if not isinstance(data, dict):
            raise TransientError(f"{self.url} answered 200 with JSON that is not an object: {_excerpt(resp.text)}",
                                 reason="malformed_response")
        return data

    def _status_error(self, resp: httpx.Response) -> LLMError:
        status = resp.status_code
        said = _server_message(resp)
        where = f"{status} {resp.reason_phrase or ''}".strip() + f" from {self.url}"
        if is_retryable_status(status):
            return TransientError(f"{where}: {said}", reason=f"http_{status}", status=status,
                                  retry_after=parse_retry_after(resp.headers.get("retry-after")))
        if status in FATAL_STATUSES:
            if status == 401:
                hint = (f"the server rejected the API key read from ${self.api_key_env}" if self._api_key else
                        f"no API key was sent: put it in ${self.api_key_env or DEFAULT_API_KEY_ENV} "
                        "(or name another variable with --api-key-env)")
            elif status == 403:
                hint = "the API key is not allowed to use this model or endpoint"
            else:
                hint = "unknown model or endpoint (check the model name, and that the base URL ends in /v1)"
            return FatalServerError(f"{where}: {hint}; server said: {said}", reason=f"http_{status}", status=status)
        return RequestRejected(f"{where}: {said}", reason=f"http_{status}", status=status)

    def _parse_result(self, raw: dict[str, Any], *, attempts: int, latency: float, clean: bool,
                      allow_empty: bool) -> ChatResult:
        try:
            choice = raw["choices"][0]
            message = choice["message"]
        except (KeyError, IndexError, TypeError):
            raise TransientError(f"{self.url} answered without choices[0].message: {_excerpt(json.dumps(raw))}",
                                 reason="malformed_response") from None
        content = message.get("content")
        if isinstance(content, list):  # some servers return content parts
            content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
        raw_text = content if isinstance(content, str) else ""
        cleaned = clean_reply(raw_text) if clean else None
        text = cleaned.text if cleaned else raw_text
        reasoning = message.get("reasoning_content") or message.get("reasoning") or (cleaned.reasoning if cleaned else None)
        if not text.strip() and not allow_empty:
            finish = choice.get("finish_reason")
            why = " (finish_reason=length: raise max_tokens, or turn thinking off)" if finish == "length" else ""
            raise EmptyContentError(f"{self.url} returned an empty answer{why}", attempts=attempts)
        usage = {k: v for k, v in (raw.get("usage") or {}).items() if isinstance(v, int)}
        return ChatResult(text=text, usage=usage, raw=raw, raw_text=raw_text, reasoning=reasoning,
                          finish_reason=choice.get("finish_reason"), model=raw.get("model"), attempts=attempts,
                          latency=latency)


class _Halted(Exception):
    """Internal: a request not sent because the server refused an earlier one for good."""

    def __init__(self, error: FatalServerError):
        super().__init__(str(error))
        self.error = error


class _ShardedPool:
    """Several small httpx connection pools used as one, each request going to the least busy.

    httpcore's pool rescans every connection whenever a request starts or ends, so its CPU
    cost per request grows with the pool size; at 32 connections that scanning costs more
    than the request itself (benchmarks/caption_throughput.py). Pools of at most
    ``SHARD_CONNECTIONS`` keep it flat. The caller's semaphore bounds the total in flight,
    so the least busy shard always has a free connection.
    """

    SHARD_CONNECTIONS = 8

    def __init__(self, connections: int, timeout: httpx.Timeout, headers: dict[str, str]):
        n = max(1, -(-connections // self.SHARD_CONNECTIONS))
        per = -(-connections // n)
        limits = httpx.Limits(max_connections=per, max_keepalive_connections=per)
        self.clients = [httpx.AsyncClient(timeout=timeout, limits=limits, headers=headers) for _ in range(n)]
        self.busy = [0] * n

    async def post(self, url: str, payload: bytes, timeout: Any) -> httpx.Response:
        i = min(range(len(self.clients)), key=self.busy.__getitem__)
        self.busy[i] += 1
        try:
            return await self.clients[i].post(url, content=payload, timeout=timeout)
        finally:
            self.busy[i] -= 1

    async def aclose(self) -> None:
        for client in self.clients:
            await client.aclose()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else "no details"


def _excerpt(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split())
    return (flat[:limit] + "…") if len(flat) > limit else (flat or "(empty body)")


def _server_message(resp: httpx.Response) -> str:
    """The server's own error text: OpenAI's ``{"error": {"message": ...}}``, else the body."""
    try:
        data = resp.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return _excerpt(resp.text)
    if isinstance(data, dict):
        err = data.get("error")
        if isinstance(err, dict) and err.get("message"):
            return _excerpt(str(err["message"]))
        if isinstance(err, str):
            return _excerpt(err)
        if data.get("message"):
            return _excerpt(str(data["message"]))
        if data.get("detail"):
            return _excerpt(str(data["detail"]))
    return _excerpt(resp.text)
