"""1:1 calls (docs/calls.md): one row per call, from ringing to how it ended."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from bellwork.db.base import Base, BigId, utcnow

# ringing → active → ended; or ringing → missed | declined | cancelled; busy from the start.
RINGING = "ringing"
ACTIVE = "active"
OPEN_STATES = (RINGING, ACTIVE)


class Call(Base):
    """A call from `caller_id` to `callee_id`. While ringing or active, `room_id` is its
    2-party Janus VideoRoom room; `device` is the callee's device that answered (the others
    stop ringing). `*_seen_at`: each side's page's last sign of life while active (a call
    whose pages all vanished ends by itself)."""

    __tablename__ = "call"
    __table_args__ = (
        Index("ix_call_caller", "caller_id", "state"),
        Index("ix_call_callee", "callee_id", "state"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    caller_id: Mapped[int] = mapped_column(BigId, ForeignKey("person.id", ondelete="CASCADE"))
    callee_id: Mapped[int] = mapped_column(BigId, ForeignKey("person.id", ondelete="CASCADE"))
    conversation_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("conversation.id", ondelete="CASCADE")
    )
    video: Mapped[bool] = mapped_column(default=False)
    state: Mapped[str] = mapped_column(String(16), default=RINGING)
    room_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("media_room.id", ondelete="SET NULL")
    )
    caller_feed: Mapped[int | None] = mapped_column(BigId)
    callee_feed: Mapped[int | None] = mapped_column(BigId)
    device: Mapped[str | None] = mapped_column(String(64))
    ended_by: Mapped[int | None] = mapped_column(BigId)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    caller_seen_at: Mapped[datetime | None]
    callee_seen_at: Mapped[datetime | None]
