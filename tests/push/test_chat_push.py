"""Chat's pushes (chat/pushing.py): a 1:1 message to the other person unless they muted the
chat, an @mention (by name or @all) to whom it names even in a muted group, nothing for
one's own messages, and a private chat's push that says only that there is one."""

from __future__ import annotations

from typing import Any

import httpx

from bellwork.jobs.runner import run_due
from bellwork.runtime import Runtime
from tests.chat.conftest import send
from tests.conftest import World
from tests.push.push_server import PushServer
from tests.push.test_push import at, push_jobs, subscribe


async def pushed(rt: Runtime, server: PushServer, endpoint: str) -> list[dict[str, Any]]:
    await run_due(rt, clock=lambda: at(1))
    return [m.payload for m in server.to(endpoint)]


async def direct(c: httpx.AsyncClient, person_id: int, **extra: Any) -> int:
    r = await c.post("/api/v1/conversations/direct", json={"person_id": person_id, **extra})
    assert r.status_code in (200, 201), r.text
    return int(r.json()["id"])


async def test_direct_messages_push_to_the_other_person_unless_muted(
    world: World, school: dict[str, Any], pushsrv: PushServer, runtime: Runtime
) -> None:
    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    phone = await subscribe(p1, pushsrv, lang="zh-CN")
    mine = await subscribe(t, pushsrv)
    conv = await direct(t, school["p1"].id)
    await send(t, conv, "请明天带上作业本")
    (got,) = await pushed(runtime, pushsrv, phone["endpoint"])
    assert got == {
        "type": "direct",
        "title": "王老师",
        "body": "请明天带上作业本",
        "url": f"/chat/{conv}",
        "tag": f"bw-chat-{conv}",
    }
    assert pushsrv.to(mine["endpoint"]) == []  # never one's own message
    (m,) = pushsrv.to(phone["endpoint"])
    assert (m.headers["Urgency"], m.headers["TTL"]) == ("normal", "43200")

    # Muted by the guardian: quiet; the guardian's reply reaches the teacher.
    r = await p1.put(f"/api/v1/conversations/{conv}/mute", json={"muted": True})
    assert r.status_code == 200
    await send(t, conv, "第二条")
    await send(p1, conv, "收到")
    assert len(await pushed(runtime, pushsrv, phone["endpoint"])) == 1
    assert [x["body"] for x in await pushed(runtime, pushsrv, mine["endpoint"])] == ["收到"]

    # Direct messages turned off in one's settings: nothing either.
    await p1.put(f"/api/v1/conversations/{conv}/mute", json={"muted": False})
    await p1.patch("/api/v1/me/preferences", json={"push_direct": False})
    await send(t, conv, "第三条")
    assert await push_jobs(runtime) == []


async def test_a_private_chat_pushes_no_content(
    world: World, school: dict[str, Any], pushsrv: PushServer, runtime: Runtime
) -> None:
    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    phone = await subscribe(p1, pushsrv, lang="zh-CN")
    laptop = await subscribe(p1, pushsrv, lang="en")
    conv = await direct(t, school["p1"].id, private=True, burn_seconds=10)
    await send(t, conv, "密码是 123456")
    (zh,) = await pushed(runtime, pushsrv, phone["endpoint"])
    (en,) = await pushed(runtime, pushsrv, laptop["endpoint"])
    assert (zh["title"], zh["body"]) == ("王老师", "一条新的私密消息")
    assert (en["title"], en["body"]) == ("王老师", "A new private message")
    assert all("123456" not in str(m.payload) for m in pushsrv.messages)


async def test_mentions_push_to_whom_they_name_even_in_a_muted_group(
    world: World, school: dict[str, Any], pushsrv: PushServer, runtime: Runtime
) -> None:
    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    p2 = await world.login(school["p2"])
    a = await subscribe(p1, pushsrv, lang="zh-CN")
    b = await subscribe(p2, pushsrv, lang="en")
    r = await t.post(
        "/api/v1/conversations/groups",
        json={"name": "家委会", "member_ids": [school["p1"].id, school["p2"].id]},
    )
    assert r.status_code == 201
    g = r.json()["id"]
    await p1.put(f"/api/v1/conversations/{g}/mute", json={"muted": True})
    await send(t, g, "大家好")  # no mention: nobody's phone
    await send(t, g, "@家长1 请回复", mentions=[school["p1"].id])
    (got,) = await pushed(runtime, pushsrv, a["endpoint"])
    assert (got["type"], got["title"], got["body"]) == (
        "mention",
        "王老师在「家委会」中@了你",
        "@家长1 请回复",
    )
    assert pushsrv.to(b["endpoint"]) == []
    await send(t, g, "@所有人 开会", mentions=["all"])
    assert [x["body"] for x in await pushed(runtime, pushsrv, a["endpoint"])][-1] == "@所有人 开会"
    (en,) = await pushed(runtime, pushsrv, b["endpoint"])
    assert en["title"] == "王老师 mentioned you in 家委会"
