"""The demo organisation runs the first school's daily health check-in, added once."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from bellwork.demo import build_demo, demo_forms
from bellwork.forms.models import FormCampaign, FormTarget, FormTemplate
from bellwork.jobs.models import Job
from tests.conftest import World

NOW = datetime(2026, 11, 30, 23, 0, tzinfo=UTC)  # 07:00 in Beijing on 1 December


async def test_the_demo_school_runs_a_daily_health_check_in_once(world: World) -> None:
    await build_demo(world.db)
    await demo_forms(world.db, NOW)
    await demo_forms(world.db, NOW)  # a second start of the demo server adds nothing
    campaigns = (await world.db.execute(select(FormCampaign))).scalars().all()
    assert [(c.name, c.subject, c.target_count) for c in campaigns] == [
        ("每日健康打卡", "student", 40)
    ]
    schedule = campaigns[0].schedule
    assert schedule["weekdays"] == [1, 2, 3, 4, 5, 6, 7] and schedule["start"] == "2026-12-01"
    assert (await world.db.execute(select(func.count()).select_from(FormTarget))).scalar() == 40
    assert (await world.db.execute(select(FormTemplate.builtin))).scalars().all() == [
        "student_health"
    ]
    keys = (await world.db.execute(select(Job.key).where(Job.kind == "forms.open"))).scalars()
    assert list(keys) == [f"forms.open:{campaigns[0].id}:2026-12-01"]
