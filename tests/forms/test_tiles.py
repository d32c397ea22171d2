"""The workbench's forms tile counts what waits for the person today: a guardian's child's
check-in until it is submitted; nothing for someone asked nothing."""

from __future__ import annotations

from typing import Any

import pytest

from bellwork.forms import tiles
from tests.conftest import World
from tests.forms.test_filling import GOOD, MORNING, Clock, clock, open_today, run_campaign, school

__all__ = ["clock"]  # the fixture, used by name


def _tile(body: dict[str, Any]) -> dict[str, Any]:
    return next(t for t in body["tiles"] if t["key"] == "forms.todo")


async def test_the_forms_tile_counts_the_forms_still_to_fill(
    world: World, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tiles, "utcnow", lambda: clock.now)
    s = await school(world)
    teacher, campaign = await run_campaign(world, s)
    await open_today(world, campaign["id"], MORNING)
    mum = await world.login(s["mum"])
    tile = _tile((await mum.get("/api/v1/workbench")).json())
    assert tile == {"key": "forms.todo", "section": "tools", "path": "/forms", "count": 1}
    r = await mum.post(
        f"/api/v1/forms/campaigns/{campaign['id']}/submissions",
        json={"client_id": "t-1", "subject_id": s["ming"].id, "version": 1, "answers": GOOD},
    )
    assert r.status_code == 201, r.text
    assert _tile((await mum.get("/api/v1/workbench")).json())["count"] == 0
    # The teacher is asked nothing: the tile is there (to run collections), with nothing waiting.
    assert _tile((await teacher.get("/api/v1/workbench")).json())["count"] == 0
