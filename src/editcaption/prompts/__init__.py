"""Prompt files, versioned, shared by captioning, dataset export and training.

Prompts are plain text files in this package (``<name>-<version>.txt``). Every stage that
builds the two-image instruction request — the caption backends, `export sft`, the
training collator — goes through :func:`load_prompt` and :func:`instruction_messages`, so a
model is trained on exactly the prompt it is later asked with. ``--prompt FILE`` replaces
the packaged text with a user's own file.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

DEFAULT_VERSION = "v1"


@dataclass(frozen=True)
class PromptTemplate:
    name: str
    version: str
    text: str
    source: str  # "package" or the path of a user file

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @property
    def id(self) -> str:
        """What runs record: name, version and a short content hash (edits to a file change it)."""
        return f"{self.name}-{self.version}@{self.sha256[:10]}"

    def render(self, hints: str | None = None) -> str:
        if "{hints}" in self.text:
            if hints is None:
                raise ValueError(f"prompt {self.name} needs grounding hints")
            return self.text.replace("{hints}", hints).strip()
        return self.text.strip()


def load_prompt(name: str = "instruction", version: str = DEFAULT_VERSION, path: str | Path | None = None) -> PromptTemplate:
    """A packaged prompt (``instruction``, ``instruction-grounded``) or a user's file."""
    if path is not None:
        p = Path(path)
        return PromptTemplate(name=p.stem, version="custom", text=p.read_text(encoding="utf-8"), source=str(p))
    return packaged_prompt(__name__, name, version)


def packaged_prompt(package: str, name: str, version: str, *, what: str = "prompt",
                    error: type[Exception] = FileNotFoundError) -> PromptTemplate:
    """``<name>-<version>.txt`` shipped inside ``package`` (each stage keeps its prompt files beside its code)."""
    res = resources.files(package) / f"{name}-{version}.txt"
    if not res.is_file():
        raise error(f"no packaged {what} {name}-{version}")
    return PromptTemplate(name=name, version=version, text=res.read_text(encoding="utf-8"), source="package")


SOURCE_LABEL = "Image 1 (source):"
TARGET_LABEL = "Image 2 (target):"


def instruction_messages(prompt_text: str) -> list[dict[str, Any]]:
    """The user turn in chat-template form: source label, image, target label, image, prompt.

    Image parts are ``{"type": "image"}`` placeholders (TRL / transformers processors fill
    them with ``images=[source, target]`` in that order).
    """
    return [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": SOURCE_LABEL},
                {"type": "image"},
                {"type": "text", "text": TARGET_LABEL},
                {"type": "image"},
                {"type": "text", "text": prompt_text},
            ],
        }
    ]
