"""Signalling for browsers through Bellwork (docs/media.md, "Signalling"): the backend is the
only thing that talks to Janus, so a browser's SDP goes to Bellwork and Bellwork relays it.

- To publish, the browser POSTs its offer (ICE gathering complete: non-trickle) to the owning
  domain (a lesson); `publish` attaches a VideoRoom handle, joins the room as a publisher with
  that offer and returns Janus's answer (with Janus's candidates in it) and the feed's id.
- To watch a feed, `subscribe` joins as a subscriber to it and returns Janus's offer; the
  browser answers and `start` sends its answer to Janus.

Handles are attached to this app node's one session with each Janus server (the client's
control session: each session holds an HTTP long poll, so not one per browser) and kept here
under a key the domain chooses for a person's part (`lesson:7:42:pub`, `lesson:7:42:sub:99`);
`drop` detaches them when the person leaves. Permission checks are the domain's: nothing here
asks who may publish or watch. Janus does not tell subscribers when a publisher leaves; the
domain tells its clients over its own topic.
"""

from __future__ import annotations

import contextlib
import weakref
from dataclasses import dataclass
from typing import Any

from bellwork.media.janus import Handle, JanusError
from bellwork.media.models import MediaRoom
from bellwork.media.pool import MediaPool
from bellwork.runtime import Runtime


@dataclass(frozen=True)
class Watching:
    """What a domain's watch (or its answer, or unwatch) needs from Janus once its database
    part is done (`subscribe`: room and feed; `start`, `drop`: the key), so that the request
    gives its database connection back before it waits (db.session.done_with_database)."""

    runtime: Runtime
    room: MediaRoom | None
    key: str
    feed: int | None


class NoAnswer(JanusError):
    """Janus accepted a request that should carry SDP but sent none back."""

    def __init__(self, what: str) -> None:
        super().__init__(0, f"Janus sent no {what}")


_HANDLES: weakref.WeakKeyDictionary[MediaPool, dict[str, Handle]] = weakref.WeakKeyDictionary()


def _handles(runtime: Runtime) -> dict[str, Handle]:
    found = _HANDLES.get(runtime.media)
    if found is None:
        found = _HANDLES[runtime.media] = {}
    return found


def _sdp(jsep: dict[str, Any]) -> dict[str, Any]:
    return {"type": str(jsep["type"]), "sdp": str(jsep["sdp"]), "trickle": False}


async def _attach(runtime: Runtime, room: MediaRoom, key: str) -> Handle:
    await drop(runtime, key)
    handle = await runtime.media.client(room.server).attach()
    _handles(runtime)[key] = handle
    return handle


def _room(room: MediaRoom, body: dict[str, Any]) -> dict[str, Any]:
    body["room"] = room.janus_room
    if room.pin:
        body["pin"] = room.pin
    return body


async def publish(
    runtime: Runtime, room: MediaRoom, key: str, *, display: str, offer: dict[str, Any]
) -> tuple[int, dict[str, Any]]:
    """Joins `room` as a publisher with the browser's offer: (the feed's id, Janus's answer).
    A handle kept under `key` before is detached first (a republish replaces the feed)."""
    handle = await _attach(runtime, room, key)
    try:
        body = _room(room, {"request": "joinandconfigure", "ptype": "publisher"})
        body["display"] = display[:100]
        data, answer = await handle.message(body, _sdp(offer))
        if answer is None:
            raise NoAnswer("answer")
    except BaseException:
        await drop(runtime, key)
        raise
    return int(data["id"]), answer


async def subscribe(runtime: Runtime, room: MediaRoom, key: str, feed: int) -> dict[str, Any]:
    """Joins `room` as a subscriber to every stream of `feed`: Janus's offer."""
    handle = await _attach(runtime, room, key)
    try:
        body = _room(room, {"request": "join", "ptype": "subscriber"})
        body["streams"] = [{"feed": feed}]
        _, offer = await handle.message(body)
        if offer is None:
            raise NoAnswer("offer")
    except BaseException:
        await drop(runtime, key)
        raise
    return offer


async def start(runtime: Runtime, key: str, answer: dict[str, Any]) -> bool:
    """Sends the browser's answer for the subscription kept under `key`; False when there is
    none on this node (it was dropped, or was made by another node)."""
    handle = _handles(runtime).get(key)
    if handle is None:
        return False
    await handle.message({"request": "start"}, _sdp(answer))
    return True


def holds(runtime: Runtime, key: str) -> bool:
    return key in _handles(runtime)


def handle(runtime: Runtime, key: str) -> Handle | None:
    """The handle kept under `key` on this node, for a domain that reads its events (a
    meeting's talking events, `Handle.events`)."""
    return _handles(runtime).get(key)


async def drop(runtime: Runtime, key: str) -> None:
    """Detaches the handle kept under `key` (its PeerConnection ends), if any."""
    handle = _handles(runtime).pop(key, None)
    if handle is not None:
        # Janus is gone or forgot the session: the handle is gone with it.
        with contextlib.suppress(JanusError):
            await handle.detach()


async def drop_prefix(runtime: Runtime, prefix: str) -> int:
    """Detaches every handle whose key starts with `prefix` (a person leaving, a room
    closing); how many."""
    keys = [k for k in _handles(runtime) if k.startswith(prefix)]
    for key in keys:
        await drop(runtime, key)
    return len(keys)
