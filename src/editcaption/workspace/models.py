"""SQLAlchemy models for the workspace database (the data contracts in docs/concepts/data-contracts.md).

Schema changes go through :mod:`editcaption.workspace.migrations`: add or change a model
here *and* append a migration there; never edit a migration that has shipped.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class ImageRecord(Base):
    """An image in the content-addressed store, keyed by the sha256 of its original bytes."""

    __tablename__ = "images"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    ext: Mapped[str] = mapped_column(String(8))
    format: Mapped[str] = mapped_column(String(16))
    mode: Mapped[str] = mapped_column(String(16))
    width: Mapped[int] = mapped_column(Integer)  # as displayed (EXIF orientation applied)
    height: Mapped[int] = mapped_column(Integer)
    nbytes: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PairRecord(Base):
    __tablename__ = "pairs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(512))
    source_sha: Mapped[str] = mapped_column(ForeignKey("images.sha256"))
    target_sha: Mapped[str] = mapped_column(ForeignKey("images.sha256"))
    origin: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    category: Mapped[str | None] = mapped_column(String(32), index=True)
    subtype: Mapped[str | None] = mapped_column(String(64), index=True)
    split: Mapped[str | None] = mapped_column(String(16), index=True)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    source: Mapped[ImageRecord] = relationship(foreign_keys=[source_sha], lazy="joined")
    target: Mapped[ImageRecord] = relationship(foreign_keys=[target_sha], lazy="joined")


class GroundTruthRecord(Base):
    """Structured truth for a pair: primary and secondary changes plus an overall description."""

    __tablename__ = "ground_truths"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    pair_id: Mapped[str] = mapped_column(ForeignKey("pairs.id", ondelete="CASCADE"), unique=True)
    primary: Mapped[list[Any]] = mapped_column(JSON, default=list)
    secondary: Mapped[list[Any]] = mapped_column(JSON, default=list)
    overall: Mapped[str] = mapped_column(Text, default="")
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str | None] = mapped_column(String(128))  # manifest, editworld, llm:<spec>, annotator:<name>
    updated_by: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class RunRecord(Base):
    """One invocation of a stage (a caption run, a scoring pass, an import...)."""

    __tablename__ = "runs"

    id: Mapped[str] = mapped_column(String(128), primary_key=True)  # the run name
    kind: Mapped[str] = mapped_column(String(32), index=True)
    config: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    package_version: Mapped[str] = mapped_column(String(32))
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16), default="running")
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    tags: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class InstructionRecord(Base):
    """An instruction for a pair from one producer; at most one per (run, pair)."""

    __tablename__ = "instructions"
    __table_args__ = (UniqueConstraint("run_id", "pair_id", name="uq_instruction_run_pair"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    pair_id: Mapped[str] = mapped_column(ForeignKey("pairs.id", ondelete="CASCADE"), index=True)
    run_id: Mapped[str | None] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    text: Mapped[str | None] = mapped_column(Text)
    producer: Mapped[str] = mapped_column(String(256))
    prompt_version: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="ok")  # ok | failed
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    usage: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    kept: Mapped[bool | None] = mapped_column(Boolean)  # set by `editcaption filter`
    keep_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class ScoreRecord(Base):
    """A score of an instruction by a scorer (EditScore, an LLM judge, the exact scorer)."""

    __tablename__ = "scores"
    __table_args__ = (Index("ix_scores_instruction_scorer", "instruction_id", "scorer"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    instruction_id: Mapped[int] = mapped_column(ForeignKey("instructions.id", ondelete="CASCADE"))
    scorer: Mapped[str] = mapped_column(String(256))
    run_id: Mapped[str | None] = mapped_column(ForeignKey("runs.id", ondelete="SET NULL"))
    components: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    overall: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(16), default="ok")  # ok | unscored
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RefinementRecord(Base):
    __tablename__ = "refinements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    pair_id: Mapped[str] = mapped_column(ForeignKey("pairs.id", ondelete="CASCADE"), index=True)
    instruction_id: Mapped[int | None] = mapped_column(ForeignKey("instructions.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    annotator: Mapped[str] = mapped_column(String(128))
    simulated: Mapped[bool] = mapped_column(Boolean, default=False)
    task_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PreferenceRecord(Base):
    __tablename__ = "preferences"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    pair_id: Mapped[str] = mapped_column(ForeignKey("pairs.id", ondelete="CASCADE"), index=True)
    rejected_instruction_id: Mapped[int | None] = mapped_column(ForeignKey("instructions.id", ondelete="SET NULL"))
    chosen: Mapped[str] = mapped_column(Text)
    rejected: Mapped[str] = mapped_column(Text)
    error_type: Mapped[str] = mapped_column(String(16), index=True)  # orientation | viewpoint | detail
    severity: Mapped[str] = mapped_column(String(4))  # P0 | P1 | P2
    annotator: Mapped[str] = mapped_column(String(128))
    simulated: Mapped[bool] = mapped_column(Boolean, default=False)
    task_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class JudgementRecord(Base):
    """A human evaluation of an instruction (the paper's §5.2.1, Table 6)."""

    __tablename__ = "judgements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    instruction_id: Mapped[int] = mapped_column(ForeignKey("instructions.id", ondelete="CASCADE"), index=True)
    level: Mapped[str] = mapped_column(String(8))  # correct | P0 | P1 | P2
    checklist: Mapped[list[Any]] = mapped_column(JSON, default=list)
    annotator: Mapped[str] = mapped_column(String(128))
    note: Mapped[str | None] = mapped_column(Text)
    task_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LLMCacheRecord(Base):
    """Responses of model calls keyed by a hash of the full request (scoring, judging)."""

    __tablename__ = "llm_cache"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    model: Mapped[str] = mapped_column(String(256))
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


# -- annotation studio (issue 7): people, queues, leases, submissions, audit ------------------


class AnnotatorRecord(Base):
    """A person who may log in to the annotation studio."""

    __tablename__ = "annotators"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    role: Mapped[str] = mapped_column(String(16))  # admin | annotator
    password_hash: Mapped[str] = mapped_column(String(256))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)  # bumped on logout: old cookies stop working
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AnnotationQueueRecord(Base):
    """A queue of one task kind (refine | prefer | judge | verify-gt) built from a run."""

    __tablename__ = "annotation_queues"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    run_id: Mapped[str | None] = mapped_column(String(128))
    where: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    overlap: Mapped[int] = mapped_column(Integer, default=1)
    lease_seconds: Mapped[int] = mapped_column(Integer, default=1800)
    created_by: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AnnotationTaskRecord(Base):
    """One item of a queue: a pair, and the instruction shown with it (none for verify-gt)."""

    __tablename__ = "annotation_tasks"
    __table_args__ = (
        UniqueConstraint("queue_id", "pair_id", name="uq_annotation_task_queue_pair"),
        Index("ix_annotation_tasks_queue_position", "queue_id", "position"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    queue_id: Mapped[int] = mapped_column(ForeignKey("annotation_queues.id", ondelete="CASCADE"))
    pair_id: Mapped[str] = mapped_column(ForeignKey("pairs.id", ondelete="CASCADE"))
    instruction_id: Mapped[int | None] = mapped_column(ForeignKey("instructions.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AnnotationAssignmentRecord(Base):
    """A task handed to one annotator. ``slot`` (0..overlap-1) is what a lease occupies.

    The unique (task, slot) constraint is what stops two annotators taking the same slot;
    a skipped or expired row gives its slot back (slot = NULL) and stays as history.
    """

    __tablename__ = "annotation_assignments"
    __table_args__ = (
        UniqueConstraint("task_id", "slot", name="uq_annotation_assignment_slot"),
        UniqueConstraint("task_id", "user_id", name="uq_annotation_assignment_user"),
        Index("ix_annotation_assignments_queue_status", "queue_id", "status"),
        # at most one live lease per annotator and queue, even when two of their requests race
        Index("uq_annotation_assignment_one_lease", "queue_id", "user_id", unique=True,
              sqlite_where=text("status = 'leased'"), postgresql_where=text("status = 'leased'")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("annotation_tasks.id", ondelete="CASCADE"))
    queue_id: Mapped[int] = mapped_column(ForeignKey("annotation_queues.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("annotators.id", ondelete="CASCADE"), index=True)
    slot: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))  # leased | submitted | skipped | expired
    leased_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class AnnotationSubmissionRecord(Base):
    """What an annotator submitted for a task; the client-made ``token`` makes retries harmless."""

    __tablename__ = "annotation_submissions"
    __table_args__ = (
        UniqueConstraint("task_id", "user_id", name="uq_annotation_submission_task_user"),
        Index("ix_annotation_submissions_queue_user", "queue_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token: Mapped[str] = mapped_column(String(128), unique=True)
    queue_id: Mapped[int | None] = mapped_column(ForeignKey("annotation_queues.id", ondelete="CASCADE"))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("annotation_tasks.id", ondelete="CASCADE"))
    assignment_id: Mapped[int | None] = mapped_column(Integer)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("annotators.id", ondelete="SET NULL"))
    annotator: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str] = mapped_column(String(32))  # refined | correct | preference | P0 | P1 | P2 | verified ...
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    record_kind: Mapped[str | None] = mapped_column(String(32))
    record_id: Mapped[int | None] = mapped_column(Integer)
    seconds: Mapped[float | None] = mapped_column(Float)  # lease to submit
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class AnnotationEventRecord(Base):
    """Audit log of the studio: logins, leases, skips, expiries, submissions, edits (with before/after)."""

    __tablename__ = "annotation_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(32))
    queue_id: Mapped[int | None] = mapped_column(Integer)
    task_id: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


# -- evaluation (issue 10): benchmarks as named, seeded selections of pairs -------------------


class BenchmarkRecord(Base):
    """A named evaluation set (``eval prepare``): how it was sampled, so it can be rebuilt."""

    __tablename__ = "benchmarks"

    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))  # hqedit | bytemorph | editworld | custom
    config: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class BenchmarkPairRecord(Base):
    """Membership of a pair in a benchmark; ``position`` keeps the sampled order."""

    __tablename__ = "benchmark_pairs"
    __table_args__ = (UniqueConstraint("benchmark", "pair_id", name="uq_benchmark_pair"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    benchmark: Mapped[str] = mapped_column(ForeignKey("benchmarks.name", ondelete="CASCADE"), index=True)
    pair_id: Mapped[str] = mapped_column(ForeignKey("pairs.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
