"""Statistics up the tree: a school's campaign over two classes seen by the school (classes,
lagging first), by a class teacher (their class, with names), by a bureau head (counts, no
names unless the organisation allows), with distributions and a trend."""

from __future__ import annotations

from typing import Any

from bellwork.forms.models import FormCampaign
from tests.conftest import World
from tests.forms.test_filling import DAY, GOOD, Clock, clock, open_today

__all__ = ["clock"]


async def city(world: World) -> dict[str, Any]:
    bureau = await world.unit("区教育局", "bureau")
    school = await world.unit("实验小学", "school", bureau)
    grade = await world.unit("一年级", "grade", school)
    c1 = await world.unit("1班", "class", grade)
    c2 = await world.unit("2班", "class", grade)
    s: dict[str, Any] = {"bureau": bureau, "school": school, "grade": grade, "c1": c1, "c2": c2}
    s["official"] = await world.person("区长", (bureau, "head"), username="official")
    s["principal"] = await world.person("校长", (school, "head"), username="principal")
    s["teacher2"] = await world.person("李老师", (c2, "teacher"), username="li")
    s["kids1"] = [
        await world.person(f"一班{i}", (c1, "student"), username=f"a{i}") for i in range(3)
    ]
    s["kids2"] = [
        await world.person(f"二班{i}", (c2, "student"), username=f"b{i}") for i in range(2)
    ]
    return s


async def test_a_schools_morning_from_every_level(world: World, clock: Clock) -> None:
    s = await city(world)
    principal = await world.login(s["principal"])
    template = (
        await principal.post(
            "/api/v1/forms/templates",
            json={"unit_id": s["school"].id, "name": "晨检", "builtin": "student_health"},
        )
    ).json()
    r = await principal.post(
        "/api/v1/forms/campaigns",
        json={
            "client_id": "s-1",
            "template_id": template["id"],
            "unit_id": s["school"].id,
            "name": "全校晨检",
            "subject": "student",
            "units": [{"unit_id": s["school"].id, "roles": ["student"]}],
            "schedule": {"kind": "daily", "start": DAY.isoformat()},
        },
    )
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    await open_today(world, cid)
    url = f"/api/v1/forms/campaigns/{cid}/submissions"
    # Class 1: two of three, one with a fever; class 2: both.
    for kid, answers in (
        (s["kids1"][0], GOOD),
        (s["kids1"][1], {**GOOD, "temperature": 37.8}),
        (s["kids2"][0], GOOD),
        (s["kids2"][1], {**GOOD, "symptoms": ["cough"]}),
    ):
        c = await world.login(kid)
        body = {"client_id": "x", "subject_id": kid.id, "version": 1, "answers": answers}
        assert (await c.post(url, json=body)).status_code == 201

    stats = (
        await principal.get(f"/api/v1/forms/campaigns/{cid}/stats", params={"day": DAY.isoformat()})
    ).json()
    assert stats["unit_name"] == "区教育局 / 实验小学" and stats["names_visible"] is True
    assert stats["figures"] == {
        "expected": 5,
        "submitted": 4,
        "missing": 1,
        "late": 0,
        "abnormal": 2,
        "rate": 0.8,
    }
    assert [(c["name"], c["figures"]["submitted"]) for c in stats["children"]] == [("一年级", 4)]
    grade = (
        await principal.get(
            f"/api/v1/forms/campaigns/{cid}/stats",
            params={"day": DAY.isoformat(), "unit_id": s["grade"].id},
        )
    ).json()
    # Lagging first: class 1 (2 of 3) before class 2 (2 of 2).
    assert [(c["name"], c["figures"]["rate"]) for c in grade["children"]] == [
        ("1班", 0.6667),
        ("2班", 1.0),
    ]
    answers = (
        await principal.get(
            f"/api/v1/forms/campaigns/{cid}/answers", params={"day": DAY.isoformat()}
        )
    ).json()
    by_key = {q["key"]: {a["value"]: a["count"] for a in q["counts"]} for q in answers}
    assert by_key["symptoms"] == {"none": 3, "cough": 1}
    assert by_key["temperature"] == {"36.6": 3, "37.8": 1}
    trend = (
        await principal.get(
            f"/api/v1/forms/campaigns/{cid}/trend",
            params={"start": "2026-11-30", "end": "2026-12-06"},
        )
    ).json()
    assert [(d["period"], d["figures"]["submitted"]) for d in trend] == [("2026-12-01", 4)]

    # Class 2's teacher: their class only, with names; not class 1, not the school.
    li = await world.login(s["teacher2"])
    params = {"day": DAY.isoformat(), "unit_id": s["c2"].id}
    people = (await li.get(f"/api/v1/forms/campaigns/{cid}/people", params=params)).json()
    assert [(p["name"], p["abnormal"], p["reasons"]) for p in people] == [
        ("二班1", True, ["Has symptoms"]),
        ("二班0", False, []),
    ]
    other = {"day": DAY.isoformat(), "unit_id": s["c1"].id}
    assert (await li.get(f"/api/v1/forms/campaigns/{cid}/stats", params=other)).status_code == 404
    mine = {"day": DAY.isoformat()}
    assert (await li.get(f"/api/v1/forms/campaigns/{cid}/stats", params=mine)).status_code == 404

    # The bureau head: the school's counts, but no names unless the bureau allows it.
    official = await world.login(s["official"])
    r = await official.get(f"/api/v1/forms/campaigns/{cid}/stats", params=mine)
    assert r.status_code == 200 and r.json()["names_visible"] is False
    r = await official.get(
        f"/api/v1/forms/campaigns/{cid}/people", params=mine, headers={"accept-language": "en"}
    )
    assert r.status_code == 403 and r.json()["code"] == "form_names_hidden"
    s["bureau"].settings = {"form_names_above_school": True}
    world.db.add(s["bureau"])
    await world.db.commit()
    r = await official.get(f"/api/v1/forms/campaigns/{cid}/people", params=mine)
    assert r.status_code == 200 and r.json()[0]["name"] == "一班2"  # missing first
    # Every look at names is in the audit log.
    admin = await world.login(await world.person("管理员", username="root", is_admin=True))
    log = (await admin.get("/api/v1/audit", params={"action": "form.people.view"})).json()
    assert [(e["actor"]["id"], e["target_id"]) for e in log["items"]] == [
        (s["official"].id, cid),
        (s["teacher2"].id, cid),
    ]
    campaign = await world.db.get(FormCampaign, cid)
    assert campaign is not None and campaign.root_id == cid
    await world.db.commit()
