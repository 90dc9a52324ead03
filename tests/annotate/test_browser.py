"""The studio in real Chromium (Debian's, driven by Playwright), keyboard only.

Each task kind is completed without the mouse; blink and swipe are checked on the
rendered pixels; the P0 hierarchy is checked in the page and against a page tampered
with to bypass it; a screenshot of every page goes to test-artifacts/.
"""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import select
from studio_helpers import PASSWORDS, XSS, one_pair_where

from chromium import chromium
from editcaption.annotate import media
from editcaption.annotate.queues import QueueSpec, add_queue
from editcaption.workspace.models import (
    AnnotationSubmissionRecord,
    GroundTruthRecord,
    InstructionRecord,
    JudgementRecord,
    PreferenceRecord,
    RefinementRecord,
)

pytestmark = pytest.mark.browser

TASK_URL = re.compile(r".*/a/\d+$")


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


@pytest.fixture
def page(browser):  # noqa: ANN001
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    context.close()
    assert errors == [], f"JavaScript errors: {errors}"


@pytest.fixture(scope="module")
def queues(studio):  # noqa: ANN001
    ws, _app, _url = studio
    for kind, run in (("refine", "source:manifest"), ("prefer", "source:manifest"), ("judge", "source:manifest"),
                      ("verify-gt", None), ("prefer", "xss"), ("prefer", "wrong")):
        add_queue(ws, QueueSpec(kind, run, name=f"b-{kind}-{run or 'gt'}"))
    add_queue(ws, QueueSpec("refine", "source:manifest", where=one_pair_where(ws, "chelsea_pan_left"), name="b-view"))
    return ws


def log_in(page, url: str, name: str) -> None:  # noqa: ANN001
    page.goto(url + "/")
    assert "/login" in page.url
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'username'")
    page.keyboard.type(name)  # the user field has the focus (autofocus)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORDS[name])
    page.keyboard.press("Enter")
    page.wait_for_url(url + "/")


def open_queue(page, name: str) -> int:  # noqa: ANN001
    """Start a queue from the home page by its number key; the assignment id shown."""
    row = page.locator("#queues tbody tr", has_text=name)
    page.keyboard.press(row.locator("kbd").inner_text())
    page.wait_for_url(TASK_URL)
    return int(page.url.rsplit("/", 1)[1])


def submitted(ws, assignment_id: int):  # noqa: ANN001
    with ws.session() as s:
        return s.scalar(select(AnnotationSubmissionRecord).where(AnnotationSubmissionRecord.assignment_id == assignment_id))


def test_log_in_with_the_keyboard(studio, queues, page, artifacts_dir):  # noqa: ANN001
    _ws, _app, url = studio
    page.goto(url + "/")
    page.screenshot(path=str(artifacts_dir / "annotate-login.png"))
    log_in(page, url, "alice")
    assert page.locator("#queues tbody tr").count() >= 5
    page.screenshot(path=str(artifacts_dir / "annotate-home.png"))


def test_refine_with_the_keyboard(studio, queues, page, artifacts_dir):  # noqa: ANN001
    ws, _app, url = studio
    log_in(page, url, "alice")
    aid = open_queue(page, "b-refine-source:manifest")
    original = page.locator("#text").input_value()
    page.screenshot(path=str(artifacts_dir / "annotate-refine.png"))
    page.keyboard.press("e")
    page.keyboard.type(" Keep the framing otherwise unchanged.")
    page.keyboard.press("Control+Enter")
    page.wait_for_url(lambda u: TASK_URL.match(u) is not None and not u.endswith(f"/a/{aid}"))
    sub = submitted(ws, aid)
    with ws.session() as s:
        ref = s.get(RefinementRecord, sub.record_id)
        assert ref.text == original + " Keep the framing otherwise unchanged." and ref.annotator == "alice"


def test_prefer_with_the_keyboard(studio, queues, page, artifacts_dir):  # noqa: ANN001
    ws, _app, url = studio
    log_in(page, url, "alice")
    first = open_queue(page, "b-prefer-source:manifest")
    page.keyboard.press("c")
    page.keyboard.press("Control+Enter")
    page.wait_for_url(lambda u: TASK_URL.match(u) is not None and not u.endswith(f"/a/{first}"))
    assert submitted(ws, first).outcome == "correct"

    second = int(page.url.rsplit("/", 1)[1])
    page.keyboard.press("e")  # starts a correction and puts the cursor in the text
    page.keyboard.press("Control+a")
    page.keyboard.type("Turn the whole picture so the right side becomes the left side.")
    page.keyboard.press("Escape")
    page.keyboard.press("o")
    page.keyboard.press("1")
    assert page.locator("input[name=error_type][value=orientation]").is_checked()
    assert page.locator("input[name=severity][value=P1]").is_checked()
    page.screenshot(path=str(artifacts_dir / "annotate-prefer.png"))
    page.keyboard.press("Control+Enter")
    page.wait_for_url(lambda u: not u.endswith(f"/a/{second}"))
    with ws.session() as s:
        pref = s.get(PreferenceRecord, submitted(ws, second).record_id)
        assert pref.chosen == "Turn the whole picture so the right side becomes the left side."
        assert (pref.error_type, pref.severity, pref.annotator) == ("orientation", "P1", "alice")
        assert pref.rejected == s.get(InstructionRecord, pref.rejected_instruction_id).text


def test_judge_with_the_keyboard(studio, queues, page, artifacts_dir):  # noqa: ANN001
    ws, _app, url = studio
    log_in(page, url, "bob")
    aid = open_queue(page, "b-judge-source:manifest")
    assert page.locator("#stage-P1").is_hidden() and page.locator("#stage-P2").is_hidden()
    page.keyboard.press("Control+Enter")  # no P0 → on to P1
    assert page.locator("#stage-P1").is_visible()
    page.keyboard.press("5")
    page.keyboard.press("Control+Enter")  # on to P2
    page.keyboard.press("7")
    assert page.locator("#judge-status").inner_text() == "Level so far: P1"
    page.screenshot(path=str(artifacts_dir / "annotate-judge.png"))
    page.keyboard.press("Control+Enter")
    page.wait_for_url(lambda u: not u.endswith(f"/a/{aid}"))
    with ws.session() as s:
        j = s.get(JudgementRecord, submitted(ws, aid).record_id)
        assert (j.level, j.checklist, j.annotator) == ("P1", ["5", "7"], "bob")


def test_the_p0_hierarchy_cannot_be_bypassed(studio, queues, page):  # noqa: ANN001
    ws, _app, url = studio
    log_in(page, url, "carol")
    aid = open_queue(page, "b-judge-source:manifest")
    page.keyboard.press("2")  # P0: wrong edit on the subject
    assert "a P0 ends this item" in page.locator("#judge-status").inner_text()
    page.keyboard.press("5")  # not a P0 row: nothing happens
    for level in ("P1", "P2"):
        stage = page.locator(f"#stage-{level}")
        assert stage.is_hidden() and all(box.is_disabled() for box in stage.locator("input").all())
    assert page.locator("input[name=row]:checked").count() == 1
    assert "Submit: P0" in page.locator("#judge-continue").inner_text()

    # Tamper with the page: show and tick a P1 row beside the P0 and post the form directly.
    with page.expect_navigation():
        page.evaluate("""() => {
            const p1 = document.getElementById('stage-P1');
            p1.hidden = false; p1.disabled = false;
            p1.querySelector("input[value='5']").checked = true;
            document.getElementById('level').value = 'P0';
            HTMLFormElement.prototype.submit.call(document.getElementById('task-form'));
        }""")
    assert "P0 ends the item" in page.locator("#form-error").inner_text()
    assert submitted(ws, aid) is None

    # The honest path: the P0 alone ends the item.
    page.keyboard.press("Control+Enter")
    page.wait_for_url(lambda u: not u.endswith(f"/a/{aid}/submit"))
    with ws.session() as s:
        j = s.get(JudgementRecord, submitted(ws, aid).record_id)
        assert (j.level, j.checklist) == ("P0", ["2-subject"])


def test_verify_gt_with_the_keyboard(studio, queues, page, artifacts_dir):  # noqa: ANN001
    ws, _app, url = studio
    log_in(page, url, "alice")
    aid = open_queue(page, "b-verify-gt-gt")
    page.screenshot(path=str(artifacts_dir / "annotate-verify-gt.png"))
    page.keyboard.press("e")
    page.keyboard.type("\nThe framing is otherwise unchanged.")
    page.keyboard.press("Tab")
    page.keyboard.type("Nothing else changes.")
    page.keyboard.press("Control+Enter")
    page.wait_for_url(lambda u: not u.endswith(f"/a/{aid}"))
    sub = submitted(ws, aid)
    with ws.session() as s:
        gt = s.get(GroundTruthRecord, sub.record_id)
        assert gt.verified and gt.updated_by == "alice"
        assert gt.primary[-1] == {"text": "The framing is otherwise unchanged."}
        assert "op" in gt.primary[0]  # the drafted, unchanged change keeps its structure
        assert gt.secondary == [{"text": "Nothing else changes."}]


def frame_pixels(page) -> np.ndarray:  # noqa: ANN001
    png = page.locator("#pane-overlay .frame").screenshot()
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(np.int16)


def same(a: np.ndarray, b: np.ndarray) -> bool:
    """The same picture (to within resampling noise), leaving out the left columns where the divider may sit."""
    return a.shape == b.shape and float(np.abs(a[:, 4:] - b[:, 4:]).mean()) < 1.0


def test_blink_swipe_zoom_and_heatmap_change_what_is_shown(studio, queues, page, artifacts_dir):  # noqa: ANN001
    _ws, _app, url = studio
    log_in(page, url, "bob")
    open_queue(page, "b-view")  # the pan-left pair: a clear difference everywhere
    viewer = page.locator("#viewer")
    page.wait_for_function("() => [...document.images].every(i => i.complete)")

    page.keyboard.press("b")
    assert viewer.get_attribute("data-mode") == "blink" and viewer.get_attribute("data-showing") == "source"
    blink_source = frame_pixels(page)
    page.keyboard.press("b")
    assert viewer.get_attribute("data-showing") == "target"
    blink_target = frame_pixels(page)
    assert np.abs(blink_source - blink_target).mean() > 5  # a different picture is shown

    page.keyboard.press("w")
    page.locator("#swipe").fill("100")  # divider at the right edge: all source
    assert same(frame_pixels(page), blink_source)
    page.locator("#swipe").fill("0")  # divider at the left edge: all target
    assert same(frame_pixels(page), blink_target)
    for _ in range(10):
        page.keyboard.press("]")
    assert viewer.get_attribute("data-swipe") == "50"
    half = frame_pixels(page)
    w = half.shape[1]
    # left of the divider shows the source, right of it the target
    assert same(half[:, : w // 2 - 4], blink_source[:, : w // 2 - 4])
    assert same(half[:, w // 2 + 4 :], blink_target[:, w // 2 + 4 :])
    assert not same(half, blink_source) and not same(half, blink_target)
    page.screenshot(path=str(artifacts_dir / "annotate-swipe.png"))

    page.keyboard.press("s")
    page.keyboard.press("+")
    page.keyboard.press("ArrowLeft")
    transforms = page.eval_on_selector_all(".zoom", "els => els.map(e => e.style.transform)")
    assert len(set(transforms)) == 1 and "scale(1.25)" in transforms[0]  # every pane zoomed and panned alike
    page.keyboard.press("z")
    assert viewer.get_attribute("data-zoom") == "1.000,0.000,0.000"

    if media.delta_available() is None:
        page.keyboard.press("h")
        heat = page.locator("#pane-target .layer.heat")
        heat.wait_for(state="visible")
        page.wait_for_function("() => document.querySelector('#pane-target .layer.heat').naturalWidth > 0")
        page.screenshot(path=str(artifacts_dir / "annotate-heatmap.png"))
    else:
        assert page.locator("#heat-toggle").is_disabled()

    page.keyboard.press("?")
    assert page.locator("#help").is_visible() and "Blink" in page.locator("#help-table").inner_text()
    page.screenshot(path=str(artifacts_dir / "annotate-help.png"))
    page.keyboard.press("Escape")
    assert page.locator("#help").is_hidden()


def test_hostile_instruction_is_text_in_the_browser(studio, queues, page):  # noqa: ANN001
    _ws, _app, url = studio
    log_in(page, url, "carol")
    open_queue(page, "b-prefer-xss")
    assert page.evaluate("() => window.__pwned") is None
    assert page.locator("#model-instruction").inner_text() == XSS
    assert page.locator("#chosen").input_value() == XSS


def test_measured_hints_and_checker_flags(studio, queues, page):  # noqa: ANN001
    _ws, _app, url = studio
    log_in(page, url, "alice")
    open_queue(page, "b-prefer-wrong")
    facts = page.locator("#hints ul.facts").inner_text()
    assert "the camera pans left" in facts
    assert "viewpoint P0" in page.locator("#hints .flag").inner_text()


def test_admin_dashboard(studio, queues, page, artifacts_dir):  # noqa: ANN001
    _ws, _app, url = studio
    log_in(page, url, "admin")
    page.goto(url + "/admin")
    assert page.locator("#progress-table").is_visible()
    page.screenshot(path=str(artifacts_dir / "annotate-admin.png"), full_page=True)
