"""FlowStep actions are idempotent and race-safe (issue 14, "Speed and faults"): two approvers of
an "any one" step pressing at once end with one decision, recorded once — on SQLite (one
writer) and on PostgreSQL (two connections, the request's row lock puts them in a line). Also
delegation while on leave, and the overdue DING."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import func, select

from bellwork.approvals.models import ApprovalEvent
from bellwork.approvals.overdue import sweep
from bellwork.ding.models import Ding
from tests.approvals.conftest import LEAVE, Clock, org, submit, template
from tests.conftest import World


async def test_two_approvers_pressing_at_once_make_one_decision(world: World, clock: Clock) -> None:
    t = await org(world)
    boss = await world.login(t["boss"])
    tpl = await template(boss, t["company"].id)
    alice = await world.login(t["alice"])
    manager = await world.login(t["manager"])
    deputy = await world.login(t["deputy"])
    for n in range(6):
        days = {
            **LEAVE,
            "leave_type": "personal",
            "start": "2026-12-07",
            "end": "2026-12-07",
            "days": 1,
        }
        req = (await submit(alice, tpl, days, f"race-{n}")).json()
        second = "reject" if n % 2 else "approve"
        a, b = await asyncio.gather(
            manager.post(f"/api/v1/approvals/{req['id']}/approve", json={}),
            deputy.post(f"/api/v1/approvals/{req['id']}/{second}", json={}),
        )
        codes = sorted([a.status_code, b.status_code])
        assert codes == [200, 409], (a.text, b.text)
        loser = a if a.status_code == 409 else b
        assert loser.json()["code"] == "approval_step_decided"
        final = (await alice.get(f"/api/v1/approvals/{req['id']}")).json()
        decisions = [e for e in final["timeline"] if e["action"] in ("approve", "reject")]
        assert len(decisions) == 1
        winner = decisions[0]["actor"]["id"]
        assert final["status"] == (
            "approved" if decisions[0]["action"] == "approve" else "rejected"
        )
        tasks = {x["approver"]["id"]: x["status"] for x in final["steps"][0]["tasks"]}
        assert sorted(tasks.values()) == sorted([tasks[winner], "cancelled"])
    # The same approver pressing twice at once: one entry, both answered with it.
    req = (await submit(alice, tpl, {**LEAVE, "days": 1, "end": "2026-12-07"}, "twice")).json()
    a, b = await asyncio.gather(
        manager.post(f"/api/v1/approvals/{req['id']}/approve", json={}),
        manager.post(f"/api/v1/approvals/{req['id']}/approve", json={}),
    )
    assert (a.status_code, b.status_code) == (200, 200)
    assert a.json()["status"] == b.json()["status"] == "approved"
    await world.db.rollback()
    approvals = (
        await world.db.execute(
            select(func.count())
            .select_from(ApprovalEvent)
            .where(ApprovalEvent.request_id == req["id"], ApprovalEvent.action == "approve")
        )
    ).scalar_one()
    assert approvals == 1


async def test_a_delegate_approves_while_the_manager_is_on_leave(
    world: World, clock: Clock
) -> None:
    t = await org(world)
    boss = await world.login(t["boss"])
    flow = {
        "steps": [{"name": "主管", "approvers": {"kind": "people", "people": [t["manager"].id]}}]
    }
    tpl = await template(boss, t["company"].id, builtin="purchase", name="采购", flow=flow)
    manager = await world.login(t["manager"])
    bad = await manager.post(
        "/api/v1/approvals/delegations",
        json={"delegate_id": t["bob"].id, "starts_on": "2026-12-03", "ends_on": "2026-12-01"},
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "ends_on"
    r = await manager.post(
        "/api/v1/approvals/delegations",
        json={"delegate_id": t["deputy"].id, "starts_on": "2026-11-30", "ends_on": "2026-12-02"},
    )
    assert r.status_code == 201, r.text
    listed = (await manager.get("/api/v1/approvals/delegations")).json()
    assert [d["delegate"]["id"] for d in listed] == [t["deputy"].id]
    alice = await world.login(t["alice"])
    buy = {"item": "椅子", "quantity": 1, "amount": 500, "reason": "坏了"}
    req = (await submit(alice, tpl, buy, "d-1")).json()
    task = req["steps"][0]["tasks"][0]
    assert (
        task["approver"]["id"] == t["deputy"].id and task["on_behalf_of"]["id"] == t["manager"].id
    )
    # The manager still reads it (it was theirs) but the delegate decides.
    assert (await manager.get(f"/api/v1/approvals/{req['id']}")).status_code == 200
    deputy = await world.login(t["deputy"])
    assert (await deputy.post(f"/api/v1/approvals/{req['id']}/approve", json={})).json()[
        "status"
    ] == "approved"
    await manager.delete(f"/api/v1/approvals/delegations/{listed[0]['id']}")
    assert (await manager.get("/api/v1/approvals/delegations")).json() == []
    after = (await submit(alice, tpl, buy, "d-2")).json()
    assert after["steps"][0]["tasks"][0]["approver"]["id"] == t["manager"].id


async def test_an_overdue_step_dings_its_approver_once(world: World, clock: Clock) -> None:
    t = await org(world)
    boss = await world.login(t["boss"])
    flow = {
        "steps": [{"name": "主管", "approvers": {"kind": "people", "people": [t["manager"].id]}}],
        "overdue_hours": 4,
    }
    tpl = await template(boss, t["company"].id, builtin="purchase", name="采购", flow=flow)
    alice = await world.login(t["alice"])
    buy = {"item": "椅子", "quantity": 1, "amount": 500, "reason": "坏了"}
    req = (await submit(alice, tpl, buy, "o-1")).json()
    await world.db.rollback()
    assert await sweep(world.db, clock.now + timedelta(hours=3)) == 0
    assert await sweep(world.db, clock.now + timedelta(hours=5)) == 1
    assert await sweep(world.db, clock.now + timedelta(hours=6)) == 0
    await world.db.commit()
    dings = (
        await world.db.execute(
            select(Ding.recipient_id).where(Ding.recipient_id == t["manager"].id)
        )
    ).all()
    assert len(dings) == 1
    shown = (await alice.get(f"/api/v1/approvals/{req['id']}")).json()
    assert shown["timeline"][-1]["action"] == "overdue"
    assert shown["timeline"][-1]["target"]["id"] == t["manager"].id
