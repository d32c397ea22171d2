"""The lists and their export (docs/approvals.md, "Lists and export"): times in the
organisation's time zone, and what the search finds."""

from __future__ import annotations

from io import BytesIO

import httpx
from openpyxl import load_workbook

from tests.approvals.conftest import Clock, expense_flow, org, submit, template
from tests.conftest import World


async def test_the_export_writes_times_in_the_organisations_time_zone(
    world: World, clock: Clock
) -> None:
    t = await org(world)
    boss = await world.login(t["boss"])
    tpl = await template(
        boss, t["company"].id, name="报销", builtin="expense", flow=expense_flow(t["finance"].id)
    )
    alice = await world.login(t["alice"])
    claim = {"category": "travel", "amount": 300, "spent_on": "2026-11-30", "details": "出租车"}
    assert (await submit(alice, tpl, claim, "z-1")).status_code == 201

    async def sheet(lang: str) -> list[tuple[object, ...]]:
        r = await alice.get(
            "/api/v1/approvals/export",
            params={"box": "mine"},
            headers={"accept-language": lang},
        )
        assert r.status_code == 200, r.text
        ws = load_workbook(BytesIO(r.content)).active
        assert ws is not None
        return list(ws.iter_rows(values_only=True))

    # By default (no unit sets a zone): Shanghai, and the header says so.
    rows = await sheet("en")
    assert rows[0][6] == "Submitted at (Asia/Shanghai)"
    assert rows[1][6] == "2026-12-01 10:00"
    # The company works in Tokyo: the same request at 11:00 there.
    t["company"].settings = {"time_zone": "Asia/Tokyo"}
    await world.commit()
    rows = await sheet("en")
    assert rows[0][6] == "Submitted at (Asia/Tokyo)"
    assert rows[1][6] == "2026-12-01 11:00"
    rows = await sheet("zh-CN")
    assert rows[0][6] == "提交时间 (Asia/Tokyo)"


async def test_search_finds_the_submitters_name_and_short_text_answers_it_may_see(
    world: World, clock: Clock
) -> None:
    t = await org(world)
    boss = await world.login(t["boss"])
    tpl = await template(boss, t["company"].id, name="采购", builtin="purchase")
    alice, bob = await world.login(t["alice"]), await world.login(t["bob"])
    buy = {"item": "Ergo 人体工学椅", "quantity": 1, "amount": 1200, "reason": "腰不好"}
    chair = (await submit(alice, tpl, buy, "p-1")).json()
    desk = {**buy, "item": "升降桌", "reason": "想要一把人体工学椅"}
    table = (await submit(bob, tpl, desk, "p-2")).json()

    async def found(client: httpx.AsyncClient, box: str, q: str) -> list[int]:
        r = await client.get("/api/v1/approvals", params={"box": box, "q": q})
        assert r.status_code == 200, r.text
        return [i["id"] for i in r.json()["items"]]

    # A short text answer (the item), in any case; not the long reason.
    assert await found(alice, "mine", "工学椅") == [chair["id"]]
    assert await found(alice, "mine", "ergo") == [chair["id"]]
    manager = await world.login(t["manager"])
    assert await found(manager, "waiting", "工学椅") == [chair["id"]]
    assert await found(manager, "waiting", "升降") == [table["id"]]
    # The submitter's name; the title still counts.
    assert await found(manager, "waiting", "王波") == [table["id"]]
    assert sorted(await found(manager, "waiting", "采购")) == sorted([chair["id"], table["id"]])
    # Only what the person may see: bob's list and an outsider's lists find nothing of alice's.
    assert await found(bob, "mine", "工学椅") == []
    cfo = await world.login(t["cfo"])
    for box in ("waiting", "mine", "done", "cc"):
        assert await found(cfo, box, "工学椅") == []
    # Typed wildcards are text, not patterns.
    assert await found(manager, "waiting", "%") == []
    assert await found(manager, "waiting", "_") == []
    # The export finds the same.
    r = await manager.get("/api/v1/approvals/export", params={"box": "waiting", "q": "工学椅"})
    ws = load_workbook(BytesIO(r.content)).active
    assert ws is not None
    assert [row[0] for row in ws.iter_rows(min_row=2, values_only=True)] == [chair["id"]]

    # A guardian's student leave is titled by the child; the guardian's name finds it too.
    principal = await world.login(t["principal"])
    leave = await template(principal, t["school"].id, builtin="student_leave", name="学生请假")
    mum = await world.login(t["mum"])
    answers = {"leave_type": "sick", "start": "2026-12-02", "end": "2026-12-02", "days": 1}
    req = (await submit(mum, leave, {**answers, "reason": "发烧"}, "s-1")).json()
    teacher = await world.login(t["teacher"])
    assert await found(teacher, "waiting", "小明妈妈") == [req["id"]]
    assert await found(teacher, "waiting", "小明") == [req["id"]]
