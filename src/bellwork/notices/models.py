"""A notice (`Notice`), its recipients snapshotted at publish time (`NoticeReceipt`, DESIGN.md's
`NoticeReceipt(notice, person, read_at)` with the unit they were reached in and when they
confirmed), and its files (`NoticeFile`: images in the body and attachments)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bellwork.db.base import Base, BigId, utcnow


class Importance(StrEnum):
    normal = "normal"
    important = "important"
    urgent = "urgent"


class Notice(Base):
    """What was published. `published_at` is null until it goes out (a scheduled notice waits
    for its `notices.publish` job at `publish_at`); `edited_at` says recipients saw it change;
    `recalled_at` takes it back."""

    __tablename__ = "notice"
    __table_args__ = (
        UniqueConstraint("author_id", "client_id"),
        Index("ix_notice_author", "author_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    author_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("person.id", ondelete="SET NULL")
    )
    # The author's id for this publish: a retry of the same request answers the first notice.
    client_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)  # Markdown; rendered and sanitised by the client
    importance: Mapped[str] = mapped_column(String(16), default=Importance.normal.value)
    confirm: Mapped[bool] = mapped_column(default=False)
    # What the author chose: {"people": [ids], "units": [{"unit_id": n, "roles": [...]}]}.
    audience: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    recipient_count: Mapped[int] = mapped_column(default=0)
    publish_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]
    edited_at: Mapped[datetime | None]
    recalled_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class NoticeReceipt(Base):
    """One recipient of a notice. `unit_id` is the unit they were reached in (their class when
    the author chose the school; null: picked by name): the statistics group by it."""

    __tablename__ = "notice_receipt"
    __table_args__ = (
        UniqueConstraint("notice_id", "person_id"),
        Index("ix_notice_receipt_person", "person_id", "notice_id"),
        Index("ix_notice_receipt_unit", "notice_id", "unit_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    notice_id: Mapped[int] = mapped_column(BigId, ForeignKey("notice.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(BigId, ForeignKey("person.id", ondelete="CASCADE"))
    unit_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("unit.id", ondelete="SET NULL"))
    read_at: Mapped[datetime | None]
    confirmed_at: Mapped[datetime | None]


class NoticeFile(Base):
    """An image in a notice's body or one of its attachments: uploaded by the author before
    publishing (`notice_id` null until a notice takes it), readable by the author and, once
    its notice is published and not recalled, by its recipients."""

    __tablename__ = "notice_file"
    __table_args__ = (
        Index("ix_notice_file_notice", "notice_id"),
        Index("ix_notice_file_loose", "owner_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    owner_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("person.id", ondelete="SET NULL")
    )
    notice_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("notice.id", ondelete="CASCADE")
    )
    # True: shown in the body (an image the Markdown names); False: listed as an attachment.
    inline: Mapped[bool] = mapped_column(default=False)
    name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    storage_key: Mapped[str] = mapped_column(String(100))
    thumb_key: Mapped[str | None] = mapped_column(String(100))
    width: Mapped[int | None]
    height: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
