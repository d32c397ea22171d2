"""`/api/v1/media` and the rooms Bellwork places, through the app on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from bellwork.config import JanusServerSetting, Settings
from bellwork.media import service
from bellwork.media.local import free_port
from bellwork.media.models import MediaRoom
from bellwork.media.pool import NoMediaServer
from tests.conftest import World, make_client
from tests.media.conftest import JANUS, RunningJanus, media_app, needs_janus


async def _people(app: Any) -> tuple[Any, Any]:
    async with app.state.sessionmaker() as db:
        world = World(app=app, db=db)
        school = await world.unit("School")
        admin = await world.person("Admin", username="admin", is_admin=True)
        teacher = await world.person("Teacher", (school, "teacher"), username="teacher")
        return await world.login(admin), await world.login(teacher)


async def test_status_says_plainly_there_is_no_media_server(
    migrated: str, settings: Settings
) -> None:
    async with media_app(migrated, settings, janus_run="never") as app:
        admin, _ = await _people(app)
        r = await admin.get("/api/v1/media/status")
        assert r.status_code == 200
        assert r.json() == {
            "available": False,
            "reason": "not_configured",
            "message": "Live lessons, meetings and calls are not set up on this server.",
            "turn": False,
            "servers": [],
        }
        async with make_client(app) as anonymous:
            assert (await anonymous.get("/api/v1/media/status")).status_code == 401
    async with media_app(migrated, settings, janus_run="auto", janus_binary="/no/janus") as app:
        admin, _ = await _people(app)
        body = (await admin.get("/api/v1/media/status")).json()
        assert (body["available"], body["reason"]) == (False, "not_installed")


@needs_janus
async def test_status_with_a_server_and_one_that_is_down(
    migrated: str, settings: Settings, janus: RunningJanus
) -> None:
    gone = JanusServerSetting(name="gone", url=f"http://127.0.0.1:{free_port()}/janus")
    servers = [janus.server("sfu1"), gone]
    async with media_app(migrated, settings, janus_run="never", janus_servers=servers) as app:
        admin, teacher = await _people(app)
        body = (await admin.get("/api/v1/media/status")).json()
        assert body["available"] is True and body["reason"] is None
        states = {s["name"]: s["state"] for s in body["servers"]}
        assert states == {"sfu1": "up", "gone": "down"}
        assert next(s for s in body["servers"] if s["name"] == "gone")["error"]
        # Others see whether it works, not the servers.
        body = (await teacher.get("/api/v1/media/status")).json()
        assert body["available"] is True and body["servers"] == []
    async with media_app(migrated, settings, janus_run="never", janus_servers=[gone]) as app:
        admin, _ = await _people(app)
        body = (await admin.get("/api/v1/media/status")).json()
        assert (body["available"], body["reason"]) == (False, "down")


async def test_ice_servers_for_logged_in_people_only(migrated: str, settings: Settings) -> None:
    async with media_app(migrated, settings) as app:
        _, teacher = await _people(app)
        r = await teacher.get("/api/v1/media/ice")
        assert r.json() == {"ice_servers": [], "expires_in": None}
    turn = {
        "turn_secret": SecretStr("s3cret"),
        "turn_urls": "stun:turn.example.org:3478,turn:turn.example.org:3478",
        "turn_ttl": 3600,
    }
    async with media_app(migrated, settings, **turn) as app:
        _, teacher = await _people(app)
        r = await teacher.get("/api/v1/media/ice")
        assert r.headers["cache-control"] == "no-store"
        stun, relay = r.json()["ice_servers"]
        assert stun == {
            "urls": ["stun:turn.example.org:3478"],
            "username": None,
            "credential": None,
        }
        _expiry, person = relay["username"].split(":")
        assert person == str((await teacher.get("/api/v1/auth/me")).json()["id"])
        assert relay["credential"] and r.json()["expires_in"] == 3600
        assert (await status_of(teacher))["turn"] is True
        async with make_client(app) as anonymous:
            assert (await anonymous.get("/api/v1/media/ice")).status_code == 401


async def status_of(client: Any) -> dict[str, Any]:
    return dict((await client.get("/api/v1/media/status")).json())


@needs_janus
async def test_rooms_are_placed_kept_and_closed(
    migrated: str, settings: Settings, janus: RunningJanus
) -> None:
    gone = JanusServerSetting(name="gone", url=f"http://127.0.0.1:{free_port()}/janus")
    servers = [gone, janus.server("sfu1")]
    async with media_app(migrated, settings, janus_run="never", janus_servers=servers) as app:
        runtime = app.state.runtime
        async with runtime.sessionmaker() as db:
            room = await service.open_room(
                db, runtime, owner_kind="lesson", owner_id=7, publishers=5, description="Maths"
            )
            await db.commit()
        assert room.server == "sfu1" and 0 < room.janus_room < 2**53
        client = service.client_for(runtime, room)
        listed = {r["room"]: r for r in await client.list_rooms()}
        assert listed[room.janus_room]["max_publishers"] == 5
        assert listed[room.janus_room]["description"] == "Maths"
        async with runtime.sessionmaker() as db:
            kept = (await db.execute(select(MediaRoom))).scalar_one()
            assert (kept.owner_kind, kept.owner_id, kept.secret) == ("lesson", 7, room.secret)
            assert await service.placed_rooms(db) == {"sfu1": 1}
            await service.close_room(db, runtime, kept)
            await db.commit()
            assert kept.closed_at is not None
            assert await service.placed_rooms(db) == {}
        assert not await client.room_exists(room.janus_room)


async def test_no_room_without_a_media_server(migrated: str, settings: Settings) -> None:
    async with media_app(migrated, settings, janus_run="never") as app:
        runtime = app.state.runtime
        async with runtime.sessionmaker() as db:
            with pytest.raises(NoMediaServer, match="configured"):
                await service.open_room(db, runtime, owner_kind="call", owner_id=1, publishers=2)


@needs_janus
async def test_the_app_runs_its_own_janus_and_stops_it(migrated: str, settings: Settings) -> None:
    """What `bellwork serve` does where Janus is installed: the app's lifespan starts it from
    the config it wrote, rooms go to it (recording into the data folder), shutdown stops it."""
    async with media_app(migrated, settings, janus_run="auto", janus_binary=JANUS) as app:
        runtime = app.state.runtime
        supervisor = runtime.media.supervisor
        assert supervisor is not None
        await asyncio.wait_for(supervisor.ready.wait(), 15)
        admin, _ = await _people(app)
        body = (await admin.get("/api/v1/media/status")).json()
        assert body["available"] is True
        assert [s["name"] for s in body["servers"]] == ["local"]
        async with runtime.sessionmaker() as db:
            room = await service.open_room(
                db, runtime, owner_kind="lesson", owner_id=3, publishers=2, recording=True
            )
            await db.commit()
        assert room.server == "local" and room.rec_dir is not None
        assert Path(room.rec_dir).is_relative_to(settings.data_dir.resolve())
        pid = supervisor.state.pid
    assert pid is not None and not _alive(pid)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except OSError:
        return False
    return state != "Z"
