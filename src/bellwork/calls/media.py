"""A call's media through Bellwork's signalling (media/signalling.py): each side publishes its
camera and microphone into the call's 2-party VideoRoom room and watches the other's feed.
Only the two people of a call that rings or runs may; the callee once they answered."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.auth.service import Actor
from bellwork.calls import service
from bellwork.calls.models import ACTIVE, OPEN_STATES, Call
from bellwork.calls.schemas import PublishIn, PublishOut, WatchAnswer, WatchOut
from bellwork.core.errors import Conflict, NotFound, Problem
from bellwork.media import signalling
from bellwork.media.janus import JanusError, NoSuchFeed
from bellwork.media.models import MediaRoom
from bellwork.media.pool import NoMediaServer
from bellwork.media.signalling import Watching
from bellwork.runtime import runtime_of


async def _room(db: AsyncSession, call: Call, person_id: int) -> MediaRoom:
    """The call's room, a new one if Janus forgot it (both sides are told: service.room_of)."""
    if call.state not in OPEN_STATES:
        raise Conflict("call_over")
    if call.state != ACTIVE and person_id != call.caller_id:
        raise Conflict("call_not_answered")
    try:
        return await service.room_of(db, call)
    except service.MediaLost:
        raise Problem("media_unavailable", 503) from None


async def publish(db: AsyncSession, actor: Actor, call_id: int, data: PublishIn) -> PublishOut:
    call = await service.access_call(db, actor.id, call_id)
    room = await _room(db, call, actor.id)
    key = service.handle_prefix(call.id, actor.id) + "pub"
    try:
        feed, answer = await signalling.publish(
            runtime_of(db), room, key, display=actor.person.name, offer=data.jsep.model_dump()
        )
    except (JanusError, NoMediaServer):
        raise Problem("media_unavailable", 503) from None
    # A page sending again (after a reload or a new room) is also a sign of life.
    seen = datetime.now(UTC) if call.state == ACTIVE else None
    if actor.id == call.caller_id:
        call.caller_feed = feed
        call.caller_seen_at = seen or call.caller_seen_at
    else:
        call.callee_feed = feed
        call.callee_seen_at = seen or call.callee_seen_at
    await service.changed(db, call)
    return PublishOut(feed=feed, jsep=answer, media_room=room.id)


async def watch(db: AsyncSession, actor: Actor, call_id: int) -> Watching:
    """Checks one may watch the other person's feed (404 `call_feed` until they send one);
    `subscribe` then asks Janus for its offer. Two steps so that the request gives its
    database connection back before it waits on Janus (calls/api.py)."""
    call = await service.access_call(db, actor.id, call_id)
    room = await _room(db, call, actor.id)
    feed = call.callee_feed if actor.id == call.caller_id else call.caller_feed
    if feed is None:
        raise NotFound("call_feed")
    key = service.handle_prefix(call.id, actor.id) + "sub"
    return Watching(runtime_of(db), room, key, feed)


async def subscribe(w: Watching) -> WatchOut:
    """Janus's offer for the feed `watch` checked."""
    assert w.room is not None and w.feed is not None
    try:
        offer = await signalling.subscribe(w.runtime, w.room, w.key, w.feed)
    except NoSuchFeed:
        raise NotFound("call_feed") from None
    except (JanusError, NoMediaServer):
        raise Problem("media_unavailable", 503) from None
    return WatchOut(feed=w.feed, jsep=offer)


async def watch_answer(db: AsyncSession, actor: Actor, call_id: int) -> Watching:
    """The subscription `answer` relays the browser's answer to (the call still open)."""
    call = await service.access_call(db, actor.id, call_id)
    room = await _room(db, call, actor.id)
    return Watching(runtime_of(db), room, service.handle_prefix(call.id, actor.id) + "sub", None)


async def answer(w: Watching, data: WatchAnswer) -> None:
    try:
        if not await signalling.start(w.runtime, w.key, data.jsep.model_dump()):
            raise Conflict("call_watch_again")
    except (JanusError, NoMediaServer):
        raise Problem("media_unavailable", 503) from None
