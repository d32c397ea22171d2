"""The event bus: how an app node tells every node (itself included) that something changed.

`memory` (default) delivers within the process; `redis` (BELLWORK_REDIS_URL) publishes to a Redis
channel that every node subscribes to. Payloads are bytes; the realtime hub gives them meaning.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

Handler = Callable[[bytes], Awaitable[None]]


class Bus(Protocol):
    async def start(self, handler: Handler) -> None: ...

    async def publish(self, payload: bytes) -> None: ...

    async def close(self) -> None: ...


def make_bus(redis_url: str | None, channel: str = "bellwork:events") -> Bus:
    if redis_url:
        from bellwork.bus.redis import RedisBus

        return RedisBus(redis_url, channel)
    from bellwork.bus.memory import MemoryBus

    return MemoryBus()
