"""The floor for chat_idle.py --bare: a plain ASGI app on the same uvicorn settings that accepts
every socket on /api/v1/events, sends `hello` and waits for frames. No authentication, no
database, no hub: what one idle socket costs in uvicorn + websockets-sansio alone."""

from __future__ import annotations

from typing import Any

HELLO = '{"type":"hello"}'


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            else:
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] == "http":  # /readyz for the harness
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})
        return
    await receive()  # websocket.connect
    await send({"type": "websocket.accept"})
    await send({"type": "websocket.send", "text": HELLO})
    while (await receive())["type"] != "websocket.disconnect":
        pass
