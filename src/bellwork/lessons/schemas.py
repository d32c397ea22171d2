from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from bellwork.core.types import Id
from bellwork.media.schemas import Sdp

LessonState = Literal["scheduled", "live", "ended"]
Tracks = Literal["camera", "screen", "screen,camera"]


class LessonCreate(BaseModel):
    title: str = Field(min_length=1, max_length=100)
    unit_ids: list[Id] = Field(min_length=1, max_length=50, description="The classes it is for")
    starts_at: datetime | None = Field(default=None, description="When it is planned to start")
    start_now: bool = Field(default=False, description="Go live at once")
    client_id: str = Field(min_length=1, max_length=64, description="A retry returns the first")


class LessonRef(BaseModel):
    id: int
    name: str


class FeedOut(BaseModel):
    person_id: int
    name: str
    feed: int = Field(description="The publisher's id in the room: what to watch")
    tracks: str = Field(description='Its video tracks in order: "camera", "screen", ...')
    teacher: bool


class SeatOut(BaseModel):
    person_id: int
    name: str
    state: Literal["raised", "on"]


class LessonOut(BaseModel):
    """A lesson as everyone in it sees it (also the `lesson.changed` event's content)."""

    id: int
    title: str
    state: LessonState
    teacher: LessonRef
    classes: list[LessonRef]
    starts_at: datetime | None
    started_at: datetime | None
    ended_at: datetime | None
    feeds: list[FeedOut] = Field(description="Who publishes now (the teacher, those on stage)")
    seats: list[SeatOut] = Field(description="Raised hands and who is on stage")
    stage_limit: int
    comments_muted: bool
    muted: list[int] = Field(description="People muted in the comments")
    likes: int
    replay: Literal["processing", "ready", "failed"] | None = Field(
        default=None, description="The recording as a playable file: GET /lessons/{id}/replay"
    )


class LessonView(LessonOut):
    """A lesson for the person asking: what they may do in it."""

    is_teacher: bool
    may_see_attendance: bool


class LessonSummary(BaseModel):
    id: int
    title: str
    state: LessonState
    teacher: LessonRef
    classes: list[LessonRef]
    starts_at: datetime | None
    started_at: datetime | None


class PublishIn(BaseModel):
    jsep: Sdp = Field(description="The browser's offer, ICE gathering complete")
    tracks: Tracks = "camera"


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


class CommentIn(BaseModel):
    kind: Literal["comment", "question"] = "comment"
    body: str = Field(min_length=1, max_length=500)


class CommentOut(BaseModel):
    id: int
    lesson_id: int
    person: LessonRef
    kind: Literal["comment", "question"]
    body: str
    created_at: datetime


class MuteIn(BaseModel):
    person_id: Id | None = Field(default=None, description="One person; none: everyone")
    muted: bool


class AttendeeOut(BaseModel):
    person_id: int
    name: str
    first_join: datetime | None
    last_leave: datetime | None
    live_seconds: int
    replay_seconds: int
    joins: int = Field(description="Presence intervals (a rejoin after a drop is another)")


class ClassAttendance(BaseModel):
    unit_id: int
    name: str
    attended: list[AttendeeOut]
    absent: list[LessonRef] = Field(description="Students of the class who never came")


class AttendanceOut(BaseModel):
    lesson_id: int
    title: str
    started_at: datetime | None
    ended_at: datetime | None
    classes: list[ClassAttendance]
