"""Recall deletes the text and the file from the server: on SQLite, by the time the recall
answers, neither the database file nor its WAL holds the text or the file's name (the WAL is
checkpointed and truncated, secure_delete zeroed the old cells). PostgreSQL keeps old row
versions in its files until VACUUM and reuse (docs/chat.md says so): there the row itself no
longer holds them."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bellwork.chat.models import Message, StoredFile
from tests.chat.conftest import cmid, send
from tests.chat.test_burn import Storage, png, secret
from tests.conftest import World


async def test_recalled_text_and_file_name_leave_the_database_files(
    world: World, school: dict[str, Any], data_dir: Path
) -> None:
    storage = Storage(world)
    await storage.start()
    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    g = (
        await t.post(
            "/api/v1/conversations/groups", json={"name": "A", "member_ids": [school["p1"].id]}
        )
    ).json()["id"]
    control = f"CTRL{uuid.uuid4().hex[:8]}"
    await send(t, g, control)
    text_ = secret()
    name = f"secret-{uuid.uuid4().hex[:10]}.png"
    m = await send(t, g, text_)
    f = (
        await t.post(f"/api/v1/conversations/{g}/files", files={"file": (name, png((9, 99, 199)))})
    ).json()
    img = (
        await t.post(
            f"/api/v1/conversations/{g}/messages",
            json={"client_msg_id": cmid(), "kind": "image", "file_id": f["id"]},
        )
    ).json()
    assert img["file"]["name"] == name
    if not storage.postgres:
        before = await storage.find(text_.encode(), name.encode())
        assert all(before.values()), before  # written: the scan finds them
    for seq in (m["seq"], img["seq"]):
        r = await t.post(f"/api/v1/conversations/{g}/messages/{seq}/recall")
        assert r.status_code == 204
    items = (await p1.get(f"/api/v1/conversations/{g}/messages")).json()["items"]
    shown = {x["seq"]: x for x in items}
    for seq in (m["seq"], img["seq"]):
        assert shown[seq]["recalled"] is True
        assert shown[seq]["body"] is None and shown[seq]["file"] is None
    rows = (await world.db.execute(select(Message).where(Message.conversation_id == g))).scalars()
    for row in rows:
        if row.seq in (m["seq"], img["seq"]):
            assert row.body is None and row.file_id is None and row.recalled_at is not None
    assert await world.db.get(StoredFile, f["id"]) is None
    await world.db.commit()
    assert (await p1.get(f"/api/v1/files/{f['id']}")).status_code == 404
    if storage.postgres:
        return  # old row versions stay in the files until VACUUM and reuse (docs/chat.md)
    where = await storage.find(text_.encode(), name.encode(), control.encode())
    assert where[control.encode()], "the scan should find an ordinary message's text"
    assert where[text_.encode()] == [] and where[name.encode()] == [], where
