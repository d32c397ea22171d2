"""Meetings on the socket: topic `meeting:<id>` (docs/meetings.md, docs/realtime.md).

Whoever may join the meeting (the members of its conversation) may subscribe; anyone else is
refused like a meeting that does not exist. Events:

- `meeting.changed`: one change, numbered (`version`): the meeting without its roster (state,
  host, lock, waiting room, mute all) and only the participants that changed (`people`: joined,
  admitted, what they send, muted, host or not) or left (`gone`: person ids; removed, left).
  A client applies `version` = its own + 1; a gap (or a jump): it fetches the whole meeting
  (`GET /meetings/{id}`), as it does when it subscribes. A person removed or admitted learns it
  here; publishers joining and leaving come this way too.
- `meeting.talking`: Janus heard a feed start or stop talking (VideoRoom audio levels): show
  the speaker big.
- `meeting.media_reset`: the media server restarted and the meeting has a new room: publish
  and watch again (attendance keeps the gap).

On each member's person topic: `meeting.starting`, a scheduled meeting's reminder (5 minutes
before, `minutes: 5`, and at its start, `minutes: 0`; meetings/reminders.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.meetings.schemas import MeetingHead, ParticipantOut
from bellwork.realtime.outbox import envelope, publish
from bellwork.realtime.protocol import Part, person_topic, topic
from bellwork.runtime import Runtime

MEETING = "meeting"


def meeting_topic(meeting_id: int) -> str:
    return topic(MEETING, meeting_id)


class MeetingChanged(BaseModel):
    type: Literal["meeting.changed"] = "meeting.changed"
    meeting_id: int
    version: int
    meeting: MeetingHead
    people: list[ParticipantOut] = Field(description="Participants that joined or changed")
    gone: list[int] = Field(description="Person ids no longer in the meeting or waiting room")


class MeetingTalking(BaseModel):
    type: Literal["meeting.talking"] = "meeting.talking"
    meeting_id: int
    feed: int
    talking: bool


class MeetingMediaReset(BaseModel):
    type: Literal["meeting.media_reset"] = "meeting.media_reset"
    meeting_id: int


class MeetingStarting(BaseModel):
    """A scheduled meeting one is a member of starts in `minutes` (0: now)."""

    type: Literal["meeting.starting"] = "meeting.starting"
    meeting_id: int
    title: str
    starts_at: datetime
    minutes: int
    state: Literal["scheduled", "live"] = Field(description="Live: the host has started it")


def starting(db: AsyncSession, event: MeetingStarting, people: Iterable[int]) -> None:
    """Queue a reminder for after commit to each of `people` (their person topics)."""
    topics = [person_topic(p) for p in sorted(set(people))]
    if topics:
        publish(db, event, topics)


def tell(db: AsyncSession, meeting_id: int, event: BaseModel) -> None:
    """Queue `event` for after commit to everyone following the meeting."""
    publish(db, event, [meeting_topic(meeting_id)])


async def tell_now(runtime: Runtime, meeting_id: int, event: BaseModel) -> None:
    """Publish at once, for what no transaction changes (Janus's talking events)."""
    await runtime.bus.publish(envelope(event, [meeting_topic(meeting_id)]))


async def _may_follow(db: AsyncSession, person_id: int, meeting_id: int) -> bool:
    from bellwork.meetings.access import may_join_id

    return await may_join_id(db, person_id, meeting_id)


PART = Part(
    name="meetings",
    events=(MeetingChanged, MeetingTalking, MeetingMediaReset, MeetingStarting),
    topics={MEETING: _may_follow},
)
