"""Forwarding's pieces: what a card shows, the ids a forward gives its messages, and forwarded
files sharing bytes — deleted with the last row naming them, also when two transactions race
(PostgreSQL; SQLite's writers take turns)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bellwork.chat import files as filestore
from bellwork.chat.forwarding import derived_id
from bellwork.chat.models import StoredFile
from bellwork.chat.shaping import CARD_PREVIEW, PREVIEW, card_out
from bellwork.db.session import unit_of_work
from tests.chat.conftest import cmid
from tests.conftest import World
from tests.stored import stored


def test_card_shows_its_title_size_and_first_lines_cut_short() -> None:
    at = datetime(2026, 3, 1, tzinfo=UTC).isoformat()
    items = [
        {"sender": {"id": 1, "name": "张三"}, "created_at": at, "kind": "text", "text": "字" * 500}
        for _ in range(7)
    ]
    card = card_out({"source": {"kind": "group", "name": "教研组"}, "items": items})
    assert card is not None
    assert card.count == 7 and len(card.preview) == CARD_PREVIEW
    assert card.source.kind == "group" and card.source.name == "教研组"
    assert all(i.text is not None and len(i.text) == PREVIEW for i in card.preview)
    assert card_out(None) is None


def test_each_message_of_a_forward_has_an_id_of_its_own() -> None:
    ids = {derived_id("abc", t, n) for t in (7, 70) for n in range(3)}
    assert len(ids) == 6 and derived_id("abc", 7, 0) == "abc/7/0"
    assert all(len(derived_id("x" * 40, 2**63 - 1, 100)) <= 64 for _ in range(1))


async def test_a_private_file_is_never_shared(world: World, db: Any) -> None:
    f = StoredFile(
        name="",
        content_type="image/png",
        size=1,
        sha256="0",
        storage_key="k",
        key_id="sealed",
    )
    with pytest.raises(ValueError):
        await filestore.share(db, f, 1, 2)


async def _shared(world: World, school: dict[str, Any]) -> tuple[int, int, str]:
    """A file sent in one chat and forwarded to another: the two rows' ids and their key."""
    t = await world.login(school["teacher"])
    source = (
        await t.post("/api/v1/conversations/direct", json={"person_id": school["p1"].id})
    ).json()["id"]
    target = (
        await t.post("/api/v1/conversations/direct", json={"person_id": school["p2"].id})
    ).json()["id"]
    f = (
        await t.post(
            f"/api/v1/conversations/{source}/files",
            files={"file": ("a.pdf", b"%PDF-1.7 shared", "application/pdf")},
        )
    ).json()
    m = (
        await t.post(
            f"/api/v1/conversations/{source}/messages",
            json={"client_msg_id": cmid(), "kind": "file", "file_id": f["id"]},
        )
    ).json()
    r = await t.post(
        "/api/v1/forward",
        json={
            "client_msg_id": cmid(),
            "conversation_id": source,
            "seqs": [m["seq"]],
            "targets": [target],
        },
    )
    copy = r.json()["messages"][0]["file"]["id"]
    row = await world.db.get(StoredFile, f["id"])
    assert row is not None
    return f["id"], copy, row.storage_key


def _postgres_only(backend: str) -> None:
    if backend != "postgres":
        pytest.skip("SQLite's writers take turns: no two deletions overlap")


async def test_two_copies_deleted_at_once_delete_the_bytes(
    world: World, school: dict[str, Any], backend: str, data_dir: Path
) -> None:
    _postgres_only(backend)
    original, copy, key = await _shared(world, school)
    factory = world.app.state.runtime.sessionmaker
    first_in = asyncio.Event()

    async def first() -> None:
        async with unit_of_work(factory) as s:
            await filestore.delete_file(s, data_dir, original)
            first_in.set()
            await asyncio.sleep(0.3)  # the other waits for this transaction

    async def second() -> None:
        await first_in.wait()
        async with unit_of_work(factory) as s:
            await filestore.delete_file(s, data_dir, copy)

    await asyncio.gather(first(), second())
    assert await stored(world.app, key) is None


async def test_a_recall_while_a_forward_shares_the_file_keeps_the_bytes(
    world: World, school: dict[str, Any], backend: str, data_dir: Path
) -> None:
    _postgres_only(backend)
    original, copy, key = await _shared(world, school)
    factory = world.app.state.runtime.sessionmaker
    shared = asyncio.Event()

    async def forward_again() -> None:
        async with unit_of_work(factory) as s:
            found = await filestore.lock_for_sharing(s, {original})
            there = await s.get(StoredFile, copy)
            assert there is not None and there.conversation_id is not None
            row = await filestore.share(
                s, found[original], there.owner_id or 0, there.conversation_id
            )
            s.add(row)
            await s.flush()
            shared.set()
            await asyncio.sleep(0.3)

    async def recall() -> None:
        await shared.wait()
        async with unit_of_work(factory) as s:
            await filestore.delete_file(s, data_dir, original)
            await filestore.delete_file(s, data_dir, copy)

    await asyncio.gather(forward_again(), recall())
    assert await stored(world.app, key) == b"%PDF-1.7 shared"  # the new row still names them
