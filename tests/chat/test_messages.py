"""Sending, idempotent retries, history, search, mentions, replies, recall."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from bellwork.chat.models import Message
from bellwork.db.base import utcnow
from tests.chat.conftest import cmid, connect, send
from tests.conftest import World


async def direct(world: World, a: Any, b: Any) -> tuple[Any, Any, int]:
    ca = await world.login(a)
    cb = await world.login(b)
    conv = (await ca.post("/api/v1/conversations/direct", json={"person_id": b.id})).json()
    return ca, cb, conv["id"]


async def test_send_and_retry_is_stored_once(world: World, school: dict[str, Any]) -> None:
    t, p, conv = await direct(world, school["teacher"], school["p1"])
    body = {"client_msg_id": "abc-1", "body": "明天春游"}
    r1 = await t.post(f"/api/v1/conversations/{conv}/messages", json=body)
    r2 = await t.post(f"/api/v1/conversations/{conv}/messages", json=body)
    assert r1.status_code == 201 and r2.status_code == 200
    assert r1.json()["seq"] == r2.json()["seq"] == 1
    assert r1.json()["client_msg_id"] == "abc-1"
    page = (await p.get(f"/api/v1/conversations/{conv}/messages")).json()
    assert [m["body"] for m in page["items"]] == ["明天春游"]
    assert page["items"][0]["client_msg_id"] is None  # not shown to others
    listed = (await p.get("/api/v1/conversations")).json()["items"]
    assert listed[0]["unread"] == 1


async def test_bad_messages_change_nothing(world: World, school: dict[str, Any]) -> None:
    t, _p, conv = await direct(world, school["teacher"], school["p1"])
    for body, code in (
        ({"client_msg_id": cmid(), "body": "   "}, "empty_message"),
        ({"client_msg_id": cmid(), "body": "x", "reply_to_seq": 9}, "reply_not_found"),
        ({"client_msg_id": cmid(), "kind": "image"}, "file_required"),
    ):
        r = await t.post(f"/api/v1/conversations/{conv}/messages", json=body)
        assert r.status_code == 422 and r.json()["code"] == code
    r = await t.post(
        f"/api/v1/conversations/{conv}/messages", json={"client_msg_id": cmid(), "body": "x" * 5001}
    )
    assert r.status_code == 422
    # Not a member: 404, like a missing conversation.
    p2 = await world.login(school["p2"])
    r = await p2.post(
        f"/api/v1/conversations/{conv}/messages", json={"client_msg_id": cmid(), "body": "hi"}
    )
    assert r.status_code == 404
    assert (await t.get(f"/api/v1/conversations/{conv}")).json()["last_seq"] == 0


async def test_history_paging_catch_up_and_search(world: World, school: dict[str, Any]) -> None:
    t, p, conv = await direct(world, school["teacher"], school["p1"])
    for i in range(1, 8):
        await send(t, conv, f"消息{i} {'作业' if i % 2 else '通知'}")
    latest = (await p.get(f"/api/v1/conversations/{conv}/messages", params={"limit": 3})).json()
    assert [m["seq"] for m in latest["items"]] == [5, 6, 7] and latest["has_more"]
    older = (
        await p.get(f"/api/v1/conversations/{conv}/messages", params={"limit": 3, "before_seq": 5})
    ).json()
    assert [m["seq"] for m in older["items"]] == [2, 3, 4]
    after = (await p.get(f"/api/v1/conversations/{conv}/messages", params={"after_seq": 5})).json()
    assert [m["seq"] for m in after["items"]] == [6, 7] and not after["has_more"]
    found = (await p.get(f"/api/v1/conversations/{conv}/messages", params={"q": "作业"})).json()
    assert [m["seq"] for m in found["items"]] == [1, 3, 5, 7]
    pct = (await p.get(f"/api/v1/conversations/{conv}/messages", params={"q": "%"})).json()
    assert pct["items"] == []
    # Case does not matter, on either database (the web client matches live messages alike).
    await send(t, conv, "Parents' Meeting on Friday")
    for q in ("meeting", "MEETING", "Meeting"):
        hit = (await p.get(f"/api/v1/conversations/{conv}/messages", params={"q": q})).json()
        assert [m["seq"] for m in hit["items"]] == [8], q


async def test_mentions_and_replies(world: World, school: dict[str, Any]) -> None:
    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    g = (await t.get(f"/api/v1/units/{school['klass'].id}/group")).json()
    # A guardian may not @all; the class teacher may.
    r = await p1.post(
        f"/api/v1/conversations/{g['id']}/messages",
        json={"client_msg_id": cmid(), "body": "@所有人", "mentions": ["all"]},
    )
    assert r.status_code == 403 and r.json()["code"] == "mention_all_not_allowed"
    m = await send(t, g["id"], "@所有人 明天交作业", mentions=["all", school["p1"].id])
    assert m["mentions"] == ["all", school["p1"].id]
    r = await t.post(
        f"/api/v1/conversations/{g['id']}/messages",
        json={"client_msg_id": cmid(), "body": "x", "mentions": [school["s1"].id]},
    )
    assert r.status_code == 422 and r.json()["code"] == "mention_not_member"
    reply = await send(p1, g["id"], "收到", reply_to_seq=m["seq"])
    assert reply["reply_to_seq"] == m["seq"]
    assert reply["reply_preview"] == "@所有人 明天交作业"


async def test_recall_rules_and_content_is_gone(world: World, school: dict[str, Any]) -> None:
    t, p, conv = await direct(world, school["teacher"], school["p1"])
    m = await send(t, conv, "发错了，秘密内容")
    r = await p.post(f"/api/v1/conversations/{conv}/messages/{m['seq']}/recall")
    assert r.status_code == 403 and r.json()["code"] == "recall_not_allowed"
    r = await t.post(f"/api/v1/conversations/{conv}/messages/{m['seq']}/recall")
    assert r.status_code == 204
    seen = (await p.get(f"/api/v1/conversations/{conv}/messages")).json()["items"][0]
    assert seen["recalled"] is True and seen["body"] is None
    stored = await world.db.execute(select(Message.body).where(Message.seq == m["seq"]))
    assert stored.scalar() is None
    # After two minutes the sender can no longer recall.
    m2 = await send(t, conv, "old")
    await world.db.execute(
        update(Message)
        .where(Message.seq == m2["seq"])
        .values(created_at=utcnow() - timedelta(minutes=3))
    )
    await world.db.commit()
    r = await t.post(f"/api/v1/conversations/{conv}/messages/{m2['seq']}/recall")
    assert r.status_code == 403 and r.json()["code"] == "recall_window_passed"


async def test_group_admin_recalls_any_time(world: World, school: dict[str, Any]) -> None:
    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    g = (await t.get(f"/api/v1/units/{school['klass'].id}/group")).json()
    m = await send(p1, g["id"], "广告")
    await world.db.execute(
        update(Message)
        .where(Message.seq == m["seq"])
        .values(created_at=utcnow() - timedelta(hours=3))
    )
    await world.db.commit()
    r = await t.post(f"/api/v1/conversations/{g['id']}/messages/{m['seq']}/recall")
    assert r.status_code == 204


async def test_sequence_numbers_beyond_32_bits_are_a_422(
    world: World, school: dict[str, Any]
) -> None:
    """Sequence numbers are 32-bit columns: on PostgreSQL a larger one was a driver error."""
    t = await world.login(school["teacher"])
    conv = (await t.post("/api/v1/conversations/devices")).json()["id"]
    big = 2**31
    base = f"/api/v1/conversations/{conv}"
    for r in (
        await t.get(f"{base}/messages", params={"before_seq": big}),
        await t.get(f"{base}/messages", params={"after_seq": big}),
        await t.get(f"{base}/messages/{big}/receipt"),
        await t.get(f"{base}/receipts", params={"seqs": f"1,{big}"}),
        await t.post(f"{base}/messages/{big}/recall"),
        await t.post(f"{base}/messages/{big}/open"),
        await t.post(f"{base}/read", json={"seq": big}),
        await t.post(
            f"{base}/messages", json={"client_msg_id": "x", "body": "a", "reply_to_seq": big}
        ),
    ):
        assert r.status_code == 422, (r.request.url, r.status_code, r.text)
    r = await t.get(f"{base}/messages", params={"before_seq": big - 1})
    assert r.status_code == 200 and r.json()["items"] == []


async def test_a_quote_from_before_one_joined_shows_no_text(
    world: World, school: dict[str, Any], live: str
) -> None:
    """An older member quotes what was said before a newcomer joined: the newcomer sees that
    it is a reply, not the quoted text (live, in the history, or as the list's preview)."""
    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    p2 = await world.login(school["p2"])
    g = (
        await t.post(
            "/api/v1/conversations/groups", json={"name": "A", "member_ids": [school["p1"].id]}
        )
    ).json()["id"]
    secret = await send(t, g, "加入前的秘密计划")
    await t.post(f"/api/v1/conversations/{g}/members", json={"person_ids": [school["p2"].id]})
    async with connect(live, p2) as newcomer, connect(live, t) as old_hand:
        reply = await send(p1, g, "同意", reply_to_seq=secret["seq"])
        assert reply["reply_preview"] == "加入前的秘密计划"
        seen_new = (await newcomer.next("message.new"))["message"]
        seen_old = (await old_hand.next("message.new"))["message"]
        await newcomer.nothing()  # one copy, not two
    assert (seen_new["body"], seen_new["reply_to_seq"]) == ("同意", secret["seq"])
    assert seen_new["reply_preview"] is None
    assert seen_old["reply_preview"] == "加入前的秘密计划"
    history = (await p2.get(f"/api/v1/conversations/{g}/messages")).json()["items"]
    assert [m["reply_preview"] for m in history if m["body"] == "同意"] == [None]
    listed = (await p2.get(f"/api/v1/conversations/{g}")).json()["last_message"]
    assert listed["body"] == "同意" and listed["reply_preview"] is None
    mine = (await t.get(f"/api/v1/conversations/{g}")).json()["last_message"]
    assert mine["reply_preview"] == "加入前的秘密计划"


async def test_a_send_is_six_statements_and_writes_the_conversation_once(
    world: World, school: dict[str, Any]
) -> None:
    """Every message of a busy group pays for each statement of a send (bench/chat_fanout.py):
    who is sending, whether it is a retry, the membership, the sequence number, the message,
    the sender's read position — and the conversation's row is written once, not again at
    flush because the loaded conversation learnt its new sequence number."""
    from sqlalchemy import event

    t = await world.login(school["teacher"])
    g = (
        await t.post(
            "/api/v1/conversations/groups",
            json={"name": "家长群", "member_ids": [school["p1"].id, school["p2"].id]},
        )
    ).json()["id"]
    await send(t, g, "first")  # the sender's name is looked up once, then kept a while
    statements: list[str] = []

    def count(_c: Any, _cur: Any, sql: str, *_a: Any) -> None:
        statements.append(" ".join(sql.split()))

    engine = world.db.bind.sync_engine  # type: ignore[union-attr]
    event.listen(engine, "before_cursor_execute", count)
    try:
        r = await t.post(
            f"/api/v1/conversations/{g}/messages",
            json={"client_msg_id": "c-six", "body": "second"},
        )
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert r.status_code == 201, r.text
    assert r.json()["seq"] == 3 and r.json()["unread_count"] == 2
    writes = [s for s in statements if s.startswith("UPDATE conversation ")]
    assert len(writes) == 1, statements
    assert len(statements) == 6, statements
    member = (await t.get(f"/api/v1/conversations/{g}")).json()
    assert member["last_read_seq"] == 3 and member["unread"] == 0


async def test_reading_writes_the_read_position_once(world: World, school: dict[str, Any]) -> None:
    """Each member of a busy group reads each message: the read position is one UPDATE, not
    again at flush (which would also set it back over a device that read further meanwhile)."""
    from sqlalchemy import event

    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    g = (
        await t.post(
            "/api/v1/conversations/groups", json={"name": "家长群", "member_ids": [school["p1"].id]}
        )
    ).json()["id"]
    seq = (await send(t, g, "hello"))["seq"]
    statements: list[str] = []

    def count(_c: Any, _cur: Any, sql: str, *_a: Any) -> None:
        statements.append(" ".join(sql.split()))

    engine = world.db.bind.sync_engine  # type: ignore[union-attr]
    event.listen(engine, "before_cursor_execute", count)
    try:
        r = await p1.post(f"/api/v1/conversations/{g}/read", json={"seq": seq})
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert r.status_code == 200, r.text
    writes = [s for s in statements if s.startswith("UPDATE conversation_member ")]
    assert len(writes) == 1, statements
    member = (await p1.get(f"/api/v1/conversations/{g}")).json()
    assert member["last_read_seq"] == seq and member["unread"] == 0
