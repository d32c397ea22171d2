"""A unit's month through the API: late, early, no check-out, absent and rest days per person,
the totals and the exceptions, a day on leave from a registered leave source, the export and
who may read it."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date

import openpyxl
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.attendance.leave import register_leave_source, unregister_leave_source
from tests.attendance.conftest import NEAR, Clock, school_with_rule
from tests.conftest import World


async def test_the_month_per_person_with_leave_and_its_export(world: World, clock: Clock) -> None:
    s, head = await school_with_rule(world)
    teacher = await world.login(s["teacher"])
    tid = s["teacher"].id

    async def punch(days: int, hh: int, mm: int, cid: str) -> None:
        clock.beijing(hh, mm, days)
        body = {"client_id": cid, "lat": NEAR[0], "lng": NEAR[1]}
        r = await teacher.post("/api/v1/attendance/punches", json=body)
        assert r.status_code == 201, r.text

    # Tue 1 Dec on time; Wed 2 late and early; Thu 3 no check-out; Fri 4 nothing (on leave);
    # Mon 7 nothing (absent); the weekend is rest.
    await punch(0, 7, 55, "a")
    await punch(0, 17, 1, "b")
    await punch(1, 8, 30, "c")
    await punch(1, 16, 0, "d")
    await punch(2, 7, 50, "e")

    async def leave(
        db: AsyncSession, people: Sequence[int], first: date, last: date
    ) -> set[tuple[int, date]]:
        day = date(2026, 12, 4)
        return {(tid, day)} if tid in people and first <= day <= last else set()

    register_leave_source(leave)
    try:
        clock.beijing(12, 0, 7)  # Tuesday 8 December, noon
        r = await head.get(
            f"/api/v1/attendance/units/{s['school'].id}/month", params={"month": "2026-12"}
        )
        assert r.status_code == 200, r.text
        view = r.json()
        row = next(p for p in view["people"] if p["id"] == tid)
        got = {k: row[k] for k in ("expected", "present", "late", "early", "no_out", "absent")}
        # 1, 2, 3, 4, 7 and 8 December are working days; the 8th is still undecided at noon.
        assert got == {
            "expected": 6,
            "present": 3,
            "late": 1,
            "early": 1,
            "no_out": 1,
            "absent": 1,
        }
        assert row["leave"] == 1 and row["late_minutes"] == 30 and row["early_minutes"] == 60
        mine = [(e["day"], e["status"]) for e in view["exceptions"] if e["person_id"] == tid]
        assert mine == [
            ("2026-12-02", "late_early"),
            ("2026-12-03", "no_out"),
            ("2026-12-07", "absent"),
        ]
        assert view["totals"]["late"] >= 1

        r = await head.get(
            f"/api/v1/attendance/units/{s['school'].id}/month/export",
            params={"month": "2026-12"},
            headers={"accept-language": "zh-CN"},
        )
        assert r.status_code == 200
        wb = openpyxl.load_workbook(io.BytesIO(r.content))
        summary, exceptions = wb.worksheets
        rows = {x[0]: x for x in summary.iter_rows(values_only=True)}
        assert rows["王老师"][1:7] == (6, 3, 1, 1, 1, 1)
        assert "合计" in rows
        days = [x[:3] for x in exceptions.iter_rows(values_only=True)][1:]
        assert ("王老师", "2026-12-02", "迟到且早退") in days
    finally:
        unregister_leave_source(leave)

    # Not the teacher's to read; a bad month is named.
    r = await teacher.get(
        f"/api/v1/attendance/units/{s['school'].id}/month", params={"month": "2026-12"}
    )
    assert r.status_code == 403 and r.json()["code"] == "attendance_not_manager"
    r = await head.get(
        f"/api/v1/attendance/units/{s['school'].id}/month", params={"month": "2026-13"}
    )
    assert r.status_code == 422


async def test_my_month_shows_leave_and_a_leave_over_a_weekend_leaves_it_rest(
    world: World, clock: Clock
) -> None:
    s, head = await school_with_rule(world)
    teacher = await world.login(s["teacher"])
    tid = s["teacher"].id
    clock.beijing(7, 55)  # Tue 1 December, on time
    r = await teacher.post(
        "/api/v1/attendance/punches", json={"client_id": "a", "lat": NEAR[0], "lng": NEAR[1]}
    )
    assert r.status_code == 201, r.text
    # Leave from Friday 4 to Monday 7 December, and Thursday 10 December (ahead).
    on_leave = {date(2026, 12, d) for d in (4, 5, 6, 7, 10)}

    async def leave(
        db: AsyncSession, people: Sequence[int], first: date, last: date
    ) -> set[tuple[int, date]]:
        return {(tid, d) for d in on_leave if tid in people and first <= d <= last}

    register_leave_source(leave)
    try:
        clock.beijing(12, 0, 7)  # Tuesday 8 December, noon
        r = await teacher.get("/api/v1/attendance/me/month", params={"month": "2026-12"})
        assert r.status_code == 200, r.text
        mine = r.json()
        assert mine["rule_name"] == "实验小学作息"
        got = {d["day"][-2:]: d["status"] for d in mine["days"]}
        assert got == {
            "01": "no_out",  # in at 7:55, never out
            "02": "absent",
            "03": "absent",
            "04": "leave",
            "05": "rest",
            "06": "rest",
            "07": "leave",
            "08": "pending",
            "10": "leave",  # after today: only a day on leave is shown
        }
        first = next(d for d in mine["days"] if d["day"] == "2026-12-01")
        assert first["first"] is not None

        r = await head.get(
            f"/api/v1/attendance/units/{s['school'].id}/month", params={"month": "2026-12"}
        )
        row = next(p for p in r.json()["people"] if p["id"] == tid)
        # 1-4, 7 and 8 December: the weekend inside the leave is not a working day.
        assert (row["expected"], row["leave"], row["absent"]) == (6, 2, 2)
    finally:
        unregister_leave_source(leave)

    # A guardian is under no rule: an empty month; a bad month is named.
    mum = await world.login(s["mum"])
    r = await mum.get("/api/v1/attendance/me/month", params={"month": "2026-12"})
    assert r.status_code == 200 and r.json() == {"month": "2026-12", "rule_name": None, "days": []}
    r = await teacher.get("/api/v1/attendance/me/month", params={"month": "2026-13"})
    assert r.status_code == 422
