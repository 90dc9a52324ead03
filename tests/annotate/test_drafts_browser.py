"""Drafts in real Chromium: what was typed survives the session ending elsewhere — both while
typing (the draft save is refused) and on submit (the form post is sent to log in) — and comes
back after logging in again, on this browser and on another device."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from studio_helpers import PASSWORDS
from test_browser import TASK_URL, browser, log_in, open_queue  # noqa: F401 - browser: the Chromium fixture

from editcaption.annotate.queues import QueueSpec, add_queue
from editcaption.workspace.models import AnnotationSubmissionRecord, RefinementRecord

pytestmark = pytest.mark.browser
DESKTOP = {"width": 1366, "height": 768}
LOGIN_TO_ITEM = re.compile(r".*/login\?next=(%2F|/)a(%2F|/)\d+$")  # the login form, coming back to the item


@pytest.fixture(scope="module")
def queues(studio):  # noqa: ANN001
    ws, _app, _url = studio
    add_queue(ws, QueueSpec("refine", "source:manifest", name="dr-refine"))
    return ws


@pytest.fixture
def devices(browser):  # noqa: ANN001, F811
    """New browser contexts (separate cookies and storage: separate devices), with JavaScript errors collected."""
    made, errors = [], []

    def device():  # noqa: ANN202
        context = browser.new_context(viewport=DESKTOP)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        made.append(context)
        return page

    yield device
    for context in made:
        context.close()
    assert errors == [], f"JavaScript errors: {errors}"


def draft_answer(aid: int, status: int):  # noqa: ANN201
    return lambda r: r.url.endswith(f"/a/{aid}/draft") and r.request.method == "POST" and r.status == status


def end_session_elsewhere(device, url: str, name: str) -> None:  # noqa: ANN001
    """The same person logs out on another device, which ends every session of theirs."""
    other = device()
    log_in(other, url, name)
    other.locator("form[action='/logout'] button").click()
    other.wait_for_url(re.compile(r".*/login$"))


def log_in_here(page, name: str) -> None:  # noqa: ANN001
    page.locator("#username").fill(name)
    page.locator("#password").fill(PASSWORDS[name])
    page.keyboard.press("Enter")


def test_text_typed_as_the_session_ends_elsewhere_comes_back(studio, queues, devices):  # noqa: ANN001
    ws, _app, url = studio
    page = devices()
    log_in(page, url, "alice")
    aid = open_queue(page, "dr-refine")
    original = page.locator("#text").input_value()
    page.keyboard.press("e")
    with page.expect_response(draft_answer(aid, 200)):
        page.keyboard.type(" First part.")
    end_session_elsewhere(devices, url, "alice")

    with page.expect_response(draft_answer(aid, 401)):
        page.keyboard.type(" Second part.")
    page.locator("#session-ended").wait_for(state="visible")
    page.locator("#relogin").click()
    page.wait_for_url(LOGIN_TO_ITEM)
    with page.expect_response(draft_answer(aid, 200)):  # the text is put back and saved on the server
        log_in_here(page, "alice")
        page.wait_for_url(f"{url}/a/{aid}")
    assert page.locator("#text").input_value() == original + " First part. Second part."
    assert page.locator("#task-form").get_attribute("data-restored") == "local"

    laptop = devices()  # another device: nothing in its browser, the draft comes from the server
    log_in(laptop, url, "alice")
    laptop.goto(f"{url}/a/{aid}")
    assert laptop.locator("#text").input_value() == original + " First part. Second part."


def test_a_submit_after_the_session_ended_keeps_the_text(studio, queues, devices):  # noqa: ANN001
    ws, _app, url = studio
    page = devices()
    log_in(page, url, "bob")
    aid = open_queue(page, "dr-refine")
    end_session_elsewhere(devices, url, "bob")
    page.keyboard.press("e")
    page.keyboard.type(" Sent too late.")
    page.keyboard.press("Control+Enter")  # the post is sent to the login form, not answered with JSON
    page.wait_for_url(LOGIN_TO_ITEM)
    log_in_here(page, "bob")
    page.wait_for_url(f"{url}/a/{aid}")
    page.wait_for_function("() => document.getElementById('task-form').getAttribute('data-restored') === 'local'")
    text = page.locator("#text").input_value()
    assert text.endswith(" Sent too late.")
    page.keyboard.press("Control+Enter")
    page.wait_for_url(lambda u: TASK_URL.match(u) is not None and not u.endswith(f"/a/{aid}") or u == url + "/")
    with ws.session() as s:
        sub = s.scalar(select(AnnotationSubmissionRecord).where(AnnotationSubmissionRecord.assignment_id == aid))
        assert s.get(RefinementRecord, sub.record_id).text == text
