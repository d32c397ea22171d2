"""扫码入群 (issue 10, item 12): a group's QR code / link, the group's admission setting (open,
approval, off), requests that owners and admins decide, codes that expire or are replaced."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import update

from bellwork.chat.models import GroupInvite
from bellwork.db.base import utcnow
from tests.chat.conftest import connect
from tests.conftest import World


async def group(t: httpx.AsyncClient, name: str, members: list[int]) -> int:
    r = await t.post("/api/v1/conversations/groups", json={"name": name, "member_ids": members})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


async def mode(t: httpx.AsyncClient, conv: int, join_mode: str) -> None:
    r = await t.patch(f"/api/v1/conversations/{conv}", json={"join_mode": join_mode})
    assert r.status_code == 200, r.text
    assert r.json()["join_mode"] == join_mode


async def code_of(c: httpx.AsyncClient, conv: int) -> str:
    r = await c.get(f"/api/v1/conversations/{conv}/invite")
    assert r.status_code == 200, r.text
    return str(r.json()["code"])


async def members(c: httpx.AsyncClient, conv: int) -> set[str]:
    r = await c.get(f"/api/v1/conversations/{conv}/members")
    return {m["person"]["name"] for m in r.json()}


async def test_open_group_joins_at_once_and_says_who_shared(
    world: World, school: dict[str, Any]
) -> None:
    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    p2 = await world.login(school["p2"])
    g = await group(t, "家委会", [school["p1"].id])
    assert (await t.get(f"/api/v1/conversations/{g}")).json()["join_mode"] == "approval"
    await mode(t, g, "open")
    code = await code_of(p1, g)  # a member shares it
    assert await code_of(t, g) == code  # one current code

    seen = await p2.get(f"/api/v1/invites/{code}")
    assert seen.status_code == 200, seen.text
    body = seen.json()
    assert (body["name"], body["member_count"], body["join_mode"]) == ("家委会", 2, "open")
    assert (body["invited_by"]["name"], body["member"], body["requested"]) == (
        "家长1",
        False,
        False,
    )
    r = await p2.post(f"/api/v1/invites/{code}/join")
    assert r.json() == {"status": "joined", "conversation_id": g}
    assert await members(t, g) == {"王老师", "家长1", "家长2"}
    notice = (await t.get(f"/api/v1/conversations/{g}/messages")).json()["items"][-1]
    assert notice["kind"] == "system"
    assert '"event":"members.joined"' in notice["body"] and "家长1" in notice["body"]
    assert notice["sender"]["name"] == "家长2"
    again = await p2.post(f"/api/v1/invites/{code}/join")
    assert again.json()["status"] == "member"


async def test_approval_requests_are_decided_by_admins(
    world: World, school: dict[str, Any], live: str
) -> None:
    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    p2 = await world.login(school["p2"])
    p3 = await world.login(school["p3"])
    g = await group(t, "家委会", [school["p1"].id])
    code = await code_of(t, g)
    async with connect(live, t) as st:
        r = await p2.post(f"/api/v1/invites/{code}/join")
        assert r.json() == {"status": "requested", "conversation_id": g}
        heard = await st.next("join.requested")
        assert heard["conversation_id"] == g
    assert (await p2.get(f"/api/v1/invites/{code}")).json()["requested"] is True
    await p3.post(f"/api/v1/invites/{code}/join")
    assert await members(t, g) == {"王老师", "家长1"}  # nobody in yet

    # Members do not decide; admins see the requests, oldest first.
    assert (await p1.get(f"/api/v1/conversations/{g}/join-requests")).status_code == 403
    waiting = (await t.get(f"/api/v1/conversations/{g}/join-requests")).json()
    assert [w["person"]["name"] for w in waiting] == ["家长2", "家长3"]
    assert waiting[0]["invited_by"]["name"] == "王老师"

    async with connect(live, p2) as s2:
        r = await t.post(f"/api/v1/conversations/{g}/join-requests/{waiting[0]['id']}/approve")
        assert r.status_code == 204
        assert (await s2.next("join.decided"))["approved"] is True
    r = await t.post(f"/api/v1/conversations/{g}/join-requests/{waiting[1]['id']}/refuse")
    assert r.status_code == 204
    assert await members(t, g) == {"王老师", "家长1", "家长2"}
    assert (await t.get(f"/api/v1/conversations/{g}/join-requests")).json() == []
    # Refused: they may ask again, and it waits anew.
    r = await p3.post(f"/api/v1/invites/{code}/join")
    assert r.json()["status"] == "requested"
    assert len((await t.get(f"/api/v1/conversations/{g}/join-requests")).json()) == 1


async def test_off_expired_replaced_and_wrong_codes(world: World, school: dict[str, Any]) -> None:
    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    p2 = await world.login(school["p2"])
    g = await group(t, "家委会", [school["p1"].id])
    await mode(t, g, "open")
    first = await code_of(t, g)

    # Replaced: the old code no longer works, for anyone, with a word on what to do.
    r = await t.post(f"/api/v1/conversations/{g}/invite/reset")
    second = r.json()["code"]
    assert second != first
    old = await p2.get(f"/api/v1/invites/{first}", headers={"accept-language": "zh-CN"})
    assert old.status_code == 404
    assert old.json()["title"] == "该二维码或链接已过期或已被重置，请向群成员索取新的。"
    assert (await p2.post(f"/api/v1/invites/{first}/join")).status_code == 404
    assert (await p2.get("/api/v1/invites/not-a-real-code-at-all")).status_code == 404
    assert (await p2.get("/api/v1/invites/bad code!")).status_code in (404, 422)
    # Members cannot replace it.
    assert (await p1.post(f"/api/v1/conversations/{g}/invite/reset")).status_code == 403

    # Off: members cannot show it, nobody joins by it; an admin still can switch it back on.
    await mode(t, g, "off")
    r = await p1.get(f"/api/v1/conversations/{g}/invite")
    assert (r.status_code, r.json()["code"]) == (403, "invites_off")
    r = await p2.post(f"/api/v1/invites/{second}/join")
    assert (r.status_code, r.json()["code"]) == (403, "invites_off")
    assert (await t.get(f"/api/v1/conversations/{g}/invite")).status_code == 200
    await mode(t, g, "open")

    # Expired after 7 days: a new one is made when asked.
    await world.db.execute(update(GroupInvite).values(expires_at=utcnow() - timedelta(seconds=1)))
    await world.commit()
    assert (await p2.post(f"/api/v1/invites/{second}/join")).status_code == 404
    third = await code_of(t, g)
    assert third not in (first, second)
    assert (await p2.post(f"/api/v1/invites/{third}/join")).json()["status"] == "joined"

    # Unit groups follow the roster; direct chats have no code.
    unit = (await t.get(f"/api/v1/units/{school['klass'].id}/group")).json()["id"]
    r = await t.get(f"/api/v1/conversations/{unit}/invite")
    assert (r.status_code, r.json()["code"]) == (403, "unit_group_follows_roster")
    d = (await t.post("/api/v1/conversations/direct", json={"person_id": school["p1"].id})).json()
    assert (await t.get(f"/api/v1/conversations/{d['id']}/invite")).status_code == 403
    # A member may not change the admission setting.
    r = await p1.patch(f"/api/v1/conversations/{g}", json={"join_mode": "open"})
    assert r.status_code == 403
