"""The one WebSocket per client session: /api/v1/events. Protocol in docs/realtime.md.

It is plain ASGI, called by the app before FastAPI's stack (see `bellwork.app.BellworkApp`):
a socket lives for hours, and every wrapper whose frame stays suspended for that long (error
middleware, router, endpoint, Starlette's WebSocket object) costs memory on each of tens of
thousands of idle connections. What stays alive per socket is this handler's frame, its
`Connection` and the hub's index entries.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

import orjson
from pydantic import ValidationError
from starlette.requests import cookie_parser
from starlette.types import Receive, Scope, Send

from bellwork.auth import service as auth
from bellwork.core.errors import Problem
from bellwork.core.i18n import current_locale, pick_locale, t
from bellwork.db.session import unit_of_work, writing
from bellwork.realtime import frames as fr
from bellwork.realtime.hub import Connection, Hub
from bellwork.realtime.protocol import Protocol
from bellwork.runtime import Runtime

log = logging.getLogger("bellwork.realtime")
PATH = "/api/v1/events"
MAX_FRAME = 64 * 1024
# Handshakes identified at once (the rest wait, their sockets already accepted). A reconnect
# storm of 10,000 clients after a restart then neither exhausts the database pool (its waiters
# give up after 30 s) nor interleaves thousands of queries' garbage with the sockets'
# long-lived objects: admitting 4 at a time cut idle memory on SQLite from 29 to 23 KiB per
# socket at the same connection rate (docs/benchmarks-chat.md).
HANDSHAKES = 4
HANDSHAKE_SECONDS = 15.0  # waiting for a turn and identifying; past it: 1013, retry later
NOTE_SECONDS = 5.0  # the best-effort session renewal after the hello
CLOSE_BUSY = 1013  # "try again later" (RFC 6455)
CLOSE_UNAUTHORISED = 4401
CLOSE_FORBIDDEN = 4403


class Handshake:
    """What the upgrade request says about who is connecting."""

    def __init__(self, scope: Scope) -> None:
        headers: dict[str, str] = {}
        for name, value in scope["headers"]:
            headers[name.decode("latin-1")] = value.decode("latin-1")
        self.cookies = cookie_parser(headers.get("cookie", ""))
        self.origin = headers.get("origin")
        self.host = headers.get("host", "")
        self.language = self.cookies.get("bw_lang") or headers.get("accept-language")
        bearer = headers.get("authorization", "")
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        self.token = (
            bearer[7:].strip() if bearer.lower().startswith("bearer ") else query.get("token")
        )

    def origin_ok(self) -> bool:
        """Cookie-authenticated sockets must come from our own pages (no cross-site hijacking)."""
        if self.origin is None:
            return True  # not a browser
        return urlsplit(self.origin).netloc == self.host


@dataclass(eq=False)
class Sockets:
    """What the socket works with, built by the app's lifespan and passed explicitly."""

    runtime: Runtime
    hub: Hub
    protocol: Protocol
    # Handshakes identified at once (see HANDSHAKES).
    handshakes: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(HANDSHAKES))


async def _note_use(state: Sockets, who: auth.SocketIdentity) -> None:
    """Renews the session (at most every five minutes) like a request would; best effort: a
    busy database must not keep a socket from opening, and the next handshake tries again."""
    try:
        async with asyncio.timeout(NOTE_SECONDS):
            async with writing(state.runtime.sessionmaker, state.runtime.write_gate) as db:
                await auth.note_socket_use(db, who)
    except Exception as exc:
        log.warning("could not renew the session of a socket: %r", exc)


def _error(code: str, topic: str | None = None, **params: int | str) -> str:
    return fr.ErrorFrame(code=code, title=t(code, None, **params), topic=topic).model_dump_json()


async def events_socket(state: Sockets, scope: Scope, receive: Receive, send: Send) -> None:
    """Serves one socket from the upgrade to its end."""
    if (await receive())["type"] != "websocket.connect":
        return
    hs = Handshake(scope)
    current_locale.set(pick_locale(hs.language))
    await send({"type": "websocket.accept"})
    admitted = await _admit(state, hs, send)
    del hs
    if admitted is None:
        return
    conn, who = admitted
    del admitted
    hub = state.hub
    try:
        try:
            valid = await _still_valid(state, who)
        except TimeoutError:
            await conn.close(CLOSE_BUSY, "busy; retry")
            return
        if not valid:
            await conn.close(CLOSE_UNAUTHORISED, "session ended")
            return
        conn.push(
            fr.Hello(person_id=conn.person_id, connection_id=secrets.token_hex(6)).model_dump_json()
        )
        if who.stale_session_id is not None or who.stale_token_id is not None:
            await _note_use(state, who)
        del who
        await _read_loop(state, receive, conn)
    finally:
        await hub.unregister(conn)


async def _still_valid(state: Sockets, who: auth.SocketIdentity) -> bool:
    """The credential checked again, in a transaction of its own (a fresh snapshot on SQLite
    too), after the socket is registered: see `auth.credential_alive`."""
    async with asyncio.timeout(HANDSHAKE_SECONDS), unit_of_work(state.runtime.sessionmaker) as db:
        return await auth.credential_alive(db, who)


async def _admit(
    state: Sockets, hs: Handshake, send: Send
) -> tuple[Connection, auth.SocketIdentity] | None:
    """Identifies the person and registers the socket with the hub, or closes it (refused:
    4401/4403; no turn within HANDSHAKE_SECONDS: 1013) and returns None. A function of its own
    so that nothing it touched (the session, the handshake) stays alive with the socket."""
    hub = state.hub
    conn: Connection | None = None
    try:
        async with (
            asyncio.timeout(HANDSHAKE_SECONDS),
            state.handshakes,
            unit_of_work(state.runtime.sessionmaker) as db,
        ):
            cookie = hs.cookies.get(auth.SESSION_COOKIE) if hs.origin_ok() else None
            who = await auth.identify_socket(db, session_secret=cookie, token=hs.token)
            if who is None or who.must_change_password:
                forbidden = who is not None
                await send(
                    {
                        "type": "websocket.close",
                        "code": CLOSE_FORBIDDEN if forbidden else CLOSE_UNAUTHORISED,
                        "reason": "password change required" if forbidden else "not authenticated",
                    }
                )
                return None
            # Registered before its conversations are read (in the same short transaction):
            # what is published meanwhile (a new group, an added member) reaches it by person.
            conn = Connection(send, who.person_id, who.credential)
            hub.register(conn)
            hub.subscribe(conn, await state.protocol.initial_topics(db, who.person_id))
    except BaseException as exc:
        if conn is not None:
            await hub.unregister(conn)
        if isinstance(exc, TimeoutError):
            await send({"type": "websocket.close", "code": CLOSE_BUSY, "reason": "busy; retry"})
            return None
        raise
    return conn, who


async def _read_loop(state: Sockets, receive: Receive, conn: Connection) -> None:
    while True:
        message = await receive()
        if message["type"] != "websocket.receive":
            return  # websocket.disconnect
        text = message.get("text")
        if text is None:
            data = message.get("bytes") or b""
            try:
                text = data.decode()
            except UnicodeDecodeError:
                conn.push(_error("bad_frame"))
                continue
        if len(text) > MAX_FRAME:
            conn.push(_error("frame_too_large", limit=MAX_FRAME))
            await asyncio.sleep(0)
            await conn.close(1009, "frame too large")
            return
        protocol = state.protocol
        try:
            frame = protocol.client.validate_python(orjson.loads(text))
        except orjson.JSONDecodeError:
            conn.push(_error("bad_frame"))
            continue
        except ValidationError as exc:
            kinds = {e["type"] for e in exc.errors()}
            conn.push(
                _error(
                    "unknown_type"
                    if "union_tag_invalid" in kinds or "union_tag_not_found" in kinds
                    else "bad_frame"
                )
            )
            continue
        if isinstance(frame, fr.ClientPing):
            conn.push(fr.Pong().model_dump_json())
        elif isinstance(frame, fr.ClientSubscribe):
            await _subscribe(state, protocol, conn, frame.topics)
        elif isinstance(frame, fr.ClientUnsubscribe):
            hub = state.hub
            hub.unsubscribe(conn, frame.topics)
            conn.push(fr.Unsubscribed(topics=frame.topics).model_dump_json())
        else:
            try:
                async with writing(state.runtime.sessionmaker, state.runtime.write_gate) as db:
                    await protocol.actions[type(frame)](db, conn.person_id, frame)
            except Problem as exc:
                conn.push(
                    fr.ErrorFrame(code=exc.code, title=exc.to_dict()["title"]).model_dump_json()
                )


async def _subscribe(
    state: Sockets, protocol: Protocol, conn: Connection, names: list[str]
) -> None:
    """Subscribes the socket to the topics its person may receive (each checked by the domain
    that owns it); every other one gets `topic_refused`, the same for a topic that does not
    exist and one that is not theirs."""
    granted: list[str] = []
    async with unit_of_work(state.runtime.sessionmaker) as db:
        for name in dict.fromkeys(names):
            found = await protocol.may_subscribe(db, conn.person_id, name)
            if found is None:
                conn.push(_error("topic_refused", topic=name))
            else:
                granted.append(found)
    hub = state.hub
    hub.subscribe(conn, granted)
    conn.push(fr.Subscribed(topics=granted).model_dump_json())
