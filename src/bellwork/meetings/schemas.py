from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, Field, model_validator

from bellwork.core.types import Id
from bellwork.media.schemas import Sdp

MeetingState = Literal["scheduled", "live", "ended"]
ParticipantState = Literal["waiting", "in", "left", "removed"]


class MeetingCreate(BaseModel):
    """Exactly one of `conversation_id` (its members), `unit_id` (the unit's group) or
    `person_ids` (a group is made for them, named after the meeting)."""

    title: str = Field(min_length=1, max_length=100)
    conversation_id: Id | None = None
    unit_id: Id | None = None
    person_ids: list[Id] | None = Field(default=None, max_length=299)
    starts_at: AwareDatetime | None = Field(default=None, description="When it is planned to start")
    start_now: bool = Field(default=False, description="Start it at once (an instant meeting)")
    waiting_room: bool = Field(default=False, description="The host admits each newcomer")
    client_id: str = Field(min_length=1, max_length=64, description="A retry returns the first")

    @model_validator(mode="after")
    def _one_audience(self) -> MeetingCreate:
        given = [x for x in (self.conversation_id, self.unit_id, self.person_ids) if x is not None]
        if len(given) != 1:
            raise ValueError("meeting_one_audience")
        return self


class MeetingMove(BaseModel):
    starts_at: AwareDatetime | None = Field(description="The new planned start (none: unplanned)")


class MeetingRef(BaseModel):
    id: int
    name: str


class ParticipantOut(BaseModel):
    person_id: int
    name: str
    state: ParticipantState
    feed: int | None = Field(description="Their camera and microphone publisher: what to watch")
    screen_feed: int | None = Field(description="Their screen share, if any")
    mic: bool = Field(description="Their microphone is on (as their client says)")
    camera: bool
    hard_muted: bool = Field(description="The host muted them in the media server")
    host: bool


class MeetingHead(BaseModel):
    """A meeting without its roster (in every `meeting.changed` event)."""

    id: int
    title: str
    state: MeetingState
    host: MeetingRef
    conversation_id: int
    unit_id: int | None
    starts_at: datetime | None
    started_at: datetime | None
    ended_at: datetime | None
    locked: bool
    waiting_room: bool
    all_muted: bool
    limit: int = Field(description="At most this many in the meeting at once")
    version: int = Field(
        description="The meeting's change count: `meeting.changed` events carry the next ones"
    )


class MeetingOut(MeetingHead):
    """A meeting as everyone in it sees it, with its whole roster."""

    participants: list[ParticipantOut] = Field(
        description="Who is in the meeting or its waiting room now (host first)"
    )


class MeetingView(MeetingOut):
    """A meeting for the person asking."""

    is_host: bool
    me: ParticipantState | None = Field(description="One's own place: waiting, in, ...")
    may_see_attendance: bool


class MeetingSummary(BaseModel):
    id: int
    title: str
    state: MeetingState
    host: MeetingRef
    conversation_id: int
    starts_at: datetime | None
    started_at: datetime | None
    ended_at: datetime | None


class PublishIn(BaseModel):
    jsep: Sdp = Field(description="The browser's offer, ICE gathering complete")
    screen: bool = Field(default=False, description="A screen share (a second publisher)")


class PublishOut(BaseModel):
    feed: int
    jsep: dict[str, Any] = Field(description="Janus's answer")


class WatchIn(BaseModel):
    feed: Id


class WatchOut(BaseModel):
    feed: int
    jsep: dict[str, Any] = Field(description="Janus's offer: answer it, then POST watch/answer")


class WatchAnswer(BaseModel):
    feed: Id
    jsep: Sdp


class DevicesIn(BaseModel):
    mic: bool | None = None
    camera: bool | None = None


class MuteIn(BaseModel):
    person_id: Id | None = Field(default=None, description="One person; none: everyone")
    muted: bool = Field(description="True: a hard mute in Janus; False: they may unmute")


class FlagIn(BaseModel):
    on: bool


class HostIn(BaseModel):
    person_id: Id


class MinutesIn(BaseModel):
    text: str = Field(min_length=1, max_length=5000)


class AttendeeOut(BaseModel):
    person_id: int
    name: str
    first_join: datetime
    last_leave: datetime
    seconds: int = Field(description="Time in the meeting, overlaps (two devices) counted once")
    joins: int = Field(description="Presence intervals (a rejoin after a drop is another)")


class AttendanceOut(BaseModel):
    meeting_id: int
    title: str
    started_at: datetime | None
    ended_at: datetime | None
    attended: list[AttendeeOut]
    absent: list[MeetingRef] = Field(description="Members of the conversation who never came")
