"""A DING (`DingMessage`: what, from whom, when, on which channels) and its recipients (`Ding`,
one row per person, snapshotted when the sender sends: DESIGN.md's
`Ding(message, recipient, confirmed_at, escalation_step)`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bellwork.db.base import Base, BigId, utcnow


class DingMessage(Base):
    """What was DINGed. `sent_at` is null until it goes out (a scheduled DING waits for its
    `ding.send` job at `send_at`); `recalled_at` ends every recipient's alert."""

    __tablename__ = "ding_message"
    __table_args__ = (
        UniqueConstraint("sender_id", "client_id"),
        Index("ix_ding_message_sender", "sender_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    sender_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("person.id", ondelete="SET NULL")
    )
    # The sender's id for this send: a retry of the same request answers the first DING.
    client_id: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    # Besides in-app (always): "sms", "email".
    channels: Mapped[list[str]] = mapped_column(JSON, default=list)
    # What the sender chose: {"people": [ids], "units": [{"unit_id": n, "roles": [...]}]}.
    audience: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    recipient_count: Mapped[int] = mapped_column(default=0)
    send_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    reminders: Mapped[int] = mapped_column(default=0)
    recalled_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # (Migration 0021.) The escalation policy that applied when it was sent (the sender's
    # organisation's `ding_escalation`, ding/escalation.py): {"after_minutes", "channels"};
    # null: none.
    escalation: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Ding(Base):
    """One recipient of a DING. `unit_id` is the unit they were reached in — their own class,
    say, when the sender chose the school (null: picked by name) — by which the sender's
    lists are grouped."""

    __tablename__ = "ding"
    __table_args__ = (
        UniqueConstraint("message_id", "recipient_id"),
        Index("ix_ding_recipient_pending", "recipient_id", "confirmed_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    message_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("ding_message.id", ondelete="CASCADE")
    )
    recipient_id: Mapped[int] = mapped_column(BigId, ForeignKey("person.id", ondelete="CASCADE"))
    unit_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("unit.id", ondelete="SET NULL"))
    confirmed_at: Mapped[datetime | None]
    # How far the escalation policy got for this recipient: 0 = in-app and the chosen channels
    # only; n = its n-th channel went out too (ding/escalation.py).
    escalation_step: Mapped[int] = mapped_column(default=0)


class DingFile(Base):
    """(Migration 0024.) A DING's voice note or attachment (ding/media.py): uploaded by the
    sender before sending (`message_id` null until a DING takes it, as `role` "voice" or
    "attachment"), readable by the sender and, once the DING went out and until it is
    recalled, by its recipients. One no DING takes within a day is deleted."""

    __tablename__ = "ding_file"
    # A DING's files, and (message_id null) the loose uploads by age for the sweep.
    __table_args__ = (Index("ix_ding_file_message", "message_id", "created_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    owner_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("person.id", ondelete="SET NULL")
    )
    message_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("ding_message.id", ondelete="CASCADE")
    )
    role: Mapped[str | None] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    storage_key: Mapped[str] = mapped_column(String(100))
    thumb_key: Mapped[str | None] = mapped_column(String(100))
    width: Mapped[int | None]
    height: Mapped[int | None]
    # A recording's length: what its container says at upload; once sent as the voice note,
    # the length shown (chat/voice.py's rules).
    duration_ms: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
