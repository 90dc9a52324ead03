"""The shared OpenAI-compatible client against the stub server: requests, retries, faults.

Nothing here races the clock: a timeout is a request the stub holds at a gate (it cannot
answer in time, however slow the machine), and concurrency is checked with a gate that
opens only once the expected number of requests wait at it.
"""

from __future__ import annotations

import asyncio
import logging

import numpy as np
import pytest

from editcaption.llm import (
    ChatClient,
    EmptyContentError,
    FatalServerError,
    ImageEncoding,
    ModelCallConfig,
    RequestRejected,
    RetriesExhausted,
    RetryPolicy,
    encode_pair,
    pair_messages,
)
from editcaption.testing.stub_openai import Gate, Reply

RED = (220, 20, 20)
BLUE = (20, 40, 220)
FAST = RetryPolicy(max_retries=3, base_delay=0.01, max_delay=0.05)


def solid(color, w=120, h=80):  # noqa: ANN001
    img = np.zeros((h, w, 3), np.uint8)
    img[:] = color
    return img


def messages(max_side=64):  # noqa: ANN001
    return pair_messages("Write the instruction.", encode_pair(solid(RED), solid(BLUE), ImageEncoding(max_side=max_side)))


def run(coro):  # noqa: ANN001
    return asyncio.run(coro)


async def chat_once(client, msgs, **kw):  # noqa: ANN001
    try:
        return await client.chat(msgs, model=kw.pop("model", "glm-4.5v"), **kw)
    finally:
        await client.aclose()


def test_request_has_both_images_in_order_model_and_extra_fields(stub, monkeypatch):
    monkeypatch.setenv("MY_KEY", "sk-test-abc")
    stub.script(Reply.ok("Recolour the square from red to blue.", usage={"prompt_tokens": 11, "completion_tokens": 7,
                                                                          "total_tokens": 18}))
    client = ChatClient(stub.base_url, api_key_env="MY_KEY",
                        default_extra_body={"mm_processor_kwargs": {"max_pixels": 50176}})
    result = run(chat_once(client, messages(), extra_body={"chat_template_kwargs": {"enable_thinking": False}},
                           temperature=0.0, max_tokens=77, seed=3))
    assert result.text == "Recolour the square from red to blue."
    assert result.usage == {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18}
    assert result.attempts == 1 and client.totals.total_tokens == 18

    [req] = stub.requests
    assert req.path == "/v1/chat/completions"
    assert req.headers["authorization"] == "Bearer sk-test-abc"
    body = req.json
    assert body["model"] == "glm-4.5v"
    assert body["chat_template_kwargs"] == {"enable_thinking": False}
    assert body["mm_processor_kwargs"] == {"max_pixels": 50176}
    assert (body["temperature"], body["max_tokens"], body["seed"]) == (0.0, 77, 3)
    assert [m["role"] for m in body["messages"]] == ["user"]
    parts = body["messages"][0]["content"]
    assert [p["type"] for p in parts] == ["text", "image_url", "text", "image_url", "text"]
    assert req.texts == ["Image 1 (source):", "Image 2 (target):", "Write the instruction."]
    assert all(u.startswith("data:image/jpeg;base64,") for u in req.image_urls)
    first, second = req.images()
    assert first.shape == second.shape == (43, 64, 3)  # 120×80 resized to a 64 px longest side
    assert np.abs(first.reshape(-1, 3).mean(0) - RED).max() < 8  # source first ...
    assert np.abs(second.reshape(-1, 3).mean(0) - BLUE).max() < 8  # ... then target


def test_429_honours_retry_after_then_5xx_backs_off_and_same_bytes_are_resent(stub):
    stub.script(Reply.rate_limited(retry_after=0.2), Reply.server_error(503), Reply.ok("Pan left."))
    retries = []
    client = ChatClient(stub.base_url, retry=FAST, on_retry=lambda n, err, delay: retries.append((n, err.reason, delay)))
    result = run(chat_once(client, messages()))
    assert result.text == "Pan left." and result.attempts == 3
    assert [(n, r) for n, r, _ in retries] == [(1, "http_429"), (2, "http_503")]
    assert 0.2 <= retries[0][2] <= 0.2 + FAST.base_delay  # Retry-After is the floor
    assert 0 <= retries[1][2] <= FAST.base_delay * 2  # exponential ceiling for the second retry
    bodies = [r.raw for r in stub.requests]
    assert len(bodies) == 3 and bodies[0] == bodies[1] == bodies[2]  # images encoded once, resent as is


@pytest.mark.parametrize(
    ("reply", "error", "reason"),
    [
        (Reply.bad_request(), RequestRejected, "http_400"),
        (Reply.bad_request("prompt too long", status=422), RequestRejected, "http_422"),
        (Reply.unauthorized(), FatalServerError, "http_401"),
        (Reply.server_error(403, "model not allowed"), FatalServerError, "http_403"),
        (Reply.server_error(404, "The model `nope` does not exist."), FatalServerError, "http_404"),
    ],
)
def test_client_errors_are_not_retried(stub, reply, error, reason):  # noqa: ANN001
    stub.script(reply, Reply.ok("never reached"))
    client = ChatClient(stub.base_url, retry=FAST, api_key_env=None)
    with pytest.raises(error) as info:
        run(chat_once(client, messages()))
    assert info.value.reason == reason and info.value.attempts == 1
    assert len(stub.requests) == 1
    text = str(info.value)
    assert "\n" not in text and stub.base_url in text
    server_said = reply.body["error"]["message"]
    assert server_said in text


def test_401_message_names_the_variable_and_never_the_key(stub, monkeypatch, caplog):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-very-secret-999")
    caplog.set_level(logging.DEBUG)
    stub.script(Reply.rate_limited(retry_after=0), Reply.unauthorized())
    client = ChatClient(stub.base_url, retry=FAST)
    with pytest.raises(FatalServerError) as info:
        run(chat_once(client, messages()))
    assert "$OPENAI_API_KEY" in str(info.value) and "rejected the API key" in str(info.value)
    assert stub.requests[0].headers["authorization"] == "Bearer sk-very-secret-999"
    for shown in (str(info.value), repr(client), caplog.text):
        assert "sk-very-secret-999" not in shown
    assert "retrying" in caplog.text  # the 429 was logged, without the key

    monkeypatch.delenv("OPENAI_API_KEY")
    stub.script(Reply.unauthorized())
    with pytest.raises(FatalServerError) as info:
        run(chat_once(ChatClient(stub.base_url), messages()))
    assert "no API key was sent" in str(info.value)
    assert "authorization" not in stub.requests[-1].headers


def test_a_request_that_never_answers_times_out_and_is_retried(stub):
    never = Gate()  # nothing answers before the test releases it, after the client gave up
    stub.script(Reply.held(never), Reply.held(never), Reply.ok("never reached"))
    retries = []
    client = ChatClient(stub.base_url, timeout=1.0, retry=RetryPolicy(max_retries=1, base_delay=0.01),
                        on_retry=lambda n, e, d: retries.append(e.reason))
    with pytest.raises(RetriesExhausted) as info:
        run(chat_once(client, messages()))
    never.release()
    assert info.value.reason == "timeout" and info.value.attempts == 2
    assert "no answer from" in str(info.value) and "within 1s (gave up after 2 attempts)" in str(info.value)
    assert retries == ["timeout"] and {r.reply.gate for r in stub.requests} == {never}


def test_connection_errors_are_retried_then_reported():
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens on this port now
    client = ChatClient(f"http://127.0.0.1:{port}/v1", retry=RetryPolicy(max_retries=2, base_delay=0.01))
    with pytest.raises(RetriesExhausted) as info:
        run(chat_once(client, messages()))
    assert info.value.reason == "connection" and info.value.attempts == 3
    assert "gave up after 3 attempts" in str(info.value)


def test_malformed_json_is_retried_then_gives_up(stub):
    stub.script(Reply.malformed(), Reply.malformed(), Reply.malformed(), Reply.malformed())
    client = ChatClient(stub.base_url, retry=RetryPolicy(max_retries=2, base_delay=0.01))
    with pytest.raises(RetriesExhausted) as info:
        run(chat_once(client, messages()))
    assert info.value.reason == "malformed_response" and len(stub.requests) == 3
    assert "not JSON" in str(info.value)


def test_malformed_then_good_succeeds(stub):
    stub.script(Reply.malformed(), Reply(body={"choices": []}), Reply.ok("Remove the red disc."))
    result = run(chat_once(ChatClient(stub.base_url, retry=FAST), messages()))
    assert result.text == "Remove the red disc." and result.attempts == 3


def test_empty_content_fails_without_retry(stub):
    stub.script(Reply.empty(finish_reason="length"), Reply.ok("never reached"))
    with pytest.raises(EmptyContentError) as info:
        run(chat_once(ChatClient(stub.base_url, retry=FAST), messages()))
    assert info.value.reason == "empty_content" and "max_tokens" in str(info.value)
    assert len(stub.requests) == 1
    stub.clear()
    stub.script(Reply.ok("<think>only thoughts</think>"))
    result = run(chat_once(ChatClient(stub.base_url), messages(), allow_empty=True))
    assert result.text == "" and result.reasoning == "only thoughts"


def test_thinking_boxes_and_fences_are_stripped(stub):
    stub.script(
        Reply.ok("<think>The cat moved.</think>\n<|begin_of_box|>Pan the camera to the left.<|end_of_box|>"),
        Reply.ok("```text\nMirror the image horizontally.\n```"),
        Reply.ok("Brighten the whole image.", reasoning="vLLM reasoning parser output"),
    )
    client = ChatClient(stub.base_url)

    async def three():
        try:
            return [await client.chat(messages(), model="m") for _ in range(3)]
        finally:
            await client.aclose()

    a, b, c = run(three())
    assert (a.text, a.reasoning) == ("Pan the camera to the left.", "The cat moved.")
    assert b.text == "Mirror the image horizontally."
    assert (c.text, c.reasoning) == ("Brighten the whole image.", "vLLM reasoning parser output")


@pytest.mark.parametrize("limit", [3, 20])  # 20 connections are spread over three httpx pools
def test_concurrency_is_bounded(stub, limit):  # noqa: ANN001
    # The first `limit` requests are held until all of them are in flight together; a client
    # that sent fewer at once would fail on its (generous) timeout instead of passing.
    together = Gate(open_at=limit)
    stub.responder = lambda req: Reply.held(together, Reply.ok("Pan left."))
    client = ChatClient(stub.base_url, max_concurrency=limit, timeout=60.0, retry=RetryPolicy(max_retries=0))
    msgs = messages()

    async def many():
        try:
            return await asyncio.gather(*(client.chat(msgs, model="m") for _ in range(3 * limit)))
        finally:
            await client.aclose()

    results = run(many())
    assert len(results) == 3 * limit and len(stub.requests) == 3 * limit and together.arrived == 3 * limit
    assert {r.text for r in results} == {"Pan left."} and stub.max_in_flight == limit


def test_response_cache_answers_repeated_requests(stub):
    class DictCache(dict):
        def put(self, key, model, response):  # noqa: ANN001
            self[key] = response

    cache = DictCache()
    stub.script(Reply.ok("Turn the sky orange."))
    client = ChatClient(stub.base_url, cache=cache)

    async def twice():
        try:
            return [await client.chat(messages(), model="m", temperature=0) for _ in range(2)]
        finally:
            await client.aclose()

    first, second = run(twice())
    assert first.text == second.text == "Turn the sky orange."
    assert (first.cached, second.cached) == (False, True) and len(stub.requests) == 1


def test_after_a_401_a_halting_client_sends_nothing_more(stub):
    stub.script(Reply.unauthorized(), Reply.ok("never reached"))
    client = ChatClient(stub.base_url, retry=FAST, api_key_env=None, halt_after_fatal=True, max_concurrency=1)

    async def three():
        try:
            return await asyncio.gather(*(client.chat(messages(), model="m") for _ in range(3)),
                                        return_exceptions=True)
        finally:
            await client.aclose()

    first, second, third = run(three())  # the client's one connection slot serialises them
    assert all(isinstance(e, FatalServerError) and e.reason == "http_401" for e in (first, second, third))
    assert (first.attempts, second.attempts, third.attempts) == (1, 0, 0) and str(second) == str(first)
    assert len(stub.requests) == 1


def test_the_shared_model_call_settings_make_the_client(stub, monkeypatch):
    monkeypatch.setenv("STAGE_KEY", "sk-stage")
    calls = ModelCallConfig(api_key_env="STAGE_KEY", extra_body={"top_k": 20}, timeout=30.0, max_retries=2,
                            concurrency=None)
    client = calls.client(stub.base_url, default_concurrency=7)
    assert (client.max_concurrency, client.timeout, client.retry.max_retries) == (7, 30.0, 2)
    assert client.halt_after_fatal and "sk-stage" not in repr(client)
    stub.script(Reply.ok("Crop the left third."))
    assert run(chat_once(client, messages())).text == "Crop the left third."
    [req] = stub.requests
    assert req.headers["authorization"] == "Bearer sk-stage" and req.json["top_k"] == 20
    assert ModelCallConfig(concurrency=3).client(stub.base_url, default_concurrency=7).max_concurrency == 3
    assert calls.to_record() == {"api_key_env": "STAGE_KEY", "extra_body": {"top_k": 20}, "temperature": None,
                                 "timeout": 30.0, "max_retries": 2, "concurrency": None}


def test_bad_base_url_is_refused():
    with pytest.raises(ValueError, match="http"):
        ChatClient("localhost:8000/v1")
