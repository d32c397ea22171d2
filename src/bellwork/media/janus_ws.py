"""Janus's WebSocket API as a `Transport` (media/janus.py): one connection per server carries
every request of every session, their answers and their events (docs/media.md, "Talking to
Janus").

Why: over HTTP each request is an HTTP request through httpx and each session holds a long
poll that is answered and re-opened for every event; a class of 500 joining at once made about
2,000 requests and as many poll round trips in a few seconds (bench/lessons_join.py). Here a
request is one text frame out and its answer one frame back, matched by `transaction`.

- The connection opens on the first request (and again on the first request after it closed)
  with the subprotocol `janus-protocol`, which Janus requires.
- A request's first answer (`success`, `ack`, `error`, `server_info`) resolves its `send`;
  an asynchronous plugin request's `event` (same transaction) and every other event of a
  session go to that session (`Session.dispatch`), found by `session_id`.
- Janus ends the sessions of a connection that closes (its `reclaim_session_timeout` is 0):
  when the connection closes, Janus restarted or went away, so every session on it ends here
  too and what waits on it fails. `JanusClient` opens a new session on its next request, and
  what Bellwork learnt about the server (`JanusClient.steady`) is learnt again — how a Janus
  restart is noticed, as the HTTP transport notices it by its long poll failing.
- The admin API stays on HTTP (the base class): a few rare calls.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import orjson
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI
from websockets.typing import Subprotocol

from bellwork.media.janus import JanusUnreachable, Session, Transport, _checked, transaction

log = logging.getLogger("bellwork.media")

PROTOCOL = Subprotocol("janus-protocol")
# A room list of a busy server can be large; SDP is a few kB.
MAX_MESSAGE = 16 * 1024 * 1024
# Answers that end a request; an `event` with the request's transaction goes to its session.
FIRST_ANSWERS = {"success", "ack", "error", "server_info"}


class WebSocketTransport(Transport):
    def __init__(
        self,
        url: str,
        ws_url: str,
        *,
        admin_url: str | None = None,
        admin_secret: str | None = None,
        timeout: float = 5.0,
    ) -> None:
        super().__init__(url, admin_url=admin_url, admin_secret=admin_secret, timeout=timeout)
        self.ws_url = ws_url
        self._ws: ClientConnection | None = None
        self._reader: asyncio.Task[None] | None = None
        self._opening = asyncio.Lock()
        self._pending: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._sessions: dict[int, Session] = {}

    async def close(self) -> None:
        ws, self._ws = self._ws, None
        if ws is not None:
            with contextlib.suppress(Exception):
                await ws.close()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        await super().close()

    async def _connection(self) -> ClientConnection:
        ws = self._ws
        if ws is not None:
            return ws
        async with self._opening:
            if self._ws is not None:
                return self._ws
            try:
                ws = await connect(
                    self.ws_url,
                    subprotocols=[PROTOCOL],
                    compression=None,
                    max_size=MAX_MESSAGE,
                    open_timeout=self.timeout,
                )
            except (OSError, TimeoutError, InvalidHandshake, InvalidURI) as exc:
                raise JanusUnreachable(f"{type(exc).__name__}: {exc}") from exc
            self._ws = ws
            self._reader = asyncio.create_task(self._read(ws), name=f"janus-ws-{self.ws_url}")
            return ws

    async def send(self, path: str, body: dict[str, Any], *, admin: bool = False) -> dict[str, Any]:
        """As over HTTP; `path`'s ids (`/<session>/<handle>`) go as `session_id` and
        `handle_id`."""
        if admin:
            return await super().send(path, body, admin=True)
        body = {"transaction": transaction(), **body}
        ids = path.strip("/").split("/") if path.strip("/") else []
        if ids:
            body["session_id"] = int(ids[0])
        if len(ids) > 1:
            body["handle_id"] = int(ids[1])
        txn = str(body["transaction"])
        ws = await self._connection()
        answer: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[txn] = answer
        try:
            await ws.send(orjson.dumps(body).decode())
            return _checked(await asyncio.wait_for(answer, self.timeout))
        except ConnectionClosed as exc:
            raise JanusUnreachable(f"the connection to Janus closed: {exc}") from exc
        except TimeoutError as exc:
            raise JanusUnreachable(f"no answer within {self.timeout:g} s") from exc
        finally:
            self._pending.pop(txn, None)
            if answer.done() and not answer.cancelled():
                answer.exception()  # failed by `_closed` while the send itself failed: seen

    async def info(self) -> dict[str, Any]:
        return await self.send("", {"janus": "info"})

    def follow(self, session: Session) -> asyncio.Task[None] | None:
        self._sessions[session.id] = session
        return None

    def unfollow(self, session: Session) -> None:
        if self._sessions.get(session.id) is session:
            del self._sessions[session.id]

    async def _read(self, ws: ClientConnection) -> None:
        try:
            async for raw in ws:
                try:
                    message = orjson.loads(raw)
                except orjson.JSONDecodeError:
                    continue
                if isinstance(message, dict):
                    self._route(message)
        except ConnectionClosed:
            pass
        except Exception:  # a bug here must not pass silently: every request would time out
            log.exception("janus %s: reading the WebSocket failed", self.ws_url)
        finally:
            await self._closed(ws)

    def _route(self, message: dict[str, Any]) -> None:
        kind = message.get("janus")
        waiter = self._pending.get(str(message.get("transaction", "")))
        if waiter is not None and kind in FIRST_ANSWERS:
            if not waiter.done():
                waiter.set_result(message)
            return
        session = self._sessions.get(int(message.get("session_id", 0) or 0))
        if session is not None and not session.dispatch(message):
            session._stop()

    async def _closed(self, ws: ClientConnection) -> None:
        """The connection closed: Janus ended every session on it (or is gone)."""
        if self._ws is ws:
            self._ws = None
        gone = JanusUnreachable("the connection to Janus closed")
        for waiter in list(self._pending.values()):
            if not waiter.done():
                waiter.set_exception(gone)
        sessions = list(self._sessions.values())
        if sessions:
            log.info("janus %s: the connection closed, %d sessions end", self.ws_url, len(sessions))
        for session in sessions:
            session.interruptions += 1
            session._stop()
        with contextlib.suppress(Exception):
            await ws.close()
