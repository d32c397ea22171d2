"""Reminding those still missing: by hand from the statistics page ("remind everyone missing",
at most once per 5 minutes at a unit for a day) and by the campaign's reminder times, in the
app or by DING (a DING from the installation to the same people as DING's "has still to fill
form Y")."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bellwork.audit.models import AuditEntry
from bellwork.db.session import unit_of_work
from bellwork.ding.models import Ding, DingMessage
from bellwork.forms.reminders import remind_day
from tests.conftest import World
from tests.forms.test_filling import (
    DAY,
    GOOD,
    LATE,
    MORNING,
    Clock,
    clock,
    open_today,
    run_campaign,
    school,
)

__all__ = ["clock"]


async def _dings(world: World) -> list[tuple[DingMessage, dict[int, int | None]]]:
    msgs = list((await world.db.execute(select(DingMessage).order_by(DingMessage.id))).scalars())
    out = []
    for m in msgs:
        rows = await world.db.execute(
            select(Ding.recipient_id, Ding.unit_id).where(Ding.message_id == m.id)
        )
        out.append((m, dict(rows.all())))
    await world.db.commit()
    return out


async def test_remind_everyone_missing_by_hand_once_per_five_minutes(
    world: World, clock: Clock
) -> None:
    s = await school(world)
    teacher, campaign = await run_campaign(world, s)
    cid = campaign["id"]
    await open_today(world, cid)
    mum = await world.login(s["mum"])
    r = await mum.post(
        f"/api/v1/forms/campaigns/{cid}/submissions",
        json={"client_id": "a", "subject_id": s["ming"].id, "version": 1, "answers": GOOD},
    )
    assert r.status_code == 201
    url = f"/api/v1/forms/campaigns/{cid}/reminders"
    # In the app (the campaign's way): 李小红 is missing; she and her father are told.
    r = await teacher.post(url, json={"day": DAY.isoformat()})
    assert r.status_code == 201, r.text
    first = r.json()
    assert (first["by"], first["subjects"], first["reached"]) == ("app", 1, 2)
    assert first["sent_by"]["name"] == "王老师" and first["unit_id"] == s["c1"].id
    # Again at once: refused with the time left.
    clock.now = MORNING + timedelta(minutes=2, seconds=30)
    r = await teacher.post(url, json={"day": DAY.isoformat()})
    assert r.status_code == 429
    assert r.headers["retry-after"] == "150"
    assert "2 min 30 s" in r.json()["title"]
    listed = (await teacher.get(url, params={"day": DAY.isoformat()})).json()
    assert [x["id"] for x in listed] == [first["id"]]
    assert listed[0]["next_at"].startswith("2026-11-30T23:05")
    # Five minutes on, by DING this time: one DING from the installation, in the class.
    clock.now = MORNING + timedelta(minutes=5)
    r = await teacher.post(url, json={"day": DAY.isoformat(), "by": "ding"})
    assert r.status_code == 201, r.text
    assert r.json()["by"] == "ding"
    [(msg, asked)] = await _dings(world)
    assert msg.sender_id is None and msg.sent_at is not None
    assert "一年级1班每日健康打卡" in msg.body and "09:00" in msg.body
    assert asked == {s["hong"].id: s["c1"].id, s["stranger"].id: s["c1"].id}
    # Who reminded whom, and how, is on the record.
    logged = (
        await world.db.execute(
            select(AuditEntry.after)
            .where(AuditEntry.action == "form.remind")
            .order_by(AuditEntry.id)
        )
    ).scalars()
    assert [(a["by"], a["people"]) for a in logged] == [("app", 2), ("ding", 2)]
    await world.db.commit()
    # Not a day that can be filled any more, or nobody missing: refused.
    clock.now = LATE + timedelta(days=1)
    r = await teacher.post(url, json={"day": DAY.isoformat()})
    assert r.status_code == 409 and r.json()["code"] == "form_period_closed"
    clock.now = MORNING + timedelta(minutes=20)
    hong = await world.login(s["hong"])
    r = await hong.post(
        f"/api/v1/forms/campaigns/{cid}/submissions",
        json={"client_id": "b", "subject_id": s["hong"].id, "version": 1, "answers": GOOD},
    )
    assert r.status_code == 201
    r = await teacher.post(url, json={"day": DAY.isoformat()})
    assert r.status_code == 409 and r.json()["code"] == "form_nobody_missing"
    # Someone who may not see the figures: 404, as for a campaign that does not exist.
    r = await mum.post(url, json={"day": DAY.isoformat()})
    assert r.status_code == 404


async def test_a_school_head_reminds_below_the_unit_they_look_at(
    world: World, clock: Clock
) -> None:
    """The scope is the unit being viewed: the school's 2班 alone, and a reminder there does
    not hold back one at the school."""
    s = await school(world)
    head = await world.login(s["head"])
    template = (
        await head.post(
            "/api/v1/forms/templates",
            json={"unit_id": s["school"].id, "name": "晨检", "builtin": "student_health"},
        )
    ).json()
    r = await head.post(
        "/api/v1/forms/campaigns",
        json={
            "client_id": "s-1",
            "template_id": template["id"],
            "unit_id": s["school"].id,
            "name": "全校晨检",
            "subject": "student",
            "units": [{"unit_id": s["school"].id, "roles": ["student"]}],
            "schedule": {"kind": "daily", "start": DAY.isoformat()},
            "remind_by": "ding",
        },
    )
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    await open_today(world, cid)
    url = f"/api/v1/forms/campaigns/{cid}/reminders"
    r = await head.post(url, json={"day": DAY.isoformat(), "unit_id": s["c2"].id})
    assert r.status_code == 201, r.text
    assert (r.json()["by"], r.json()["subjects"], r.json()["reached"]) == ("ding", 1, 1)
    r = await head.post(url, json={"day": DAY.isoformat()})
    assert r.status_code == 201
    assert (r.json()["subjects"], r.json()["reached"]) == (3, 5)
    dings = await _dings(world)
    assert [set(asked) for _, asked in dings] == [
        {s["gang"].id},
        {s["ming"].id, s["hong"].id, s["gang"].id, s["mum"].id, s["stranger"].id},
    ]


async def test_the_reminder_job_dings_when_the_campaign_says_so(world: World, clock: Clock) -> None:
    s = await school(world)
    _, campaign = await run_campaign(world, s, remind_by="ding")
    assert campaign["remind_by"] == "ding"
    await open_today(world, campaign["id"])
    for _ in range(2):  # a job run again sends nothing twice
        async with unit_of_work(world.app.state.runtime.sessionmaker) as db:
            missing = await remind_day(db, campaign["id"], DAY, MORNING, "08:00")
        assert missing == 2
    [(msg, asked)] = await _dings(world)
    assert msg.sender_id is None
    assert set(asked) == {s["ming"].id, s["hong"].id, s["mum"].id, s["stranger"].id}
    assert set(asked.values()) == {s["c1"].id}


async def test_reminders_by_ding_are_for_those_who_may_ding(world: World, clock: Clock) -> None:
    s = await school(world)
    s["school"].settings = {"ding_senders": ["head"]}
    await world.db.commit()
    teacher = await world.login(s["teacher"])
    template = (
        await teacher.post(
            "/api/v1/forms/templates",
            json={"unit_id": s["c1"].id, "name": "晨检", "builtin": "student_health"},
        )
    ).json()
    body = {
        "client_id": "c-1",
        "template_id": template["id"],
        "unit_id": s["c1"].id,
        "name": "晨检",
        "subject": "student",
        "units": [{"unit_id": s["c1"].id, "roles": ["student"]}],
        "schedule": {"kind": "daily", "start": DAY.isoformat()},
        "remind_by": "ding",
    }
    r = await teacher.post("/api/v1/forms/campaigns", json=body)
    assert r.status_code == 403 and r.json()["code"] == "ding_not_allowed"
    r = await teacher.post("/api/v1/forms/campaigns", json={**body, "remind_by": "app"})
    assert r.status_code == 201
    await open_today(world, r.json()["id"])
    url = f"/api/v1/forms/campaigns/{r.json()['id']}/reminders"
    r = await teacher.post(url, json={"day": DAY.isoformat(), "by": "ding"})
    assert r.status_code == 403 and r.json()["code"] == "ding_not_allowed"
    r = await teacher.post(url, json={"day": DAY.isoformat()})
    assert r.status_code == 201 and r.json()["by"] == "app"


async def test_a_bureau_reminds_every_schools_missing_of_its_handed_down_check_in(
    world: World, clock: Clock
) -> None:
    """A bureau's campaign asks nobody itself; its schools' copies do: the bureau's reminder
    (and a DING to those who have still to fill it) reaches the missing of every copy."""
    from tests.forms.test_handdown import city, hand_down, settle

    s = await city(world)
    official, root, _ = await hand_down(world, s)
    await settle(world)
    url = f"/api/v1/forms/campaigns/{root['id']}/reminders"
    r = await official.post(url, json={"day": DAY.isoformat(), "by": "ding"})
    assert r.status_code == 201, r.text
    # Four students in two schools; 王妈妈 (two children) once, 刘爸爸.
    assert (r.json()["subjects"], r.json()["reached"]) == (4, 6)
    [(_, asked)] = await _dings(world)
    assert set(asked) == {s[k].id for k in ("ming", "hong", "gang", "ali", "mum", "dad")}
    # One school's class alone.
    r = await official.post(url, json={"day": DAY.isoformat(), "unit_id": s["c3"].id})
    assert (r.status_code, r.json()["subjects"], r.json()["reached"]) == (201, 1, 1)
