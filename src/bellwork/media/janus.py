"""An async client for Janus's HTTP API and admin API (docs/media.md).

Only the backend talks to Janus: it creates and destroys VideoRoom rooms, lists, mutes (a hard
mute by `moderate`) and kicks participants, and ends a participant's PeerConnection through the
admin API (`hangup_webrtc`, the only way to force an unpublish). Later parts (lessons, meetings,
calls) attach a handle per browser and relay its SDP through `Handle.message`.

Why not a library from PyPI: `janus-client` drives media itself and needs aiortc and PyAV (a
media stack the control plane must not load), and `janus-api` keeps one global session, needs
RxPY and speaks WebSocket only. What Bellwork needs is a dozen JSON requests, so this module
uses httpx, which the project already has.

Two transports behind `Transport`'s interface (the Janus API is the same JSON over both):

- `Transport`, Janus's HTTP API: every request is answered in its HTTP response (plugin
  requests like `create` are synchronous); the events of a session (a participant's `joined`,
  its SDP answer) come by long polling `GET /janus/<session>`.
- `janus_ws.WebSocketTransport`, Janus's WebSocket API (the default where a server has one: the
  Janus Bellwork runs does): one connection per server carries every request, answer and
  event, so a request costs a frame each way instead of an HTTP request (and a class joining at
  once no longer keeps re-opening long polls). The admin API stays on HTTP (a few calls).

Either way a pending poll or an open socket does not keep a session alive (measured: Janus
1.1.2 ended one after its session_timeout with a poll open), so each session also sends a
keepalive every 25 s (Janus ends a session after 60 s without a request).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

log = logging.getLogger("bellwork.media")

VIDEOROOM = "janus.plugin.videoroom"
# Janus holds a long poll for 30 s before answering with a keepalive.
POLL_TIMEOUT = 45.0
# Seconds between a session's keepalives (Janus's session_timeout is 60 s).
KEEPALIVE = 25.0


# -- Errors -------------------------------------------------------------------------------------


class JanusError(Exception):
    """Janus answered with an error (`code` is Janus's or the plugin's error code)."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(f"{code}: {reason}")
        self.code = code
        self.reason = reason


class JanusUnreachable(JanusError):
    """Nothing (or not Janus) answered: the server is down or the URL is wrong."""

    def __init__(self, reason: str) -> None:
        super().__init__(0, reason)


class Unauthorized(JanusError):
    """403: a wrong admin secret (or API secret)."""


class NoSuchSession(JanusError):
    """458: the session expired (60 s without a request) or Janus restarted."""


class NoSuchHandle(JanusError):
    """459: the handle was detached or its session ended."""


class PluginError(JanusError):
    """A plugin refused a request (VideoRoom codes 421-437, 499)."""


class NoSuchRoom(PluginError):
    """426."""


class RoomExists(PluginError):
    """427."""


class NoSuchFeed(PluginError):
    """428: no such participant in the room."""


class PublishersFull(PluginError):
    """432: the room's publishers limit is reached."""


class RoomUnauthorized(PluginError):
    """433: a wrong room secret, pin or admin_key."""


_CORE_ERRORS: dict[int, type[JanusError]] = {
    403: Unauthorized,
    458: NoSuchSession,
    459: NoSuchHandle,
}
_PLUGIN_ERRORS: dict[int, type[PluginError]] = {
    426: NoSuchRoom,
    427: RoomExists,
    428: NoSuchFeed,
    432: PublishersFull,
    433: RoomUnauthorized,
}


def error_for(code: int, reason: str, *, plugin: bool = False) -> JanusError:
    """The typed error for a Janus (or, with `plugin`, a VideoRoom) error code."""
    if plugin:
        return _PLUGIN_ERRORS.get(code, PluginError)(code, reason)
    return _CORE_ERRORS.get(code, JanusError)(code, reason)


def _plugin_data(answer: Mapping[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = answer.get("plugindata", {}).get("data", {})
    if "error_code" in data or "error" in data:
        raise error_for(int(data.get("error_code", 499)), str(data.get("error")), plugin=True)
    return data


def transaction() -> str:
    return secrets.token_urlsafe(9)


# -- Transport ----------------------------------------------------------------------------------


class Transport:
    """Janus's HTTP API (and admin API) of one server: POSTs requests and checks the answers;
    a session's events come by a long poll per session (`follow`).

    What every transport offers: `send` (a request and its first answer: the result, or an
    `ack` of an asynchronous one), `follow`/`unfollow` (a session's events reach
    `Session.dispatch` while it lives), `info` and `close`."""

    def __init__(
        self,
        url: str,
        *,
        admin_url: str | None = None,
        admin_secret: str | None = None,
        timeout: float = 5.0,
    ) -> None:
        self.url = url.rstrip("/")
        self.admin_url = admin_url.rstrip("/") if admin_url else None
        self.admin_secret = admin_secret
        self.timeout = timeout
        self.http = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout), limits=httpx.Limits(max_connections=100)
        )

    async def close(self) -> None:
        await self.http.aclose()

    async def send(self, path: str, body: dict[str, Any], *, admin: bool = False) -> dict[str, Any]:
        """One request; the answer when it is not an error. `path` is where the request goes
        in Janus's HTTP API (`/<session>/<handle>`); the body's `transaction` is kept when it
        has one (its event is awaited by the caller), else one is made."""
        base = self.admin_url if admin else self.url
        if base is None:
            raise JanusUnreachable("no admin_url is configured for this Janus")
        body = {"transaction": transaction(), **body}
        if admin and self.admin_secret:
            body["admin_secret"] = self.admin_secret
        try:
            response = await self.http.post(base + path, json=body)
            answer = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise JanusUnreachable(f"{type(exc).__name__}: {exc}") from exc
        return _checked(answer)

    async def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        try:
            response = await self.http.get(
                self.url + path, params=params, timeout=POLL_TIMEOUT if params else self.timeout
            )
            return response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise JanusUnreachable(f"{type(exc).__name__}: {exc}") from exc

    async def info(self) -> dict[str, Any]:
        return _checked(await self.get("/info"))

    def follow(self, session: Session) -> asyncio.Task[None] | None:
        """Starts delivering the session's events (here: its long poll, a task)."""
        return asyncio.create_task(self.poll(session), name=f"janus-events-{session.id}")

    def unfollow(self, session: Session) -> None:
        """The session ended (its poll task is cancelled by the session)."""

    async def poll(self, session: Session) -> None:
        """Long polls the session's events. Ends (and marks the session closed) when Janus
        forgets it or stops answering."""
        failures = 0
        try:
            while True:
                try:
                    found = await self.get(f"/{session.id}", {"maxev": 10})
                    failures = 0
                except JanusUnreachable:
                    session.interruptions += 1
                    failures += 1
                    if failures >= 3:
                        log.info("janus session %s: the server stopped answering", session.id)
                        return
                    await asyncio.sleep(1.0)
                    continue
                for event in found if isinstance(found, list) else [found]:
                    if not session.dispatch(event):
                        return
        except asyncio.CancelledError:
            raise
        except Exception:  # a bug here must not pass silently: the session would expire
            log.exception("janus session %s: polling failed", session.id)
        finally:
            session._stop()


def _checked(answer: Any) -> dict[str, Any]:
    if not isinstance(answer, dict) or "janus" not in answer:
        raise JanusUnreachable("the answer is not a Janus message")
    if answer["janus"] == "error":
        error = answer.get("error", {})
        raise error_for(int(error.get("code", 490)), str(error.get("reason", "")))
    return answer


# -- Sessions and handles -----------------------------------------------------------------------


@dataclass(eq=False)
class Handle:
    """A plugin handle. `request` is for synchronous plugin requests (answered at once);
    `message` for asynchronous ones (joins, offers), answered by an event."""

    session: Session
    id: int
    plugin: str
    # Events of this handle that answer no request of ours (other participants joining, a
    # `hangup`, a `webrtcup`): later parts read them.
    events: asyncio.Queue[dict[str, Any]] = field(default_factory=asyncio.Queue)

    @property
    def path(self) -> str:
        return f"/{self.session.id}/{self.id}"

    async def request(self, body: dict[str, Any]) -> dict[str, Any]:
        """A synchronous plugin request; the plugin's answer (its error raised typed)."""
        answer = await self.session.transport.send(self.path, {"janus": "message", "body": body})
        return _plugin_data(answer)

    async def message(
        self, body: dict[str, Any], jsep: dict[str, Any] | None = None, within: float = 15.0
    ) -> tuple[dict[str, Any], dict[str, Any] | None]:
        """An asynchronous plugin request: (the plugin's answer, its JSEP if any)."""
        txn = transaction()
        waiter = self.session.expect(txn)
        request: dict[str, Any] = {"janus": "message", "body": body, "transaction": txn}
        if jsep is not None:
            request["jsep"] = jsep
        try:
            answer = await self.session.transport.send(self.path, request)
            if answer["janus"] != "ack":  # answered at once
                return _plugin_data(answer), answer.get("jsep")
            event = await asyncio.wait_for(waiter, within)
        finally:
            self.session.forget(txn)
        return _plugin_data(event), event.get("jsep")

    async def trickle(self, candidate: dict[str, Any] | None) -> None:
        """Passes a browser's ICE candidate on (None: gathering is complete)."""
        body = {"janus": "trickle", "candidate": candidate or {"completed": True}}
        await self.session.transport.send(self.path, body)

    async def detach(self) -> None:
        self.session.handles.pop(self.id, None)
        with contextlib.suppress(NoSuchSession, NoSuchHandle):
            await self.session.transport.send(self.path, {"janus": "detach"})


class Session:
    """A Janus session: a keepalive every `keepalive_every` seconds keeps it (a pending long
    poll or an open socket does not count: Janus ends a session after its session_timeout,
    60 s, without a request), and its transport brings its events (`dispatch`)."""

    def __init__(self, transport: Transport, session_id: int, keepalive_every: float) -> None:
        self.transport = transport
        self.id = session_id
        self.keepalive_every = keepalive_every
        self.handles: dict[int, Handle] = {}
        self._waiters: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.closed = asyncio.Event()
        # Times the server stopped answering the long poll (it may have restarted, and then
        # forgotten its rooms, before this session learns it is gone). Over a WebSocket the
        # session ends with its connection instead.
        self.interruptions = 0
        self._poller = transport.follow(self)
        self._keeper = asyncio.create_task(self._keep(), name=f"janus-keepalive-{session_id}")

    @classmethod
    async def create(cls, transport: Transport, keepalive_every: float = KEEPALIVE) -> Session:
        answer = await transport.send("", {"janus": "create"})
        return cls(transport, int(answer["data"]["id"]), keepalive_every)

    @property
    def alive(self) -> bool:
        return not self.closed.is_set()

    async def attach(self, plugin: str = VIDEOROOM) -> Handle:
        answer = await self.transport.send(f"/{self.id}", {"janus": "attach", "plugin": plugin})
        handle = Handle(self, int(answer["data"]["id"]), plugin)
        self.handles[handle.id] = handle
        return handle

    async def keepalive(self) -> None:
        await self.transport.send(f"/{self.id}", {"janus": "keepalive"})

    async def destroy(self) -> None:
        was_alive = self.alive
        self._stop()
        if was_alive:
            with contextlib.suppress(JanusError):
                await self.transport.send(f"/{self.id}", {"janus": "destroy"})

    def expect(self, txn: str) -> asyncio.Future[dict[str, Any]]:
        waiter: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiters[txn] = waiter
        return waiter

    def forget(self, txn: str) -> None:
        self._waiters.pop(txn, None)

    def _stop(self) -> None:
        if self.closed.is_set():
            return
        self.closed.set()
        self.transport.unfollow(self)
        if self._poller is not None:
            self._poller.cancel()
        self._keeper.cancel()
        for waiter in self._waiters.values():
            if not waiter.done():
                waiter.set_exception(NoSuchSession(458, "the session ended"))

    async def _keep(self) -> None:
        failures = 0
        while True:
            await asyncio.sleep(self.keepalive_every)
            try:
                await self.keepalive()
                failures = 0
            except NoSuchSession:
                log.info("janus session %s: expired or Janus restarted", self.id)
                self._stop()
                return
            except JanusError as exc:
                failures += 1
                if failures >= 3:
                    log.info("janus session %s: keepalive failed: %s", self.id, exc)
                    self._stop()
                    return

    def dispatch(self, event: Any) -> bool:
        """An event of this session from its transport: the answer a `Handle.message` awaits,
        or one of a handle's own events. False: the session is over."""
        if not isinstance(event, dict):
            return True
        kind = event.get("janus")
        if kind == "error":
            code = int(event.get("error", {}).get("code", 0))
            return code != 458  # 458: Janus forgot the session (restart, timeout)
        if kind == "timeout":  # over a WebSocket: Janus ended the session
            return False
        if kind == "keepalive":
            return True
        waiter = self._waiters.get(str(event.get("transaction", "")))
        if waiter is not None and not waiter.done() and kind == "event":
            waiter.set_result(event)
            return True
        handle = self.handles.get(int(event.get("sender", 0) or 0))
        if handle is not None:
            handle.events.put_nowait(event)
        return True


# -- The client Bellwork uses per server --------------------------------------------------------


@dataclass
class Participant:
    id: int
    display: str | None
    publisher: bool
    talking: bool | None


class JanusClient:
    """One Janus server as Bellwork uses it: a control session with a VideoRoom handle
    (opened on first use, opened again after Janus restarted), the VideoRoom's room requests
    and the admin API."""

    def __init__(
        self,
        url: str,
        *,
        ws_url: str | None = None,
        admin_url: str | None = None,
        admin_secret: str | None = None,
        admin_key: str | None = None,
        timeout: float = 5.0,
        keepalive_every: float = KEEPALIVE,
    ) -> None:
        """`url`: the server's HTTP API; `ws_url`: its WebSocket API, used instead when given
        (the admin API is HTTP either way)."""
        self.keepalive_every = keepalive_every
        self.transport: Transport
        if ws_url:
            from bellwork.media.janus_ws import WebSocketTransport  # it builds on this module

            self.transport = WebSocketTransport(
                url, ws_url, admin_url=admin_url, admin_secret=admin_secret, timeout=timeout
            )
        else:
            self.transport = Transport(
                url, admin_url=admin_url, admin_secret=admin_secret, timeout=timeout
            )
        self.admin_key = admin_key
        self._session: Session | None = None
        self._control: Handle | None = None
        self._lock = asyncio.Lock()

    @property
    def url(self) -> str:
        return self.transport.url

    @property
    def steady(self) -> tuple[Session, int] | None:
        """The control session while it lasts and the count of its interruptions: what was
        learnt about the server holds while this stays the same (Janus did not restart)."""
        s = self._session
        return (s, s.interruptions) if s is not None and s.alive else None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.destroy()
            self._session = None
        await self.transport.close()

    async def info(self) -> dict[str, Any]:
        """Janus's `info` (version, plugins, session timeout); needs no session."""
        return await self.transport.info()

    async def session(self) -> Session:
        """A new session for a caller of its own; the caller destroys it. One session holds
        any number of handles (each browser's), and its one long poll brings the events of all
        of them (`Handle.events`): open one per room or per app node, not one per browser,
        since over HTTP each session keeps a connection busy with its long poll."""
        return await Session.create(self.transport, self.keepalive_every)

    async def _handle(self) -> Handle:
        async with self._lock:
            if self._session is None or not self._session.alive or self._control is None:
                if self._session is not None:
                    await self._session.destroy()
                self._session = await Session.create(self.transport, self.keepalive_every)
                self._control = await self._session.attach(VIDEOROOM)
            return self._control

    async def attach(self) -> Handle:
        """A new VideoRoom handle on this node's one session with the server (the control
        handle's; opened again after Janus restarted), for one browser's part in a room
        (media/signalling.py). Its caller detaches it."""
        for attempt in (1, 2):
            control = await self._handle()
            try:
                return await control.session.attach(VIDEOROOM)
            except NoSuchSession:
                if attempt == 2:
                    raise
                control.session._stop()  # Janus restarted: a new session
        raise AssertionError("unreachable")

    async def videoroom(self, body: dict[str, Any]) -> dict[str, Any]:
        """A synchronous VideoRoom request on the control handle, once more on a new session
        when Janus forgot the old one (it restarted)."""
        for attempt in (1, 2):
            handle = await self._handle()
            try:
                return await handle.request(body)
            except (NoSuchSession, NoSuchHandle):
                if attempt == 2:
                    raise
                handle.session._stop()
        raise AssertionError("unreachable")

    # VideoRoom rooms

    async def create_room(
        self,
        room: int,
        *,
        secret: str,
        publishers: int,
        description: str = "",
        pin: str | None = None,
        rec_dir: str | None = None,
        record: bool = False,
        audiolevel_event: bool = True,
        extra: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """A private room that only `secret` edits, destroys, mutes and kicks in."""
        body: dict[str, Any] = {
            "request": "create",
            "room": room,
            "secret": secret,
            "publishers": publishers,
            "description": description[:100] or f"room {room}",
            "is_private": True,
            "permanent": False,
            "record": record,
            "audiolevel_event": audiolevel_event,
            "notify_joining": True,
            **(extra or {}),
        }
        if self.admin_key:
            body["admin_key"] = self.admin_key
        if pin:
            body["pin"] = pin
        if rec_dir:
            body["rec_dir"] = rec_dir
        return await self.videoroom(body)

    async def destroy_room(self, room: int, *, secret: str) -> None:
        await self.videoroom({"request": "destroy", "room": room, "secret": secret})

    async def room_exists(self, room: int) -> bool:
        data = await self.videoroom({"request": "exists", "room": room})
        return bool(data.get("exists"))

    async def list_rooms(self) -> list[dict[str, Any]]:
        """Every room, private ones included (with the admin_key)."""
        body: dict[str, Any] = {"request": "list"}
        if self.admin_key:
            body["admin_key"] = self.admin_key
        data = await self.videoroom(body)
        return list(data.get("list", []))

    async def list_participants(self, room: int) -> list[Participant]:
        data = await self.videoroom({"request": "listparticipants", "room": room})
        return [
            Participant(
                id=int(p["id"]),
                display=p.get("display"),
                publisher=bool(p.get("publisher")),
                talking=p.get("talking"),
            )
            for p in data.get("participants", [])
        ]

    async def moderate(
        self, room: int, participant: int, *, secret: str, mid: str, mute: bool
    ) -> None:
        """Mutes (or unmutes) one of a participant's streams in Janus itself: a hard mute,
        not a request to the participant's browser."""
        await self.videoroom(
            {
                "request": "moderate",
                "room": room,
                "secret": secret,
                "id": participant,
                "mid": mid,
                "mute": mute,
            }
        )

    async def kick(self, room: int, participant: int, *, secret: str) -> None:
        await self.videoroom({"request": "kick", "room": room, "secret": secret, "id": participant})

    # Admin API

    async def admin(self, request: str, path: str = "", **fields: Any) -> dict[str, Any]:
        return await self.transport.send(path, {"janus": request, **fields}, admin=True)

    async def hangup_webrtc(self, session_id: int, handle_id: int) -> None:
        """Ends a handle's PeerConnection (how a publisher is forced to stop publishing)."""
        await self.admin("hangup_webrtc", f"/{session_id}/{handle_id}")

    async def list_sessions(self) -> list[int]:
        return [int(s) for s in (await self.admin("list_sessions")).get("sessions", [])]
