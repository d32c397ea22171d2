"""Contactless attendance and the health pass (考勤 / 健康码, issue 14; docs/attendance.md).

- `AttendanceRule`: a unit's shift and where one may check in from. The nearest unit with a
  rule (one's own, or one above it) is the one that applies, as unit settings are inherited.
  `kind`: `fixed` (in by `start`, out not before `end`), `flexible` (`work_minutes` between the
  first and last punch, never late) or `school` (school days: in by `start`, leaving is not
  checked). `weekdays` are the working (or school) days, 1 = Monday. `places` are circles
  (`{name, lat, lng, radius}` in metres) and `networks` address ranges ("10.1.0.0/16"); with
  `field_work` a punch from elsewhere is taken as field work with a note.
- `AttendancePunch`: one check-in or check-out (the day's first punch is the arrival, its last
  the departure), from the phone page (`geo`, `network`, `field`) or a gate's scan of a
  health pass (`gate`, `recorded_by` the guard). `client_id` makes a retry count once.
- `AttendanceSecret`: the key health passes are signed with when the server has no
  `BELLWORK_SECRET_KEY`: made once, shared by every app node through the database."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bellwork.db.base import Base, BigId, utcnow

FIXED = "fixed"
FLEXIBLE = "flexible"
SCHOOL = "school"
KINDS = (FIXED, FLEXIBLE, SCHOOL)

GEO = "geo"
NETWORK = "network"
FIELD = "field"
GATE = "gate"
CORRECTION = "correct"  # an approved correction request (补卡, attendance/corrections.py)
SOURCES = (GEO, NETWORK, FIELD, GATE, CORRECTION)


class AttendanceRule(Base):
    __tablename__ = "attendance_rule"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    unit_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("unit.id", ondelete="CASCADE"), unique=True
    )
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(8), default=FIXED)
    weekdays: Mapped[list[int]] = mapped_column(JSON, default=lambda: [1, 2, 3, 4, 5])
    start: Mapped[str] = mapped_column(String(5), default="09:00")
    end: Mapped[str] = mapped_column(String(5), default="18:00")
    late_grace: Mapped[int] = mapped_column(default=0)  # minutes
    work_minutes: Mapped[int] = mapped_column(default=480)  # flexible
    places: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    networks: Mapped[list[str]] = mapped_column(JSON, default=list)
    field_work: Mapped[bool] = mapped_column(default=False)
    updated_by: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("person.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class AttendancePunch(Base):
    __tablename__ = "attendance_punch"
    __table_args__ = (
        UniqueConstraint("person_id", "client_id"),
        Index("ix_attendance_punch_person_day", "person_id", "day"),
        Index("ix_attendance_punch_unit_day", "unit_id", "day"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    person_id: Mapped[int] = mapped_column(BigId, ForeignKey("person.id", ondelete="CASCADE"))
    # The unit whose rule it was taken under.
    unit_id: Mapped[int] = mapped_column(BigId, ForeignKey("unit.id", ondelete="CASCADE"))
    day: Mapped[date]  # in the rule's unit's time zone
    at: Mapped[datetime] = mapped_column(default=utcnow)
    source: Mapped[str] = mapped_column(String(8))
    lat: Mapped[float | None] = mapped_column(Float)
    lng: Mapped[float | None] = mapped_column(Float)
    distance: Mapped[int | None]  # metres from the nearest allowed place
    place: Mapped[str | None] = mapped_column(String(100))
    address: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(String(200))
    recorded_by: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("person.id", ondelete="SET NULL")
    )
    client_id: Mapped[str] = mapped_column(String(64))


class AttendanceSecret(Base):
    __tablename__ = "attendance_secret"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    secret: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
