"""Chat fixtures: a real uvicorn server on this test's app (for WebSockets) and helpers."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson
import pytest
import uvicorn
import websockets

from tests.conftest import World


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
async def live(app: Any) -> AsyncIterator[str]:
    """Serves the test's app over real HTTP/WebSocket on a free port; yields the base URL."""
    port = free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        lifespan="off",
        log_level="warning",
        ws="websockets-sansio",
        ws_max_size=1 << 20,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn offers no start event
        await asyncio.sleep(0.01)
    yield f"127.0.0.1:{port}"
    server.should_exit = True
    with contextlib.suppress(Exception):
        await asyncio.wait_for(task, 5)


class Socket:
    """A WebSocket client that logs in like the browser does (session cookie)."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws

    async def next(self, type_: str | None = None, wait: float = 5.0) -> dict[str, Any]:
        while True:
            raw = await asyncio.wait_for(self.ws.recv(), wait)
            frame: dict[str, Any] = orjson.loads(raw)
            if type_ is None or frame["type"] == type_:
                return frame

    async def send(self, obj: Any) -> None:
        await self.ws.send(obj if isinstance(obj, str) else orjson.dumps(obj).decode())

    async def nothing(self, wait: float = 0.3) -> None:
        with contextlib.suppress(TimeoutError):
            frame = await asyncio.wait_for(self.ws.recv(), wait)
            raise AssertionError(f"unexpected frame {frame!r}")


@contextlib.asynccontextmanager
async def connect(
    live: str, client: httpx.AsyncClient, origin: bool = True
) -> AsyncIterator[Socket]:
    cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    headers = {"cookie": cookie}
    if origin:
        headers["origin"] = f"http://{live}"
    async with websockets.connect(f"ws://{live}/api/v1/events", additional_headers=headers) as ws:
        s = Socket(ws)
        hello = await s.next()
        assert hello["type"] == "hello"
        yield s


def cmid() -> str:
    return uuid.uuid4().hex


async def send(c: httpx.AsyncClient, conv: int, body: str, **extra: Any) -> dict[str, Any]:
    r = await c.post(
        f"/api/v1/conversations/{conv}/messages",
        json={"client_msg_id": cmid(), "body": body, **extra},
    )
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


@pytest.fixture
async def school(world: World) -> dict[str, Any]:
    """A class with a teacher, three students and their guardians, and an admin."""
    s = await world.unit("实验小学", "school")
    k = await world.unit("1班", "class", s)
    out: dict[str, Any] = {"school": s, "klass": k}
    out["admin"] = await world.person("管理员", username="admin", is_admin=True)
    out["teacher"] = await world.person(
        "王老师", (k, "teacher"), username="teacher", phone="10000000001"
    )
    for i in range(1, 4):
        st = await world.person(
            f"学生{i}", (k, "student"), username=f"s{i}", student_number=f"S{i}"
        )
        out[f"s{i}"] = st
        out[f"p{i}"] = await world.guardian(
            f"家长{i}", st, k, username=f"p{i}", phone=f"1000000010{i}"
        )
    await world.commit()
    return out
