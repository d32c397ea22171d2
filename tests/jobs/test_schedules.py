"""Recurring jobs: "07:00 on weekdays in the unit's time zone", through daylight-saving
changes, with a fixed clock."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bellwork.db.session import unit_of_work
from bellwork.jobs import WEEKDAYS, Daily, Every, schedule, unschedule
from bellwork.jobs.models import Job, JobSchedule
from bellwork.jobs.runner import run_due
from bellwork.jobs.schedules import enqueue_due
from bellwork.runtime import Runtime
from tests.conftest import World

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def local(tz: ZoneInfo, *args: int) -> datetime:
    return datetime(*args, tzinfo=tz).astimezone(UTC)  # type: ignore[misc]


def test_weekdays_at_seven_skip_the_weekend() -> None:
    rule = Daily(time(7, 0), weekdays=WEEKDAYS)
    friday_8 = local(SHANGHAI, 2026, 3, 6, 8, 0)
    assert rule.after(friday_8, friday_8, SHANGHAI) == local(SHANGHAI, 2026, 3, 9, 7, 0)
    monday_6 = local(SHANGHAI, 2026, 3, 9, 6, 59)
    assert rule.after(monday_6, monday_6, SHANGHAI) == utc(2026, 3, 8, 23, 0)  # 07:00 +08


def test_daily_times_keep_the_wall_clock_across_daylight_saving() -> None:
    seven = Daily(time(7, 0))
    before = local(NEW_YORK, 2024, 3, 9, 7, 0)  # EST, UTC-5
    assert before == utc(2024, 3, 9, 12, 0)
    sunday = seven.after(before, before, NEW_YORK)
    assert sunday == utc(2024, 3, 10, 11, 0)  # EDT, UTC-4: still 07:00 there
    assert seven.after(sunday, sunday, NEW_YORK) == utc(2024, 3, 11, 11, 0)
    # 02:30 does not exist on 10 March 2024 in New York: it runs as much later as the clocks
    # jumped (03:30 EDT), and at 02:30 again the next day.
    gap = Daily(time(2, 30))
    start = utc(2024, 3, 10, 0, 0)
    first = gap.after(start, start, NEW_YORK)
    assert first == utc(2024, 3, 10, 7, 30) and first.astimezone(NEW_YORK).hour == 3
    assert gap.after(first, first, NEW_YORK) == local(NEW_YORK, 2024, 3, 11, 2, 30)
    # 01:30 happens twice on 3 November 2024: it runs once, at the first.
    twice = Daily(time(1, 30))
    start = utc(2024, 11, 3, 0, 0)
    first = twice.after(start, start, NEW_YORK)
    assert first == utc(2024, 11, 3, 5, 30)  # 01:30 EDT
    assert twice.after(first, first, NEW_YORK) == utc(2024, 11, 4, 6, 30)  # 01:30 EST, next day


def test_every_keeps_its_grid_and_skips_what_was_missed() -> None:
    rule = Every(600)
    last = utc(2026, 1, 1, 0, 0)
    assert rule.after(last, last, SHANGHAI) == utc(2026, 1, 1, 0, 10)
    late = utc(2026, 1, 1, 1, 3)
    assert rule.after(last, late, SHANGHAI) == utc(2026, 1, 1, 1, 10)


async def occurrences(rt: Runtime) -> list[Job]:
    async with rt.sessionmaker() as db:
        rows = await db.execute(select(Job).where(Job.kind == "test.record").order_by(Job.id))
        return list(rows.scalars())


async def test_a_units_daily_schedule_runs_once_per_weekday_in_its_time_zone(
    runtime: Runtime, world: World, runs: Any
) -> None:
    """The unit inherits Europe/London from its parent; the clock is fixed, and moved."""
    city = await world.unit("London borough", "bureau")
    city.settings = {"time_zone": "Europe/London"}
    school = await world.unit("Riverside", "school", city)
    await world.commit()
    london = ZoneInfo("Europe/London")
    friday_early = local(london, 2026, 3, 27, 6, 59)  # the last Friday before BST
    async with unit_of_work(runtime.sessionmaker) as db:
        first = await schedule(
            db,
            f"check-in:{school.id}",
            "test.record",
            Daily(time(7, 0), weekdays=WEEKDAYS),
            {"unit": school.id},
            unit_id=school.id,
            now=friday_early,
        )
    assert first == local(london, 2026, 3, 27, 7, 0) == utc(2026, 3, 27, 7, 0)

    async def at(clock: datetime) -> int:
        """Runs what is due at `clock`; how many check-ins ran in all."""
        await run_due(runtime, clock=lambda: clock)
        return len(await runs())

    assert await at(friday_early) == 0
    friday_seven = utc(2026, 3, 27, 7, 0, 30)
    assert await at(friday_seven) == 1
    assert await at(friday_seven) == 1  # once
    assert await at(local(london, 2026, 3, 28, 9, 0)) == 1  # the weekend
    assert await at(local(london, 2026, 3, 30, 6, 59)) == 1
    assert await at(local(london, 2026, 3, 30, 7, 0, 1)) == 2  # BST now: 06:00 UTC
    ran = await occurrences(runtime)
    assert [j.run_at for j in ran] == [utc(2026, 3, 27, 7, 0), utc(2026, 3, 30, 6, 0)]
    assert all(j.payload == {"unit": school.id} and j.state == "done" for j in ran)


async def test_occurrences_are_enqueued_once_by_racing_runners_and_missed_ones_collapse(
    runtime: Runtime,
) -> None:
    start = utc(2026, 3, 2, 0, 0)
    async with unit_of_work(runtime.sessionmaker) as db:
        await schedule(db, "every-minute", "test.record", Every(60), now=start)
    later = start + timedelta(minutes=1, seconds=5)
    # Two runners see the same schedule due (on SQLite one after the other; the key decides).
    async with unit_of_work(runtime.sessionmaker) as a:
        await enqueue_due(a, later)
    async with runtime.sessionmaker() as db:
        await db.execute(
            JobSchedule.__table__.update().values(next_at=start + timedelta(minutes=1))
        )
        await db.commit()
    async with unit_of_work(runtime.sessionmaker) as b:
        await enqueue_due(b, later)
    assert len(await occurrences(runtime)) == 1
    # Ten days without any runner: one occurrence, then back on the grid.
    much_later = later + timedelta(days=10, seconds=20)
    async with unit_of_work(runtime.sessionmaker) as db:
        assert await enqueue_due(db, much_later) == 1
    assert len(await occurrences(runtime)) == 2
    async with runtime.sessionmaker() as db:
        s = (
            await db.execute(select(JobSchedule).where(JobSchedule.name == "every-minute"))
        ).scalar_one()
    assert s.next_at == start + timedelta(days=10, minutes=2)
    async with unit_of_work(runtime.sessionmaker) as db:
        assert await unschedule(db, "every-minute")
        assert not await unschedule(db, "every-minute")
    async with unit_of_work(runtime.sessionmaker) as db:
        await enqueue_due(db, much_later + timedelta(days=1))
    assert len(await occurrences(runtime)) == 2


async def test_the_code_declares_its_own_schedules(runtime: Runtime) -> None:
    """The schedules the domains declare — the burn safety net, the pruning of finished jobs,
    the sweep of notices' loose uploads, forms' retention and loose photos — exist once a
    runner has started."""
    await run_due(runtime)
    async with runtime.sessionmaker() as db:
        names = (await db.execute(select(JobSchedule.name).order_by(JobSchedule.name))).scalars()
        assert list(names) == [
            "approvals.loose_files",
            "approvals.overdue",
            "chat.sweep",
            "ding.loose_files",
            "forms.loose_files",
            "forms.retention",
            "jobs.prune",
            "notices.loose_files",
            "reports.remind",
        ]
