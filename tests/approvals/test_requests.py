"""Approvals through the API (docs/approvals.md): a leave request to the direct manager with
its balance, an expense claim whose amount adds the finance head, the versions a request keeps,
who may read it, the lists and their filters, the tile, and the leave attendance reads."""

from __future__ import annotations

from datetime import date
from typing import Any

from bellwork.approvals.leave import approved_leave
from tests.approvals.conftest import LEAVE, Clock, expense_flow, org, submit, template
from tests.conftest import World


async def test_a_leave_request_goes_to_the_manager_and_counts_against_the_balance(
    world: World, clock: Clock
) -> None:
    t = await org(world)
    boss = await world.login(t["boss"])
    tpl = await template(boss, t["company"].id)
    assert tpl["kind"] == "leave" and tpl["flow_version"] == 1
    # Not one of forms' own templates.
    forms = (await boss.get("/api/v1/forms/templates", params={"unit_id": t["company"].id})).json()
    assert tpl["form_template_id"] not in [f["id"] for f in forms]

    alice = await world.login(t["alice"])
    assert [x["id"] for x in (await alice.get("/api/v1/approvals/templates")).json()] == [tpl["id"]]
    page = (await alice.get(f"/api/v1/approvals/templates/{tpl['id']}/submit")).json()
    assert page["balance"] == [
        {"leave_type": "annual", "allowance": 5.0, "used": 0.0, "remaining": 5.0}
    ]
    bad = await submit(alice, tpl, {**LEAVE, "end": "2026-12-01", "reason": ""}, "a-0")
    assert bad.status_code == 422 and bad.json()["code"] == "form_answers_invalid"
    assert [e["field"] for e in bad.json()["errors"]] == ["answers.reason"]
    backwards = await submit(alice, tpl, {**LEAVE, "end": "2026-12-01"}, "a-0")
    assert backwards.status_code == 422 and backwards.json()["errors"][0]["field"] == "answers.end"

    r = await submit(alice, tpl, LEAVE, "a-1")
    assert r.status_code == 201, r.text
    req = r.json()
    assert req["status"] == "pending" and req["current_step"] == "Direct manager"
    assert [s["name"] for s in req["steps"]] == ["Direct manager"]  # 2 days: no second step
    assert sorted(p["id"] for p in req["waiting_on"]) == sorted([t["manager"].id, t["deputy"].id])
    assert [e["action"] for e in req["timeline"]] == ["submit"]
    again = await submit(alice, tpl, LEAVE, "a-1")
    assert again.status_code == 200 and again.json()["id"] == req["id"]

    # Pending leave counts against the balance already.
    over = await submit(alice, tpl, {**LEAVE, "days": 4, "end": "2026-12-11"}, "a-2")
    assert over.status_code == 422 and over.json()["code"] == "approval_leave_balance"
    assert over.json()["errors"][0]["field"] == "answers.days"

    manager = await world.login(t["manager"])
    # Each approver whose turn it is gets the request as a card in their chat with Alice.
    convs = (await manager.get("/api/v1/conversations")).json()["items"]
    direct = next(c for c in convs if c["kind"] == "direct")
    msgs = (await manager.get(f"/api/v1/conversations/{direct['id']}/messages")).json()["items"]
    card = next(m for m in msgs if m["kind"] == "approval")
    assert card["approval"] == {"request_id": req["id"], "template_name": "请假"}
    assert card["body"] == req["title"] and card["sender"]["id"] == t["alice"].id
    assert card["card"] is None
    waiting = (await manager.get("/api/v1/approvals", params={"box": "waiting"})).json()
    assert waiting["waiting"] == 1 and [i["id"] for i in waiting["items"]] == [req["id"]]
    tiles = (await manager.get("/api/v1/workbench")).json()
    tile = next(x for x in tiles["tiles"] if x["key"] == "approvals.inbox")
    assert tile["count"] == 1
    assert (
        await approved_leave(world.db, t["alice"].id, date(2026, 12, 1), date(2026, 12, 31))
    ) == []

    r = await manager.post(f"/api/v1/approvals/{req['id']}/approve", json={"comment": "好的"})
    assert r.status_code == 200, r.text
    done = r.json()
    assert done["status"] == "approved" and done["may_decide"] is False
    assert [e["action"] for e in done["timeline"]] == ["submit", "approve", "approved"]
    assert done["timeline"][1]["body"] == "好的"
    # "Any one": the deputy's task closed with the step.
    assert sorted(x["status"] for x in done["steps"][0]["tasks"]) == ["approved", "cancelled"]
    deputy = await world.login(t["deputy"])
    late = await deputy.post(f"/api/v1/approvals/{req['id']}/approve", json={})
    assert late.status_code == 409 and late.json()["code"] == "approval_step_decided"
    # Pressing again what one did: the request as it is, nothing recorded twice.
    same = await manager.post(f"/api/v1/approvals/{req['id']}/approve", json={})
    assert same.status_code == 200 and len(same.json()["timeline"]) == 3

    await world.db.rollback()
    leave = await approved_leave(world.db, t["alice"].id, date(2026, 12, 8), date(2026, 12, 20))
    assert [(x.starts_on, x.ends_on, x.leave_type) for x in leave] == [
        (date(2026, 12, 7), date(2026, 12, 8), "annual")
    ]
    assert await approved_leave(world.db, t["alice"].id, date(2026, 12, 9), date(2026, 12, 9)) == []
    page = (await alice.get(f"/api/v1/approvals/templates/{tpl['id']}/submit")).json()
    assert page["balance"][0]["remaining"] == 3.0
    assert (await manager.get("/api/v1/approvals", params={"box": "done"})).json()["items"][0][
        "id"
    ] == req["id"]
    mine = (await alice.get("/api/v1/approvals", params={"box": "mine"})).json()["items"]
    assert [(i["id"], i["status"]) for i in mine] == [(req["id"], "approved")]

    # Only its submitter, approvers and copies read it.
    for who in ("bob", "cfo"):
        other = await world.login(t[who])
        assert (await other.get(f"/api/v1/approvals/{req['id']}")).status_code == 404
        assert (
            await other.post(f"/api/v1/approvals/{req['id']}/approve", json={})
        ).status_code == 404


async def test_a_large_expense_adds_the_finance_head_and_copies(world: World, clock: Clock) -> None:
    t = await org(world)
    boss = await world.login(t["boss"])
    flow = expense_flow(t["finance"].id, mode="all")
    flow["cc"] = [{"kind": "people", "people": [t["boss"].id]}]
    tpl = await template(boss, t["company"].id, name="报销", builtin="expense", flow=flow)
    alice = await world.login(t["alice"])
    claim = {"category": "travel", "amount": 8000, "spent_on": "2026-11-30", "details": "机票"}
    req = (await submit(alice, tpl, claim, "e-1")).json()
    assert [s["name"] for s in req["steps"]] == ["直属主管", "财务负责人"]
    assert [s["status"] for s in req["steps"]] == ["pending", "waiting"]
    assert [p["id"] for p in req["cc"]] == [t["boss"].id]
    small = (await submit(alice, tpl, {**claim, "amount": 100}, "e-2")).json()
    assert [s["name"] for s in small["steps"]] == ["直属主管"]

    manager, deputy, cfo = [await world.login(t[w]) for w in ("manager", "deputy", "cfo")]
    # "All must approve": after one of two heads the step still waits for the other.
    r = (await manager.post(f"/api/v1/approvals/{req['id']}/approve", json={})).json()
    assert r["steps"][0]["status"] == "pending" and [p["id"] for p in r["waiting_on"]] == [
        t["deputy"].id
    ]
    assert (await cfo.get("/api/v1/approvals", params={"box": "waiting"})).json()["items"] == []
    r = (await deputy.post(f"/api/v1/approvals/{req['id']}/approve", json={})).json()
    assert [s["status"] for s in r["steps"]] == ["approved", "pending"]
    assert [i["id"] for i in (await cfo.get("/api/v1/approvals")).json()["items"]] == [req["id"]]
    r = (await cfo.post(f"/api/v1/approvals/{req['id']}/reject", json={"comment": "超标"})).json()
    assert r["status"] == "rejected"
    assert [e["action"] for e in r["timeline"]] == ["submit", "approve", "approve", "reject"]
    copied = (await boss.get("/api/v1/approvals", params={"box": "cc"})).json()["items"]
    assert sorted(i["id"] for i in copied) == sorted([req["id"], small["id"]])
    # Filters: state, words of the title, template.
    mine = await alice.get("/api/v1/approvals", params={"box": "mine", "status": "rejected"})
    assert [i["id"] for i in mine.json()["items"]] == [req["id"]]
    found = await alice.get("/api/v1/approvals", params={"box": "mine", "q": "报销"})
    assert len(found.json()["items"]) == 2
    none = await alice.get("/api/v1/approvals", params={"box": "mine", "q": "请假"})
    assert none.json()["items"] == []
    xlsx = await alice.get("/api/v1/approvals/export", params={"box": "mine"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(xlsx.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][1] == "Request" and {r[4] for r in rows[1:]} == {"Rejected", "Pending"}


async def test_a_changed_flow_leaves_requests_in_flight_on_their_version(
    world: World, clock: Clock
) -> None:
    t = await org(world)
    boss = await world.login(t["boss"])
    tpl = await template(
        boss, t["company"].id, builtin="expense", name="报销", flow=expense_flow(t["finance"].id)
    )
    alice = await world.login(t["alice"])
    claim = {"category": "meals", "amount": 200, "spent_on": "2026-11-30", "details": "午餐"}
    first = (await submit(alice, tpl, claim, "v-1")).json()
    changed: dict[str, Any] = {
        "steps": [
            {"name": "财务", "approvers": {"kind": "people", "people": [t["cfo"].id]}},
        ]
    }
    r = await boss.put(f"/api/v1/approvals/templates/{tpl['id']}/flow", json={"flow": changed})
    assert r.status_code == 200 and r.json()["flow_version"] == 2, r.text
    bad = {
        "steps": [
            {
                "name": "x",
                "approvers": {"kind": "manager"},
                "when": [{"field": "nope", "op": "gt", "value": 1}],
            }
        ]
    }
    r = await boss.put(f"/api/v1/approvals/templates/{tpl['id']}/flow", json={"flow": bad})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "flow.steps.0.when.0"
    second = (await submit(alice, tpl, claim, "v-2")).json()
    assert second["flow_version"] == 2 and [s["name"] for s in second["steps"]] == ["财务"]
    # The first still goes to the manager, on version 1; and is returned for changes.
    manager = await world.login(t["manager"])
    r = await manager.post(f"/api/v1/approvals/{first['id']}/return", json={"comment": "补发票"})
    assert r.json()["status"] == "returned" and r.json()["flow_version"] == 1
    mine = (await alice.get(f"/api/v1/approvals/{first['id']}")).json()
    assert mine["may_resubmit"] is True and mine["may_withdraw"] is True
    r = await alice.post(
        f"/api/v1/approvals/{first['id']}/resubmit", json={"answers": {**claim, "amount": 9000}}
    )
    again = r.json()
    assert again["status"] == "pending" and again["round"] == 2 and again["flow_version"] == 1
    assert [s["name"] for s in again["steps"]] == ["直属主管", "财务负责人"]
    r = await alice.post(f"/api/v1/approvals/{first['id']}/withdraw")
    assert r.json()["status"] == "withdrawn"
    assert [e["action"] for e in r.json()["timeline"]][-3:] == ["return", "resubmit", "withdraw"]
    gone = await manager.post(f"/api/v1/approvals/{first['id']}/approve", json={})
    assert gone.status_code == 409 and gone.json()["code"] == "approval_closed"
    assert (await manager.get("/api/v1/approvals")).json()["waiting"] == 0


async def test_transfer_add_an_approver_and_comment_with_a_file(world: World, clock: Clock) -> None:
    t = await org(world)
    boss = await world.login(t["boss"])
    flow = {
        "steps": [
            {
                "name": "审批",
                "approvers": {"kind": "people", "people": [t["manager"].id]},
                "mode": "all",
            }
        ]
    }
    tpl = await template(boss, t["company"].id, builtin="purchase", name="采购", flow=flow)
    alice = await world.login(t["alice"])
    buy = {"item": "显示器", "quantity": 2, "amount": 3000, "reason": "新人入职"}
    req = (await submit(alice, tpl, buy, "p-1")).json()
    manager = await world.login(t["manager"])
    r = await manager.post(
        f"/api/v1/approvals/{req['id']}/approvers", json={"person_id": t["cfo"].id}
    )
    assert r.status_code == 200, r.text
    dup = await manager.post(
        f"/api/v1/approvals/{req['id']}/approvers", json={"person_id": t["cfo"].id}
    )
    assert dup.status_code == 422 and dup.json()["code"] == "approval_already_approver"
    me = await manager.post(f"/api/v1/approvals/{req['id']}/transfer", json={"to": t["alice"].id})
    assert me.status_code == 422
    r = await manager.post(
        f"/api/v1/approvals/{req['id']}/transfer", json={"to": t["boss"].id, "comment": "请老板定"}
    )
    body = r.json()
    assert sorted(p["id"] for p in body["waiting_on"]) == sorted([t["boss"].id, t["cfo"].id])
    assert (
        await manager.post(f"/api/v1/approvals/{req['id']}/approve", json={})
    ).status_code == 403
    cfo = await world.login(t["cfo"])
    assert (await cfo.post(f"/api/v1/approvals/{req['id']}/approve", json={})).json()[
        "status"
    ] == "pending"

    pdf = b"%PDF-1.7 quote"
    up = await alice.post(
        f"/api/v1/approvals/{req['id']}/files",
        files={"file": ("报价单.pdf", pdf, "application/pdf")},
    )
    assert up.status_code == 201, up.text
    fid = up.json()["id"]
    empty = await alice.post(f"/api/v1/approvals/{req['id']}/comments", json={"body": " "})
    assert empty.status_code == 422
    stolen = await boss.post(
        f"/api/v1/approvals/{req['id']}/comments", json={"body": "x", "file_ids": [fid]}
    )
    assert stolen.status_code == 422 and stolen.json()["errors"][0]["field"] == "file_ids.0"
    r = await alice.post(
        f"/api/v1/approvals/{req['id']}/comments", json={"body": "报价单见附件", "file_ids": [fid]}
    )
    assert r.status_code == 201, r.text
    note = r.json()["timeline"][-1]
    assert note["action"] == "comment" and note["files"][0]["name"] == "报价单.pdf"
    got = await boss.get(note["files"][0]["url"])
    assert got.status_code == 200 and got.content == pdf
    bob = await world.login(t["bob"])
    assert (await bob.get(note["files"][0]["url"])).status_code == 404
    r = (await boss.post(f"/api/v1/approvals/{req['id']}/approve", json={})).json()
    assert r["status"] == "approved"
    actions = [(e["action"], (e["target"] or {}).get("id")) for e in r["timeline"]]
    assert ("add_approver", t["cfo"].id) in actions and ("transfer", t["boss"].id) in actions
    assert [x["status"] for x in r["steps"][0]["tasks"]] == ["transferred", "approved", "approved"]
    done = (await manager.get("/api/v1/approvals", params={"box": "done"})).json()["items"]
    assert [i["id"] for i in done] == [req["id"]]


async def test_a_guardian_files_a_student_leave_and_the_class_teacher_approves(
    world: World, clock: Clock
) -> None:
    t = await org(world)
    principal = await world.login(t["principal"])
    tpl = await template(principal, t["school"].id, builtin="student_leave", name="学生请假")
    mum = await world.login(t["mum"])
    mine = (await mum.get("/api/v1/approvals/templates")).json()
    assert [x["id"] for x in mine] == [tpl["id"]]
    page = (await mum.get(f"/api/v1/approvals/templates/{tpl['id']}/submit")).json()
    assert page["subjects"] == [{"id": t["kid"].id, "name": "小明", "avatar_url": None}] or [
        s["id"] for s in page["subjects"]
    ] == [t["kid"].id]
    answers = {
        "leave_type": "sick",
        "start": "2026-12-02",
        "end": "2026-12-02",
        "days": 1,
        "reason": "发烧",
    }
    wrong = await submit(mum, tpl, answers, "s-0", subject_id=t["alice"].id)
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "subject_id"
    req = (await submit(mum, tpl, answers, "s-1")).json()
    assert req["subject"]["id"] == t["kid"].id and req["title"].startswith("小明")
    assert [p["id"] for p in req["waiting_on"]] == [t["teacher"].id]
    math = await world.login(t["math"])
    assert (await math.get(f"/api/v1/approvals/{req['id']}")).status_code == 404
    teacher = await world.login(t["teacher"])
    r = await teacher.post(f"/api/v1/approvals/{req['id']}/approve", json={})
    assert r.json()["status"] == "approved"
    await world.db.rollback()
    days = await approved_leave(world.db, t["kid"].id, date(2026, 12, 1), date(2026, 12, 5))
    assert [x.request_id for x in days] == [req["id"]]
    # Students and staff elsewhere do not file it.
    alice = await world.login(t["alice"])
    assert tpl["id"] not in [
        x["id"] for x in (await alice.get("/api/v1/approvals/templates")).json()
    ]
