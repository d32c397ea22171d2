"""The floor the chat benchmarks measure Bellwork against: a plain ASGI app on the same uvicorn
settings, with no authentication, no database and no hub.

- `chat_idle.py --bare`: it accepts every socket on /api/v1/events, sends `hello` and waits for
  frames — what one idle socket costs in uvicorn + websockets-sansio alone.
- `chat_fanout.py --bare`: `POST /api/v1/conversations/{id}/messages` sends a `message.new`
  frame shaped and sized like Bellwork's to every open socket, the way any broadcast written
  on uvicorn would (`await send(...)` per socket), and answers 201. The same clients, the same
  rate: server CPU per delivery here is the floor for Bellwork's.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

import orjson

HELLO = '{"type":"hello"}'
SOCKETS: set[Any] = set()
SEQ = itertools.count(1)


def message_frame(conversation_id: int, body: str, client_msg_id: str) -> str:
    """A frame with the fields (and so about the size) of Bellwork's `message.new`."""
    seq = next(SEQ)
    return orjson.dumps(
        {
            "type": "message.new",
            "conversation_id": conversation_id,
            "message": {
                "id": seq,
                "conversation_id": conversation_id,
                "seq": seq,
                "sender_id": 1,
                "sender_name": "发送者",
                "kind": "text",
                "body": body,
                "client_msg_id": client_msg_id,
                "mentions": [],
                "mention_all": False,
                "reply_to": None,
                "file": None,
                "created_at": datetime.now(UTC).isoformat(),
                "recalled_at": None,
                "expires_at": None,
                "opened_at": None,
            },
        }
    ).decode()


async def _body(receive: Any) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def _answer(send: Any, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            else:
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] == "http":
        path: str = scope["path"]
        if scope["method"] == "POST" and path.endswith("/messages"):
            data = orjson.loads(await _body(receive))
            conv = int(path.split("/")[-2])
            frame = message_frame(conv, data["body"], data["client_msg_id"])
            for socket_send in list(SOCKETS):
                try:
                    await socket_send({"type": "websocket.send", "text": frame})
                except Exception:
                    SOCKETS.discard(socket_send)
            await _answer(send, 201, b'{"ok":true}')
            return
        await _answer(send, 200, b"ok")  # /readyz for the harness
        return
    await receive()  # websocket.connect
    await send({"type": "websocket.accept"})
    await send({"type": "websocket.send", "text": HELLO})
    SOCKETS.add(send)
    try:
        while (await receive())["type"] != "websocket.disconnect":
            pass
    finally:
        SOCKETS.discard(send)
