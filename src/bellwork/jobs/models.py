"""Job rows and recurring schedules (see jobs/__init__.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bellwork.db.base import Base, BigId, utcnow

QUEUED, RUNNING, DONE, DEAD = "queued", "running", "done", "dead"
STATES = (QUEUED, RUNNING, DONE, DEAD)


class Job(Base):
    """One piece of work. `queued` until `run_at`; `running` while a runner holds its lease
    (`lease_until`; past it, another runner may take it again); then `done`, or `dead` after
    `max_attempts` failures with the last error kept. `key`, when given, is unique: enqueueing
    the same key again adds nothing."""

    __tablename__ = "job"
    __table_args__ = (
        Index("ix_job_state_run_at", "state", "run_at"),
        Index("ix_job_kind_id", "kind", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    key: Mapped[str | None] = mapped_column(String(200), unique=True)
    state: Mapped[str] = mapped_column(String(8), default=QUEUED)
    run_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=10)
    lease_until: Mapped[datetime | None]
    runner: Mapped[str | None] = mapped_column(String(100))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]


class JobSchedule(Base):
    """A recurring job: at `next_at` a runner enqueues one job of `kind` for that occurrence
    (keyed by schedule and time, so it is enqueued once however many runners see it) and moves
    `next_at` to the occurrence after (jobs/schedules.py reads `rule`). A schedule of a unit
    follows that unit's time zone and goes with it."""

    __tablename__ = "job_schedule"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    rule: Mapped[dict[str, Any]] = mapped_column(default=dict)
    unit_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("unit.id", ondelete="CASCADE"), index=True
    )
    next_at: Mapped[datetime] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
