"""The health pass through the API: its colour from the latest health check-in (a guardian
fills the child's), the gate's scan recording an attendance entry, and forged, expired and
malformed codes refused with the refusal in the audit log."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from bellwork.attendance.health import colour_of
from bellwork.audit.models import AuditEntry
from tests.attendance.conftest import Clock, school_with_rule
from tests.conftest import World
from tests.forms.test_filling import GOOD, open_today, run_campaign
from tests.org.test_photos import picture, upload


async def test_a_guard_scans_a_students_pass_filled_by_a_guardian(
    world: World, clock: Clock
) -> None:
    s, head = await school_with_rule(world, kind="school", start="07:50", end="16:30")
    _, campaign = await run_campaign(world, s)
    await open_today(world, campaign["id"])
    mum = await world.login(s["mum"])
    ming = s["ming"].id

    subjects = (await mum.get("/api/v1/attendance/pass/subjects")).json()
    assert [x["name"] for x in subjects] == ["王小明妈妈", "王小明"]
    # Not filled yet today: yellow.
    p = (await mum.get("/api/v1/attendance/pass", params={"subject_id": ming})).json()
    assert (p["name"], p["colour"], p["reason"]) == ("王小明", "yellow", "missing")

    body = {"client_id": "m-1", "subject_id": ming, "version": 1, "answers": GOOD}
    url = f"/api/v1/forms/campaigns/{campaign['id']}/submissions"
    assert (await mum.post(url, json=body)).status_code == 201
    p = (await mum.get("/api/v1/attendance/pass", params={"subject_id": ming})).json()
    assert p["colour"] == "green" and p["checked_on"] == "2026-12-01"
    assert p["code"].startswith(f"BW1-{ming}-") and p["refresh_seconds"] <= 30

    clock.now += timedelta(seconds=20)  # 07:00:20: on time
    guard = await world.login(s["guard"])
    r = await guard.post("/api/v1/attendance/gate", json={"code": p["code"]})
    assert r.status_code == 200, r.text
    seen = r.json()
    assert (seen["name"], seen["colour"], seen["unit_name"]) == ("王小明", "green", "1班")
    # No photo yet: the gate shows the name's first letter in its place, as every avatar of
    # the web client does.
    assert seen["initials"] == "王" and seen["photo_url"] is None
    assert seen["punch"]["source"] == "gate" and seen["punch"]["kind"] == "in"
    # Scanned twice (the camera saw it again): one entry.
    again = (await guard.post("/api/v1/attendance/gate", json={"code": p["code"]})).json()
    assert again["punch"]["id"] == seen["punch"]["id"]
    # A code typed by hand, in lower case, is the same code.
    typed = await guard.post("/api/v1/attendance/gate", json={"code": p["code"].lower()})
    assert typed.json()["punch"]["id"] == seen["punch"]["id"]

    # The head gives him a photo: the next scan shows it, for this guard, who scans him at the
    # school's gate though the directory does not show him a class's students.
    r = await upload(head, ming, picture())
    assert r.status_code == 200, r.text
    assert (await guard.get(r.json()["photo_url"])).status_code == 404
    seen = (await guard.post("/api/v1/attendance/gate", json={"code": p["code"]})).json()
    photo = seen["photo_url"]
    assert photo.startswith(f"/api/v1/attendance/gate/photo/{ming}/")
    got = await guard.get(photo)
    assert got.status_code == 200 and got.headers["content-type"] == "image/jpeg"
    assert "immutable" in got.headers["cache-control"]
    # Another school's guard, and anyone who is no guard, get nothing.
    assert (await (await world.login(s["other_guard"])).get(photo)).status_code == 404
    assert (await (await world.login(s["hong"])).get(photo)).status_code == 404

    # The student's day: arrived at the gate, on time.
    head_view = await head.get(
        f"/api/v1/attendance/units/{s['c1'].id}/month", params={"month": "2026-12"}
    )
    assert head_view.status_code == 200, head_view.text
    row = next(x for x in head_view.json()["people"] if x["id"] == ming)
    assert (row["expected"], row["present"], row["late"]) == (1, 1, 0)

    # A fever later that morning: red at the next scan.
    fever = {**body, "client_id": "m-2", "answers": {**GOOD, "temperature": "38.2"}}
    assert (await mum.post(url, json=fever)).status_code == 201
    p2 = (await mum.get("/api/v1/attendance/pass", params={"subject_id": ming})).json()
    r = await guard.post("/api/v1/attendance/gate", json={"code": p2["code"]})
    assert (r.json()["colour"], r.json()["reason"]) == ("red", "abnormal")

    # Someone with no check-in at all: yellow.
    hong = await world.login(s["hong"])
    p3 = (await hong.get("/api/v1/attendance/pass")).json()
    assert (p3["name"], p3["colour"], p3["reason"]) == ("李小红", "yellow", "missing")


async def test_forged_expired_and_foreign_codes_are_refused_and_logged(
    world: World, clock: Clock
) -> None:
    s, _ = await school_with_rule(world)
    mum = await world.login(s["mum"])
    guard = await world.login(s["guard"])
    code = (await mum.get("/api/v1/attendance/pass", params={"subject_id": s["ming"].id})).json()[
        "code"
    ]
    # Someone else's child: as if it did not exist.
    dad = await world.login(s["stranger"])
    r = await dad.get("/api/v1/attendance/pass", params={"subject_id": s["ming"].id})
    assert r.status_code == 404

    prefix, sig = code.rsplit("-", 1)
    forged = f"{prefix}-{'A' if sig[0] != 'A' else 'B'}{sig[1:]}"
    r = await guard.post("/api/v1/attendance/gate", json={"code": forged})
    assert r.status_code == 422 and r.json()["code"] == "pass_forged"
    # Another child's id with this signature: forged too.
    other = code.replace(f"BW1-{s['ming'].id}-", f"BW1-{s['hong'].id}-")
    assert (await guard.post("/api/v1/attendance/gate", json={"code": other})).json()[
        "code"
    ] == "pass_forged"
    r = await guard.post("/api/v1/attendance/gate", json={"code": "https://example.com/x"})
    assert r.status_code == 422 and r.json()["code"] == "pass_malformed"

    # A screenshot, shown 2 minutes later.
    clock.now += timedelta(minutes=2)
    r = await guard.post("/api/v1/attendance/gate", json={"code": code})
    assert r.status_code == 422 and r.json()["code"] == "pass_expired"
    assert "screenshot" in r.json()["title"] or "截图" in r.json()["title"]

    # Another school's guard, with a fresh code: not theirs to scan.
    fresh = (await mum.get("/api/v1/attendance/pass", params={"subject_id": s["ming"].id})).json()
    guard2 = await world.login(s["other_guard"])
    r = await guard2.post("/api/v1/attendance/gate", json={"code": fresh["code"]})
    assert r.status_code == 403 and r.json()["code"] == "attendance_gate_outside"
    # A student is no guard.
    ming = await world.login(s["ming"])
    r = await ming.post("/api/v1/attendance/gate", json={"code": fresh["code"]})
    assert r.status_code == 403 and r.json()["code"] == "attendance_not_guard"

    refusals = (
        await world.db.execute(
            select(AuditEntry.actor_id, AuditEntry.target_id, AuditEntry.after)
            .where(AuditEntry.action == "attendance.pass.refused")
            .order_by(AuditEntry.id)
        )
    ).all()
    assert [(a, r["reason"]) for a, _, r in refusals] == [
        (s["guard"].id, "pass_forged"),
        (s["guard"].id, "pass_forged"),
        (s["guard"].id, "pass_malformed"),
        (s["guard"].id, "pass_expired"),
        (s["other_guard"].id, "attendance_gate_outside"),
    ]
    assert refusals[0][1] == s["ming"].id


def test_the_colour_of_a_latest_check_in() -> None:
    day = date(2026, 12, 1)
    assert colour_of(None, day) == ("yellow", "missing")
    assert colour_of((day, False), day) == ("green", "normal")
    assert colour_of((day - timedelta(days=1), False), day) == ("green", "normal")
    assert colour_of((day - timedelta(days=2), False), day) == ("yellow", "stale")
    assert colour_of((day - timedelta(days=3), True), day) == ("red", "abnormal")


async def test_a_refusal_before_any_pass_was_shown_is_logged_too(
    world: World, clock: Clock
) -> None:
    """The installation's first scan is a bad code: the request makes the signing key, and the
    refusal is written although that request still holds SQLite's write lock."""
    s, _ = await school_with_rule(world)
    guard = await world.login(s["guard"])
    code = f"BW1-{s['ming'].id}-{int(clock.now.timestamp()) + 20}-{'A' * 16}"
    r = await guard.post("/api/v1/attendance/gate", json={"code": code})
    assert r.status_code == 422 and r.json()["code"] == "pass_forged"
    logged = (
        await world.db.execute(
            select(AuditEntry.actor_id).where(AuditEntry.action == "attendance.pass.refused")
        )
    ).all()
    assert logged == [(s["guard"].id,)]
