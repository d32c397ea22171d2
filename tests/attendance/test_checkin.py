"""Checking in and out through the API (docs/attendance.md): inside the geofence, refused
outside it with the distance, field work with a note, an allowed network without a location,
a retry counted once, today's state and the workbench tile."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bellwork.audit.models import AuditEntry
from tests.attendance.conftest import FAR, NEAR, Clock, school_with_rule
from tests.conftest import World


def _tile(body: dict[str, Any]) -> dict[str, Any]:
    return next(x for x in body["tiles"] if x["key"] == "attendance.today")


async def test_check_in_inside_the_geofence_and_refused_outside_with_the_distance(
    world: World, clock: Clock
) -> None:
    s, _ = await school_with_rule(world)
    teacher = await world.login(s["teacher"])
    clock.beijing(7, 50)
    today = (await teacher.get("/api/v1/attendance/today")).json()
    assert today["rule"]["name"] == "实验小学作息" and today["working"] is True
    assert today["status"] == "pending" and today["punches"] == []
    assert _tile((await teacher.get("/api/v1/workbench")).json())["count"] == 1

    far = {"client_id": "p-0", "lat": FAR[0], "lng": FAR[1], "accuracy": 20}
    r = await teacher.post("/api/v1/attendance/punches", json=far)
    assert r.status_code == 422, r.text
    problem = r.json()
    assert problem["code"] == "attendance_out_of_range"
    assert 1_800 < problem["errors"][0]["distance"] < 2_100
    assert problem["errors"][0]["place"] == "学校大门"
    assert "学校大门" in problem["title"] and "200" in problem["title"]
    r = await teacher.post("/api/v1/attendance/punches", json={"client_id": "p-0"})
    assert r.status_code == 422 and r.json()["code"] == "attendance_no_location"

    near = {"client_id": "p-1", "lat": NEAR[0], "lng": NEAR[1], "accuracy": 15}
    r = await teacher.post("/api/v1/attendance/punches", json=near)
    assert r.status_code == 201, r.text
    first = r.json()
    assert first["kind"] == "in" and first["source"] == "geo" and first["place"] == "学校大门"
    assert 90 < first["distance"] < 130
    # The phone lost the answer and sent it again: one punch.
    again = await teacher.post("/api/v1/attendance/punches", json=near)
    assert again.status_code == 200 and again.json()["id"] == first["id"]
    assert _tile((await teacher.get("/api/v1/workbench")).json())["count"] == 0

    clock.beijing(17, 5)
    r = await teacher.post("/api/v1/attendance/punches", json={**near, "client_id": "p-2"})
    assert r.status_code == 201 and r.json()["kind"] == "out"
    today = (await teacher.get("/api/v1/attendance/today")).json()
    assert today["status"] == "normal" and [p["kind"] for p in today["punches"]] == ["in", "out"]

    # The rule was set by the head, and audited.
    entries = (
        await world.db.execute(
            select(AuditEntry.action).where(AuditEntry.target_id == s["school"].id)
        )
    ).scalars()
    assert "attendance.rule.update" in list(entries)


async def test_late_field_work_and_the_allowed_network(world: World, clock: Clock) -> None:
    s, head = await school_with_rule(world, field_work=True, networks=["127.0.0.0/8"])
    teacher = await world.login(s["teacher"])
    clock.beijing(8, 20)
    # From the school's network: no location needed.
    r = await teacher.post("/api/v1/attendance/punches", json={"client_id": "n-1"})
    assert r.status_code == 201, r.text
    assert r.json()["source"] == "network"
    today = (await teacher.get("/api/v1/attendance/today")).json()
    assert today["status"] == "late" and today["late_minutes"] == 20

    # Another rule, without the network: far away is field work, with a note only.
    r = await head.put(
        f"/api/v1/attendance/rules/{s['school'].id}",
        json={
            "name": "外勤",
            "places": [{"name": "学校", "lat": NEAR[0], "lng": NEAR[1]}],
            "field_work": True,
        },
    )
    assert r.status_code == 200, r.text
    far = {"client_id": "f-1", "lat": FAR[0], "lng": FAR[1]}
    r = await teacher.post("/api/v1/attendance/punches", json=far)
    assert r.status_code == 422 and r.json()["code"] == "attendance_field_note"
    r = await teacher.post("/api/v1/attendance/punches", json={**far, "note": "家访 王小明"})
    assert r.status_code == 201, r.text
    assert r.json()["source"] == "field" and r.json()["note"] == "家访 王小明"


async def test_who_sets_a_rule_and_bad_rules(world: World, clock: Clock) -> None:
    s, head = await school_with_rule(world)
    teacher = await world.login(s["teacher"])
    r = await teacher.put(f"/api/v1/attendance/rules/{s['school'].id}", json={"name": "x"})
    assert r.status_code == 403 and r.json()["code"] == "attendance_not_manager"
    bad = {"name": "x", "start": "18:00", "end": "09:00", "networks": ["10.0.0.0/33"]}
    r = await head.put(f"/api/v1/attendance/rules/{s['school'].id}", json=bad)
    assert r.status_code == 422
    # The class inherits the school's rule.
    r = await head.get(f"/api/v1/attendance/rules/{s['c1'].id}")
    assert r.json()["unit_id"] == s["school"].id
    # A student's guardian has no rule of their own.
    mum = await world.login(s["mum"])
    assert (await mum.get("/api/v1/attendance/today")).json()["rule"] is None
    r = await mum.post("/api/v1/attendance/punches", json={"client_id": "x"})
    assert r.status_code == 409 and r.json()["code"] == "attendance_no_rule"
