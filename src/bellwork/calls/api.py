"""1:1 calls over HTTP (docs/calls.md): placing a call, answering, declining, hanging up,
the page's heartbeat, and the signalling of sending and receiving media (through Bellwork:
browsers reach Janus only for media). Ringing and every change go out as `call.changed`."""

from __future__ import annotations

from datetime import UTC, datetime

from bellwork.calls import media, service
from bellwork.calls.schemas import (
    AcceptIn,
    AwayIn,
    CallCreate,
    CallOut,
    PublishIn,
    PublishOut,
    WatchAnswer,
    WatchOut,
)
from bellwork.core.deps import DB, CurrentActor, CurrentScope
from bellwork.core.routing import Router
from bellwork.core.types import PathId
from bellwork.db.session import done_with_database

router = Router(prefix="/api/v1/calls", tags=["calls"])


def _now() -> datetime:
    return datetime.now(UTC)


@router.post("", response_model=CallOut, status_code=201)
async def place_call(data: CallCreate, db: DB, actor: CurrentActor, scope: CurrentScope) -> CallOut:
    """Calls a person one may message: their devices ring. 404 for someone one cannot see,
    422 `call_self` / `person_inactive`, 409 `call_you_are_busy`, 503 `media_unavailable`.
    Someone already in a call: the answer's state is `busy` (and the chat says so)."""
    return await service.place(db, actor, scope, data, _now())


@router.get("/current", response_model=CallOut | None)
async def current_call(db: DB, actor: CurrentActor) -> CallOut | None:
    """One's call that rings or runs now, or null."""
    return await service.current(db, actor, _now())


@router.get("/{call_id}", response_model=CallOut)
async def get_call(call_id: PathId, db: DB, actor: CurrentActor) -> CallOut:
    return await service.shaped(db, await service.access_call(db, actor.id, call_id))


@router.post("/{call_id}/accept", response_model=CallOut)
async def accept_call(call_id: PathId, data: AcceptIn, db: DB, actor: CurrentActor) -> CallOut:
    """The callee answers on this device (`device`: the page's id); the others stop ringing.
    409 `call_answered_elsewhere` when another device was first, `call_over` when it ended."""
    return await service.accept(db, actor, call_id, data.device, _now())


@router.post("/{call_id}/decline", response_model=CallOut)
async def decline_call(call_id: PathId, db: DB, actor: CurrentActor) -> CallOut:
    return await service.decline(db, actor, call_id, _now())


@router.post("/{call_id}/hangup", response_model=CallOut)
async def hang_up(call_id: PathId, db: DB, actor: CurrentActor) -> CallOut:
    """Ends the call for both (while it rings: the caller cancels, the callee declines)."""
    return await service.hang_up(db, actor, call_id, _now())


@router.post("/{call_id}/here", response_model=CallOut)
async def still_here(call_id: PathId, db: DB, actor: CurrentActor) -> CallOut:
    """The call page's heartbeat (every 15 s, and at once when it (re)joins or its connection
    failed): a call whose page vanished ends by itself after a minute. Also finds a room the
    media server forgot (it restarted): a new one, both sides told by `call.changed`."""
    return await service.here(db, actor, call_id, _now())


@router.post("/{call_id}/away", response_model=CallOut)
async def going_away(call_id: PathId, data: AwayIn, db: DB, actor: CurrentActor) -> CallOut:
    """The call page is going away (a reload, or closed; sent as the page hides): the other
    side stops watching it; the call ends unless a page comes back within 20 s."""
    return await service.away(db, actor, call_id, data.feed, _now())


@router.post("/{call_id}/publish", response_model=PublishOut)
async def publish(call_id: PathId, data: PublishIn, db: DB, actor: CurrentActor) -> PublishOut:
    """The browser's SDP offer (non-trickle) of its camera and microphone: Janus's answer. The
    caller from when it rings; the callee once answered."""
    return await media.publish(db, actor, call_id, data)


@router.post("/{call_id}/watch", response_model=WatchOut)
async def watch(call_id: PathId, db: DB, actor: CurrentActor) -> WatchOut:
    """Janus's SDP offer for the other person's feed; answer it with `watch/answer`."""
    watching = await media.watch(db, actor, call_id)
    # Janus's offer takes a round trip: the database connection (and SQLite's write gate)
    # are not held while it comes.
    await done_with_database(db)
    return await media.subscribe(watching)


@router.post("/{call_id}/watch/answer", status_code=204)
async def watch_answer(call_id: PathId, data: WatchAnswer, db: DB, actor: CurrentActor) -> None:
    watching = await media.watch_answer(db, actor, call_id)
    await done_with_database(db)
    await media.answer(watching, data)
