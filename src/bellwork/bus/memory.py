from __future__ import annotations

from bellwork.bus import Handler


class MemoryBus:
    """In-process bus: publishing hands the payload straight to this node's handler."""

    def __init__(self) -> None:
        self._handler: Handler | None = None

    async def start(self, handler: Handler) -> None:
        self._handler = handler

    async def publish(self, payload: bytes) -> None:
        if self._handler is not None:
            await self._handler(payload)

    async def close(self) -> None:
        self._handler = None
