"""Work reports (issue 14; docs/reports.md).

- `ReportTemplate`: how often a forms template (`purpose="report"`) is written — `daily`,
  `weekly` (due on Friday) or `monthly` (due on the month's last day) — the time of day it is
  due in the unit's time zone, whether everyone below the unit is expected to write it
  (`required`: counted in the manager's unreport list, reminded, on the workbench), and when
  to remind (`remind_before` minutes before the deadline, in the app or by DING).
- `Report`: one person's report for one period (the day, the week's Monday, the month's first
  day), on the version of the template it was written on, with its clean answers.
- `ReportReader`: everyone who may read it — its author, its recipients (`to`) and copies
  (`cc`) — with when they first read it (`read_at`: the inbox's unread badge) and how far they
  have read its comments (`seen_seq`: "read by" for a comment is the readers at or past it).
- `ReportComment`: the thread, numbered per report.
- `ReportReminder`: one row per template and period once its reminder went (the job's
  idempotency)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bellwork.db.base import Base, BigId, utcnow

DAILY = "daily"
WEEKLY = "weekly"
MONTHLY = "monthly"
PERIODS = (DAILY, WEEKLY, MONTHLY)

AUTHOR = "author"
TO = "to"
CC = "cc"


class ReportTemplate(Base):
    __tablename__ = "report_template"
    __table_args__ = (Index("ix_report_template_unit", "unit_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    form_template_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("form_template.id", ondelete="CASCADE"), unique=True
    )
    unit_id: Mapped[int] = mapped_column(BigId, ForeignKey("unit.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(8), default=DAILY)
    deadline: Mapped[str] = mapped_column(String(5), default="18:00")
    required: Mapped[bool] = mapped_column(default=True)
    remind_before: Mapped[int] = mapped_column(default=60)  # minutes; 0: no reminder
    remind_by: Mapped[str] = mapped_column(String(8), default="app")
    created_by: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("person.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    archived_at: Mapped[datetime | None]


class Report(Base):
    __tablename__ = "report"
    __table_args__ = (
        UniqueConstraint("author_id", "client_id"),
        UniqueConstraint("template_id", "author_id", "period"),
        Index("ix_report_template_period", "template_id", "period"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    template_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("report_template.id", ondelete="CASCADE")
    )
    version: Mapped[int]  # the forms template version it was written on
    author_id: Mapped[int] = mapped_column(BigId, ForeignKey("person.id", ondelete="CASCADE"))
    client_id: Mapped[str] = mapped_column(String(64))
    period: Mapped[date]
    answers: Mapped[dict[str, Any]]
    late: Mapped[bool] = mapped_column(default=False)
    comment_count: Mapped[int] = mapped_column(default=0)  # the last comment's seq
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReportReader(Base):
    __tablename__ = "report_reader"
    __table_args__ = (
        UniqueConstraint("report_id", "person_id"),
        Index("ix_report_reader_inbox", "person_id", "role", "report_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    report_id: Mapped[int] = mapped_column(BigId, ForeignKey("report.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(BigId, ForeignKey("person.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(8))  # author | to | cc
    read_at: Mapped[datetime | None]
    seen_seq: Mapped[int] = mapped_column(default=0)


class ReportComment(Base):
    __tablename__ = "report_comment"
    __table_args__ = (UniqueConstraint("report_id", "seq"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    report_id: Mapped[int] = mapped_column(BigId, ForeignKey("report.id", ondelete="CASCADE"))
    seq: Mapped[int]
    author_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("person.id", ondelete="SET NULL")
    )
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReportReminder(Base):
    __tablename__ = "report_reminder"
    __table_args__ = (UniqueConstraint("template_id", "period"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    template_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("report_template.id", ondelete="CASCADE")
    )
    period: Mapped[date]
    reached: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
