"""The Janus client and the config Bellwork writes, against a real Janus."""

from __future__ import annotations

import asyncio
import re
import stat
from pathlib import Path

import pytest

from bellwork.media import local
from bellwork.media.janus import (
    JanusClient,
    NoSuchFeed,
    NoSuchRoom,
    NoSuchSession,
    PluginError,
    RoomUnauthorized,
    Unauthorized,
    error_for,
)
from tests.media.conftest import RunningJanus, needs_janus


def test_the_config_binds_loopback_keeps_secrets_and_has_no_samples(tmp_path: Path) -> None:
    spec, config = local.write_config(tmp_path, binary="janus", ice_enforce_list="eth0")
    again, _ = local.write_config(tmp_path, binary="janus", ice_enforce_list="eth0")
    assert (again.admin_secret, again.admin_key) == (spec.admin_secret, spec.admin_key)
    assert len(spec.admin_secret) >= 24 and spec.admin_secret != spec.admin_key
    main = config.read_text()
    http = (tmp_path / "janus.transport.http.jcfg").read_text()
    ws = (tmp_path / "janus.transport.websockets.jcfg").read_text()
    videoroom = (tmp_path / "janus.plugin.videoroom.jcfg").read_text()
    streaming = (tmp_path / "janus.plugin.streaming.jcfg").read_text()
    assert f'admin_secret = "{spec.admin_secret}"' in main
    assert 'ice_enforce_list = "eth0"' in main
    assert 'rtp_port_range = "20000-40000"' in main
    assert re.findall(r'\bip = "([^"]*)"', http) == ["127.0.0.1"]
    assert 'admin_ip = "127.0.0.1"' in http
    # The WebSocket API on loopback too (no admin API there: that stays on HTTP).
    assert re.findall(r'\bws_ip = "([^"]*)"', ws) == ["127.0.0.1"]
    assert "admin_ws = false" in ws and "wss = false" in ws
    if local.LIBDIR.is_dir():
        assert "ws = true" in ws
        [port] = re.findall(r"ws_port = (\d+)", ws)
        assert again.ws_url == f"ws://127.0.0.1:{port}"  # the last written
    assert f'admin_key = "{spec.admin_key}"' in videoroom
    assert f'admin_key = "{spec.admin_key}"' in streaming
    # Only `general` sections: no sample rooms or mountpoints.
    for text in (videoroom, streaming):
        assert re.findall(r"^(\S+): \{", text, re.M) == ["general"]
    for name in ("secrets.json", "janus.jcfg", "janus.plugin.videoroom.jcfg"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600
    if local.LIBDIR.is_dir():  # every transport but two, every plugin but two, disabled
        assert "libjanus_mqtt.so" in main and "libjanus_echotest.so" in main
        assert "libjanus_videoroom.so" not in main and "libjanus_http.so" not in main
        assert "libjanus_websockets.so" not in main


def test_errors_are_typed() -> None:
    assert type(error_for(458, "x")) is NoSuchSession
    assert type(error_for(426, "x", plugin=True)) is NoSuchRoom
    assert type(error_for(403, "x")) is Unauthorized
    assert error_for(499, "x", plugin=True).code == 499


@needs_janus
async def test_a_room_is_created_listed_and_destroyed(jc: JanusClient, tmp_path: Path) -> None:
    info = await jc.info()
    assert info["server-name"] == "bellwork"
    assert "janus.plugin.videoroom" in info["plugins"]
    assert set(info["transports"]) == {"janus.transport.http", "janus.transport.websockets"}
    await jc.create_room(4101, secret="s1", publishers=4, rec_dir=str(tmp_path), record=False)
    rooms = {r["room"]: r for r in await jc.list_rooms()}
    assert rooms[4101]["max_publishers"] == 4 and rooms[4101]["is_private"] is True
    assert rooms[4101]["rec_dir"] == str(tmp_path)
    assert await jc.room_exists(4101)
    assert await jc.list_participants(4101) == []
    with pytest.raises(RoomUnauthorized):
        await jc.destroy_room(4101, secret="wrong")
    await jc.destroy_room(4101, secret="s1")
    assert not await jc.room_exists(4101)
    with pytest.raises(NoSuchRoom):
        await jc.destroy_room(4101, secret="s1")


@needs_janus
async def test_rooms_need_the_admin_key_and_the_admin_api_its_secret(janus: RunningJanus) -> None:
    keyless = JanusClient(janus.spec.url)
    wrong = JanusClient(
        janus.spec.url,
        admin_url=janus.spec.admin_url,
        admin_secret="not-the-secret",
        admin_key="not-the-key",
    )
    try:
        with pytest.raises(PluginError) as missing:
            await keyless.create_room(4102, secret="s", publishers=1)
        assert missing.value.code == 429  # a missing mandatory element: admin_key
        with pytest.raises(RoomUnauthorized):
            await wrong.create_room(4102, secret="s", publishers=1)
        with pytest.raises(Unauthorized):
            await wrong.list_sessions()
    finally:
        await keyless.close()
        await wrong.close()


@needs_janus
async def test_participants_are_listed_muted_kicked_and_hung_up(jc: JanusClient) -> None:
    await jc.create_room(4103, secret="s3", publishers=2)
    session = await jc.session()
    try:
        handle = await session.attach()
        joined, jsep = await handle.message(
            {"request": "join", "ptype": "publisher", "room": 4103, "display": "Amy"}
        )
        assert joined["videoroom"] == "joined" and jsep is None
        [amy] = await jc.list_participants(4103)
        assert (amy.id, amy.display, amy.publisher) == (joined["id"], "Amy", False)
        # Amy publishes nothing yet: Janus names the missing stream.
        with pytest.raises(NoSuchFeed):
            await jc.moderate(4103, amy.id, secret="s3", mid="0", mute=True)
        with pytest.raises(NoSuchFeed):
            await jc.kick(4103, 999, secret="s3")
        assert session.id in await jc.list_sessions()
        await jc.hangup_webrtc(session.id, handle.id)
        await jc.kick(4103, amy.id, secret="s3")
        assert await jc.list_participants(4103) == []
    finally:
        await session.destroy()
        await jc.destroy_room(4103, secret="s3")


@needs_janus
@pytest.mark.parametrize("ws", [True, False], ids=["ws", "http"])
async def test_sessions_are_kept_alive_past_janus_timeout(tmp_path: Path, ws: bool) -> None:
    """Janus ends a session after session_timeout without a request (60 s; 1 s here); the
    client's keepalives keep it, and one without them is gone."""
    short = RunningJanus(tmp_path, session_timeout=1)
    kept = short.client(ws=ws, keepalive_every=0.3)
    try:
        session = await kept.session()
        assert await kept.list_rooms() == []  # opens the client's control session
        await asyncio.sleep(2.5)
        assert session.alive
        await session.attach()
        assert session.id in await kept.list_sessions()
        # Without keepalives Janus forgets both sessions...
        control = kept._session
        assert control is not None
        for s in (session, control):
            s._keeper.cancel()
        for _ in range(80):
            if not {session.id, control.id} & set(await kept.list_sessions()):
                break
            await asyncio.sleep(0.1)
        assert not {session.id, control.id} & set(await kept.list_sessions())
        # ... and the client opens a new control session for its next request.
        assert await kept.list_rooms() == []
        assert kept._session is not control
    finally:
        await kept.close()
        short.stop()


@needs_janus
@pytest.mark.parametrize("ws", [True, False], ids=["ws", "http"])
async def test_a_janus_restart_ends_the_sessions_and_the_next_request_opens_new_ones(
    tmp_path: Path, ws: bool
) -> None:
    """Janus forgets its sessions (and rooms) when it restarts: the client notices (its socket
    closes, or its long poll fails), no longer calls what it learnt steady, and its next
    request opens a new session on the new Janus."""
    running = RunningJanus(tmp_path)
    client = running.client(ws=ws)
    try:
        await client.create_room(4104, secret="s4", publishers=1)
        assert await client.room_exists(4104)
        before = client.steady
        assert before is not None
        mine = await client.session()
        running.restart()  # the same config and ports
        for _ in range(100):
            if client.steady != before and not mine.alive:
                break
            await asyncio.sleep(0.1)
        assert client.steady != before
        assert not mine.alive  # its waiters fail rather than wait for ever
        assert not await client.room_exists(4104)  # a new session, on the new Janus
        assert client.steady is not None and client.steady[0] is not before[0]
    finally:
        await client.close()
        running.stop()
