"""A lesson's media through Bellwork's signalling (media/signalling.py): the teacher
publishes; students raise hands, the teacher accepts up to `STAGE_LIMIT` on stage (连麦) and
only they may publish besides the teacher (the backend refuses anyone else); everyone
watches every feed. Taking a student off stage kicks their publisher out of the Janus room
(which ends its PeerConnection), so it stops for everyone at once."""

from __future__ import annotations

import contextlib
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.auth.service import Actor
from bellwork.core.errors import Conflict, Forbidden, NotFound, Problem
from bellwork.lessons import service
from bellwork.lessons.access import access_lesson, require_teacher
from bellwork.lessons.models import Lesson, LessonSeat
from bellwork.lessons.schemas import LessonOut, PublishIn, PublishOut, WatchAnswer, WatchOut
from bellwork.media import service as media
from bellwork.media import signalling
from bellwork.media.janus import JanusError, NoSuchFeed, NoSuchRoom
from bellwork.media.pool import NoMediaServer
from bellwork.media.signalling import Watching
from bellwork.runtime import runtime_of


def _media_failed(exc: Exception) -> Problem:
    return Problem("media_unavailable", 503) if not isinstance(exc, Problem) else exc


async def publish(db: AsyncSession, actor: Actor, lesson_id: int, data: PublishIn) -> PublishOut:
    """The teacher's, or an on-stage student's, offer: Janus's answer. Anyone else: 403."""
    lesson = await access_lesson(db, actor.person, lesson_id)
    seat = None
    if lesson.teacher_id != actor.id:
        seat = await service.seat_of(db, lesson.id, actor.id)
        if seat is None or seat.state != "on":
            raise Forbidden("lesson_not_on_stage")
        if data.tracks != "camera":
            raise Forbidden("lesson_not_on_stage")
    room = await service.room_of(db, lesson)
    key = service.handle_prefix(lesson.id, actor.id) + "pub"
    try:
        feed, answer = await signalling.publish(
            runtime_of(db), room, key, display=actor.person.name, offer=data.jsep.model_dump()
        )
    except (JanusError, NoMediaServer) as exc:
        raise _media_failed(exc) from None
    if seat is None:
        lesson.teacher_feed = feed
        lesson.teacher_tracks = data.tracks
        lesson.recorded_feeds = [*(lesson.recorded_feeds or []), feed]
    else:
        seat.feed = feed
    await service.changed(db, lesson)
    return PublishOut(feed=feed, jsep=answer)


async def unpublish(db: AsyncSession, actor: Actor, lesson_id: int) -> LessonOut:
    lesson = await access_lesson(db, actor.person, lesson_id)
    await signalling.drop(runtime_of(db), service.handle_prefix(lesson.id, actor.id) + "pub")
    if lesson.teacher_id == actor.id:
        lesson.teacher_feed = None
    else:
        seat = await service.seat_of(db, lesson.id, actor.id)
        if seat is not None:
            seat.feed = None
    return await service.changed(db, lesson)


async def watch(db: AsyncSession, actor: Actor, lesson_id: int, feed: int) -> Watching:
    """Checks one may watch `feed`, one of the lesson's current feeds (the room opened again
    if Janus forgot it); `subscribe` then asks Janus for its offer. Two steps so that the
    request gives its database connection back before it waits on Janus (lessons/api.py)."""
    lesson = await access_lesson(db, actor.person, lesson_id)
    room = await service.room_of(db, lesson)
    if not await _is_feed(db, lesson, feed):
        raise NotFound("lesson_feed")
    key = service.handle_prefix(lesson.id, actor.id) + f"sub:{feed}"
    return Watching(runtime_of(db), room, key, feed)


async def _is_feed(db: AsyncSession, lesson: Lesson, feed: int) -> bool:
    """Whether `feed` is one the live lesson shows (`service.shaped`'s feeds): the teacher's
    or an on-stage student's."""
    if lesson.teacher_feed == feed:
        return True
    found = await db.execute(
        select(LessonSeat.id)
        .where(LessonSeat.lesson_id == lesson.id, LessonSeat.state == "on")
        .where(LessonSeat.feed == feed)
        .limit(1)
    )
    return found.first() is not None


async def subscribe(w: Watching) -> WatchOut:
    """Janus's offer for the feed `watch` checked."""
    assert w.room is not None and w.feed is not None
    try:
        offer = await signalling.subscribe(w.runtime, w.room, w.key, w.feed)
    except NoSuchFeed:
        raise NotFound("lesson_feed") from None
    except (JanusError, NoMediaServer) as exc:
        raise _media_failed(exc) from None
    return WatchOut(feed=w.feed, jsep=offer)


async def watch_answer(db: AsyncSession, actor: Actor, lesson_id: int, feed: int) -> Watching:
    """The subscription `answer` relays the browser's answer to. One this node holds was made
    by this person's `watch`, which checked they may watch (a class answering at once asks the
    database nothing more); without one, a person who may not join the lesson gets 404 as for
    any lesson not theirs, and one who may gets 409 `lesson_watch_again` from `answer`."""
    key = service.handle_prefix(lesson_id, actor.id) + f"sub:{feed}"
    runtime = runtime_of(db)
    if not signalling.holds(runtime, key):
        await access_lesson(db, actor.person, lesson_id)
    return Watching(runtime, None, key, feed)


async def answer(w: Watching, data: WatchAnswer) -> None:
    try:
        if not await signalling.start(w.runtime, w.key, data.jsep.model_dump()):
            raise Conflict("lesson_watch_again")
    except (JanusError, NoMediaServer) as exc:
        raise _media_failed(exc) from None


async def raise_hand(db: AsyncSession, actor: Actor, lesson_id: int, now: datetime) -> LessonOut:
    lesson = await access_lesson(db, actor.person, lesson_id)
    if lesson.state != "live":
        raise Conflict("lesson_not_live")
    if lesson.teacher_id == actor.id:
        raise Forbidden("lesson_teacher_hand")
    if await service.seat_of(db, lesson.id, actor.id) is None:
        db.add(LessonSeat(lesson_id=lesson.id, person_id=actor.id, state="raised", raised_at=now))
    return await service.changed(db, lesson)


async def _off(db: AsyncSession, lesson_id: int, seat: LessonSeat) -> None:
    """Removes a seat; a student on stage is hung up in Janus (kicked from the room)."""
    runtime = runtime_of(db)
    await signalling.drop(runtime, service.handle_prefix(lesson_id, seat.person_id) + "pub")
    if seat.feed is not None:
        lesson = await service.access_lesson_row(db, lesson_id)
        room = await service.room_of(db, lesson) if lesson.state == "live" else None
        if room is not None:
            with contextlib.suppress(NoSuchFeed, NoSuchRoom, NoMediaServer):
                await media.client_for(runtime, room).kick(
                    room.janus_room, seat.feed, secret=room.secret
                )
    await db.delete(seat)


async def lower_hand(db: AsyncSession, actor: Actor, lesson_id: int) -> LessonOut:
    """One's hand down, or oneself off stage."""
    lesson = await access_lesson(db, actor.person, lesson_id)
    seat = await service.seat_of(db, lesson.id, actor.id)
    if seat is not None:
        await _off(db, lesson.id, seat)
    return await service.changed(db, lesson)


async def accept(db: AsyncSession, actor: Actor, lesson_id: int, person_id: int) -> LessonOut:
    """The teacher brings a raised hand on stage (at most STAGE_LIMIT at once: 409)."""
    lesson = await access_lesson(db, actor.person, lesson_id)
    require_teacher(actor.person, lesson)
    seat = await service.seat_of(db, lesson.id, person_id)
    if seat is None:
        raise NotFound("lesson_hand")
    if seat.state != "on":
        on = await db.scalar(
            select(func.count())
            .select_from(LessonSeat)
            .where(LessonSeat.lesson_id == lesson.id, LessonSeat.state == "on")
        )
        if int(on or 0) >= service.STAGE_LIMIT:
            raise Conflict("lesson_stage_full", limit=service.STAGE_LIMIT)
        seat.state = "on"
    return await service.changed(db, lesson)


async def take_off(db: AsyncSession, actor: Actor, lesson_id: int, person_id: int) -> LessonOut:
    """The teacher takes someone off stage (or dismisses a hand)."""
    lesson = await access_lesson(db, actor.person, lesson_id)
    require_teacher(actor.person, lesson)
    seat = await service.seat_of(db, lesson.id, person_id)
    if seat is not None:
        await _off(db, lesson.id, seat)
    return await service.changed(db, lesson)
