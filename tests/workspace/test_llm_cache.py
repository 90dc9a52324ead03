"""The workspace response cache: the ResponseCache protocol on the llm_cache table, used by the real client."""

from __future__ import annotations

import asyncio

import numpy as np

from editcaption.llm import ChatClient, ImageEncoding, encode_pair, pair_messages, request_key
from editcaption.testing.stub_openai import StubOpenAI
from editcaption.workspace import Workspace
from editcaption.workspace.llm_cache import WorkspaceResponseCache

RESPONSE = {"id": "x", "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hi."},
                                    "finish_reason": "stop"}], "usage": {"total_tokens": 3}}


def test_get_put_round_trip_and_counts(workspace):  # noqa: ANN001 - SQLite and PostgreSQL
    cache = WorkspaceResponseCache(workspace)
    key = request_key({"model": "m", "messages": [], "seed": 1})
    assert cache.get(key) is None
    cache.put(key, "m", RESPONSE)
    cache.put(key, "m", RESPONSE)  # the same request stored twice stays one row
    assert cache.get(key) == RESPONSE and len(cache) == 1
    assert cache.stats() == {"hits": 1, "misses": 1, "writes": 2}
    reopened = WorkspaceResponseCache(Workspace.open(workspace.root, workspace.db_url))
    assert reopened.get(key) == RESPONSE  # it lives in the workspace, not in memory
    reopened.ws.close()


def test_write_only_mode_asks_again_and_keeps_the_newest(workspace):  # noqa: ANN001
    key = request_key({"model": "m"})
    WorkspaceResponseCache(workspace).put(key, "m", RESPONSE)
    fresh = WorkspaceResponseCache(workspace, read=False)
    assert fresh.get(key) is None
    newer = {**RESPONSE, "id": "y"}
    fresh.put(key, "m", newer)
    assert WorkspaceResponseCache(workspace).get(key) == newer and len(fresh) == 1


def test_the_client_answers_an_identical_request_from_the_workspace(sqlite_workspace):  # noqa: ANN001
    img = np.zeros((32, 32, 3), np.uint8)
    msgs = pair_messages("Describe the edit.", encode_pair(img, img + 50, ImageEncoding(max_side=32)))
    cache = WorkspaceResponseCache(sqlite_workspace)

    async def ask(client: ChatClient, **kw):  # noqa: ANN202
        try:
            return await client.chat(msgs, model="EditScore-7B", temperature=0.7, **kw)
        finally:
            await client.aclose()

    with StubOpenAI(lambda req: f"answer for seed {req.json.get('seed')}") as stub:
        first = asyncio.run(ask(ChatClient(stub.base_url, cache=cache), seed=42))
        # A new client in a new event loop (a new run) with the same request: no HTTP call.
        second = asyncio.run(ask(ChatClient(stub.base_url, cache=WorkspaceResponseCache(sqlite_workspace)), seed=42))
        other_seed = asyncio.run(ask(ChatClient(stub.base_url, cache=cache), seed=43))
        assert stub.count == 2
    assert first.text == second.text == "answer for seed 42" and other_seed.text == "answer for seed 43"
    assert not first.cached and second.cached and second.attempts == 0
