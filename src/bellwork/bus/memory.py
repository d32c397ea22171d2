from __future__ import annotations

import asyncio
import contextlib
import logging

from bellwork.bus import Handler

log = logging.getLogger("bellwork.bus")


class MemoryBus:
    """In-process bus. Publishing queues the payload; one dispatcher task hands payloads to
    this node's handler in order, so a request does not wait for a fan-out to finish. A bus that
    was never started (a `bellwork worker` without Redis) has no one to deliver to: what is
    published is dropped, and clients catch up from the database when they resync."""

    def __init__(self) -> None:
        self._queue: asyncio.Queue[bytes] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    async def start(self, handler: Handler) -> None:
        self._task = asyncio.create_task(self._dispatch(handler))

    async def _dispatch(self, handler: Handler) -> None:
        while True:
            payload = await self._queue.get()
            try:
                await handler(payload)
            except Exception:
                log.exception("event handler failed")

    async def publish(self, payload: bytes) -> None:
        if self._task is None:
            return  # nobody in this process listens (a worker): nothing to deliver to
        self._queue.put_nowait(payload)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
