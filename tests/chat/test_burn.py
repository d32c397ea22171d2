"""Burn after reading: hidden until opened, deleted from the server a set time after opening,
and nothing of it left in the database's own files (SQLite: the database and its WAL;
PostgreSQL: the relation files and the WAL), the files folder, the keys folder or the logs.

Private messages are sealed with a key kept outside the database (chat/sealing.py), so these
tests look into the storage itself: plaintext that reached the database would be found there
after the burn (PostgreSQL keeps deleted rows' bytes), as the control message shows. The tests
that store files run with both files backends; the S3 bucket keeps versions, so the burned
file's ciphertext is still in it, and must be noise."""

from __future__ import annotations

import asyncio
import io
import logging
import os
import stat
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import func, select, text, update

from bellwork.chat import sealing
from bellwork.chat.burn import burn_expired
from bellwork.chat.models import Message, StoredFile
from bellwork.db.base import utcnow
from tests.chat.conftest import cmid, connect
from tests.conftest import World
from tests.stored import stored, stored_keys

both_stores = pytest.mark.parametrize("files_backend", ["local", "s3"])


def secret() -> str:
    """Unique per run, so that no other test run on the same PostgreSQL server (whose WAL is
    shared by all its databases) can have written it."""
    return f"绝密-ZEBRA-{uuid.uuid4().hex[:12]}-口令"


async def burn_now(world: World, data_dir: Path) -> int:
    """Runs a burn job's work once, now (the app runs it at each deadline)."""
    from bellwork.db.engine import scrub_sqlite
    from bellwork.db.session import unit_of_work

    async with unit_of_work(world.app.state.sessionmaker) as db:
        db.info["bus"] = world.app.state.bus
        n = await burn_expired(db, data_dir)
    if n and world.app.state.settings.is_sqlite:
        await scrub_sqlite(world.app.state.engine)
    return n


async def expire_all(world: World) -> None:
    """Time passes: pull every countdown's deadline into the past (rather than sleeping)."""
    await world.db.execute(
        update(Message).where(Message.expires_at.isnot(None)).values(expires_at=utcnow())
    )
    await world.db.commit()
    await asyncio.sleep(0.01)


def png(color: tuple[int, int, int] = (12, 34, 56)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (40, 40), color).save(buf, "PNG")
    return buf.getvalue()


def key_files(data_dir: Path) -> set[Path]:
    root = sealing.keys_dir(data_dir)
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


async def message_row(world: World, conv: int, seq: int) -> Message:
    world.db.expire_all()
    row = (
        await world.db.execute(
            select(Message).where(Message.conversation_id == conv, Message.seq == seq)
        )
    ).scalar_one()
    world.db.expunge(row)  # a snapshot: its attributes stay readable after the commit
    await world.db.commit()
    return row


class Storage:
    """Reads the database's own files: what a thief with the disk would have."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.engine = world.app.state.engine
        self.postgres = not world.app.state.settings.is_sqlite
        self.wal_start = ""

    async def start(self) -> None:
        if self.postgres:
            async with self.engine.connect() as conn:
                self.wal_start = (
                    await conn.execute(text("SELECT pg_walfile_name(pg_current_wal_lsn())"))
                ).scalar_one()

    async def _read(self, conn: Any, path: str) -> bytes:
        size = (
            await conn.execute(text("SELECT (pg_stat_file(:p, true)).size"), {"p": path})
        ).scalar()
        if not size:
            return b""
        data = (
            await conn.execute(
                text("SELECT pg_read_binary_file(:p, 0, :n, true)"), {"p": path, "n": size}
            )
        ).scalar()
        return bytes(data or b"")

    async def files(self) -> AsyncIterator[tuple[str, bytes]]:
        """(name, bytes) of every file holding this database's data, after a checkpoint."""
        if not self.postgres:
            url = self.world.app.state.settings.effective_database_url
            db_file = url.split("///", 1)[1]
            for suffix in ("", "-wal", "-shm", "-journal"):
                p = Path(db_file + suffix)
                if p.exists():
                    yield p.name, p.read_bytes()
            return
        async with self.engine.connect() as conn:
            await conn.execute(text("CHECKPOINT"))
            oid = (
                await conn.execute(
                    text("SELECT oid FROM pg_database WHERE datname = current_database()")
                )
            ).scalar_one()
            base = f"base/{oid}"
            names = (await conn.execute(text("SELECT pg_ls_dir(:d)"), {"d": base})).scalars()
            relation_files = {f"{base}/{n}" for n in names}
            # The tables that held the messages and files are among what is read.
            for table in ("message", "stored_file"):
                path = (
                    await conn.execute(text("SELECT pg_relation_filepath(:t)"), {"t": table})
                ).scalar_one()
                assert path in relation_files, (table, path)
            for path in sorted(relation_files):
                yield path, await self._read(conn, path)
            # Every WAL segment written since the test began (recycled ones get later names).
            wal = (await conn.execute(text("SELECT pg_ls_dir('pg_wal')"))).scalars()
            segments = sorted(n for n in wal if len(n) == 24 and n >= self.wal_start)
            assert segments, "no WAL segment found"
            for name in segments:
                yield f"pg_wal/{name}", await self._read(conn, f"pg_wal/{name}")

    async def find(self, *needles: bytes) -> dict[bytes, list[str]]:
        """Where each needle occurs in the database's files."""
        found: dict[bytes, list[str]] = {n: [] for n in needles}
        async for name, data in self.files():
            for n in needles:
                if n in data:
                    found[n].append(name)
        return found


@both_stores
async def test_private_message_lifecycle(
    world: World,
    school: dict[str, Any],
    data_dir: Path,
    live: str,
    caplog: pytest.LogCaptureFixture,
    files_backend: str,
    request: pytest.FixtureRequest,
) -> None:
    caplog.set_level(logging.INFO)  # what `serve` logs; never message text
    secret_text = secret()
    secret_name = f"secret-{uuid.uuid4().hex[:10]}.png"
    image = png()
    storage = Storage(world)
    await storage.start()
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
    # A control: an ordinary message's text is in the database's files, where the scan finds it.
    control = f"CTRL{uuid.uuid4().hex[:8]}"
    for _ in range(2):
        await t.post(
            f"/api/v1/conversations/{normal['id']}/messages",
            json={"client_msg_id": cmid(), "body": control},
        )
    up = await t.post(
        f"/api/v1/conversations/{conv['id']}/files",
        files={"file": (secret_name, image, "image/png")},
    )
    assert up.status_code == 201, up.text
    f = up.json()
    assert f["name"] == secret_name and f["has_thumbnail"] is True
    async with connect(live, p1) as p_ws, connect(live, t) as t_ws:
        m = (
            await t.post(
                f"/api/v1/conversations/{conv['id']}/messages",
                json={"client_msg_id": cmid(), "body": secret_text},
            )
        ).json()
        assert m["body"] == secret_text
        img = (
            await t.post(
                f"/api/v1/conversations/{conv['id']}/messages",
                json={
                    "client_msg_id": cmid(),
                    "kind": "image",
                    "file_id": f["id"],
                    "reply_to_seq": m["seq"],
                },
            )
        ).json()
        assert img["file"]["name"] == secret_name
        assert img["reply_preview"] == secret_text[:80]  # the sender sees their own quote
        live_frame = await p_ws.next("message.new")
        assert live_frame["message"]["body"] is None  # hidden until tapped
        live_img = await p_ws.next("message.new")
        assert live_img["message"]["file"] is None and live_img["message"]["reply_preview"] is None
        own = await t_ws.next("message.new")
        assert own["message"]["body"] == secret_text  # the sender's devices see their own text
        # The recipient's history hides it too; the sender sees their own text.
        theirs = (await p1.get(f"/api/v1/conversations/{conv['id']}/messages")).json()["items"]
        assert [x["body"] for x in theirs] == [None, None]
        assert theirs[1]["file"] is None and theirs[1]["reply_preview"] is None
        assert (
            await p1.get(f"/api/v1/conversations/{conv['id']}/messages", params={"q": "ZEBRA"})
        ).json()["items"] == []
        # Nor can they fetch the file by its (guessable) id before opening it.
        assert (await p1.get(f"/api/v1/files/{f['id']}")).status_code == 404
        assert (await p1.get(f"/api/v1/files/{f['id']}/thumbnail")).status_code == 404
        mine = (await t.get(f"/api/v1/conversations/{conv['id']}/messages")).json()["items"]
        assert mine[0]["body"] == secret_text and mine[1]["file"]["name"] == secret_name
        # Stored sealed: no text in the row, the key in the data folder (0600), and neither the
        # file's bytes nor its name in the files store or in the row.
        row = await message_row(world, conv["id"], m["seq"])
        assert row.body is None and row.mentions is None and row.key_id and row.sealed
        assert secret_text.encode() not in row.sealed
        key_path = sealing.key_path(data_dir, sealing.KeyRef.message(row.id, row.key_id))
        assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
        assert len(key_path.read_bytes()) == sealing.KEY_BYTES
        frow = await world.db.get(StoredFile, f["id"])
        assert frow is not None and frow.key_id and frow.name == ""
        file_key = sealing.key_path(data_dir, sealing.KeyRef.file(frow.id, frow.key_id))
        objects = [frow.storage_key, frow.thumb_key or ""]
        blobs = [await stored(world.app, k) for k in objects]
        assert all(b is not None for b in blobs) and file_key.exists()
        assert blobs[0] != image and b"PNG" not in (blobs[0] or b"")[:16]
        await world.db.commit()
        # Opening reveals it and starts the countdown; the sender hears about it.
        opened = (
            await p1.post(f"/api/v1/conversations/{conv['id']}/messages/{m['seq']}/open")
        ).json()
        assert opened["body"] == secret_text and opened["expires_at"]
        ev = await t_ws.next("message.opened")
        assert ev["seq"] == m["seq"]
        shown = (
            await p1.post(f"/api/v1/conversations/{conv['id']}/messages/{img['seq']}/open")
        ).json()
        assert shown["file"]["name"] == secret_name and shown["reply_preview"]
        got = await p1.get(f"/api/v1/files/{f['id']}")
        assert got.status_code == 200 and got.content == image
        assert got.headers["cache-control"] == "no-store"
        assert secret_name in got.headers["content-disposition"]
        thumb = await p1.get(f"/api/v1/files/{f['id']}/thumbnail")
        assert Image.open(io.BytesIO(thumb.content)).size == (40, 40)
        found = (
            await p1.get(f"/api/v1/conversations/{conv['id']}/messages", params={"q": "zebra"})
        ).json()["items"]
        assert [x["seq"] for x in found] == [m["seq"]]
        # Not yet expired: nothing burns.
        assert await burn_now(world, data_dir) == 0
        await expire_all(world)
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
    await world.db.commit()
    assert (await t.get(f"/api/v1/files/{f['id']}")).status_code == 404
    # Nothing of it remains: no key, no file, no thumbnail ...
    assert not key_path.exists() and not file_key.exists()
    assert [await stored(world.app, k) for k in objects] == [None, None]
    needles = [secret_text.encode(), secret_name.encode(), image]
    for path in data_dir.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert not any(x in content for x in needles), path
    if files_backend == "s3":
        # The bucket keeps versions: the deleted objects' bytes are still there, sealed with a
        # key that no longer exists anywhere.
        kept = request.getfixturevalue("s3_server").versions(world.app.state.settings.files_url)
        assert len(kept) == 2 and set(kept) == {b for b in blobs if b is not None}
        for blob in kept:
            assert not any(x in blob for x in needles)
    # ... nor in the database's files, where the control message is found.
    where = await storage.find(*needles, control.encode())
    assert where[control.encode()], "the scan should find an ordinary message's text"
    for needle in needles:
        assert where[needle] == [], (needle[:40], where[needle])
    assert secret_text not in caplog.text and secret_name not in caplog.text


async def test_burn_time_is_bounded(world: World, school: dict[str, Any]) -> None:
    t = await world.login(school["teacher"])
    for bad in (5, 301):
        r = await t.post(
            "/api/v1/conversations/direct",
            json={"person_id": school["p1"].id, "private": True, "burn_seconds": bad},
        )
        assert r.status_code == 422


async def test_burn_time_chosen_again_is_the_new_setting(
    world: World, school: dict[str, Any], live: str
) -> None:
    """Opening the private chat again with another time changes it for both (and both lists
    hear of it); opening it without a time, or changing it in its settings, works as well."""
    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])

    async def open_private(**extra: Any) -> dict[str, Any]:
        body = {"person_id": school["p1"].id, "private": True, **extra}
        r = await t.post("/api/v1/conversations/direct", json=body)
        assert r.status_code == 200, r.text
        return r.json()  # type: ignore[no-any-return]

    first = await open_private()
    assert first["burn_seconds"] == 30  # the default for a new private chat
    async with connect(live, p1) as sock:
        again = await open_private(burn_seconds=300)
        assert (again["id"], again["burn_seconds"]) == (first["id"], 300)
        seen = (await sock.next("conversation.updated"))["conversation"]
        assert (seen["id"], seen["burn_seconds"]) == (first["id"], 300)
    assert (await open_private())["burn_seconds"] == 300  # no time given: kept
    assert (await p1.get(f"/api/v1/conversations/{first['id']}")).json()["burn_seconds"] == 300
    r = await p1.patch(f"/api/v1/conversations/{first['id']}", json={"burn_seconds": 60})
    assert r.status_code == 200 and r.json()["burn_seconds"] == 60


async def private_chat(world: World, school: dict[str, Any]) -> tuple[Any, Any, int]:
    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    r = await t.post(
        "/api/v1/conversations/direct",
        json={"person_id": school["p1"].id, "private": True, "burn_seconds": 10},
    )
    return t, p1, r.json()["id"]


@both_stores
async def test_recalling_a_private_message_shreds_its_key(
    world: World, school: dict[str, Any], data_dir: Path
) -> None:
    t, p1, conv = await private_chat(world, school)
    text_ = secret()
    m = (
        await t.post(
            f"/api/v1/conversations/{conv}/messages",
            json={"client_msg_id": cmid(), "body": text_},
        )
    ).json()
    f = (
        await t.post(
            f"/api/v1/conversations/{conv}/files",
            files={"file": ("a.png", png(), "image/png")},
        )
    ).json()
    img = (
        await t.post(
            f"/api/v1/conversations/{conv}/messages",
            json={"client_msg_id": cmid(), "kind": "image", "file_id": f["id"]},
        )
    ).json()
    rows = [await message_row(world, conv, s) for s in (m["seq"], img["seq"])]
    keys = [sealing.key_path(data_dir, sealing.KeyRef.message(r.id, r.key_id or "")) for r in rows]
    frow = await world.db.get(StoredFile, f["id"])
    assert frow is not None and frow.key_id
    file_key = sealing.key_path(data_dir, sealing.KeyRef.file(frow.id, frow.key_id))
    await world.db.commit()
    assert all(k.exists() for k in keys) and file_key.exists()
    sealed = {frow.storage_key, frow.thumb_key}  # the sealed file and its thumbnail
    assert sealed <= await stored_keys(world.app)
    for seq in (m["seq"], img["seq"]):
        r = await t.post(f"/api/v1/conversations/{conv}/messages/{seq}/recall")
        assert r.status_code == 204
    assert not any(k.exists() for k in keys) and not file_key.exists()
    assert not sealed & await stored_keys(world.app)
    for seq in (m["seq"], img["seq"]):
        row = await message_row(world, conv, seq)
        assert row.recalled_at and row.key_id is None and row.sealed is None
    items = (await p1.get(f"/api/v1/conversations/{conv}/messages")).json()["items"]
    assert [(x["recalled"], x["body"], x["file"]) for x in items] == [(True, None, None)] * 2


@both_stores
async def test_a_lost_key_reads_as_burned(
    world: World, school: dict[str, Any], data_dir: Path
) -> None:
    """A key file that is gone (burned by another node a moment ago, or lost) makes its message
    read as burned, never an error."""
    t, p1, conv = await private_chat(world, school)
    m = (
        await t.post(
            f"/api/v1/conversations/{conv}/messages",
            json={"client_msg_id": cmid(), "body": secret()},
        )
    ).json()
    f = (
        await t.post(
            f"/api/v1/conversations/{conv}/files",
            files={"file": ("b.png", png(), "image/png")},
        )
    ).json()
    img = (
        await t.post(
            f"/api/v1/conversations/{conv}/messages",
            json={"client_msg_id": cmid(), "kind": "image", "file_id": f["id"]},
        )
    ).json()
    row = await message_row(world, conv, m["seq"])
    frow = await world.db.get(StoredFile, f["id"])
    assert frow is not None and row.key_id and frow.key_id
    await world.db.commit()
    sealing.key_path(data_dir, sealing.KeyRef.message(row.id, row.key_id)).unlink()
    sealing.key_path(data_dir, sealing.KeyRef.file(frow.id, frow.key_id)).unlink()
    r = await t.get(f"/api/v1/conversations/{conv}/messages")
    assert r.status_code == 200
    lost, pic = r.json()["items"]
    assert lost["body"] is None and lost["expires_at"] is not None
    assert pic["file"] is None  # the image's own key is there, its file's is not
    assert (await t.get("/api/v1/conversations")).status_code == 200
    assert (await t.get(f"/api/v1/files/{f['id']}")).status_code == 404
    assert (await t.get(f"/api/v1/files/{f['id']}/thumbnail")).status_code == 404
    # The recipient may still open it; it shows nothing and burns as usual.
    opened = await p1.post(f"/api/v1/conversations/{conv}/messages/{m['seq']}/open")
    assert opened.status_code == 200 and opened.json()["body"] is None
    await p1.post(f"/api/v1/conversations/{conv}/messages/{img['seq']}/open")
    await expire_all(world)
    assert await burn_now(world, data_dir) == 2
    # Sending the file again is refused: it cannot be read any more.
    r = await t.post(
        f"/api/v1/conversations/{conv}/messages",
        json={"client_msg_id": cmid(), "kind": "image", "file_id": f["id"]},
    )
    assert r.status_code == 404


async def test_orphaned_keys_are_shredded(
    world: World, school: dict[str, Any], data_dir: Path
) -> None:
    """A key whose message never committed (or whose row is gone) is shredded by the sweep;
    live keys and keys young enough to belong to a transaction still committing are kept."""
    from datetime import timedelta

    from bellwork.auth.service import Actor
    from bellwork.chat import burn, messages
    from bellwork.chat.schemas import MessageCreate
    from bellwork.org.models import Person

    t, _p1, conv = await private_chat(world, school)
    kept = (
        await t.post(
            f"/api/v1/conversations/{conv}/messages",
            json={"client_msg_id": cmid(), "body": "kept"},
        )
    ).json()
    kept_row = await message_row(world, conv, kept["seq"])
    # A send whose transaction rolls back after its key was written.
    before = key_files(data_dir)
    async with world.app.state.sessionmaker() as db:
        teacher = (
            await db.execute(select(Person).where(Person.username == "teacher"))
        ).scalar_one()
        await messages.send_message(
            db, Actor(person=teacher), conv, MessageCreate(client_msg_id=cmid(), body="lost")
        )
        await db.rollback()
    rolled_back = key_files(data_dir) - before
    assert len(rolled_back) == 1
    # One left by an earlier row with the same id, a leftover temporary file, a young orphan.
    other = sealing.KeyRef.message(kept_row.id, "ab" * 16)
    await asyncio.to_thread(sealing.write_key, data_dir, other, os.urandom(32))
    tmp = sealing.key_path(data_dir, other).with_name("m1.x.tmp-1234")
    tmp.write_bytes(b"x")
    young = sealing.KeyRef.message(10**9, "cd" * 16)
    await asyncio.to_thread(sealing.write_key, data_dir, young, os.urandom(32))
    old = 1_000_000_000.0
    live = sealing.key_path(data_dir, sealing.KeyRef.message(kept_row.id, kept_row.key_id or ""))
    for p in [*rolled_back, sealing.key_path(data_dir, other), tmp, live]:
        os.utime(p, (old, old))
    async with world.app.state.sessionmaker() as db:
        n = await burn.sweep_orphan_keys(db, data_dir, grace=timedelta(minutes=10))
    assert n == 2
    assert not any(p.exists() for p in rolled_back)
    assert not sealing.key_path(data_dir, other).exists() and not tmp.exists()
    assert live.exists() and sealing.key_path(data_dir, young).exists()
    items = (await t.get(f"/api/v1/conversations/{conv}/messages")).json()["items"]
    assert [x["body"] for x in items] == ["kept"]
    sealing.shred(data_dir, [young])


async def test_private_chat_has_no_name_or_system_messages(
    world: World, school: dict[str, Any]
) -> None:
    t, _p1, conv = await private_chat(world, school)
    r = await t.patch(f"/api/v1/conversations/{conv}", json={"burn_seconds": 60, "name": "x"})
    assert r.status_code == 403 and r.json()["code"] == "not_a_group"
    r = await t.patch(f"/api/v1/conversations/{conv}", json={"burn_seconds": 60})
    assert r.status_code == 200 and r.json()["burn_seconds"] == 60
    assert (await t.get(f"/api/v1/conversations/{conv}/messages")).json()["items"] == []
