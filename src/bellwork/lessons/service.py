"""Lessons: scheduling, going live, ending, joining and leaving (attendance intervals), the
media room kept alive across Janus restarts, comments, likes and mutes (docs/lessons.md).

The media side (publishing, watching, the stage) is in `stage.py`; attendance figures in
`attendance.py`; the card in the class groups in `cards.py`."""

from __future__ import annotations

import functools
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.auth.service import Actor
from bellwork.core.errors import Conflict, Forbidden, NotFound, Problem
from bellwork.core.pace import Later, Pace
from bellwork.db.session import writing
from bellwork.jobs.queue import enqueue
from bellwork.lessons import live
from bellwork.lessons.access import (
    access_lesson,
    class_units,
    may_see_attendance,
    require_teacher,
)
from bellwork.lessons.models import (
    Lesson,
    LessonClass,
    LessonComment,
    LessonMute,
    LessonPresence,
    LessonSeat,
)
from bellwork.lessons.replay import REPLAY
from bellwork.lessons.schemas import (
    CommentIn,
    CommentOut,
    FeedOut,
    LessonCreate,
    LessonOut,
    LessonRef,
    LessonSummary,
    LessonView,
    MuteIn,
    SeatOut,
)
from bellwork.media import service as media
from bellwork.media import signalling
from bellwork.media.models import MediaRoom
from bellwork.org.access import Scope
from bellwork.org.models import Membership, Person, Role, Unit
from bellwork.org.units import subtree_clause
from bellwork.runtime import Runtime, runtime_of

CARDS = "lessons.cards"
STAGE_LIMIT = 4
# The teacher's feed, those on stage, and one spare for a republish that overlaps.
ROOM_PUBLISHERS = 1 + STAGE_LIMIT + 1
TEACHING_ROLES = (Role.teacher.value, Role.head.value)


def handle_prefix(lesson_id: int, person_id: int | None = None) -> str:
    """The signalling keys of a lesson (or of one person's part in it)."""
    return f"lesson:{lesson_id}:" + (f"{person_id}:" if person_id is not None else "")


# -- Shaping -------------------------------------------------------------------------------------


async def shaped(db: AsyncSession, lesson: Lesson) -> LessonOut:
    teacher = await db.get(Person, lesson.teacher_id)
    units = await class_units(db, lesson.id)
    seats = (
        await db.execute(
            select(LessonSeat, Person.name)
            .join(Person, Person.id == LessonSeat.person_id)
            .where(LessonSeat.lesson_id == lesson.id)
            .order_by(LessonSeat.raised_at, LessonSeat.id)
        )
    ).all()
    feeds: list[FeedOut] = []
    if lesson.state == "live" and lesson.teacher_feed is not None and teacher is not None:
        feeds.append(
            FeedOut(
                person_id=teacher.id,
                name=teacher.name,
                feed=lesson.teacher_feed,
                tracks=lesson.teacher_tracks or "camera",
                teacher=True,
            )
        )
    for seat, name in seats:
        if lesson.state == "live" and seat.state == "on" and seat.feed is not None:
            feeds.append(
                FeedOut(
                    person_id=seat.person_id,
                    name=name,
                    feed=seat.feed,
                    tracks="camera",
                    teacher=False,
                )
            )
    muted = (
        await db.execute(select(LessonMute.person_id).where(LessonMute.lesson_id == lesson.id))
    ).scalars()
    return LessonOut(
        id=lesson.id,
        title=lesson.title,
        state=lesson.state,
        teacher=LessonRef(id=lesson.teacher_id, name=teacher.name if teacher else ""),
        classes=[LessonRef(id=u.id, name=u.name) for u in units],
        starts_at=lesson.starts_at,
        started_at=lesson.started_at,
        ended_at=lesson.ended_at,
        feeds=feeds,
        seats=[SeatOut(person_id=s.person_id, name=name, state=s.state) for s, name in seats],
        stage_limit=STAGE_LIMIT,
        comments_muted=lesson.comments_muted,
        muted=sorted(muted),
        likes=lesson.likes,
        replay=lesson.replay_state,
    )


async def changed(db: AsyncSession, lesson: Lesson) -> LessonOut:
    """Tells everyone in the lesson what it looks like now (after commit)."""
    await db.flush()
    out = await shaped(db, lesson)
    live.tell(db, lesson.id, live.LessonChanged(lesson=out))
    return out


async def view(db: AsyncSession, actor: Actor, lesson: Lesson) -> LessonView:
    out = await shaped(db, lesson)
    return LessonView(
        **out.model_dump(),
        is_teacher=lesson.teacher_id == actor.id,
        may_see_attendance=await may_see_attendance(db, actor.person, lesson),
    )


# -- Scheduling and listing ----------------------------------------------------------------------


async def create(
    db: AsyncSession, actor: Actor, scope: Scope, data: LessonCreate, now: datetime
) -> tuple[Lesson, bool]:
    """A lesson for classes the actor teaches (or heads): (the lesson, whether new). Its card
    goes into each class's group by the `lessons.cards` job."""
    found = (
        await db.execute(
            select(Lesson).where(Lesson.teacher_id == actor.id, Lesson.client_id == data.client_id)
        )
    ).scalar_one_or_none()
    if found is not None:
        return found, False
    unit_ids = sorted(set(data.unit_ids))
    units = list((await db.execute(select(Unit).where(Unit.id.in_(unit_ids)))).scalars())
    if len(units) != len(unit_ids):
        raise Forbidden("lesson_not_allowed")
    if not scope.admin:
        teaches = set(
            (
                await db.execute(
                    select(Membership.unit_id).where(
                        Membership.person_id == actor.id,
                        Membership.unit_id.in_(unit_ids),
                        Membership.role.in_(TEACHING_ROLES),
                    )
                )
            ).scalars()
        )
        if teaches != set(unit_ids) and not all(scope.manages_path(u.path) for u in units):
            raise Forbidden("lesson_not_allowed")
    lesson = Lesson(
        recorded_feeds=[],
        title=data.title.strip(),
        teacher_id=actor.id,
        client_id=data.client_id,
        starts_at=data.starts_at,
        state="scheduled",
        comments_muted=False,
        likes=0,
    )
    db.add(lesson)
    await db.flush()
    for uid in unit_ids:
        db.add(LessonClass(lesson_id=lesson.id, unit_id=uid))
    await db.flush()
    await enqueue(db, CARDS, {"lesson": lesson.id}, key=f"{CARDS}:{lesson.id}")
    if data.start_now:
        await go_live(db, actor, lesson, now)
    return lesson, True


def reach(scope: Scope) -> ColumnElement[bool]:
    """The lessons a person sees: those they teach, of their classes, or below a unit they
    head."""
    my_units = select(Membership.unit_id).where(Membership.person_id == scope.person_id)
    classes: ColumnElement[bool] = LessonClass.unit_id.in_(my_units)
    if scope.head_paths:
        headed = select(Unit.id).where(or_(*(subtree_clause(p) for p in scope.head_paths)))
        classes = or_(classes, LessonClass.unit_id.in_(headed))
    return (Lesson.teacher_id == scope.person_id) | Lesson.id.in_(
        select(LessonClass.lesson_id).where(classes)
    )


async def list_mine(
    db: AsyncSession, actor: Actor, scope: Scope, limit: int = 50
) -> list[LessonSummary]:
    """Lessons one teaches, may join through one's classes or heads a unit above, newest
    first."""
    rows = (
        await db.execute(select(Lesson).where(reach(scope)).order_by(Lesson.id.desc()).limit(limit))
    ).scalars()
    out = []
    for lesson in rows:
        s = await shaped(db, lesson)
        out.append(
            LessonSummary(
                id=s.id,
                title=s.title,
                state=s.state,
                teacher=s.teacher,
                classes=s.classes,
                starts_at=s.starts_at,
                started_at=s.started_at,
            )
        )
    return out


async def teaching_units(db: AsyncSession, actor: Actor) -> list[LessonRef]:
    """The classes (units) one may schedule a lesson for."""
    rows = await db.execute(
        select(Unit.id, Unit.name)
        .join(Membership, Membership.unit_id == Unit.id)
        .where(Membership.person_id == actor.id, Membership.role.in_(TEACHING_ROLES))
        .distinct()
        .order_by(Unit.id)
    )
    return [LessonRef(id=i, name=n) for i, n in rows]


# -- Going live, the room, ending ----------------------------------------------------------------


async def _open_room(db: AsyncSession, lesson: Lesson) -> MediaRoom:
    return await media.open_owner_room(
        db, "lesson", lesson, publishers=ROOM_PUBLISHERS, description=lesson.title, recording=True
    )


async def go_live(db: AsyncSession, actor: Actor, lesson: Lesson, now: datetime) -> LessonOut:
    require_teacher(actor.person, lesson)
    if lesson.state == "ended":
        raise Conflict("lesson_ended")
    if lesson.state == "live":
        return await shaped(db, lesson)
    await _open_room(db, lesson)
    lesson.state = "live"
    lesson.started_at = now
    return await changed(db, lesson)


async def room_of(db: AsyncSession, lesson: Lesson, now: datetime | None = None) -> MediaRoom:
    """The live lesson's room, opened again if its server forgot it (Janus restarted):
    everyone's open presence closes (the gap shows in attendance), publishers and seats lose
    their feeds, and clients are told to publish and watch again (`lesson.media_reset`)."""
    if lesson.state != "live":
        raise Conflict("lesson_not_live")
    room = await media.still_open(db, runtime_of(db), lesson.room_id)
    if room is not None:
        return room
    new = await _open_room(db, lesson)
    await close_presence(db, lesson.id, None, now or datetime.now(UTC))
    lesson.teacher_feed = None
    await db.execute(update(LessonSeat).where(LessonSeat.lesson_id == lesson.id).values(feed=None))
    await signalling.drop_prefix(runtime_of(db), handle_prefix(lesson.id))
    live.tell(db, lesson.id, live.LessonMediaReset(lesson_id=lesson.id))
    await changed(db, lesson)
    return new


async def end(db: AsyncSession, actor: Actor, lesson: Lesson, now: datetime) -> LessonOut:
    """Ends the lesson for everyone: the room is destroyed, every presence closed."""
    require_teacher(actor.person, lesson)
    if lesson.state == "ended":
        return await shaped(db, lesson)
    runtime = runtime_of(db)
    if lesson.room_id is not None:
        room = await db.get(MediaRoom, lesson.room_id)
        if room is not None:
            await media.close_room(db, runtime, room)
    await signalling.drop_prefix(runtime, handle_prefix(lesson.id))
    await close_presence(db, lesson.id, None, now, kind="live")
    lesson.state = "ended"
    lesson.ended_at = now
    if lesson.recorded_feeds:
        lesson.replay_state = "processing"
        await enqueue(db, REPLAY, {"lesson": lesson.id}, key=f"{REPLAY}:{lesson.id}")
    lesson.teacher_feed = None
    await db.execute(delete(LessonSeat).where(LessonSeat.lesson_id == lesson.id))
    return await changed(db, lesson)


# -- Presence ------------------------------------------------------------------------------------


async def close_presence(
    db: AsyncSession, lesson_id: int, person_id: int | None, now: datetime, kind: str | None = None
) -> None:
    q = update(LessonPresence).where(
        LessonPresence.lesson_id == lesson_id, LessonPresence.left_at.is_(None)
    )
    if person_id is not None:
        q = q.where(LessonPresence.person_id == person_id)
    if kind is not None:
        q = q.where(LessonPresence.kind == kind)
    await db.execute(q.values(left_at=now))


async def replay_presence(
    db: AsyncSession, actor: Actor, lesson_id: int, now: datetime, *, watching: bool
) -> None:
    """Watching the replay starts (or stops) a replay interval, counted apart from live."""
    lesson = await access_lesson(db, actor.person, lesson_id)
    await close_presence(db, lesson.id, actor.id, now, kind="replay")
    if watching:
        if lesson.replay_state != "ready":
            raise NotFound("lesson_replay")
        db.add(
            LessonPresence(lesson_id=lesson.id, person_id=actor.id, kind="replay", joined_at=now)
        )


async def join(db: AsyncSession, actor: Actor, lesson_id: int, now: datetime) -> LessonView:
    """One is in the lesson from now (a presence interval opens while it is live; one left
    open by an earlier page of this person closes first). Checks the room is still there."""
    lesson = await access_lesson(db, actor.person, lesson_id)
    if lesson.state == "live":
        await room_of(db, lesson, now)
        await close_presence(db, lesson.id, actor.id, now, kind="live")
        db.add(
            LessonPresence(
                lesson_id=lesson.id, person_id=actor.id, kind="live", joined_at=now, seen_at=now
            )
        )
        await db.flush()
    return await view(db, actor, lesson)


async def here(db: AsyncSession, actor: Actor, lesson_id: int, now: datetime) -> None:
    """The lesson page is still open (its heartbeat)."""
    lesson = await access_lesson(db, actor.person, lesson_id)
    await db.execute(
        update(LessonPresence)
        .where(
            LessonPresence.lesson_id == lesson.id,
            LessonPresence.person_id == actor.id,
            LessonPresence.left_at.is_(None),
        )
        .values(seen_at=now)
    )


async def leave(db: AsyncSession, actor: Actor, lesson_id: int, now: datetime) -> None:
    lesson = await access_lesson(db, actor.person, lesson_id)
    await close_presence(db, lesson.id, actor.id, now, kind="live")
    await signalling.drop_prefix(runtime_of(db), handle_prefix(lesson.id, actor.id))
    touched = False
    if lesson.teacher_id == actor.id and lesson.teacher_feed is not None:
        lesson.teacher_feed = None
        touched = True
    seat = await _seat(db, lesson.id, actor.id)
    if seat is not None and seat.feed is not None:
        seat.feed = None
        touched = True
    if touched:
        await changed(db, lesson)


async def _seat(db: AsyncSession, lesson_id: int, person_id: int) -> LessonSeat | None:
    return (
        await db.execute(
            select(LessonSeat).where(
                LessonSeat.lesson_id == lesson_id, LessonSeat.person_id == person_id
            )
        )
    ).scalar_one_or_none()


seat_of = _seat


async def access_lesson_row(db: AsyncSession, lesson_id: int) -> Lesson:
    """The lesson by id, for callers that checked access already."""
    lesson = await db.get(Lesson, lesson_id)
    if lesson is None:
        raise NotFound("lesson")
    return lesson


# -- Comments, likes, mutes ----------------------------------------------------------------------


async def comment(
    db: AsyncSession, actor: Actor, lesson_id: int, data: CommentIn, now: datetime
) -> CommentOut:
    lesson = await access_lesson(db, actor.person, lesson_id)
    if lesson.teacher_id != actor.id:
        if lesson.comments_muted:
            raise Forbidden("lesson_comments_muted")
        muted = await db.execute(
            select(LessonMute.id).where(
                LessonMute.lesson_id == lesson.id, LessonMute.person_id == actor.id
            )
        )
        if muted.first() is not None:
            raise Forbidden("lesson_you_are_muted")
        if not COMMENTS.allow((lesson.id, actor.id)):
            raise Problem("lesson_comments_too_fast", 429, headers={"Retry-After": "2"})
    row = LessonComment(
        lesson_id=lesson.id, person_id=actor.id, kind=data.kind, body=data.body, created_at=now
    )
    db.add(row)
    await db.flush()
    out = CommentOut(
        id=row.id,
        lesson_id=lesson.id,
        person=LessonRef(id=actor.id, name=actor.person.name),
        kind=data.kind,
        body=row.body,
        created_at=row.created_at,
    )
    live.tell(db, lesson.id, live.LessonCommented(comment=out))
    return out


async def comments(db: AsyncSession, actor: Actor, lesson_id: int) -> list[CommentOut]:
    """The latest 200 comments, oldest first."""
    lesson = await access_lesson(db, actor.person, lesson_id)
    rows = (
        await db.execute(
            select(LessonComment, Person.name)
            .join(Person, Person.id == LessonComment.person_id)
            .where(LessonComment.lesson_id == lesson.id)
            .order_by(LessonComment.id.desc())
            .limit(200)
        )
    ).all()
    return [
        CommentOut(
            id=c.id,
            lesson_id=c.lesson_id,
            person=LessonRef(id=c.person_id, name=name),
            kind=c.kind,
            body=c.body,
            created_at=c.created_at,
        )
        for c, name in reversed(rows)
    ]


# A class tapping 点赞 as fast as it can: each person's taps count up to 5 a second (bursts of
# 10; the rest are play, not refused), and the count reaches the lesson's watchers at most once
# a second, the latest always (core/pace.py). Comments: a burst of 3, then one per 2 s.
LIKES = Pace(rate=5, burst=10)
LIKE_NEWS = Later(every=1.0)
COMMENTS = Pace(rate=0.5, burst=3)


async def like(db: AsyncSession, actor: Actor, lesson_id: int) -> int:
    lesson = await access_lesson(db, actor.person, lesson_id)
    if not LIKES.allow((lesson.id, actor.id)):
        return lesson.likes
    await db.execute(update(Lesson).where(Lesson.id == lesson.id).values(likes=Lesson.likes + 1))
    await db.refresh(lesson, ["likes"])
    if LIKE_NEWS.now(lesson.id):
        live.tell(db, lesson.id, live.LessonLikes(lesson_id=lesson.id, likes=lesson.likes))
    else:
        LIKE_NEWS.later(lesson.id, functools.partial(_tell_likes, runtime_of(db), lesson.id))
    return lesson.likes


async def _tell_likes(runtime: Runtime, lesson_id: int) -> None:
    """The latest count of likes, to everyone following the lesson."""
    async with writing(runtime.sessionmaker, runtime.write_gate) as db:
        likes = await db.scalar(select(Lesson.likes).where(Lesson.id == lesson_id))
        if likes is not None:
            live.tell(db, lesson_id, live.LessonLikes(lesson_id=lesson_id, likes=likes))


async def mute(db: AsyncSession, actor: Actor, lesson_id: int, data: MuteIn) -> LessonOut:
    lesson = await access_lesson(db, actor.person, lesson_id)
    require_teacher(actor.person, lesson)
    if data.person_id is None:
        lesson.comments_muted = data.muted
    else:
        found = await db.execute(
            select(LessonMute).where(
                LessonMute.lesson_id == lesson.id, LessonMute.person_id == data.person_id
            )
        )
        row = found.scalar_one_or_none()
        if data.muted and row is None:
            db.add(LessonMute(lesson_id=lesson.id, person_id=data.person_id))
        elif not data.muted and row is not None:
            await db.delete(row)
    return await changed(db, lesson)
