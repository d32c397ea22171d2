"""The host's tools (docs/meetings.md, "Host tools"): mute one or everyone — a hard mute, by
Janus's `moderate` on their audio stream, so a muted participant cannot be heard whatever their
client sends —, allow unmuting, remove someone (kicked from the Janus room; they cannot come
back), lock the meeting, the waiting room and admitting from it, handing the host role over."""

from __future__ import annotations

import contextlib
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.auth.service import Actor
from bellwork.core.errors import Forbidden, NotFound
from bellwork.media import service as media
from bellwork.media import signalling
from bellwork.media.janus import JanusError
from bellwork.media.pool import NoMediaServer
from bellwork.meetings import service
from bellwork.meetings.access import access_meeting, require_host
from bellwork.meetings.models import Meeting, MeetingParticipant
from bellwork.meetings.schemas import MeetingOut, MuteIn
from bellwork.meetings.streams import moderate
from bellwork.runtime import runtime_of


async def _hosted(db: AsyncSession, actor: Actor, meeting_id: int) -> Meeting:
    meeting = await access_meeting(db, actor.person, meeting_id)
    require_host(actor.person, meeting)
    return meeting


async def _someone(
    db: AsyncSession, meeting: Meeting, person_id: int, *states: str
) -> MeetingParticipant:
    p = await service.participant_of(db, meeting.id, person_id)
    if p is None or p.state not in (states or ("in",)):
        raise NotFound("meeting_participant")
    return p


async def mute(db: AsyncSession, actor: Actor, meeting_id: int, data: MuteIn) -> MeetingOut:
    """Hard-mutes (or lets unmute) one person, or everyone but the host (`all_muted` then
    holds for those who join later too)."""
    meeting = await _hosted(db, actor, meeting_id)
    room = await service.room_of(db, meeting)
    if data.person_id is None:
        meeting.all_muted = data.muted
        targets = [
            p
            for p, _ in await service.participants(db, meeting.id)
            if p.state == "in" and p.person_id != meeting.host_id
        ]
    else:
        targets = [await _someone(db, meeting, data.person_id)]
    for p in targets:
        p.hard_muted = data.muted
        if data.muted:
            p.mic = False
        await moderate(db, room, p, mute=data.muted)
    return await service.changed(db, meeting, *(p.person_id for p in targets))


async def remove(
    db: AsyncSession, actor: Actor, meeting_id: int, person_id: int, now: datetime
) -> MeetingOut:
    """Removes someone (in the meeting or waiting): their feeds are kicked out of the Janus
    room at once, their presence ends, and they cannot join again."""
    meeting = await _hosted(db, actor, meeting_id)
    if person_id == meeting.host_id:
        raise Forbidden("meeting_remove_host")
    p = await _someone(db, meeting, person_id, "in", "waiting")
    runtime = runtime_of(db)
    await signalling.drop_prefix(runtime, service.handle_prefix(meeting.id, person_id))
    if meeting.state == "live" and meeting.room_id is not None:
        room = await service.room_of(db, meeting)
        for feed in (p.feed, p.screen_feed):
            if feed is not None:
                with contextlib.suppress(JanusError, NoMediaServer):
                    await media.client_for(runtime, room).kick(
                        room.janus_room, feed, secret=room.secret
                    )
    p.state = "removed"
    p.feed = p.screen_feed = p.audio_mid = None
    p.mic = p.camera = False
    await service.close_presence(db, meeting.id, person_id, now)
    return await service.changed(db, meeting, person_id)


async def lock(db: AsyncSession, actor: Actor, meeting_id: int, on: bool) -> MeetingOut:
    """A locked meeting lets nobody new in (those in it stay; the host always may)."""
    meeting = await _hosted(db, actor, meeting_id)
    meeting.locked = on
    return await service.changed(db, meeting)


async def waiting_room(
    db: AsyncSession, actor: Actor, meeting_id: int, on: bool, now: datetime
) -> MeetingOut:
    """Newcomers wait until the host admits them; turning it off admits everyone waiting."""
    meeting = await _hosted(db, actor, meeting_id)
    meeting.waiting_room = on
    admitted = []
    if not on and meeting.state == "live":
        for p, _ in await service.participants(db, meeting.id):
            if p.state == "waiting":
                await service.enter(db, meeting, p.person_id, now)
                admitted.append(p.person_id)
    return await service.changed(db, meeting, *admitted)


async def admit(
    db: AsyncSession, actor: Actor, meeting_id: int, person_id: int, now: datetime
) -> MeetingOut:
    meeting = await _hosted(db, actor, meeting_id)
    await service.room_of(db, meeting)
    await _someone(db, meeting, person_id, "waiting")
    await service.enter(db, meeting, person_id, now)
    return await service.changed(db, meeting, person_id)


async def hand_over(db: AsyncSession, actor: Actor, meeting_id: int, person_id: int) -> MeetingOut:
    """Someone in the meeting becomes its host (a hard mute on them is lifted)."""
    meeting = await _hosted(db, actor, meeting_id)
    p = await _someone(db, meeting, person_id)
    if p.hard_muted:
        p.hard_muted = False
        if meeting.state == "live":
            await moderate(db, await service.room_of(db, meeting), p, mute=False)
    old = meeting.host_id
    meeting.host_id = person_id
    return await service.changed(db, meeting, old, person_id)
