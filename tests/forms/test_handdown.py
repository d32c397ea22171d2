"""Down the tree (docs/forms.md, "Down the tree"): a bureau hands its check-in down to every
school below in one call, each school's copy asks its own students in its own time zone and
posts its card into the class groups; guardians fill from the card; the bureau's figures sum
the schools' down to a person; a school switches its copy to its extended template and the
bureau's figures and per-question counts still add up; what would break them is refused."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from bellwork.chat.models import Message
from bellwork.forms.handdown import make_copy
from bellwork.forms.models import FormCampaign
from bellwork.jobs.models import Job
from bellwork.jobs.runner import run_due
from tests.conftest import World
from tests.forms.test_filling import DAY, GOOD, MORNING, Clock, clock

__all__ = ["clock"]

DORM = {
    "key": "dorm",
    "kind": "single",
    "label": "是否住校",
    "required": True,
    "options": [{"value": "yes", "label": "是"}, {"value": "no", "label": "否"}],
}


async def city(world: World) -> dict[str, Any]:
    bureau = await world.unit("市教育局", "bureau")
    a = await world.unit("实验小学", "school", bureau)
    ga = await world.unit("一年级", "grade", a)
    c1 = await world.unit("1班", "class", ga)
    c2 = await world.unit("2班", "class", ga)
    b = await world.unit("喀什小学", "school", bureau)
    b.settings = {"time_zone": "Asia/Urumqi"}
    gb = await world.unit("一年级", "grade", b)
    c3 = await world.unit("1班", "class", gb)
    s: dict[str, Any] = {"bureau": bureau, "a": a, "c1": c1, "c2": c2, "b": b, "c3": c3}
    s["official"] = await world.person("局长", (bureau, "head"), username="official")
    s["principal"] = await world.person("校长", (a, "head"), username="principal")
    s["teacher"] = await world.person("王老师", (c1, "teacher"), username="wang")
    s["ming"] = await world.person("王小明", (c1, "student"), username="ming")
    s["hong"] = await world.person("王小红", (c1, "student"), username="hong")
    s["gang"] = await world.person("刘小刚", (c2, "student"), username="gang")
    s["ali"] = await world.person("阿里", (c3, "student"), username="ali")
    s["mum"] = await world.guardian("王妈妈", s["ming"], c1, username="mum")
    from bellwork.org.models import GuardianLink

    world.db.add(GuardianLink(guardian_id=s["mum"].id, student_id=s["hong"].id, relation="母亲"))
    s["dad"] = await world.guardian("刘爸爸", s["gang"], c2, username="dad")
    return s


async def settle(world: World, now: datetime = MORNING) -> None:
    """Runs what is due at the test's clock: the copies' jobs, then their openings."""
    await run_due(world.app.state.runtime, clock=lambda: now)


async def hand_down(world: World, s: dict[str, Any]) -> tuple[Any, dict[str, Any], int]:
    official = await world.login(s["official"])
    template = (
        await official.post(
            "/api/v1/forms/templates",
            json={"unit_id": s["bureau"].id, "name": "全市晨检", "builtin": "student_health"},
        )
    ).json()
    body = {
        "client_id": "city-1",
        "template_id": template["id"],
        "unit_id": s["bureau"].id,
        "name": "每日健康打卡",
        "subject": "student",
        "units": [{"unit_id": s["bureau"].id, "roles": ["student"]}],
        "schedule": {"kind": "daily", "start": DAY.isoformat()},
        "reminders": ["08:00"],
        "hand_down": True,
    }
    r = await official.post("/api/v1/forms/campaigns", json=body)
    assert r.status_code == 201, r.text
    root = r.json()
    assert root["hand_down"] is True and root["copies"] == 0 and root["target_count"] == 0
    # One job per school, keyed: a retry of the call makes nothing twice.
    assert (await official.post("/api/v1/forms/campaigns", json=body)).status_code == 200
    keys = (await world.db.execute(select(Job.key).where(Job.kind == "forms.hand_down"))).scalars()
    assert sorted(keys) == sorted(f"forms.hand_down:{root['id']}:{u.id}" for u in (s["a"], s["b"]))
    await world.db.commit()
    return official, root, template["id"]


async def copy_of(world: World, root_id: int, school_id: int) -> FormCampaign:
    found = (
        await world.db.execute(
            select(FormCampaign)
            .where(FormCampaign.parent_id == root_id, FormCampaign.unit_id == school_id)
            .execution_options(populate_existing=True)
        )
    ).scalar_one()
    await world.db.commit()
    return found


async def test_a_bureau_hands_its_check_in_down_and_sees_every_school(
    world: World, clock: Clock
) -> None:
    s = await city(world)
    # The class groups exist (their teacher opened them).
    teacher = await world.login(s["teacher"])
    conv = (await teacher.get(f"/api/v1/units/{s['c1'].id}/group")).json()
    official, root, _ = await hand_down(world, s)
    await settle(world)
    a = await copy_of(world, root["id"], s["a"].id)
    b = await copy_of(world, root["id"], s["b"].id)
    assert (a.root_id, a.target_count, a.time_zone) == (root["id"], 3, "Asia/Shanghai")
    assert (b.root_id, b.target_count, b.time_zone) == (root["id"], 1, "Asia/Urumqi")
    # A job run again (a worker killed after commit, the key reused) adds nothing.
    async with world.app.state.sessionmaker() as db:
        assert await make_copy(db, root["id"], s["a"].id, MORNING) == a.id
        await db.commit()
    got = (await official.get(f"/api/v1/forms/campaigns/{root['id']}")).json()
    assert got["copies"] == 2 and got["target_count"] == 4

    # The school sees its copy among its campaigns.
    principal = await world.login(s["principal"])
    mine = (await principal.get("/api/v1/forms/campaigns", params={"unit_id": s["a"].id})).json()
    assert [(c["id"], c["parent_id"], c["root_template_id"]) for c in mine] == [
        (a.id, root["id"], root["template_id"])
    ]

    # The card in class 1's group: the campaign's name, its day and deadline.
    mum = await world.login(s["mum"])
    msgs = (await mum.get(f"/api/v1/conversations/{conv['id']}/messages")).json()["items"]
    [card] = [m for m in msgs if m["kind"] == "form"]
    assert card["body"] == "每日健康打卡" and card["sender"] is None and card["card"] is None
    assert card["form"] == {
        "campaign_id": a.id,
        "unit_id": s["c1"].id,
        "period": DAY.isoformat(),
        "deadline": "09:00",
    }
    # Opened again (the next day's job, or a reclaimed one): no second card.
    await settle(world)
    n = await world.db.scalar(
        select(func.count()).select_from(Message).where(Message.kind == "form")
    )
    await world.db.commit()
    assert n == 1  # class 2 and Kashgar's class have no group yet

    # Tapping it: the mother of two in class 1 picks a child; the teacher gets the figures.
    entry = f"/api/v1/forms/campaigns/{a.id}/entry"
    got = (await mum.get(entry, params={"unit_id": s["c1"].id})).json()
    assert [(x["name"], x["submitted"]) for x in got["subjects"]] == [
        ("王小红", False),  # in the roster's order (pinyin)
        ("王小明", False),
    ]
    assert got["stats"] is False
    got = (await teacher.get(entry, params={"unit_id": s["c1"].id})).json()
    assert got["subjects"] == [] and got["stats"] is True
    dad = await world.login(s["dad"])
    assert (await dad.get(entry, params={"unit_id": s["c1"].id})).status_code == 404

    # Filling the school's copy, from the card.
    url = f"/api/v1/forms/campaigns/{a.id}/submissions"
    body = {"client_id": "m1", "subject_id": s["ming"].id, "version": 1, "answers": GOOD}
    assert (await mum.post(url, json=body)).status_code == 201
    got = (await mum.get(entry, params={"unit_id": s["c1"].id})).json()
    assert [x["submitted"] for x in got["subjects"]] == [False, True]
    fever = {**GOOD, "temperature": 38.2}
    body = {"client_id": "g1", "subject_id": s["gang"].id, "version": 1, "answers": fever}
    assert (
        await dad.post(f"/api/v1/forms/campaigns/{a.id}/submissions", json=body)
    ).status_code == 201
    # Kashgar opens at 06:00 its time (08:00 in Beijing): after it, Ali's is taken too.
    clock.now = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # 07:00 in Urumqi, 09:00 in Beijing
    await settle(world, clock.now)
    ali = await world.login(s["ali"])
    body = {"client_id": "a1", "subject_id": s["ali"].id, "version": 1, "answers": GOOD}
    r = await ali.post(f"/api/v1/forms/campaigns/{b.id}/submissions", json=body)
    assert r.status_code == 201, r.text

    # The bureau: the city, each school, down to a class and its people.
    day = {"day": DAY.isoformat()}
    stats = f"/api/v1/forms/campaigns/{root['id']}/stats"
    top = (await official.get(stats, params=day)).json()
    assert (top["figures"]["expected"], top["figures"]["submitted"]) == (4, 3)
    assert top["figures"]["abnormal"] == 1
    assert sorted((c["name"], c["figures"]["submitted"]) for c in top["children"]) == [
        ("喀什小学", 1),
        ("实验小学", 2),
    ]
    school = (await official.get(stats, params={**day, "unit_id": s["a"].id})).json()
    assert [c["name"] for c in school["children"]] == ["一年级"]
    grade_id = school["children"][0]["unit_id"]
    grade = (await official.get(stats, params={**day, "unit_id": grade_id})).json()
    assert sorted((c["name"], c["figures"]["submitted"]) for c in grade["children"]) == [
        ("1班", 1),
        ("2班", 1),
    ]
    s["bureau"].settings = {"form_names_above_school": True}
    world.db.add(s["bureau"])
    await world.db.commit()
    people = (
        await official.get(
            f"/api/v1/forms/campaigns/{root['id']}/people", params={**day, "unit_id": s["c1"].id}
        )
    ).json()
    assert [(p["name"], p["submitted"]) for p in people] == [("王小红", False), ("王小明", True)]

    # Closing the bureau's campaign closes every school's copy.
    assert (await official.post(f"/api/v1/forms/campaigns/{root['id']}/close")).status_code == 200
    assert (await copy_of(world, root["id"], s["b"].id)).closed_at is not None


async def test_a_school_fills_its_extended_form_and_the_bureaus_figures_add_up(
    world: World, clock: Clock
) -> None:
    s = await city(world)
    official, root, base_id = await hand_down(world, s)
    await settle(world)
    a = await copy_of(world, root["id"], s["a"].id)
    principal = await world.login(s["principal"])
    base = (await principal.get(f"/api/v1/forms/templates/{base_id}")).json()
    fields = [*base["definition"]["fields"], DORM]
    ours = (
        await principal.post(
            "/api/v1/forms/templates",
            json={
                "unit_id": s["a"].id,
                "name": "实验小学晨检",
                "base_id": base_id,
                "definition": {"fields": fields, "rules": base["definition"]["rules"]},
            },
        )
    ).json()
    mum = await world.login(s["mum"])
    # Ming's mother opened the bureau's form before the school switched.
    before = (
        await mum.get(f"/api/v1/forms/campaigns/{a.id}/fill", params={"subject_id": s["ming"].id})
    ).json()
    assert before["template_id"] == base_id

    switch = f"/api/v1/forms/campaigns/{a.id}/template"
    en = {"accept-language": "en"}
    # Refused: a template not made from the bureau's; the bureau's own campaign.
    own = (
        await principal.post(
            "/api/v1/forms/templates",
            json={"unit_id": s["a"].id, "name": "自己的", "builtin": "student_health"},
        )
    ).json()
    r = await principal.put(switch, json={"template_id": own["id"]}, headers=en)
    assert r.status_code == 422 and r.json()["code"] == "form_template_not_derived"
    assert r.json()["errors"] == [{"field": "template_id"}]
    assert "Add our own questions" in r.json()["title"] + r.json().get("detail", "")
    r = await official.put(
        f"/api/v1/forms/campaigns/{root['id']}/template", json={"template_id": base_id}
    )
    assert r.status_code == 409 and r.json()["code"] == "form_not_handed_down"
    # Another school's head may not touch this copy.
    other = await world.person("另一校长", (s["b"], "head"), username="other")
    r = await (await world.login(other)).put(switch, json={"template_id": base_id})
    assert r.status_code == 404
    # The extended template: the school's people fill the longer form.
    r = await principal.put(switch, json={"template_id": ours["id"]})
    assert r.status_code == 200 and r.json()["template_id"] == ours["id"], r.text
    # Removing a bureau question from it afterwards is refused.
    r = await principal.put(
        f"/api/v1/forms/templates/{ours['id']}",
        json={"definition": {"fields": fields[1:], "rules": []}},
    )
    assert r.status_code == 422 and r.json()["code"] == "form_base_changed"

    url = f"/api/v1/forms/campaigns/{a.id}/submissions"
    stale = {
        "client_id": "m0",
        "subject_id": s["ming"].id,
        "template_id": base_id,
        "version": 1,
        "answers": GOOD,
    }
    r = await mum.post(url, json=stale)
    assert r.status_code == 409 and r.json()["code"] == "form_template_changed"
    form = (
        await mum.get(f"/api/v1/forms/campaigns/{a.id}/fill", params={"subject_id": s["ming"].id})
    ).json()
    assert form["template_id"] == ours["id"]
    assert [f["key"] for f in form["definition"]["fields"]][-1] == "dorm"
    body = {**stale, "client_id": "m1", "template_id": ours["id"], "version": form["version"]}
    r = await mum.post(url, json=body)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "answers.dorm"
    body["answers"] = {**GOOD, "dorm": "yes"}
    assert (await mum.post(url, json=body)).status_code == 201
    ali = await world.login(s["ali"])
    clock.now = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
    await settle(world, clock.now)
    b = await copy_of(world, root["id"], s["b"].id)
    body = {"client_id": "a1", "subject_id": s["ali"].id, "version": 1, "answers": GOOD}
    assert (
        await ali.post(f"/api/v1/forms/campaigns/{b.id}/submissions", json=body)
    ).status_code == 201

    # The bureau counts its own questions over both schools, not the school's addition.
    day = {"day": DAY.isoformat()}
    counted = (
        await official.get(f"/api/v1/forms/campaigns/{root['id']}/answers", params=day)
    ).json()
    by_key = {q["key"]: {a["value"]: a["count"] for a in q["counts"]} for q in counted}
    assert by_key["symptoms"] == {"none": 2} and "dorm" not in by_key
    top = (await official.get(f"/api/v1/forms/campaigns/{root['id']}/stats", params=day)).json()
    assert top["figures"]["submitted"] == 2
    # The school sees its own question too.
    counted = (await principal.get(f"/api/v1/forms/campaigns/{a.id}/answers", params=day)).json()
    by_key = {q["key"]: {a["value"]: a["count"] for a in q["counts"]} for q in counted}
    assert by_key["dorm"] == {"yes": 1} and by_key["symptoms"] == {"none": 1}
    # The switch is in the audit log.
    admin = await world.login(await world.person("管理员", username="root", is_admin=True))
    log = (await admin.get("/api/v1/audit", params={"action": "form.campaign.template"})).json()
    assert [(e["actor"]["id"], e["target_id"]) for e in log["items"]] == [(s["principal"].id, a.id)]


async def test_handing_down_needs_schools_below(world: World, clock: Clock) -> None:
    s = await city(world)
    principal = await world.login(s["principal"])
    template = (
        await principal.post(
            "/api/v1/forms/templates",
            json={"unit_id": s["a"].id, "name": "晨检", "builtin": "student_health"},
        )
    ).json()
    r = await principal.post(
        "/api/v1/forms/campaigns",
        json={
            "client_id": "x",
            "template_id": template["id"],
            "unit_id": s["a"].id,
            "name": "晨检",
            "subject": "student",
            "units": [{"unit_id": s["a"].id, "roles": ["student"]}],
            "schedule": {"kind": "daily", "start": DAY.isoformat()},
            "hand_down": True,
        },
        headers={"accept-language": "en"},
    )
    assert r.status_code == 422 and r.json()["code"] == "form_no_schools_below"
    assert r.json()["errors"] == [{"field": "hand_down"}]
