"""Live lessons (docs/lessons.md): the lesson and its classes, every presence interval of
every person (attendance), the stage (raised hands, 连麦), comments and who is muted."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bellwork.db.base import Base, BigId, utcnow


class Lesson(Base):
    """A teacher's live lesson for one or several classes. `state`: scheduled → live →
    ended. While live, `room_id` is its Janus room (a new one after Janus restarted)."""

    __tablename__ = "lesson"
    __table_args__ = (
        UniqueConstraint("teacher_id", "client_id"),
        Index("ix_lesson_teacher", "teacher_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    teacher_id: Mapped[int] = mapped_column(BigId, ForeignKey("person.id", ondelete="CASCADE"))
    client_id: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), default="scheduled")
    starts_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    room_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("media_room.id", ondelete="SET NULL")
    )
    # The teacher's feed in the room while publishing, and what it carries ("camera",
    # "screen", "screen,camera": the order of its video tracks).
    teacher_feed: Mapped[int | None] = mapped_column(BigId)
    teacher_tracks: Mapped[str | None] = mapped_column(String(32))
    # Every feed the teacher published (a switch of camera/screen is a new one), in order:
    # the replay job finds their recordings by these ids.
    recorded_feeds: Mapped[list[int]] = mapped_column(JSON, default=list)
    # The replay: None (nothing recorded), processing, ready, failed (lessons/replay.py).
    replay_state: Mapped[str | None] = mapped_column(String(16))
    comments_muted: Mapped[bool] = mapped_column(default=False)
    likes: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LessonClass(Base):
    __tablename__ = "lesson_class"
    __table_args__ = (
        UniqueConstraint("lesson_id", "unit_id"),
        Index("ix_lesson_class_unit", "unit_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    lesson_id: Mapped[int] = mapped_column(BigId, ForeignKey("lesson.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(BigId, ForeignKey("unit.id", ondelete="CASCADE"))


class LessonPresence(Base):
    """One interval a person was in the lesson: `kind` live or replay; `left_at` is None
    while they are there (closed when they leave, when the lesson ends, or when the media
    server restarted: the gap until they rejoin shows)."""

    __tablename__ = "lesson_presence"
    __table_args__ = (
        Index("ix_lesson_presence_lesson", "lesson_id", "person_id"),
        Index("ix_lesson_presence_open", "lesson_id", "left_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    lesson_id: Mapped[int] = mapped_column(BigId, ForeignKey("lesson.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(BigId, ForeignKey("person.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8), default="live")
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    left_at: Mapped[datetime | None]
    # The page's last sign of life (every 30 s): a page that vanished without leaving (a
    # crash, a dead battery) counts until shortly after this, not until the lesson ends.
    seen_at: Mapped[datetime | None]


class LessonSeat(Base):
    """A student's raised hand (`state` raised) or place on stage (on, with `feed` once they
    publish). Lowered hands and those taken off stage are deleted."""

    __tablename__ = "lesson_seat"
    __table_args__ = (UniqueConstraint("lesson_id", "person_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    lesson_id: Mapped[int] = mapped_column(BigId, ForeignKey("lesson.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(BigId, ForeignKey("person.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(8), default="raised")
    feed: Mapped[int | None] = mapped_column(BigId)
    raised_at: Mapped[datetime] = mapped_column(default=utcnow)


class LessonComment(Base):
    """A comment or question beside the video (`kind` comment | question)."""

    __tablename__ = "lesson_comment"
    __table_args__ = (Index("ix_lesson_comment_lesson", "lesson_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    lesson_id: Mapped[int] = mapped_column(BigId, ForeignKey("lesson.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(BigId, ForeignKey("person.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8), default="comment")
    body: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LessonMute(Base):
    """One person the teacher muted in the lesson's comments."""

    __tablename__ = "lesson_mute"
    __table_args__ = (UniqueConstraint("lesson_id", "person_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    lesson_id: Mapped[int] = mapped_column(BigId, ForeignKey("lesson.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(BigId, ForeignKey("person.id", ondelete="CASCADE"))
