"""Error answers against the real server: an HTML page in the studio's layout for browsers,
the JSON body and status for programs (chosen by the Accept header)."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import pytest
from studio_helpers import login, queue_id, take

from editcaption.annotate.queues import QueueSpec, add_queue

HTML = {"accept": "text/html,application/xhtml+xml"}
JSON = {"accept": "application/json"}


@pytest.fixture(scope="module")
def alice(studio):  # noqa: ANN001
    ws, app, url = studio
    add_queue(ws, QueueSpec("refine", "source:manifest", name="e-refine"))
    client, csrf = login(url, "alice")
    return ws, app, url, client, csrf


def is_page(r, status: int, text: str) -> None:  # noqa: ANN001
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("text/html")
    assert f'data-status="{status}"' in r.text and text in r.text and "EditCaption studio" in r.text


def test_not_found_and_wrong_method_are_pages_for_browsers_and_json_for_programs(alice):
    _ws, _app, _url, client, _csrf = alice
    is_page(client.get("/a/abc", headers=HTML), 404, "no such page")
    is_page(client.get("/no/such/page", headers=HTML), 404, "Not Found")
    is_page(client.get("/a/999999", headers=HTML), 404, "no such item for you")
    wrong = client.get("/a/1/submit", headers=HTML)
    is_page(wrong, 405, "Method Not Allowed")
    assert wrong.headers["allow"] == "POST"
    is_page(client.get("/mine", params={"before": "soon"}, headers=HTML), 400, "not valid")

    assert client.get("/a/abc", headers=JSON).json() == {"detail": "bad request parameters"}
    assert client.get("/a/abc", headers=JSON).status_code == 422
    assert client.get("/no/such/page").json() == {"detail": "Not Found"}  # */*: a program
    r = client.get("/a/1/submit", headers=JSON)
    assert r.status_code == 405 and r.json() == {"detail": "Method Not Allowed"}


def test_forbidden_is_a_page_too(alice):
    ws, _app, _url, client, csrf = alice
    aid = take(client, csrf, queue_id(ws, "e-refine"))
    r = client.post(f"/a/{aid}/submit", data={"csrf_token": "stale", "text": "x"}, headers=HTML)
    is_page(r, 403, "CSRF token")
    is_page(client.get("/admin", headers=HTML), 403, "this page is for admins")
    assert client.get("/admin", headers=JSON).json() == {"detail": "this page is for admins"}



def test_an_unexpected_error_is_a_page_and_is_logged(alice, caplog):
    _ws, app, _url, client, _csrf = alice

    def broken() -> None:  # a stand-in for a bug in a route
        raise RuntimeError("a bug")

    app.add_api_route("/test-broken", broken, methods=["GET"])
    with caplog.at_level("ERROR", logger="editcaption.annotate.errors"):
        first = client.get("/test-broken", headers=HTML)
    is_page(first, 500, "internal error")
    # the server drops the connection after an unhandled error, and says so: the client opens a new one
    assert first.headers["connection"] == "close"
    assert "unhandled error on GET /test-broken" in caplog.text
    assert client.get("/test-broken", headers=JSON).json() == {"detail": "internal error"}


def test_a_body_too_large_is_a_page_for_browsers_and_json_for_programs(alice):
    _ws, _app, url, _client, _csrf = alice
    host, port = urlsplit(url).hostname, urlsplit(url).port

    def refused(accept: str) -> str:
        """The whole answer to a form post that declares 1 GiB (not one byte of the body is sent)."""
        with socket.create_connection((host, port), timeout=30) as sock:
            sock.sendall(f"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: {accept}\r\n"
                         f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {2**30}\r\n\r\n"
                         .encode())
            chunks = []
            while chunk := sock.recv(65536):  # the server closes the connection after its answer
                chunks.append(chunk)
        return b"".join(chunks).decode()

    page = refused("text/html")
    assert page.startswith("HTTP/1.1 413") and "text/html" in page and 'data-status="413"' in page
    assert "request body over" in page
    api = refused("application/json")
    assert api.startswith("HTTP/1.1 413") and '{"detail":"request body over 16 kB"}' in api
