"""Meetings (docs/meetings.md): the meeting and its conversation (whose members may join), who
is in it now and what the host did to them (the roster), and every presence interval of every
person (attendance, kept after the room is gone)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bellwork.db.base import Base, BigId, utcnow


class Meeting(Base):
    """A meeting for the members of one conversation (a group, a unit's group, or a group made
    for invited people). `state`: scheduled → live → ended. While live, `room_id` is its Janus
    room (a new one after Janus restarted). `host_id` holds the host tools; it can be handed
    over. `all_muted`: the host muted everyone (newcomers join hard-muted too) until allowed.
    `version`: the count of its changes (docs/meetings.md, "Roster events")."""

    __tablename__ = "meeting"
    __table_args__ = (
        UniqueConstraint("created_by", "client_id"),
        Index("ix_meeting_conversation", "conversation_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    created_by: Mapped[int] = mapped_column(BigId, ForeignKey("person.id", ondelete="CASCADE"))
    host_id: Mapped[int] = mapped_column(BigId, ForeignKey("person.id", ondelete="CASCADE"))
    client_id: Mapped[str] = mapped_column(String(64))
    conversation_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("conversation.id", ondelete="CASCADE")
    )
    # The unit whose group it is for, when it was made for a unit.
    unit_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("unit.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(String(16), default="scheduled")
    starts_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    room_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("media_room.id", ondelete="SET NULL")
    )
    locked: Mapped[bool] = mapped_column(default=False)
    waiting_room: Mapped[bool] = mapped_column(default=False)
    all_muted: Mapped[bool] = mapped_column(default=False)
    # The minutes the host posted into the conversation (the last version).
    minutes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Bumped by every change of the meeting or its roster: `meeting.changed` carries it, and a
    # client that sees a gap fetches the whole meeting again. (Last, where migration 0035 adds
    # it: a new database has its columns in the order of a migrated one.)
    version: Mapped[int] = mapped_column(default=0, server_default="0")


class MeetingParticipant(Base):
    """One person's place in a meeting: `state` waiting (in the waiting room), in, left or
    removed (by the host: they cannot come back). `feed`/`screen_feed` their publishers in the
    room; `audio_mid` the audio stream of `feed` (what a hard mute silences in Janus);
    `mic`/`camera` what their client says it sends; `hard_muted`: the host muted them in
    Janus, and they cannot unmute until the host allows it."""

    __tablename__ = "meeting_participant"
    __table_args__ = (
        UniqueConstraint("meeting_id", "person_id"),
        Index("ix_meeting_participant_state", "meeting_id", "state"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(BigId, ForeignKey("meeting.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(BigId, ForeignKey("person.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(8), default="in")
    feed: Mapped[int | None] = mapped_column(BigId)
    audio_mid: Mapped[str | None] = mapped_column(String(16))
    screen_feed: Mapped[int | None] = mapped_column(BigId)
    mic: Mapped[bool] = mapped_column(default=False)
    camera: Mapped[bool] = mapped_column(default=False)
    hard_muted: Mapped[bool] = mapped_column(default=False)
    arrived_at: Mapped[datetime] = mapped_column(default=utcnow)


class MeetingPresence(Base):
    """One interval a person was in the meeting (`left_at` None while there; closed when they
    leave, are removed, the meeting ends, or the media server restarted)."""

    __tablename__ = "meeting_presence"
    __table_args__ = (
        Index("ix_meeting_presence_meeting", "meeting_id", "person_id"),
        Index("ix_meeting_presence_open", "meeting_id", "left_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(BigId, ForeignKey("meeting.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(BigId, ForeignKey("person.id", ondelete="CASCADE"))
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    left_at: Mapped[datetime | None]
    seen_at: Mapped[datetime | None]
