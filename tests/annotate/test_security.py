"""Security of the studio, tested against the real server on 127.0.0.1.

Routes are enumerated from the app itself, so a route added later without protection
fails these tests.
"""

from __future__ import annotations

import re

import httpx
import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.routing import Mount
from studio_helpers import PASSWORDS, csrf_of, login, queue_id, take

from editcaption.annotate.queues import QueueSpec, add_queue
from editcaption.workspace.models import AnnotationSubmissionRecord, RefinementRecord

PUBLIC = {("GET", "/login"), ("POST", "/login")}
PUBLIC_MOUNTS = {"/static"}  # our own CSS and JavaScript, no data
TRAVERSALS = ["../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "%2Fetc%2Fpasswd", "....//....//etc/passwd",
              "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "..\\..\\etc\\passwd"]


@pytest.fixture(scope="module")
def setup(studio):  # noqa: ANN001
    ws, app, url = studio
    add_queue(ws, QueueSpec("refine", "source:manifest", name="sec-refine"))
    add_queue(ws, QueueSpec("prefer", "xss", name="sec-xss"))
    alice, alice_csrf = login(url, "alice")
    aid = take(alice, alice_csrf, queue_id(ws, "sec-refine"))
    samples = {"queue_id": str(queue_id(ws, "sec-refine")), "assignment_id": str(aid), "which": "source",
               "kind": "refine", "submission_id": "1"}
    yield ws, app, url, alice, alice_csrf, aid, samples
    alice.close()


def routes(app):  # noqa: ANN001
    """(method, path template, route) for every route the app serves, included routers flattened."""
    out = []
    for ctx in iter_route_contexts(app.routes):
        route = ctx.original_route
        if isinstance(route, APIRoute):
            for method in sorted(ctx.methods - {"HEAD"}):
                out.append((method, ctx.path, route))
        elif isinstance(route, Mount):
            assert ctx.path in PUBLIC_MOUNTS, f"unexpected mount {ctx.path}"
        else:
            pytest.fail(f"route of unknown type {route!r}: give it an auth test")
    return out


def fill(path: str, samples: dict[str, str], override: str | None = None) -> str:
    def value(match: re.Match) -> str:
        name = match.group(1)
        assert name in samples, f"add a sample value for path parameter {name!r} of {path}"
        return override if override is not None else samples[name]

    return re.sub(r"{(\w+)(?::\w+)?}", value, path)


def test_every_route_but_login_needs_a_session(setup):
    _ws, app, url, _alice, _csrf, _aid, samples = setup
    found = routes(app)
    assert len(found) >= 10 and {(m, p) for m, p, _ in found} >= PUBLIC
    anon = httpx.Client(base_url=url, follow_redirects=False)
    for method, path, _route in found:
        if (method, path) in PUBLIC:
            continue
        target = fill(path, samples)
        page = anon.request(method, target, headers={"accept": "text/html"})
        api = anon.request(method, target, headers={"accept": "application/json"})
        # a browser (page or form post) is sent to the login form; a program gets 401
        assert page.status_code == 303 and page.headers["location"].startswith("/login"), (method, path)
        assert api.status_code == 401, (method, path, api.status_code)
    assert anon.get("/login").status_code == 200
    # a forged or tampered cookie is no session
    anon.cookies.set("ec_session", "eyJ1aWQiOiAxLCAiZXBvY2giOiAwfQ==.forged.sig")
    assert anon.get("/", headers={"accept": "text/html"}).status_code == 303


def test_every_post_needs_the_csrf_token(setup):
    _ws, app, url, alice, csrf, _aid, samples = setup
    for method, path, _route in routes(app):
        if method != "POST":
            continue
        target = fill(path, samples)
        assert alice.post(target, data={}).status_code == 403, path
        assert alice.post(target, data={"csrf_token": "wrong" + csrf}).status_code == 403, path
        assert alice.post(target, data={"csrf_token": ""}, headers={"x-csrf-token": "nope"}).status_code == 403
    anon = httpx.Client(base_url=url)
    assert anon.post("/login", data={"username": "alice", "password": PASSWORDS["alice"]}).status_code == 403


def test_instruction_markup_is_shown_as_text(setup):
    ws, _app, url, _alice, _csrf, _aid, _samples = setup
    bob, csrf = login(url, "bob")
    aid = take(bob, csrf, queue_id(ws, "sec-xss"))
    html = bob.get(f"/a/{aid}").text
    assert "<script>window.__pwned" not in html and "<img src=x onerror" not in html
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in html
    assert html.count("Turn the &#34;cat&#34; left &amp; up") >= 2  # quoted and pre-filled, both escaped
    headers = bob.get(f"/a/{aid}").headers
    assert "script-src 'self'" in headers["content-security-policy"] and headers["x-frame-options"] == "DENY"


def test_paths_in_parameters_never_reach_the_filesystem(setup, tmp_path):
    ws, app, url, alice, csrf, _aid, samples = setup
    canary = "CANARY-" + "7f3a" * 8
    (ws.root.parent / "secret.txt").write_text(canary)
    for method, path, _route in routes(app):
        if "{" not in path:
            continue
        for bad in TRAVERSALS + ["/etc/passwd", str(ws.root.parent / "secret.txt")]:
            target = fill(path, samples, override=bad)
            r = alice.request(method, target, data={"csrf_token": csrf}) if method == "POST" else alice.get(target)
            assert r.status_code in (400, 403, 404, 405, 422), (method, target, r.status_code)
            assert canary not in r.text and "root:" not in r.text
    for bad in ["/static/../../../../etc/passwd", "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
                "/static/..%2f..%2f..%2fsecret.txt", "/a/1/image/..%2f..%2f..%2fsecret.txt"]:
        r = alice.get(bad)
        assert r.status_code in (400, 404, 422) and canary not in r.text and "root:" not in r.text, bad
    # next= only ever leads to a local path: the form never carries another, nor does the redirect
    anon = httpx.Client(base_url=url)
    for nxt in ("//evil.example/x", "https://evil.example", "/../../etc/passwd", "/a/1?x=1"):
        assert 'name="next" value="/"' in anon.get("/login", params={"next": nxt}).text, nxt
    token = csrf_of(anon.get("/login").text)
    r = anon.post("/login", data={"username": "carol", "password": PASSWORDS["carol"], "csrf_token": token,
                                  "next": "//evil.example/x"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"


def test_an_annotator_cannot_read_or_submit_another_annotators_item(setup):
    ws, _app, url, _alice, _csrf, aid, _samples = setup
    bob, csrf = login(url, "bob")
    assert bob.get(f"/a/{aid}").status_code == 404
    for which in ("source", "target", "heatmap"):
        assert bob.get(f"/a/{aid}/image/{which}").status_code == 404
    r = bob.post(f"/a/{aid}/submit", data={"csrf_token": csrf, "submission_token": "b" * 32, "text": "Mine now."})
    assert r.status_code == 404
    assert bob.post(f"/a/{aid}/skip", data={"csrf_token": csrf}).status_code == 404
    with ws.session() as s:
        assert s.query(AnnotationSubmissionRecord).filter_by(assignment_id=aid).count() == 0
        assert s.query(RefinementRecord).filter_by(text="Mine now.").count() == 0


def test_admin_pages_need_the_admin_role(setup):
    ws, _app, url, alice, _csrf, _aid, samples = setup
    for path in ("/admin", f"/admin/queues/{samples['queue_id']}/export.jsonl", "/admin/audit.jsonl",
                 "/admin/labelstudio/prefer.xml"):
        assert alice.get(path).status_code == 403, path
    admin, _ = login(url, "admin")
    assert admin.get("/admin").status_code == 200
    assert admin.get("/admin/labelstudio/nope.xml").status_code == 422


def test_failed_logins_are_throttled(setup):
    _ws, _app, url, _alice, _csrf, _aid, _samples = setup
    anon = httpx.Client(base_url=url)
    token = csrf_of(anon.get("/login").text)
    for _ in range(3):  # the test server allows 3 failures per name (the default is 5)
        r = anon.post("/login", data={"username": "carol", "password": "wrong-password", "csrf_token": token})
        assert r.status_code == 401
    r = anon.post("/login", data={"username": "carol", "password": PASSWORDS["carol"], "csrf_token": token})
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    # other people are not locked out by Carol's failures
    login(url, "bob")


def test_logout_ends_every_copy_of_the_session(setup):
    _ws, _app, url, _alice, _csrf, _aid, _samples = setup
    bob, csrf = login(url, "bob")
    stolen = bob.cookies.get("ec_session")
    assert bob.post("/logout", data={"csrf_token": csrf}).status_code == 303
    replay = httpx.Client(base_url=url, cookies={"ec_session": stolen})
    assert replay.get("/", headers={"accept": "text/html"}).status_code == 303
