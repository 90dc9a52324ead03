"""Annotators for locust: log in, then fetch a task page and submit it, one item every few seconds.

Serve a workspace made by ``benchmarks/annotate_load.py`` (its people are ``ann000``...
with the password below) or your own, then:

    locust -f benchmarks/locustfile.py --host http://127.0.0.1:8000 --users 200 --spawn-rate 50 \
        --run-time 2m --headless

Environment: ``EC_PASSWORD`` (default: the load benchmark's), ``EC_USER_PREFIX`` (``ann``),
``EC_PACE`` (seconds between one annotator's submissions, default 5: 200 users offer 40
items/s). Each user takes the next free name (``ann000``, ``ann001``...), works the queues
listed on its home page in turn, and sends every submission with a fresh token; locust
reports the latency of ``fetch task``, ``submit + next`` and ``login`` separately.
"""

from __future__ import annotations

import itertools
import os
import random
import re
import uuid

from locust import HttpUser, constant_pacing, task

PASSWORD = os.environ.get("EC_PASSWORD", "load-test-password")
PREFIX = os.environ.get("EC_USER_PREFIX", "ann")
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
QUEUE_RE = re.compile(r'action="/queues/(\d+)/next"')
_numbers = itertools.count()


class Annotator(HttpUser):
    wait_time = constant_pacing(float(os.environ.get("EC_PACE", "5")))

    def on_start(self) -> None:
        self.name = f"{PREFIX}{next(_numbers):03d}"
        form = self.client.get("/login", name="login form")
        r = self.client.post("/login", name="login", allow_redirects=False, data={
            "username": self.name, "password": PASSWORD, "csrf_token": CSRF_RE.search(form.text).group(1)})
        if r.status_code != 303:
            raise RuntimeError(f"login of {self.name} failed: {r.status_code}")
        home = self.client.get("/", name="home")
        self.csrf = CSRF_RE.search(home.text).group(1)
        self.queues = [int(q) for q in QUEUE_RE.findall(home.text)] or [1]
        self.location = self._take(random.choice(self.queues))

    def _take(self, queue: int) -> str | None:
        r = self.client.post(f"/queues/{queue}/next", name="take next", allow_redirects=False,
                             data={"csrf_token": self.csrf})
        location = r.headers.get("location", "/")
        return location if location.startswith("/a/") else None

    @task
    def annotate_one(self) -> None:
        if self.location is None:
            self.location = self._take(random.choice(self.queues))
            if self.location is None:
                return  # nothing left for this user
        page = self.client.get(self.location, name="fetch task")
        form = {"csrf_token": self.csrf, "submission_token": uuid.uuid4().hex}
        if 'name="verdict"' in page.text:  # prefer: the model's instruction is right
            form["verdict"] = "correct"
        elif 'name="text"' in page.text:  # refine: an edited instruction
            form["text"] = f"Pan the camera to the left a little ({random.random():.6f})."
        r = self.client.post(f"{self.location}/submit", data=form, name="submit + next", allow_redirects=False)
        location = r.headers.get("location", "")
        self.location = location if location.startswith("/a/") else None
