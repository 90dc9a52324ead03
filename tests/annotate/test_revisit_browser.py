"""Revisiting in real Chromium, keyboard first: edit a submitted item (a new version), and skip
with `n` then undo with Ctrl+Z."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from test_browser import TASK_URL, browser, log_in, open_queue, page  # noqa: F401 - the module's Chromium fixtures

from editcaption.annotate.queues import QueueSpec, add_queue
from editcaption.workspace.models import (
    AnnotationSubmissionRecord,
    AnnotationSubmissionVersionRecord,
    RefinementRecord,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def queues(studio):  # noqa: ANN001
    ws, _app, _url = studio
    add_queue(ws, QueueSpec("refine", "source:manifest", name="rb-refine"))
    add_queue(ws, QueueSpec("refine", "source:manifest", name="rb-skip"))
    return ws


def test_edit_a_submitted_item(studio, queues, page, artifacts_dir):  # noqa: ANN001, F811
    ws, _app, url = studio
    log_in(page, url, "bob")
    aid = open_queue(page, "rb-refine")
    original = page.locator("#text").input_value()
    page.keyboard.press("Control+Enter")
    page.wait_for_url(lambda u: not u.endswith(f"/a/{aid}"))

    page.locator("nav a", has_text="My submissions").click()
    page.wait_for_url(f"{url}/mine")
    row = page.locator("#mine tbody tr", has_text="rb-refine").first
    row.locator("a.open-submission").click()
    page.wait_for_url(re.compile(r".*/mine/\d+$"))
    sid = int(page.url.rsplit("/", 1)[1])
    assert page.locator("#text").input_value() == original
    assert "version 1" in page.locator("#revisit-state").inner_text()
    page.keyboard.press("e")
    page.keyboard.type(" Keep the rest as it is.")
    page.screenshot(path=str(artifacts_dir / "annotate-revisit.png"))
    page.keyboard.press("Control+Enter")
    page.wait_for_url(f"{url}/mine")
    assert "version 2" in page.locator(".flash").inner_text()

    with ws.session() as s:
        sub = s.get(AnnotationSubmissionRecord, sid)
        assert sub.payload == {"text": original + " Keep the rest as it is."}
        assert s.get(RefinementRecord, sub.record_id).text == original + " Keep the rest as it is."
        old = s.scalar(select(AnnotationSubmissionVersionRecord).where(
            AnnotationSubmissionVersionRecord.submission_id == sid))
        assert old.version == 1 and old.payload == {"text": original}
        assert s.get(RefinementRecord, old.record_id).text == original  # the first answer is still there


def test_skip_and_undo_with_the_keyboard(studio, queues, page):  # noqa: ANN001, F811
    _ws, _app, url = studio
    log_in(page, url, "carol")
    first = open_queue(page, "rb-skip")
    page.keyboard.press("n")
    page.wait_for_url(lambda u: TASK_URL.match(u) is not None and not u.endswith(f"/a/{first}"))
    assert page.locator("#undo-bar").is_visible()
    page.keyboard.press("Control+z")
    page.wait_for_url(f"{url}/a/{first}")
    assert page.locator("#undo-bar").count() == 0 and page.locator("#task-form").is_visible()
