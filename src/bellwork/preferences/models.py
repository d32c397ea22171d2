"""A person's own settings that follow them from device to device: notifications in the web
client, and which categories reach their devices by Web Push."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, true
from sqlalchemy.orm import Mapped, mapped_column

from bellwork.db.base import Base, BigId, utcnow

DEFAULT_DND_START = "22:00"
DEFAULT_DND_END = "07:00"


class Preferences(Base):
    """One row per person who changed something; a person without one has the defaults
    (`preferences.service.DEFAULTS`)."""

    __tablename__ = "person_preferences"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    person_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("person.id", ondelete="CASCADE"), unique=True
    )
    # Desktop (browser) notifications of new messages, and their sound.
    notifications: Mapped[bool] = mapped_column(default=True)
    sound: Mapped[bool] = mapped_column(default=True)
    # Do not disturb: from dnd_start to dnd_end ("HH:MM", the device's local time; a window
    # that ends earlier than it starts runs past midnight) nothing alerts.
    dnd: Mapped[bool] = mapped_column(default=False)
    dnd_start: Mapped[str] = mapped_column(String(5), default=DEFAULT_DND_START)
    dnd_end: Mapped[str] = mapped_column(String(5), default=DEFAULT_DND_END)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Web Push to one's installed devices, per category (push/: docs/push.md). Columns added
    # later come last, where their migration put them.
    push_ding: Mapped[bool] = mapped_column(default=True, server_default=true())
    push_notice: Mapped[bool] = mapped_column(default=True, server_default=true())
    push_mention: Mapped[bool] = mapped_column(default=True, server_default=true())
    push_direct: Mapped[bool] = mapped_column(default=True, server_default=true())
