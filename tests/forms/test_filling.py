"""A morning of the daily health check-in through the API: a class teacher runs it for the
class's students, guardians fill for their children, the counters move, and every bad answer
is named. The clock is fixed (Beijing time, Tuesday 1 December 2026)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select

from bellwork.db.session import unit_of_work
from bellwork.forms import api as forms_api
from bellwork.forms.campaigns import open_day
from bellwork.forms.models import FormAnswerCount, FormCase, FormDayCount
from bellwork.forms.reminders import remind_day
from bellwork.jobs.models import Job
from tests.conftest import World

DAY = date(2026, 12, 1)
BEFORE_OPEN = datetime(2026, 11, 30, 21, 0, tzinfo=UTC)  # 05:00 in Beijing
MORNING = datetime(2026, 11, 30, 23, 0, tzinfo=UTC)  # 07:00
LATE = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 10:00, after the 09:00 deadline
SATURDAY = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)  # 10:00 on Saturday: not asked
GOOD = {"temperature": 36.6, "symptoms": ["none"], "travel": "no", "contact": "no"}


class Clock:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = MORNING
        monkeypatch.setattr(forms_api, "utcnow", lambda: self.now)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


async def school(world: World) -> dict[str, Any]:
    s = await world.unit("实验小学", "school")
    grade = await world.unit("一年级", "grade", s)
    c1 = await world.unit("1班", "class", grade)
    c2 = await world.unit("2班", "class", grade)
    out: dict[str, Any] = {"school": s, "c1": c1, "c2": c2}
    out["teacher"] = await world.person("王老师", (c1, "teacher"), username="wang")
    out["head"] = await world.person("校长", (s, "head"), username="principal")
    out["ming"] = await world.person("王小明", (c1, "student"), username="ming")
    out["hong"] = await world.person("李小红", (c1, "student"), username="hong")
    out["gang"] = await world.person("刘小刚", (c2, "student"), username="gang")
    out["mum"] = await world.guardian("王小明妈妈", out["ming"], c1, username="mum")
    out["stranger"] = await world.guardian("李小红爸爸", out["hong"], c1, username="dad")
    return out


async def run_campaign(world: World, s: dict[str, Any], **extra: Any) -> tuple[Any, dict[str, Any]]:
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
        "name": "一年级1班每日健康打卡",
        "subject": "student",
        "units": [{"unit_id": s["c1"].id, "roles": ["student"]}],
        "schedule": {"kind": "daily", "start": DAY.isoformat()},
        "reminders": ["08:00"],
        **extra,
    }
    r = await teacher.post("/api/v1/forms/campaigns", json=body)
    assert r.status_code == 201, r.text
    campaign = r.json()
    assert (await teacher.post("/api/v1/forms/campaigns", json=body)).status_code == 200
    return teacher, campaign


async def open_today(world: World, campaign_id: int, now: datetime = MORNING) -> None:
    async with unit_of_work(world.app.state.runtime.sessionmaker) as db:
        await open_day(db, campaign_id, DAY, now)


async def counts(world: World, campaign_id: int) -> dict[int, tuple[int, int, int, int]]:
    rows = await world.db.execute(
        select(
            FormDayCount.unit_id,
            FormDayCount.expected,
            FormDayCount.submitted,
            FormDayCount.late,
            FormDayCount.abnormal,
        ).where(FormDayCount.campaign_id == campaign_id, FormDayCount.period == DAY)
    )
    out = {r[0]: (r[1], r[2], r[3], r[4]) for r in rows.all()}
    await world.db.commit()
    return out


async def test_a_guardian_fills_for_their_child_and_the_class_fills_up(
    world: World, clock: Clock
) -> None:
    s = await school(world)
    _, campaign = await run_campaign(world, s)
    assert campaign["target_count"] == 2 and campaign["time_zone"] == "Asia/Shanghai"
    # The day's opening is a job, keyed; made at 07:00, after 06:00, it is due at once.
    jobs = (
        await world.db.execute(select(Job.key, Job.run_at).where(Job.kind == "forms.open"))
    ).all()
    await world.db.commit()
    assert [(k, at.isoformat()) for k, at in jobs] == [
        (f"forms.open:{campaign['id']}:2026-12-01", "2026-11-30T23:00:00+00:00")
    ]
    await open_today(world, campaign["id"])
    assert await counts(world, campaign["id"]) == {s["c1"].id: (2, 0, 0, 0)}

    mum = await world.login(s["mum"])
    todo = (await mum.get("/api/v1/forms/todo")).json()
    assert [(x["subject_name"], x["state"], x["submitted"]) for x in todo] == [
        ("王小明", "open", False)
    ]
    form = (
        await mum.get(
            f"/api/v1/forms/campaigns/{campaign['id']}/fill", params={"subject_id": s["ming"].id}
        )
    ).json()
    assert form["version"] == 1 and form["submission"] is None and form["previous"] is None
    body = {"client_id": "m-1", "subject_id": s["ming"].id, "version": 1, "answers": GOOD}
    r = await mum.post(f"/api/v1/forms/campaigns/{campaign['id']}/submissions", json=body)
    assert r.status_code == 201, r.text
    assert r.json()["abnormal"] is False and r.json()["late"] is False
    # The network dropped and the phone sent it again: stored once.
    again = await mum.post(f"/api/v1/forms/campaigns/{campaign['id']}/submissions", json=body)
    assert again.status_code == 200 and again.json()["id"] == r.json()["id"]
    assert await counts(world, campaign["id"]) == {s["c1"].id: (2, 1, 0, 0)}
    todo = (await mum.get("/api/v1/forms/todo")).json()
    assert todo[0]["submitted"] is True
    # A change before the deadline replaces it: still one submission, now abnormal.
    fever = {**body, "client_id": "m-2", "answers": {**GOOD, "temperature": "38.2"}}
    r = await mum.post(f"/api/v1/forms/campaigns/{campaign['id']}/submissions", json=fever)
    assert r.status_code == 201 and r.json()["abnormal"] is True
    assert r.json()["reasons"] == ["Temperature ≥ 37.3 °C"]
    assert await counts(world, campaign["id"]) == {s["c1"].id: (2, 1, 0, 1)}
    temps = (
        await world.db.execute(
            select(FormAnswerCount.value, FormAnswerCount.count).where(
                FormAnswerCount.field == "temperature"
            )
        )
    ).all()
    cases = (await world.db.execute(select(FormCase.reasons))).scalars().all()
    await world.db.commit()
    assert dict(temps) == {"36.6": 0, "38.2": 1}
    assert len(cases) == 1

    # The student fills for themself, late.
    clock.now = LATE
    hong = await world.login(s["hong"])
    r = await hong.post(
        f"/api/v1/forms/campaigns/{campaign['id']}/submissions",
        json={"client_id": "h-1", "subject_id": s["hong"].id, "version": 1, "answers": GOOD},
    )
    assert r.status_code == 201 and r.json()["late"] is True
    assert await counts(world, campaign["id"]) == {s["c1"].id: (2, 2, 1, 1)}
    # After the deadline a submission cannot be changed; after midnight nothing is taken.
    r = await mum.post(
        f"/api/v1/forms/campaigns/{campaign['id']}/submissions",
        json={**body, "client_id": "m-3"},
        headers={"accept-language": "en"},
    )
    assert r.status_code == 409 and r.json()["code"] == "form_edit_closed"
    # A phone that only now gets through with the change it sent before the deadline is
    # answered with what was stored then, not refused.
    r = await mum.post(f"/api/v1/forms/campaigns/{campaign['id']}/submissions", json=fever)
    assert r.status_code == 200 and r.json()["abnormal"] is True
    assert await counts(world, campaign["id"]) == {s["c1"].id: (2, 2, 1, 1)}


async def test_refusals_name_what_is_wrong(world: World, clock: Clock) -> None:
    s = await school(world)
    teacher, campaign = await run_campaign(world, s)
    await open_today(world, campaign["id"])
    url = f"/api/v1/forms/campaigns/{campaign['id']}/submissions"
    en = {"accept-language": "en"}
    mum = await world.login(s["mum"])
    # Someone else's child: refused, naming the field.
    r = await mum.post(
        url,
        json={"client_id": "x", "subject_id": s["hong"].id, "version": 1, "answers": GOOD},
        headers=en,
    )
    assert r.status_code == 403 and r.json()["errors"] == [{"field": "subject_id"}]
    # A student the campaign does not ask about: not found.
    gang = await world.login(s["gang"])
    r = await gang.post(
        url, json={"client_id": "x", "subject_id": s["gang"].id, "version": 1, "answers": GOOD}
    )
    assert r.status_code == 404
    # 99 °C, a missing answer and a symptom with "none": every field at once, in English.
    bad = {"temperature": 99, "symptoms": ["none", "fever"], "travel": "no"}
    r = await mum.post(
        url,
        json={"client_id": "x", "subject_id": s["ming"].id, "version": 1, "answers": bad},
        headers=en,
    )
    assert r.status_code == 422 and r.json()["title"] == "3 answers need another look."
    assert {e["field"]: e["message"] for e in r.json()["errors"]} == {
        "answers.temperature": (
            "Temperature: a body temperature is between 34.0 and 43.0 °C; check what was typed."
        ),
        "answers.symptoms": "Symptoms today: “None” cannot be picked with other options.",
        "answers.contact": "Contact with a confirmed or suspected case: required.",
    }
    assert await counts(world, campaign["id"]) == {s["c1"].id: (2, 0, 0, 0)}  # nothing stored
    # A version that does not exist.
    r = await mum.post(
        url, json={"client_id": "x", "subject_id": s["ming"].id, "version": 9, "answers": GOOD}
    )
    assert r.status_code == 422 and r.json()["errors"] == [{"field": "version"}]
    # Before 06:00, and on a Saturday.
    clock.now = BEFORE_OPEN
    r = await mum.post(
        url,
        json={"client_id": "x", "subject_id": s["ming"].id, "version": 1, "answers": GOOD},
        headers=en,
    )
    assert r.status_code == 409 and r.json()["title"] == "Not open yet: it opens at 06:00."
    clock.now = SATURDAY
    r = await mum.post(
        url, json={"client_id": "x", "subject_id": s["ming"].id, "version": 1, "answers": GOOD}
    )
    assert r.status_code == 409 and r.json()["code"] == "form_not_today"
    # A campaign for a unit outside the teacher's, or starting in the past.
    clock.now = MORNING
    body = {
        "client_id": "c-2",
        "template_id": campaign["template_id"],
        "unit_id": s["c1"].id,
        "name": "x",
        "units": [{"unit_id": s["c2"].id, "roles": ["student"]}],
        "schedule": {"kind": "daily", "start": DAY.isoformat()},
    }
    r = await teacher.post("/api/v1/forms/campaigns", json=body)
    assert r.status_code == 422 and r.json()["errors"] == [{"field": "units.0.unit_id"}]
    r = await teacher.post(
        "/api/v1/forms/campaigns",
        json={
            **body,
            "units": [{"unit_id": s["c1"].id, "roles": ["student"]}],
            "schedule": {"kind": "once", "start": "2026-11-30"},
        },
    )
    assert r.status_code == 422 and r.json()["errors"] == [{"field": "schedule.start"}]


async def test_a_template_edited_while_filling_keeps_what_was_opened(
    world: World, clock: Clock
) -> None:
    s = await school(world)
    teacher, campaign = await run_campaign(world, s)
    await open_today(world, campaign["id"])
    mum = await world.login(s["mum"])
    url = f"/api/v1/forms/campaigns/{campaign['id']}/submissions"
    r = await mum.post(
        url, json={"client_id": "a", "subject_id": s["ming"].id, "version": 1, "answers": GOOD}
    )
    assert r.status_code == 201
    # The teacher adds a required question: version 2.
    tpl = (await teacher.get(f"/api/v1/forms/templates/{campaign['template_id']}")).json()
    extra = {"key": "slept", "kind": "rating", "label": "睡眠", "required": True}
    definition = {**tpl["definition"], "fields": [*tpl["definition"]["fields"], extra]}
    r = await teacher.put(f"/api/v1/forms/templates/{tpl['id']}", json={"definition": definition})
    assert r.json()["version"] == 2
    # The student opened the form before the change: their version-1 answers are taken.
    hong = await world.login(s["hong"])
    r = await hong.post(
        url, json={"client_id": "b", "subject_id": s["hong"].id, "version": 1, "answers": GOOD}
    )
    assert r.status_code == 201 and r.json()["version"] == 1
    # Opening it now gives version 2 — and the guardian's own submission stays on version 1.
    fresh = (
        await mum.get(
            f"/api/v1/forms/campaigns/{campaign['id']}/fill", params={"subject_id": s["ming"].id}
        )
    ).json()
    assert fresh["version"] == 1 and fresh["submission"]["answers"]["temperature"] == 36.6


async def test_reminders_reach_the_guardians_of_those_missing(world: World, clock: Clock) -> None:
    s = await school(world)
    _, campaign = await run_campaign(world, s)
    await open_today(world, campaign["id"])
    # The 08:00 reminder is a job of the day, keyed.
    keys = (await world.db.execute(select(Job.key).where(Job.kind == "forms.remind"))).scalars()
    assert list(keys) == [f"forms.remind:{campaign['id']}:2026-12-01:08:00"]
    await world.db.commit()
    mum = await world.login(s["mum"])
    r = await mum.post(
        f"/api/v1/forms/campaigns/{campaign['id']}/submissions",
        json={"client_id": "a", "subject_id": s["ming"].id, "version": 1, "answers": GOOD},
    )
    assert r.status_code == 201
    async with unit_of_work(world.app.state.runtime.sessionmaker) as db:
        missing = await remind_day(db, campaign["id"], DAY, MORNING)
    assert missing == 1  # 李小红, whose father and herself are told


async def test_ding_everyone_who_has_still_to_fill_it(world: World, clock: Clock) -> None:
    """DING's audience "has not filled form Y": each missing student and their guardians,
    in the student's class; for a campaign whose figures one may not see, 404."""
    s = await school(world)
    teacher, campaign = await run_campaign(world, s)
    await open_today(world, campaign["id"])
    mum = await world.login(s["mum"])
    r = await mum.post(
        f"/api/v1/forms/campaigns/{campaign['id']}/submissions",
        json={"client_id": "a", "subject_id": s["ming"].id, "version": 1, "answers": GOOD},
    )
    assert r.status_code == 201
    r = await teacher.post(
        "/api/v1/dings",
        json={
            "client_id": "d-1",
            "body": "请尽快填写今天的健康打卡",
            "unfilled_of": {"campaign_id": campaign["id"], "day": DAY.isoformat()},
        },
    )
    assert r.status_code == 201, r.text
    detail = (await teacher.get(f"/api/v1/dings/{r.json()['id']}")).json()
    asked = sorted(p["person"]["name"] for g in detail["groups"] for p in g["pending"])
    assert asked == sorted(["李小红", "李小红爸爸"])
    assert {g["unit_id"] for g in detail["groups"]} == {s["c1"].id}
    # The head of another school cannot DING from this campaign's missing list.
    other = await world.unit("二小", "school")
    rival = await world.login(await world.person("二小校长", (other, "head"), username="rival"))
    r = await rival.post(
        "/api/v1/dings",
        json={"client_id": "d-2", "body": "x", "unfilled_of": {"campaign_id": campaign["id"]}},
    )
    assert r.status_code == 404
