"""`chat.messages.post_message` as another domain calls it (a robot, a reminder job, DING): in a
unit of work of its own, with or without a person as the sender. Sequence, events, unread counts,
receipts and the joined-later rule are the same as for a member's send."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from bellwork.chat.groups import unit_conversation
from bellwork.chat.messages import post_message, post_notice
from bellwork.chat.models import Conversation, Message, MessageKind
from bellwork.chat.receipts import receipt_counts
from bellwork.chat.schemas import MessageOut
from bellwork.core.errors import NotFound
from bellwork.db.session import writing
from bellwork.org.models import Person
from tests.chat.conftest import connect, send
from tests.conftest import World


async def post(
    world: World, conv_id: int, sender_id: int | None, body: str, **kw: Any
) -> MessageOut:
    """Posts as a job handler would: its own session of the app's runtime, committed at the
    end; the events go out after the commit."""
    runtime = world.app.state.runtime
    async with writing(runtime.sessionmaker, runtime.write_gate) as db:
        conv = await db.get(Conversation, conv_id)
        assert conv is not None
        sender = await db.get(Person, sender_id) if sender_id is not None else None
        return await post_message(db, conv, sender, body, **kw)


async def unread_of(c: Any, conv: int) -> int:
    return int((await c.get(f"/api/v1/conversations/{conv}")).json()["unread"])


async def test_a_post_without_a_person(world: World, school: dict[str, Any], live: str) -> None:
    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    p2 = await world.login(school["p2"])
    p3 = await world.login(school["p3"])
    g = (
        await t.post(
            "/api/v1/conversations/groups",
            json={"name": "班委", "member_ids": [school["p1"].id, school["p2"].id]},
        )
    ).json()["id"]  # seq 1: the group's creation notice
    hi = await send(t, g, "大家好")  # seq 2
    await p2.post(f"/api/v1/conversations/{g}/read", json={"seq": 1})
    async with connect(live, t) as teacher_ws, connect(live, p1) as p1_ws, connect(live, p3) as out:
        out_ = await post(world, g, None, "明天 8:00 前交体温表")
        assert (out_.seq, out_.sender, out_.kind, out_.unread_count) == (3, None, "text", None)
        for ws in (teacher_ws, p1_ws):
            frame = await ws.next("message.new")
            assert frame["conversation_id"] == g
            m = frame["message"]
            assert (m["seq"], m["sender"], m["kind"]) == (3, None, "text")
            assert m["body"] == "明天 8:00 前交体温表" and m["client_msg_id"] is None
        await out.nothing()  # not a member: hears nothing
        # Nobody's read position moved: unread for every member, the teacher included.
        assert [await unread_of(c, g) for c in (t, p1, p2)] == [1, 3, 2]
        # p1 reads it all: the teacher hears how far among their own messages (2), not 3.
        await p1.post(f"/api/v1/conversations/{g}/read", json={"seq": 3})
        assert (await p1_ws.next("read"))["last_read_seq"] == 3
        assert (await teacher_ws.next("read"))["last_read_seq"] == hi["seq"]
    # The teacher's receipts count p1 and p2 as before; the post's count everyone, no sender.
    counts = (await t.get(f"/api/v1/conversations/{g}/receipts", params={"seqs": "2,3"})).json()
    assert [(c["seq"], c["read_count"], c["unread_count"]) for c in counts] == [(2, 1, 1)]
    r = await t.get(f"/api/v1/conversations/{g}/messages/3/receipt")
    assert r.status_code == 403 and r.json()["code"] == "receipt_sender_only"
    async with world.app.state.sessionmaker() as db:
        conv = await db.get(Conversation, g)
        assert conv is not None
        msg = (
            await db.execute(select(Message).where(Message.conversation_id == g, Message.seq == 3))
        ).scalar_one()
        assert msg.sender_id is None
        [c3] = await receipt_counts(db, conv, [msg])
        assert (c3.read_count, c3.unread_count) == (1, 2)  # p1 of the teacher, p1, p2
    items = (await p1.get(f"/api/v1/conversations/{g}/messages")).json()["items"]
    assert [(m["seq"], m["sender"]) for m in items][-1] == (3, None)
    # Who joins afterwards sees nothing of it, not even as the list's last message.
    await t.post(f"/api/v1/conversations/{g}/members", json={"person_ids": [school["p3"].id]})
    mine = (await p3.get(f"/api/v1/conversations/{g}/messages")).json()["items"]
    assert all(m["seq"] > 3 for m in mine)
    listed = (await p3.get(f"/api/v1/conversations/{g}")).json()
    assert listed["last_message"]["seq"] > 3 and listed["unread"] == 1  # the "added" notice


async def test_a_post_by_a_person(world: World, school: dict[str, Any], live: str) -> None:
    """A domain posting in a person's name (a DING by the teacher): as if they had sent it."""
    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    g = (await t.get(f"/api/v1/units/{school['klass'].id}/group")).json()["id"]
    async with world.app.state.sessionmaker() as db:  # how a domain finds a class's group
        found = await unit_conversation(db, school["klass"].id)
        assert found is not None and found.id == g
        assert await unit_conversation(db, school["school"].id) is None  # nobody in it
    async with connect(live, p1) as p1_ws:
        out = await post(
            world, g, school["teacher"].id, "@家长1 请回复", mentions=[school["p1"].id]
        )
        assert out.sender is not None and out.sender.id == school["teacher"].id
        assert out.unread_count == 3  # three guardians, none has read it
        m = (await p1_ws.next("message.new"))["message"]
        assert m["seq"] == out.seq and m["mentions"] == [school["p1"].id]
        assert m["sender"]["name"] == "王老师" and m["unread_count"] is None
    assert await unread_of(t, g) == 0  # posting read everything before it
    assert await unread_of(p1, g) == out.seq
    # A notice by nobody in particular (the roster changed, say).
    runtime = world.app.state.runtime
    async with writing(runtime.sessionmaker, runtime.write_gate) as db:
        conv = await db.get(Conversation, g)
        assert conv is not None
        notice = await post_notice(db, conv, None, "group.renamed", {"name": "1班"})
    assert notice.seq == out.seq + 1 and notice.kind == MessageKind.system
    assert await unread_of(t, g) == 1


async def test_what_cannot_be_posted(world: World, school: dict[str, Any]) -> None:
    t = await world.login(school["teacher"])
    private = (
        await t.post(
            "/api/v1/conversations/direct", json={"person_id": school["p1"].id, "private": True}
        )
    ).json()["id"]
    with pytest.raises(ValueError):
        await post(world, private, None, "no robots in a private chat")
    with pytest.raises(ValueError):
        await post(world, private, school["teacher"].id, "{}", kind=MessageKind.system)
    assert (await t.get(f"/api/v1/conversations/{private}")).json()["last_seq"] == 0
    g = (
        await t.post(
            "/api/v1/conversations/groups", json={"name": "临时", "member_ids": [school["p1"].id]}
        )
    ).json()["id"]
    await t.post(f"/api/v1/conversations/{g}/dissolve")
    with pytest.raises(NotFound):
        await post(world, g, None, "too late")
