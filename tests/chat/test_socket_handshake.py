"""Who may open the events socket, and what the handshake writes: the same rules as the HTTP
API (expiry, deactivation, revocation, forced password change, sliding renewal)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta
from typing import Any

import httpx
import pytest
import websockets
from sqlalchemy import select, update

from bellwork.auth.models import ApiToken, WebSession
from bellwork.db.base import utcnow
from bellwork.org.models import Person
from tests.chat.conftest import connect, send
from tests.conftest import World

URL = "ws://{}/api/v1/events"


async def refused_with(live: str, headers: dict[str, str], query: str = "") -> int:
    async with websockets.connect(URL.format(live) + query, additional_headers=headers) as ws:
        with pytest.raises(websockets.ConnectionClosed) as info:
            await ws.recv()
    assert info.value.rcvd is not None
    return info.value.rcvd.code


def cookie_of(client: Any) -> dict[str, str]:
    return {"cookie": "; ".join(f"{k}={v}" for k, v in client.cookies.items())}


async def test_expired_session_is_refused(world: World, school: dict[str, Any], live: str) -> None:
    p1 = await world.login(school["p1"])
    async with world.app.state.sessionmaker() as db:
        await db.execute(
            update(WebSession)
            .where(WebSession.person_id == school["p1"].id)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
        await db.commit()
    assert await refused_with(live, cookie_of(p1)) == 4401


async def test_deactivated_person_is_refused_by_cookie_and_by_token(
    world: World, school: dict[str, Any], live: str
) -> None:
    t = await world.login(school["teacher"])
    raw = (await t.post("/api/v1/tokens", json={"name": "bot"})).json()["token"]
    async with world.app.state.sessionmaker() as db:
        await db.execute(
            update(Person).where(Person.id == school["teacher"].id).values(deactivated_at=utcnow())
        )
        await db.commit()
    assert await refused_with(live, cookie_of(t)) == 4401
    assert await refused_with(live, {"authorization": f"Bearer {raw}"}) == 4401


async def test_revoked_or_unknown_token_is_refused_and_query_token_works(
    world: World, school: dict[str, Any], live: str
) -> None:
    t = await world.login(school["teacher"])
    made = (await t.post("/api/v1/tokens", json={"name": "bot"})).json()
    raw = made["token"]
    async with websockets.connect(URL.format(live) + f"?token={raw}") as ws:
        assert '"hello"' in await ws.recv()
        await ws.send('{"type": "ping"}')  # answered once the handshake's work is done
        assert '"pong"' in await ws.recv()
    async with world.app.state.sessionmaker() as db:
        noted = (
            await db.execute(select(ApiToken.last_used_at).where(ApiToken.id == made["id"]))
        ).scalar_one()
    assert noted is not None  # the handshake notes the token's use, like a request does
    assert await refused_with(live, {"authorization": "Bearer bw_nothing_here"}) == 4401
    assert await refused_with(live, {"authorization": "Bearer not-a-token"}) == 4401
    assert (await t.delete(f"/api/v1/tokens/{made['id']}")).status_code == 204
    assert await refused_with(live, {}, f"?token={raw}") == 4401


async def test_forced_password_change_closes_with_4403(
    world: World, school: dict[str, Any], live: str
) -> None:
    p1 = await world.login(school["p1"])
    async with world.app.state.sessionmaker() as db:
        await db.execute(
            update(Person).where(Person.id == school["p1"].id).values(must_change_password=True)
        )
        await db.commit()
    assert await refused_with(live, cookie_of(p1) | {"origin": f"http://{live}"}) == 4403


async def test_handshake_renews_an_idle_session(
    world: World, school: dict[str, Any], live: str
) -> None:
    p1 = await world.login(school["p1"])
    old = utcnow() - timedelta(hours=2)
    async with world.app.state.sessionmaker() as db:
        await db.execute(
            update(WebSession)
            .where(WebSession.person_id == school["p1"].id)
            .values(last_seen_at=old, expires_at=utcnow() + timedelta(minutes=30))
        )
        await db.commit()
    async with connect(live, p1) as sock:
        await sock.send({"type": "ping"})  # answered once the handshake's work is done
        assert (await sock.next())["type"] == "pong"
    async with world.app.state.sessionmaker() as db:
        seen, expires = (
            await db.execute(
                select(WebSession.last_seen_at, WebSession.expires_at).where(
                    WebSession.person_id == school["p1"].id
                )
            )
        ).one()
    assert seen > old + timedelta(hours=1)
    assert expires > utcnow() + timedelta(days=1)  # slid forward by the session length


async def test_binary_frames_are_read_like_text(
    world: World, school: dict[str, Any], live: str
) -> None:
    p1 = await world.login(school["p1"])
    async with connect(live, p1) as sock:
        await sock.ws.send(b'{"type": "ping"}')
        assert (await sock.next())["type"] == "pong"
        await sock.ws.send(b"\xff\xfe not utf-8")
        assert (await sock.next())["code"] == "bad_frame"
        await sock.ws.send(b'{"type": "ping"}')
        assert (await sock.next())["type"] == "pong"  # the socket stays open


async def test_a_burst_of_handshakes_all_get_through(
    world: World, school: dict[str, Any], live: str
) -> None:
    """More sockets at once than handshakes admitted together: each waits its turn, none is
    refused, and every one receives what is sent afterwards."""
    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    conv = (
        await t.post("/api/v1/conversations/direct", json={"person_id": school["p1"].id})
    ).json()["id"]
    headers = cookie_of(p1) | {"origin": f"http://{live}"}
    sockets = await asyncio.gather(
        *(websockets.connect(URL.format(live), additional_headers=headers) for _ in range(40))
    )
    try:
        hellos = await asyncio.gather(*(asyncio.wait_for(ws.recv(), 10) for ws in sockets))
        assert all('"hello"' in h for h in hellos)
        await send(t, conv, "to every device")
        got = await asyncio.gather(*(asyncio.wait_for(ws.recv(), 10) for ws in sockets))
        assert all('"to every device"' in g for g in got)
    finally:
        await asyncio.gather(*(ws.close() for ws in sockets))


async def test_a_handshake_that_cannot_get_a_turn_is_told_to_retry(
    world: World, school: dict[str, Any], live: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bellwork.realtime import api as socket_api

    monkeypatch.setattr(socket_api, "HANDSHAKE_SECONDS", 0.5)
    p1 = await world.login(school["p1"])
    turns = world.app.state.handshakes
    for _ in range(socket_api.HANDSHAKES):  # every turn taken, e.g. by stuck handshakes
        await turns.acquire()
    try:
        assert await refused_with(live, cookie_of(p1)) == 1013
    finally:
        for _ in range(socket_api.HANDSHAKES):
            turns.release()
    async with connect(live, p1) as sock:  # turns free again: in it goes
        await sock.send({"type": "ping"})
        assert (await sock.next())["type"] == "pong"


async def test_a_busy_database_does_not_keep_a_socket_out_for_its_renewal(
    world: World, school: dict[str, Any], live: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The renewal is a write; while writers are stuck (SQLite's gate held, or the session row
    locked on PostgreSQL) the socket opens anyway and the renewal waits for a later handshake."""
    from sqlalchemy import text

    from bellwork.realtime import api as socket_api

    monkeypatch.setattr(socket_api, "NOTE_SECONDS", 0.3)
    p1 = await world.login(school["p1"])
    old = utcnow() - timedelta(hours=2)
    async with world.app.state.sessionmaker() as db:
        await db.execute(
            update(WebSession)
            .where(WebSession.person_id == school["p1"].id)
            .values(last_seen_at=old)
        )
        await db.commit()
    gate = world.app.state.write_gate
    async with contextlib.AsyncExitStack() as stack:
        if gate is not None:
            await stack.enter_async_context(gate)
        else:
            conn = await stack.enter_async_context(world.app.state.engine.connect())
            await conn.execute(
                text("SELECT id FROM web_session WHERE person_id = :p FOR UPDATE"),
                {"p": school["p1"].id},
            )
        async with connect(live, p1) as sock:
            await sock.send({"type": "ping"})
            assert (await sock.next())["type"] == "pong"
    async with world.app.state.sessionmaker() as db:
        seen = (
            await db.execute(
                select(WebSession.last_seen_at).where(WebSession.person_id == school["p1"].id)
            )
        ).scalar_one()
    assert seen == old  # not renewed this time; the session is still valid


def test_redact_masks_query_values_but_ids_and_flags() -> None:
    from bellwork.core.redact import redact

    assert redact("/api/v1/events?token=bw_abc_123") == "/api/v1/events?token=[redacted]"
    assert (
        redact("/x?limit=1&TOKEN=s3cr3t&q=%E5%BC%A0") == "/x?limit=1&TOKEN=[redacted]&q=[redacted]"
    )
    assert redact("/api/v1/people?cursor=WyJ6aGFuZyJd&unit_id=7") == (
        "/api/v1/people?cursor=[redacted]&unit_id=7"
    )
    assert (
        redact('1.2.3.4 - "GET /a?q=x HTTP/1.1" 200')
        == '1.2.3.4 - "GET /a?q=[redacted] HTTP/1.1" 200'
    )
    assert redact("no query here") == "no query here"


async def test_searches_never_reach_the_access_log(
    world: World, school: dict[str, Any], live: str
) -> None:
    """docs/chat.md promises message text is never logged: a history or directory search is
    logged without what was searched for."""
    t = await world.login(school["teacher"])
    seen: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record.getMessage())

    access = logging.getLogger("uvicorn.access")
    keep, level = Keep(), access.level
    access.addHandler(keep)
    access.setLevel(logging.INFO)  # what `serve` logs
    try:
        raw = (await t.post("/api/v1/tokens", json={"name": "search"})).json()["token"]
        bearer = {"authorization": f"Bearer {raw}"}
        async with httpx.AsyncClient(base_url=f"http://{live}", headers=bearer) as c:
            r = await c.get("/api/v1/people", params={"q": "秘密的名字", "limit": 5})
            assert r.status_code == 200
    finally:
        access.removeHandler(keep)
        access.setLevel(level)
    lines = [m for m in seen if "/api/v1/people" in m]
    assert lines and "q=[redacted]" in lines[0] and "limit=5" in lines[0], seen
    assert not any("秘密" in m or "%E7%A7%98" in m.upper() for m in seen)


async def test_socket_tokens_never_reach_the_logs(
    world: World, school: dict[str, Any], live: str
) -> None:
    t = await world.login(school["teacher"])
    raw = (await t.post("/api/v1/tokens", json={"name": "bot"})).json()["token"]
    seen: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record.getMessage())

    uv = logging.getLogger("uvicorn.error")
    keep, level = Keep(), uv.level
    uv.addHandler(keep)
    uv.setLevel(logging.INFO)  # what `serve` logs
    try:
        async with websockets.connect(URL.format(live) + f"?token={raw}") as ws:
            assert '"hello"' in await ws.recv()
    finally:
        uv.removeHandler(keep)
        uv.setLevel(level)
    accepted = [m for m in seen if "WebSocket" in m]
    assert accepted and "token=[redacted]" in accepted[0]
    assert not any(raw in m or raw.split("_")[-1] in m for m in seen)
