"""DING to everyone who has not read a chat message, who may send a DING (the unit setting
`ding_senders`), a text message's carrier receipt in the report, and the report as an XLSX
workbook opened with openpyxl."""

from __future__ import annotations

import asyncio
import io
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from bellwork.config import Settings
from bellwork.delivery.models import Delivery
from bellwork.ding.models import DingMessage
from bellwork.jobs.runner import run_due
from bellwork.runtime import Runtime
from tests.chat.conftest import send
from tests.conftest import World
from tests.delivery.aliyun_server import AliyunSmsServer
from tests.delivery.test_aliyun import aliyun_settings


@pytest.fixture
async def aliyun() -> AsyncIterator[AliyunSmsServer]:
    server = AliyunSmsServer()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def app_settings(settings: Settings, aliyun: AliyunSmsServer) -> Settings:
    return aliyun_settings(settings, aliyun)


@pytest.fixture
async def runtime(app: Any) -> AsyncIterator[Runtime]:
    rt: Runtime = app.state.runtime
    if rt.runner is not None:
        await rt.runner.stop()
        rt.runner = None
    yield rt


def body(**extra: Any) -> dict[str, Any]:
    return {"client_id": uuid.uuid4().hex, "body": "请尽快查看群消息", **extra}


async def dings(world: World) -> int:
    async with world.app.state.sessionmaker() as s:
        return int(await s.scalar(select(func.count()).select_from(DingMessage)) or 0)


async def test_ding_those_who_have_not_read_a_message(world: World, school: dict[str, Any]) -> None:
    t = await world.login(school["teacher"])
    g = (await t.get(f"/api/v1/units/{school['klass'].id}/group")).json()
    m = await send(t, g["id"], "明天春游，请回复")
    p1 = await world.login(school["p1"])
    await p1.post(f"/api/v1/conversations/{g['id']}/read", json={"seq": m["seq"]})
    r = await t.post(
        "/api/v1/dings", json=body(unread_of={"conversation_id": g["id"], "seq": m["seq"]})
    )
    assert r.status_code == 201, r.text
    d = r.json()
    assert d["total"] == 2
    detail = (await t.get(f"/api/v1/dings/{d['id']}")).json()
    # Grouped by their class, as the receipt shows them.
    assert [
        (g_["unit_name"], [p["person"]["name"] for p in g_["pending"]]) for g_ in detail["groups"]
    ] == [("实验小学 / 1班", ["家长2", "家长3"])]
    # Someone else's message: the receipt is the sender's; 403.
    m2 = await send(p1, g["id"], "收到")
    r = await t.post(
        "/api/v1/dings",
        json=body(unread_of={"conversation_id": g["id"], "seq": m2["seq"]}),
        headers={"accept-language": "en"},
    )
    assert (r.status_code, r.json()["code"]) == (403, "ding_unread_sender_only")
    # A message one cannot see (not a member, or no such message): 404 alike.
    other = await world.unit("别的学校", "school")
    head = await world.person("校长", (other, "head"), username="head2")
    await world.commit()
    h = await world.login(head)
    r = await h.post(
        "/api/v1/dings", json=body(unread_of={"conversation_id": g["id"], "seq": m["seq"]})
    )
    assert (r.status_code, r.json()["code"]) == (404, "not_found")
    r = await t.post(
        "/api/v1/dings", json=body(unread_of={"conversation_id": g["id"], "seq": 9999})
    )
    assert r.status_code == 404
    # Everyone read it: nobody to DING.
    for p in ("p2", "p3"):
        c = await world.login(school[p])
        await c.post(f"/api/v1/conversations/{g['id']}/read", json={"seq": m["seq"]})
    r = await t.post(
        "/api/v1/dings", json=body(unread_of={"conversation_id": g["id"], "seq": m["seq"]})
    )
    assert (r.status_code, r.json()["code"]) == (422, "ding_audience_empty")
    assert await dings(world) == 1


async def test_who_may_ding_is_a_unit_setting(world: World, school: dict[str, Any]) -> None:
    t = await world.login(school["teacher"])
    to_p1 = body(people=[school["p1"].id])

    def tile(c_tiles: dict[str, Any]) -> list[str]:
        return [x["key"] for x in c_tiles["tiles"] if x["key"] == "ding.sent"]

    assert tile((await t.get("/api/v1/workbench")).json()) == ["ding.sent"]
    school["school"].settings = {"ding_senders": ["head"]}
    await world.commit()
    r = await t.post("/api/v1/dings", json=to_p1, headers={"accept-language": "en"})
    assert (r.status_code, r.json()["code"]) == (403, "ding_not_allowed")
    assert tile((await t.get("/api/v1/workbench")).json()) == []
    # The class sets its own: nearest wins.
    school["klass"].settings = {"ding_senders": ["teacher", "head"]}
    await world.commit()
    assert (await t.post("/api/v1/dings", json=to_p1)).status_code == 201
    # Guardians may, where a unit says so.
    school["klass"].settings = {"ding_senders": ["guardian"]}
    await world.commit()
    p1 = await world.login(school["p1"])
    assert (await p1.post("/api/v1/dings", json=body(people=[school["teacher"].id]))).is_success
    assert (await t.post("/api/v1/dings", json=body(people=[school["p1"].id]))).status_code == 403
    # Admins always may.
    a = await world.login(school["admin"])
    assert (await a.post("/api/v1/dings", json=to_p1 | {"client_id": "adm"})).status_code == 201


async def report_xlsx(c: httpx.AsyncClient, ding_id: int, lang: str) -> list[tuple[Any, ...]]:
    r = await c.get(f"/api/v1/dings/{ding_id}/report.xlsx", headers={"accept-language": lang})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert f"ding-{ding_id}-report.xlsx" in r.headers["content-disposition"]
    wb = await asyncio.to_thread(load_workbook, io.BytesIO(r.content))
    return list(wb["DING"].iter_rows(values_only=True))


async def test_the_report_shows_carrier_receipts_and_exports_to_xlsx(
    world: World, school: dict[str, Any], runtime: Runtime, aliyun: AliyunSmsServer
) -> None:
    t = await world.login(school["teacher"])
    r = await t.post(
        "/api/v1/dings",
        json=body(units=[{"unit_id": school["klass"].id, "roles": ["guardian"]}], channels=["sms"]),
    )
    d = r.json()
    p1 = await world.login(school["p1"])
    await p1.post(f"/api/v1/dings/{d['id']}/confirm")
    start = datetime.now(UTC)
    await run_due(runtime, clock=lambda: start + timedelta(seconds=1))
    assert len(aliyun.sent) == 2  # 家长1 confirmed before the job ran
    # The carrier's receipt: one received, one failed (switched off).
    second = next(s for s in aliyun.sent if s["PhoneNumbers"] == "10000000103")
    biz = f"{aliyun.sent.index(second) + 1:06d}^"
    report = (await t.get(f"/api/v1/dings/{d['id']}/report")).json()
    sms = {r["person"]["name"]: r["entries"][1]["status"] for r in report["rows"][1:]}
    assert sms == {"家长2": "sent", "家长3": "sent"}
    async with runtime.sessionmaker() as s:
        for x in (await s.execute(select(Delivery))).scalars():
            if x.reference and x.reference.startswith(biz):
                aliyun.receipts[x.reference] = (2, "MOBILE_NOT_ON_SERVICE")
    await run_due(runtime, clock=lambda: start + timedelta(seconds=62))
    assert len(aliyun.queried) == 2
    report = (await t.get(f"/api/v1/dings/{d['id']}/report")).json()
    rows = {r["person"]["name"]: r["entries"] for r in report["rows"]}
    assert [(e["channel"], e["status"]) for e in rows["家长1"]] == [("app", "confirmed")]
    assert [(e["channel"], e["status"], e["reason"]) for e in rows["家长2"]] == [
        ("app", "sent", None),
        ("sms", "delivered", None),
    ]
    assert rows["家长3"][1]["status"] == "failed"
    assert rows["家长3"][1]["reason"] == "MOBILE_NOT_ON_SERVICE"

    lines = await report_xlsx(t, d["id"], "zh-CN")
    assert lines[0][0] == "请尽快查看群消息"
    assert lines[1][:5] == ("姓名", "组织", "渠道", "状态", "原因")
    assert lines[1][6] == "创建 (Asia/Shanghai)"
    data = [line[:5] for line in lines[2:]]
    assert data == [
        ("家长1（学生1母亲）", "实验小学 / 1班", "应用内", "已确认", None),
        ("家长2（学生2母亲）", "实验小学 / 1班", "应用内", "已发出", None),
        ("家长2（学生2母亲）", "实验小学 / 1班", "短信", "已送达", None),
        ("家长3（学生3母亲）", "实验小学 / 1班", "应用内", "已发出", None),
        ("家长3（学生3母亲）", "实验小学 / 1班", "短信", "失败", "MOBILE_NOT_ON_SERVICE"),
    ]
    assert isinstance(lines[2][8], datetime)  # confirmed at, a real date cell
    en = await report_xlsx(t, d["id"], "en")
    assert en[1][:4] == ("Name", "Unit", "Channel", "Status")
    assert en[4][2:4] == ("Text message", "Delivered")
    # Only the sender may read it.
    assert (await p1.get(f"/api/v1/dings/{d['id']}/report")).status_code == 404
    assert (await p1.get(f"/api/v1/dings/{d['id']}/report.xlsx")).status_code == 404
