from __future__ import annotations

import asyncio
import contextlib
import logging

import redis.asyncio as aioredis

from bellwork.bus import Handler

CHANNEL = "bellwork:events"
log = logging.getLogger("bellwork.bus")


class RedisBus:
    """Redis pub/sub: every node publishes once and receives every payload, its own included.

    Pub/sub may drop messages while a node is disconnected; clients recover from the database
    by sequence number, so a lost payload delays an update but loses nothing.
    """

    def __init__(self, url: str, channel: str = CHANNEL) -> None:
        self._url = url
        self._channel = channel
        self._redis = aioredis.from_url(url, socket_connect_timeout=2)
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    async def start(self, handler: Handler) -> None:
        self._task = asyncio.create_task(self._listen(handler))
        await asyncio.wait_for(self._ready.wait(), timeout=10)

    async def _listen(self, handler: Handler) -> None:
        while True:
            try:
                pubsub = self._redis.pubsub()
                await pubsub.subscribe(self._channel)
                self._ready.set()
                async for msg in pubsub.listen():
                    if msg.get("type") != "message":
                        continue
                    try:
                        await handler(msg["data"])
                    except Exception:
                        log.exception("event handler failed")
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("redis bus connection lost; reconnecting")
                await asyncio.sleep(1)

    async def publish(self, payload: bytes) -> None:
        await self._redis.publish(self._channel, payload)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        await self._redis.aclose()
