"""Read receipts from read cursors: counts, who has / has not read, joins and leaves.

Policy (see chat/models.py): readers of message s are the members other than its sender who had
joined before s and had not left before it; reading one message reads all before it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from bellwork.chat.models import ConversationMember
from bellwork.chat.schemas import Receipt
from tests.chat.conftest import send
from tests.conftest import World


async def test_counts_and_lists_move_as_people_read(world: World, school: dict[str, Any]) -> None:
    t = await world.login(school["teacher"])
    g = (await t.get(f"/api/v1/units/{school['klass'].id}/group")).json()
    assert g["member_count"] == 4  # the teacher and three guardians; students are not in it
    m1 = await send(t, g["id"], "第一条")
    m2 = await send(t, g["id"], "第二条")
    page = (await t.get(f"/api/v1/conversations/{g['id']}/messages")).json()["items"]
    assert [m["unread_count"] for m in page if m["kind"] == "text"] == [3, 3]
    r = await t.get(f"/api/v1/conversations/{g['id']}/messages/{m2['seq']}/receipt")
    body = r.json()
    assert r.headers["content-type"] == "application/json"
    assert Receipt.model_validate(body).model_dump() == body  # exactly the documented shape
    assert body["read_count"] == 0 and body["unread_count"] == 3
    assert [(grp["unit"], [p["name"] for p in grp["people"]]) for grp in body["unread"]] == [
        ("实验小学/1班", ["家长1", "家长2", "家长3"])
    ]
    # 家长1 reads the second message: both are read by them.
    p1 = await world.login(school["p1"])
    r = await p1.post(f"/api/v1/conversations/{g['id']}/read", json={"seq": m2["seq"]})
    assert r.json()["unread"] == 0
    counts = (
        await t.get(
            f"/api/v1/conversations/{g['id']}/receipts", params={"seqs": f"{m1['seq']},{m2['seq']}"}
        )
    ).json()
    assert [(c["read_count"], c["unread_count"]) for c in counts] == [(1, 2), (1, 2)]
    body = (await t.get(f"/api/v1/conversations/{g['id']}/messages/{m1['seq']}/receipt")).json()
    assert [p["name"] for grp in body["read"] for p in grp["people"]] == ["家长1"]
    assert [p["name"] for grp in body["unread"] for p in grp["people"]] == ["家长2", "家长3"]
    # Reading backwards never moves the cursor back.
    await p1.post(f"/api/v1/conversations/{g['id']}/read", json={"seq": 0})
    again = (
        await t.get(f"/api/v1/conversations/{g['id']}/receipts", params={"seqs": str(m2["seq"])})
    ).json()
    assert again[0]["read_count"] == 1
    # Everyone reads: all read.
    for k in ("p2", "p3"):
        c = await world.login(school[k])
        await c.post(f"/api/v1/conversations/{g['id']}/read", json={"seq": 999})
    body = (await t.get(f"/api/v1/conversations/{g['id']}/messages/{m2['seq']}/receipt")).json()
    assert body["unread_count"] == 0 and body["read_count"] == 3


async def test_only_the_sender_sees_the_lists(world: World, school: dict[str, Any]) -> None:
    t = await world.login(school["teacher"])
    g = (await t.get(f"/api/v1/units/{school['klass'].id}/group")).json()
    m = await send(t, g["id"], "通知")
    p1 = await world.login(school["p1"])
    r = await p1.get(f"/api/v1/conversations/{g['id']}/messages/{m['seq']}/receipt")
    assert r.status_code == 403 and r.json()["code"] == "receipt_sender_only"


async def test_late_joiners_and_leavers_are_not_counted(
    world: World, school: dict[str, Any]
) -> None:
    t = await world.login(school["teacher"])
    g = (
        await t.post(
            "/api/v1/conversations/groups",
            json={"name": "g", "member_ids": [school["p1"].id, school["p2"].id]},
        )
    ).json()
    m1 = await send(t, g["id"], "before")
    await t.post(f"/api/v1/conversations/{g['id']}/members", json={"person_ids": [school["p3"].id]})
    m2 = await send(t, g["id"], "after")
    await t.delete(f"/api/v1/conversations/{g['id']}/members/{school['p2'].id}")
    counts = {
        c["seq"]: c["unread_count"]
        for c in (
            await t.get(
                f"/api/v1/conversations/{g['id']}/receipts",
                params={"seqs": f"{m1['seq']},{m2['seq']}"},
            )
        ).json()
    }
    # m1: p1 and p2 were there (p2 left after it, still counted); p3 joined after it.
    # m2: p1, p2 (left later) and p3.
    assert counts == {m1["seq"]: 2, m2["seq"]: 3}
    p3 = await world.login(school["p3"])
    history = (await p3.get(f"/api/v1/conversations/{g['id']}/messages")).json()["items"]
    assert "before" not in [m["body"] for m in history]
    assert "after" in [m["body"] for m in history]


async def test_receipts_store_no_row_per_reader(world: World, school: dict[str, Any]) -> None:
    t = await world.login(school["teacher"])
    g = (await t.get(f"/api/v1/units/{school['klass'].id}/group")).json()
    for i in range(20):
        await send(t, g["id"], f"m{i}")
    for k in ("p1", "p2", "p3"):
        c = await world.login(school[k])
        await c.post(f"/api/v1/conversations/{g['id']}/read", json={"seq": 999})
    n = (
        await world.db.execute(
            select(func.count())
            .select_from(ConversationMember)
            .where(ConversationMember.conversation_id == g["id"])
        )
    ).scalar_one()
    assert n == 4  # one cursor per member, however many messages were read


async def test_the_list_groups_each_reader_once_by_their_first_current_unit(
    world: World, school: dict[str, Any]
) -> None:
    """A guardian of children in several classes is listed once, under the first class whose
    unit is not archived; someone in no unit is listed without one."""
    from bellwork.db.base import utcnow

    old = await world.unit("2班", "class", school["school"])
    other = await world.unit("3班", "class", school["school"])
    many = await world.person(
        "多班家长", (old, "guardian"), (school["klass"], "guardian"), (other, "guardian")
    )
    loner = await world.person("无班级")
    old.archived_at = utcnow()
    await world.commit()
    a = await world.login(school["admin"])  # who may see someone in no unit
    g = (
        await a.post(
            "/api/v1/conversations/groups",
            json={"name": "家委会", "member_ids": [many.id, loner.id, school["p1"].id]},
        )
    ).json()["id"]
    m = await send(a, g, "开会")
    body = (await a.get(f"/api/v1/conversations/{g}/messages/{m['seq']}/receipt")).json()
    assert (body["read_count"], body["unread_count"]) == (0, 3)
    assert [(grp["unit"], [p["name"] for p in grp["people"]]) for grp in body["unread"]] == [
        ("实验小学/1班", ["多班家长", "家长1"]),
        (None, ["无班级"]),
    ]
