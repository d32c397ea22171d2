"""The events sent over the WebSocket: one discriminated union, documented in docs/realtime.md.

Applying these events to a client's state gives what a fresh fetch returns (tests check it).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, TypeAdapter

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


class Hello(BaseModel):
    """First frame on a new connection: resync now (fetch conversations, then missed messages)."""

    type: Literal["hello"] = "hello"
    person_id: int
    connection_id: str


class Pong(BaseModel):
    type: Literal["pong"] = "pong"


class ErrorFrame(BaseModel):
    type: Literal["error"] = "error"
    code: str
    title: str


Event = Annotated[
    MessageNew
    | MessageRecalled
    | MessageOpened
    | MessageDeleted
    | ReadMoved
    | ConversationUpdated
    | ConversationRemoved
    | MembersChanged
    | Hello
    | Pong
    | ErrorFrame,
    Field(discriminator="type"),
]
EventAdapter: TypeAdapter[Event] = TypeAdapter(Event)


class ClientRead(BaseModel):
    type: Literal["read"]
    conversation_id: Id
    seq: Seq


class ClientPing(BaseModel):
    type: Literal["ping"]


ClientFrame = Annotated[ClientRead | ClientPing, Field(discriminator="type")]
ClientAdapter: TypeAdapter[ClientFrame] = TypeAdapter(ClientFrame)
