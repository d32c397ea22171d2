"""The unread total over all of one's conversations (GET /api/v1/conversations/unread)."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import event, select

from bellwork.chat.models import Conversation, ConversationMember
from tests.chat.conftest import send
from tests.conftest import World


async def unread(c: httpx.AsyncClient, cursor: str | None = None) -> dict[str, int]:
    r = await c.get("/api/v1/conversations/unread", params={"cursor": cursor} if cursor else {})
    assert r.status_code == 200, r.text
    body: dict[str, int] = r.json()
    return body


async def pages(c: httpx.AsyncClient, limit: int = 50) -> list[dict[str, Any]]:
    """Every page of one's conversation list: the items and the cursor after them."""
    out: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        body = (await c.get("/api/v1/conversations", params=params)).json()
        out.append(body)
        cursor = body["next_cursor"]
        if cursor is None:
            return out


def sums(items: list[dict[str, Any]]) -> dict[str, int]:
    """What the total must be: the conversations' own `unread` counts, muted ones apart."""
    return {
        "unread": sum(x["unread"] for x in items if not x["muted"]),
        "muted_unread": sum(x["unread"] for x in items if x["muted"]),
    }


async def test_unread_on_a_later_page_is_in_the_total(world: World, school: dict[str, Any]) -> None:
    """The one unread message is in the oldest of more conversations than a page holds: the
    first page shows no unread, the total does."""
    p1 = await world.login(school["p1"])
    t = await world.login(school["teacher"])
    old = (
        await t.post(
            "/api/v1/conversations/groups",
            json={"name": "旧群", "member_ids": [school["p1"].id]},
        )
    ).json()
    await send(p1, old["id"], "老师好")
    assert await unread(t) == {"unread": 1, "muted_unread": 0}
    for i in range(50):
        r = await t.post("/api/v1/conversations/groups", json={"name": f"新群{i}"})
        assert r.status_code == 201
    first = (await t.get("/api/v1/conversations")).json()
    assert len(first["items"]) == 50 and first["next_cursor"] is not None
    assert old["id"] not in [x["id"] for x in first["items"]]
    assert sum(x["unread"] for x in first["items"]) == 0
    assert await unread(t) == {"unread": 1, "muted_unread": 0}
    # With the first page's cursor: the part of the list not loaded yet holds that one.
    assert await unread(t, first["next_cursor"]) == {"unread": 1, "muted_unread": 0}
    # Another message there, and the teacher reads it all: nothing is left.
    await send(p1, old["id"], "在吗")
    assert (await unread(t))["unread"] == 2
    r = await t.post(f"/api/v1/conversations/{old['id']}/read", json={"seq": 10**6})
    assert r.status_code == 200 and r.json()["unread"] == 0
    assert await unread(t) == {"unread": 0, "muted_unread": 0}


async def test_total_is_the_sum_of_the_conversations_counts(
    world: World, school: dict[str, Any]
) -> None:
    """Own messages do not count, messages from before one joined do not count, a muted
    conversation counts apart (its own `unread` still says how many), departed and dissolved
    conversations do not count; with a cursor, only the conversations after it."""
    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    p2 = await world.login(school["p2"])
    members = [school["p1"].id]
    a = await t.post("/api/v1/conversations/groups", json={"name": "甲", "member_ids": members})
    b = await t.post("/api/v1/conversations/groups", json={"name": "乙", "member_ids": members})
    ga, gb = a.json()["id"], b.json()["id"]
    d = (await t.post("/api/v1/conversations/direct", json={"person_id": school["p1"].id})).json()
    for i in range(3):
        await send(t, ga, f"甲{i}")
    await send(t, gb, "乙0")
    await send(t, d["id"], "单聊")
    await send(p1, ga, "收到")  # sending reads everything before it
    # The teacher's own messages are read; p1's reply is not.
    assert await unread(t) == {"unread": 1, "muted_unread": 0}
    # p1: nothing in 甲 (read by replying), 2 in 乙 (the group's creation notice counts, as in
    # the conversation's own count), 1 in the direct chat.
    assert await unread(p1) == {"unread": 3, "muted_unread": 0}
    assert await unread(p1) == sums((await p1.get("/api/v1/conversations")).json()["items"])

    # p2 joins 甲 after its history: only what comes after the joining counts.
    r = await t.post(f"/api/v1/conversations/{ga}/members", json={"person_ids": [school["p2"].id]})
    assert r.status_code == 200
    before = await unread(p2)
    await send(t, ga, "欢迎")
    assert (await unread(p2))["unread"] == before["unread"] + 1
    listed = (await p2.get("/api/v1/conversations")).json()["items"]
    assert await unread(p2) == sums(listed)

    # Muting 乙 moves its count apart; the conversation still reports it.
    r = await p1.put(f"/api/v1/conversations/{gb}/mute", json={"muted": True})
    assert r.json()["muted"] is True and r.json()["unread"] == 2
    await send(t, gb, "乙1")
    # p1 now: 2 in 甲 (the joining notice and 欢迎), 1 in the direct chat; 3 in muted 乙.
    assert await unread(p1) == {"unread": 3, "muted_unread": 3}
    assert await unread(p1) == sums([x for p in await pages(p1) for x in p["items"]])
    # Per page, the cursor's total is what the later pages hold.
    paged = await pages(p1, limit=1)
    assert len(paged) == 3
    for i, page in enumerate(paged[:-1]):
        later = [x for p in paged[i + 1 :] for x in p["items"]]
        assert await unread(p1, page["next_cursor"]) == sums(later)

    # Leaving 甲 and the dissolving of 乙 take theirs away.
    assert (await p1.post(f"/api/v1/conversations/{ga}/leave")).status_code == 204
    assert (await t.post(f"/api/v1/conversations/{gb}/dissolve")).status_code == 204
    assert await unread(p1) == {"unread": 1, "muted_unread": 0}
    assert await unread(p1) == sums((await p1.get("/api/v1/conversations")).json()["items"])


async def test_sql_and_python_unread_agree(world: World, school: dict[str, Any]) -> None:
    """The total adds `ConversationMember.unread_sql`; the conversations show `unread`. The two
    give the same for every order of read cursor, joining point and last seq."""
    t = await world.login(school["teacher"])
    g = (await t.post("/api/v1/conversations/groups", json={"name": "丙"})).json()
    conv = await world.db.get(Conversation, g["id"])
    me = (
        await world.db.execute(
            select(ConversationMember).where(ConversationMember.conversation_id == g["id"])
        )
    ).scalar_one()
    assert conv is not None
    cases = [(0, 0, 0), (5, 0, 0), (5, 2, 0), (5, 0, 3), (5, 4, 3), (5, 3, 4), (5, 7, 0), (5, 0, 9)]
    for last_seq, last_read, joined in cases:
        conv.last_seq, me.last_read_seq, me.joined_seq = last_seq, last_read, joined
        await world.db.flush()
        in_sql = (
            await world.db.execute(
                select(ConversationMember.unread_sql(Conversation.last_seq))
                .select_from(ConversationMember)
                .join(Conversation, Conversation.id == ConversationMember.conversation_id)
                .where(ConversationMember.id == me.id)
            )
        ).scalar_one()
        assert in_sql == me.unread(last_seq), (last_seq, last_read, joined)
        await world.db.commit()
        listed = (await t.get("/api/v1/conversations")).json()["items"]
        assert [x["unread"] for x in listed] == [in_sql]
        assert await unread(t) == {"unread": in_sql, "muted_unread": 0}


async def test_total_is_one_query(world: World, school: dict[str, Any]) -> None:
    """However many conversations: one statement over one's memberships."""
    from bellwork.chat import listing

    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    for i in range(30):
        g = await t.post(
            "/api/v1/conversations/groups",
            json={"name": f"群{i}", "member_ids": [school["p1"].id]},
        )
        await send(t, g.json()["id"], "hi")
    statements: list[str] = []

    def count(_c: Any, _cur: Any, sql: str, *_a: Any) -> None:
        statements.append(sql)

    engine = world.db.bind.sync_engine  # type: ignore[union-attr]
    event.listen(engine, "before_cursor_execute", count)
    try:
        total = await listing.unread_total(world.db, school["p1"].id)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert total.unread == 60  # the group's creation notice and the message, in each
    assert len(statements) == 1, statements
    assert await unread(p1) == {"unread": 60, "muted_unread": 0}


async def test_unread_total_errors(world: World, school: dict[str, Any], client: Any) -> None:
    from bellwork.core.schemas import encode_cursor

    r = await client.get("/api/v1/conversations/unread")
    assert r.status_code == 401
    t = await world.login(school["teacher"])
    for bad in ("not-a-cursor!", encode_cursor(["2026-01-01T00:00:00", 1])):
        r = await t.get("/api/v1/conversations/unread", params={"cursor": bad})
        assert r.status_code == 422 and r.json()["code"] == "bad_cursor"
        assert r.json()["title"] == "The page cursor is invalid."
