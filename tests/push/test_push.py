"""Web Push (push/, docs/push.md) against a local push service that checks the VAPID
signature and decrypts every push (push_server.py): subscribing, a DING reaching a phone with
its text, the close push after confirming, settings that turn a category off, a subscription
the service says is gone, a service that fails (retried with backoff, then recorded) or hangs
(never holding up the in-app card or other writes)."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select

from bellwork.jobs.models import QUEUED, Job
from bellwork.jobs.runner import run_due
from bellwork.org.models import Person
from bellwork.preferences.models import Preferences
from bellwork.push import service
from bellwork.push.messages import ding_push
from bellwork.push.models import PushSubscription, VapidKey
from bellwork.runtime import Runtime
from tests.chat.conftest import connect
from tests.conftest import World
from tests.push.push_server import PushServer, unb64


def guardians(school: dict[str, Any], body: str = "明天停课，请确认收到") -> dict[str, Any]:
    return {
        "client_id": uuid.uuid4().hex,
        "body": body,
        "units": [{"unit_id": school["klass"].id, "roles": ["guardian"]}],
    }


async def subscribe(
    c: httpx.AsyncClient, server: PushServer, label: str = "Chrome on Android", lang: str = "en"
) -> dict[str, Any]:
    sub = server.subscribe()
    r = await c.post(
        "/api/v1/push/subscriptions",
        json={**sub, "label": label},
        headers={"accept-language": lang},
    )
    assert r.status_code == 201, r.text
    return {**sub, "device": r.json()}


async def push_jobs(rt: Runtime) -> list[Job]:
    async with rt.sessionmaker() as s:
        rows = await s.execute(
            select(Job).where(Job.kind == "push.send", Job.state == QUEUED).order_by(Job.id)
        )
        return list(rows.scalars())


async def device(rt: Runtime, device_id: int) -> PushSubscription | None:
    async with rt.sessionmaker() as s:
        return await s.get(PushSubscription, device_id)


def at(seconds: float) -> datetime:
    return datetime.now(UTC) + timedelta(seconds=seconds)


async def test_the_key_and_subscribing_a_device(
    world: World, school: dict[str, Any], pushsrv: PushServer
) -> None:
    c = await world.login(school["p1"])
    r = await c.get("/api/v1/push/key")
    assert r.status_code == 200
    key = r.json()["public_key"]
    point = unb64(key)
    assert len(point) == 65 and point[0] == 4  # an uncompressed P-256 point
    assert (await c.get("/api/v1/push/key")).json()["public_key"] == key  # made once
    async with world.app.state.sessionmaker() as s:
        assert len(list((await s.execute(select(VapidKey))).scalars())) == 1

    sub = await subscribe(c, pushsrv)
    d = sub["device"]
    assert (d["label"], d["endpoint_host"], d["last_sent_at"]) == (
        "Chrome on Android",
        "127.0.0.1",
        None,
    )
    # The same browser again: the same device, its label updated.
    again = await c.post(
        "/api/v1/push/subscriptions",
        json={"endpoint": sub["endpoint"], "keys": sub["keys"], "label": "Chrome on Pixel"},
    )
    assert again.status_code == 200 and again.json()["id"] == d["id"]
    listed = (await c.get("/api/v1/push/devices")).json()["items"]
    assert [(x["id"], x["label"]) for x in listed] == [(d["id"], "Chrome on Pixel")]

    # Somebody else cannot see or remove it.
    other = await world.login(school["p2"])
    assert (await other.get("/api/v1/push/devices")).json()["items"] == []
    r = await other.delete(f"/api/v1/push/devices/{d['id']}")
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    assert r.json()["title"] == "Device not found."

    # A push service not on the list, or not an endpoint at all: refused, nothing stored.
    bad = {**pushsrv.subscribe(), "endpoint": "https://push.example.net/abc"}
    r = await c.post("/api/v1/push/subscriptions", json=bad)
    assert r.status_code == 422 and r.json()["code"] == "push_endpoint_refused"
    assert "push.example.net" in r.json()["title"]
    r = await c.post(
        "/api/v1/push/subscriptions",
        json={**bad, "endpoint": "ftp://x"},
        headers={"accept-language": "zh-CN"},
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "endpoint"
    assert r.json()["errors"][0]["message"] == "不是有效的推送订阅地址（应为 https:// 网址）。"
    assert len((await c.get("/api/v1/push/devices")).json()["items"]) == 1

    # Signing out on that browser: it unsubscribes.
    r = await c.post("/api/v1/push/subscriptions/remove", json={"endpoint": sub["endpoint"]})
    assert r.status_code == 204
    assert (await c.get("/api/v1/push/devices")).json()["items"] == []
    r = await c.post("/api/v1/push/subscriptions/remove", json={"endpoint": sub["endpoint"]})
    assert r.status_code == 204


async def test_a_ding_reaches_the_phone_decryptable_and_confirming_closes_it_elsewhere(
    world: World, school: dict[str, Any], pushsrv: PushServer, runtime: Runtime
) -> None:
    teacher = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    phone = await subscribe(p1, pushsrv, "Chrome on Android", lang="zh-CN")
    laptop = await subscribe(p1, pushsrv, "Firefox on Linux", lang="en")
    r = await teacher.post("/api/v1/dings", json=guardians(school))
    assert r.status_code == 201
    ding_id = r.json()["id"]
    # One job for the guardians who have a device (p1 only), none for the others.
    (job,) = await push_jobs(runtime)
    assert job.payload["people"] == [school["p1"].id]

    await run_due(runtime, clock=lambda: at(1))
    (on_phone,) = pushsrv.to(phone["endpoint"])
    assert on_phone.payload == {
        "type": "ding",
        "title": "王老师发来 DING",
        "body": "明天停课，请确认收到",
        "url": "/chat",
        "tag": f"bw-ding-{ding_id}",
    }
    (on_laptop,) = pushsrv.to(laptop["endpoint"])
    assert on_laptop.payload["title"] == "DING from 王老师"  # the laptop subscribed in English
    for m in (on_phone, on_laptop):
        assert m.headers["Urgency"] == "high"
        assert m.headers["TTL"] == "86400"
        assert m.headers["Topic"] == f"bw-ding-{ding_id}"
        public = (await p1.get("/api/v1/push/key")).json()["public_key"]
        assert m.claims["k"] == public and m.claims["aud"] == pushsrv.origin
    assert not pushsrv.refused
    # Sent: the retry the job queued for safety is taken back; the devices show it.
    assert await push_jobs(runtime) == []
    assert (await device(runtime, phone["device"]["id"])).last_sent_at is not None  # type: ignore[union-attr]

    # Confirmed on the laptop: both devices get the close push (same tag), nobody else.
    r = await p1.post(f"/api/v1/dings/{ding_id}/confirm")
    assert r.status_code == 200
    await run_due(runtime, clock=lambda: at(2))
    closes = [m.payload for m in pushsrv.messages if m.payload["type"] == "close"]
    assert sorted(c["title"] for c in closes) == ["Confirmed", "已确认收到"]
    assert {c["tag"] for c in closes} == {f"bw-ding-{ding_id}"}
    # Confirming again tells nobody twice.
    await p1.post(f"/api/v1/dings/{ding_id}/confirm")
    assert await push_jobs(runtime) == []


async def test_a_category_turned_off_sends_nothing(
    world: World, school: dict[str, Any], pushsrv: PushServer, runtime: Runtime
) -> None:
    teacher = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    await subscribe(p1, pushsrv)
    r = await p1.patch("/api/v1/me/preferences", json={"push_ding": False})
    assert r.status_code == 200 and r.json()["push_ding"] is False
    r = await teacher.post("/api/v1/dings", json=guardians(school))
    assert r.status_code == 201
    assert await push_jobs(runtime) == []
    await run_due(runtime, clock=lambda: at(1))
    assert pushsrv.requests == []
    # The in-app card is there all the same.
    assert [d["id"] for d in (await p1.get("/api/v1/dings/pending")).json()] == [r.json()["id"]]
    # Mentions still push: only DING was turned off.
    r = await p1.patch("/api/v1/me/preferences", json={"push_ding": True, "push_mention": False})
    assert r.json()["push_ding"] is True and r.json()["push_mention"] is False
    await teacher.post("/api/v1/dings", json=guardians(school, "第二条"))
    await run_due(runtime, clock=lambda: at(2))
    assert [m.payload["body"] for m in pushsrv.messages] == ["第二条"]


async def test_a_subscription_the_service_says_is_gone_is_removed(
    world: World, school: dict[str, Any], pushsrv: PushServer, runtime: Runtime
) -> None:
    teacher = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    gone = await subscribe(p1, pushsrv, "old phone")
    kept = await subscribe(p1, pushsrv, "new phone")
    pushsrv.script = ["410"]  # the first push (the older subscription: sent in id order)
    await teacher.post("/api/v1/dings", json=guardians(school))
    await run_due(runtime, clock=lambda: at(1))
    assert await device(runtime, gone["device"]["id"]) is None
    assert (await device(runtime, kept["device"]["id"])).last_sent_at is not None  # type: ignore[union-attr]
    assert [x["label"] for x in (await p1.get("/api/v1/push/devices")).json()["items"]] == [
        "new phone"
    ]
    assert await push_jobs(runtime) == []  # nothing to try again
    assert len(pushsrv.to(kept["endpoint"])) == 1


async def test_a_failing_service_is_retried_with_backoff_then_recorded_as_failed(
    world: World, school: dict[str, Any], pushsrv: PushServer, runtime: Runtime
) -> None:
    teacher = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    sub = await subscribe(p1, pushsrv)
    pushsrv.always = "500"
    await teacher.post("/api/v1/dings", json=guardians(school))
    t0 = datetime.now(UTC)
    await run_due(runtime, clock=lambda: t0)
    waits = []
    for tried in range(1, 5):
        (retry,) = await push_jobs(runtime)
        assert retry.payload["try"] == tried + 1
        assert retry.payload["subs"] == [sub["device"]["id"]]
        waits.append(retry.run_at - t0)
        d = await device(runtime, sub["device"]["id"])
        assert d is not None and d.last_error == f"try {tried}: 500 scripted 500"
        # Not before its time.
        before = len(pushsrv.requests)
        await run_due(runtime, clock=lambda r=retry: r.run_at - timedelta(seconds=1))
        assert len(pushsrv.requests) == before
        t0 = retry.run_at
        await run_due(runtime, clock=lambda t=t0: t)
    assert waits == [timedelta(seconds=s) for s in (30, 120, 480, 1920)]
    assert len(pushsrv.requests) == 5
    assert await push_jobs(runtime) == []
    d = await device(runtime, sub["device"]["id"])
    assert d is not None and d.last_error == "gave up after 5 tries: 500 scripted 500"
    (shown,) = (await p1.get("/api/v1/push/devices")).json()["items"]
    assert shown["failed_at"] is not None and shown["last_error"].startswith("gave up")
    # The service is back: the next push goes, and the device is well again.
    pushsrv.always = None
    await teacher.post("/api/v1/dings", json=guardians(school, "恢复了"))
    await run_due(runtime, clock=lambda: at(1))
    assert [m.payload["body"] for m in pushsrv.messages] == ["恢复了"]
    d = await device(runtime, sub["device"]["id"])
    assert d is not None and d.last_error is None and d.failed_at is None


async def test_a_hanging_service_never_delays_the_card_or_other_writes(
    world: World, school: dict[str, Any], pushsrv: PushServer, live: str
) -> None:
    """The app's own runner sends (as in production); the push service holds the push. The
    DING's card arrives at once, and other requests that write go through meanwhile: no
    database lock is held while waiting for a push service."""
    teacher = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    await subscribe(p1, pushsrv)
    pushsrv.script = ["hang"]
    async with connect(live, p1) as sock:
        started = time.monotonic()
        r = await teacher.post("/api/v1/dings", json=guardians(school))
        assert r.status_code == 201
        alert = await sock.next("ding.alert")
        assert alert["ding"]["id"] == r.json()["id"]
        assert time.monotonic() - started < 1.0
        await asyncio.wait_for(pushsrv.hanging.wait(), 5)  # the push is being held now
        t1 = time.monotonic()
        r2 = await teacher.post("/api/v1/dings", json=guardians(school, "第二条"))
        assert r2.status_code == 201
        r3 = await p1.post(f"/api/v1/dings/{r.json()['id']}/confirm")
        assert r3.status_code == 200
        assert time.monotonic() - t1 < 0.8  # the push timeout is 1 s: not waited for
        assert (await sock.next("ding.alert"))["ding"]["id"] == r2.json()["id"]
    # The held push timed out and waits for its retry (the only one left: the other pushes
    # went, and their jobs' retries were taken back).
    rt: Runtime = world.app.state.runtime
    for _ in range(100):
        jobs = await push_jobs(rt)
        if len(jobs) == 1 and any(m.payload["body"] == "第二条" for m in pushsrv.messages):
            break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError(f"jobs {[j.payload for j in jobs]}, pushes {pushsrv.messages}")
    assert [a for _, a in pushsrv.requests].count("hang") == 1
    (retry,) = jobs
    assert retry.payload["try"] == 2
    assert retry.run_at > datetime.now(UTC) + timedelta(seconds=20)  # after its backoff


async def test_signing_out_everywhere_forgets_every_device(
    world: World, school: dict[str, Any], pushsrv: PushServer, runtime: Runtime
) -> None:
    p1 = await world.login(school["p1"])
    a = await subscribe(p1, pushsrv, "phone")
    b = await subscribe(p1, pushsrv, "laptop")
    other = await world.login(school["p2"])
    c = await subscribe(other, pushsrv, "p2's phone")
    r = await p1.post("/api/v1/auth/logout-all")
    assert r.status_code == 200
    assert await device(runtime, a["device"]["id"]) is None
    assert await device(runtime, b["device"]["id"]) is None
    assert await device(runtime, c["device"]["id"]) is not None


async def test_a_deactivated_person_or_one_whose_password_is_reset_gets_no_more_pushes(
    world: World, school: dict[str, Any], pushsrv: PushServer, runtime: Runtime
) -> None:
    admin = await world.login(school["admin"])
    p1 = await world.login(school["p1"])
    gone = await subscribe(p1, pushsrv, "phone")
    p2 = await world.login(school["p2"])
    reset = await subscribe(p2, pushsrv, "lost phone")
    kept = await subscribe(await world.login(school["p3"]), pushsrv, "p3's phone")
    r = await admin.post(f"/api/v1/people/{school['p1'].id}/deactivate")
    assert r.status_code == 200, r.text
    r = await admin.post(f"/api/v1/people/{school['p2'].id}/reset-password")
    assert r.status_code == 200, r.text
    assert await device(runtime, gone["device"]["id"]) is None
    assert await device(runtime, reset["device"]["id"]) is None
    assert await device(runtime, kept["device"]["id"]) is not None


async def test_a_thousand_recipients_make_a_few_jobs_and_none_for_those_without_a_device(
    world: World, runtime: Runtime
) -> None:
    people = [Person(name=f"家长{i}") for i in range(1000)]
    world.db.add_all(people)
    await world.db.flush()
    with_device = [p.id for p in people[:250]]
    world.db.add_all(
        PushSubscription(
            person_id=pid,
            endpoint=f"https://fcm.googleapis.com/fcm/send/{pid}",
            p256dh="B" * 87,
            auth="A" * 22,
        )
        for pid in with_device
    )
    world.db.add(Preferences(person_id=with_device[0], push_ding=False))  # DING off
    await world.commit()
    async with runtime.sessionmaker() as s:
        n = await service.notify(s, [p.id for p in people], "ding", ding_push(1, None, "停课"))
        await s.commit()
    assert n == 249
    jobs = await push_jobs(runtime)
    assert [len(j.payload["people"]) for j in jobs] == [100, 100, 49]
    assert sorted(p for j in jobs for p in j.payload["people"]) == with_device[1:]


async def test_a_recall_takes_the_ding_off_the_devices_of_those_who_had_not_confirmed(
    world: World, school: dict[str, Any], pushsrv: PushServer, runtime: Runtime
) -> None:
    teacher = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    p2 = await world.login(school["p2"])
    a = await subscribe(p1, pushsrv, lang="en")
    b = await subscribe(p2, pushsrv, lang="en")
    ding_id = (await teacher.post("/api/v1/dings", json=guardians(school))).json()["id"]
    await p2.post(f"/api/v1/dings/{ding_id}/confirm")
    await run_due(runtime, clock=lambda: at(1))
    r = await teacher.post(f"/api/v1/dings/{ding_id}/recall")
    assert r.status_code == 200
    await run_due(runtime, clock=lambda: at(2))
    assert [m.payload["type"] for m in pushsrv.to(a["endpoint"])] == ["ding", "close"]
    assert pushsrv.to(a["endpoint"])[-1].payload["title"] == "DING recalled"
    # p2 had confirmed: their close push said so, and no recall follows.
    assert [m.payload["title"] for m in pushsrv.to(b["endpoint"])][-1] == "Confirmed"
    assert all(m.payload["title"] != "DING recalled" for m in pushsrv.to(b["endpoint"]))
