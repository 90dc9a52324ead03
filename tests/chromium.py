"""Debian's Chromium for the browser tests: one launch recipe, and a page that records problems."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

# No background networking: the machine's closed network refuses those connections, many at a time.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


@contextmanager
def chromium() -> Iterator:
    """A headless Chromium browser (playwright), closed on exit."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def watch(page, problems: list[str]) -> None:  # noqa: ANN001
    """Append every console error or warning, page error and failed request of `page` to `problems`."""
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning")
            else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))


# Every visible piece of text as boxes: the line boxes of HTML text nodes, and SVG <text>
# elements (chart titles, axis and value labels). Returns pairs of boxes that intersect.
OVERLAPS_JS = r"""
() => {
  const boxes = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!n.textContent.trim() || el.closest('script, style, svg, [hidden]')) continue;
    const range = document.createRange();
    range.selectNodeContents(n);
    for (const r of range.getClientRects()) {
      if (r.width > 0 && r.height > 0) boxes.push({t: n.textContent.trim().slice(0, 40), r});
    }
  }
  for (const el of document.querySelectorAll('svg text')) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.height > 0) boxes.push({t: 'svg:' + el.textContent.trim().slice(0, 40), r});
  }
  const hits = [];
  const tol = 1;  // neighbouring boxes may touch
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i].r, b = boxes[j].r;
      const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (w > tol && h > tol) hits.push([boxes[i].t, boxes[j].t]);
    }
  }
  return {count: boxes.length, svg: document.querySelectorAll('svg text').length, hits: hits.slice(0, 20)};
}
"""
