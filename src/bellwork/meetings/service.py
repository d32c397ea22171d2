"""Meetings: scheduling or starting one for a conversation, a unit or invited people, joining
(through the waiting room when it is on) and leaving (attendance intervals), the media room kept
alive across Janus restarts, ending it for everyone (docs/meetings.md).

The host tools are in `host.py`; publishing, watching and who is talking in `streams.py`;
attendance and minutes in `attendance.py`; the card in the conversation in `cards.py`."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from bellwork.auth.service import Actor
from bellwork.chat.access import access_conversation
from bellwork.chat.groups import open_unit_group
from bellwork.chat.membership import create_group
from bellwork.chat.models import ConversationMember
from bellwork.chat.schemas import GroupCreate
from bellwork.core.errors import Conflict, Forbidden, Invalid, NotFound, Problem
from bellwork.media import service as media
from bellwork.media import signalling
from bellwork.media.models import MediaRoom
from bellwork.meetings import live, reminders
from bellwork.meetings.access import access_meeting, in_unit, may_see_attendance, require_host
from bellwork.meetings.cards import post_card
from bellwork.meetings.models import Meeting, MeetingParticipant, MeetingPresence
from bellwork.meetings.schemas import (
    MeetingCreate,
    MeetingHead,
    MeetingMove,
    MeetingOut,
    MeetingRef,
    MeetingSummary,
    MeetingView,
    ParticipantOut,
)
from bellwork.org.access import Scope
from bellwork.org.models import Person, Unit
from bellwork.runtime import runtime_of

# At most this many people in a meeting at once (issue 13: 100-300-party meetings).
LIMIT = 300
# Everyone's camera and microphone, and a few screen shares (one at a time, plus overlap).
ROOM_PUBLISHERS = LIMIT + 4
PRESENT = ("waiting", "in")
# Janus's `talking` events (its audio levels): after 50 packets (1 s) averaging louder than
# -50 dBov, rather than its defaults (2 s, -25 dBov), which miss a quiet speaker.
TALKING = {"audio_active_packets": 50, "audio_level_average": 50}


def handle_prefix(meeting_id: int, person_id: int | None = None) -> str:
    """The signalling keys of a meeting (or of one person's part in it)."""
    return f"meeting:{meeting_id}:" + (f"{person_id}:" if person_id is not None else "")


# -- Shaping -------------------------------------------------------------------------------------


async def participants(
    db: AsyncSession, meeting_id: int, person_ids: Collection[int] | None = None
) -> list[tuple[MeetingParticipant, str]]:
    """Who is in the meeting or its waiting room, by arrival (of these people only, if given)."""
    q = (
        select(MeetingParticipant, Person.name)
        .join(Person, Person.id == MeetingParticipant.person_id)
        .where(
            MeetingParticipant.meeting_id == meeting_id,
            MeetingParticipant.state.in_(PRESENT),
        )
        .order_by(MeetingParticipant.arrived_at, MeetingParticipant.id)
    )
    if person_ids is not None:
        q = q.where(MeetingParticipant.person_id.in_(list(person_ids)))
    rows = await db.execute(q)
    return [(p, n) for p, n in rows.all()]


def _participant(meeting: Meeting, p: MeetingParticipant, name: str) -> ParticipantOut:
    return ParticipantOut(
        person_id=p.person_id,
        name=name,
        state="waiting" if p.state == "waiting" else "in",
        feed=p.feed,
        screen_feed=p.screen_feed,
        mic=p.mic and not p.hard_muted,
        camera=p.camera,
        hard_muted=p.hard_muted,
        host=p.person_id == meeting.host_id,
    )


async def _head(db: AsyncSession, meeting: Meeting, version: int) -> MeetingHead:
    host = await db.get(Person, meeting.host_id)
    return MeetingHead(
        id=meeting.id,
        title=meeting.title,
        state=meeting.state,
        host=MeetingRef(id=meeting.host_id, name=host.name if host else ""),
        conversation_id=meeting.conversation_id,
        unit_id=meeting.unit_id,
        starts_at=meeting.starts_at,
        started_at=meeting.started_at,
        ended_at=meeting.ended_at,
        locked=meeting.locked,
        waiting_room=meeting.waiting_room,
        all_muted=meeting.all_muted,
        limit=LIMIT,
        version=version,
    )


async def shaped(db: AsyncSession, meeting: Meeting) -> MeetingOut:
    """The meeting with its whole roster (what a client fetches on connect or after a gap).
    Its version is read before the roster: a change between the two is then in the roster
    and applied again from its event, never skipped."""
    version = (
        await db.execute(select(Meeting.version).where(Meeting.id == meeting.id))
    ).scalar_one()
    live_now = meeting.state == "live"
    people = [
        _participant(meeting, p, name)
        for p, name in (await participants(db, meeting.id) if live_now else [])
    ]
    people.sort(key=lambda x: not x.host)
    head = await _head(db, meeting, version)
    return MeetingOut(**head.model_dump(), participants=people)


async def tell_change(
    db: AsyncSession, meeting: Meeting, *person_ids: int, everyone: bool = False
) -> None:
    """Tells everyone following the meeting one change (after commit): the meeting's next
    version, the meeting without its roster, and only these people (`everyone`: the whole
    roster, for a change to all of them): those still there as they are now, the others as
    gone. Not the whole roster each time: with 300 people that was ~40 KB to each of 300."""
    await db.flush()
    version = (
        await db.execute(
            update(Meeting)
            .where(Meeting.id == meeting.id)
            .values(version=Meeting.version + 1)
            .returning(Meeting.version)
            .execution_options(synchronize_session=False)
        )
    ).scalar_one()
    set_committed_value(meeting, "version", version)
    live_now = meeting.state == "live"
    wanted = None if everyone else set(person_ids)
    rows = await participants(db, meeting.id, wanted) if live_now and wanted != set() else []
    people = [_participant(meeting, p, name) for p, name in rows]
    here = {p.person_id for p in people}
    gone = sorted((wanted or set()) - here) if live_now else []
    live.tell(
        db,
        meeting.id,
        live.MeetingChanged(
            meeting_id=meeting.id,
            version=version,
            meeting=await _head(db, meeting, version),
            people=people,
            gone=gone,
        ),
    )


async def changed(
    db: AsyncSession, meeting: Meeting, *person_ids: int, everyone: bool = False
) -> MeetingOut:
    """`tell_change`, and the meeting as it is now for the request's answer."""
    await tell_change(db, meeting, *person_ids, everyone=everyone)
    return await shaped(db, meeting)


async def view(db: AsyncSession, actor: Actor, meeting: Meeting) -> MeetingView:
    out = await shaped(db, meeting)
    mine = await participant_of(db, meeting.id, actor.id)
    return MeetingView(
        **out.model_dump(),
        is_host=meeting.host_id == actor.id,
        me=mine.state if mine is not None else None,
        may_see_attendance=may_see_attendance(actor.person, meeting),
    )


async def participant_of(
    db: AsyncSession, meeting_id: int, person_id: int
) -> MeetingParticipant | None:
    return (
        await db.execute(
            select(MeetingParticipant).where(
                MeetingParticipant.meeting_id == meeting_id,
                MeetingParticipant.person_id == person_id,
            )
        )
    ).scalar_one_or_none()


# -- Scheduling and listing ----------------------------------------------------------------------


async def _conversation_for(
    db: AsyncSession, actor: Actor, scope: Scope, data: MeetingCreate
) -> int:
    """The conversation whose members the meeting is for (one must be a member of it)."""
    if data.conversation_id is not None:
        conv, _ = await access_conversation(db, actor.id, data.conversation_id)
        if conv.private:
            raise Forbidden("meeting_private_chat")
        return conv.id
    if data.unit_id is not None:
        # The unit tree is visible to all: say why, rather than the group's 404.
        if await db.get(Unit, data.unit_id) is not None and not await in_unit(
            db, actor.id, data.unit_id
        ):
            raise Forbidden("meeting_not_in_unit")
        conv, _ = await open_unit_group(db, actor, data.unit_id)
        return conv.id
    ids = sorted(set(data.person_ids or []) - {actor.id})
    if not ids:
        raise Problem("meeting_nobody_invited", 422)
    conv, _ = await create_group(
        db, actor, scope, GroupCreate(name=data.title.strip(), member_ids=ids)
    )
    return conv.id


async def create(
    db: AsyncSession, actor: Actor, scope: Scope, data: MeetingCreate, now: datetime
) -> tuple[Meeting, bool]:
    """A meeting hosted by its creator: (the meeting, whether new). Its card goes into its
    conversation; `start_now` starts it at once. A planned time that is not ahead (and the
    meeting not started now): 422 `meeting_time_past`."""
    found = (
        await db.execute(
            select(Meeting).where(
                Meeting.created_by == actor.id, Meeting.client_id == data.client_id
            )
        )
    ).scalar_one_or_none()
    if found is not None:
        return found, False
    if not data.start_now and data.starts_at is not None and data.starts_at <= now:
        # Its reminders would go at once, and its card would show a start already gone.
        raise Invalid("meeting_time_past", errors=[{"field": "starts_at"}])
    conversation_id = await _conversation_for(db, actor, scope, data)
    meeting = Meeting(
        title=data.title.strip(),
        created_by=actor.id,
        host_id=actor.id,
        client_id=data.client_id,
        conversation_id=conversation_id,
        unit_id=data.unit_id,
        starts_at=data.starts_at,
        state="scheduled",
        locked=False,
        waiting_room=data.waiting_room,
        all_muted=False,
    )
    db.add(meeting)
    await db.flush()
    await post_card(db, meeting)
    if data.start_now:
        await start(db, actor, meeting, now)
    else:
        await reminders.schedule(db, meeting, now)
    return meeting, True


async def move(
    db: AsyncSession, actor: Actor, meeting: Meeting, data: MeetingMove, now: datetime
) -> MeetingOut:
    """The host moves a meeting that has not started to another time (or to none): the
    reminders of the old time are taken back, those of the new one queued. A time that is
    not ahead: 422 `meeting_time_past`."""
    require_host(actor.person, meeting)
    if meeting.state != "scheduled":
        raise Conflict("meeting_not_scheduled")
    if data.starts_at is not None and data.starts_at <= now:
        raise Invalid("meeting_time_past", errors=[{"field": "starts_at"}])
    await reminders.unschedule(db, meeting)
    meeting.starts_at = data.starts_at
    await reminders.schedule(db, meeting, now)
    return await changed(db, meeting)


async def list_mine(db: AsyncSession, actor: Actor, limit: int = 50) -> list[MeetingSummary]:
    """Meetings of the conversations one is in (and those one hosts), newest first."""
    mine: ColumnElement[bool] = Meeting.conversation_id.in_(
        select(ConversationMember.conversation_id).where(
            ConversationMember.person_id == actor.id, ConversationMember.left_seq.is_(None)
        )
    )
    rows = (
        await db.execute(
            select(Meeting, Person.name)
            .join(Person, Person.id == Meeting.host_id)
            .where(mine)
            .order_by(Meeting.id.desc())
            .limit(limit)
        )
    ).all()
    return [
        MeetingSummary(
            id=m.id,
            title=m.title,
            state=m.state,
            host=MeetingRef(id=m.host_id, name=name),
            conversation_id=m.conversation_id,
            starts_at=m.starts_at,
            started_at=m.started_at,
            ended_at=m.ended_at,
        )
        for m, name in rows
    ]


# -- Starting, the room, ending ------------------------------------------------------------------


async def _open_room(db: AsyncSession, meeting: Meeting) -> MediaRoom:
    return await media.open_owner_room(
        db, "meeting", meeting, publishers=ROOM_PUBLISHERS, description=meeting.title, extra=TALKING
    )


async def start(db: AsyncSession, actor: Actor, meeting: Meeting, now: datetime) -> MeetingOut:
    """The host starts the meeting: its room opens; the host is in it."""
    require_host(actor.person, meeting)
    if meeting.state == "ended":
        raise Conflict("meeting_ended")
    if meeting.state == "scheduled":
        await _open_room(db, meeting)
        meeting.state = "live"
        meeting.started_at = now
    await enter(db, meeting, actor.id, now)
    return await changed(db, meeting, actor.id)


async def room_of(db: AsyncSession, meeting: Meeting, now: datetime | None = None) -> MediaRoom:
    """The live meeting's room, opened again if its server forgot it (Janus restarted):
    everyone's open presence closes (the gap shows in attendance), feeds are cleared, and
    clients are told to publish and watch again (`meeting.media_reset`)."""
    if meeting.state != "live":
        raise Conflict("meeting_not_live")
    room = await media.still_open(db, runtime_of(db), meeting.room_id)
    if room is not None:
        return room
    new = await _open_room(db, meeting)
    moment = now or datetime.now(UTC)
    await close_presence(db, meeting.id, None, moment)
    await db.execute(
        update(MeetingParticipant)
        .where(MeetingParticipant.meeting_id == meeting.id)
        .values(feed=None, screen_feed=None, audio_mid=None)
    )
    # Those in the meeting stay in it: their presence opens again from now.
    for p, _ in await participants(db, meeting.id):
        if p.state == "in":
            db.add(MeetingPresence(meeting_id=meeting.id, person_id=p.person_id, joined_at=moment))
    await signalling.drop_prefix(runtime_of(db), handle_prefix(meeting.id))
    live.tell(db, meeting.id, live.MeetingMediaReset(meeting_id=meeting.id))
    await tell_change(db, meeting, everyone=True)
    return new


async def end(db: AsyncSession, actor: Actor, meeting: Meeting, now: datetime) -> MeetingOut:
    """The host ends the meeting for everyone: the room is destroyed, every presence closed."""
    require_host(actor.person, meeting)
    if meeting.state == "ended":
        return await shaped(db, meeting)
    runtime = runtime_of(db)
    if meeting.room_id is not None:
        room = await db.get(MediaRoom, meeting.room_id)
        if room is not None:
            await media.close_room(db, runtime, room)
    if meeting.state == "scheduled":  # cancelled before it started: no reminders
        await reminders.unschedule(db, meeting)
    await signalling.drop_prefix(runtime, handle_prefix(meeting.id))
    await close_presence(db, meeting.id, None, now)
    await db.execute(
        update(MeetingParticipant)
        .where(MeetingParticipant.meeting_id == meeting.id, MeetingParticipant.state.in_(PRESENT))
        .values(state="left", feed=None, screen_feed=None, mic=False, camera=False)
    )
    meeting.state = "ended"
    meeting.ended_at = now
    return await changed(db, meeting)


# -- Presence ------------------------------------------------------------------------------------


async def close_presence(
    db: AsyncSession, meeting_id: int, person_id: int | None, now: datetime
) -> None:
    q = update(MeetingPresence).where(
        MeetingPresence.meeting_id == meeting_id, MeetingPresence.left_at.is_(None)
    )
    if person_id is not None:
        q = q.where(MeetingPresence.person_id == person_id)
    await db.execute(q.values(left_at=now))


async def enter(
    db: AsyncSession, meeting: Meeting, person_id: int, now: datetime
) -> MeetingParticipant:
    """The person is in the meeting from now (a presence interval opens; one left open by an
    earlier page of theirs closes first)."""
    p = await participant_of(db, meeting.id, person_id)
    if p is None:
        p = MeetingParticipant(meeting_id=meeting.id, person_id=person_id, arrived_at=now)
        db.add(p)
    if p.state != "in":
        p.arrived_at = now
    p.state = "in"
    p.mic = False
    p.camera = False
    # A host's mute outlives leaving and coming back (or a media server restart).
    p.hard_muted = person_id != meeting.host_id and (p.hard_muted or meeting.all_muted)
    await close_presence(db, meeting.id, person_id, now)
    db.add(MeetingPresence(meeting_id=meeting.id, person_id=person_id, joined_at=now, seen_at=now))
    await db.flush()
    return p


async def join(db: AsyncSession, actor: Actor, meeting_id: int, now: datetime) -> MeetingView:
    """One joins the live meeting: in it at once, or in the waiting room when it is on (the
    host admits). Refused when one was removed, when it is locked, or full. Checks the room is
    still there (a client calls this again when its connection failed)."""
    meeting = await access_meeting(db, actor.person, meeting_id)
    if meeting.state == "live":
        await room_of(db, meeting, now)
        mine = await participant_of(db, meeting.id, actor.id)
        host = meeting.host_id == actor.id
        if mine is not None and mine.state == "removed":
            raise Forbidden("meeting_removed")
        already = mine is not None and mine.state in PRESENT
        if not host and not already:
            if meeting.locked:
                raise Forbidden("meeting_locked")
            count = sum(1 for p, _ in await participants(db, meeting.id) if p.state == "in")
            if count >= LIMIT:
                raise Conflict("meeting_full", limit=LIMIT)
        if meeting.waiting_room and not host and not (mine is not None and mine.state == "in"):
            if mine is None:
                db.add(
                    MeetingParticipant(
                        meeting_id=meeting.id, person_id=actor.id, state="waiting", arrived_at=now
                    )
                )
            else:
                mine.state = "waiting"
                mine.arrived_at = now
        else:
            await enter(db, meeting, actor.id, now)
        await tell_change(db, meeting, actor.id)
    return await view(db, actor, meeting)


async def here(db: AsyncSession, actor: Actor, meeting_id: int, now: datetime) -> None:
    """The meeting page is still open (its heartbeat)."""
    meeting = await access_meeting(db, actor.person, meeting_id)
    await db.execute(
        update(MeetingPresence)
        .where(
            MeetingPresence.meeting_id == meeting.id,
            MeetingPresence.person_id == actor.id,
            MeetingPresence.left_at.is_(None),
        )
        .values(seen_at=now)
    )


async def leave(db: AsyncSession, actor: Actor, meeting_id: int, now: datetime) -> None:
    meeting = await access_meeting(db, actor.person, meeting_id)
    await close_presence(db, meeting.id, actor.id, now)
    await signalling.drop_prefix(runtime_of(db), handle_prefix(meeting.id, actor.id))
    mine = await participant_of(db, meeting.id, actor.id)
    if mine is not None and mine.state in PRESENT:
        mine.state = "left"
        mine.feed = mine.screen_feed = mine.audio_mid = None
        mine.mic = mine.camera = False
        if meeting.state == "live":
            await tell_change(db, meeting, actor.id)


async def meeting_row(db: AsyncSession, meeting_id: int) -> Meeting:
    """The meeting by id, for callers that checked access already."""
    meeting = await db.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound("meeting")
    return meeting
