"""Migration 0009 fills in the @-mention markers from the messages already stored: after the
upgrade, a mention still unread shows its marker as if it had been posted by today's code."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from sqlalchemy import select

from tests.conftest import PG_ADMIN_DSN, insert_before


@contextlib.asynccontextmanager
async def fresh_url(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'old.sqlite3'}"
        return
    import asyncpg

    name = f"bellwork_mig_{os.getpid()}_{uuid.uuid4().hex[:6]}"

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(PG_ADMIN_DSN)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    await admin(f'CREATE DATABASE "{name}"')
    host = PG_ADMIN_DSN.split("://", 1)[1].rsplit("/", 1)[0]
    try:
        yield f"postgresql+asyncpg://{host}/{name}"
    finally:
        await admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def test_migration_0009_fills_in_the_markers(tmp_path: Path, backend: str) -> None:
    from bellwork.chat.models import Conversation, ConversationMember, Message
    from bellwork.db.base import utcnow
    from bellwork.db.engine import make_engine
    from bellwork.db.migrate import upgrade
    from bellwork.org.models import Person

    now = utcnow()
    async with fresh_url(backend, tmp_path) as url:
        await upgrade(url, "0008")
        engine = make_engine(url)
        try:
            person = {"must_change_password": False, "is_admin": False, "created_at": now}
            conv = {"kind": "group", "member_count": 3, "last_message_at": now, "private": False}

            def msg(cid: int, seq: int, mentions: Any, recalled: bool = False) -> dict[str, Any]:
                return {
                    "conversation_id": cid,
                    "seq": seq,
                    "sender_id": 1,
                    "kind": "text",
                    "body": f"{seq}",
                    "mentions": mentions,
                    "created_at": now,
                    "recalled_at": now if recalled else None,
                }

            async with engine.begin() as c:
                await c.execute(
                    Person.__table__.insert(),
                    [
                        {"id": i, "name": n, "sort_key": n, **person, "updated_at": now}
                        for i, n in ((1, "老师"), (2, "家长甲"), (3, "家长乙"))
                    ],
                )
                await c.execute(
                    insert_before(Conversation, "join_mode"),
                    [{"id": 10, "name": "甲", "last_seq": 5, **conv}],
                )
                await c.execute(
                    insert_before(Conversation, "join_mode"),
                    [{"id": 11, "name": "乙", "last_seq": 1, **conv}],
                )
                await c.execute(
                    ConversationMember.__table__.insert(),
                    [
                        {"conversation_id": cid, "person_id": p, "last_read_seq": read}
                        for cid, p, read in (
                            (10, 1, 5),
                            (10, 2, 0),
                            (10, 3, 4),
                            (11, 1, 1),
                            (11, 2, 0),
                            (11, 3, 0),
                        )
                    ],
                )
                await c.execute(
                    Message.__table__.insert(),
                    [
                        msg(10, 1, [2]),
                        msg(10, 2, ["all"]),
                        msg(10, 3, [2, 3]),
                        msg(10, 4, None),
                        msg(10, 5, [3], recalled=True),  # recalled: its mentions are gone
                        msg(11, 1, None),
                    ],
                )
            await upgrade(url)
            async with engine.connect() as c:
                alls = dict(
                    (await c.execute(select(Conversation.id, Conversation.mention_all_seq))).all()
                )
                named = {
                    (cid, p): seq
                    for cid, p, seq in await c.execute(
                        select(
                            ConversationMember.conversation_id,
                            ConversationMember.person_id,
                            ConversationMember.mention_seq,
                        )
                    )
                }
            assert alls == {10: 2, 11: None}
            assert named == {
                (10, 1): None,
                (10, 2): 3,
                (10, 3): 3,  # read already (last_read_seq 4): shown as none
                (11, 1): None,
                (11, 2): None,
                (11, 3): None,
            }
        finally:
            await engine.dispose()
