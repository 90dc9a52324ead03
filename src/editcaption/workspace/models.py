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
        # finding the next free item reads this index instead of scanning every finished item
        Index("ix_annotation_tasks_queue_live", "queue_id", "live_slots", "position"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    queue_id: Mapped[int] = mapped_column(ForeignKey("annotation_queues.id", ondelete="CASCADE"))
    pair_id: Mapped[str] = mapped_column(ForeignKey("pairs.id", ondelete="CASCADE"))
    instruction_id: Mapped[int | None] = mapped_column(ForeignKey("instructions.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    # slots held by a lease or a submission (kept by annotate.leases in the transaction that
    # changes a slot; recounted from the assignments when a queue looks exhausted)
    live_slots: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
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
    """Audit log of the studio: logins, leases, skips, expiries, submissions, edits (with before/after).

    Events of people not logged in (failed and throttled logins) are aggregated: one row per
    ``bucket`` (action, key, minute) whose ``count`` says how many happened.
    """

    __tablename__ = "annotation_events"
    __table_args__ = (Index("ix_annotation_events_bucket", "bucket", unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(32))
    queue_id: Mapped[int | None] = mapped_column(Integer)
    task_id: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    bucket: Mapped[str | None] = mapped_column(String(255))  # aggregated events only (unique)
    count: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))


class LoginThrottleRecord(Base):
    """Login attempts per key (account, client, account from one client), shared by every server process.

    An attempt is counted in ``inflight`` when it is admitted, before its password is checked,
    then moves to ``failures`` or (a success) is dropped; ``next_at`` is the earliest time
    (epoch seconds) the key admits another once its allowance is used. Rows whose window has
    passed are deleted by a periodic sweep (see ``annotate.auth.LoginLimiter``).
    """

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    inflight: Mapped[int] = mapped_column(Integer, default=0)
    last_at: Mapped[float] = mapped_column(Float)
    next_at: Mapped[float] = mapped_column(Float, index=True)


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


# -- Label Studio provenance: every imported version of a Label Studio annotation -------------


class LabelStudioAnnotationRecord(Base):
    """One version of a Label Studio annotation, keyed by server, project, task, annotation and ``updated_at``.

    Every version has its own Refinement (created at the version's ``updated_at``); only the newest
    version of an annotation keeps a Preference. Older versions point to the next one through
    ``superseded_by`` / ``superseded_at``.
    """

    __tablename__ = "labelstudio_annotations"
    __table_args__ = (
        UniqueConstraint("ls_url", "ls_project", "ls_task", "ls_annotation", "updated_at",
                         name="uq_labelstudio_annotation_version"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ls_url: Mapped[str] = mapped_column(String(512))  # the server, normalised (scheme://host[:port][/path])
    ls_project: Mapped[int] = mapped_column(Integer)
    ls_task: Mapped[int] = mapped_column(Integer)
    ls_annotation: Mapped[int] = mapped_column(Integer)
    ls_user_id: Mapped[int | None] = mapped_column(Integer)
    ls_user_email: Mapped[str | None] = mapped_column(String(256))
    annotator: Mapped[str] = mapped_column(String(128))
    pair_id: Mapped[str] = mapped_column(ForeignKey("pairs.id", ondelete="CASCADE"), index=True)
    instruction_id: Mapped[int | None] = mapped_column(ForeignKey("instructions.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))  # Label Studio's, first submission
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))  # Label Studio's: this version
    lead_time: Mapped[float | None] = mapped_column(Float)  # seconds, as Label Studio counts them
    verdict: Mapped[str | None] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    failure_type: Mapped[str | None] = mapped_column(String(16))
    severity: Mapped[str | None] = mapped_column(String(4))
    outcome: Mapped[str] = mapped_column(String(16))  # correct | refined | preference
    refinement_id: Mapped[int | None] = mapped_column(ForeignKey("refinements.id", ondelete="SET NULL"))
    preference_id: Mapped[int | None] = mapped_column(ForeignKey("preferences.id", ondelete="SET NULL"))
    superseded_by: Mapped[int | None] = mapped_column(Integer)  # id of the next newer version
    superseded_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    export_format: Mapped[str] = mapped_column(String(16))  # JSON | JSON_MIN: the file it first came from
    note: Mapped[str | None] = mapped_column(Text)
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


# -- studio drafts and corrected submissions ---------------------------------------------------


class AnnotationDraftRecord(Base):
    """What an annotator has typed into an item's form and not submitted yet (saved as they type).

    One row per assignment (so per annotator and item); deleted when the item is submitted.
    ``fields`` maps each form field to its list of values, as the form would send them.
    """

    __tablename__ = "annotation_drafts"

    assignment_id: Mapped[int] = mapped_column(ForeignKey("annotation_assignments.id", ondelete="CASCADE"),
                                               primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("annotators.id", ondelete="CASCADE"), index=True)
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AnnotationSubmissionVersionRecord(Base):
    """An earlier version of a submission, kept when its annotator submits a correction.

    The submission row always holds the newest version; each correction first copies the row's
    previous state here (``version`` 1 is the first answer), so no answer is ever overwritten.
    """

    __tablename__ = "annotation_submission_versions"
    __table_args__ = (UniqueConstraint("submission_id", "version", name="uq_annotation_submission_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("annotation_submissions.id", ondelete="CASCADE"),
                                               index=True)
    version: Mapped[int] = mapped_column(Integer)
    token: Mapped[str] = mapped_column(String(128))
    outcome: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    record_kind: Mapped[str | None] = mapped_column(String(32))
    record_id: Mapped[int | None] = mapped_column(Integer)
    record: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # the workspace record's fields, if it was removed
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    replaced_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
