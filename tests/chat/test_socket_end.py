"""A socket lives only as long as what opened it: logging out, logging out everywhere, a
revoked token, a password change and a deactivated account close it at once (4401)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import websockets

from tests.chat.conftest import Socket, connect, send
from tests.conftest import PASSWORD, World


@contextlib.asynccontextmanager
async def token_socket(live: str, raw: str) -> AsyncIterator[Socket]:
    headers = {"authorization": f"Bearer {raw}"}
    async with websockets.connect(f"ws://{live}/api/v1/events", additional_headers=headers) as ws:
        s = Socket(ws)
        assert (await s.next())["type"] == "hello"
        yield s


async def closed_with(sock: Socket) -> int:
    """The close code, once the server has closed the socket (within 5 s)."""
    with pytest.raises(websockets.ConnectionClosed) as info:
        await sock.next(wait=5)
    assert info.value.rcvd is not None
    return int(info.value.rcvd.code)


async def still_live(sock: Socket, sender: httpx.AsyncClient, conv: int, text: str) -> None:
    await send(sender, conv, text)
    assert (await sock.next("message.new"))["message"]["body"] == text


async def test_logout_closes_that_sessions_socket_only(
    world: World, school: dict[str, Any], live: str
) -> None:
    t = await world.login(school["teacher"])
    phone = await world.login(school["p1"])
    laptop = await world.login(school["p1"])
    conv = (
        await t.post("/api/v1/conversations/direct", json={"person_id": school["p1"].id})
    ).json()["id"]
    async with connect(live, phone) as on_phone, connect(live, laptop) as on_laptop:
        assert (await phone.post("/api/v1/auth/logout")).status_code == 200
        assert await closed_with(on_phone) == 4401
        await still_live(on_laptop, t, conv, "笔记本还在线")


async def test_logout_everywhere_closes_session_sockets_not_token_ones(
    world: World, school: dict[str, Any], live: str
) -> None:
    t = await world.login(school["teacher"])
    raw = (await t.post("/api/v1/tokens", json={"name": "bot"})).json()["token"]
    other = await world.login(school["teacher"])
    conv = (await t.post("/api/v1/conversations/devices")).json()["id"]
    async with connect(live, other) as browser, token_socket(live, raw) as bot:
        assert (await t.post("/api/v1/auth/logout-all")).status_code == 200
        assert await closed_with(browser) == 4401
        helper = await world.login(school["teacher"])
        await still_live(bot, helper, conv, "机器人仍在线")


async def test_revoked_token_closes_its_socket(
    world: World, school: dict[str, Any], live: str
) -> None:
    t = await world.login(school["teacher"])
    raw = (await t.post("/api/v1/tokens", json={"name": "bot"})).json()["token"]
    token_id = (await t.get("/api/v1/tokens")).json()[0]["id"]
    conv = (await t.post("/api/v1/conversations/devices")).json()["id"]
    async with token_socket(live, raw) as bot, connect(live, t) as browser:
        assert (await t.delete(f"/api/v1/tokens/{token_id}")).status_code == 204
        assert await closed_with(bot) == 4401
        await still_live(browser, t, conv, "浏览器仍在线")


async def test_password_change_closes_the_other_sessions_sockets(
    world: World, school: dict[str, Any], live: str
) -> None:
    here = await world.login(school["p1"])
    there = await world.login(school["p1"])
    async with connect(live, here) as mine, connect(live, there) as theirs:
        r = await here.post(
            "/api/v1/auth/password",
            json={"current_password": PASSWORD, "new_password": "a new password 1"},
        )
        assert r.status_code == 200, r.text
        assert await closed_with(theirs) == 4401
        await mine.send({"type": "ping"})
        assert (await mine.next("pong"))["type"] == "pong"


async def test_deactivation_closes_every_socket_of_the_person(
    world: World, school: dict[str, Any], live: str
) -> None:
    t = await world.login(school["teacher"])
    raw = (await t.post("/api/v1/tokens", json={"name": "bot"})).json()["token"]
    admin = await world.login(school["admin"])
    async with connect(live, t) as browser, token_socket(live, raw) as bot:
        r = await admin.post(f"/api/v1/people/{school['teacher'].id}/deactivate")
        assert r.status_code == 200, r.text
        assert await closed_with(browser) == 4401
        assert await closed_with(bot) == 4401


async def test_a_logout_while_the_socket_is_being_admitted_still_closes_it(
    world: World, school: dict[str, Any], live: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The session ends after the socket was identified but before it was registered (so the
    close went to a hub that did not have it yet): the check after registering closes it."""
    import asyncio

    from bellwork.auth import service as auth

    p1 = await world.login(school["p1"])
    identify = auth.identify_socket

    async def slow_identify(*args: Any, **kwargs: Any) -> Any:
        who = await identify(*args, **kwargs)
        await p1.post("/api/v1/auth/logout")  # committed, and its close already handled
        await asyncio.sleep(0.2)
        return who

    monkeypatch.setattr(auth, "identify_socket", slow_identify)
    cookie = "; ".join(f"{k}={v}" for k, v in p1.cookies.items())
    headers = {"cookie": cookie, "origin": f"http://{live}"}
    async with websockets.connect(f"ws://{live}/api/v1/events", additional_headers=headers) as ws:
        with pytest.raises(websockets.ConnectionClosed) as info:
            while True:
                await asyncio.wait_for(ws.recv(), 5)
        assert info.value.rcvd is not None and info.value.rcvd.code == 4401


async def test_the_periodic_audit_closes_what_no_announcement_reached(
    world: World, school: dict[str, Any], live: str, app: Any
) -> None:
    """A session that expired, and a session ended without its close reaching this node (a
    lost Redis message): the audit closes both sockets and leaves the others open."""
    from sqlalchemy import delete, update

    from bellwork.auth.models import WebSession
    from bellwork.db.base import utcnow
    from bellwork.jobs.sockets import audit_once

    expiring = await world.login(school["p1"])
    vanishing = await world.login(school["p2"])
    staying = await world.login(school["p3"])
    async with (
        connect(live, expiring) as s1,
        connect(live, vanishing) as s2,
        connect(live, staying) as s3,
    ):
        async with app.state.sessionmaker() as db:  # no bus: nothing is announced
            await db.execute(
                update(WebSession)
                .where(WebSession.person_id == school["p1"].id)
                .values(expires_at=utcnow())
            )
            await db.execute(delete(WebSession).where(WebSession.person_id == school["p2"].id))
            await db.commit()
        assert await audit_once(app.state.runtime, app.state.hub) == 2
        assert await closed_with(s1) == 4401
        assert await closed_with(s2) == 4401
        await s3.send({"type": "ping"})
        assert (await s3.next("pong"))["type"] == "pong"
