"""A company's sales team for the reports tests, and a clock the API reads."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from bellwork.reports import api as reports_api
from bellwork.reports import tiles as reports_tiles
from tests.conftest import World

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Tuesday 1 December 2026, 10:00 in Shanghai.
MORNING = datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI).astimezone(UTC)
GOOD = {"done_today": "拜访了三家客户", "plan_tomorrow": "整理报价", "customers": 3}


class Clock:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = MORNING
        monkeypatch.setattr(reports_api, "utcnow", lambda: self.now)
        monkeypatch.setattr(reports_tiles, "utcnow", lambda: self.now)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


async def team(world: World) -> dict[str, Any]:
    company = await world.unit("星河科技", "company")
    sales = await world.unit("销售部", "department", company)
    other = await world.unit("研发部", "department", company)
    out: dict[str, Any] = {"company": company, "sales": sales, "other": other}
    out["boss"] = await world.person("老板", (company, "head"), username="boss")
    out["manager"] = await world.person("张经理", (sales, "head"), username="manager")
    out["alice"] = await world.person("李丽", (sales, "staff"), username="alice")
    out["bob"] = await world.person("王波", (sales, "staff"), username="bob")
    out["dev"] = await world.person("赵工", (other, "staff"), username="dev")
    await world.commit()
    return out


async def daily_template(c: httpx.AsyncClient, unit_id: int, **extra: Any) -> dict[str, Any]:
    r = await c.post(
        "/api/v1/reports/templates",
        json={"unit_id": unit_id, "name": "销售部日报", "builtin": "daily_progress", **extra},
    )
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body
