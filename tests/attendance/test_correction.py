"""A correction (补卡) through approvals: a teacher who forgot to check out asks for it with the
built-in correction template; once the head approves, the day has the corrected punch and is
worked out again (bellwork/wiring.py plugs attendance into approvals' outcomes). A rejected
correction changes nothing."""

from __future__ import annotations

from sqlalchemy import select

from bellwork.attendance.models import AttendancePunch
from tests.approvals.conftest import submit, template
from tests.attendance.conftest import NEAR, Clock, school_with_rule
from tests.conftest import World


async def test_an_approved_correction_completes_the_day(world: World, clock: Clock) -> None:
    s, head = await school_with_rule(world)
    teacher = await world.login(s["teacher"])
    # Tuesday 1 December: in at 07:55, never out.
    clock.beijing(7, 55)
    body = {"client_id": "in", "lat": NEAR[0], "lng": NEAR[1]}
    assert (await teacher.post("/api/v1/attendance/punches", json=body)).status_code == 201
    clock.beijing(12, 0, 1)  # the next day

    async def status(day: str) -> str:
        r = await head.get(
            f"/api/v1/attendance/units/{s['school'].id}/month", params={"month": "2026-12"}
        )
        assert r.status_code == 200, r.text
        found = [
            e["status"]
            for e in r.json()["exceptions"]
            if e["person_id"] == s["teacher"].id and e["day"] == day
        ]
        return found[0] if found else "normal"

    assert await status("2026-12-01") == "no_out"

    tpl = await template(head, s["school"].id, builtin="correction", name="补卡")
    answers = {"day": "2026-12-01", "time": "17:05", "reason": "忘记打卡"}
    r = await submit(teacher, tpl, answers, "c1")
    assert r.status_code == 201, r.text
    req = r.json()
    assert req["status"] == "pending"
    assert await status("2026-12-01") == "no_out"  # not before it is approved

    # A second one is rejected: nothing is recorded for it
    r = await submit(teacher, tpl, {**answers, "time": "18:30"}, "c2")
    other = r.json()
    assert (await head.post(f"/api/v1/approvals/{other['id']}/reject", json={})).is_success

    r = await head.post(f"/api/v1/approvals/{req['id']}/approve", json={"comment": "同意"})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "approved"
    assert await status("2026-12-01") == "normal"
    punches = (
        (
            await world.db.execute(
                select(AttendancePunch).where(AttendancePunch.person_id == s["teacher"].id)
            )
        )
        .scalars()
        .all()
    )
    assert sorted((p.source, p.note) for p in punches) == [("correct", "忘记打卡"), ("geo", None)]
    # Approving again records nothing more
    assert (await head.post(f"/api/v1/approvals/{req['id']}/approve", json={})).is_success
    again = await world.db.execute(
        select(AttendancePunch.id).where(AttendancePunch.person_id == s["teacher"].id)
    )
    assert len(again.all()) == 2
