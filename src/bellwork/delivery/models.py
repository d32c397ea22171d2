from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bellwork.db.base import Base, BigId, utcnow

# What became of a delivery.
QUEUED = "queued"  # its job has not run yet (or will try again)
SENT = "sent"  # the provider took it
DELIVERED = "delivered"  # the provider reported it reached them (a text received, a call answered)
OUTBOX = "outbox"  # no provider for its channel: kept for admins to read
FAILED = "failed"  # the provider refused it for good, or every attempt failed

EMAIL = "email"
SMS = "sms"
VOICE = "voice"
CHANNELS = (EMAIL, SMS, VOICE)


class Delivery(Base):
    """One message to one address on one channel (delivery/__init__.py)."""

    __tablename__ = "delivery"
    __table_args__ = (
        Index("ix_delivery_created", "created_at", "id"),
        # An organisation's text messages this month (service.sms_quota_left).
        Index("ix_delivery_quota", "quota_unit_id", "created_at"),
        # A DING's delivery report (ding/report.py).
        Index("ix_delivery_ding", "ding_id", "person_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(254))
    person_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    # Why it was sent ("password_reset", "ding"...): for the log and the quotas.
    purpose: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=QUEUED)
    provider: Mapped[str | None] = mapped_column(String(32))
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    # (Columns added later come last, where migration 0019 put them.)
    # What a provider's template needs ({"code": "123456"}); providers.py, "Templates".
    params: Mapped[dict[str, Any] | None]
    # The provider's name for what it took (Aliyun's BizId, an email's Message-ID).
    reference: Mapped[str | None] = mapped_column(String(200))
    # The unit whose monthly SMS quota this text message counts against (service.py).
    quota_unit_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("unit.id", ondelete="SET NULL")
    )
    # (Migration 0021.) The DING this delivery carries, for its report (ding/report.py).
    ding_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("ding_message.id", ondelete="SET NULL")
    )
    # When the provider reported it reached the person (a text received, a call answered).
    delivered_at: Mapped[datetime | None]
    # Which escalation step of the DING queued it (0: sent with the DING or a reminder).
    ding_step: Mapped[int | None]
