"""Frames encoded once for every recipient (realtime/wire.py): the bytes are what websockets
itself would send, the real uvicorn takes the shortcut, and clients that negotiated compression
(where the shortcut would be wrong) still get every frame through `send`."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
import pytest
import websockets
from websockets.frames import Frame, Opcode

from bellwork.realtime import wire
from tests.chat.conftest import send
from tests.conftest import World


@pytest.mark.parametrize("size", [0, 1, 125, 126, 127, 65535, 65536, 200_000])
def test_text_frame_is_what_websockets_would_send(size: int) -> None:
    payload = ("字" * size).encode()[:size]
    expected = Frame(Opcode.TEXT, payload).serialize(mask=False)
    assert wire.text_frame(payload) == expected


async def test_a_group_message_goes_out_encoded_once(
    world: World, school: dict[str, Any], live: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    written: list[bool] = []
    real = wire.write

    def counting(proto: Any, data: bytes) -> bool:
        ok = real(proto, data)
        written.append(ok)
        return ok

    monkeypatch.setattr(wire, "write", counting)
    teacher = await world.login(school["teacher"])
    members = [school[f"p{i}"] for i in (1, 2, 3)]
    conv = (
        await teacher.post(
            "/api/v1/conversations/groups",
            json={"name": "家长群", "member_ids": [m.id for m in members]},
        )
    ).json()["id"]
    clients = [await world.login(m) for m in members]
    url = f"ws://{live}/api/v1/events"
    sockets = []
    # Two without compression (the shortcut), one with permessage-deflate (through `send`).
    for i, c in enumerate(clients):
        cookie = "; ".join(f"{k}={v}" for k, v in c.cookies.items())
        ws = await websockets.connect(
            url,
            additional_headers={"cookie": cookie, "origin": f"http://{live}"},
            compression=None if i < 2 else "deflate",
        )
        assert orjson.loads(await ws.recv())["type"] == "hello"
        sockets.append(ws)
    try:
        sent = await send(teacher, conv, "明天春游，请带水 " * 20)
        for ws in sockets:
            while True:
                frame = orjson.loads(await asyncio.wait_for(ws.recv(), 5))
                if frame["type"] == "message.new":
                    break
            assert frame["message"]["seq"] == sent["seq"]
            assert frame["message"]["body"] == sent["body"]
        assert written.count(True) == 2  # the two uncompressed sockets (the sender has none)
    finally:
        for ws in sockets:
            await ws.close()
