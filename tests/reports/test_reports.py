"""Work reports through the API (docs/reports.md): a template from the built-in daily progress
report, writing it (every invalid answer named), who may read it, the card in chat, comments
with "read by", the versions, the inbox badge and the workbench tile."""

from __future__ import annotations

from typing import Any

from tests.conftest import World
from tests.reports.conftest import GOOD, Clock, daily_template, team


async def _write(c: Any, template_id: int, version: int = 1, **extra: Any) -> Any:
    return await c.post(
        "/api/v1/reports",
        json={
            "client_id": extra.pop("client_id", "r-1"),
            "template_id": template_id,
            "version": version,
            "answers": extra.pop("answers", GOOD),
            **extra,
        },
    )


async def test_a_daily_report_goes_to_the_manager_and_only_its_readers_see_it(
    world: World, clock: Clock
) -> None:
    t = await team(world)
    manager = await world.login(t["manager"])
    template = await daily_template(manager, t["sales"].id)
    assert template["period"] == "daily" and template["version"] == 1
    # A report template is not one of forms' own templates.
    forms = (await manager.get("/api/v1/forms/templates", params={"unit_id": t["sales"].id})).json()
    assert template["form_template_id"] not in [f["id"] for f in forms]

    alice = await world.login(t["alice"])
    mine = (await alice.get("/api/v1/reports/templates")).json()
    assert [x["id"] for x in mine] == [template["id"]]
    page = (await alice.get(f"/api/v1/reports/templates/{template['id']}/write")).json()
    assert [p["id"] for p in page["to"]] == [t["manager"].id]
    assert page["period"] == "2026-12-01" and page["late"] is False and page["report_id"] is None

    # Every invalid answer at once, each under its question.
    r = await _write(
        alice, template["id"], answers={"plan_tomorrow": "x", "customers": -2, "problems": ""}
    )
    assert r.status_code == 422, r.text
    problem = r.json()
    assert problem["code"] == "form_answers_invalid"
    fields = {e["field"]: e["type"] for e in problem["errors"]}
    assert fields["answers.done_today"] == "form_required"
    assert "answers.customers" in fields and "answers.problems" not in fields

    r = await _write(alice, template["id"], cc=[t["boss"].id])
    assert r.status_code == 201, r.text
    report = r.json()
    assert report["answers"]["customers"] == 3 and report["late"] is False
    assert [x["id"] for x in report["to"]] == [t["manager"].id]
    assert [x["id"] for x in report["cc"]] == [t["boss"].id]
    again = await _write(alice, template["id"])  # the same client_id: a retry
    assert again.status_code == 200 and again.json()["id"] == report["id"]
    twice = await _write(alice, template["id"], client_id="r-2")
    assert twice.status_code == 409 and twice.json()["code"] == "report_exists"

    # The manager's inbox, its badge, and the card in their direct chat with Alice.
    box = (await manager.get("/api/v1/reports")).json()
    assert box["unread"] == 1 and [i["id"] for i in box["items"]] == [report["id"]]
    assert box["items"][0]["unread"] is True and box["items"][0]["author"]["name"] == "李丽"
    convs = (await manager.get("/api/v1/conversations")).json()["items"]
    direct = next(c for c in convs if c["kind"] == "direct")
    msgs = (await manager.get(f"/api/v1/conversations/{direct['id']}/messages")).json()["items"]
    card = next(m for m in msgs if m["kind"] == "report")
    assert card["report"]["report_id"] == report["id"] and card["body"] == "销售部日报"
    assert card["card"] is None and card["sender"]["id"] == t["alice"].id

    # Author, recipients and copies read it; anyone else: 404, as for nothing there.
    for who in ("bob", "dev"):
        other = await world.login(t[who])
        assert (await other.get(f"/api/v1/reports/{report['id']}")).status_code == 404
        assert (await other.get(f"/api/v1/reports/{report['id']}/comments")).status_code == 404
    boss = await world.login(t["boss"])
    assert (await boss.get(f"/api/v1/reports/{report['id']}")).json()["role"] == "cc"
    opened = (await manager.get(f"/api/v1/reports/{report['id']}")).json()
    assert opened["role"] == "to"
    assert (await manager.get("/api/v1/reports")).json()["unread"] == 0
    sent = (await alice.get("/api/v1/reports", params={"box": "sent"})).json()
    assert [i["id"] for i in sent["items"]] == [report["id"]]
    seen = (await alice.get(f"/api/v1/reports/{report['id']}")).json()
    assert all(x["read_at"] for x in seen["to"])


async def test_comments_show_their_author_who_read_them(world: World, clock: Clock) -> None:
    t = await team(world)
    manager = await world.login(t["manager"])
    template = await daily_template(manager, t["sales"].id)
    alice = await world.login(t["alice"])
    report = (await _write(alice, template["id"], cc=[t["boss"].id])).json()
    rid = report["id"]
    r = await manager.post(f"/api/v1/reports/{rid}/comments", json={"body": "很好，继续"})
    assert r.status_code == 201, r.text
    assert r.json()["seq"] == 1 and r.json()["read_by"] == []
    empty = await manager.post(f"/api/v1/reports/{rid}/comments", json={"body": "  "})
    assert empty.status_code == 422
    # Nobody else has read it yet.
    assert (await manager.get(f"/api/v1/reports/{rid}/comments")).json()[0]["read_by"] == []
    listed = (await alice.get("/api/v1/reports", params={"box": "sent"})).json()["items"][0]
    assert listed["unread_comments"] == 1
    thread = (await alice.get(f"/api/v1/reports/{rid}/comments")).json()
    assert thread[0]["body"] == "很好，继续" and thread[0]["read_by"] is None  # not hers
    mine = (await manager.get(f"/api/v1/reports/{rid}/comments")).json()
    assert [p["id"] for p in mine[0]["read_by"]] == [t["alice"].id]
    reply = (await alice.post(f"/api/v1/reports/{rid}/comments", json={"body": "好的"})).json()
    assert reply["seq"] == 2
    boss = await world.login(t["boss"])
    await boss.get(f"/api/v1/reports/{rid}/comments")
    mine = (await manager.get(f"/api/v1/reports/{rid}/comments")).json()
    assert sorted(p["id"] for p in mine[0]["read_by"]) == sorted([t["alice"].id, t["boss"].id])
    hers = (await alice.get(f"/api/v1/reports/{rid}/comments")).json()
    assert sorted(p["id"] for p in hers[1]["read_by"]) == sorted([t["manager"].id, t["boss"].id])


async def test_a_report_keeps_the_version_it_was_written_on(world: World, clock: Clock) -> None:
    t = await team(world)
    manager = await world.login(t["manager"])
    template = await daily_template(manager, t["sales"].id)
    alice = await world.login(t["alice"])
    first = (await _write(alice, template["id"])).json()
    definition = template["definition"]
    definition["fields"].append({"key": "mood", "kind": "rating", "label": "心情", "max": 5})
    r = await manager.put(
        f"/api/v1/forms/templates/{template['form_template_id']}", json={"definition": definition}
    )
    assert r.status_code == 200 and r.json()["version"] == 2, r.text
    assert (await alice.get(f"/api/v1/reports/{first['id']}")).json()["version"] == 1
    bob = await world.login(t["bob"])
    page = (await bob.get(f"/api/v1/reports/templates/{template['id']}/write")).json()
    assert page["version"] == 2
    # Bob opened it before the change elsewhere: the old version is still written on.
    r = await _write(bob, template["id"], version=1, client_id="b-1")
    assert r.status_code == 201 and r.json()["version"] == 1
    bad = await _write(bob, template["id"], version=9, client_id="b-2")
    assert bad.status_code == 422


async def test_the_tile_counts_unread_reports_and_ones_own_due_today(
    world: World, clock: Clock
) -> None:
    t = await team(world)
    manager = await world.login(t["manager"])
    template = await daily_template(manager, t["sales"].id)
    alice = await world.login(t["alice"])

    def tile(body: dict[str, Any]) -> dict[str, Any]:
        return next(x for x in body["tiles"] if x["key"] == "reports.inbox")

    assert tile((await alice.get("/api/v1/workbench")).json())["count"] == 1  # hers, due today
    assert tile((await manager.get("/api/v1/workbench")).json())["count"] == 0
    await _write(alice, template["id"])
    assert tile((await alice.get("/api/v1/workbench")).json())["count"] == 0
    assert tile((await manager.get("/api/v1/workbench")).json())["count"] == 1
    received = (await manager.get("/api/v1/reports")).json()["items"][0]
    await manager.get(f"/api/v1/reports/{received['id']}")
    assert tile((await manager.get("/api/v1/workbench")).json())["count"] == 0


async def test_students_have_no_reports_tile(world: World) -> None:
    school = await world.unit("实验小学")
    klass = await world.unit("一年级1班", "class", school)
    student = await world.person("王小明", (klass, "student"), username="ming")
    teacher = await world.person("王老师", (klass, "teacher"), username="wang")
    for who, shown in ((student, False), (teacher, True)):
        body = (await (await world.login(who)).get("/api/v1/workbench")).json()
        assert ("reports.inbox" in [x["key"] for x in body["tiles"]]) is shown
