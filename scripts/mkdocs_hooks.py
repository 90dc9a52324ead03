"""MkDocs hook: LaTeX in the docs becomes MathML when the site is built — no JavaScript, no network.

Pages write display maths as a fenced block with the language ``math`` and inline maths as
``$`...`$`` — the two forms GitHub renders itself — so the Markdown reads the same on GitHub and in
the built site. Browsers render MathML natively. Used by ``mkdocs.yml`` (``hooks:``).

It also drops the reST roles some docstrings use (``:class:`X```, ``:func:`f```), which
mkdocstrings would otherwise print literally before the code span.

Python-Markdown treats ``<math>`` as a block-level tag, so MathML cannot go into the Markdown
directly: the formulas are swapped for plain placeholders before Markdown runs and replaced by
their MathML in the finished HTML.
"""

from __future__ import annotations

import re
from typing import Any

from latex2mathml.converter import convert

_BLOCK = re.compile(r"^```math[ \t]*\n(?P<tex>.*?)\n```[ \t]*$", re.S | re.M)
_INLINE = re.compile(r"\$`(?P<tex>[^`\n]+)`\$")
_TOKEN = re.compile(r"(?:<p>)?ECMATH(?P<kind>BLOCK|INLINE)(?P<n>\d+)X(?:</p>)?")

_REST_ROLE = re.compile(r":(?:func|class|mod|meth|data|attr|exc|obj):(?=<code>)")

_formulas: dict[str, list[tuple[str, str]]] = {}  # page source path → [(kind, MathML)]


def on_page_markdown(markdown: str, page: Any, **_kwargs: Any) -> str:
    found: list[tuple[str, str]] = []

    def block(match: re.Match[str]) -> str:
        found.append(("BLOCK", convert(match.group("tex").strip(), display="block")))
        return f"\nECMATHBLOCK{len(found) - 1}X\n"

    def inline(match: re.Match[str]) -> str:
        found.append(("INLINE", convert(match.group("tex").strip())))
        return f"ECMATHINLINE{len(found) - 1}X"

    markdown = _INLINE.sub(inline, _BLOCK.sub(block, markdown))
    _formulas[page.file.src_uri] = found
    return markdown


def on_page_content(html: str, page: Any, **_kwargs: Any) -> str:
    html = _REST_ROLE.sub("", html)
    found = _formulas.pop(page.file.src_uri, [])
    if not found:
        return html

    def replace(match: re.Match[str]) -> str:
        kind, mathml = found[int(match.group("n"))]
        if kind == "BLOCK":
            return f'<div class="math">{mathml}</div>'
        text = match.group(0)
        return text.replace(f"ECMATHINLINE{match.group('n')}X", mathml)

    return _TOKEN.sub(replace, html)
