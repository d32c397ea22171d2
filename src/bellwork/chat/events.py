"""Chat's part of the socket's event union (`chat/live.py` declares it; the protocol frames
are realtime's), documented in docs/realtime.md.

Applying these events to a client's state gives what a fresh fetch returns (tests check it).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from bellwork.chat.schemas import ConversationOut, MessageOut
from bellwork.core.types import Id, Seq


class MessageNew(BaseModel):
    type: Literal["message.new"] = "message.new"
    conversation_id: int
    message: MessageOut


class MessageRecalled(BaseModel):
    type: Literal["message.recalled"] = "message.recalled"
    conversation_id: int
    seq: int
    recalled_by: int


class MessageOpened(BaseModel):
    """A private (burn-after-reading) message was opened; it disappears at `expires_at`."""

    type: Literal["message.opened"] = "message.opened"
    conversation_id: int
    seq: int
    expires_at: datetime


class MessageDeleted(BaseModel):
    """A private message burned: it is gone from the server; clients drop it."""

    type: Literal["message.deleted"] = "message.deleted"
    conversation_id: int
    seq: int


class ReadMoved(BaseModel):
    """`person_id` has read everything up to `last_read_seq` in the conversation."""

    type: Literal["read"] = "read"
    conversation_id: int
    person_id: int
    last_read_seq: int


class ConversationUpdated(BaseModel):
    """The conversation changed (name, members, settings) or one was added to it."""

    type: Literal["conversation.updated"] = "conversation.updated"
    conversation: ConversationOut


class ConversationRemoved(BaseModel):
    """One left, was removed, or the group was dissolved: drop it from the list."""

    type: Literal["conversation.removed"] = "conversation.removed"
    conversation_id: int


class MembersChanged(BaseModel):
    type: Literal["members.changed"] = "members.changed"
    conversation_id: int
    added: list[int] = []
    removed: list[int] = []
    member_count: int


class AnnouncementChanged(BaseModel):
    """The group's announcement (群公告) was posted, replaced or removed: fetch it again
    (`GET /conversations/{id}/announcement`; what one sees of it depends on who one is)."""

    type: Literal["announcement.changed"] = "announcement.changed"
    conversation_id: int
    announcement_id: int | None


class AnnouncementConfirmed(BaseModel):
    """`person_id` confirmed reading the announcement. Goes to its author and to that person's
    own devices (which stop asking), not to the whole group."""

    type: Literal["announcement.confirmed"] = "announcement.confirmed"
    conversation_id: int
    announcement_id: int
    person_id: int
    confirmed_at: datetime
    confirmed_count: int


class JoinRequested(BaseModel):
    """Someone asked to join the group by its code: to its owner and admins."""

    type: Literal["join.requested"] = "join.requested"
    conversation_id: int
    request_id: int


class JoinDecided(BaseModel):
    """A request to join was approved or refused: to the one who asked and the admins."""

    type: Literal["join.decided"] = "join.decided"
    conversation_id: int
    request_id: int
    approved: bool


CHAT_EVENTS: tuple[type[BaseModel], ...] = (
    MessageNew,
    MessageRecalled,
    MessageOpened,
    MessageDeleted,
    ReadMoved,
    ConversationUpdated,
    ConversationRemoved,
    MembersChanged,
    JoinRequested,
    JoinDecided,
    AnnouncementChanged,
    AnnouncementConfirmed,
)


class ClientRead(BaseModel):
    """Client → server: everything up to `seq` is read (as `POST …/read`)."""

    type: Literal["read"]
    conversation_id: Id
    seq: Seq
