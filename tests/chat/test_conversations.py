"""Opening direct chats, groups and their management."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import orjson

from tests.chat.conftest import send
from tests.conftest import World


async def test_direct_chat_is_opened_once(world: World, school: dict[str, Any]) -> None:
    t = await world.login(school["teacher"])
    r1 = await t.post("/api/v1/conversations/direct", json={"person_id": school["p1"].id})
    r2 = await t.post("/api/v1/conversations/direct", json={"person_id": school["p1"].id})
    assert r1.status_code == r2.status_code == 200
    assert r1.json()["id"] == r2.json()["id"]
    assert r1.json()["kind"] == "direct" and r1.json()["name"] == "家长1"
    # A guardian is shown as their child's parent (org/guardians.py).
    parent = {"student_id": school["s1"].id, "student_name": "学生1", "relation": "母亲"}
    assert r1.json()["peer"] == {
        "id": school["p1"].id,
        "name": "家长1",
        "parent_of": parent,
        "photo_url": None,
    }
    p = await world.login(school["p1"])
    r3 = await p.post("/api/v1/conversations/direct", json={"person_id": school["teacher"].id})
    assert r3.json()["id"] == r1.json()["id"]
    assert r3.json()["name"] == "王老师"


async def test_direct_chat_needs_a_visible_person(world: World, school: dict[str, Any]) -> None:
    # A guardian does not see other families.
    p1 = await world.login(school["p1"])
    r = await p1.post("/api/v1/conversations/direct", json={"person_id": school["p2"].id})
    assert r.status_code == 404
    r = await p1.post("/api/v1/conversations/direct", json={"person_id": school["p1"].id})
    assert r.status_code == 422 and r.json()["code"] == "direct_with_self"


async def test_devices_conversation(world: World, school: dict[str, Any]) -> None:
    t = await world.login(school["teacher"])
    r = await t.post("/api/v1/conversations/devices")
    assert r.json()["kind"] == "devices" and r.json()["member_count"] == 1
    assert (await t.post("/api/v1/conversations/devices")).json()["id"] == r.json()["id"]
    await send(t, r.json()["id"], "note to self")
    listed = (await t.get("/api/v1/conversations")).json()["items"]
    assert listed[0]["id"] == r.json()["id"]
    assert listed[0]["last_message"]["body"] == "note to self"


async def test_group_lifecycle(world: World, school: dict[str, Any]) -> None:
    t = await world.login(school["teacher"])
    ids = [school["p1"].id, school["p2"].id]
    r = await t.post("/api/v1/conversations/groups", json={"name": "春游", "member_ids": ids})
    assert r.status_code == 201
    g = r.json()
    assert g["member_count"] == 3 and g["my_role"] == "owner" and g["name"] == "春游"
    # Members cannot add people or rename; the owner can make them admin.
    p1 = await world.login(school["p1"])
    r = await p1.post(
        f"/api/v1/conversations/{g['id']}/members", json={"person_ids": [school["p3"].id]}
    )
    assert r.status_code == 403 and r.json()["code"] == "group_admin_only"
    r = await p1.patch(f"/api/v1/conversations/{g['id']}", json={"name": "x"})
    assert r.status_code == 403
    r = await t.put(
        f"/api/v1/conversations/{g['id']}/members/{school['p1'].id}/role", json={"role": "admin"}
    )
    assert r.status_code == 204
    # p1 (now admin) may add p3 — but only people p1 may see: p3 is another family.
    r = await p1.post(
        f"/api/v1/conversations/{g['id']}/members", json={"person_ids": [school["p3"].id]}
    )
    assert r.status_code == 404
    r = await t.post(
        f"/api/v1/conversations/{g['id']}/members", json={"person_ids": [school["p3"].id]}
    )
    assert r.json() == {"added": [school["p3"].id]}
    members = (await t.get(f"/api/v1/conversations/{g['id']}/members")).json()
    assert {m["person"]["name"]: m["role"] for m in members} == {
        "王老师": "owner",
        "家长1": "admin",
        "家长2": "member",
        "家长3": "member",
    }
    # An admin cannot remove another admin or the owner; the owner can.
    r = await p1.delete(f"/api/v1/conversations/{g['id']}/members/{school['teacher'].id}")
    assert r.status_code == 403
    r = await t.delete(f"/api/v1/conversations/{g['id']}/members/{school['p2'].id}")
    assert r.status_code == 204
    p2 = await world.login(school["p2"])
    assert (await p2.get(f"/api/v1/conversations/{g['id']}")).status_code == 404
    assert (await p2.get(f"/api/v1/conversations/{g['id']}/messages")).status_code == 404
    # Leaving as owner hands the group to the admin.
    r = await t.post(f"/api/v1/conversations/{g['id']}/leave")
    assert r.status_code == 204
    after = (await p1.get(f"/api/v1/conversations/{g['id']}")).json()
    assert after["my_role"] == "owner" and after["member_count"] == 2
    r = await p1.post(f"/api/v1/conversations/{g['id']}/dissolve")
    assert r.status_code == 204
    assert (await p1.get(f"/api/v1/conversations/{g['id']}")).status_code == 404
    assert g["id"] not in [c["id"] for c in (await p1.get("/api/v1/conversations")).json()["items"]]


async def test_group_rename_and_system_messages(world: World, school: dict[str, Any]) -> None:
    t = await world.login(school["teacher"])
    g = (
        await t.post(
            "/api/v1/conversations/groups", json={"name": "A", "member_ids": [school["p1"].id]}
        )
    ).json()
    r = await t.patch(f"/api/v1/conversations/{g['id']}", json={"name": "B"})
    assert r.json()["name"] == "B"
    msgs = (await t.get(f"/api/v1/conversations/{g['id']}/messages")).json()["items"]
    assert [m["kind"] for m in msgs] == ["system", "system"]
    assert '"group.renamed"' in msgs[1]["body"]


async def test_system_message_names_the_first_ten_and_counts_all(
    world: World, school: dict[str, Any]
) -> None:
    """Adding a crowd writes one small system message (it goes to every member's list and
    devices): the first ten people with their names, and how many in all."""
    crowd = [
        await world.person(f"家长{i:02d}", (school["klass"], "guardian"), username=f"g{i}")
        for i in range(12)
    ]
    await world.commit()
    t = await world.login(school["teacher"])
    g = (await t.post("/api/v1/conversations/groups", json={"name": "A", "member_ids": []})).json()[
        "id"
    ]
    r = await t.post(
        f"/api/v1/conversations/{g}/members", json={"person_ids": [p.id for p in crowd]}
    )
    assert r.status_code == 200, r.text
    added = r.json()["added"]
    last = (await t.get(f"/api/v1/conversations/{g}")).json()["last_message"]
    body = orjson.loads(last["body"])
    assert body["event"] == "members.added"
    assert body["count"] == 12
    assert body["person_ids"] == added[:10]
    names = {p.id: p.name for p in crowd}
    assert body["names"] == [names[i] for i in added[:10]]


async def test_unknown_people_are_a_404_even_for_admins(
    world: World, school: dict[str, Any]
) -> None:
    """Found by schemathesis: an admin's group with a missing person id was a 500."""
    a = await world.login(school["admin"])
    r = await a.post("/api/v1/conversations/groups", json={"name": "x", "member_ids": [0]})
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    g = (await a.post("/api/v1/conversations/groups", json={"name": "y"})).json()
    r = await a.post(f"/api/v1/conversations/{g['id']}/members", json={"person_ids": [999999]})
    assert r.status_code == 404


async def page_through(c: Any, limit: int, between: Any = None) -> list[list[int]]:
    """Every page of one's conversation list, as lists of ids; `between(n)` runs after page n."""
    pages: list[list[int]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        r = await c.get("/api/v1/conversations", params=params)
        assert r.status_code == 200, r.text
        body = r.json()
        assert len(body["items"]) <= limit
        pages.append([x["id"] for x in body["items"]])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages
        if between is not None:
            await between(len(pages))


async def test_conversation_list_pages(world: World, school: dict[str, Any]) -> None:
    """More conversations than one page: paging gives each once, most recent activity first;
    ties on the activity time are broken by id across page boundaries; new messages while
    paging move a conversation to the top without it appearing twice."""
    from sqlalchemy import update

    from bellwork.chat.models import Conversation

    t = await world.login(school["teacher"])
    ids = []
    for i in range(9):
        g = await t.post("/api/v1/conversations/groups", json={"name": f"组{i}"})
        ids.append(g.json()["id"])
    for who in ("p1", "p2", "s1"):
        d = await t.post("/api/v1/conversations/direct", json={"person_id": school[who].id})
        ids.append(d.json()["id"])
    # Five conversations share one activity time, so a tie straddles pages of two.
    same = await world.db.get(Conversation, ids[0])
    assert same is not None
    await world.db.execute(
        update(Conversation)
        .where(Conversation.id.in_(ids[2:7]))
        .values(last_message_at=same.last_message_at)
    )
    await world.db.commit()
    everything = (await t.get("/api/v1/conversations", params={"limit": 200})).json()
    assert everything["next_cursor"] is None
    order = [x["id"] for x in everything["items"]]
    assert sorted(order) == sorted(ids)
    keys = [(x["last_message_at"], x["id"]) for x in everything["items"]]
    assert keys == sorted(keys, reverse=True)
    for limit in (1, 2, 5, 12):
        pages = await page_through(t, limit)
        flat = [i for p in pages for i in p]
        assert flat == order, limit
        assert all(len(p) == limit for p in pages[:-1])

    # While paging, new messages arrive: in a conversation already listed (it moves to the
    # top, and must not come again) and in one not reached yet (it moves above the cursor:
    # the client gets it from the message.new event, not from a later page).
    moved: list[int] = []

    async def activity(n: int) -> None:
        if n == 1:
            seen, unseen = order[0], order[-1]
            for cid in (seen, unseen):
                await send(t, cid, f"新消息{cid}")
                moved.append(cid)

    pages = await page_through(t, 4, activity)
    flat = [i for p in pages for i in p]
    assert len(flat) == len(set(flat))  # nothing twice
    assert set(flat) | set(moved) == set(ids)  # nothing missing that did not move
    assert set(order) - set(moved) <= set(flat)
    # A fresh first page has the moved ones on top.
    top = (await t.get("/api/v1/conversations", params={"limit": 2})).json()["items"]
    assert {x["id"] for x in top} == set(moved)


async def test_conversation_list_bad_cursor(world: World, school: dict[str, Any]) -> None:
    from bellwork.core.schemas import encode_cursor

    t = await world.login(school["teacher"])
    for bad in ("not-a-cursor!", encode_cursor(["yesterday", 1]), encode_cursor([1])):
        r = await t.get("/api/v1/conversations", params={"cursor": bad})
        assert r.status_code == 422 and r.json()["code"] == "bad_cursor", bad
    naive = encode_cursor(["2026-01-01T00:00:00", 1])
    r = await t.get("/api/v1/conversations", params={"cursor": naive})
    assert r.status_code == 422 and r.json()["title"] == "The page cursor is invalid."
    r = await t.get("/api/v1/conversations", params={"limit": 201})
    assert r.status_code == 422


async def test_concurrent_membership_changes_take_turns(
    world: World, school: dict[str, Any]
) -> None:
    """Two admins adding and removing the same person at once: every answer is a clean one,
    and the member count, the member list and the system messages agree afterwards."""
    t = await world.login(school["teacher"])
    g = (
        await t.post(
            "/api/v1/conversations/groups", json={"name": "A", "member_ids": [school["p1"].id]}
        )
    ).json()["id"]
    p2 = school["p2"].id

    async def add() -> int:
        r = await t.post(f"/api/v1/conversations/{g}/members", json={"person_ids": [p2]})
        return r.status_code

    async def remove() -> int:
        return (await t.delete(f"/api/v1/conversations/{g}/members/{p2}")).status_code

    codes = await asyncio.gather(*[add() if i % 2 == 0 else remove() for i in range(20)])
    assert set(codes) <= {200, 204, 404}, codes
    members = (await t.get(f"/api/v1/conversations/{g}/members")).json()
    conv = (await t.get(f"/api/v1/conversations/{g}")).json()
    assert conv["member_count"] == len(members)
    ids = [m["person"]["id"] for m in members]
    assert len(ids) == len(set(ids))
    history = (await t.get(f"/api/v1/conversations/{g}/messages", params={"limit": 200})).json()
    events = [orjson.loads(m["body"])["event"] for m in history["items"] if m["kind"] == "system"]
    changes = [e for e in events if e in ("members.added", "members.removed")]
    # Added and removed alternate, and end where the member list ends.
    assert all(a != b for a, b in itertools.pairwise(changes)), changes
    assert (p2 in ids) == (changes[-1] == "members.added" if changes else False)


async def test_group_names_need_something_visible_and_owners_keep_their_role(
    world: World, school: dict[str, Any]
) -> None:
    t = await world.login(school["teacher"])
    for name in ("   ", "\u200b\u200b", "\u202e"):
        r = await t.post("/api/v1/conversations/groups", json={"name": name, "member_ids": []})
        assert r.status_code == 422, (name, r.text)
    g = (await t.post("/api/v1/conversations/groups", json={"name": " 家委会  二组 "})).json()
    assert g["name"] == "家委会 二组"
    r = await t.put(
        f"/api/v1/conversations/{g['id']}/members/{school['teacher'].id}/role",
        json={"role": "member"},
    )
    assert r.status_code == 422 and r.json()["code"] == "cannot_change_own_role"
