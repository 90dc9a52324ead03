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
from sqlalchemy import Column, Connection, Engine, Integer, MetaData, String, Table, inspect, select, text

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


def _v4_studio_security(conn: Connection) -> None:
    """The studio for a team: shared login throttling, aggregated anonymous audit events, and a
    count of live slots per queue item (so finding the next free item reads an index)."""
    create_tables_if_missing(conn, "login_throttle")
    ops = operations(conn)
    insp = inspect(conn)
    task_columns = {c["name"] for c in insp.get_columns("annotation_tasks")}
    if "live_slots" not in task_columns:
        ops.add_column("annotation_tasks", Column("live_slots", Integer, nullable=False, server_default=text("0")))
        conn.execute(text(
            "UPDATE annotation_tasks SET live_slots = (SELECT count(*) FROM annotation_assignments a "
            "WHERE a.task_id = annotation_tasks.id AND a.slot IS NOT NULL)"))
    if "ix_annotation_tasks_queue_live" not in {i["name"] for i in insp.get_indexes("annotation_tasks")}:
        ops.create_index("ix_annotation_tasks_queue_live", "annotation_tasks", ["queue_id", "live_slots", "position"])
    event_columns = {c["name"] for c in insp.get_columns("annotation_events")}
    if "bucket" not in event_columns:
        ops.add_column("annotation_events", Column("bucket", String(255), nullable=True))
    if "count" not in event_columns:
        ops.add_column("annotation_events", Column("count", Integer, nullable=False, server_default=text("1")))
    if "ix_annotation_events_bucket" not in {i["name"] for i in insp.get_indexes("annotation_events")}:
        ops.create_index("ix_annotation_events_bucket", "annotation_events", ["bucket"], unique=True)


def _v5_labelstudio_provenance(conn: Connection) -> None:
    """Every imported version of a Label Studio annotation, keyed by server, project, task, annotation
    and ``updated_at``. Imports made before it (keys ``ls:TASK:ANNOTATION`` in annotation_submissions)
    are claimed by the first matching import after it (``annotate.labelstudio.importer``)."""
    create_tables_if_missing(conn, "labelstudio_annotations")


def _v6_annotation_drafts(conn: Connection) -> None:
    """The studio keeps what annotators type (drafts) and every earlier version of a corrected answer."""
    create_tables_if_missing(conn, "annotation_drafts", "annotation_submission_versions")


# Append new migrations at the end; never edit or reorder shipped ones.
MIGRATIONS: list[Callable[[Connection], None]] = [
    _v1_core_tables,
    _v2_annotation_studio,
    _v3_benchmarks,
    _v4_studio_security,
    _v5_labelstudio_provenance,
    _v6_annotation_drafts,
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
