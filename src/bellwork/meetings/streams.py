"""A meeting's media through Bellwork's signalling (media/signalling.py): everyone in it
publishes their camera and microphone (one feed each, joined with the microphone and camera
off) and may share a screen (a second feed, one person at a time); everyone watches the feeds
they show. A hard mute is the host's `moderate` request to Janus on the participant's audio
stream (host.py): Janus drops that audio, whatever the participant's client sends.

Who is talking comes from Janus: the room sends `talking` / `stopped-talking` (its audio
levels) to every publisher's handle; this node reads them from the handles it holds and tells
the meeting's topic (`meeting.talking`), once per change."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.auth.service import Actor
from bellwork.core.errors import Conflict, Forbidden, NotFound, Problem
from bellwork.media import service as media
from bellwork.media import signalling
from bellwork.media.janus import Handle, JanusError, NoSuchFeed, NoSuchRoom
from bellwork.media.models import MediaRoom
from bellwork.media.pool import NoMediaServer
from bellwork.media.signalling import Watching
from bellwork.meetings import live, service
from bellwork.meetings.access import access_meeting
from bellwork.meetings.models import MeetingParticipant
from bellwork.meetings.schemas import (
    DevicesIn,
    MeetingOut,
    PublishIn,
    PublishOut,
    WatchAnswer,
    WatchOut,
)
from bellwork.runtime import Runtime, runtime_of

# Feeds last heard talking, per meeting (this node's view; a change is told once).
_TALKING: dict[tuple[int, int], bool] = {}
_READERS: set[asyncio.Task[None]] = set()


def _media_failed(exc: Exception) -> Problem:
    return Problem("media_unavailable", 503) if not isinstance(exc, Problem) else exc


def audio_mid(sdp: str) -> str | None:
    """The `mid` of the first audio section of an SDP (what `moderate` mutes)."""
    in_audio = False
    for line in sdp.splitlines():
        if line.startswith("m="):
            in_audio = line.startswith("m=audio")
        elif in_audio and line.startswith("a=mid:"):
            return line[6:].strip()
    return None


async def _in(db: AsyncSession, meeting_id: int, person_id: int) -> MeetingParticipant:
    p = await service.participant_of(db, meeting_id, person_id)
    if p is None or p.state != "in":
        raise Forbidden("meeting_not_in")
    return p


async def moderate(db: AsyncSession, room: MediaRoom, p: MeetingParticipant, *, mute: bool) -> None:
    """Mutes (or lets through) the participant's audio in Janus itself."""
    if p.feed is None or p.audio_mid is None:
        return
    try:
        await media.client_for(runtime_of(db), room).moderate(
            room.janus_room, p.feed, secret=room.secret, mid=p.audio_mid, mute=mute
        )
    except (NoSuchFeed, NoSuchRoom):
        pass  # gone from the room: nothing of theirs reaches anyone
    except (JanusError, NoMediaServer) as exc:
        raise _media_failed(exc) from None


async def publish(db: AsyncSession, actor: Actor, meeting_id: int, data: PublishIn) -> PublishOut:
    """One's offer (camera and microphone, or a screen): Janus's answer. Only those in the
    meeting (not waiting, not removed); one screen share at a time (409)."""
    meeting = await access_meeting(db, actor.person, meeting_id)
    room = await service.room_of(db, meeting)
    p = await _in(db, meeting.id, actor.id)
    if data.screen:
        others = await service.participants(db, meeting.id)
        if any(o.screen_feed is not None and o.person_id != actor.id for o, _ in others):
            raise Conflict("meeting_screen_busy")
    key = service.handle_prefix(meeting.id, actor.id) + ("screen" if data.screen else "pub")
    runtime = runtime_of(db)
    try:
        feed, answer = await signalling.publish(
            runtime, room, key, display=actor.person.name, offer=data.jsep.model_dump()
        )
    except (JanusError, NoMediaServer) as exc:
        raise _media_failed(exc) from None
    if data.screen:
        p.screen_feed = feed
    else:
        p.feed = feed
        p.audio_mid = audio_mid(data.jsep.sdp)
        if p.hard_muted:
            # Before the browser even has Janus's answer: none of its audio gets through.
            await moderate(db, room, p, mute=True)
        handle = signalling.handle(runtime, key)
        if handle is not None:
            _read_talking(runtime, meeting.id, key, handle, feed)
    await service.tell_change(db, meeting, actor.id)
    return PublishOut(feed=feed, jsep=answer)


async def unpublish(db: AsyncSession, actor: Actor, meeting_id: int, screen: bool) -> MeetingOut:
    """Stops one's screen share (`screen`) or camera and microphone feed."""
    meeting = await access_meeting(db, actor.person, meeting_id)
    key = service.handle_prefix(meeting.id, actor.id) + ("screen" if screen else "pub")
    await signalling.drop(runtime_of(db), key)
    p = await service.participant_of(db, meeting.id, actor.id)
    if p is not None:
        if screen:
            p.screen_feed = None
        else:
            p.feed = p.audio_mid = None
            p.mic = p.camera = False
    return await service.changed(db, meeting, actor.id)


async def feeds(db: AsyncSession, meeting_id: int) -> set[int]:
    rows = await db.execute(
        select(MeetingParticipant.feed, MeetingParticipant.screen_feed).where(
            MeetingParticipant.meeting_id == meeting_id, MeetingParticipant.state == "in"
        )
    )
    return {f for pair in rows.all() for f in pair if f is not None}


async def watch(db: AsyncSession, actor: Actor, meeting_id: int, feed: int) -> Watching:
    """Checks one may watch `feed`, one of the meeting's current feeds (those in the meeting
    only; the room opened again if Janus forgot it); `subscribe` then asks Janus for its
    offer. Two steps so that the request gives its database connection back before it waits
    on Janus (meetings/api.py)."""
    meeting = await access_meeting(db, actor.person, meeting_id)
    room = await service.room_of(db, meeting)
    await _in(db, meeting.id, actor.id)
    if feed not in await feeds(db, meeting.id):
        raise NotFound("meeting_feed")
    key = service.handle_prefix(meeting.id, actor.id) + f"sub:{feed}"
    return Watching(runtime_of(db), room, key, feed)


async def subscribe(w: Watching) -> WatchOut:
    """Janus's offer for the feed `watch` checked."""
    assert w.room is not None and w.feed is not None
    try:
        offer = await signalling.subscribe(w.runtime, w.room, w.key, w.feed)
    except NoSuchFeed:
        raise NotFound("meeting_feed") from None
    except (JanusError, NoMediaServer) as exc:
        raise _media_failed(exc) from None
    return WatchOut(feed=w.feed, jsep=offer)


async def watch_answer(db: AsyncSession, actor: Actor, meeting_id: int, feed: int) -> Watching:
    """The subscription `answer` relays the browser's answer to (404 for a meeting one may
    not see)."""
    meeting = await access_meeting(db, actor.person, meeting_id)
    key = service.handle_prefix(meeting.id, actor.id) + f"sub:{feed}"
    return Watching(runtime_of(db), None, key, feed)


async def answer(w: Watching, data: WatchAnswer) -> None:
    try:
        if not await signalling.start(w.runtime, w.key, data.jsep.model_dump()):
            raise Conflict("meeting_watch_again")
    except (JanusError, NoMediaServer) as exc:
        raise _media_failed(exc) from None


async def unwatch(db: AsyncSession, actor: Actor, meeting_id: int, feed: int) -> Watching:
    """One stops watching a feed (it went off one's page of the grid): the subscription
    `drop` detaches."""
    meeting = await access_meeting(db, actor.person, meeting_id)
    key = service.handle_prefix(meeting.id, actor.id) + f"sub:{feed}"
    return Watching(runtime_of(db), None, key, feed)


async def drop(w: Watching) -> None:
    await signalling.drop(w.runtime, w.key)


async def devices(db: AsyncSession, actor: Actor, meeting_id: int, data: DevicesIn) -> MeetingOut:
    """One's microphone or camera turned on or off (what others are shown). Turning the
    microphone on while the host has muted one: 403 `meeting_muted_by_host`."""
    meeting = await access_meeting(db, actor.person, meeting_id)
    p = await _in(db, meeting.id, actor.id)
    if data.mic is not None:
        if data.mic and p.hard_muted:
            raise Forbidden("meeting_muted_by_host")
        p.mic = data.mic
    if data.camera is not None:
        p.camera = data.camera
    return await service.changed(db, meeting, actor.id)


# -- Who is talking ------------------------------------------------------------------------------


def _read_talking(runtime: Runtime, meeting_id: int, key: str, handle: Handle, own: int) -> None:
    task = asyncio.get_running_loop().create_task(
        _talking(runtime, meeting_id, key, handle, own), name=f"meeting-talking-{key}"
    )
    _READERS.add(task)
    task.add_done_callback(_READERS.discard)


def talking_event(event: dict[str, Any]) -> tuple[int, bool] | None:
    """(feed, talking) of a VideoRoom `talking` / `stopped-talking` event, else None."""
    data = event.get("plugindata", {}).get("data", {})
    kind = data.get("videoroom")
    if kind not in ("talking", "stopped-talking") or "id" not in data:
        return None
    return int(data["id"]), kind == "talking"


async def _talking(runtime: Runtime, meeting_id: int, key: str, handle: Handle, own: int) -> None:
    """Reads the handle's events while it is kept (the person publishes), telling the meeting
    who started or stopped talking."""
    while signalling.handle(runtime, key) is handle and handle.session.alive:
        try:
            event = await asyncio.wait_for(handle.events.get(), 5.0)
        except TimeoutError:
            continue
        found = talking_event(event)
        if found is None:
            continue
        feed, talking = found
        if _TALKING.get((meeting_id, feed)) == talking:
            continue
        _TALKING[(meeting_id, feed)] = talking
        with contextlib.suppress(Exception):  # a lost bus message: the next change comes
            await live.tell_now(
                runtime,
                meeting_id,
                live.MeetingTalking(meeting_id=meeting_id, feed=feed, talking=talking),
            )
    _TALKING.pop((meeting_id, own), None)
