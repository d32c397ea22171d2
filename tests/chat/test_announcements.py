"""群公告 (issue 10, item 8): a group's announcement pinned at the top, posted by its owner and
admins, announced in the chat, confirmed by members; who has and who has not, for its author."""

from __future__ import annotations

from typing import Any

import httpx

from tests.chat.conftest import connect, send
from tests.conftest import World


async def group(t: httpx.AsyncClient, name: str, members: list[int]) -> int:
    r = await t.post("/api/v1/conversations/groups", json={"name": name, "member_ids": members})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def url(conv: int, rest: str = "") -> str:
    return f"/api/v1/conversations/{conv}/announcement{rest}"


async def state(c: httpx.AsyncClient, conv: int) -> dict[str, Any]:
    r = await c.get(url(conv))
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


async def post(c: httpx.AsyncClient, conv: int, body: str, confirm: bool = True) -> dict[str, Any]:
    r = await c.put(url(conv), json={"body": body, "confirm": confirm})
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


async def names(c: httpx.AsyncClient, conv: int, aid: int, confirmed: bool) -> list[str]:
    r = await c.get(
        f"/api/v1/conversations/{conv}/announcements/{aid}/confirmations",
        params={"confirmed": confirmed},
    )
    assert r.status_code == 200, r.text
    return [x["person"]["name"] for x in r.json()["items"]]


async def test_posted_pinned_announced_and_confirmed(world: World, school: dict[str, Any]) -> None:
    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    p2 = await world.login(school["p2"])
    g = await group(t, "家委会", [school["p1"].id, school["p2"].id])
    assert await state(p1, g) == {"announcement": None, "can_edit": False}
    assert (await state(t, g))["can_edit"] is True

    a = await post(t, g, "  周五下午家长会，请准时参加。\n地点：三楼会议室  ")
    assert a["body"] == "周五下午家长会，请准时参加。\n地点：三楼会议室"  # trimmed, lines kept
    assert (a["confirmed_count"], a["pending_count"]) == (0, 2)
    # In the chat: a message of its own kind that mentions everyone.
    msgs = (await p1.get(f"/api/v1/conversations/{g}/messages")).json()["items"]
    said = next(m for m in msgs if m["seq"] == a["seq"])
    assert (said["kind"], said["body"], said["mentions"]) == ("announcement", a["body"], ["all"])
    listed = (await p1.get(f"/api/v1/conversations/{g}")).json()
    assert listed["mention_all_seq"] == a["seq"]

    # A member sees it and their own state, not the counts.
    seen = (await state(p1, g))["announcement"]
    assert (seen["body"], seen["confirm"], seen["confirmed_at"]) == (a["body"], True, None)
    assert (seen["confirmed_count"], seen["pending_count"], seen["can_edit"]) == (None, None, False)
    assert seen["author"]["name"] == "王老师"

    r = await p1.post(f"/api/v1/conversations/{g}/announcements/{a['id']}/confirm")
    assert r.status_code == 200, r.text
    assert r.json()["confirmed_at"] is not None
    again = await p1.post(f"/api/v1/conversations/{g}/announcements/{a['id']}/confirm")
    assert again.json()["confirmed_at"] == r.json()["confirmed_at"]  # once is enough

    mine = (await state(t, g))["announcement"]
    assert (mine["confirmed_count"], mine["pending_count"]) == (1, 1)
    assert await names(t, g, a["id"], True) == ["家长1"]
    assert await names(t, g, a["id"], False) == ["家长2"]
    # Members do not see the lists.
    r = await p2.get(
        f"/api/v1/conversations/{g}/announcements/{a['id']}/confirmations",
        params={"confirmed": False},
    )
    assert r.status_code == 403
    assert r.json()["code"] == "announcement_lists_for_admins"

    # Someone who joins later is asked too.
    await t.post(f"/api/v1/conversations/{g}/members", json={"person_ids": [school["p3"].id]})
    assert await names(t, g, a["id"], False) == ["家长2", "家长3"]


async def test_who_may_post_and_what_is_refused(world: World, school: dict[str, Any]) -> None:
    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    g = await group(t, "家委会", [school["p1"].id])
    r = await p1.put(url(g), json={"body": "我来发公告"})
    assert (r.status_code, r.json()["code"]) == (403, "group_admin_only")
    r = await t.put(url(g), json={"body": "   \n "}, headers={"accept-language": "zh-CN"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["message"] == "不能为空。"
    r = await t.put(url(g), json={"body": "长" * 2001})
    assert r.status_code == 422
    assert (await state(t, g))["announcement"] is None  # nothing half-made

    # A direct chat has none.
    d = (await t.post("/api/v1/conversations/direct", json={"person_id": school["p1"].id})).json()
    r = await t.put(url(d["id"]), json={"body": "公告"})
    assert (r.status_code, r.json()["code"]) == (403, "not_a_group")
    assert await state(t, d["id"]) == {"announcement": None, "can_edit": False}

    # Not a member: 404 like any conversation one cannot see.
    outsider = await world.login(school["p2"])
    assert (await outsider.get(url(g))).status_code == 404

    # Nothing to confirm when it does not ask, nor for its author.
    plain = await post(t, g, "仅通知", confirm=False)
    r = await p1.post(f"/api/v1/conversations/{g}/announcements/{plain['id']}/confirm")
    assert (r.status_code, r.json()["code"]) == (403, "announcement_no_confirm")
    asked = await post(t, g, "请确认")
    r = await t.post(f"/api/v1/conversations/{g}/announcements/{asked['id']}/confirm")
    assert r.status_code == 403
    # A replaced one cannot be confirmed any more.
    r = await p1.post(f"/api/v1/conversations/{g}/announcements/{plain['id']}/confirm")
    assert (r.status_code, r.json()["code"]) == (403, "announcement_replaced")


async def test_replaced_removed_and_recalled(
    world: World, school: dict[str, Any], live: str
) -> None:
    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    g = await group(t, "家委会", [school["p1"].id])
    first = await post(t, g, "第一版")
    async with connect(live, p1) as s1:
        second = await post(t, g, "第二版")
        assert (await s1.next("message.new"))["message"]["kind"] == "announcement"
        changed = await s1.next("announcement.changed")
        assert changed == {
            "type": "announcement.changed",
            "conversation_id": g,
            "announcement_id": second["id"],
        }
        assert (await state(p1, g))["announcement"]["body"] == "第二版"
        assert first["id"] != second["id"]

        # Confirming reaches the author's devices, not the whole group.
        async with connect(live, t) as st:
            await p1.post(f"/api/v1/conversations/{g}/announcements/{second['id']}/confirm")
            got = await st.next("announcement.confirmed")
            assert (got["person_id"], got["confirmed_count"]) == (school["p1"].id, 1)
            assert (await s1.next("announcement.confirmed"))["person_id"] == school["p1"].id

        r = await t.delete(url(g))
        assert r.status_code == 204
        assert (await s1.next("announcement.changed"))["announcement_id"] is None
    assert (await state(p1, g))["announcement"] is None
    assert (await t.delete(url(g))).status_code == 204  # nothing left to remove: fine

    # Recalling the message that announced it takes it down with its text.
    third = await post(t, g, "发错了")
    r = await t.post(f"/api/v1/conversations/{g}/messages/{third['seq']}/recall")
    assert r.status_code == 204
    assert (await state(p1, g))["announcement"] is None
    await send(t, g, "正常消息")


async def test_unit_group_teachers_post_guardians_confirm(
    world: World, school: dict[str, Any]
) -> None:
    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    g = (await t.get(f"/api/v1/units/{school['klass'].id}/group")).json()["id"]
    r = await p1.put(url(g), json={"body": "家长发的"})
    assert r.status_code == 403
    a = await post(t, g, "明天开学，请带好暑假作业。")
    assert (a["confirmed_count"], a["pending_count"]) == (0, 3)  # the three guardians
    r = await p1.post(f"/api/v1/conversations/{g}/announcements/{a['id']}/confirm")
    assert r.status_code == 200
    pending = await t.get(
        f"/api/v1/conversations/{g}/announcements/{a['id']}/confirmations",
        params={"confirmed": False, "limit": 1},
    )
    page = pending.json()
    assert len(page["items"]) == 1 and page["next_cursor"]
    # Guardians are shown as their child's parent.
    assert page["items"][0]["person"]["parent_of"]["student_name"] == "学生2"
    rest = await t.get(
        f"/api/v1/conversations/{g}/announcements/{a['id']}/confirmations",
        params={"confirmed": False, "cursor": page["next_cursor"]},
    )
    assert [x["person"]["name"] for x in rest.json()["items"]] == ["家长3"]
