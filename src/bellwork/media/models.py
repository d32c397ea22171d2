"""The VideoRoom rooms Bellwork placed on Janus servers (`MediaRoom`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bellwork.db.base import Base, BigId, utcnow


class MediaRoom(Base):
    """One VideoRoom room on one Janus server, for one owner (a lesson, a meeting, a call:
    `owner_kind` and `owner_id`, kept by the owning domain). The room's `secret` edits,
    mutes, kicks in and destroys it; only the backend knows it. Janus forgets its rooms when
    it restarts: the row stays, and its owner opens a new room (`closed_at` set on the old)."""

    __tablename__ = "media_room"
    __table_args__ = (
        UniqueConstraint("server", "janus_room"),
        Index("ix_media_room_owner", "owner_kind", "owner_id"),
        Index("ix_media_room_open", "server", "closed_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # The server's name in BELLWORK_JANUS_SERVERS, or `local` (the Janus Bellwork runs).
    server: Mapped[str] = mapped_column(String(40))
    janus_room: Mapped[int] = mapped_column(BigInteger)
    secret: Mapped[str] = mapped_column(String(64))
    pin: Mapped[str | None] = mapped_column(String(64))
    owner_kind: Mapped[str] = mapped_column(String(32))
    owner_id: Mapped[int] = mapped_column(BigId)
    publishers: Mapped[int]
    recording: Mapped[bool] = mapped_column(default=False)
    # Where Janus writes the room's .mjr files (on the Janus server's machine), if it records.
    rec_dir: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
