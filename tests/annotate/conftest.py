"""Fixtures for the annotation studio tests."""

from __future__ import annotations

import shutil

import pytest
from studio_helpers import ServerThread, make_studio_workspace

from editcaption.annotate.app import StudioSettings, create_app
from editcaption.annotate.auth import LoginLimiter
from editcaption.workspace import Workspace


@pytest.fixture(scope="session")
def studio_template(tmp_path_factory):  # noqa: ANN001
    """One SQLite studio workspace built per session; tests get copies of the folder."""
    root = tmp_path_factory.mktemp("studio-template") / "ws"
    make_studio_workspace(root).close()
    return root


def copy_workspace(template, dest) -> Workspace:  # noqa: ANN001
    shutil.copytree(template, dest)
    return Workspace.open(dest)


@pytest.fixture
def studio_ws(tmp_path, db_url, studio_template):  # noqa: ANN001
    """A studio workspace on SQLite and (under `make test`) PostgreSQL."""
    ws = copy_workspace(studio_template, tmp_path / "ws") if db_url is None else make_studio_workspace(
        tmp_path / "ws", db_url)
    yield ws
    ws.close()


@pytest.fixture
def studio_sqlite(tmp_path, studio_template):  # noqa: ANN001
    """A studio workspace on SQLite only (for paths with nothing database-specific in them)."""
    ws = copy_workspace(studio_template, tmp_path / "ws")
    yield ws
    ws.close()


@pytest.fixture(scope="module")
def module_ws(tmp_path_factory, studio_template):  # noqa: ANN001
    ws = copy_workspace(studio_template, tmp_path_factory.mktemp("studio") / "ws")
    yield ws
    ws.close()


@pytest.fixture(scope="module")
def studio(module_ws):  # noqa: ANN001
    """A real studio server on 127.0.0.1 over the module's workspace: (workspace, app, base url).

    Login delays are an hour, so a throttled attempt stays throttled however slowly the test runs."""
    limiter = LoginLimiter(per_pair=3, per_client=1000, base_delay_s=3600, max_delay_s=3600)
    app = create_app(module_ws, StudioSettings(login_limiter=limiter))
    server = ServerThread(app).start()
    yield module_ws, app, server.url
    server.stop()
