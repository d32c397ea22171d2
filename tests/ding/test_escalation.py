"""DING escalation (ding/escalation.py) with the job clock moved forward: the school's policy
sends the unconfirmed a text message after 10 minutes and calls them after 20; confirming,
recalling and quotas stop or mark it; a call nobody answered falls back to a text message
(the voice provider played by a local server); the report shows each step per person and
channel."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from bellwork.config import Settings
from bellwork.delivery.models import Delivery
from bellwork.ding.models import Ding
from bellwork.jobs.runner import run_due
from bellwork.runtime import Runtime
from tests.conftest import World
from tests.delivery.aliyun_server import Answer
from tests.delivery.aliyun_voice_server import NOT_ANSWERED, AliyunVoiceServer
from tests.delivery.test_aliyun_voice import voice_settings

POLICY = {"after_minutes": 10, "channels": ["sms", "voice"]}


@pytest.fixture
async def voice() -> AsyncIterator[AliyunVoiceServer]:
    server = AliyunVoiceServer()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def app_settings(settings: Settings, voice: AliyunVoiceServer) -> Settings:
    return voice_settings(settings, voice)


@pytest.fixture
async def runtime(app: Any) -> AsyncIterator[Runtime]:
    """The app's runtime with its own runner stopped: the test runs the jobs, with a clock."""
    rt: Runtime = app.state.runtime
    if rt.runner is not None:
        await rt.runner.stop()
        rt.runner = None
    yield rt


async def ding(c: httpx.AsyncClient, school: dict[str, Any], **extra: Any) -> dict[str, Any]:
    body = {
        "client_id": uuid.uuid4().hex,
        "body": "明天停课，请确认收到",
        "units": [{"unit_id": school["klass"].id, "roles": ["guardian"]}],
        **extra,
    }
    r = await c.post("/api/v1/dings", json=body)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


async def sent(rt: Runtime, ding_id: int) -> list[tuple[str, str, int | None, str]]:
    """(channel, address, person, status) of the DING's deliveries, in order."""
    async with rt.sessionmaker() as s:
        rows = await s.execute(
            select(Delivery.channel, Delivery.address, Delivery.person_id, Delivery.status)
            .where(Delivery.ding_id == ding_id)
            .order_by(Delivery.id)
        )
        return [(a, b, c, d) for a, b, c, d in rows]


async def steps(rt: Runtime, ding_id: int) -> dict[int, int]:
    async with rt.sessionmaker() as s:
        rows = await s.execute(
            select(Ding.recipient_id, Ding.escalation_step).where(Ding.message_id == ding_id)
        )
        return dict(rows.all())  # type: ignore[arg-type]


def later(minutes: float) -> datetime:
    return datetime.now(UTC) + timedelta(minutes=minutes)


async def test_unconfirmed_get_a_text_then_a_call_and_confirming_stops_it(
    world: World, school: dict[str, Any], runtime: Runtime, voice: AliyunVoiceServer
) -> None:
    school["school"].settings = {"ding_escalation": POLICY}
    await world.commit()
    t = await world.login(school["teacher"])
    d = await ding(t, school)
    p1, p2, p3 = (school[f"p{i}"] for i in (1, 2, 3))
    assert (await (await world.login(p1)).post(f"/api/v1/dings/{d['id']}/confirm")).is_success
    await run_due(runtime, clock=lambda: later(9))
    assert await sent(runtime, d["id"]) == []  # not before 10 minutes
    await run_due(runtime, clock=lambda: later(10.1))
    # Step 1: a text message to the two who have not confirmed (no SMS provider: the outbox).
    assert await sent(runtime, d["id"]) == [
        ("sms", "10000000102", p2.id, "outbox"),
        ("sms", "10000000103", p3.id, "outbox"),
    ]
    assert await steps(runtime, d["id"]) == {p1.id: 0, p2.id: 1, p3.id: 1}
    assert (await (await world.login(p2)).post(f"/api/v1/dings/{d['id']}/confirm")).is_success
    await run_due(runtime, clock=lambda: later(20.2))
    # Step 2: a voice call to the last one, through the provider.
    assert (await sent(runtime, d["id"]))[2:] == [("voice", "10000000103", p3.id, "sent")]
    assert [c["CalledNumber"] for c in voice.calls] == ["10000000103"]
    assert await steps(runtime, d["id"]) == {p1.id: 0, p2.id: 1, p3.id: 2}
    # The call was answered (the provider's detail, asked 2 minutes later); no step 3.
    await run_due(runtime, clock=lambda: later(23))
    await run_due(runtime, clock=lambda: later(60))
    assert [x[3] for x in await sent(runtime, d["id"])] == ["outbox", "outbox", "delivered"]

    report = (await t.get(f"/api/v1/dings/{d['id']}/report")).json()
    assert report["escalation"] == POLICY and (report["total"], report["confirmed"]) == (3, 2)
    by_name = {r["person"]["name"]: r for r in report["rows"]}
    assert [(e["channel"], e["status"], e["step"]) for e in by_name["家长1"]["entries"]] == [
        ("app", "confirmed", 0)
    ]
    assert [(e["channel"], e["status"], e["step"]) for e in by_name["家长2"]["entries"]] == [
        ("app", "confirmed", 0),
        ("sms", "outbox", 1),
    ]
    three = by_name["家长3"]
    assert three["escalation_step"] == 2 and three["confirmed_at"] is None
    assert [(e["channel"], e["status"], e["step"]) for e in three["entries"]] == [
        ("app", "sent", 0),
        ("sms", "outbox", 1),
        ("voice", "delivered", 2),
    ]
    assert three["entries"][2]["delivered_at"] is not None


async def test_a_call_not_answered_falls_back_to_a_text_message(
    world: World, school: dict[str, Any], runtime: Runtime, voice: AliyunVoiceServer
) -> None:
    voice.fate[1] = NOT_ANSWERED  # the first call placed (to 家长1) rings out
    t = await world.login(school["teacher"])
    d = await ding(t, school, channels=["voice"])
    await run_due(runtime, clock=lambda: later(0.1))
    assert sorted(c["CalledNumber"] for c in voice.calls) == [
        "10000000101",
        "10000000102",
        "10000000103",
    ]
    first = voice.calls[0]["CalledNumber"]
    # 家长3 confirms before the provider is asked: no text message even if it was missed.
    voice.fate[3] = NOT_ANSWERED
    p3 = await world.login(school["p3"])
    assert (await p3.post(f"/api/v1/dings/{d['id']}/confirm")).is_success
    await run_due(runtime, clock=lambda: later(2.2))
    rows = await sent(runtime, d["id"])
    voice_rows = {a: st for ch, a, _, st in rows if ch == "voice"}
    assert voice_rows[first] == "failed"
    assert sorted(st for st in voice_rows.values()) == ["delivered", "failed", "failed"]
    texts = [(a, st) for ch, a, _, st in rows if ch == "sms"]
    assert texts == [(first, "outbox")]  # only the one who missed it and has not confirmed
    report = (await t.get(f"/api/v1/dings/{d['id']}/report")).json()
    row = next(r for r in report["rows"] if r["entries"][1:] and r["entries"][-1]["fallback"])
    assert [(e["channel"], e["status"], e["reason"]) for e in row["entries"][1:]] == [
        ("voice", "failed", "200005: 用户未接"),
        ("sms", "outbox", None),
    ]


async def test_a_provider_fault_is_retried_and_shows_in_the_report(
    world: World, school: dict[str, Any], runtime: Runtime, voice: AliyunVoiceServer
) -> None:
    voice.script.append(Answer("500"))
    t = await world.login(school["teacher"])
    d = await ding(t, {**school}, channels=["voice", "sms"], units=[], people=[school["p1"].id])
    await run_due(runtime, clock=lambda: later(0.1))
    # The call failed and waits for its next try; the text message went regardless.
    assert [(ch, st) for ch, _, _, st in await sent(runtime, d["id"])] == [
        ("sms", "outbox"),
        ("voice", "queued"),
    ] or [(ch, st) for ch, _, _, st in await sent(runtime, d["id"])] == [
        ("voice", "queued"),
        ("sms", "outbox"),
    ]
    report = (await t.get(f"/api/v1/dings/{d['id']}/report")).json()
    (call,) = [e for e in report["rows"][0]["entries"] if e["channel"] == "voice"]
    assert call["status"] == "queued" and call["reason"].startswith("InternalError")
    await run_due(runtime, clock=lambda: later(1))
    assert len(voice.calls) == 2
    report = (await t.get(f"/api/v1/dings/{d['id']}/report")).json()
    (call,) = [e for e in report["rows"][0]["entries"] if e["channel"] == "voice"]
    assert (call["status"], call["reason"]) == ("sent", None)


async def test_recalled_or_all_confirmed_stops_and_quota_is_recorded(
    world: World, school: dict[str, Any], runtime: Runtime, voice: AliyunVoiceServer
) -> None:
    school["school"].settings = {
        "ding_escalation": {"after_minutes": 5, "channels": ["voice", "app"]},
        "voice_quota_month": 1,
    }
    await world.commit()
    t = await world.login(school["teacher"])
    recalled = await ding(t, school)
    assert (await t.post(f"/api/v1/dings/{recalled['id']}/recall")).is_success
    everyone = await ding(t, school, units=[], people=[school["p1"].id])
    p1 = await world.login(school["p1"])
    assert (await p1.post(f"/api/v1/dings/{everyone['id']}/confirm")).is_success
    over = await ding(t, school)
    await run_due(runtime, clock=lambda: later(5.1))
    assert await sent(runtime, recalled["id"]) == []
    assert await sent(runtime, everyone["id"]) == []
    # Three calls due, a quota of one: one placed, two logged as failed with the reason.
    rows = await sent(runtime, over["id"])
    assert sorted(st for *_, st in rows) == ["failed", "failed", "sent"]
    report = (await t.get(f"/api/v1/dings/{over['id']}/report")).json()
    reasons = [e["reason"] for r in report["rows"] for e in r["entries"] if e["status"] == "failed"]
    assert reasons == ["Voice call quota of 1 for this month reached"] * 2
    # The quota-failed calls are not "unanswered": no text message instead of them.
    assert all(ch == "voice" for ch, *_ in rows)
    # Step 2 (in-app) still runs; then nothing more.
    assert set((await steps(runtime, over["id"])).values()) == {1}
    await run_due(runtime, clock=lambda: later(10.2))
    assert set((await steps(runtime, over["id"])).values()) == {2}
    assert set((await steps(runtime, recalled["id"])).values()) == {0}


async def test_voice_quota_is_refused_up_front(
    world: World, school: dict[str, Any], runtime: Runtime
) -> None:
    school["school"].settings = {"voice_quota_month": 2}
    await world.commit()
    t = await world.login(school["teacher"])
    r = await t.post(
        "/api/v1/dings",
        json={
            "client_id": "q1",
            "body": "紧急",
            "units": [{"unit_id": school["klass"].id, "roles": ["guardian"]}],
            "channels": ["voice"],
        },
        headers={"accept-language": "en"},
    )
    assert (r.status_code, r.json()["code"]) == (409, "ding_voice_quota")
    assert r.json()["title"].startswith("Voice calls to 3 people would go over")
    async with runtime.sessionmaker() as s:
        assert (await s.execute(select(Delivery))).first() is None


async def test_a_class_can_turn_off_the_schools_policy(
    world: World, school: dict[str, Any], runtime: Runtime, voice: AliyunVoiceServer
) -> None:
    school["school"].settings = {"ding_escalation": POLICY}
    await world.commit()
    admin = await world.login(school["admin"])
    off = {"ding_escalation": {"after_minutes": 10, "channels": []}}
    r = await admin.put(f"/api/v1/units/{school['klass'].id}/settings", json=off)
    assert r.status_code == 200, r.text
    assert r.json()["effective"]["ding_escalation"] == off["ding_escalation"]
    d = await ding(await world.login(school["teacher"]), school)
    await run_due(runtime, clock=lambda: later(60))
    assert await sent(runtime, d["id"]) == [] and voice.calls == []
