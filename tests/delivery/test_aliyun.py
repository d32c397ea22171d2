"""Text messages through Alibaba Cloud SMS (delivery/aliyun.py): the official SDK signs and
sends real HTTP requests to a local server that plays the provider's API (aliyun_server.py),
never a mock of the SDK. Sent (BizId kept), refused for good, a 500 then sent after the
backoff, a timeout, a wrong secret — each as the delivery log shows it."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from bellwork.config import Settings
from bellwork.delivery.models import Delivery
from bellwork.delivery.service import queue_delivery, send_delivery
from bellwork.jobs.models import QUEUED, Job
from bellwork.jobs.runner import run_due
from bellwork.runtime import Runtime
from tests.conftest import World, make_client
from tests.delivery.aliyun_server import KEY_ID, KEY_SECRET, AliyunSmsServer, Answer

TEMPLATES = {"password_reset": "SMS_100", "default": "SMS_200"}


@pytest.fixture
async def aliyun() -> AsyncIterator[AliyunSmsServer]:
    server = AliyunSmsServer()
    await server.start()
    yield server
    await server.stop()


def aliyun_settings(settings: Settings, server: AliyunSmsServer, **more: Any) -> Settings:
    return settings.model_copy(
        update={
            "sms_provider": "aliyun",
            "sms_access_key_id": KEY_ID,
            "sms_access_key_secret": SecretStr(KEY_SECRET),
            "sms_sign_name": "实验小学",
            "sms_templates": TEMPLATES,
            "sms_endpoint": server.endpoint,
            "sms_timeout": 0.5,
            **more,
        }
    )


@pytest.fixture
def app_settings(settings: Settings, aliyun: AliyunSmsServer) -> Settings:
    return aliyun_settings(settings, aliyun)


@pytest.fixture
async def runtime(app: Any) -> AsyncIterator[Runtime]:
    """The app's runtime with its embedded runner stopped: the test runs jobs, with a clock."""
    rt: Runtime = app.state.runtime
    if rt.runner is not None:
        await rt.runner.stop()
        rt.runner = None
    yield rt


async def queue(rt: Runtime, purpose: str = "notice", **fields: Any) -> int:
    async with rt.sessionmaker() as s:
        d = await queue_delivery(
            s,
            channel="sms",
            address=fields.pop("address", "13800000001"),
            body=fields.pop("body", "【Bellwork】三年级二班明天停课。"),
            purpose=purpose,
            **fields,
        )
        await s.commit()
        return d.id


async def delivery(rt: Runtime, delivery_id: int) -> Delivery:
    async with rt.sessionmaker() as s:
        d = await s.get(Delivery, delivery_id)
        assert d is not None
        return d


async def pending_sends(rt: Runtime) -> list[datetime]:
    async with rt.sessionmaker() as s:
        rows = await s.execute(
            select(Job.run_at).where(Job.kind == "delivery.send", Job.state == QUEUED)
        )
        return [r[0] for r in rows]


def at(seconds: float) -> datetime:
    return datetime.now(UTC) + timedelta(seconds=seconds)


async def test_a_password_code_goes_out_through_its_template_and_keeps_the_bizid(
    world: World, runtime: Runtime, aliyun: AliyunSmsServer
) -> None:
    school = await world.unit("实验小学")
    await world.person("李老师", (school, "teacher"), phone="13800000001")
    admin = await world.person("管理员", username="admin", is_admin=True)
    await world.commit()
    c = make_client(world.app)
    r = await c.post("/api/v1/auth/password-reset", json={"login": "13800000001"})
    assert r.status_code == 202

    t0 = at(1)
    await run_due(runtime, clock=lambda: t0)

    (req,) = aliyun.sent
    assert (req["PhoneNumbers"], req["SignName"], req["TemplateCode"]) == (
        "13800000001",
        "实验小学",
        "SMS_100",
    )
    params = json.loads(req["TemplateParam"])
    assert list(params) == ["code"] and len(params["code"]) == 6
    async with runtime.sessionmaker() as s:
        (d,) = (await s.execute(select(Delivery))).scalars()
    assert req["OutId"] == f"bellwork-{d.id}"
    assert (d.status, d.provider, d.attempts, d.error) == ("sent", "aliyun", 1, None)
    assert d.reference and d.reference.startswith("000001^")
    assert params["code"] in d.body  # the log still shows the text

    a = await world.login(admin)
    (row,) = (await a.get("/api/v1/deliveries")).json()["items"]
    assert (row["provider"], row["reference"], row["status"]) == ("aliyun", d.reference, "sent")


async def test_other_purposes_go_through_the_default_template(
    runtime: Runtime, aliyun: AliyunSmsServer
) -> None:
    delivery_id = await queue(runtime, "notice", address="+85291234567")
    t0 = at(1)
    await run_due(runtime, clock=lambda: t0)
    (req,) = aliyun.sent
    assert (req["PhoneNumbers"], req["TemplateCode"]) == ("85291234567", "SMS_200")
    assert json.loads(req["TemplateParam"]) == {"content": "【Bellwork】三年级二班明天停课。"}
    assert (await delivery(runtime, delivery_id)).status == "sent"


async def test_a_refusal_for_good_fails_at_once_with_the_providers_message(
    runtime: Runtime, aliyun: AliyunSmsServer
) -> None:
    aliyun.script.append(Answer("business", "isv.MOBILE_NUMBER_ILLEGAL", "非法手机号"))
    delivery_id = await queue(runtime)
    t0 = at(1)
    await run_due(runtime, clock=lambda: t0)
    d = await delivery(runtime, delivery_id)
    assert (d.status, d.attempts, d.reference) == ("failed", 1, None)
    assert d.error == "isv.MOBILE_NUMBER_ILLEGAL: 非法手机号"
    assert await pending_sends(runtime) == []  # not tried again
    await run_due(runtime, clock=lambda: t0 + timedelta(hours=2))
    assert len(aliyun.sent) == 1


async def test_a_500_is_tried_again_after_the_backoff_and_then_sent(
    runtime: Runtime, aliyun: AliyunSmsServer
) -> None:
    aliyun.script.append(Answer("500"))
    delivery_id = await queue(runtime)
    t0 = at(1)
    await run_due(runtime, clock=lambda: t0)
    d = await delivery(runtime, delivery_id)
    assert (d.status, d.attempts) == ("queued", 1)
    assert d.error and d.error.startswith("InternalError: code: 500")
    (again,) = await pending_sends(runtime)
    assert abs((again - t0).total_seconds() - 30) < 1  # 30 s, then 2, 8, 32 minutes

    await run_due(runtime, clock=lambda: t0 + timedelta(seconds=20))
    assert len(aliyun.sent) == 1  # not yet
    await run_due(runtime, clock=lambda: t0 + timedelta(seconds=31))
    assert len(aliyun.sent) == 2
    d = await delivery(runtime, delivery_id)
    assert (d.status, d.attempts, d.error) == ("sent", 2, None)
    assert d.reference and d.reference.startswith("000002^")


async def test_throttling_is_tried_again(runtime: Runtime, aliyun: AliyunSmsServer) -> None:
    aliyun.script.append(Answer("business", "isv.BUSINESS_LIMIT_CONTROL", "触发分钟级流控"))
    delivery_id = await queue(runtime)
    t0 = at(1)
    await run_due(runtime, clock=lambda: t0)
    d = await delivery(runtime, delivery_id)
    assert (d.status, d.error) == ("queued", "isv.BUSINESS_LIMIT_CONTROL: 触发分钟级流控")
    assert len(await pending_sends(runtime)) == 1


async def test_a_timeout_is_tried_again(runtime: Runtime, aliyun: AliyunSmsServer) -> None:
    aliyun.script.append(Answer("ok", delay=2.0))  # sms_timeout is 0.5 s here
    delivery_id = await queue(runtime)
    t0 = at(1)
    await run_due(runtime, clock=lambda: t0)
    d = await delivery(runtime, delivery_id)
    assert (d.status, d.attempts) == ("queued", 1)
    assert d.error and "timed out" in d.error.lower(), d.error
    await run_due(runtime, clock=lambda: t0 + timedelta(seconds=31))
    d = await delivery(runtime, delivery_id)
    assert (d.status, d.attempts, d.error) == ("sent", 2, None)


async def test_a_provider_that_cannot_be_reached_is_tried_again(
    app_settings: Settings, runtime: Runtime, aliyun: AliyunSmsServer
) -> None:
    await aliyun.stop()  # nothing listens on its port any more
    delivery_id = await queue(runtime)
    t0 = at(1)
    await run_due(runtime, clock=lambda: t0)
    d = await delivery(runtime, delivery_id)
    assert (d.status, d.attempts) == ("queued", 1)
    assert d.error and d.error.startswith("Cannot connect to host 127.0.0.1"), d.error
    assert len(await pending_sends(runtime)) == 1


async def test_a_wrong_secret_is_refused_by_the_signature_check(
    app_settings: Settings, runtime: Runtime, aliyun: AliyunSmsServer
) -> None:
    runtime.settings = aliyun_settings(
        app_settings, aliyun, sms_access_key_secret=SecretStr("not-the-secret")
    )
    delivery_id = await queue(runtime)
    t0 = at(1)
    await run_due(runtime, clock=lambda: t0)
    d = await delivery(runtime, delivery_id)
    assert d.status == "failed"
    assert d.error and d.error.startswith("SignatureDoesNotMatch"), d.error
    assert aliyun.sent == [] and aliyun.refused


async def test_a_purpose_without_a_template_fails_saying_so(
    app_settings: Settings, runtime: Runtime, aliyun: AliyunSmsServer
) -> None:
    runtime.settings = aliyun_settings(
        app_settings, aliyun, sms_templates={"password_reset": "SMS_100"}
    )
    delivery_id = await queue(runtime, "ding")
    t0 = at(1)
    await run_due(runtime, clock=lambda: t0)
    d = await delivery(runtime, delivery_id)
    assert d.status == "failed"
    assert d.error and "no SMS template for purpose 'ding'" in d.error
    assert aliyun.sent == []


def test_an_aliyun_provider_needs_its_settings() -> None:
    with pytest.raises(ValueError, match="sms_access_key_id"):
        Settings(sms_provider="aliyun", sms_sign_name="实验小学", sms_templates=TEMPLATES)


async def test_a_lost_try_is_not_sent_again_when_aliyun_took_it(
    runtime: Runtime, aliyun: AliyunSmsServer
) -> None:
    """The node running the send is killed after Aliyun took the message and before the
    delivery was written: the job's next attempt finds the message by its OutId in the day's
    list and does not send it again; a message Aliyun never took is sent on the next try."""
    taken = await queue(runtime, address="13800000007")
    never = await queue(runtime, address="13800000008")
    async with runtime.sessionmaker() as s:  # the lost try: sent, then rolled back (killed)
        await send_delivery(s, taken, at(0))
        await s.rollback()
    assert [p["OutId"] for p in aliyun.sent] == [f"bellwork-{taken}"]
    for delivery_id in (taken, never):
        async with runtime.sessionmaker() as s:
            await send_delivery(s, delivery_id, at(1), retried=True)
            await s.commit()
    assert [p["OutId"] for p in aliyun.sent] == [f"bellwork-{taken}", f"bellwork-{never}"]
    assert [q["PhoneNumber"] for q in aliyun.queried] == ["13800000007", "13800000008"]
    assert "BizId" not in aliyun.queried[0]
    first, second = await delivery(runtime, taken), await delivery(runtime, never)
    assert (first.status, first.reference) == ("sent", None)
    assert second.status == "sent" and second.reference
