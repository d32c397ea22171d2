"""An id is never given twice, on SQLite as on PostgreSQL: SQLite hands the highest rowid out
again once its row is deleted (a recalled file, a burned message) unless the table is
AUTOINCREMENT, so a link, cursor or key file naming the old id would name the new row.
Migration 0006 rebuilds the existing tables so; new ones get it from `db.base.Base`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from bellwork.chat.models import Message, StoredFile
from tests.chat.conftest import cmid, send
from tests.chat.test_burn import burn_now, expire_all, png
from tests.conftest import World, insert_before


async def test_a_deleted_file_or_message_id_is_not_given_again(
    world: World, school: dict[str, Any], data_dir: Path
) -> None:
    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    conv = (
        await t.post("/api/v1/conversations/direct", json={"person_id": school["p1"].id})
    ).json()["id"]
    # The highest file id goes with its recalled message ...
    first = (
        await t.post(
            f"/api/v1/conversations/{conv}/files", files={"file": ("a.png", png((7, 77, 177)))}
        )
    ).json()
    m = (
        await t.post(
            f"/api/v1/conversations/{conv}/messages",
            json={"client_msg_id": cmid(), "kind": "image", "file_id": first["id"]},
        )
    ).json()
    await t.post(f"/api/v1/conversations/{conv}/messages/{m['seq']}/recall")
    assert await world.db.get(StoredFile, first["id"]) is None
    await world.db.commit()
    # ... and the next upload does not get it: the old link still says "not found".
    second = (
        await t.post(
            f"/api/v1/conversations/{conv}/files", files={"file": ("b.png", png((8, 88, 188)))}
        )
    ).json()
    assert second["id"] > first["id"]
    assert (await p1.get(f"/api/v1/files/{first['id']}")).status_code == 404
    # The highest message row burns; the next message gets a new id.
    private = (
        await t.post(
            "/api/v1/conversations/direct",
            json={"person_id": school["p1"].id, "private": True, "burn_seconds": 10},
        )
    ).json()["id"]
    secret = await send(t, private, "阅后即焚")
    burned_id = (
        await world.db.execute(
            select(Message.id).where(
                Message.conversation_id == private, Message.seq == secret["seq"]
            )
        )
    ).scalar_one()
    assert (
        burned_id
        == (await world.db.execute(select(Message.id).order_by(Message.id.desc()))).scalar()
    )
    await world.db.commit()
    await p1.post(f"/api/v1/conversations/{private}/messages/{secret['seq']}/open")
    await expire_all(world)
    assert await burn_now(world, data_dir) == 1
    after = await send(t, private, "下一条")
    new_id = (
        await world.db.execute(
            select(Message.id).where(
                Message.conversation_id == private, Message.seq == after["seq"]
            )
        )
    ).scalar_one()
    await world.db.commit()
    assert new_id > burned_id


def _shape(sync: Any) -> dict[str, Any]:
    """Each table's columns, indexes and foreign keys as SQLite reports them."""
    out: dict[str, Any] = {}
    tables = sync.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table'"
        " AND name NOT IN ('alembic_version', 'sqlite_sequence')"
    ).all()
    for name, sql in tables:
        indexes = set()
        for _seq, iname, unique, _origin, _partial in sync.exec_driver_sql(
            f'PRAGMA index_list("{name}")'
        ).all():
            cols = tuple(r[2] for r in sync.exec_driver_sql(f'PRAGMA index_info("{iname}")'))
            indexes.add((unique, cols))
        out[name] = {
            "columns": [tuple(r) for r in sync.exec_driver_sql(f'PRAGMA table_info("{name}")')],
            "indexes": indexes,
            "fks": sorted(
                tuple(r)[2:] for r in sync.exec_driver_sql(f'PRAGMA foreign_key_list("{name}")')
            ),
            "autoincrement": "AUTOINCREMENT" in sql.upper(),
        }
    return out


async def test_migration_0006_rebuilds_sqlite_tables_and_keeps_every_row(
    tmp_path: Path, backend: str
) -> None:
    if backend != "sqlite":
        pytest.skip("SQLite's tables only (PostgreSQL's sequences never go back)")
    from bellwork.chat.models import Conversation, ConversationMember
    from bellwork.db.base import Base, utcnow
    from bellwork.db.engine import make_engine
    from bellwork.db.migrate import upgrade
    from bellwork.org.models import Membership, Person, Unit

    url = f"sqlite+aiosqlite:///{tmp_path / 'old.sqlite3'}"
    await upgrade(url, "0005")
    now = utcnow()
    engine = make_engine(url)
    person = {"must_change_password": False, "is_admin": False, "created_at": now}
    try:
        async with engine.begin() as conn:
            await conn.execute(
                Unit.__table__.insert(),
                [
                    {"id": 1, "kind": "school", "name": "实验小学", "path": "/1/", "depth": 0},
                    {
                        "id": 7,
                        "kind": "class",
                        "name": "1班",
                        "path": "/1/7/",
                        "depth": 1,
                        "parent_id": 1,
                    },
                ],
            )
            await conn.execute(
                Person.__table__.insert(),
                [
                    {"id": 3, "name": "王老师", "sort_key": "wang", **person, "updated_at": now},
                    {"id": 9, "name": "家长", "sort_key": "jia", **person, "updated_at": now},
                ],
            )
            await conn.execute(
                Membership.__table__.insert(),
                [
                    {"id": 1, "person_id": 3, "unit_id": 7, "role": "teacher"},
                    {"id": 2, "person_id": 9, "unit_id": 7, "role": "guardian"},
                ],
            )
            await conn.execute(
                insert_before(Conversation, "join_mode"),
                [
                    {
                        "id": 4,
                        "kind": "group",
                        "name": "A",
                        "last_seq": 2,
                        "member_count": 2,
                        "last_message_at": now,
                        "private": False,
                    }
                ],
            )
            await conn.execute(
                ConversationMember.__table__.insert(),
                [{"id": 5 + i, "conversation_id": 4, "person_id": p} for i, p in enumerate((3, 9))],
            )
            await conn.execute(
                Message.__table__.insert(),
                [
                    {
                        "id": 10,
                        "conversation_id": 4,
                        "seq": 1,
                        "sender_id": 3,
                        "kind": "text",
                        "body": "一",
                        "created_at": now,
                    },
                    {
                        "id": 11,
                        "conversation_id": 4,
                        "seq": 2,
                        "sender_id": 9,
                        "kind": "text",
                        "body": "二",
                        "created_at": now,
                    },
                ],
            )
            # The highest message was deleted before the migration: its id is gone already.
            await conn.execute(text("DELETE FROM message WHERE id = 11"))
        await upgrade(url)
        async with engine.begin() as conn:
            counts = {
                t: (await conn.execute(text(f"SELECT count(*) FROM {t}"))).scalar()
                for t in ("unit", "person", "membership", "conversation", "message")
            }
            assert counts == {
                "unit": 2,
                "person": 2,
                "membership": 2,
                "conversation": 1,
                "message": 1,
            }
            assert (await conn.execute(text("SELECT count(*) FROM conversation_member"))).scalar()
            seqs = dict((await conn.execute(text("SELECT name, seq FROM sqlite_sequence"))).all())
            assert (seqs["unit"], seqs["person"], seqs["message"]) == (7, 9, 10)
            # No id comes back: delete the highest message and write another.
            await conn.execute(text("DELETE FROM message WHERE id = 10"))
            new = await conn.execute(
                Message.__table__.insert().returning(Message.__table__.c.id),
                {
                    "conversation_id": 4,
                    "seq": 3,
                    "sender_id": 3,
                    "kind": "text",
                    "body": "三",
                    "created_at": now,
                },
            )
            assert new.scalar_one() == 11
            # The foreign keys still hold, and still cascade.
            assert (await conn.execute(text("PRAGMA foreign_keys"))).scalar() == 1
            assert (await conn.execute(text("PRAGMA foreign_key_check"))).all() == []
            await conn.execute(text("DELETE FROM person WHERE id = 9"))
            left = (await conn.execute(text("SELECT person_id FROM membership"))).scalars().all()
            assert left == [3]
            migrated = await conn.run_sync(_shape)
        # The same tables as a database made from today's models.
        fresh_engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'fresh.sqlite3'}")
        try:
            async with fresh_engine.begin() as conn:
                await conn.run_sync(Base.metadata.create_all)
                fresh = await conn.run_sync(_shape)
        finally:
            await fresh_engine.dispose()
        assert set(migrated) == set(fresh)
        for name in fresh:
            assert migrated[name]["autoincrement"] and fresh[name]["autoincrement"], name
            assert migrated[name] == fresh[name], name
    finally:
        await engine.dispose()
