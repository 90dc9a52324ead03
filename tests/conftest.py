"""Shared fixtures: workspaces on SQLite and (when `make test` started one) PostgreSQL."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


def pytest_report_header(config):  # noqa: ANN001
    if os.environ.get("EDITCAPTION_TEST_PG_URL"):
        return "PostgreSQL pass: enabled"
    return "NOTICE: PostgreSQL pass SKIPPED (EDITCAPTION_TEST_PG_URL not set; run `make test`)"


@pytest.fixture
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def _pg_database() -> tuple[str, str]:
    """Create a fresh PostgreSQL database; returns (url, admin url)."""
    admin = os.environ["EDITCAPTION_TEST_PG_URL"]
    import psycopg

    name = "ec_" + uuid.uuid4().hex[:12]
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin.rsplit("/", 1)[0] + "/" + name, admin


def _drop_pg_database(url: str, admin: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):  # noqa: ANN001
    """None for the default SQLite file, or the URL of a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield None
        return
    if not os.environ.get("EDITCAPTION_TEST_PG_URL"):
        pytest.skip("PostgreSQL pass skipped: no test server (EDITCAPTION_TEST_PG_URL unset; `make test` starts one)")
    url, admin = _pg_database()
    yield url
    _drop_pg_database(url, admin)


@pytest.fixture
def workspace(tmp_path, db_url):  # noqa: ANN001
    from editcaption.workspace import Workspace

    ws = Workspace.init(tmp_path / "ws", db_url)
    yield ws
    ws.close()


@pytest.fixture
def sqlite_workspace(tmp_path):  # noqa: ANN001
    from editcaption.workspace import Workspace

    ws = Workspace.init(tmp_path / "ws")
    yield ws
    ws.close()


@pytest.fixture(scope="module")
def local_ray():
    """A Ray instance started in this process for one test module (2 CPUs, no dashboard)."""
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="warning")
    yield ray
    ray.shutdown()
