"""Chat habits of a DingTalk user (issue 10, item 6): "[有人@我]" / "[@所有人]" markers in the
conversation list, pinned conversations (置顶) first, mute and pin live to one's other tabs."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import update

from bellwork.chat.models import Conversation
from bellwork.core.schemas import encode_cursor
from tests.chat.conftest import connect, send
from tests.conftest import World


async def listed(c: httpx.AsyncClient, **params: Any) -> dict[int, dict[str, Any]]:
    r = await c.get("/api/v1/conversations", params={"limit": 200, **params})
    assert r.status_code == 200, r.text
    return {x["id"]: x for x in r.json()["items"]}


async def markers(c: httpx.AsyncClient, conv: int) -> tuple[int | None, int | None]:
    x = (await listed(c))[conv]
    one = (await c.get(f"/api/v1/conversations/{conv}")).json()
    assert (one["mention_seq"], one["mention_all_seq"]) == (x["mention_seq"], x["mention_all_seq"])
    return x["mention_seq"], x["mention_all_seq"]


async def group(t: httpx.AsyncClient, name: str, members: list[int]) -> int:
    r = await t.post("/api/v1/conversations/groups", json={"name": name, "member_ids": members})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


async def test_mentions_mark_the_list_until_read(world: World, school: dict[str, Any]) -> None:
    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    p2 = await world.login(school["p2"])
    g = await group(t, "家委会", [school["p1"].id, school["p2"].id])
    plain = await send(t, g, "大家好")
    assert await markers(p1, g) == (None, None)

    named = await send(t, g, "@家长1 请确认", mentions=[school["p1"].id])
    assert await markers(p1, g) == (named["seq"], None)
    assert await markers(p2, g) == (None, None)  # not named
    assert await markers(t, g) == (None, None)  # the sender's own

    everyone = await send(t, g, "@所有人 周五开会", mentions=["all"])
    assert await markers(p1, g) == (named["seq"], everyone["seq"])  # both: "[有人@我]" wins
    assert await markers(p2, g) == (None, everyone["seq"])
    assert await markers(t, g) == (None, None)

    # Reading up to the named mention clears it; the @all after it is still unread.
    r = await p1.post(f"/api/v1/conversations/{g}/read", json={"seq": named["seq"]})
    assert r.status_code == 200
    assert await markers(p1, g) == (None, everyone["seq"])
    # Reading what came before a mention leaves it.
    await p2.post(f"/api/v1/conversations/{g}/read", json={"seq": plain["seq"]})
    assert await markers(p2, g) == (None, everyone["seq"])
    await p2.post(f"/api/v1/conversations/{g}/read", json={"seq": everyone["seq"]})
    assert await markers(p2, g) == (None, None)

    # A newer mention replaces an older one that is still unread.
    again = await send(t, g, "@家长1 还有一件事", mentions=[school["p1"].id])
    newer = await send(t, g, "@家长1 @家长2 看这里", mentions=[school["p1"].id, school["p2"].id])
    assert await markers(p1, g) == (newer["seq"], everyone["seq"])
    assert again["seq"] < newer["seq"]
    # Replying (one's own message) reads everything: every marker goes.
    await send(p1, g, "收到")
    assert await markers(p1, g) == (None, None)
    assert await markers(p2, g) == (newer["seq"], None)


async def test_a_newcomer_sees_no_marker_from_before(world: World, school: dict[str, Any]) -> None:
    t = await world.login(school["teacher"])
    g = await group(t, "班委", [school["p1"].id])
    await send(t, g, "@所有人 第一次", mentions=["all"])
    await send(t, g, "@家长1", mentions=[school["p1"].id])
    r = await t.post(f"/api/v1/conversations/{g}/members", json={"person_ids": [school["p2"].id]})
    assert r.json()["added"] == [school["p2"].id]
    p2 = await world.login(school["p2"])
    assert await markers(p2, g) == (None, None)
    # One who leaves and is added again: what was said meanwhile is not theirs.
    await t.delete(f"/api/v1/conversations/{g}/members/{school['p1'].id}")
    await send(t, g, "@所有人 第二次", mentions=["all"])
    await t.post(f"/api/v1/conversations/{g}/members", json={"person_ids": [school["p1"].id]})
    p1 = await world.login(school["p1"])
    assert await markers(p1, g) == (None, None)


async def test_a_unit_group_mention_of_all(world: World, school: dict[str, Any]) -> None:
    """A teacher's @所有人 in the class's home-school group marks every member's list."""
    t = await world.login(school["teacher"])
    unit = (await t.get(f"/api/v1/units/{school['klass'].id}/group")).json()["id"]
    m = await send(t, unit, "明天春游", mentions=["all"])
    for who in ("p1", "p2", "p3"):
        c = await world.login(school[who])
        assert await markers(c, unit) == (None, m["seq"]), who


async def test_private_chats_keep_their_mentions_to_themselves(
    world: World, school: dict[str, Any]
) -> None:
    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    r = await t.post(
        "/api/v1/conversations/direct", json={"person_id": school["p1"].id, "private": True}
    )
    private = r.json()["id"]
    await send(t, private, "悄悄话", mentions=[school["p1"].id])
    assert await markers(p1, private) == (None, None)
    direct = (
        await t.post("/api/v1/conversations/direct", json={"person_id": school["p1"].id})
    ).json()["id"]
    m = await send(t, direct, "@你", mentions=[school["p1"].id])
    assert await markers(p1, direct) == (m["seq"], None)


async def test_a_recalled_mention_gives_back_the_one_before(
    world: World, school: dict[str, Any], live: str
) -> None:
    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    p2 = await world.login(school["p2"])
    g = await group(t, "家委会", [school["p1"].id, school["p2"].id])
    first = await send(t, g, "@家长1 一", mentions=[school["p1"].id])
    all1 = await send(t, g, "@所有人 一", mentions=["all"])
    await send(t, g, "闲聊")
    second = await send(t, g, "@家长1 二", mentions=[school["p1"].id, "all"])
    assert await markers(p1, g) == (second["seq"], second["seq"])
    await p2.post(f"/api/v1/conversations/{g}/read", json={"seq": all1["seq"]})
    assert await markers(p2, g) == (None, second["seq"])
    async with connect(live, p1) as s1, connect(live, p2) as s2:
        r = await t.post(f"/api/v1/conversations/{g}/messages/{second['seq']}/recall")
        assert r.status_code == 204
        # Each hears of their own list's change; the event is what a fresh fetch says.
        got1 = (await s1.next("conversation.updated"))["conversation"]
        got2 = (await s2.next("conversation.updated"))["conversation"]
        assert got1 == (await p1.get(f"/api/v1/conversations/{g}")).json()
        assert got2 == (await p2.get(f"/api/v1/conversations/{g}")).json()
    assert await markers(p1, g) == (first["seq"], all1["seq"])
    assert await markers(p2, g) == (None, None)  # p2 had read the @all before it

    # Recalling the last mention of all leaves no marker at all.
    await t.post(f"/api/v1/conversations/{g}/messages/{all1['seq']}/recall")
    await t.post(f"/api/v1/conversations/{g}/messages/{first['seq']}/recall")
    assert await markers(p1, g) == (None, None)


async def test_a_recall_without_mentions_tells_nobody_about_markers(
    world: World, school: dict[str, Any], live: str
) -> None:
    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    g = await group(t, "家委会", [school["p1"].id])
    m = await send(t, g, "发错了")
    async with connect(live, p1) as s1:
        await t.post(f"/api/v1/conversations/{g}/messages/{m['seq']}/recall")
        assert (await s1.next())["type"] == "message.recalled"
        await s1.nothing()


# ---------------------------------------------------------------- pins


async def pin(c: httpx.AsyncClient, conv: int, pinned: bool = True) -> dict[str, Any]:
    r = await c.put(f"/api/v1/conversations/{conv}/pin", json={"pinned": pinned})
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    assert body["pinned"] is pinned
    return body


async def page_through(c: httpx.AsyncClient, limit: int) -> list[list[int]]:
    pages, cursor = [], None
    while True:
        params: dict[str, Any] = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        body = (await c.get("/api/v1/conversations", params=params)).json()
        pages.append([x["id"] for x in body["items"]])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages


async def test_pinned_conversations_come_first(world: World, school: dict[str, Any]) -> None:
    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    a = await group(t, "甲", [school["p1"].id])
    b = await group(t, "乙", [school["p1"].id])
    c = await group(t, "丙", [school["p1"].id])
    assert list(await listed(t))[:3] == [c, b, a]
    out = await pin(t, a)
    assert out["id"] == a
    assert list(await listed(t))[:3] == [a, c, b]
    await pin(t, b)
    # Pinned ones among themselves: most recent activity first, as the rest.
    assert list(await listed(t))[:3] == [b, a, c]
    await send(p1, a, "新消息")
    assert list(await listed(t))[:3] == [a, b, c]
    # Per member: p1's list is as it was.
    assert list(await listed(p1))[:3] == [a, c, b]
    assert not any(x["pinned"] for x in (await listed(p1)).values())
    # Pinning again changes nothing; unpinning puts it back by activity.
    await pin(t, a)
    await pin(t, a, False)
    assert list(await listed(t))[:3] == [b, a, c]
    assert (await t.get(f"/api/v1/conversations/{b}")).json()["pinned"] is True


async def test_pinned_pages_neither_repeat_nor_vanish(world: World, school: dict[str, Any]) -> None:
    t = await world.login(school["teacher"])
    ids = [await group(t, f"组{i}", []) for i in range(8)]
    for who in ("p1", "p2"):
        d = await t.post("/api/v1/conversations/direct", json={"person_id": school[who].id})
        ids.append(d.json()["id"])
    # Pinned ones in the middle of the activity order, two of them with the same time (a tie
    # straddles a page boundary), and the oldest.
    tie = await world.db.get(Conversation, ids[3])
    assert tie is not None
    await world.db.execute(
        update(Conversation)
        .where(Conversation.id.in_([ids[3], ids[4], ids[5]]))
        .values(last_message_at=tie.last_message_at)
    )
    await world.db.commit()
    for cid in (ids[0], ids[3], ids[4]):
        await pin(t, cid)
    everything = list(await listed(t))
    assert sorted(everything) == sorted(ids)
    assert set(everything[:3]) == {ids[0], ids[3], ids[4]}
    for limit in (1, 2, 3, 4, 7):
        pages = await page_through(t, limit)
        assert [i for p in pages for i in p] == everything, limit
        assert all(len(p) == limit for p in pages[:-1])
    # The unread total after a cursor counts the conversations of the later pages.
    await send(await world.login(school["p1"]), ids[8], "老师好")
    first = (await t.get("/api/v1/conversations", params={"limit": 2})).json()
    rest = (
        await t.get("/api/v1/conversations/unread", params={"cursor": first["next_cursor"]})
    ).json()
    assert rest["unread"] == 1


async def test_list_cursors_old_and_bad(world: World, school: dict[str, Any]) -> None:
    t = await world.login(school["teacher"])
    a = await group(t, "甲", [])
    b = await group(t, "乙", [])
    await pin(t, a)
    page = (await t.get("/api/v1/conversations", params={"limit": 1})).json()
    assert [x["id"] for x in page["items"]] == [a]
    # A cursor from before pins (activity, id) is a place among those not pinned.
    conv = await world.db.get(Conversation, b)
    assert conv is not None
    old = encode_cursor([conv.last_message_at.isoformat(), b + 1])
    r = await t.get("/api/v1/conversations", params={"cursor": old})
    assert r.status_code == 200
    assert b in [x["id"] for x in r.json()["items"]] and a not in [
        x["id"] for x in r.json()["items"]
    ]
    for bad in (
        encode_cursor([2, conv.last_message_at.isoformat(), b]),
        encode_cursor([True, conv.last_message_at.isoformat(), b]),
        encode_cursor([0, "yesterday", b]),
    ):
        for path in ("/api/v1/conversations", "/api/v1/conversations/unread"):
            r = await t.get(path, params={"cursor": bad})
            assert r.status_code == 422 and r.json()["code"] == "bad_cursor", (path, bad)


async def test_pin_and_mute_are_ones_own_and_reach_ones_other_tabs(
    world: World, school: dict[str, Any], live: str
) -> None:
    t = await world.login(school["teacher"])
    t_other_tab = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    g = await group(t, "家委会", [school["p1"].id])
    async with connect(live, t_other_tab) as mine, connect(live, p1) as theirs:
        await pin(t, g)
        got = (await mine.next("conversation.updated"))["conversation"]
        assert got["pinned"] is True and got["muted"] is False
        assert got == (await t.get(f"/api/v1/conversations/{g}")).json()
        r = await t.put(f"/api/v1/conversations/{g}/mute", json={"muted": True})
        assert r.status_code == 200 and r.json()["muted"] is True
        got = (await mine.next("conversation.updated"))["conversation"]
        assert got["muted"] is True and got["pinned"] is True
        # The same again: nothing changed, nobody is told.
        await t.put(f"/api/v1/conversations/{g}/mute", json={"muted": True})
        await mine.nothing()
        await theirs.nothing()  # nobody else hears of one's pins and mutes
    # A muted conversation's unread is apart from the total.
    await send(p1, g, "老师好")
    assert (await t.get("/api/v1/conversations/unread")).json() == {
        "unread": 0,
        "muted_unread": 1,
    }


async def test_pin_needs_a_conversation_of_ones_own(world: World, school: dict[str, Any]) -> None:
    t = await world.login(school["teacher"])
    p2 = await world.login(school["p2"])
    g = await group(t, "家委会", [school["p1"].id])
    for who, conv in ((p2, g), (t, 999_999)):
        r = await who.put(f"/api/v1/conversations/{conv}/pin", json={"pinned": True})
        assert r.status_code == 404 and r.json()["code"] == "not_found"
    r = await t.put(f"/api/v1/conversations/{g}/pin", json={"pinned": "maybe"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "pinned"
    assert (await t.get(f"/api/v1/conversations/{g}")).json()["pinned"] is False
