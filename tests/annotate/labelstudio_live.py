"""A real Label Studio for the round-trip tests: start servers, work through their REST API, export.

``record()`` plays one scenario on two fresh Label Studio servers, A and B, each with its own
temporary data directory (``LABEL_STUDIO_BASE_DATA_DIR``), users made by ``label-studio init
--username … --password … --user-token …``, no analytics and no version check
(``COLLECT_ANALYTICS=false``, ``LATEST_VERSION_CHECK=false``), listening on 127.0.0.1 only:

1. our ``export-labelstudio`` writes the tasks for server A (``--ls-project 1``) and for server B
   (without ``--ls-project``: its JSON_MIN import then needs the option);
2. on each server, following the export's SETUP.md: local-file serving on
   (``LABEL_STUDIO_LOCAL_FILES_SERVING_ENABLED``, ``LABEL_STUDIO_LOCAL_FILES_DOCUMENT_ROOT`` = the
   export folder), a project made with ``POST /api/projects`` and our config.xml, a local-files
   storage on ``<export>/images`` (an image answers 404 before it and 200 after), ``tasks.json``
   imported with ``POST /api/projects/1/import``;
3. server A, users alice (id 1) and bob (id 2), ``POST /api/tasks/N/annotations`` as each:
   task 1 — alice "corrected" (failure type detail, P2), bob "correct" with the text untouched;
   task 2 — bob "correct" but with the text edited, alice cancels; task 3 — alice "corrected"
   with no failure type. Export JSON and JSON_MIN (``GET /api/projects/1/export?exportType=…``,
   what the Export button downloads): ``a-v1.json``, ``a-v1-min.json``;
4. revisions, ``PATCH /api/annotations/N``: alice rewrites task 1 (P1 now), bob turns his task 2
   verdict into "corrected" (detail, P2). Export again: ``a-v2.json``, ``a-v2-min.json``; and
   ``GET /api/users/`` as ``a-users.json``;
5. server B, user carol (id 1, like alice on A): task 1 "corrected" (orientation, P1), whose
   task and annotation ids (1, 1) are those of alice's on A. Export: ``b.json``, ``b-min.json``,
   ``b-users.json``.

The fixtures in tests/annotate/data/labelstudio/ were recorded with label-studio 1.23.2 from PyPI
(Python 3.11) on servers A = http://127.0.0.1:18081 and B = http://127.0.0.1:18082::

    python3.11 -m venv .venv-labelstudio
    .venv-labelstudio/bin/pip install "label-studio==1.23.2"
    .venv/bin/python tests/annotate/labelstudio_live.py --label-studio .venv-labelstudio/bin/label-studio \\
        --record tests/annotate/data/labelstudio

``make test-labelstudio`` plays the same scenario on free ports and checks the round trip live.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from editcaption.annotate.labelstudio import export_labelstudio
from editcaption.workspace import Workspace

READY = "Quit the server with CONTROL-C."
STARTED = "Starting development server at "
USERS_A = (("alice@example.org", "alice-pass-1", "alice-token-0001"), ("bob@example.org", "bob-pass-11",
                                                                         "bob-token-00001"))
USERS_B = (("carol@example.org", "carol-pass-1", "carol-token-0001"),)
RUN = "source:manifest"
TASKS = 3


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LabelStudio:
    """One label-studio server on 127.0.0.1 with its own data directory and users."""

    def __init__(self, exe: str, home: Path, port: int, users: tuple[tuple[str, str, str], ...],
                 document_root: Path) -> None:
        self.exe, self.home, self.port, self.users, self.document_root = exe, home, port, users, document_root
        self.url = f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen[str] | None = None
        self.log: list[str] = []

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("LABEL_STUDIO_", "DJANGO_"))}
        env.update({
            "LABEL_STUDIO_BASE_DATA_DIR": str(self.home / "data"),
            "LABEL_STUDIO_LOCAL_FILES_SERVING_ENABLED": "true",
            "LABEL_STUDIO_LOCAL_FILES_DOCUMENT_ROOT": str(self.document_root),
            "COLLECT_ANALYTICS": "false",
            "LATEST_VERSION_CHECK": "false",
            "CONVERTER_DOWNLOAD_RESOURCES": "false",
        })
        return env

    def __enter__(self) -> LabelStudio:
        self.home.mkdir(parents=True, exist_ok=True)
        for n, (email, password, token) in enumerate(self.users):
            args = [self.exe, "init", "--username", email, "--password", password, "--user-token", token]
            if n == 0:  # the first user makes the organisation; its API tokens work as "Token <key>"
                args.append("--enable-legacy-api-token")
            done = subprocess.run(args, env=self.env(), cwd=self.home, capture_output=True, text=True, timeout=900)
            if done.returncode != 0:
                raise RuntimeError(f"label-studio init failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
        self.proc = subprocess.Popen(
            [self.exe, "start", "--no-browser", "--internal-host", "127.0.0.1", "--port", str(self.port)],
            env=self.env(), cwd=self.home, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        assert self.proc.stdout is not None
        for line in self.proc.stdout:  # blocks until Django's runserver says it is up
            self.log.append(line)
            if line.startswith(STARTED):  # label-studio picks another port when the asked one is taken
                self.url = line[len(STARTED):].strip().rstrip("/")
            if READY in line:
                break
        else:
            raise RuntimeError("label-studio stopped before serving:\n" + "".join(self.log[-60:]))
        # keep reading its output, so that a full pipe never blocks the server
        threading.Thread(target=lambda: self.log.extend(self.proc.stdout), daemon=True).start()
        self._wait_listening()
        return self

    def _wait_listening(self) -> None:
        """runserver prints its banner just before it binds: retry a refused connection until it accepts."""
        deadline = time.monotonic() + 60
        host, port = self.url.removeprefix("http://").split(":")
        while True:
            try:
                socket.create_connection((host, int(port)), timeout=5).close()
                return
            except ConnectionRefusedError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    tail = "".join(self.log[-60:])
                    raise RuntimeError("label-studio does not accept connections:\n" + tail) from None
                # runserver binds right after its banner and prints nothing once it listens, so there
                # is no line to block on: wait on the process (at once if it dies), a second a try
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.proc.wait(timeout=1)

    def __exit__(self, *exc: object) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def client(self, user: int = 0) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers={"Authorization": f"Token {self.users[user][2]}"},
                            timeout=120)


def result(name: str, kind: str, value: str) -> dict[str, Any]:
    key = "text" if kind == "textarea" else "choices"
    return {"from_name": name, "to_name": "target", "type": kind, "value": {key: [value]}}


def answer(verdict: str, text: str, failure_type: str | None = None, severity: str | None = None) -> list[dict]:
    items = [result("verdict", "choices", verdict), result("instruction", "textarea", text)]
    if failure_type:
        items.append(result("failure_type", "choices", failure_type))
    if severity:
        items.append(result("severity", "choices", severity))
    return items


def ok(response: httpx.Response) -> Any:
    if response.status_code >= 400:
        raise RuntimeError(f"{response.request.method} {response.request.url}: {response.status_code} {response.text}")
    return response.json() if response.content else None


@dataclass
class Recording:
    """What a scenario produced: export files by name, the servers' URLs, what the image checks saw."""

    files: dict[str, bytes] = field(default_factory=dict)
    urls: dict[str, str] = field(default_factory=dict)
    version: str = ""
    image_status: dict[str, list[int]] = field(default_factory=dict)  # server → [before storage, after]

    def write(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for name, content in self.files.items():
            (folder / name).write_bytes(content)
        (folder / "recording.json").write_text(json.dumps(
            {"label_studio": self.version, "servers": self.urls, "image_status": self.image_status},
            indent=1) + "\n")


def setup_project(ls: LabelStudio, folder: Path, rec: Recording, name: str) -> tuple[int, list[int]]:
    """SETUP.md's steps through the API: project with our config, local-files storage, tasks; (project, task ids)."""
    with ls.client() as api:
        project = ok(api.post("/api/projects", json={"title": f"editcaption {name}",
                                                     "label_config": (folder / "config.xml").read_text()}))["id"]
        tasks = json.loads((folder / "tasks.json").read_text())
        image = tasks[0]["data"]["source_image"]
        before = api.get(image).status_code
        ok(api.post("/api/storages/localfiles", json={"project": project, "path": str(folder / "images"),
                                                     "title": "images", "use_blob_urls": False}))
        after = api.get(image)
        rec.image_status[name] = [before, after.status_code]
        if after.status_code != 200 or after.content[:2] != b"\xff\xd8":
            raise RuntimeError(f"{image} does not resolve after the SETUP.md steps: {after.status_code}")
        ok(api.post(f"/api/projects/{project}/import", json=tasks))
        ids = [t["id"] for t in ok(api.get("/api/tasks", params={"project": project}))["tasks"]]
    return project, sorted(ids)


def annotate(ls: LabelStudio, user: int, task: int, items: list[dict], lead_time: float,
             cancelled: bool = False) -> int:
    with ls.client(user) as api:
        return ok(api.post(f"/api/tasks/{task}/annotations", json={"result": items, "lead_time": lead_time,
                                                                   "was_cancelled": cancelled}))["id"]


def revise(ls: LabelStudio, user: int, annotation: int, items: list[dict], lead_time: float) -> None:
    with ls.client(user) as api:
        ok(api.patch(f"/api/annotations/{annotation}", json={"result": items, "lead_time": lead_time}))


def export(ls: LabelStudio, project: int, rec: Recording, stem: str) -> None:
    with ls.client() as api:
        for fmt, suffix in (("JSON", ".json"), ("JSON_MIN", "-min.json")):
            response = api.get(f"/api/projects/{project}/export", params={"exportType": fmt})
            ok(response)
            rec.files[stem + suffix] = response.content


def users(ls: LabelStudio, rec: Recording, name: str) -> None:
    with ls.client() as api:
        rec.files[name] = api.get("/api/users/").content
        rec.version = ok(api.get("/api/version"))["release"]


def record(exe: str, ws: Workspace, workdir: Path, ports: tuple[int, int] | None = None) -> Recording:
    """Play the scenario of the module docstring on two fresh servers; returns the exports."""
    rec = Recording()
    port_a, port_b = ports or (free_port(), free_port())
    folder_a, folder_b = workdir / "ls-a", workdir / "ls-b"
    rec.urls = {"a": f"http://127.0.0.1:{port_a}", "b": f"http://127.0.0.1:{port_b}"}
    export_labelstudio(ws, RUN, folder_a, ls_url=rec.urls["a"], ls_project=1, limit=TASKS)
    export_labelstudio(ws, RUN, folder_b, ls_url=rec.urls["b"], limit=TASKS)
    with LabelStudio(exe, workdir / "server-a", port_a, USERS_A, folder_a) as ls:
        if ls.url != rec.urls["a"]:
            raise RuntimeError(f"port {port_a} was taken: label-studio listens on {ls.url}")
        project, (t1, t2, t3) = setup_project(ls, folder_a, rec, "a")
        alice_1 = annotate(ls, 0, t1, answer("corrected", "Pan the camera to the left, keeping the cat in the "
                                                          "centre.", "detail", "P2"), 12.5)
        annotate(ls, 1, t1, answer("correct", "Pan the camera to the left."), 3.25)
        bob_2 = annotate(ls, 1, t2, answer("correct", "Brighten the whole image slightly."), 7.0)
        annotate(ls, 0, t2, [], 1.5, cancelled=True)
        annotate(ls, 0, t3, answer("corrected", "Mirror the image left to right."), 5.0)
        export(ls, project, rec, "a-v1")
        revise(ls, 0, alice_1, answer("corrected", "Pan the camera to the left by about a quarter of the frame.",
                                      "detail", "P1"), 20.0)
        revise(ls, 1, bob_2, answer("corrected", "Brighten the whole image slightly.", "detail", "P2"), 9.5)
        export(ls, project, rec, "a-v2")
        users(ls, rec, "a-users.json")
    with LabelStudio(exe, workdir / "server-b", port_b, USERS_B, folder_b) as ls:
        if ls.url != rec.urls["b"]:
            raise RuntimeError(f"port {port_b} was taken: label-studio listens on {ls.url}")
        project, (t1, _, _) = setup_project(ls, folder_b, rec, "b")
        annotate(ls, 0, t1, answer("corrected", "Pan the camera to the left; the cat moves right in the frame.",
                                   "orientation", "P1"), 9.0)
        export(ls, project, rec, "b")
        users(ls, rec, "b-users.json")
    return rec


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--label-studio", required=True, help="the label-studio executable")
    parser.add_argument("--record", type=Path, required=True, help="folder for the exports")
    parser.add_argument("--ports", type=int, nargs=2, default=(18081, 18082))
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).parent))
    from studio_helpers import make_studio_workspace

    with tempfile.TemporaryDirectory() as tmp:
        ws = make_studio_workspace(Path(tmp) / "ws")
        try:
            rec = record(args.label_studio, ws, Path(tmp), tuple(args.ports))
        finally:
            ws.close()
    shutil.rmtree(args.record, ignore_errors=True)
    rec.write(args.record)
    print(f"label-studio {rec.version}: {', '.join(sorted(rec.files))} → {args.record}")


if __name__ == "__main__":
    main()
