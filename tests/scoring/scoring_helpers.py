"""Helpers for the scoring tests: recognising protocol requests, answering like an EditScore model."""

from __future__ import annotations

import json
from collections.abc import Callable

from editcaption.testing.stub_openai import Reply, StubRequest

SAMPLE_RUN = "source:manifest"  # the run the manifest's reference instructions are ingested under


def last_text(req: StubRequest) -> str:
    texts = req.texts
    return texts[-1] if texts else ""


def kind_of(req: StubRequest) -> str:
    """sc | pq | repair — which protocol request this is."""
    if "could not be read" in last_text(req):
        return "repair"
    return "sc" if "Editing instruction:" in last_text(req) else "pq"


def instruction_of(req: StubRequest) -> str | None:
    for text in req.texts:
        if "Editing instruction:" in text:
            return text.rsplit("Editing instruction:", 1)[1].strip()
    return None


def answer(scores: list[float | str], reasoning: str = "Looks as asked.") -> str:
    return json.dumps({"reasoning": reasoning, "score": scores})


Answer = Callable[[StubRequest], "Reply | str"] | Reply | str


def editscore_responder(sc: Answer | dict[str, str], pq: Answer = answer([25, 20]),
                        repair: Answer = answer([10, 10])) -> Callable[[StubRequest], Reply | str]:
    """Answers SC requests by instruction (dict), function or fixed reply; PQ and repair requests likewise."""

    def respond(req: StubRequest) -> Reply | str:
        which = kind_of(req)
        if which == "pq":
            return pq(req) if callable(pq) else pq
        if which == "repair":
            return repair(req) if callable(repair) else repair
        if isinstance(sc, dict):
            return sc[instruction_of(req) or ""]
        return sc(req) if callable(sc) else sc

    return respond
