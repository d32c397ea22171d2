"""Monthly SMS quotas of organisations (delivery/quotas.py): the nearest unit with a quota is
the person's organisation; what did not fail this month (in its time zone) counts; over the
quota a delivery fails with the reason and no job, and callers may ask first."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from bellwork.core.i18n import t
from bellwork.delivery.models import Delivery
from bellwork.delivery.quotas import (
    SmsQuotaReached,
    require_sms_quota,
    sms_quota,
    sms_quota_left,
)
from bellwork.delivery.service import queue_delivery
from bellwork.jobs.models import Job
from bellwork.org.models import Unit
from bellwork.org.settings import person_setting
from tests.conftest import World


async def text(world: World, person_id: int | None, **more: Any) -> Delivery:
    return await queue_delivery(
        world.db,
        channel=more.pop("channel", "sms"),
        address=more.pop("address", "13800000001"),
        body="【Bellwork】明天停课。",
        purpose="notice",
        person_id=person_id,
        **more,
    )


async def settings(world: World, unit: Unit, **values: Any) -> None:
    unit.settings = {**(unit.settings or {}), **values}
    await world.db.flush()


async def test_the_nearest_unit_with_a_quota_counts_and_refuses_past_it(world: World) -> None:
    bureau = await world.unit("教育局", "bureau")
    school_a = await world.unit("实验小学", parent=bureau)
    class_a = await world.unit("三年级二班", "class", parent=school_a)
    school_b = await world.unit("第二小学", parent=bureau)
    await settings(world, bureau, sms_quota_month=3)
    await settings(world, school_b, sms_quota_month=1)
    pupil_parent = await world.person("王妈妈", (class_a, "guardian"))
    teacher_b = await world.person("赵老师", (school_b, "teacher"))
    free = await world.person("无额度", (await world.unit("公司", "company"), "member"))

    assert await person_setting(world.db, pupil_parent.id, "sms_quota_month") == (bureau.id, 3)
    assert await sms_quota_left(world.db, pupil_parent.id) == 3
    assert await sms_quota_left(world.db, teacher_b.id) == 1
    assert await sms_quota_left(world.db, free.id) is None

    sent = [await text(world, pupil_parent.id) for _ in range(3)]
    assert [(d.status, d.quota_unit_id) for d in sent] == [("queued", bureau.id)] * 3
    assert await sms_quota_left(world.db, pupil_parent.id) == 0
    # School B's own quota is its own: the bureau's count does not touch it.
    assert (await text(world, teacher_b.id)).status == "queued"
    # Email, and text messages to no person, are not counted.
    await text(world, pupil_parent.id, channel="email", address="w@example.com")
    await text(world, None)
    await require_sms_quota(world.db, free.id, 1000)

    with pytest.raises(SmsQuotaReached) as refused:
        await require_sms_quota(world.db, pupil_parent.id)
    assert (refused.value.status, refused.value.code) == (409, "sms_quota_reached")
    assert t("sms_quota_reached", "zh-CN", limit=3) == "本月短信额度（3 条）已用完。"

    over = await text(world, pupil_parent.id)
    assert (over.status, over.error, over.quota_unit_id) == (
        "failed",
        "SMS quota of 3 for this month reached",
        bureau.id,
    )
    assert (await text(world, teacher_b.id)).error == "SMS quota of 1 for this month reached"
    assert (await text(world, free.id)).status == "queued"
    await world.commit()

    jobs = await world.db.scalar(
        select(func.count()).select_from(Job).where(Job.kind == "delivery.send")
    )
    assert jobs == 3 + 1 + 1 + 1 + 1  # none for the two over the quota
    # A failed message costs nothing: one refused by the provider frees its place.
    sent[0].status = "failed"
    await world.db.flush()
    assert await sms_quota_left(world.db, pupil_parent.id) == 1
    # Raising the quota lower down (the class) makes it the class's own.
    await settings(world, class_a, sms_quota_month=10)
    quota = await sms_quota(world.db, pupil_parent.id)
    assert quota is not None and (quota.unit_id, quota.limit, quota.used) == (class_a.id, 10, 0)


async def test_a_person_in_two_organisations_takes_the_nearest_quota(world: World) -> None:
    city = await world.unit("市教育局", "bureau")
    school = await world.unit("实验小学", parent=city)
    grade = await world.unit("三年级", "grade", parent=school)
    klass = await world.unit("三年级二班", "class", parent=grade)
    company = await world.unit("公司", "company")
    team = await world.unit("研发组", "team", parent=company)
    await settings(world, city, sms_quota_month=100)
    await settings(world, company, sms_quota_month=5)
    person = await world.person("双重身份", (klass, "teacher"), (team, "member"))
    # The class is three steps from the city's quota, the team one from the company's.
    assert await person_setting(world.db, person.id, "sms_quota_month") == (company.id, 5)
    await settings(world, grade, sms_quota_month=7)  # now one step from the class as well
    # At equal distance the deeper unit wins: grade (depth 2) over company (depth 0).
    assert await person_setting(world.db, person.id, "sms_quota_month") == (grade.id, 7)
    await settings(world, company, sms_quota_month="lots")  # not a number: no quota there
    await settings(world, grade, sms_quota_month=-1)
    assert await sms_quota_left(world.db, person.id) is None


async def test_the_month_is_the_units_calendar_month(world: World) -> None:
    school = await world.unit("实验小学")
    await settings(world, school, sms_quota_month=2)
    parent = await world.person("王妈妈", (school, "guardian"))
    # 31 October 17:30 UTC is 1 November 01:30 in Shanghai: November's.
    for created in (
        datetime(2026, 10, 31, 15, 0, tzinfo=UTC),  # 23:00 on 31 October in Shanghai
        datetime(2026, 10, 31, 17, 30, tzinfo=UTC),
    ):
        world.db.add(
            Delivery(
                channel="sms",
                address="13800000001",
                body="x",
                purpose="notice",
                person_id=parent.id,
                quota_unit_id=school.id,
                status="sent",
                created_at=created,
            )
        )
    await world.db.flush()
    november = datetime(2026, 11, 15, tzinfo=UTC)
    assert await sms_quota_left(world.db, parent.id, november) == 1
    # In UTC's calendar both were October's.
    await settings(world, school, time_zone="UTC")
    assert await sms_quota_left(world.db, parent.id, november) == 2
    # This month (now), nothing was used yet.
    assert await sms_quota_left(world.db, parent.id) == 2


async def test_a_password_code_over_the_quota_is_not_sent_and_nobody_learns_why(
    world: World,
) -> None:
    from tests.conftest import make_client

    school = await world.unit("实验小学")
    await settings(world, school, sms_quota_month=0)
    await world.person("李老师", (school, "teacher"), phone="13800000001")
    await world.commit()
    r = await make_client(world.app).post(
        "/api/v1/auth/password-reset", json={"login": "13800000001"}
    )
    assert r.status_code == 202  # the same answer as ever
    async with world.app.state.sessionmaker() as s:
        (d,) = (await s.execute(select(Delivery))).scalars()
    assert (d.status, d.error) == ("failed", "SMS quota of 0 for this month reached")


async def test_two_requests_at_once_cannot_both_take_the_last_message(world: World) -> None:
    if world.db.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite writes one transaction at a time (the app's write gate)")
    school = await world.unit("实验小学")
    await settings(world, school, sms_quota_month=1)
    parent = await world.person("王妈妈", (school, "guardian"))
    await world.commit()

    async def queue(s: Any) -> Delivery:
        return await queue_delivery(
            s,
            channel="sms",
            address="13800000001",
            body="x",
            purpose="notice",
            person_id=parent.id,
        )

    maker = world.app.state.sessionmaker
    async with maker() as a, maker() as b:
        first = await queue(a)  # holds the school's row until it commits
        second_task = asyncio.create_task(queue(b))
        await asyncio.sleep(0.3)
        assert not second_task.done()  # waits for the first
        await a.commit()
        second = await second_task
        await b.commit()
    assert (first.status, second.status) == ("queued", "failed")
