"""The lists and their export (docs/approvals.md, "Lists and export"): times in the
organisation's time zone, and what the search finds."""

from __future__ import annotations

from io import BytesIO

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
