"""Burn after reading: hidden until opened, deleted from the server a set time after opening,
and nothing of it left in the database files, the files folder or the logs."""

from __future__ import annotations

import asyncio
import io
import logging
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import func, select

from bellwork.chat.models import Message
from bellwork.chat.service import burn_expired
from tests.chat.conftest import cmid, connect
from tests.conftest import World

SECRET = "绝密-ZEBRA-8841-口令"


async def burn_now(world: World, data_dir: Path) -> int:
    """Runs the sweeper's work once (the app also runs it every second)."""
    from bellwork.db.session import unit_of_work
    from bellwork.jobs.sweeper import scrub_sqlite

    async with unit_of_work(world.app.state.sessionmaker) as db:
        db.info["bus"] = world.app.state.bus
        n = await burn_expired(db, data_dir)
    if n and world.app.state.settings.is_sqlite:
        await scrub_sqlite(world.app.state.engine)
    return n


async def test_private_message_lifecycle(
    world: World,
    school: dict[str, Any],
    data_dir: Path,
    live: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)  # what `serve` logs; never message text
    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    r = await t.post(
        "/api/v1/conversations/direct",
        json={"person_id": school["p1"].id, "private": True, "burn_seconds": 10},
    )
    conv = r.json()
    assert conv["private"] is True and conv["burn_seconds"] == 10
    normal = (
        await t.post("/api/v1/conversations/direct", json={"person_id": school["p1"].id})
    ).json()
    assert normal["id"] != conv["id"]  # the private chat is a separate conversation
    buf = io.BytesIO()
    Image.new("RGB", (40, 40)).save(buf, "PNG")
    f = (
        await t.post(
            f"/api/v1/conversations/{conv['id']}/files",
            files={"file": ("secret.png", buf.getvalue(), "image/png")},
        )
    ).json()
    async with connect(live, p1) as p_ws, connect(live, t) as t_ws:
        m = (
            await t.post(
                f"/api/v1/conversations/{conv['id']}/messages",
                json={"client_msg_id": cmid(), "body": SECRET},
            )
        ).json()
        img = (
            await t.post(
                f"/api/v1/conversations/{conv['id']}/messages",
                json={"client_msg_id": cmid(), "kind": "image", "file_id": f["id"]},
            )
        ).json()
        live_frame = await p_ws.next("message.new")
        assert live_frame["message"]["body"] is None  # hidden until tapped
        own = await t_ws.next("message.new")
        assert own["message"]["body"] == SECRET  # the sender's devices see their own text
        # The recipient's history hides it too; the sender sees their own text.
        theirs = (await p1.get(f"/api/v1/conversations/{conv['id']}/messages")).json()["items"]
        assert [x["body"] for x in theirs] == [None, None]
        assert theirs[1]["file"] is None
        assert (
            await p1.get(f"/api/v1/conversations/{conv['id']}/messages", params={"q": "ZEBRA"})
        ).json()["items"] == []
        mine = (await t.get(f"/api/v1/conversations/{conv['id']}/messages")).json()["items"]
        assert mine[0]["body"] == SECRET
        # Opening reveals it and starts the countdown; the sender hears about it.
        opened = (
            await p1.post(f"/api/v1/conversations/{conv['id']}/messages/{m['seq']}/open")
        ).json()
        assert opened["body"] == SECRET and opened["expires_at"]
        ev = await t_ws.next("message.opened")
        assert ev["seq"] == m["seq"]
        await p1.post(f"/api/v1/conversations/{conv['id']}/messages/{img['seq']}/open")
        # Not yet expired: nothing burns.
        assert await burn_now(world, data_dir) == 0
        # Time passes (pull the deadline into the past rather than sleeping 10 s).
        from sqlalchemy import update

        from bellwork.db.base import utcnow

        await world.db.execute(
            update(Message).where(Message.expires_at.isnot(None)).values(expires_at=utcnow())
        )
        await world.db.commit()
        await asyncio.sleep(0.01)
        assert await burn_now(world, data_dir) == 2
        gone = await p_ws.next("message.deleted")
        assert gone["conversation_id"] == conv["id"]
    left = (await t.get(f"/api/v1/conversations/{conv['id']}/messages")).json()["items"]
    assert left == []
    n = (
        await world.db.execute(
            select(func.count()).select_from(Message).where(Message.conversation_id == conv["id"])
        )
    ).scalar_one()
    assert n == 0
    # Nothing of it remains in the storage itself.
    secret = SECRET.encode()
    for path in data_dir.rglob("*"):
        if path.is_file():
            assert secret not in path.read_bytes(), path
    files_left = [p for p in (data_dir / "files").rglob("*") if p.is_file()]
    assert not [p for p in files_left if p.stat().st_size and b"secret" in p.name.encode()]
    assert (await t.get(f"/api/v1/files/{f['id']}")).status_code == 404
    url = world.app.state.settings.effective_database_url
    if url.startswith("sqlite"):
        db_file = Path(url.split("///", 1)[1])
        for suffix in ("", "-wal", "-shm"):
            p = Path(str(db_file) + suffix)
            if p.exists():
                assert secret not in p.read_bytes(), p
    assert SECRET not in caplog.text


async def test_burn_time_is_bounded(world: World, school: dict[str, Any]) -> None:
    t = await world.login(school["teacher"])
    for bad in (5, 301):
        r = await t.post(
            "/api/v1/conversations/direct",
            json={"person_id": school["p1"].id, "private": True, "burn_seconds": bad},
        )
        assert r.status_code == 422
