"""The WebSocket: live delivery to every device, receipts, bad frames, auth, resync."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import websockets

from tests.chat.conftest import cmid, connect, send
from tests.conftest import World


async def test_message_reaches_every_device_live(
    world: World, school: dict[str, Any], live: str
) -> None:
    t = await world.login(school["teacher"])
    p_phone = await world.login(school["p1"])
    p_laptop = await world.login(school["p1"])
    conv = (
        await t.post("/api/v1/conversations/direct", json={"person_id": school["p1"].id})
    ).json()["id"]
    async with (
        connect(live, p_phone) as phone,
        connect(live, p_laptop) as laptop,
        connect(live, t) as teacher_ws,
    ):
        m = await send(t, conv, "家长会改到周五")
        for sock in (phone, laptop, teacher_ws):
            frame = await sock.next("message.new")
            assert frame["conversation_id"] == conv
            assert frame["message"]["seq"] == m["seq"]
            assert frame["message"]["body"] == "家长会改到周五"
        # Reading on the phone: the laptop and the sender hear about it.
        await phone.send({"type": "read", "conversation_id": conv, "seq": m["seq"]})
        for sock in (laptop, teacher_ws, phone):
            frame = await sock.next("read")
            assert frame == {
                "type": "read",
                "conversation_id": conv,
                "person_id": school["p1"].id,
                "last_read_seq": m["seq"],
            }


async def test_outsiders_receive_nothing(world: World, school: dict[str, Any], live: str) -> None:
    t = await world.login(school["teacher"])
    p2 = await world.login(school["p2"])
    conv = (
        await t.post("/api/v1/conversations/direct", json={"person_id": school["p1"].id})
    ).json()["id"]
    async with connect(live, p2) as other:
        await send(t, conv, "private to p1")
        await other.nothing()


async def test_new_group_and_membership_changes_arrive(
    world: World, school: dict[str, Any], live: str
) -> None:
    t = await world.login(school["teacher"])
    p3 = await world.login(school["p3"])
    async with connect(live, p3) as sock:
        g = (
            await t.post(
                "/api/v1/conversations/groups",
                json={"name": "班委", "member_ids": [school["p3"].id]},
            )
        ).json()
        upd = await sock.next("conversation.updated")
        assert upd["conversation"]["id"] == g["id"]
        assert upd["conversation"]["name"] == "班委"
        # Now subscribed: messages of the new group arrive.
        created = await sock.next("message.new")
        assert created["message"]["kind"] == "system"
        await send(t, g["id"], "欢迎")
        frame = await sock.next("message.new")
        assert frame["message"]["body"] == "欢迎"
        await t.delete(f"/api/v1/conversations/{g['id']}/members/{school['p3'].id}")
        assert (await sock.next("conversation.removed"))["conversation_id"] == g["id"]
        await send(t, g["id"], "after removal")
        await sock.nothing()


async def test_recall_event(world: World, school: dict[str, Any], live: str) -> None:
    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    conv = (
        await t.post("/api/v1/conversations/direct", json={"person_id": school["p1"].id})
    ).json()["id"]
    async with connect(live, p1) as sock:
        m = await send(t, conv, "oops")
        await sock.next("message.new")
        await t.post(f"/api/v1/conversations/{conv}/messages/{m['seq']}/recall")
        frame = await sock.next("message.recalled")
        assert frame["seq"] == m["seq"] and frame["recalled_by"] == school["teacher"].id


async def test_bad_frames_get_clear_errors(world: World, school: dict[str, Any], live: str) -> None:
    p1 = await world.login(school["p1"])
    async with connect(live, p1) as sock:
        await sock.send("not json")
        assert (await sock.next())["code"] == "bad_frame"
        await sock.send({"type": "launch_rockets"})
        assert (await sock.next())["code"] == "unknown_type"
        await sock.send({"type": "read", "conversation_id": 424242, "seq": 1})
        err = await sock.next()
        assert err["code"] == "not_found"
        await sock.send({"type": "ping"})
        assert (await sock.next())["type"] == "pong"
        await sock.send("x" * (70 * 1024))
        assert (await sock.next())["code"] == "frame_too_large"
        with pytest.raises(websockets.ConnectionClosed) as info:
            await sock.next()
        assert info.value.rcvd is not None and info.value.rcvd.code == 1009


async def test_unauthenticated_and_cross_site_sockets_are_refused(
    world: World, school: dict[str, Any], live: str
) -> None:
    async with websockets.connect(f"ws://{live}/api/v1/events") as ws:
        with pytest.raises(websockets.ConnectionClosed) as info:
            await ws.recv()
        assert info.value.rcvd is not None and info.value.rcvd.code == 4401
    p1 = await world.login(school["p1"])
    cookie = "; ".join(f"{k}={v}" for k, v in p1.cookies.items())
    async with websockets.connect(
        f"ws://{live}/api/v1/events",
        additional_headers={"cookie": cookie, "origin": "https://evil.example"},
    ) as ws:
        with pytest.raises(websockets.ConnectionClosed) as info:
            await ws.recv()
        assert info.value.rcvd is not None and info.value.rcvd.code == 4401


async def test_token_socket_for_scripts(world: World, school: dict[str, Any], live: str) -> None:
    t = await world.login(school["teacher"])
    raw = (await t.post("/api/v1/tokens", json={"name": "bot"})).json()["token"]
    conv = (await t.post("/api/v1/conversations/devices")).json()["id"]
    async with websockets.connect(
        f"ws://{live}/api/v1/events", additional_headers={"authorization": f"Bearer {raw}"}
    ) as ws:
        assert '"hello"' in await ws.recv()
        await send(t, conv, "to the bot")
        assert '"to the bot"' in await asyncio.wait_for(ws.recv(), 5)


async def test_reconnect_catches_up_without_gap_or_duplicate(
    world: World, school: dict[str, Any], live: str
) -> None:
    """A client that was offline fetches after its last seq, then continues live."""
    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    conv = (
        await t.post("/api/v1/conversations/direct", json={"person_id": school["p1"].id})
    ).json()["id"]
    seen: list[int] = []
    async with connect(live, p1) as sock:
        for i in range(3):
            await send(t, conv, f"live {i}")
            seen.append((await sock.next("message.new"))["message"]["seq"])
    for i in range(4):  # while disconnected
        await send(t, conv, f"missed {i}")
    async with connect(live, p1) as sock:
        # On hello the client resyncs from its cursor...
        page = (
            await p1.get(f"/api/v1/conversations/{conv}/messages", params={"after_seq": seen[-1]})
        ).json()
        seen += [m["seq"] for m in page["items"]]
        await send(t, conv, "live again")
        seen.append((await sock.next("message.new"))["message"]["seq"])
    assert seen == list(range(1, 9))


async def test_slow_client_is_dropped_not_waited_for(
    world: World, school: dict[str, Any], live: str, monkeypatch: Any
) -> None:
    from bellwork.realtime import hub as hubmod

    monkeypatch.setattr(hubmod, "QUEUE_LIMIT", 5)
    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    conv = (
        await t.post("/api/v1/conversations/direct", json={"person_id": school["p1"].id})
    ).json()["id"]
    app_hub = world.app.state.hub
    async with connect(live, p1) as sock:
        conn = next(iter(app_hub.by_person[school["p1"].id]))

        real_send = conn.send

        async def stuck(message: dict[str, Any]) -> None:  # a client that never reads
            if message["type"] == "websocket.send":
                await asyncio.Event().wait()
            await real_send(message)

        conn.send = stuck
        for i in range(8):
            await send(t, conv, f"m{i}")
        await asyncio.sleep(0.1)
        assert conn.closed
        assert school["p1"].id not in app_hub.by_person or conn not in app_hub.by_person.get(
            school["p1"].id, set()
        )
        del sock
    # The sender was never slowed down: all 8 messages were stored.
    assert (await t.get(f"/api/v1/conversations/{conv}")).json()["last_seq"] == 8
    _ = cmid


async def test_a_new_direct_chat_is_live_for_the_other_person(
    world: World, school: dict[str, Any], live: str
) -> None:
    """Found by the web client: the other person's open page missed a chat created after it
    connected."""
    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    async with connect(live, p1) as sock:
        conv = (
            await t.post("/api/v1/conversations/direct", json={"person_id": school["p1"].id})
        ).json()["id"]
        upd = await sock.next("conversation.updated")
        assert upd["conversation"]["id"] == conv
        await send(t, conv, "第一次联系")
        assert (await sock.next("message.new"))["message"]["body"] == "第一次联系"


async def test_a_bus_that_is_down_does_not_fail_the_send(
    world: World, school: dict[str, Any], app: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """Redis unreachable: the message is stored and the sender gets 201; live delivery waits
    for the clients' resync."""

    async def down(payload: bytes) -> None:
        raise ConnectionError("redis is down")

    t = await world.login(school["teacher"])
    conv = (await t.post("/api/v1/conversations/devices")).json()["id"]
    real = app.state.bus.publish
    app.state.bus.publish = down
    try:
        r = await t.post(
            f"/api/v1/conversations/{conv}/messages",
            json={"client_msg_id": cmid(), "body": "Redis 挂了也要存下来"},
        )
    finally:
        app.state.bus.publish = real
    assert r.status_code == 201, r.text
    page = (await t.get(f"/api/v1/conversations/{conv}/messages")).json()["items"]
    assert [m["body"] for m in page] == ["Redis 挂了也要存下来"]
    assert "event not published" in caplog.text
