"""Approvals (审批, issue 14; docs/approvals.md).

- `ApprovalTemplate`: a forms template (`purpose="approval"`) plus its flow; `flow_version` is
  the newest `ApprovalFlow` — each change of the flow adds a version, and a request keeps the
  one it was submitted on (`ApprovalRequest.flow_version`).
- `ApprovalFlow`: one version of a template's flow (steps, approver rules, conditions, copies,
  the overdue policy), frozen once written.
- `ApprovalRequest`: one submission: its answers on the form version it was filled on, whom it
  is for (`subject_id`: oneself, or a guardian's child for a student leave), its state, the
  `round` (a request returned for changes and submitted again starts a new round of steps) and
  the leave days it covers (`starts_on`..`ends_on`, for attendance).
- `ApprovalStep`: a step of a round, planned at submission from the flow version: `all` must
  approve or `any` one; `waiting` until its turn, then `pending`, then `approved`/`rejected`
  (or `skipped` when nobody was found to approve it, `cancelled` when the request ended).
- `ApprovalTask`: one approver's part in a step (`on_behalf_of`: the approver a delegate acts
  for).
- `ApprovalEvent`: the timeline, numbered per request; comments carry their attachments
  (`ApprovalFile`).
- `ApprovalCopy`: who the request is copied to (抄送).
- `ApprovalDelegation`: someone on leave hands their approvals to another for some days."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bellwork.db.base import Base, BigId, utcnow

PENDING = "pending"
APPROVED = "approved"
REJECTED = "rejected"
RETURNED = "returned"
WITHDRAWN = "withdrawn"
WAITING = "waiting"
SKIPPED = "skipped"
CANCELLED = "cancelled"
TRANSFERRED = "transferred"
ALL = "all"
ANY = "any"


class ApprovalTemplate(Base):
    __tablename__ = "approval_template"
    __table_args__ = (Index("ix_approval_template_unit", "unit_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    form_template_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("form_template.id", ondelete="CASCADE"), unique=True
    )
    unit_id: Mapped[int] = mapped_column(BigId, ForeignKey("unit.id", ondelete="CASCADE"))
    # "leave", "student_leave", "expense", "purchase", "correction", or None for one's own.
    kind: Mapped[str | None] = mapped_column(String(16))
    flow_version: Mapped[int] = mapped_column(default=1)
    created_by: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("person.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    archived_at: Mapped[datetime | None]


class ApprovalFlow(Base):
    __tablename__ = "approval_flow"
    __table_args__ = (UniqueConstraint("template_id", "version"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    template_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("approval_template.id", ondelete="CASCADE")
    )
    version: Mapped[int]
    flow: Mapped[dict[str, Any]]
    created_by: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("person.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApprovalRequest(Base):
    __tablename__ = "approval_request"
    __table_args__ = (
        UniqueConstraint("submitter_id", "client_id"),
        Index("ix_approval_request_submitter", "submitter_id", "id"),
        Index("ix_approval_request_leave", "subject_id", "status", "starts_on"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    template_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("approval_template.id", ondelete="CASCADE")
    )
    form_version: Mapped[int]
    flow_version: Mapped[int]
    submitter_id: Mapped[int] = mapped_column(BigId, ForeignKey("person.id", ondelete="CASCADE"))
    subject_id: Mapped[int] = mapped_column(BigId, ForeignKey("person.id", ondelete="CASCADE"))
    client_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    answers: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(12), default=PENDING)
    round: Mapped[int] = mapped_column(default=1)
    # Bumped by every action: the row lock that puts actions on one request in a line.
    revision: Mapped[int] = mapped_column(default=0)
    event_count: Mapped[int] = mapped_column(default=0)
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]


class ApprovalStep(Base):
    __tablename__ = "approval_step"
    __table_args__ = (UniqueConstraint("request_id", "round", "position"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    request_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("approval_request.id", ondelete="CASCADE")
    )
    round: Mapped[int]
    position: Mapped[int]
    name: Mapped[dict[str, Any]]  # its label in each language, shown in the reader's
    mode: Mapped[str] = mapped_column(String(4))
    status: Mapped[str] = mapped_column(String(12), default=WAITING)
    started_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]


class ApprovalTask(Base):
    __tablename__ = "approval_task"
    __table_args__ = (
        UniqueConstraint("step_id", "approver_id"),
        Index("ix_approval_task_inbox", "approver_id", "status", "request_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    step_id: Mapped[int] = mapped_column(BigId, ForeignKey("approval_step.id", ondelete="CASCADE"))
    request_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("approval_request.id", ondelete="CASCADE")
    )
    approver_id: Mapped[int] = mapped_column(BigId, ForeignKey("person.id", ondelete="CASCADE"))
    on_behalf_of: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("person.id", ondelete="SET NULL")
    )
    status: Mapped[str] = mapped_column(String(12), default=WAITING)
    started_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    overdue_at: Mapped[datetime | None]  # when its overdue DING went


class ApprovalEvent(Base):
    __tablename__ = "approval_event"
    __table_args__ = (
        UniqueConstraint("request_id", "seq"),
        Index("ix_approval_event_actor", "actor_id", "request_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    request_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("approval_request.id", ondelete="CASCADE")
    )
    seq: Mapped[int]
    actor_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("person.id", ondelete="SET NULL")
    )
    action: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("person.id", ondelete="SET NULL")
    )
    step: Mapped[int | None]
    body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApprovalFile(Base):
    """An attachment of a comment (files/uploads.py stores the bytes)."""

    __tablename__ = "approval_file"
    __table_args__ = (Index("ix_approval_file_request", "request_id", "event_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    request_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("approval_request.id", ondelete="CASCADE")
    )
    event_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("approval_event.id", ondelete="CASCADE")
    )
    uploader_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("person.id", ondelete="SET NULL")
    )
    name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    storage_key: Mapped[str] = mapped_column(String(100))
    thumb_key: Mapped[str | None] = mapped_column(String(100))
    width: Mapped[int | None]
    height: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApprovalCopy(Base):
    __tablename__ = "approval_copy"
    __table_args__ = (
        UniqueConstraint("request_id", "person_id"),
        Index("ix_approval_copy_person", "person_id", "request_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    request_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("approval_request.id", ondelete="CASCADE")
    )
    person_id: Mapped[int] = mapped_column(BigId, ForeignKey("person.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApprovalDelegation(Base):
    __tablename__ = "approval_delegation"
    __table_args__ = (Index("ix_approval_delegation_person", "person_id", "ends_on"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    person_id: Mapped[int] = mapped_column(BigId, ForeignKey("person.id", ondelete="CASCADE"))
    delegate_id: Mapped[int] = mapped_column(BigId, ForeignKey("person.id", ondelete="CASCADE"))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    cancelled_at: Mapped[datetime | None]
