"""Model specs: the one string that names a producer everywhere (docs/concepts/models.md).

* ``delta`` — the offline geometric analyzer, no weights;
* ``openai:<model>@<base_url>`` — any OpenAI-compatible server (vLLM, SGLang, TGI, hosted
  APIs); without ``@<base_url>`` the OpenAI API is meant;
* ``hf:<path>`` — a local ``transformers`` checkpoint (a directory, or a hub id already in
  the local cache);
* ``editscore:<model>@<base_url>`` — an EditScore reward model served behind an
  OpenAI-compatible API (scoring only: accepted when the caller asks for it with ``kinds``).

Captioning, scoring and judging all parse specs here, so the same string means the same
model in every stage.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

OPENAI_DEFAULT_BASE_URL = "https://api.openai.com/v1"
SPEC_FORMS = "delta, openai:<model>@<base_url> or hf:<path>"
EDITSCORE_FORM = "editscore:<model>@<base_url>"
PRODUCER_KINDS = ("delta", "openai", "hf")  # what writes instructions; the default of parse_model_spec

_OPENAI_RE = re.compile(r"^(?P<model>.+?)@(?P<url>https?://\S+)$")


class ModelSpecError(ValueError):
    pass


@dataclass(frozen=True)
class ModelSpec:
    kind: str  # delta | openai | hf | editscore
    model: str | None = None  # openai, editscore: the served model name
    base_url: str | None = None  # openai, editscore: up to and including /v1
    path: str | None = None  # hf: checkpoint directory or hub id

    def __str__(self) -> str:
        if self.kind in ("openai", "editscore"):
            return f"{self.kind}:{self.model}@{self.base_url}"
        if self.kind == "hf":
            return f"hf:{self.path}"
        return self.kind


def parse_model_spec(text: str, kinds: Collection[str] = PRODUCER_KINDS) -> ModelSpec:
    """Parse a spec, or raise :class:`ModelSpecError` naming the accepted forms.

    ``kinds`` says which kinds the caller can use (default: the instruction producers);
    scoring passes ``("editscore",)``.
    """
    forms = _forms(kinds)
    spec = (text or "").strip()
    if spec == "delta" and "delta" in kinds:
        return ModelSpec("delta")
    kind, sep, rest = spec.partition(":")
    if not sep or not rest.strip():
        raise ModelSpecError(f"unknown model spec {text!r}: expected {forms}")
    rest = rest.strip()
    if kind not in kinds and kind in (*PRODUCER_KINDS, "editscore"):
        role = "an EditScore scorer (use it with `editcaption score -m`)" if kind == "editscore" else \
            "a model that writes instructions, not one accepted here"
        raise ModelSpecError(f"model spec {text!r} names {role}: expected {forms}")
    if kind == "openai":
        model, url = _model_at_url(text, rest, kind, OPENAI_DEFAULT_BASE_URL)
        return ModelSpec("openai", model=model, base_url=url)
    if kind == "editscore":
        model, url = _model_at_url(text, rest, kind, None)
        return ModelSpec("editscore", model=model, base_url=url)
    if kind == "hf":
        return ModelSpec("hf", path=rest)
    raise ModelSpecError(f"unknown model spec kind {kind!r} in {text!r}: expected {forms}")


def _forms(kinds: Collection[str]) -> str:
    if tuple(kinds) == PRODUCER_KINDS:
        return SPEC_FORMS
    named = {"delta": "delta", "openai": "openai:<model>@<base_url>", "hf": "hf:<path>", "editscore": EDITSCORE_FORM}
    listed = [named[k] for k in kinds if k in named]
    return " or ".join(listed) if len(listed) < 3 else ", ".join(listed[:-1]) + " or " + listed[-1]


def _model_at_url(text: str, rest: str, kind: str, default_url: str | None) -> tuple[str, str]:
    """``<model>@<base_url>`` (the URL may be left out only when the kind has a default)."""
    m = _OPENAI_RE.match(rest)
    if m:
        model, url = m.group("model"), m.group("url").rstrip("/")
    elif "@" in rest and not rest.startswith("@"):
        bad = rest.rsplit("@", 1)[1]
        raise ModelSpecError(f"model spec {text!r}: base URL {bad!r} must start with http:// or https://")
    elif default_url is None:
        raise ModelSpecError(f"model spec {text!r} names no server: expected {kind}:<model>@<base_url>, "
                             "e.g. {kind}:EditScore-7B@http://localhost:8000/v1".replace("{kind}", kind))
    else:
        model, url = rest, default_url
    if not model or model.startswith("@"):
        raise ModelSpecError(f"model spec {text!r} names no model: expected {kind}:<model>@<base_url>")
    if "@" in url.split("://", 1)[1].split("/", 1)[0]:
        raise ModelSpecError(f"model spec {text!r}: keep credentials out of the URL; use --api-key-env")
    return model, url
