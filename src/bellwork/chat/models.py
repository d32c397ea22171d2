"""Conversations, their members with read cursors, messages and files.

Read receipts are per-member cursors (`last_read_seq`), never a row per (message, reader): who
has read message `seq` = members with last_read_seq >= seq who had joined before it was sent
(joined_seq < seq) and had not left (left_seq is null or >= seq), the sender excluded.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    ForeignKey,
    Index,
    LargeBinary,
    SQLColumnExpression,
    String,
    Text,
    UniqueConstraint,
    case,
)
from sqlalchemy.orm import Mapped, mapped_column

from bellwork.db.base import Base, BigId, utcnow


class ConversationKind(StrEnum):
    direct = "direct"
    group = "group"
    unit = "unit"
    devices = "devices"


class JoinMode(StrEnum):
    """How people join a group by its QR code or link (chat/invites.py)."""

    open = "open"  # at once
    approval = "approval"  # an owner or admin approves each request
    off = "off"  # the group's code does not work


class MemberRole(StrEnum):
    owner = "owner"
    admin = "admin"
    member = "member"


class MessageKind(StrEnum):
    text = "text"
    image = "image"
    file = "file"
    voice = "voice"
    system = "system"
    # 群公告: a group's announcement as it was posted (chat/announcements.py).
    announcement = "announcement"
    # A chat-history card: several messages forwarded as one (chat/forwarding.py); its
    # content is `Message.card`, its files are StoredFiles with `card_seq` set.
    history = "history"
    # A notice's card in a unit group it reached (notices/cards.py): its title as `body`, the
    # notice's id and importance in `Message.card`.
    notice = "notice"
    # A form's card in a unit group it asks people of (forms/cards.py): the campaign's name as
    # `body`, its id, first day and deadline in `Message.card` (chat/cards.py posts both).
    form = "form"
    # A work report's card in the direct chat of its author and each recipient
    # (reports/cards.py): the template's name as `body`, the report's id and period in
    # `Message.card`.
    report = "report"
    # A live lesson's card in the groups of its classes (lessons/cards.py): its title as
    # `body`, its id and planned start in `Message.card`.
    lesson = "lesson"
    # An approval request's card in the direct chat of its submitter and an approver whose turn
    # it is (approvals/cards.py): the request's title as `body`, its id in `Message.card`.
    approval = "approval"
    # A meeting's card in its conversation (meetings/cards.py): its title as `body`, its id
    # and planned start in `Message.card`.
    meeting = "meeting"
    # A 1:1 call in the direct chat of its two people (calls/service.py), said by the caller:
    # no `body`; its outcome (missed, declined, cancelled, busy, ended) and time in `Message.card`.
    call = "call"


# The kinds that are another domain's card in a unit group (chat/cards.py): their
# `Message.card` names what they open.
UNIT_CARDS = (MessageKind.notice, MessageKind.form, MessageKind.lesson)
# Every kind whose `Message.card` is what another domain's card opens (not a chat history).
DOMAIN_CARDS = (
    *UNIT_CARDS,
    MessageKind.report,
    MessageKind.approval,
    MessageKind.meeting,
    MessageKind.call,
)


class Conversation(Base):
    __tablename__ = "conversation"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str | None] = mapped_column(String(200))
    avatar_file_id: Mapped[int | None] = mapped_column(BigId)
    # direct: "d:<low id>:<high id>", private direct: "p:<low>:<high>", devices: "m:<id>",
    # unit group: "u:<unit id>"; unique so two requests cannot create two of the same.
    key: Mapped[str | None] = mapped_column(String(64), unique=True)
    unit_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("unit.id", ondelete="SET NULL"))
    owner_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("person.id", ondelete="SET NULL")
    )
    private: Mapped[bool] = mapped_column(default=False)
    burn_seconds: Mapped[int | None]
    last_seq: Mapped[int] = mapped_column(default=0)
    last_message_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    member_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    dissolved_at: Mapped[datetime | None]
    # (Columns added later come last, where their migration put them.)
    # The newest message that mentions everyone (@所有人); who has not read it sees "[@所有人]".
    # One column per conversation, so an @all to 3,000 members writes no member row.
    mention_all_seq: Mapped[int | None]
    # 扫码入群: how people join by the group's QR code (chat/invites.py).
    join_mode: Mapped[str] = mapped_column(
        String(16), default=JoinMode.approval.value, server_default=JoinMode.approval.value
    )


class ConversationMember(Base):
    __tablename__ = "conversation_member"
    __table_args__ = (
        UniqueConstraint("conversation_id", "person_id"),
        Index("ix_conversation_member_conv_read", "conversation_id", "last_read_seq"),
        Index("ix_conversation_member_person", "person_id", "left_seq"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("conversation.id", ondelete="CASCADE")
    )
    person_id: Mapped[int] = mapped_column(BigId, ForeignKey("person.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16), default=MemberRole.member.value)
    joined_seq: Mapped[int] = mapped_column(default=0)
    left_seq: Mapped[int | None]
    last_read_seq: Mapped[int] = mapped_column(default=0)
    muted: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The newest message that mentions this member by name; shown ("[有人@我]") while it is
    # unread (after last_read_seq and joined_seq), so reading clears it without a write.
    mention_seq: Mapped[int | None]
    # 置顶: pinned conversations come first in one's list (chat/listing.py says in which order).
    pinned_at: Mapped[datetime | None]

    def unread(self, last_seq: int) -> int:
        """One's unread messages in a conversation whose newest seq is `last_seq`: those after
        one's read cursor, not counting what was sent before one joined. One's own messages are
        never among them (sending moves one's cursor). This is the one definition of "unread":
        `unread_sql` below is the same in SQL, for totals over many conversations in one query
        (tests/chat/test_unread.py checks that the two agree)."""
        return max(0, last_seq - max(self.last_read_seq, self.joined_seq))

    def unread_mention(self, seq: int | None) -> int | None:
        """`seq` (a message that mentions this member, or everyone) if it is still unread for
        them, else None: read, or said before they joined."""
        if seq is None or seq <= max(self.last_read_seq, self.joined_seq):
            return None
        return seq

    @classmethod
    def unread_sql(cls, last_seq: SQLColumnExpression[int]) -> ColumnElement[int]:
        """`unread` as a SQL expression over the member's row and the conversation's last seq."""
        seen = case((cls.last_read_seq > cls.joined_seq, cls.last_read_seq), else_=cls.joined_seq)
        return case((last_seq > seen, last_seq - seen), else_=0)


class Message(Base):
    __tablename__ = "message"
    __table_args__ = (
        UniqueConstraint("conversation_id", "seq"),
        UniqueConstraint("sender_id", "client_msg_id"),
        Index("ix_message_expires_at", "expires_at"),
        # Who may read a file is who may see the message carrying it (one message per file).
        Index("ix_message_file_id", "file_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("conversation.id", ondelete="CASCADE")
    )
    seq: Mapped[int]
    sender_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("person.id", ondelete="SET NULL")
    )
    kind: Mapped[str] = mapped_column(String(16))
    body: Mapped[str | None] = mapped_column(Text)
    mentions: Mapped[list[Any] | None] = mapped_column(JSON)
    reply_to_seq: Mapped[int | None]
    file_id: Mapped[int | None] = mapped_column(BigId)
    client_msg_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    recalled_at: Mapped[datetime | None]
    recalled_by: Mapped[int | None] = mapped_column(BigId)
    opened_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    # Private conversations: body and mentions are NULL; `sealed` holds them encrypted with a
    # key kept outside the database (chat/sealing.py), `key_id` names that key.
    key_id: Mapped[str | None] = mapped_column(String(32))
    sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    # kind "history": the forwarded messages (chat/forwarding.py, `ChatHistoryData`); NULL
    # once recalled.
    card: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class StoredFile(Base):
    """An uploaded file, kept in the files store under a random key.

    A forwarded file is a row of its own in the target conversation that shares the bytes
    (`storage_key`, `thumb_key`) of the row it was forwarded from: the bytes go when the last
    row naming them is deleted (chat/files.py, `delete_file`)."""

    __tablename__ = "stored_file"
    __table_args__ = (Index("ix_stored_file_card", "conversation_id", "card_seq"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    owner_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("person.id", ondelete="SET NULL")
    )
    conversation_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("conversation.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(100), index=True)
    thumb_key: Mapped[str | None] = mapped_column(String(100))
    width: Mapped[int | None]
    height: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Files of private conversations: the bytes and thumbnail on disk are encrypted, `name` is
    # empty and `sealed_name` holds it encrypted; `key_id` names the key (chat/sealing.py).
    key_id: Mapped[str | None] = mapped_column(String(32))
    sealed_name: Mapped[bytes | None] = mapped_column(LargeBinary)
    # A file inside a chat-history card: the seq of the card (a message of kind "history" in
    # this conversation) that carries it, instead of a message's `file_id`.
    card_seq: Mapped[int | None]
    # A recording's length in milliseconds, read from its container at upload
    # (files/audio.py); a voice message's is what its bubble shows: 1,000–60,000, checked
    # against the sender's claim when sent (chat/voice.py). NULL for everything else.
    duration_ms: Mapped[int | None]


class Announcement(Base):
    """群公告: a group's announcement (chat/announcements.py). The current one is the newest
    that was not removed; `seq` is the message that announced it in the chat."""

    __tablename__ = "announcement"
    __table_args__ = (Index("ix_announcement_conversation", "conversation_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("conversation.id", ondelete="CASCADE")
    )
    author_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("person.id", ondelete="SET NULL")
    )
    body: Mapped[str] = mapped_column(Text)
    # Members are asked to press "confirm read"; who did is a row each in announcement_confirm.
    confirm: Mapped[bool] = mapped_column(default=False)
    seq: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    removed_at: Mapped[datetime | None]


class AnnouncementConfirm(Base):
    """A member confirmed having read an announcement."""

    __tablename__ = "announcement_confirm"
    __table_args__ = (UniqueConstraint("announcement_id", "person_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    announcement_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("announcement.id", ondelete="CASCADE")
    )
    person_id: Mapped[int] = mapped_column(BigId, ForeignKey("person.id", ondelete="CASCADE"))
    confirmed_at: Mapped[datetime] = mapped_column(default=utcnow)


class GroupInvite(Base):
    """A group's QR code / link (chat/invites.py): `code` is in the link; it works until
    `expires_at` or until replaced (`revoked_at`)."""

    __tablename__ = "group_invite"
    __table_args__ = (Index("ix_group_invite_conversation", "conversation_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("conversation.id", ondelete="CASCADE")
    )
    code: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("person.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class JoinRequest(Base):
    """Someone asked to join a group by its code; an owner or admin decides. One row per
    (group, person): asking again after a refusal asks anew."""

    __tablename__ = "join_request"
    __table_args__ = (UniqueConstraint("conversation_id", "person_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("conversation.id", ondelete="CASCADE")
    )
    person_id: Mapped[int] = mapped_column(BigId, ForeignKey("person.id", ondelete="CASCADE"))
    # Whose code they scanned (named in the request and in the notice when they join).
    invited_by: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("person.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[int | None] = mapped_column(BigId)
    approved: Mapped[bool | None]
