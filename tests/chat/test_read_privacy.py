"""Read positions are each member's own: the member list shows one only one's own, and a `read`
event reaches the reader's devices and, for the senders of what was read, says no more than
their receipts do (how far the reader got among their own messages). In a home-school group no
parent learns which other parents have read."""

from __future__ import annotations

from typing import Any

from tests.chat.conftest import connect, send
from tests.conftest import World


async def test_the_member_list_shows_only_ones_own_read_position(
    world: World, school: dict[str, Any]
) -> None:
    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    p2 = await world.login(school["p2"])
    g = (
        await t.post(
            "/api/v1/conversations/groups",
            json={"name": "家校群", "member_ids": [school["p1"].id, school["p2"].id]},
        )
    ).json()["id"]
    m = await send(t, g, "明天春游，请家长签字")
    r = await p1.post(f"/api/v1/conversations/{g}/read", json={"seq": m["seq"]})
    assert r.status_code == 200 and r.json()["last_read_seq"] == m["seq"]
    for me, client in ((school["p2"], p2), (school["teacher"], t), (school["p1"], p1)):
        r = await client.get(f"/api/v1/conversations/{g}/members")
        assert r.status_code == 200
        positions = {x["person"]["id"]: x["last_read_seq"] for x in r.json()}
        assert set(positions) == {school["teacher"].id, school["p1"].id, school["p2"].id}
        others = {pid: seq for pid, seq in positions.items() if pid != me.id}
        assert others == dict.fromkeys(others), (me.name, positions)
        assert isinstance(positions[me.id], int)
    mine = (await p1.get(f"/api/v1/conversations/{g}/members")).json()
    me = next(x for x in mine if x["person"]["id"] == school["p1"].id)
    assert me["last_read_seq"] == m["seq"]
    # The sender still learns it, from the receipt of their own message.
    receipt = (await t.get(f"/api/v1/conversations/{g}/messages/{m['seq']}/receipt")).json()
    assert [p["id"] for grp in receipt["read"] for p in grp["people"]] == [school["p1"].id]


async def test_read_events_tell_senders_no_more_than_their_receipts(
    world: World, school: dict[str, Any], live: str
) -> None:
    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    p2 = await world.login(school["p2"])
    p3 = await world.login(school["p3"])
    g = (
        await t.post(
            "/api/v1/conversations/groups",
            json={
                "name": "家校群",
                "member_ids": [school["p1"].id, school["p2"].id, school["p3"].id],
            },
        )
    ).json()["id"]
    notice = await send(t, g, "通知：周五下午停课")
    reply = await send(p2, g, "收到")
    later = await send(t, g, "补充：请带雨伞")
    async with (
        connect(live, t) as t_ws,
        connect(live, p1) as p1_ws,
        connect(live, p2) as p2_ws,
        connect(live, p3) as p3_ws,
    ):
        # p1 reads up to p2's reply: p2 hears of it (their message), the teacher only as far as
        # their own notice; p3, who sent nothing, hears nothing.
        await p1_ws.send({"type": "read", "conversation_id": g, "seq": reply["seq"]})
        own = await p1_ws.next("read")
        assert (own["person_id"], own["last_read_seq"]) == (school["p1"].id, reply["seq"])
        to_p2 = await p2_ws.next("read")
        assert (to_p2["person_id"], to_p2["last_read_seq"]) == (school["p1"].id, reply["seq"])
        to_t = await t_ws.next("read")
        assert (to_t["person_id"], to_t["last_read_seq"]) == (school["p1"].id, notice["seq"])
        # p1 reads the rest (the teacher's message only): p2 hears nothing of it.
        await p1_ws.send({"type": "read", "conversation_id": g, "seq": later["seq"]})
        assert (await t_ws.next("read"))["last_read_seq"] == later["seq"]
        assert (await p1_ws.next("read"))["last_read_seq"] == later["seq"]
        await p2_ws.nothing()
        await p3_ws.nothing()
