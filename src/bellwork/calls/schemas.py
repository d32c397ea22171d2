from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from bellwork.core.types import Id
from bellwork.media.schemas import Sdp

CallState = Literal["ringing", "active", "ended", "missed", "declined", "cancelled", "busy"]


class CallCreate(BaseModel):
    person_id: Id = Field(description="Whom to call")
    video: bool = Field(default=False, description="A video call (else voice only)")


class CallPerson(BaseModel):
    id: int
    name: str


class CallOut(BaseModel):
    """A call as both its people see it (also the `call.changed` event's content)."""

    id: int
    state: CallState
    video: bool
    caller: CallPerson
    callee: CallPerson
    conversation_id: int = Field(description="Their direct chat, where the call is noted")
    device: str | None = Field(
        description="The callee's device that answered: the others stop ringing"
    )
    caller_feed: int | None = Field(description="The caller's feed in the room, once sent")
    callee_feed: int | None
    media_room: int | None = Field(
        description="The call's media room while it rings or runs. A new one (the media server"
        " restarted and forgot the old): publish and watch again"
    )
    created_at: datetime
    answered_at: datetime | None
    ended_at: datetime | None
    ended_by: int | None
    seconds: int | None = Field(description="How long it lasted once answered and ended")
    ring_seconds: int = Field(description="How long it rings before it counts as missed")


class AcceptIn(BaseModel):
    device: str = Field(min_length=1, max_length=64, description="This page's id")


class AwayIn(BaseModel):
    feed: int | None = Field(
        default=None, description="The feed this page sent: a page that replaced it stays"
    )


class PublishIn(BaseModel):
    jsep: Sdp = Field(description="The browser's offer, ICE gathering complete")


class PublishOut(BaseModel):
    feed: int
    media_room: int = Field(description="The room it went into (see CallOut.media_room)")
    jsep: dict[str, Any] = Field(description="Janus's answer")


class WatchOut(BaseModel):
    feed: int
    jsep: dict[str, Any] = Field(description="Janus's offer: answer it, then POST watch/answer")


class WatchAnswer(BaseModel):
    jsep: Sdp
