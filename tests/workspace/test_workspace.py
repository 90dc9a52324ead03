"""Workspace: schema, migrations, SQLite pragmas, the content-addressed store, PostgreSQL pass."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from editcaption.store import LocalStore
from editcaption.workspace import Base, PairRecord, Workspace, WorkspaceError
from editcaption.workspace.migrations import SCHEMA_VERSION, SchemaTooNewError, migrate

FIXTURES = Path(__file__).parent / "fixtures"


def _columns(engine) -> dict[str, set[str]]:  # noqa: ANN001
    insp = inspect(engine)
    return {t: {c["name"] for c in insp.get_columns(t)} for t in insp.get_table_names() if t != "editcaption_schema"}


def test_fresh_workspace_has_the_model_schema(workspace):
    expected = {t.name: {c.name for c in t.columns} for t in Base.metadata.sorted_tables}
    assert _columns(workspace.engine) == expected
    with workspace.engine.connect() as conn:
        assert conn.execute(text("select version from editcaption_schema")).scalar() == SCHEMA_VERSION


def test_version_1_workspace_opens_and_upgrades(tmp_path):
    """A database written by schema v1 (frozen DDL in fixtures/) opens in this release."""
    ws_dir = tmp_path / "old"
    ws_dir.mkdir()
    (ws_dir / "workspace.json").write_text('{"created_by": "editcaption 0.1.0"}')
    con = sqlite3.connect(ws_dir / "editcaption.db")
    con.executescript((FIXTURES / "schema_v1.sql").read_text())
    con.execute("insert into editcaption_schema(version) values (1)")
    con.execute("insert into images(sha256, ext, format, mode, width, height, nbytes, created_at) values "
                "('" + "a" * 64 + "', '.png', 'PNG', 'RGB', 4, 3, 10, '2026-01-01 00:00:00')")
    con.execute("insert into pairs(id, name, source_sha, target_sha, origin, extra, created_at) values "
                "('p1', 'old pair', '" + "a" * 64 + "', '" + "a" * 64 + "', '{}', '{}', '2026-01-01 00:00:00')")
    con.commit()
    con.close()
    ws = Workspace.open(ws_dir)
    try:
        expected = {t.name: {c.name for c in t.columns} for t in Base.metadata.sorted_tables}
        assert _columns(ws.engine) == expected
        with ws.session() as s:
            assert s.get(PairRecord, "p1").name == "old pair"
        with ws.engine.connect() as conn:
            assert conn.execute(text("select version from editcaption_schema")).scalar() == SCHEMA_VERSION
    finally:
        ws.close()


def test_newer_schema_is_refused(sqlite_workspace):
    with sqlite_workspace.engine.begin() as conn:
        conn.execute(text("update editcaption_schema set version = :v"), {"v": SCHEMA_VERSION + 5})
    with pytest.raises(SchemaTooNewError, match="upgrade editcaption"):
        migrate(sqlite_workspace.engine)
    with pytest.raises(WorkspaceError, match="newer than this editcaption"):
        Workspace.open(sqlite_workspace.root)


def test_sqlite_runs_in_wal_mode_with_foreign_keys(sqlite_workspace):
    with sqlite_workspace.engine.connect() as conn:
        assert conn.execute(text("pragma journal_mode")).scalar() == "wal"
        assert conn.execute(text("pragma foreign_keys")).scalar() == 1


def test_foreign_keys_are_enforced(workspace):
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError):
        with workspace.session() as s:
            s.add(PairRecord(id="x", source_sha="b" * 64, target_sha="b" * 64, origin={}, extra={}))


def test_missing_workspace_is_a_clear_error(tmp_path):
    with pytest.raises(WorkspaceError, match="editcaption init"):
        Workspace.open(tmp_path / "nowhere")


def test_store_is_content_addressed_and_atomic(tmp_path):
    store = LocalStore(tmp_path / "images")
    k1 = store.put(b"abc", ".png")
    assert store.put(b"abc", ".png") == k1
    p1 = store.local_path(k1)
    assert p1.read_bytes() == b"abc"
    assert p1.name.startswith("ba7816bf") and p1.parent.name == "ba"
    assert not list(p1.parent.glob(".tmp-*"))
    with pytest.raises(ValueError):
        store.path_for("../../etc/passwd", ".png")


def test_transaction_rolls_back_on_error(workspace):
    with pytest.raises(RuntimeError):
        with workspace.session() as s:
            from editcaption.workspace import RunRecord

            s.add(RunRecord(id="r", kind="caption", config={}, package_version="x"))
            s.flush()
            raise RuntimeError("boom")
    from editcaption.workspace import RunRecord

    with workspace.session() as s:
        assert s.get(RunRecord, "r") is None
