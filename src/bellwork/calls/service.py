"""Calls: placing one, ringing, answering on one device (a race of two devices: one wins),
declining, hanging up, missed after `call_ring_seconds`, and the note each leaves in the two
people's direct chat (docs/calls.md). The media side is in `media.py`.

Who may call whom: whoever may open a direct chat with a person (the directory's visibility:
someone one cannot see is 404 alike; not oneself, not a deactivated account). One is busy while
in a call that rings or runs; calling someone busy leaves a "busy" note and rings nothing.

A `calls.check` job (the platform's jobs: it survives a restart) ends a call nobody answered
after `call_ring_seconds` (45 s) as missed, and while a call runs, ends it once a side's page
has shown no sign of life (`POST /calls/{id}/here`) for `STALE_SECONDS`, or sent nothing
for `AWAY_SECONDS` (`away`: its page reloads or closed; a page that comes back sends again).

A Janus restart: Janus forgets its rooms. The heartbeat (and any publish or watch) finds the
room gone and opens a new one (`room_of`, as lessons and meetings do with
`media.service.still_open`): both feeds are cleared and both sides are told (`call.changed`
with a new `media_room`), and each publishes and watches again."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.auth.service import Actor
from bellwork.calls import live
from bellwork.calls.models import ACTIVE, OPEN_STATES, RINGING, Call
from bellwork.calls.schemas import CallCreate, CallOut, CallPerson
from bellwork.chat.membership import direct_between
from bellwork.chat.messages import post_message
from bellwork.chat.models import Conversation, MessageKind
from bellwork.core.errors import Conflict, Forbidden, Invalid, NotFound, Problem
from bellwork.jobs.queue import enqueue
from bellwork.media import service as media
from bellwork.media import signalling
from bellwork.media.janus import JanusError
from bellwork.media.models import MediaRoom
from bellwork.media.pool import NoMediaServer
from bellwork.org import access as org_access
from bellwork.org.access import Scope
from bellwork.org.models import Person
from bellwork.push import service as push
from bellwork.push.messages import call_close, call_push
from bellwork.runtime import runtime_of

CHECK = "calls.check"
STALE_SECONDS = 60
# A page that went away (reloading) has this long to come back before the call ends.
AWAY_SECONDS = 20
# A call's room: the caller's feed, the callee's, and one spare for a resend that overlaps.
ROOM_PUBLISHERS = 3


def ring_seconds(db: AsyncSession) -> int:
    """How long a call rings before it is missed (setting `call_ring_seconds`, 45 s)."""
    return runtime_of(db).settings.call_ring_seconds


def handle_prefix(call_id: int, person_id: int | None = None) -> str:
    """The signalling keys of a call (or of one person's part in it)."""
    return f"call:{call_id}:" + (f"{person_id}:" if person_id is not None else "")


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


# -- Shaping -------------------------------------------------------------------------------------


async def shaped(db: AsyncSession, call: Call) -> CallOut:
    caller = await db.get(Person, call.caller_id)
    callee = await db.get(Person, call.callee_id)
    seconds = None
    if call.answered_at is not None and call.ended_at is not None:
        seconds = max(0, int((_aware(call.ended_at) - _aware(call.answered_at)).total_seconds()))
    return CallOut(
        id=call.id,
        state=call.state,
        video=call.video,
        caller=CallPerson(id=call.caller_id, name=caller.name if caller else ""),
        callee=CallPerson(id=call.callee_id, name=callee.name if callee else ""),
        conversation_id=call.conversation_id,
        device=call.device,
        caller_feed=call.caller_feed if call.state in OPEN_STATES else None,
        callee_feed=call.callee_feed if call.state in OPEN_STATES else None,
        media_room=call.room_id if call.state in OPEN_STATES else None,
        created_at=call.created_at,
        answered_at=call.answered_at,
        ended_at=call.ended_at,
        ended_by=call.ended_by,
        seconds=seconds,
        ring_seconds=ring_seconds(db),
    )


async def changed(db: AsyncSession, call: Call) -> CallOut:
    """Tells both people's devices what the call looks like now (after commit)."""
    await db.flush()
    out = await shaped(db, call)
    live.tell(db, out)
    return out


async def access_call(db: AsyncSession, person_id: int, call_id: int) -> Call:
    """The call, if this person is in it; 404 alike for missing and not theirs."""
    call = await db.get(Call, call_id)
    if call is None or person_id not in (call.caller_id, call.callee_id):
        raise NotFound("call")
    return call


# -- Busy, and calls whose pages vanished --------------------------------------------------------


def _gone(call: Call) -> tuple[datetime, datetime]:
    """When the first side of a running call counts as gone, and its last sign of life: a
    page quiet for `STALE_SECONDS`, or `AWAY_SECONDS` for one that sends nothing (it went
    away, or has not sent again since the room was renewed)."""
    start = _aware(call.answered_at or call.created_at)
    sides = []
    for seen, feed in (
        (call.caller_seen_at, call.caller_feed),
        (call.callee_seen_at, call.callee_feed),
    ):
        last = _aware(seen) if seen is not None else start
        sides.append(
            (last + timedelta(seconds=AWAY_SECONDS if feed is None else STALE_SECONDS), last)
        )
    return min(sides)


def _stale(db: AsyncSession, call: Call, now: datetime) -> bool:
    """A ringing call past its time (its job not run yet), or a running one where a side's
    page went quiet (closed, crashed, or went away and did not come back)."""
    if call.state == RINGING:
        return _aware(call.created_at) + timedelta(seconds=ring_seconds(db)) <= now
    return _gone(call)[0] <= now


async def open_calls(db: AsyncSession, person_id: int, now: datetime) -> list[Call]:
    """The person's calls that ring or run; those past their time are ended on the way."""
    rows = await db.execute(
        select(Call)
        .where(
            or_(Call.caller_id == person_id, Call.callee_id == person_id),
            Call.state.in_(OPEN_STATES),
        )
        .order_by(Call.id)
    )
    found = []
    for call in rows.scalars():
        if _stale(db, call, now):
            await time_out(db, call, now)
        else:
            found.append(call)
    return found


async def current(db: AsyncSession, actor: Actor, now: datetime) -> CallOut | None:
    """One's call that rings or runs now (a page opened while it rings shows it)."""
    calls = await open_calls(db, actor.id, now)
    return await shaped(db, calls[-1]) if calls else None


# -- Placing, answering, ending ------------------------------------------------------------------


async def place(
    db: AsyncSession, actor: Actor, scope: Scope, data: CallCreate, now: datetime
) -> CallOut:
    """Calls a person: their devices ring (socket and Web Push). 422 `call_self` /
    `person_inactive`, 404 for someone one cannot see, 409 `call_you_are_busy`, 503
    `media_unavailable`. Someone in another call: the call is `busy` at once (noted)."""
    if data.person_id == actor.id:
        raise Invalid("call_self", errors=[{"field": "person_id"}])
    other = await org_access.access_person(db, scope, data.person_id)
    refusal = org_access.message_refusal(scope, other)
    if refusal is not None:
        raise Invalid(refusal, errors=[{"field": "person_id"}])
    if await open_calls(db, actor.id, now):
        raise Conflict("call_you_are_busy")
    conv = await direct_between(db, actor.id, other.id)
    busy = bool(await open_calls(db, other.id, now))
    call = Call(
        caller_id=actor.id,
        callee_id=other.id,
        conversation_id=conv.id,
        video=data.video,
        state=RINGING,
        created_at=now,
    )
    db.add(call)
    await db.flush()
    if busy:
        call.state = "busy"
        call.ended_at = now
        await _note(db, call)
        return await changed(db, call)
    try:
        await media.open_owner_room(db, "call", call, publishers=ROOM_PUBLISHERS)
    except JanusError:
        raise Problem("media_unavailable", 503) from None
    await enqueue(
        db,
        CHECK,
        {"call": call.id},
        run_at=now + timedelta(seconds=ring_seconds(db)),
        key=f"{CHECK}:{call.id}",
    )
    out = await changed(db, call)
    await push.notify(
        db,
        [other.id],
        "direct",
        call_push(call.id, conv.id, actor.person.name, video=call.video),
        ttl=ring_seconds(db),
        urgency="high",
    )
    return out


async def accept(
    db: AsyncSession, actor: Actor, call_id: int, device: str, now: datetime
) -> CallOut:
    """The callee answers on one device. Two devices at once: one wins, the other gets 409
    `call_answered_elsewhere` (a call no longer ringing: 409 `call_over`)."""
    call = await access_call(db, actor.id, call_id)
    if call.callee_id != actor.id:
        raise Forbidden("call_callee_only")
    if call.state == RINGING and _stale(db, call, now):
        await time_out(db, call, now)
    done = await db.execute(
        update(Call)
        .where(Call.id == call.id, Call.state == RINGING)
        .values(
            state=ACTIVE, answered_at=now, device=device, caller_seen_at=now, callee_seen_at=now
        )
        .execution_options(synchronize_session=False)
    )
    await db.refresh(call)
    if getattr(done, "rowcount", 0) != 1:
        if call.state == ACTIVE:
            raise Conflict("call_answered_elsewhere")
        raise Conflict("call_over")
    await enqueue(db, CHECK, {"call": call.id}, run_at=now + timedelta(seconds=STALE_SECONDS))
    await push.notify(db, [actor.id], "direct", call_close(call.id))
    return await changed(db, call)


async def decline(db: AsyncSession, actor: Actor, call_id: int, now: datetime) -> CallOut:
    """The callee declines while it rings (on any of their devices: all stop ringing)."""
    call = await access_call(db, actor.id, call_id)
    if call.callee_id != actor.id:
        raise Forbidden("call_callee_only")
    if call.state == RINGING:
        await finish(db, call, "declined", actor.id, now)
    return await shaped(db, call)


async def hang_up(db: AsyncSession, actor: Actor, call_id: int, now: datetime) -> CallOut:
    """Either side ends it for both: the caller while it rings cancels it, the callee
    declines it; a running call ends (its time noted in the chat). Again: nothing more."""
    call = await access_call(db, actor.id, call_id)
    if call.state == RINGING:
        outcome = "cancelled" if actor.id == call.caller_id else "declined"
        await finish(db, call, outcome, actor.id, now)
    elif call.state == ACTIVE:
        await finish(db, call, "ended", actor.id, now)
    return await shaped(db, call)


async def here(db: AsyncSession, actor: Actor, call_id: int, now: datetime) -> CallOut:
    """A call page's heartbeat (every 15 s, and at once when the page (re)joins or its
    connection failed) while it runs; also tells the page the state. Checks the call's room
    is still there (Janus restarted: a new one, both told). No media server that could open a
    new room: the call ends (its time noted in the chat); one that does not answer for a
    moment: the next beat looks again."""
    call = await access_call(db, actor.id, call_id)
    if call.state in OPEN_STATES and _stale(db, call, now):
        await time_out(db, call, now)
    elif call.state == ACTIVE:
        if actor.id == call.caller_id:
            call.caller_seen_at = now
        else:
            call.callee_seen_at = now
        await db.flush()
        try:
            await room_of(db, call)
        except MediaLost:
            await finish(db, call, "ended", None, now)
        except Problem:
            pass  # the media server does not answer right now
    return await shaped(db, call)


async def away(
    db: AsyncSession, actor: Actor, call_id: int, feed: int | None, now: datetime
) -> CallOut:
    """A call page goes away (reloading, or closed): the other side stops watching its feed;
    unless a page of this person sends again (`publish`) within `AWAY_SECONDS`, the call ends.
    A page whose feed was already replaced by a newer page changes nothing."""
    call = await access_call(db, actor.id, call_id)
    if call.state != ACTIVE:
        return await shaped(db, call)
    caller = actor.id == call.caller_id
    if (call.caller_feed if caller else call.callee_feed) != feed:
        return await shaped(db, call)
    if caller:
        call.caller_feed = None
        call.caller_seen_at = now
    else:
        call.callee_feed = None
        call.callee_seen_at = now
    await signalling.drop_prefix(runtime_of(db), handle_prefix(call.id, actor.id))
    await enqueue(db, CHECK, {"call": call.id}, run_at=now + timedelta(seconds=AWAY_SECONDS + 1))
    return await changed(db, call)


class MediaLost(Exception):
    """The call's room is gone and no media server can open another."""


async def room_of(db: AsyncSession, call: Call) -> MediaRoom:
    """The open call's room, opened again if its server forgot it (Janus restarted), as
    lessons and meetings do: both feeds are cleared, the call's handles on this node dropped,
    and both sides told (`call.changed` with the new `media_room`): each publishes and
    watches again. 409 `call_over` for a call that ended; 503 `media_unavailable` when its
    server does not answer; MediaLost when no server can open a new room."""
    if call.state not in OPEN_STATES or call.room_id is None:
        raise Conflict("call_over")
    runtime = runtime_of(db)
    room = await media.still_open(db, runtime, call.room_id)
    if room is not None:
        return room
    old = call.room_id
    try:
        new = await media.open_room(
            db, runtime, owner_kind="call", owner_id=call.id, publishers=ROOM_PUBLISHERS
        )
    except (NoMediaServer, JanusError):
        raise MediaLost from None
    # Both sides may find the room gone at once: one new room wins, the other is closed.
    done = await db.execute(
        update(Call)
        .where(Call.id == call.id, Call.room_id == old, Call.state.in_(OPEN_STATES))
        # Both sides get a fresh `AWAY_SECONDS` to send again.
        .values(
            room_id=new.id,
            caller_feed=None,
            callee_feed=None,
            caller_seen_at=datetime.now(UTC),
            callee_seen_at=datetime.now(UTC),
        )
        .execution_options(synchronize_session=False)
    )
    await db.refresh(call)
    if getattr(done, "rowcount", 0) != 1:
        with contextlib.suppress(JanusError):
            await media.close_room(db, runtime, new)
        return await room_of(db, call)
    await signalling.drop_prefix(runtime, handle_prefix(call.id))
    await changed(db, call)
    return new


async def time_out(db: AsyncSession, call: Call, now: datetime) -> bool:
    """Ends a call nobody answered in time (missed) or whose pages went quiet (ended at the
    last sign of life). Whether it ended it."""
    if call.state == RINGING:
        return await finish(db, call, "missed", None, now)
    if call.state == ACTIVE:
        return await finish(db, call, "ended", None, min(now, _gone(call)[1]))
    return False


async def check(db: AsyncSession, call_id: int, now: datetime) -> None:
    """The `calls.check` job: missed when still ringing; while running, ended once stale,
    else looked at again in `STALE_SECONDS / 2`."""
    call = await db.get(Call, call_id)
    if call is None or call.state not in OPEN_STATES:
        return
    if _stale(db, call, now):
        await time_out(db, call, now)
    elif call.state == ACTIVE:
        await enqueue(db, CHECK, {"call": call.id}, run_at=now + timedelta(seconds=30))


async def finish(db: AsyncSession, call: Call, outcome: str, by: int | None, now: datetime) -> bool:
    """Moves an open call to `outcome` (only from the state it was read in: of two requests at
    once, one ends it), closes its room for both, notes it in the chat and stops the ringing.
    Whether this request ended it."""
    was = call.state
    done = await db.execute(
        update(Call)
        .where(Call.id == call.id, Call.state == was)
        .values(state=outcome, ended_at=now, ended_by=by)
        .execution_options(synchronize_session=False)
    )
    await db.refresh(call)
    if getattr(done, "rowcount", 0) != 1:
        return False
    runtime = runtime_of(db)
    await signalling.drop_prefix(runtime, handle_prefix(call.id))
    room = await db.get(MediaRoom, call.room_id) if call.room_id is not None else None
    if room is not None:
        with contextlib.suppress(JanusError):
            await media.close_room(db, runtime, room)
    await _note(db, call)
    if was == RINGING:
        await push.notify(db, [call.callee_id], "direct", call_close(call.id))
    await changed(db, call)
    return True


async def _note(db: AsyncSession, call: Call) -> None:
    """The call in the two people's direct chat, said by the caller: missed, declined,
    cancelled, busy, or its time once it ran (each reader's client words it)."""
    conv = await db.get(Conversation, call.conversation_id)
    caller = await db.get(Person, call.caller_id)
    if conv is None or conv.dissolved_at is not None or caller is None:
        return
    seconds = None
    if call.answered_at is not None and call.ended_at is not None:
        seconds = max(0, int((_aware(call.ended_at) - _aware(call.answered_at)).total_seconds()))
    await post_message(
        db,
        conv,
        caller,
        None,
        kind=MessageKind.call,
        card={
            "call_id": call.id,
            "video": call.video,
            "outcome": call.state,
            "seconds": seconds,
        },
    )
