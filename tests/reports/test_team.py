"""A manager's view of the team (docs/reports.md): who submitted, late, who has not (the
unreport list), the numbers summed, the export, and the reminder job."""

from __future__ import annotations

import io
from datetime import timedelta

import openpyxl
from sqlalchemy import func, select

from bellwork.ding.models import Ding, DingMessage
from bellwork.reports.models import ReportReminder
from bellwork.reports.reminders import sweep
from tests.conftest import World
from tests.reports.conftest import GOOD, Clock, daily_template, team


async def test_the_day_view_sums_the_team_and_lists_who_has_not(world: World, clock: Clock) -> None:
    t = await team(world)
    manager = await world.login(t["manager"])
    template = await daily_template(manager, t["sales"].id)
    tid = template["id"]
    alice = await world.login(t["alice"])
    r = await alice.post(
        "/api/v1/reports",
        json={"client_id": "a", "template_id": tid, "version": 1, "answers": GOOD},
    )
    assert r.status_code == 201, r.text
    clock.now += timedelta(hours=9)  # 19:00: past the 18:00 deadline
    bob = await world.login(t["bob"])
    r = await bob.post(
        "/api/v1/reports",
        json={
            "client_id": "b",
            "template_id": tid,
            "version": 1,
            "answers": {**GOOD, "customers": 4},
        },
    )
    assert r.status_code == 201 and r.json()["late"] is True
    view = (await manager.get(f"/api/v1/reports/templates/{tid}/team")).json()
    assert view["expected"] == 2 and view["period"] == "2026-12-01"
    assert [p["name"] for p in view["submitted"]] == ["李丽"]
    assert [p["name"] for p in view["late"]] == ["王波"]
    assert view["unreported"] == []
    assert view["sums"] == [
        {"key": "customers", "label": "Customers followed up", "unit": "个", "total": 7.0}
    ]
    # The next day nobody has written yet: the unreport list.
    nxt = (
        await manager.get(f"/api/v1/reports/templates/{tid}/team", params={"day": "2026-12-02"})
    ).json()
    assert sorted(p["id"] for p in nxt["unreported"]) == sorted([t["alice"].id, t["bob"].id])
    assert nxt["sums"][0]["total"] == 0
    # The company's head sees the department; staff do not.
    boss = await world.login(t["boss"])
    assert (await boss.get(f"/api/v1/reports/templates/{tid}/team")).status_code == 200
    r = await alice.get(f"/api/v1/reports/templates/{tid}/team")
    assert r.status_code == 403 and r.json()["code"] == "report_not_manager"
    # The export: a row per person and the totals.
    r = await manager.get(f"/api/v1/reports/templates/{tid}/team/export")
    assert r.status_code == 200, r.text
    ws = openpyxl.load_workbook(io.BytesIO(r.content)).active
    assert ws is not None
    rows = [list(row) for row in ws.iter_rows(values_only=True)]
    assert rows[0][:3] == ["Name", "Status", "Submitted at"]
    assert {rows[1][0], rows[2][0]} == {"李丽", "王波"}
    assert rows[-1][0] == "Total" and 7 in rows[-1]


async def test_reminders_go_once_before_the_deadline_to_those_missing(
    world: World, clock: Clock
) -> None:
    t = await team(world)
    manager = await world.login(t["manager"])
    template = await daily_template(manager, t["sales"].id, remind_before=60, remind_by="ding")
    alice = await world.login(t["alice"])
    await alice.post(
        "/api/v1/reports",
        json={"client_id": "a", "template_id": template["id"], "version": 1, "answers": GOOD},
    )
    db = world.db
    assert await sweep(db, clock.now) == 0  # 10:00: not yet
    reminded = await sweep(db, clock.now + timedelta(hours=7, minutes=10))  # 17:10
    assert reminded == 1  # Bob
    assert await sweep(db, clock.now + timedelta(hours=7, minutes=20)) == 0  # once
    await db.commit()
    count = (await db.execute(select(func.count()).select_from(ReportReminder))).scalar_one()
    assert count == 1
    dings = (await db.execute(select(Ding.recipient_id))).scalars().all()
    assert list(dings) == [t["bob"].id]
    assert (await db.execute(select(func.count()).select_from(DingMessage))).scalar_one() == 1
