"""Forward migrations of the workspace schema.

The schema version lives in the table ``editcaption_schema``. :data:`MIGRATIONS` is an
append-only list: migration *i* brings a database from version *i-1* to *i*. A workspace
made by an older release therefore opens in a newer one (its missing migrations run on
open), and a workspace made by a *newer* release is refused with a clear message rather
than silently misread.

Migrations are written to be idempotent (they check what exists), because a fresh
database and an upgraded one must end in the same schema. Use the helpers below; for
column changes SQLite needs Alembic's batch mode, which :func:`operations` provides.
"""

from __future__ import annotations

from collections.abc import Callable

from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import Column, Connection, Engine, Integer, MetaData, Table, inspect, select

from .models import Base

_meta = MetaData()
schema_table = Table("editcaption_schema", _meta, Column("version", Integer, nullable=False))


class SchemaTooNewError(RuntimeError):
    pass


def operations(conn: Connection) -> Operations:
    """Alembic's portable DDL operations (``add_column``, ``batch_alter_table``...) on ``conn``."""
    return Operations(MigrationContext.configure(conn))


def create_tables_if_missing(conn: Connection, *names: str) -> None:
    existing = set(inspect(conn).get_table_names())
    tables = [Base.metadata.tables[n] for n in names if n not in existing]
    Base.metadata.create_all(conn, tables=tables)


def _v1_core_tables(conn: Connection) -> None:
    create_tables_if_missing(
        conn,
        "images",
        "pairs",
        "ground_truths",
        "runs",
        "instructions",
        "scores",
        "refinements",
        "preferences",
        "judgements",
        "llm_cache",
    )


def _v2_annotation_studio(conn: Connection) -> None:
    create_tables_if_missing(
        conn,
        "annotators",
        "annotation_queues",
        "annotation_tasks",
        "annotation_assignments",
        "annotation_submissions",
        "annotation_events",
    )


def _v3_benchmarks(conn: Connection) -> None:
    create_tables_if_missing(conn, "benchmarks", "benchmark_pairs")


# Append new migrations at the end; never edit or reorder shipped ones.
MIGRATIONS: list[Callable[[Connection], None]] = [
    _v1_core_tables,
    _v2_annotation_studio,
    _v3_benchmarks,
]

SCHEMA_VERSION = len(MIGRATIONS)


def current_version(conn: Connection) -> int:
    if "editcaption_schema" not in inspect(conn).get_table_names():
        return 0
    value = conn.execute(select(schema_table.c.version)).scalar()
    return int(value or 0)


def migrate(engine: Engine) -> tuple[int, int]:
    """Bring the database to :data:`SCHEMA_VERSION`; returns (version before, version after)."""
    with engine.begin() as conn:
        _meta.create_all(conn, tables=[schema_table])
        before = current_version(conn)
        if before > SCHEMA_VERSION:
            raise SchemaTooNewError(
                f"this workspace has schema version {before}, newer than this editcaption "
                f"understands ({SCHEMA_VERSION}); upgrade editcaption to open it"
            )
        for version in range(before + 1, SCHEMA_VERSION + 1):
            MIGRATIONS[version - 1](conn)
        if before == 0:
            conn.execute(schema_table.insert().values(version=SCHEMA_VERSION))
        elif before != SCHEMA_VERSION:
            conn.execute(schema_table.update().values(version=SCHEMA_VERSION))
    return before, SCHEMA_VERSION
