"""The hub's per-connection sending: immediate writes, a paused socket, overflow, cancellation."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bellwork.realtime import hub as hubmod
from bellwork.realtime.hub import CLOSE_SLOW, Connection, Hub


class FakeSocket:
    """Like uvicorn's ASGI `send`: it waits only while the transport is paused (writable
    cleared)."""

    def __init__(self) -> None:
        self.writable = asyncio.Event()
        self.writable.set()
        self.sent: list[str] = []
        self.closed_with: int | None = None

    async def send(self, message: dict[str, Any]) -> None:
        if message["type"] == "websocket.close":
            self.closed_with = message["code"]
            return
        await self.writable.wait()
        self.sent.append(message["text"])


async def test_writable_socket_is_written_at_once_without_a_task() -> None:
    ws = FakeSocket()
    c = Connection(ws.send, 1)
    for i in range(3):
        assert c.push(f"m{i}")
    assert ws.sent == ["m0", "m1", "m2"]  # synchronously, inside push
    assert c.draining is None


async def test_paused_socket_resumes_in_order() -> None:
    ws = FakeSocket()
    c = Connection(ws.send, 1)
    c.push("a")
    ws.writable.clear()
    for f in ("b", "c", "d"):
        assert c.push(f)
    await asyncio.sleep(0)
    assert ws.sent == ["a"] and c.draining is not None
    ws.writable.set()
    for _ in range(5):
        await asyncio.sleep(0)
    assert ws.sent == ["a", "b", "c", "d"]
    assert c.draining is None and not c.closed
    c.push("e")
    assert ws.sent[-1] == "e"


async def test_overflow_closes_the_slow_client(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hubmod, "QUEUE_LIMIT", 3)
    ws = FakeSocket()
    ws.writable.clear()
    c = Connection(ws.send, 1)
    results = [c.push(f"m{i}") for i in range(6)]
    assert results == [True, True, True, True, False, False]
    await asyncio.sleep(0)
    assert c.closed and ws.closed_with == CLOSE_SLOW
    assert not c.pending  # memory released at once


async def test_unregister_cancels_a_stuck_send() -> None:
    hub = Hub()
    ws = FakeSocket()
    ws.writable.clear()
    c = Connection(ws.send, 7)
    hub.register(c)
    hub.subscribe(c, {1})
    c.push("x")
    task = c.draining
    assert task is not None
    await hub.unregister(c)
    assert task.cancelled() or task.done()
    assert hub.by_person == {} and hub.by_conv == {}
