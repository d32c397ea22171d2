"""Voice calls through Alibaba Cloud Voice Messaging (delivery/aliyun_voice.py): the official SDK
signs and sends real HTTP requests to a local server that plays SingleCallByTts and
QueryCallDetailByCallId (aliyun_voice_server.py). A call placed, then found answered
(delivered) or not answered (failed with the carrier's state) by the follow-up check; a 500
tried again after the backoff; a timeout; the monthly voice quota."""

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
from bellwork.delivery.quotas import sms_quota
from bellwork.delivery.service import queue_delivery
from bellwork.jobs.models import QUEUED, Job
from bellwork.jobs.runner import run_due
from bellwork.runtime import Runtime
from tests.conftest import World
from tests.delivery.aliyun_server import KEY_ID, KEY_SECRET, Answer
from tests.delivery.aliyun_voice_server import NOT_ANSWERED, AliyunVoiceServer


@pytest.fixture
async def voice() -> AsyncIterator[AliyunVoiceServer]:
    server = AliyunVoiceServer()
    await server.start()
    yield server
    await server.stop()


def voice_settings(settings: Settings, server: AliyunVoiceServer, **more: Any) -> Settings:
    return settings.model_copy(
        update={
            "voice_provider": "aliyun",
            "voice_access_key_id": KEY_ID,
            "voice_access_key_secret": SecretStr(KEY_SECRET),
            "voice_tts_templates": {"default": "TTS_300"},
            "voice_endpoint": server.endpoint,
            "voice_timeout": 0.5,
            "voice_check_after": 120,
            **more,
        }
    )


@pytest.fixture
def app_settings(settings: Settings, voice: AliyunVoiceServer) -> Settings:
    return voice_settings(settings, voice)


@pytest.fixture
async def runtime(app: Any) -> AsyncIterator[Runtime]:
    rt: Runtime = app.state.runtime
    if rt.runner is not None:
        await rt.runner.stop()
        rt.runner = None
    yield rt


async def call(rt: Runtime, person_id: int | None = None, address: str = "13800000001") -> int:
    async with rt.sessionmaker() as s:
        d = await queue_delivery(
            s,
            channel="voice",
            address=address,
            body="【DING】王老师：明天停课",
            purpose="ding",
            person_id=person_id,
        )
        await s.commit()
        return d.id


async def delivery(rt: Runtime, delivery_id: int) -> Delivery:
    async with rt.sessionmaker() as s:
        d = await s.get(Delivery, delivery_id)
        assert d is not None
        return d


async def jobs(rt: Runtime, kind: str) -> list[datetime]:
    async with rt.sessionmaker() as s:
        rows = await s.execute(select(Job.run_at).where(Job.kind == kind, Job.state == QUEUED))
        return [r[0] for r in rows]


def soon() -> datetime:
    return datetime.now(UTC) + timedelta(seconds=1)


async def test_an_answered_call_is_delivered(runtime: Runtime, voice: AliyunVoiceServer) -> None:
    delivery_id = await call(runtime, address="+8613800000001")
    t0 = soon()
    await run_due(runtime, clock=lambda: t0)
    (req,) = voice.calls
    assert (req["CalledNumber"], req["TtsCode"]) == ("13800000001", "TTS_300")
    assert json.loads(req["TtsParam"]) == {"content": "【DING】王老师：明天停课"}
    assert req["OutId"] == f"bw{delivery_id}"
    d = await delivery(runtime, delivery_id)
    assert (d.status, d.provider, d.delivered_at) == ("sent", "aliyun", None)
    assert d.reference and d.reference.startswith("1^")
    (check_at,) = await jobs(runtime, "delivery.check")
    assert abs((check_at - t0).total_seconds() - 120) < 1

    await run_due(runtime, clock=lambda: t0 + timedelta(seconds=60))
    assert voice.details == []  # not before its time
    await run_due(runtime, clock=lambda: t0 + timedelta(seconds=121))
    (asked,) = voice.details
    assert (asked["CallId"], asked["ProdId"]) == (d.reference, "11010000138001")
    d = await delivery(runtime, delivery_id)
    assert d.status == "delivered"
    assert d.delivered_at == datetime(2026, 11, 28, 0, 0, 10, tzinfo=UTC)  # 08:00:10 China


async def test_a_call_not_answered_fails_with_the_carriers_state(
    runtime: Runtime, voice: AliyunVoiceServer
) -> None:
    voice.fate[1] = NOT_ANSWERED
    delivery_id = await call(runtime)
    t0 = soon()
    await run_due(runtime, clock=lambda: t0)
    await run_due(runtime, clock=lambda: t0 + timedelta(seconds=121))
    d = await delivery(runtime, delivery_id)
    assert (d.status, d.error, d.delivered_at) == ("failed", "200005: 用户未接", None)


async def test_no_record_yet_is_asked_again_later(
    runtime: Runtime, voice: AliyunVoiceServer
) -> None:
    voice.fate[1] = None
    delivery_id = await call(runtime)
    t0 = soon()
    await run_due(runtime, clock=lambda: t0)
    await run_due(runtime, clock=lambda: t0 + timedelta(seconds=121))
    assert (await delivery(runtime, delivery_id)).status == "sent"
    (again,) = await jobs(runtime, "delivery.check")
    assert abs((again - t0).total_seconds() - 121 - 240) < 2  # the second round waits longer
    voice.fate[1] = {"state": "200000", "stateDesc": "用户听到语音", "duration": 12}
    await run_due(runtime, clock=lambda: again + timedelta(seconds=1))
    assert (await delivery(runtime, delivery_id)).status == "delivered"
    assert len(voice.details) == 2


async def test_a_500_is_tried_again_after_the_backoff(
    runtime: Runtime, voice: AliyunVoiceServer
) -> None:
    voice.script.append(Answer("500"))
    delivery_id = await call(runtime)
    t0 = soon()
    await run_due(runtime, clock=lambda: t0)
    d = await delivery(runtime, delivery_id)
    assert (d.status, d.attempts) == ("queued", 1)
    assert d.error and d.error.startswith("InternalError"), d.error
    (again,) = await jobs(runtime, "delivery.send")
    assert abs((again - t0).total_seconds() - 30) < 1
    await run_due(runtime, clock=lambda: t0 + timedelta(seconds=31))
    d = await delivery(runtime, delivery_id)
    assert (d.status, d.attempts, d.error) == ("sent", 2, None)
    assert len(voice.calls) == 2


async def test_a_timeout_is_tried_again(runtime: Runtime, voice: AliyunVoiceServer) -> None:
    voice.script.append(Answer("ok", delay=2.0))
    delivery_id = await call(runtime)
    t0 = soon()
    await run_due(runtime, clock=lambda: t0)
    d = await delivery(runtime, delivery_id)
    assert d.status == "queued" and d.error and "timed out" in d.error.lower()


async def test_a_refusal_for_good_fails_at_once(runtime: Runtime, voice: AliyunVoiceServer) -> None:
    voice.script.append(Answer("business", "isv.TTS_TEMPLATE_ILLEGAL", "模板不合法"))
    delivery_id = await call(runtime)
    t0 = soon()
    await run_due(runtime, clock=lambda: t0)
    d = await delivery(runtime, delivery_id)
    assert (d.status, d.error) == ("failed", "isv.TTS_TEMPLATE_ILLEGAL: 模板不合法")
    assert (
        await jobs(runtime, "delivery.send") == [] and await jobs(runtime, "delivery.check") == []
    )


async def test_the_monthly_voice_quota(
    world: World, runtime: Runtime, voice: AliyunVoiceServer
) -> None:
    school = await world.unit("实验小学")
    school.settings = {"voice_quota_month": 1, "sms_quota_month": 5}
    teacher = await world.person("李老师", (school, "teacher"), phone="13800000001")
    await world.commit()
    first = await call(runtime, teacher.id)
    second = await call(runtime, teacher.id)
    d = await delivery(runtime, second)
    assert (d.status, d.error) == ("failed", "Voice call quota of 1 for this month reached")
    assert (await delivery(runtime, first)).status == "queued"
    async with runtime.sessionmaker() as s:
        voice_q = await sms_quota(s, teacher.id, channel="voice")
        sms_q = await sms_quota(s, teacher.id)
    assert voice_q is not None and (voice_q.limit, voice_q.used, voice_q.left) == (1, 1, 0)
    assert sms_q is not None and (sms_q.limit, sms_q.used) == (5, 0)  # counted apart


def test_an_aliyun_voice_provider_needs_its_settings() -> None:
    with pytest.raises(ValueError, match="voice_tts_templates"):
        Settings(voice_provider="aliyun", voice_access_key_id="x", voice_access_key_secret="y")
