"""Layouts in real Chromium at 390 px (a phone), 768 px (a tablet) and 1366×768 (a laptop):
no page is wider than the screen, every control is inside it, and at 1366×768 the swipe
slider and the judge's Continue button are on screen without scrolling. Also the small
display defects: "1:1" is the natural size, and an empty queue is not "100% done"."""

from __future__ import annotations

import pytest
from studio_helpers import login, queue_id, take
from test_browser import browser, log_in  # noqa: F401 - browser: the Chromium fixture

from editcaption.annotate.queues import QueueSpec, add_queue, find_queue, queue_progress

pytestmark = pytest.mark.browser
SIZES = [(390, 844), (768, 1024), (1366, 768)]
CONTROLS = {  # what must be inside the screen's width on each page
    "home": ["form.start-queue button", "form[action='/logout'] button"],
    "task": ["#task-form button.primary", "#skip-form button", "#viewer .toolbar button",
             "form[action='/logout'] button"],
    "mine": ["a.open-submission"],
    "admin": [".table-scroll"],  # a wide table scrolls inside its box
}


@pytest.fixture(scope="module")
def items(studio):  # noqa: ANN001
    """Alice's open items, one per task kind, and one submission of hers."""
    ws, _app, url = studio
    for kind in ("refine", "judge", "prefer"):
        add_queue(ws, QueueSpec(kind, "source:manifest", name=f"l-{kind}"))
    add_queue(ws, QueueSpec("refine", "source:manifest", where={"id": ["no-such-pair"]}, name="l-empty"))
    alice, csrf = login(url, "alice")
    done = take(alice, csrf, queue_id(ws, "l-refine"))
    alice.post(f"/a/{done}/submit", data={"csrf_token": csrf, "submission_token": "l" * 32, "text": "A long " * 40})
    out = {kind: take(alice, csrf, queue_id(ws, f"l-{kind}")) for kind in ("refine", "judge", "prefer")}
    return ws, url, out


@pytest.fixture
def screen(browser, request):  # noqa: ANN001, F811
    width, height = request.param
    context = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=1)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert errors == [], f"JavaScript errors: {errors}"


def check_fits(page, what: str, selectors: list[str]) -> None:  # noqa: ANN001
    page.wait_for_load_state("load")
    scroll_width, width = page.evaluate("() => [document.documentElement.scrollWidth, "
                                        "document.documentElement.clientWidth]")
    assert scroll_width <= width, f"{what}: the page is {scroll_width} px wide on a {width} px screen"
    for selector in selectors:
        boxes = [el.bounding_box() for el in page.locator(selector).all() if el.is_visible()]
        assert boxes, f"{what}: nothing visible matches {selector}"
        for box in boxes:
            assert box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, f"{what}: {selector} at {box}"


def on_screen(page, selector: str) -> dict:  # noqa: ANN001
    box = page.locator(selector).bounding_box()
    height = page.evaluate("() => window.innerHeight")
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height, f"{selector} at {box}"
    return box


@pytest.mark.parametrize("screen", SIZES, indirect=True, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_page_fits_the_screen(studio, items, screen, artifacts_dir):  # noqa: ANN001
    _ws, url, aids = items
    page = screen
    width = page.viewport_size["width"]
    page.goto(url + "/login")
    check_fits(page, "login", ["#login-form button"])
    log_in(page, url, "alice")
    check_fits(page, "home", CONTROLS["home"])
    page.screenshot(path=str(artifacts_dir / f"annotate-home-{width}.png"), full_page=True)
    for kind, aid in aids.items():
        page.goto(f"{url}/a/{aid}")
        check_fits(page, kind, CONTROLS["task"])
        page.screenshot(path=str(artifacts_dir / f"annotate-{kind}-{width}.png"))
    page.goto(f"{url}/mine")
    check_fits(page, "mine", CONTROLS["mine"])
    page.goto(f"{url}/a/abc")
    check_fits(page, "error page", ["#error-message"])
    page.locator("form[action='/logout'] button").click()
    log_in(page, url, "admin")
    page.goto(f"{url}/admin")
    check_fits(page, "admin", CONTROLS["admin"])


@pytest.mark.parametrize("screen", [(1366, 768)], indirect=True, ids=["1366x768"])
def test_the_controls_are_above_the_fold_at_1366x768(studio, items, screen):  # noqa: ANN001
    _ws, url, aids = items
    page = screen
    log_in(page, url, "alice")
    page.goto(f"{url}/a/{aids['refine']}")
    page.keyboard.press("w")
    on_screen(page, "#swipe")
    on_screen(page, "#task-form button.primary")

    page.goto(f"{url}/a/{aids['judge']}")
    on_screen(page, "#judge-continue")
    for _level in ("P1", "P2"):  # the checklist grows at each level; the button stays on screen
        page.keyboard.press("Control+Enter")
        on_screen(page, "#judge-continue")
    assert page.locator("#task-form").get_attribute("data-stage") == "P2"
    page.goto(f"{url}/a/{aids['prefer']}")
    on_screen(page, "#task-form button.primary")


def shown_width(page, selector: str) -> float:  # noqa: ANN001
    return page.locator(selector).bounding_box()["width"]


@pytest.mark.parametrize("screen", [(1366, 768)], indirect=True, ids=["1366x768"])
def test_one_to_one_is_the_natural_size(studio, items, screen):  # noqa: ANN001
    _ws, url, aids = items
    page = screen
    log_in(page, url, "alice")
    page.goto(f"{url}/a/{aids['refine']}")
    page.wait_for_function("() => [...document.images].filter(i => i.getAttribute('src')).every(i => i.complete)")
    natural = page.evaluate("() => document.querySelector('#pane-target .layer:not(.heat)').naturalWidth")
    assert natural > 0 and abs(shown_width(page, "#pane-target .layer:not(.heat)") - natural) > 2  # fitted, not natural
    page.locator("#zoom-native").click()
    assert abs(shown_width(page, "#pane-target .layer:not(.heat)") - natural) <= 1
    page.keyboard.press("w")  # one wide pane: the natural size may be smaller than the frame
    page.locator("#zoom-native").click()
    assert abs(shown_width(page, "#pane-overlay .layer.over") - natural) <= 1
    page.keyboard.press("z")
    assert page.locator("#viewer").get_attribute("data-zoom") == "1.000,0.000,0.000"


def test_an_empty_queue_is_not_shown_as_done(studio, items):  # noqa: ANN001
    ws, url, _aids = items
    with ws.session() as s:
        progress = queue_progress(s, find_queue(s, "l-empty"))
    assert (progress["slots"], progress["percent"]) == (0, None)
    admin, _ = login(url, "admin")
    row = next(line for line in admin.get("/admin").text.split("<tr") if 'data-queue="l-empty"' in line)
    assert "no items" in row and "100" not in row
    home = admin.get("/").text
    row = next(line for line in home.split("<tr") if "l-empty" in line)
    assert "no items" in row and "<progress" not in row
