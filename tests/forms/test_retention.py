"""Health data past the organisation's retention period is deleted by the hourly job; only the
anonymous counts remain, so the figures of that day still show."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from bellwork.db.session import unit_of_work
from bellwork.forms.models import FormCase, FormDayCount, FormSubmission
from bellwork.forms.retention import sweep
from tests.conftest import World
from tests.forms.test_export import morning
from tests.forms.test_filling import DAY, Clock, clock

__all__ = ["clock"]


async def counts(world: World) -> tuple[int, int, int]:
    subs = await world.db.scalar(select(func.count()).select_from(FormSubmission))
    cases = await world.db.scalar(select(func.count()).select_from(FormCase))
    counted = await world.db.scalar(select(func.sum(FormDayCount.submitted)))
    await world.db.commit()
    return int(subs or 0), int(cases or 0), int(counted or 0)


async def test_answers_go_after_the_retention_period_and_counts_stay(
    world: World, clock: Clock
) -> None:
    s, principal, cid = await morning(world)
    assert await counts(world) == (3, 1, 3)
    # The school keeps them 60 days; the default is 30.
    r = await principal.put(
        f"/api/v1/units/{s['school'].id}/settings", json={"form_retention_days": 60}
    )
    assert r.status_code == 200, r.text
    assert r.json()["effective"]["form_retention_days"] == 60
    sm = world.app.state.runtime.sessionmaker
    async with unit_of_work(sm) as db:  # 40 days later: within the school's 60
        assert await sweep(db, datetime(2027, 1, 10, 2, tzinfo=UTC)) == 0
    assert await counts(world) == (3, 1, 3)
    async with unit_of_work(sm) as db:  # 61 days later
        assert await sweep(db, datetime(2027, 1, 31, 2, tzinfo=UTC)) == 3
    assert await counts(world) == (0, 0, 3)
    stats = (
        await principal.get(f"/api/v1/forms/campaigns/{cid}/stats", params={"day": DAY.isoformat()})
    ).json()
    assert stats["figures"]["submitted"] == 3 and stats["figures"]["abnormal"] == 1
    people = (
        await principal.get(
            f"/api/v1/forms/campaigns/{cid}/people", params={"day": DAY.isoformat()}
        )
    ).json()
    assert [p["submitted"] for p in people] == [False] * 5  # no answers of anyone left
