"""A live lesson for the media benchmarks (bench/lessons_join.py, bench/sfu_capacity.py): a class
of students under the teacher who starts the lesson, and the teacher's camera published into
Janus from aiortc through Bellwork's own signalling (`POST /lessons/{id}/publish`)."""

from __future__ import annotations

import asyncio
from typing import Any, Protocol

import aiohttp
import orjson
from aiortc import (
    MediaStreamTrack,
    RTCConfiguration,
    RTCPeerConnection,
    RTCSessionDescription,
    VideoStreamTrack,
)
from chatlib import Login, Seeded

# No STUN server: everything runs on this machine, and aiortc would otherwise try a public one.
NO_STUN = RTCConfiguration(iceServers=[])


class Answer(Protocol):
    status_code: int
    text: str

    def json(self) -> Any: ...

    def raise_for_status(self) -> Any: ...


class Poster(Protocol):
    """What the helpers below post with: httpx.AsyncClient (base_url set) or `Client`."""

    async def post(
        self, path: str, *, json: Any = None, headers: dict[str, str] | None = None
    ) -> Answer: ...


class Failed(Exception):
    pass


class Reply:
    def __init__(self, status_code: int, text: str) -> None:
        self.status_code = status_code
        self.text = text

    def json(self) -> Any:
        return orjson.loads(self.text)

    def raise_for_status(self) -> None:
        if self.status_code >= 400:
            raise Failed(f"{self.status_code} {self.text[:200]}")


class Client:
    """Browsers by the hundred: aiohttp, which costs the load generator about half of httpx's
    CPU per request (on 2 cores it competes with the app node it measures). Idle connections
    are dropped after 3 s, before uvicorn closes them (5 s), so that no request goes out on a
    connection the server is closing."""

    def __init__(self, base_url: str, connections: int) -> None:
        self.base_url = base_url
        self.http = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=connections, keepalive_timeout=3),
            timeout=aiohttp.ClientTimeout(total=60),
        )

    async def post(
        self, path: str, *, json: Any = None, headers: dict[str, str] | None = None
    ) -> Reply:
        async with self.http.post(self.base_url + path, json=json, headers=headers) as r:
            return Reply(r.status, await r.text())

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.http.close()


def headers(login: Login) -> dict[str, str]:
    return {"cookie": f"bw_session={login.secret}", "x-csrf-token": login.csrf}


async def make_a_class(url: str) -> None:
    """seed_group makes guardians of one class under a school: here they are its students and
    person 1 teaches it."""
    from sqlalchemy import text

    from bellwork.db.engine import make_engine

    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("UPDATE membership SET role = 'student' WHERE person_id <> 1"))
            await conn.execute(
                text("UPDATE membership SET unit_id = 2 WHERE person_id = 1"),
            )
    finally:
        await engine.dispose()


async def start_lesson(client: Poster, seeded: Seeded) -> int:
    """The teacher (person 1) starts a lesson for the seeded class now: its id."""
    r = await client.post(
        "/api/v1/lessons",
        json={
            "title": "数学",
            "unit_ids": seeded.unit_ids,
            "client_id": "bench",
            "start_now": True,
        },
        headers=headers(seeded.sender),
    )
    r.raise_for_status()
    return int(r.json()["id"])


async def publish(
    client: Poster,
    lid: int,
    teacher: Login,
    track: MediaStreamTrack | None = None,
) -> tuple[RTCPeerConnection, int]:
    """The teacher's camera through aiortc (a synthetic 640x480 VideoStreamTrack unless
    `track` is given): offer (gathering complete), Janus's answer. (the connection, the feed)"""
    pc = RTCPeerConnection(NO_STUN)
    pc.addTrack(track or VideoStreamTrack())
    await pc.setLocalDescription(await pc.createOffer())
    r = await client.post(
        f"/api/v1/lessons/{lid}/publish",
        json={"jsep": {"type": "offer", "sdp": pc.localDescription.sdp}},
        headers=headers(teacher),
    )
    r.raise_for_status()
    body = r.json()
    await pc.setRemoteDescription(RTCSessionDescription(body["jsep"]["sdp"], "answer"))
    return pc, int(body["feed"])


async def wait_for_feed(client: Poster, lid: int, feed: int, student: Login) -> Any:
    """Janus offers a feed to watchers once its media flows: polls `watch` as `student` until
    it does (the offer's body)."""
    for _ in range(100):
        w = await client.post(
            f"/api/v1/lessons/{lid}/watch", json={"feed": feed}, headers=headers(student)
        )
        if w.status_code == 200:
            return w.json()
        await asyncio.sleep(0.2)
    raise RuntimeError(f"Janus never offered the teacher's feed: {w.text}")
