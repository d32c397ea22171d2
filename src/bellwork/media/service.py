"""Media rooms for the domains that need them (lessons, meetings, calls), the media status and
the ICE servers browsers get (docs/media.md).

`open_room` places a VideoRoom room on the least loaded Janus server that answers and keeps it
as a `MediaRoom`; `open_owner_room` does so for a lesson, meeting or call and sets its
`room_id` (503 `media_unavailable` when no server answers); `close_room` destroys it;
`client_for` gives the Janus client of a room's server for the owning domain's requests (list
participants, moderate, kick, hang up).
A room is created on Janus before the caller's transaction commits: a caller whose transaction
fails should close the room it opened (a room nobody joins costs Janus almost nothing, and Janus
forgets rooms when it restarts).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.config import Settings
from bellwork.core.errors import Problem
from bellwork.core.i18n import t
from bellwork.media import local, turn
from bellwork.media.janus import JanusClient, JanusError, NoSuchRoom, RoomExists
from bellwork.media.models import MediaRoom
from bellwork.media.pool import LOCAL, MediaPool, NoMediaServer, unreachable
from bellwork.media.schemas import IceOut, IceServerOut, MediaStatusOut, Reason, ServerOut
from bellwork.runtime import Runtime, runtime_of

# Room ids stay below 2**53 so that JavaScript reads them exactly.
ROOM_ID_LIMIT = 2**53


async def placed_rooms(db: AsyncSession) -> dict[str, int]:
    """Rooms Bellwork has open on each server."""
    rows = await db.execute(
        select(MediaRoom.server, func.count())
        .where(MediaRoom.closed_at.is_(None))
        .group_by(MediaRoom.server)
    )
    return {server: int(n) for server, n in rows.all()}


async def open_room(
    db: AsyncSession,
    runtime: Runtime,
    *,
    owner_kind: str,
    owner_id: int,
    publishers: int,
    description: str = "",
    recording: bool = False,
    pin: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> MediaRoom:
    """A new VideoRoom room for the owner, on the least loaded server that answers
    (NoMediaServer when none does). A server that fails while the room is being made is
    marked down and the next one is tried. `extra`: more VideoRoom `create` settings (e.g.
    the audio-level thresholds of `talking` events)."""
    pool = runtime.media
    placed = await placed_rooms(db)
    for _ in range(max(1, len(pool.specs()))):
        server = await pool.choose(placed)
        client = pool.client(server)
        secret = secrets.token_urlsafe(24)
        rec_dir = _rec_dir(runtime.settings, server, owner_kind, owner_id) if recording else None
        for _attempt in range(5):
            janus_room = secrets.randbelow(ROOM_ID_LIMIT - 1) + 1
            try:
                await client.create_room(
                    janus_room,
                    secret=secret,
                    publishers=publishers,
                    description=description or f"{owner_kind} {owner_id}",
                    pin=pin,
                    rec_dir=rec_dir,
                    record=recording,
                    extra=extra,
                )
            except RoomExists:
                continue
            except JanusError as exc:
                if not unreachable(exc):
                    raise
                pool.mark_down(server, exc)
                break
            room = MediaRoom(
                server=server,
                janus_room=janus_room,
                secret=secret,
                pin=pin,
                owner_kind=owner_kind,
                owner_id=owner_id,
                publishers=publishers,
                recording=recording,
                rec_dir=rec_dir,
            )
            db.add(room)
            await db.flush()
            return room
    raise NoMediaServer("no Janus server answers")


class RoomOwner(Protocol):
    """What owns a room: a lesson, a meeting, a call (their `room_id` names the open one)."""

    id: int
    room_id: int | None


async def open_owner_room(
    db: AsyncSession,
    owner_kind: str,
    owner: RoomOwner,
    *,
    publishers: int,
    description: str = "",
    recording: bool = False,
    extra: Mapping[str, Any] | None = None,
) -> MediaRoom:
    """`open_room` for the owner, which keeps it as its `room_id`; 503 `media_unavailable`
    when no media server answers (what a person starting a lesson or a meeting is told)."""
    try:
        room = await open_room(
            db,
            runtime_of(db),
            owner_kind=owner_kind,
            owner_id=owner.id,
            publishers=publishers,
            description=description,
            recording=recording,
            extra=extra,
        )
    except NoMediaServer:
        raise Problem("media_unavailable", 503) from None
    owner.room_id = room.id
    return room


def _rec_dir(settings: Settings, server: str, owner_kind: str, owner_id: int) -> str | None:
    """The local Janus records into the data folder; other servers into their own default
    folder (their operator mounts shared storage there, docs/media.md)."""
    if server != LOCAL:
        return None
    folder: Path = local.folder(settings.data_dir) / "recordings" / f"{owner_kind}-{owner_id}"
    folder.mkdir(parents=True, exist_ok=True)
    return str(folder.resolve())


async def close_room(db: AsyncSession, runtime: Runtime, room: MediaRoom) -> None:
    """Destroys the room on its server (one that is gone or forgot the room counts as
    destroyed) and marks it closed."""
    if room.closed_at is not None:
        return
    try:
        await runtime.media.client(room.server).destroy_room(room.janus_room, secret=room.secret)
    except NoSuchRoom:
        pass
    except NoMediaServer:
        pass
    except JanusError as exc:
        if not unreachable(exc):
            raise
        runtime.media.mark_down(room.server, exc)
    room.closed_at = datetime.now(UTC)
    await db.flush()


def client_for(runtime: Runtime, room: MediaRoom) -> JanusClient:
    """The Janus client of the room's server (NoMediaServer if it is no longer configured)."""
    return runtime.media.client(room.server)


# Rooms found on their server, by (server, Janus room): a class opening a lesson at once asked
# Janus once per student (bench/lessons_join.py); the answer now holds for ROOM_SEEN seconds,
# and only while the node's session with that server has run without a break (`steady`).
ROOM_SEEN = 1.0
_SEEN: dict[tuple[str, int], tuple[float, object]] = {}


async def room_exists(runtime: Runtime, room: MediaRoom) -> bool:
    """Whether Janus still has the room (it forgets its rooms when it restarts)."""
    client = client_for(runtime, room)
    key = (room.server, room.janus_room)
    now = time.monotonic()
    kept = _SEEN.get(key)
    if kept is not None and kept[0] > now and kept[1] == client.steady:
        return True
    found = await client.room_exists(room.janus_room)
    steady = client.steady
    if found and steady is not None:
        if len(_SEEN) >= 10_000:
            _SEEN.clear()
        _SEEN[key] = (now + ROOM_SEEN, steady)
    else:
        _SEEN.pop(key, None)
    return found


async def still_open(db: AsyncSession, runtime: Runtime, room_id: int | None) -> MediaRoom | None:
    """An owner's room (a lesson's, a meeting's) if its server still has it. One its server
    forgot (Janus restarted) is closed here and None returned, for the owner to open a new one
    and tell its clients; 503 `media_unavailable` when the server does not answer."""
    room = await db.get(MediaRoom, room_id) if room_id else None
    if room is None or room.closed_at is not None:
        return None
    try:
        if await room_exists(runtime, room):
            return room
    except NoMediaServer:
        pass
    except JanusError as exc:
        if not unreachable(exc):
            raise
        raise Problem("media_unavailable", 503) from None
    await close_room(db, runtime, room)
    return None


async def status(runtime: Runtime, *, details: bool) -> MediaStatusOut:
    pool: MediaPool = runtime.media
    settings = runtime.settings
    servers = await pool.status() if pool.configured else []
    reason: Reason | None = None
    if not pool.configured:
        wants_local = settings.janus_run != "never"
        reason = "not_installed" if wants_local else "not_configured"
    elif not any(s.state == "up" for s in servers):
        reason = "starting" if any(s.state == "starting" for s in servers) else "down"
    return MediaStatusOut(
        available=reason is None,
        reason=reason,
        message=t(f"media_{reason}") if reason else None,
        turn=settings.turn_secret is not None and "turn" in settings.turn_urls,
        servers=[
            ServerOut(
                name=s.name,
                state=s.state,
                rooms=s.rooms,
                participants=s.participants,
                error=s.error,
            )
            for s in servers
        ]
        if details
        else [],
    )


def ice(settings: Settings, person: int) -> IceOut:
    found = turn.ice_servers(settings, person)
    has_turn = any("credential" in s for s in found)
    return IceOut(
        ice_servers=[IceServerOut(**s) for s in found],
        expires_in=settings.turn_ttl if has_turn else None,
    )
