"""DING through the API (issue 11): sending to people and units × roles, the snapshot, confirming
on one device stopping the others, reminding at most once per 5 minutes, recalling, scheduled
DINGs as jobs, text messages through the delivery outbox, and the errors."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import func, select, update

from bellwork.delivery.models import Delivery
from bellwork.ding.models import Ding, DingMessage
from bellwork.ding.service import deliver
from bellwork.jobs.runner import run_due
from tests.chat.conftest import connect
from tests.conftest import World


def guardians_of(school: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "client_id": uuid.uuid4().hex,
        "body": "明天停课，请确认收到",
        "units": [{"unit_id": school["klass"].id, "roles": ["guardian"]}],
        **extra,
    }


async def ding(c: httpx.AsyncClient, body: dict[str, Any], status: int = 201) -> dict[str, Any]:
    r = await c.post("/api/v1/dings", json=body)
    assert r.status_code == status, r.text
    return r.json()  # type: ignore[no-any-return]


async def rows(world: World, model: Any) -> int:
    async with world.app.state.sessionmaker() as s:
        return int(await s.scalar(select(func.count()).select_from(model)) or 0)


async def deliveries(world: World, n: int) -> list[Delivery]:
    """The deliveries once `n` are written and none is queued: the DING's `ding.deliver` job
    and their `delivery.send` jobs run here, or by the app's own runner a moment ago."""
    found: list[Delivery] = []
    for _ in range(100):
        await run_due(world.app.state.runtime, clock=lambda: datetime.now(UTC))
        async with world.app.state.sessionmaker() as s:
            found = list((await s.execute(select(Delivery).order_by(Delivery.id))).scalars())
        if len(found) >= n and all(x.status != "queued" for x in found):
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"deliveries not settled: {[(x.address, x.status) for x in found]}")


async def test_send_to_guardians_of_a_class_alerts_them_live(
    world: World, school: dict[str, Any], live: str
) -> None:
    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    async with connect(live, p1) as phone, connect(live, t) as desk:
        d = await ding(t, guardians_of(school))
        assert (d["total"], d["confirmed"], d["sender"]["name"]) == (3, 0, "王老师")
        assert d["sent_at"] is not None and d["send_at"] is None
        alert = await phone.next("ding.alert")
        assert alert["ding"]["id"] == d["id"]
        assert alert["ding"]["body"] == "明天停课，请确认收到"
        assert alert["ding"]["sender"]["name"] == "王老师"
        assert (await desk.next("ding.changed"))["ding_id"] == d["id"]
    pending = (await p1.get("/api/v1/dings/pending")).json()
    assert [p["id"] for p in pending] == [d["id"]]
    # The students of the class were not asked for.
    s1 = await world.login(school["s1"])
    assert (await s1.get("/api/v1/dings/pending")).json() == []


async def test_detail_groups_by_unit_and_names_guardians_as_parents(
    world: World, school: dict[str, Any]
) -> None:
    t = await world.login(school["teacher"])
    d = await ding(
        t,
        guardians_of(school, people=[school["s1"].id, school["p1"].id]),
    )
    assert d["total"] == 4  # three guardians through the class, the student picked by name
    detail = (await t.get(f"/api/v1/dings/{d['id']}")).json()
    assert [g["unit_name"] for g in detail["groups"]] == ["实验小学 / 1班", None]
    klass = detail["groups"][0]
    assert len(klass["pending"]) == 3 and klass["confirmed"] == []
    first = klass["pending"][0]["person"]
    assert first["parent_of"]["student_name"] == "学生1"
    assert first["parent_of"]["relation"] == "母亲"
    assert [r["person"]["name"] for r in detail["groups"][1]["pending"]] == ["学生1"]


async def test_the_recipients_are_a_snapshot(world: World, school: dict[str, Any]) -> None:
    t = await world.login(school["teacher"])
    d = await ding(t, guardians_of(school))
    # A guardian who joins the class later is not asked; one who leaves still is.
    s4 = await world.person("学生4", (school["klass"], "student"), username="s4")
    late = await world.guardian("家长4", s4, school["klass"], username="p4")
    await world.commit()
    assert (await (await world.login(late)).get("/api/v1/dings/pending")).json() == []
    detail = (await t.get(f"/api/v1/dings/{d['id']}")).json()
    assert sum(len(g["pending"]) for g in detail["groups"]) == 3


async def test_confirm_stops_the_other_devices_and_tells_the_sender(
    world: World, school: dict[str, Any], live: str
) -> None:
    t = await world.login(school["teacher"])
    phone_client = await world.login(school["p1"])
    laptop_client = await world.login(school["p1"])
    d = await ding(t, guardians_of(school))
    async with (
        connect(live, phone_client) as phone,
        connect(live, laptop_client) as laptop,
        connect(live, t) as desk,
    ):
        r = await phone_client.post(f"/api/v1/dings/{d['id']}/confirm")
        assert r.status_code == 200, r.text
        at = r.json()["confirmed_at"]
        assert at is not None
        for sock in (phone, laptop):
            ev = await sock.next("ding.confirmed")
            assert (ev["ding_id"], ev["person_id"]) == (d["id"], school["p1"].id)
        ev = await desk.next("ding.confirmed")
        assert (ev["confirmed"], ev["total"]) == (1, 3)
        # Again: the same answer, nobody told twice.
        again = await laptop_client.post(f"/api/v1/dings/{d['id']}/confirm")
        assert again.status_code == 200 and again.json()["confirmed_at"] == at
        await desk.nothing()
    assert (await phone_client.get("/api/v1/dings/pending")).json() == []
    detail = (await t.get(f"/api/v1/dings/{d['id']}")).json()
    assert (detail["confirmed"], detail["total"]) == (1, 3)
    assert [r["person"]["id"] for r in detail["groups"][0]["confirmed"]] == [school["p1"].id]
    # Someone not asked cannot confirm it, nor see it.
    p_other = await world.login(school["s2"])
    assert (await p_other.post(f"/api/v1/dings/{d['id']}/confirm")).status_code == 404
    assert (await p_other.get(f"/api/v1/dings/{d['id']}")).status_code == 404


async def test_remind_at_most_once_per_five_minutes(
    world: World, school: dict[str, Any], live: str
) -> None:
    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    p2 = await world.login(school["p2"])
    d = await ding(t, guardians_of(school))
    await p2.post(f"/api/v1/dings/{d['id']}/confirm")
    r = await t.post(f"/api/v1/dings/{d['id']}/remind", headers={"accept-language": "en"})
    assert r.status_code == 429
    assert r.json()["code"] == "ding_remind_too_soon"
    wait = int(r.headers["retry-after"])
    assert 290 <= wait <= 300
    assert re.search(r"Remind again in [45] min \d+ s\.$", r.json()["title"])
    zh = await t.post(f"/api/v1/dings/{d['id']}/remind", headers={"accept-language": "zh-CN"})
    assert "分" in zh.json()["title"] and "秒后再提醒" in zh.json()["title"]
    async with world.app.state.sessionmaker() as s:
        await s.execute(
            update(DingMessage)
            .where(DingMessage.id == d["id"])
            .values(sent_at=datetime.now(UTC) - timedelta(minutes=6))
        )
        await s.commit()
    async with connect(live, p1) as p1s, connect(live, p2) as p2s:
        r = await t.post(f"/api/v1/dings/{d['id']}/remind")
        assert r.status_code == 200, r.text
        assert r.json()["reminders"] == 1
        assert (await p1s.next("ding.alert"))["ding"]["id"] == d["id"]
        await p2s.nothing()  # confirmed already: not reminded
    again = await t.post(f"/api/v1/dings/{d['id']}/remind")
    assert again.status_code == 429


async def test_recall_removes_the_cards_and_not_after_everyone_confirmed(
    world: World, school: dict[str, Any], live: str
) -> None:
    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    d = await ding(t, guardians_of(school))
    async with connect(live, p1) as p1s:
        r = await t.post(f"/api/v1/dings/{d['id']}/recall")
        assert r.status_code == 200 and r.json()["recalled_at"] is not None
        assert (await p1s.next("ding.recalled"))["ding_id"] == d["id"]
    assert (await p1.get("/api/v1/dings/pending")).json() == []
    late = await p1.post(f"/api/v1/dings/{d['id']}/confirm")
    assert (late.status_code, late.json()["code"]) == (409, "ding_recalled")
    assert (await t.post(f"/api/v1/dings/{d['id']}/recall")).status_code == 200  # again: same
    # A DING everyone confirmed cannot be recalled.
    one = await ding(t, {**guardians_of(school), "units": [], "people": [school["p3"].id]})
    p3 = await world.login(school["p3"])
    assert (await p3.post(f"/api/v1/dings/{one['id']}/confirm")).status_code == 200
    r = await t.post(f"/api/v1/dings/{one['id']}/recall", headers={"accept-language": "en"})
    assert (r.status_code, r.json()["code"]) == (409, "ding_all_confirmed")
    assert r.json()["title"] == "Everyone has confirmed this DING already."
    # Nor reminded.
    assert (await t.post(f"/api/v1/dings/{one['id']}/remind")).status_code == 409
    # The workbench counts one's DINGs someone has not confirmed: none left (one recalled).
    tiles = (await t.get("/api/v1/workbench")).json()
    assert [x.get("count") for x in tiles["tiles"] if x["key"] == "ding.sent"] == [0]


async def test_a_scheduled_ding_goes_out_at_its_minute(
    world: World, school: dict[str, Any]
) -> None:
    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    at = (datetime.now(UTC) + timedelta(minutes=10)).replace(second=37)
    d = await ding(t, guardians_of(school, send_at=at.isoformat()))
    assert d["sent_at"] is None
    assert d["send_at"].startswith(at.replace(second=0).strftime("%Y-%m-%dT%H:%M:00"))
    assert (await p1.get("/api/v1/dings/pending")).json() == []
    # Not before its time ...
    await run_due(world.app.state.runtime, clock=lambda: at - timedelta(minutes=1))
    assert (await p1.get("/api/v1/dings/pending")).json() == []
    # ... then once.
    await run_due(world.app.state.runtime, clock=lambda: at + timedelta(seconds=1))
    await run_due(world.app.state.runtime, clock=lambda: at + timedelta(minutes=1))
    assert [p["id"] for p in (await p1.get("/api/v1/dings/pending")).json()] == [d["id"]]
    sent = (await t.get(f"/api/v1/dings/{d['id']}")).json()["sent_at"]
    assert sent is not None


async def test_a_recalled_scheduled_ding_never_goes_out(
    world: World, school: dict[str, Any]
) -> None:
    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    at = datetime.now(UTC) + timedelta(minutes=10)
    d = await ding(t, guardians_of(school, send_at=at.isoformat()))
    assert (await t.post(f"/api/v1/dings/{d['id']}/recall")).status_code == 200
    await run_due(world.app.state.runtime, clock=lambda: at + timedelta(minutes=1))
    assert (await p1.get("/api/v1/dings/pending")).json() == []


async def test_a_time_in_the_past_is_refused(world: World, school: dict[str, Any]) -> None:
    t = await world.login(school["teacher"])
    past = datetime.now(UTC) - timedelta(minutes=1)
    r = await t.post(
        "/api/v1/dings",
        json=guardians_of(school, send_at=past.isoformat()),
        headers={"accept-language": "en"},
    )
    assert (r.status_code, r.json()["code"]) == (422, "ding_time_past")
    assert r.json()["errors"][0]["field"] == "send_at"
    assert "not in the future" in r.json()["title"]
    assert await rows(world, DingMessage) == 0 and await rows(world, Ding) == 0


async def test_sms_goes_to_the_outbox(world: World, school: dict[str, Any]) -> None:
    t = await world.login(school["teacher"])
    d = await ding(t, guardians_of(school, channels=["sms", "email"]))
    assert d["channels"] == ["email", "sms"]
    found = await deliveries(world, 3)
    # Guardians have phones (no email): one text message each, kept in the outbox.
    assert sorted(x.address for x in found) == ["10000000101", "10000000102", "10000000103"]
    assert {(x.channel, x.purpose, x.status) for x in found} == {("sms", "ding", "outbox")}
    assert "明天停课，请确认收到" in found[0].body and "王老师" in found[0].body
    admin = await world.login(school["admin"])
    log = (await admin.get("/api/v1/deliveries?status=outbox")).json()
    assert len(log["items"]) == 3


async def test_errors_leave_nothing_half_done(world: World, school: dict[str, Any]) -> None:
    t = await world.login(school["teacher"])
    # A unit whose chosen roles hold nobody.
    r = await t.post(
        "/api/v1/dings",
        json={
            **guardians_of(school),
            "units": [{"unit_id": school["klass"].id, "roles": ["head"]}],
        },
    )
    assert (r.status_code, r.json()["code"]) == (422, "ding_audience_empty")
    # Nobody but oneself.
    r = await t.post(
        "/api/v1/dings",
        json={**guardians_of(school), "units": [], "people": [school["teacher"].id]},
    )
    assert r.json()["code"] == "ding_audience_empty"
    # Someone the sender may not see.
    other = await world.unit("别的学校", "school")
    stranger = await world.person("陌生人", (other, "student"), username="x1")
    await world.commit()
    r = await t.post(
        "/api/v1/dings",
        json={**guardians_of(school), "people": [stranger.id]},
        headers={"accept-language": "en"},
    )
    assert (r.status_code, r.json()["code"]) == (403, "ding_people_unreachable")
    assert r.json()["title"].startswith("1 of the people chosen")
    # A unit one sees nobody in.
    r = await t.post(
        "/api/v1/dings",
        json={**guardians_of(school), "units": [{"unit_id": other.id, "roles": ["student"]}]},
    )
    assert r.json()["code"] == "ding_audience_empty"
    # A guardian may not send one.
    p1 = await world.login(school["p1"])
    r = await p1.post("/api/v1/dings", json=guardians_of(school))
    assert (r.status_code, r.json()["code"]) == (403, "ding_not_allowed")
    # Text: empty after trimming, too long.
    r = await t.post("/api/v1/dings", json={**guardians_of(school), "body": "   "})
    assert r.status_code == 422
    r = await t.post("/api/v1/dings", json={**guardians_of(school), "body": "字" * 501})
    assert r.status_code == 422
    assert await rows(world, DingMessage) == 0 and await rows(world, Ding) == 0
    assert await rows(world, Delivery) == 0


async def test_a_retry_answers_the_first_ding(world: World, school: dict[str, Any]) -> None:
    t = await world.login(school["teacher"])
    body = guardians_of(school, channels=["sms"])
    first = await ding(t, body)
    again = await ding(t, body, status=200)
    assert again["id"] == first["id"]
    assert await rows(world, DingMessage) == 1 and await rows(world, Ding) == 3
    assert len(await deliveries(world, 3)) == 3
    listed = (await t.get("/api/v1/dings")).json()
    assert [(x["id"], x["confirmed"], x["total"]) for x in listed["items"]] == [(first["id"], 0, 3)]
    tiles = (await t.get("/api/v1/workbench")).json()
    assert [x.get("count") for x in tiles["tiles"] if x["key"] == "ding.sent"] == [1]
    # Someone else's DINGs are not one's own.
    admin = await world.login(school["admin"])
    assert (await admin.get(f"/api/v1/dings/{first['id']}")).status_code == 404
    assert (await admin.post(f"/api/v1/dings/{first['id']}/recall")).status_code == 404


async def test_no_text_message_for_who_confirmed_before_it_went(
    world: World, school: dict[str, Any]
) -> None:
    """The text messages are queued by a job after the card went out: someone who confirmed in
    between gets none, and a DING recalled in between sends none."""
    t = await world.login(school["teacher"])
    p1 = await world.login(school["p1"])
    d = await ding(t, guardians_of(school, channels=["sms"]))
    await p1.post(f"/api/v1/dings/{d['id']}/confirm")
    async with world.app.state.sessionmaker() as s:
        assert await deliver(s, d["id"]) == 2
        await s.rollback()
    await t.post(f"/api/v1/dings/{d['id']}/recall")
    async with world.app.state.sessionmaker() as s:
        assert await deliver(s, d["id"]) == 0


async def test_events_applied_to_the_pending_cards_give_a_fresh_fetch(
    world: World, school: dict[str, Any], live: str
) -> None:
    """The event contract (DESIGN.md): a device that fetched its cards and then applies
    `ding.alert`, `ding.confirmed` (its own) and `ding.recalled` holds what a fresh
    `GET /dings/pending` returns."""
    t = await world.login(school["teacher"])
    phone = await world.login(school["p1"])
    laptop = await world.login(school["p1"])
    cards: dict[int, dict[str, Any]] = {
        c["id"]: c for c in (await phone.get("/api/v1/dings/pending")).json()
    }
    async with connect(live, phone) as sock:
        a = await ding(t, guardians_of(school, body="第一条"))
        b = await ding(t, guardians_of(school, body="第二条"))
        c = await ding(t, guardians_of(school, body="第三条"))
        await laptop.post(f"/api/v1/dings/{a['id']}/confirm")  # on another device
        await t.post(f"/api/v1/dings/{b['id']}/recall")
        seen = 0
        while seen < 5:  # three alerts, one confirmation, one recall
            ev = await sock.next()
            if ev["type"] == "ding.alert":
                cards[ev["ding"]["id"]] = ev["ding"]
            elif ev["type"] in ("ding.confirmed", "ding.recalled"):
                cards.pop(ev["ding_id"], None)  # confirmed: only one's own reach one's devices
            else:
                continue
            seen += 1
        await sock.nothing()
    fresh = (await phone.get("/api/v1/dings/pending")).json()
    assert list(cards.values()) == fresh
    assert [x["id"] for x in fresh] == [c["id"]]


async def test_over_the_sms_quota_is_refused_up_front(world: World, school: dict[str, Any]) -> None:
    """The school's monthly SMS quota (delivery.quotas) has room for 2 text messages: a DING
    by SMS to the 3 guardians is refused with the numbers and nothing is written; without SMS
    it goes."""
    school["school"].settings = {"sms_quota_month": 2}
    await world.commit()
    t = await world.login(school["teacher"])
    r = await t.post(
        "/api/v1/dings",
        json=guardians_of(school, channels=["sms"]),
        headers={"accept-language": "en"},
    )
    assert (r.status_code, r.json()["code"]) == (409, "ding_sms_quota")
    assert r.json()["title"].startswith("Text messages to 3 people would go over")
    assert "(2 left)" in r.json()["title"]
    assert await rows(world, DingMessage) == 0 and await rows(world, Delivery) == 0
    d = await ding(t, guardians_of(school, channels=["email"]))
    assert d["total"] == 3
    # Two guardians by name fit.
    two = [school["p1"].id, school["p2"].id]
    d = await ding(t, {**guardians_of(school, channels=["sms"]), "units": [], "people": two})
    assert len(await deliveries(world, 2)) == 2
