"""The EditScore-protocol prompts, as versioned text files (``editscore-<kind>-<version>.txt``).

* ``sc`` — semantic consistency: both images and the instruction; two scores (edit success,
  over-editing). Slots: ``{instruction}``, ``{max_score}``.
* ``pq`` — perceptual quality: the edited (target) image only; two scores (naturalness,
  artifacts). Slot: ``{max_score}``.
* ``repair`` — the follow-up turn sent once when an answer cannot be read. Slots:
  ``{problem}``, ``{max_score}``.

The text follows EditScore's protocol (arXiv 2509.23909; its prompts derive from VIEScore) in
our own words. A run records each prompt's id (name, version and a content hash), and a user's
own file can replace a packaged one (``--sc-prompt`` / ``--pq-prompt``), e.g. for exact parity
with the text a reward model was trained on.
"""

from __future__ import annotations

from pathlib import Path

from ...prompts import PromptTemplate, packaged_prompt

DEFAULT_VERSION = "v1"
KINDS = ("sc", "pq", "repair")
REQUIRED_SLOTS = {"sc": ("{instruction}",), "pq": (), "repair": ("{problem}",)}


class ScoringPromptError(ValueError):
    """A prompt file that cannot serve its purpose (the message says which slot is missing)."""


def load_scoring_prompt(kind: str, version: str = DEFAULT_VERSION, path: str | Path | None = None) -> PromptTemplate:
    """A packaged scoring prompt, or a user's file checked for the slots ``kind`` needs."""
    if kind not in KINDS:
        raise ScoringPromptError(f"unknown scoring prompt kind {kind!r}: expected one of {', '.join(KINDS)}")
    if path is not None:
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ScoringPromptError(f"cannot read prompt file {p}: {exc}") from None
        template = PromptTemplate(name=f"editscore-{kind}-{p.stem}", version="custom", text=text, source=str(p))
    else:
        template = packaged_prompt(__name__, f"editscore-{kind}", version, what="scoring prompt",
                                   error=ScoringPromptError)
    missing = [slot for slot in REQUIRED_SLOTS[kind] if slot not in template.text]
    if missing:
        raise ScoringPromptError(f"the {kind} prompt {template.source} lacks the slot {', '.join(missing)}")
    return template


def render(template: PromptTemplate, **slots: object) -> str:
    """The prompt text with ``{name}`` slots filled (other braces, e.g. JSON examples, stay as they are)."""
    text = template.text
    for name, value in slots.items():
        text = text.replace("{" + name + "}", str(value))
    return text.strip()
