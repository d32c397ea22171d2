"""A person's devices that receive Web Push (`PushSubscription`, one per browser that
subscribed) and the installation's VAPID key (`VapidKey`, one row)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bellwork.db.base import Base, BigId, utcnow


class PushSubscription(Base):
    """One browser's push subscription (the Push API's `PushSubscription`): where to POST
    (`endpoint`, the push service's URL for this browser) and the keys to encrypt for it
    (RFC 8291: `p256dh`, the browser's P-256 public key, and `auth`, its 16-byte secret; both
    base64url). An endpoint is one browser: subscribing it again updates its row, under
    whoever is logged in there now."""

    __tablename__ = "push_subscription"
    __table_args__ = (Index("ix_push_subscription_person", "person_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    person_id: Mapped[int] = mapped_column(BigId, ForeignKey("person.id", ondelete="CASCADE"))
    endpoint: Mapped[str] = mapped_column(Text, unique=True)
    p256dh: Mapped[str] = mapped_column(String(200))
    auth: Mapped[str] = mapped_column(String(100))
    # What the person sees in their list of devices ("Chrome on Android"), from the browser.
    label: Mapped[str] = mapped_column(String(200), default="")
    # The language the device asked in when it subscribed: pushes to it are written in it.
    locale: Mapped[str] = mapped_column(String(10), default="zh-CN")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The last push the push service took, and the last one it did not (with why).
    last_sent_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(500))


class VapidKey(Base):
    """The installation's VAPID key pair (RFC 8292), made once (`push.vapid`): the private
    key's 32 bytes and the public key's 65 (uncompressed point), both base64url. One row,
    id 1; unused when BELLWORK_VAPID_PRIVATE_KEY is set."""

    __tablename__ = "push_vapid_key"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    private_key: Mapped[str] = mapped_column(String(100))
    public_key: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
