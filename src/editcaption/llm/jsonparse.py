"""Reading a JSON value out of a model's reply, without ever guessing one.

Models asked for JSON answer with code fences, a sentence before or after, Python-style
single quotes, trailing commas, ``<think>`` blocks, a list around the object, or numbers
written as strings. :func:`parse_json_reply` undoes exactly the changes that cannot alter
a value, and reports every other reply as a failure with a precise, one-line reason:

* reasoning (``<think>…</think>``, also a dangling closing tag), GLM answer boxes and code
  fences are removed (:func:`editcaption.llm.text.clean_reply`);
* the JSON may sit anywhere in prose; every balanced ``{…}`` / ``[…]`` span is a candidate;
* relaxed syntax inside a candidate is normalised: single- or curly-quoted strings, trailing
  commas, ``True/False/None``, unquoted keys, ``//`` comments;
* NaN/Infinity, duplicate keys, cut-off JSON and *several different* JSON values are errors
  (choosing one of two answers would be a guess).

:func:`as_number` and :func:`number_list` read fields the same way: a number, or a string that
is exactly a number, else an error that says what was there.

Used by the EditScore scorer and the LLM judge. The libraries that "repair" JSON (e.g.
``json_repair``) complete cut-off text and drop what they cannot read — they invent values,
which is precisely what a score must never do — hence this small parser of our own.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any, Literal

from .text import clean_reply

Expect = Literal["object", "array", "any"]

MAX_SCAN_CHARS = 200_000  # replies longer than this are read only up to here
_OPEN_TO_CLOSE = {"{": "}", "[": "]"}
_CURLY_OPEN, _CURLY_CLOSE = "\u201c", "\u201d"
_NUMBER_RE = re.compile(r"^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*$")
_INNER_FENCE = re.compile(r"```[\w+-]*[ \t]*\n?(.*?)```", re.S)
_BARE_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PY_LITERALS = {"True": "true", "False": "false", "None": "null"}


class JsonFieldError(ValueError):
    """A field that is missing or not what was asked for (the message says what was found)."""


@dataclass(frozen=True)
class JsonReply:
    """The outcome of :func:`parse_json_reply`.

    ``value`` is the JSON value when ``ok``; otherwise ``code`` is one of ``empty``,
    ``no_json``, ``truncated``, ``invalid_json``, ``wrong_type``, ``missing_keys``,
    ``ambiguous`` and ``error`` is a one-line explanation. ``repairs`` lists the harmless
    changes that were made to read it (for logs and the stored raw record).
    """

    value: Any = None
    error: str | None = None
    code: str | None = None
    repairs: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.error is None


class _InvalidJson(ValueError):
    pass


def parse_json_reply(text: str | None, *, expect: Expect = "object", required_keys: tuple[str, ...] = ()) -> JsonReply:
    """The one JSON value of a reply, or the precise reason there is none.

    ``expect="object"`` also accepts a list holding exactly one object (unwrapped, and
    recorded in ``repairs``). With ``required_keys``, objects lacking any of them are not
    answers: a reply with an example object and the real one is read as the real one.
    """
    if text is None or not text.strip():
        return JsonReply(error="the reply is empty", code="empty")
    repairs: list[str] = []
    cleaned = clean_reply(text[:MAX_SCAN_CHARS])
    body = cleaned.text
    if cleaned.reasoning or "think>" in text.lower():
        repairs.append("reasoning removed")
    if body != text.strip() and "```" in text and "```" not in body:
        repairs.append("code fence removed")
    if not body.strip():
        return JsonReply(error="the reply holds only reasoning, no answer", code="empty", repairs=tuple(repairs))

    whole = _loads_candidate(body.strip())
    if whole.ok and _type_ok(_unwrap(whole.value, expect), expect):
        return _finish(whole.value, whole.repairs, repairs, expect, required_keys)

    parsed: list[tuple[Any, tuple[str, ...]]] = []
    failures: list[str] = []
    truncated = False
    for span, closed in _candidate_spans(body):
        if not closed:
            truncated = True
            continue
        cand = _loads_candidate(span)
        if cand.ok:
            parsed.append((cand.value, (*cand.repairs, "surrounding text ignored")))
        else:
            failures.append(cand.error or "invalid JSON")
    if whole.ok and not parsed:  # the whole reply is JSON, just not the kind asked for
        parsed.append((whole.value, whole.repairs))

    typed = [(_unwrap(v, expect), r) for v, r in parsed if _type_ok(_unwrap(v, expect), expect)]
    if required_keys:
        complete = [(v, r) for v, r in typed if isinstance(v, dict) and all(k in v for k in required_keys)]
        if complete:
            typed = complete
    distinct: dict[str, tuple[Any, tuple[str, ...]]] = {}
    for v, r in typed:
        distinct.setdefault(json.dumps(v, sort_keys=True), (v, r))
    if len(distinct) > 1:
        return JsonReply(error=f"the reply holds {len(distinct)} different JSON {_noun(expect)}s; "
                               "taking one would be a guess", code="ambiguous", repairs=tuple(repairs))
    if len(distinct) == 1:
        value, found = next(iter(distinct.values()))
        return _finish(value, found, repairs, expect, required_keys)

    # Nothing usable: say why as precisely as we can.
    if truncated:
        return JsonReply(error="the JSON is not closed (the reply looks cut off)", code="truncated",
                         repairs=tuple(repairs))
    if parsed:
        kinds = sorted({_kind(v) for v, _ in parsed})
        return JsonReply(error=f"expected a JSON {_noun(expect)}, found {' and '.join(kinds)}", code="wrong_type",
                         repairs=tuple(repairs))
    if failures:
        return JsonReply(error=f"invalid JSON: {failures[0]}", code="invalid_json", repairs=tuple(repairs))
    return JsonReply(error=f"no JSON {_noun(expect)} in the reply: {_excerpt(body)}", code="no_json",
                     repairs=tuple(repairs))


def _finish(value: Any, found: tuple[str, ...], repairs: list[str], expect: Expect,
            required_keys: tuple[str, ...]) -> JsonReply:
    unwrapped = _unwrap(value, expect)
    if unwrapped is not value:
        found = (*found, "single-item list unwrapped")
    all_repairs = tuple(dict.fromkeys([*repairs, *found]))
    if required_keys and isinstance(unwrapped, dict):
        missing = [k for k in required_keys if k not in unwrapped]
        if missing:
            have = ", ".join(sorted(map(str, unwrapped))) or "none"
            return JsonReply(error=f"missing key{'s' if len(missing) > 1 else ''} {', '.join(map(repr, missing))} "
                                   f"(keys present: {have})", code="missing_keys", repairs=all_repairs)
    return JsonReply(value=unwrapped, repairs=all_repairs)


def _unwrap(value: Any, expect: Expect) -> Any:
    """A list holding exactly one object counts as that object when an object is expected."""
    if expect == "object" and isinstance(value, list) and len(value) == 1 and isinstance(value[0], dict):
        return value[0]
    return value


def _type_ok(value: Any, expect: Expect) -> bool:
    if expect == "object":
        return isinstance(value, dict)
    if expect == "array":
        return isinstance(value, list)
    return isinstance(value, (dict, list))


def _noun(expect: Expect) -> str:
    return {"object": "object", "array": "array"}.get(expect, "value")


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return f"a list of {len(value)} item{'s' if len(value) != 1 else ''}"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return f"a {type(value).__name__}"


def _excerpt(text: str, limit: int = 80) -> str:
    flat = " ".join(text.split())
    return repr(flat[:limit] + "…") if len(flat) > limit else repr(flat)


# -- candidates ---------------------------------------------------------------------------


def _candidate_spans(text: str) -> list[tuple[str, bool]]:
    """Fenced blocks anywhere in the text, then every outermost ``{…}``/``[…]`` span.

    Returns (span, closed); an unclosed span runs to the end of the text (a cut-off reply).
    """
    spans: list[tuple[str, bool]] = [(m.group(1).strip(), True) for m in _INNER_FENCE.finditer(text)]
    spans = [(s, c) for s, c in spans if s[:1] in _OPEN_TO_CLOSE]
    outside = _INNER_FENCE.sub(" ", text) if spans else text
    i = 0
    while i < len(outside):
        if outside[i] in _OPEN_TO_CLOSE:
            end = _matching_close(outside, i)
            if end is None:  # never closed: the reply was cut off here
                spans.append((outside[i:], False))
                break
            if end >= 0:
                spans.append((outside[i : end + 1], True))
                i = end + 1
                continue
        i += 1  # not a bracket, or brackets that do not pair up (prose)
    return spans


def _matching_close(text: str, start: int) -> int | None:
    """Index of the bracket closing ``text[start]``; -1 if brackets mismatch; None if never closed.

    Strings of any quote style are skipped; a lone apostrophe (``it's``) is just a character.
    """
    stack = [_OPEN_TO_CLOSE[text[start]]]
    i = start + 1
    while i < len(text):
        ch = text[i]
        if ch in "\"'" or ch == _CURLY_OPEN:
            end = _string_end(text, i)
            if end is not None:
                i = end + 1
                continue
            if ch == '"':
                return None  # an unclosed JSON string: cut off
        elif ch in _OPEN_TO_CLOSE:
            stack.append(_OPEN_TO_CLOSE[ch])
        elif ch in "}]":
            if ch != stack[-1]:
                return -1
            stack.pop()
            if not stack:
                return i
        i += 1
    return None


def _string_end(text: str, start: int) -> int | None:
    """Index of the quote closing the string that opens at ``start`` (backslash escapes honoured)."""
    quote = _CURLY_CLOSE if text[start] == _CURLY_OPEN else text[start]
    i = start + 1
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == quote:
            return i
        if ch == "\n" and quote == "'":
            return None  # an apostrophe in prose, not a string
        i += 1
    return None


@dataclass(frozen=True)
class _Loaded:
    value: Any = None
    error: str | None = None
    repairs: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.error is None


def _loads_candidate(span: str) -> _Loaded:
    try:
        return _Loaded(value=_strict_loads(span))
    except _InvalidJson as exc:
        return _Loaded(error=str(exc))
    except json.JSONDecodeError as exc:
        strict_error = f"{exc.msg} at line {exc.lineno} column {exc.colno}"
    try:
        relaxed, repairs = _relax(span)
    except _InvalidJson as exc:
        return _Loaded(error=str(exc))
    if not repairs:
        return _Loaded(error=strict_error)
    try:
        return _Loaded(value=_strict_loads(relaxed), repairs=tuple(repairs))
    except _InvalidJson as exc:
        return _Loaded(error=str(exc))
    except json.JSONDecodeError:
        return _Loaded(error=strict_error)


def _strict_loads(text: str) -> Any:
    def no_constants(name: str) -> Any:
        raise _InvalidJson(f"{name} is not a number")

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in pairs:
            if key in out:
                raise _InvalidJson(f"duplicate key {key!r}")
            out[key] = value
        return out

    return json.loads(text, parse_constant=no_constants, object_pairs_hook=no_duplicates)


def _relax(span: str) -> tuple[str, list[str]]:
    """Rewrite relaxed JSON (JSON5 / Python-literal habits) as strict JSON; lists what changed."""
    out: list[str] = []
    repairs: list[str] = []
    i, n = 0, len(span)

    def note(what: str) -> None:
        if what not in repairs:
            repairs.append(what)

    while i < n:
        ch = span[i]
        if ch == '"':
            end = _string_end(span, i)
            if end is None:
                raise _InvalidJson("a string is not closed")
            out.append(span[i : end + 1])
            i = end + 1
        elif ch == "'" or ch == _CURLY_OPEN:
            end = _string_end(span, i)
            if end is None:
                raise _InvalidJson("a string is not closed")
            out.append(json.dumps(_unescape_quoted(span[i + 1 : end], ch)))
            note("single quotes" if ch == "'" else "curly quotes")
            i = end + 1
        elif ch == ",":
            j = i + 1
            while j < n and span[j].isspace():
                j += 1
            if j < n and span[j] in "}]":
                note("trailing comma")
            else:
                out.append(ch)
            i += 1
        elif ch == "/" and span.startswith("//", i):
            while i < n and span[i] != "\n":
                i += 1
            note("comments")
        elif ch.isalpha() or ch == "_":
            m = _BARE_WORD.match(span, i)
            assert m is not None
            word = m.group(0)
            j = m.end()
            while j < n and span[j].isspace():
                j += 1
            if word in _PY_LITERALS:
                out.append(_PY_LITERALS[word])
                note("Python literals")
            elif word in ("true", "false", "null", "NaN", "Infinity"):
                out.append(word)
            elif j < n and span[j] == ":" and _after_key_position(out):
                out.append(json.dumps(word))
                note("unquoted keys")
            else:
                out.append(word)  # leave it; strict parsing will report it
            i = m.end()
        else:
            out.append(ch)
            i += 1
    return "".join(out), repairs


def _after_key_position(out: list[str]) -> bool:
    """True when the text written so far ends where an object key may start (after ``{`` or ``,``)."""
    for piece in reversed(out):
        stripped = piece.rstrip()
        if stripped:
            return stripped[-1] in "{,"
    return False


def _unescape_quoted(inner: str, quote: str) -> str:
    """The value of a single- or curly-quoted string body (JSON escapes kept, ``\\'`` allowed)."""
    if quote == "'":
        inner = inner.replace("\\'", "'")
    try:
        return json.loads('"' + inner.replace('"', '\\"').replace('\\\\"', '\\"') + '"')
    except json.JSONDecodeError:
        return inner


# -- fields ---------------------------------------------------------------------------------


def as_number(value: Any, *, name: str = "value") -> float:
    """A finite number: a JSON number, or a string that is exactly one (``"8"``, ``" 7.5 "``).

    Booleans, ``"8/25"``, ``"eight"``, lists and NaN raise :class:`JsonFieldError`.
    """
    if isinstance(value, bool):
        raise JsonFieldError(f"{name} is a boolean ({json.dumps(value)}), not a number")
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str) and _NUMBER_RE.match(value):
        number = float(value)
    elif isinstance(value, str):
        raise JsonFieldError(f"{name} is the text {value!r}, not a number")
    else:
        raise JsonFieldError(f"{name} is {_kind(value)}, not a number")
    if not math.isfinite(number):
        raise JsonFieldError(f"{name} is not a finite number")
    return number


def number_list(value: Any, *, length: int, name: str = "value") -> list[float]:
    """Exactly ``length`` numbers (each read by :func:`as_number`)."""
    if not isinstance(value, list):
        shown = repr(value) if isinstance(value, str) else _kind(value)
        raise JsonFieldError(f"{name} should be a list of {length} numbers, got {shown}")
    if len(value) != length:
        raise JsonFieldError(f"{name} should hold {length} numbers, got {len(value)}")
    return [as_number(v, name=f"{name}[{i}]") for i, v in enumerate(value)]
