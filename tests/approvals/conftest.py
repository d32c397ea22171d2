"""A company (sales, finance) and a school class for the approvals tests, and a clock the API
reads."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from bellwork.approvals import api as approvals_api
from tests.conftest import World

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Tuesday 1 December 2026, 10:00 in Shanghai.
MORNING = datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI).astimezone(UTC)
LEAVE = {
    "leave_type": "annual",
    "start": "2026-12-07",
    "end": "2026-12-08",
    "days": 2,
    "reason": "回老家",
}


class Clock:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = MORNING
        monkeypatch.setattr(approvals_api, "utcnow", lambda: self.now)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


async def org(world: World) -> dict[str, Any]:
    company = await world.unit("星河科技", "company")
    sales = await world.unit("销售部", "department", company)
    finance = await world.unit("财务部", "department", company)
    out: dict[str, Any] = {"company": company, "sales": sales, "finance": finance}
    out["boss"] = await world.person("老板", (company, "head"), username="boss")
    out["manager"] = await world.person("张经理", (sales, "head"), username="manager")
    out["deputy"] = await world.person("刘副经理", (sales, "head"), username="deputy")
    out["cfo"] = await world.person("钱总监", (finance, "head"), username="cfo")
    out["alice"] = await world.person("李丽", (sales, "staff"), username="alice")
    out["bob"] = await world.person("王波", (sales, "staff"), username="bob")
    school = await world.unit("实验小学", "school")
    klass = await world.unit("一年级1班", "class", school)
    out["school"], out["klass"] = school, klass
    out["principal"] = await world.person("校长", (school, "head"), username="principal")
    out["teacher"] = await world.person("陈老师", username="teacher")
    from bellwork.org.models import Membership

    world.db.add(
        Membership(person_id=out["teacher"].id, unit_id=klass.id, role="teacher", title="班主任")
    )
    out["math"] = await world.person("数学老师", (klass, "teacher"), username="math")
    out["kid"] = await world.person("小明", (klass, "student"), username="kid")
    out["mum"] = await world.guardian("小明妈妈", out["kid"], klass, username="mum")
    await world.commit()
    return out


async def template(c: httpx.AsyncClient, unit_id: int, **extra: Any) -> dict[str, Any]:
    body = {"unit_id": unit_id, "name": extra.pop("name", "请假"), **extra}
    if "builtin" not in body and "definition" not in body:
        body["builtin"] = "leave"
    r = await c.post("/api/v1/approvals/templates", json=body)
    assert r.status_code == 201, r.text
    out: dict[str, Any] = r.json()
    return out


async def submit(
    c: httpx.AsyncClient, tpl: dict[str, Any], answers: dict[str, Any], client_id: str, **extra: Any
) -> httpx.Response:
    return await c.post(
        "/api/v1/approvals",
        json={
            "client_id": client_id,
            "template_id": tpl["id"],
            "version": tpl["version"],
            "answers": answers,
            **extra,
        },
    )


def expense_flow(finance_id: int, mode: str = "any") -> dict[str, Any]:
    return {
        "steps": [
            {"name": "直属主管", "approvers": {"kind": "unit_head"}, "mode": mode},
            {
                "name": "财务负责人",
                "approvers": {"kind": "role", "role": "head", "unit_id": finance_id},
                "when": [{"field": "amount", "op": "gt", "value": 5000}],
            },
        ],
        "cc": [],
    }
