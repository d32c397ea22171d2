"""This node's WebSocket connections and the delivery of bus payloads to them.

Each connection has a bounded outgoing queue drained by a task of its own, so a client that
does not read its socket never slows the others: when its queue is full the server closes it
(code 4008) and the client resyncs from its sequence numbers on reconnect.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections import deque
from collections.abc import Awaitable, Callable, Collection, Coroutine, Iterable
from typing import Any, cast

import orjson

from bellwork.realtime import wire

log = logging.getLogger("bellwork.realtime")
PERSON_PREFIX = "person:"
# An ASGI server's `send` (a coroutine function in uvicorn, as in every ASGI server we know).
Send = Callable[[dict[str, Any]], Awaitable[None]]
QUEUE_LIMIT = 2000
CLOSE_SLOW = 4008
CLOSE_ENDED = 4401  # its session ended, its token was revoked, or its account deactivated


class Connection:
    """One socket.

    A frame for a socket that can take it is written at once, inside `push`: the send
    coroutine is stepped by hand and, as a writable socket never makes it wait, it finishes
    there. Only when the socket's buffer is full does the coroutine wait; a task then finishes
    it and drains the frames queued behind it (bounded). So a fan-out to 1,000 sockets is one
    pass, not 1,000 tasks interleaved with every other request on the event loop, and an idle
    connection holds no task.
    """

    __slots__ = ("closed", "credential", "direct", "draining", "pending", "person_id", "send")

    def __init__(self, send: Send, person_id: int, credential: int = 0) -> None:
        self.send = send  # the socket's ASGI `send`
        # uvicorn's protocol, to write frames encoded once for every recipient (realtime/wire.py)
        self.direct = wire.direct_writer(send)
        self.person_id = person_id
        # What it was opened with: a web session's id, or minus an API token's id.
        self.credential = credential
        self.pending: deque[str] | None = None  # only while a send waits (a deque is ~600 B)
        self.closed = False
        self.draining: asyncio.Task[None] | None = None

    def push(self, frame: str, encoded: bytes | None = None) -> bool:
        """Sends `frame` (its WebSocket encoding `encoded`, if the caller made it once for many
        sockets); False if this socket is closed or was just closed for being too slow."""
        if self.closed:
            return False
        if encoded is not None and self.draining is None:
            direct = self.direct
            if direct is not None and wire.write(direct, encoded):
                return True
        if self.draining is not None:
            pending = self.pending
            if pending is None:
                pending = self.pending = deque()
            if len(pending) >= QUEUE_LIMIT:
                self.closed = True
                self.pending = None
                asyncio.get_running_loop().create_task(self._close_slow())
                return False
            pending.append(frame)
            return True
        coro = cast(Coroutine[Any, Any, None], self.send({"type": "websocket.send", "text": frame}))
        try:
            waiting_on = coro.send(None)
        except StopIteration:
            return True
        except Exception:
            self.closed = True
            return False
        self.draining = asyncio.get_running_loop().create_task(self._finish(coro, waiting_on))
        return True

    async def _finish(self, coro: Coroutine[Any, Any, None], waiting_on: Any) -> None:
        """Resumes a send that had to wait, then sends what queued up behind it.

        It drives the coroutine the way an asyncio Task would: wait for the future it yielded,
        then step it again, until it returns."""
        loop = asyncio.get_running_loop()
        try:
            while True:
                waiting_on._asyncio_future_blocking = False
                wake: asyncio.Future[None] = loop.create_future()
                waiting_on.add_done_callback(
                    lambda _f, w=wake: None if w.done() else w.set_result(None)
                )
                try:
                    await wake
                except asyncio.CancelledError:
                    coro.close()
                    raise
                waiting_on = coro.send(None)
        except StopIteration:
            pass
        except Exception:
            self.closed = True
            self.draining = None
            return
        try:
            while self.pending:
                await self.send({"type": "websocket.send", "text": self.pending.popleft()})
        except Exception:
            self.closed = True
        finally:
            self.pending = None
            self.draining = None

    async def close(self, code: int, reason: str) -> None:
        with contextlib.suppress(Exception):
            await self.send({"type": "websocket.close", "code": code, "reason": reason})

    async def _close_slow(self) -> None:
        await self.close(CLOSE_SLOW, "too slow; resync")


def _end(conns: list[Connection]) -> int:
    """Closes these sockets with 4401 (their session or token is gone); nothing more is pushed
    to them. Returns how many were still open."""
    ended = 0
    for conn in conns:
        if not conn.closed:
            conn.closed = True
            asyncio.get_running_loop().create_task(conn.close(CLOSE_ENDED, "session ended"))
            ended += 1
    return ended


class Hub:
    """This node's sockets by person and by topic.

    A person's sockets are their topic `person:<id>` (kept as `by_person`: every socket has
    one); other topics are subscribed as domains and clients ask. Delivering to one topic is a
    pass over its set of sockets: nothing is built per recipient, so a topic with 8,000
    subscribers costs the pushes and nothing more.
    """

    def __init__(self) -> None:
        self.by_person: dict[int, set[Connection]] = {}
        self.by_topic: dict[str, set[Connection]] = {}
        self.topics_of: dict[Connection, set[str]] = {}
        self.delivered = 0

    @property
    def connection_count(self) -> int:
        return len(self.topics_of)

    def register(self, conn: Connection) -> None:
        self.by_person.setdefault(conn.person_id, set()).add(conn)
        self.topics_of[conn] = set()

    def subscribe(self, conn: Connection, topics: Iterable[str]) -> None:
        mine = self.topics_of.get(conn)
        if mine is None:
            return
        for name in topics:
            if name.startswith(PERSON_PREFIX):
                continue  # a person's own topic is by_person
            name = sys.intern(name)
            self.by_topic.setdefault(name, set()).add(conn)
            mine.add(name)

    def unsubscribe(self, conn: Connection, topics: Iterable[str]) -> None:
        mine = self.topics_of.get(conn)
        if mine is None:
            return
        for name in topics:
            mine.discard(name)
            subs = self.by_topic.get(name)
            if subs is not None:
                subs.discard(conn)
                if not subs:
                    del self.by_topic[name]

    def subscribed(self, conn: Connection) -> list[str]:
        return sorted(self.topics_of.get(conn, ()))

    async def unregister(self, conn: Connection) -> None:
        conn.closed = True
        self.unsubscribe(conn, list(self.topics_of.get(conn, ())))
        self.topics_of.pop(conn, None)
        mine = self.by_person.get(conn.person_id)
        if mine is not None:
            mine.discard(conn)
            if not mine:
                del self.by_person[conn.person_id]
        task = conn.draining
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    def _person_conns(self, ids: Iterable[int]) -> list[Connection]:
        out: list[Connection] = []
        for pid in ids:
            out.extend(self.by_person.get(pid, ()))
        return out

    def _subscribers(self, name: str) -> Collection[Connection]:
        if name.startswith(PERSON_PREFIX):
            return self.by_person.get(int(name[len(PERSON_PREFIX) :]), ())
        return self.by_topic.get(name, ())

    def credentials(self) -> set[int]:
        """The credentials of this node's open sockets."""
        return {conn.credential for conn in self.topics_of if not conn.closed}

    def end_credentials(self, dead: set[int]) -> int:
        """Closes (4401) this node's sockets opened with any of these credentials."""
        return _end([conn for conn in self.topics_of if conn.credential in dead])

    def end(self, person_id: int, kind: str, ids: list[int] | None) -> int:
        """Closes the person's sockets opened with these credentials (see
        `outbox.end_sockets`) with 4401; returns how many."""
        wanted = set(ids) if ids is not None else None

        def match(cred: int) -> bool:
            if kind == "s":
                return cred > 0 and (wanted is None or cred in wanted)
            if kind == "t":
                return cred < 0 and (wanted is None or -cred in wanted)
            return True

        return _end([c for c in self.by_person.get(person_id, ()) if match(c.credential)])

    async def handle(self, payload: bytes) -> None:
        """Applies one bus payload (`outbox.envelope`): joins first, then delivery to its
        topics (less the excluded people), then leaves."""
        env: dict[str, Any] = orjson.loads(payload)
        end = env.get("x")
        if end is not None:
            self.end(int(end[0]), str(end[1]), end[2])
            return
        frame: str = env["e"]
        for name, people in env.get("j", ()):
            for conn in self._person_conns(people):
                self.subscribe(conn, (name,))
        topics: list[str] = env.get("t", [])
        excluded = env.get("n")
        targets: Collection[Connection]
        if len(topics) == 1 and not excluded:
            targets = self._subscribers(topics[0])
        else:
            targets = set()
            for name in topics:
                targets.update(self._subscribers(name))
            if excluded:
                targets.difference_update(self._person_conns(excluded))
        # Encoded once for all of them when there are several (realtime/wire.py).
        encoded = wire.text_frame(frame.encode()) if len(targets) > 1 else None
        delivered = 0
        for conn in targets:
            if conn.push(frame, encoded):
                delivered += 1
        self.delivered += delivered
        for name, people in env.get("l", ()):
            for conn in self._person_conns(people):
                self.unsubscribe(conn, (name,))
