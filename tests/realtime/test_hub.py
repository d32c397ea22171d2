"""The hub: per-connection sending (immediate writes, a paused socket, overflow, cancellation)
and delivery by topic (person topics, domain topics, joins and leaves, exclusions)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from pydantic import BaseModel

from bellwork.realtime import hub as hubmod
from bellwork.realtime.hub import CLOSE_SLOW, Connection, Hub
from bellwork.realtime.outbox import envelope


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
    hub.subscribe(c, {"conv:1"})
    c.push("x")
    task = c.draining
    assert task is not None
    await hub.unregister(c)
    assert task.cancelled() or task.done()
    assert hub.by_person == {} and hub.by_topic == {} and hub.topics_of == {}


class Note(BaseModel):
    type: str = "note"
    n: int = 0


def sockets(hub: Hub, *people: int) -> dict[int, FakeSocket]:
    out = {}
    for pid in people:
        ws = FakeSocket()
        hub.register(Connection(ws.send, pid))
        out[pid] = ws
    return out


def conn_of(hub: Hub, pid: int) -> Connection:
    return next(iter(hub.by_person[pid]))


async def test_a_topic_reaches_its_subscribers_and_nobody_else() -> None:
    hub = Hub()
    ws = sockets(hub, 1, 2, 3)
    hub.subscribe(conn_of(hub, 1), ["unit:7"])
    hub.subscribe(conn_of(hub, 2), ["unit:7", "conv:9"])
    await hub.handle(envelope(Note(n=1), ["unit:7"]))
    assert [len(ws[p].sent) for p in (1, 2, 3)] == [1, 1, 0]
    # A socket subscribed to two topics of one event gets it once.
    await hub.handle(envelope(Note(n=2), ["unit:7", "conv:9", "person:2"]))
    assert [len(ws[p].sent) for p in (1, 2, 3)] == [2, 2, 0]
    await hub.handle(envelope(Note(n=3), ["person:3"]))
    assert ws[3].sent == ['{"type":"note","n":3}']
    assert hub.delivered == 5


async def test_joins_before_delivery_leaves_after_and_exclusions() -> None:
    hub = Hub()
    ws = sockets(hub, 1, 2, 3)
    for p in (1, 2):
        hub.subscribe(conn_of(hub, p), ["conv:5"])
    # 3 joins conv:5 and hears about it; 2 leaves after hearing; 1 gets another one.
    payload = envelope(
        Note(n=1), ["conv:5"], join=[("conv:5", [3])], leave=[("conv:5", [2])], exclude=[1]
    )
    await hub.handle(payload)
    assert [len(ws[p].sent) for p in (1, 2, 3)] == [0, 1, 1]
    await hub.handle(envelope(Note(n=2), ["conv:5"]))
    assert [len(ws[p].sent) for p in (1, 2, 3)] == [1, 1, 2]
    assert set(hub.by_topic["conv:5"]) == {conn_of(hub, 1), conn_of(hub, 3)}


async def test_unsubscribe_and_unregister_forget_topics() -> None:
    hub = Hub()
    sockets(hub, 1)
    c = conn_of(hub, 1)
    hub.subscribe(c, ["unit:1", "unit:2", "person:1"])  # a person topic needs no entry
    assert hub.subscribed(c) == ["unit:1", "unit:2"]
    hub.unsubscribe(c, ["unit:1"])
    assert "unit:1" not in hub.by_topic and hub.subscribed(c) == ["unit:2"]
    await hub.unregister(c)
    assert hub.by_topic == {} and hub.by_person == {}


def test_one_payload_for_a_whole_audience() -> None:
    """An event to a unit of 8,000 names the topic, not the people."""
    payload = envelope(Note(), ["unit:42"])
    assert len(payload) < 80
