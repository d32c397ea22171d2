"""Form templates through the API: built-ins, who designs, a bureau's template extended by a
school without touching its questions, and versions kept for what has been filled."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from bellwork.forms.models import FormVersion
from tests.conftest import World

OWN = {
    "fields": [
        {
            "key": "present",
            "kind": "single",
            "label": "今天到校",
            "required": True,
            "options": [{"value": "yes", "label": "是"}, {"value": "no", "label": "否"}],
        },
    ]
}


async def tree(world: World) -> dict[str, Any]:
    bureau = await world.unit("市教育局", "bureau")
    school = await world.unit("实验小学", "school", bureau)
    grade = await world.unit("一年级", "grade", school)
    klass = await world.unit("1班", "class", grade)
    other = await world.unit("二小", "school", bureau)
    return {
        "bureau": bureau,
        "school": school,
        "klass": klass,
        "other": other,
        "official": await world.person("局长", (bureau, "head"), username="official"),
        "principal": await world.person("校长", (school, "head"), username="principal"),
        "teacher": await world.person("王老师", (klass, "teacher"), username="teacher"),
        "student": await world.person("小明", (klass, "student"), username="student"),
        "rival": await world.person("二小校长", (other, "head"), username="rival"),
    }


async def test_builtins_in_the_readers_language(world: World) -> None:
    t = await tree(world)
    c = await world.login(t["teacher"])
    r = await c.get("/api/v1/forms/builtins", headers={"accept-language": "en"})
    assert r.status_code == 200
    names = {b["key"]: b["name"] for b in r.json()}
    assert names == {
        "student_health": "Daily student health check-in",
        "staff_health": "Daily staff health",
        "head_count": "Head count",
        "return_to_school": "Return-to-school survey",
    }
    r = await c.get("/api/v1/forms/builtins", headers={"accept-language": "zh-CN"})
    assert r.json()[0]["name"] == "学生每日健康打卡"


async def test_who_designs_and_what_each_sees(world: World) -> None:
    t = await tree(world)
    teacher = await world.login(t["teacher"])
    r = await teacher.post(
        "/api/v1/forms/templates",
        json={"unit_id": t["klass"].id, "name": "到校统计", "definition": OWN},
    )
    assert r.status_code == 201, r.text
    own = r.json()
    assert own["unit_name"] == "一年级 / 1班" and own["version"] == 1 and own["may_edit"]
    # A teacher designs for their class, not for the school; a student for nothing.
    r = await teacher.post(
        "/api/v1/forms/templates",
        json={"unit_id": t["school"].id, "name": "x", "builtin": "head_count"},
        headers={"accept-language": "en"},
    )
    assert r.status_code == 403 and r.json()["title"] == (
        "Only the unit's heads and teachers design and run its forms."
    )
    student = await world.login(t["student"])
    r = await student.get("/api/v1/forms/templates", params={"unit_id": t["klass"].id})
    assert r.status_code == 403
    assert (await student.get(f"/api/v1/forms/templates/{own['id']}")).status_code == 404
    # The bureau's template is offered to the class below it, nearest unit's first.
    official = await world.login(t["official"])
    r = await official.post(
        "/api/v1/forms/templates",
        json={"unit_id": t["bureau"].id, "name": "全市学生健康打卡", "builtin": "student_health"},
    )
    assert r.status_code == 201, r.text
    city = r.json()
    r = await teacher.get("/api/v1/forms/templates", params={"unit_id": t["klass"].id})
    assert [x["name"] for x in r.json()] == ["到校统计", "全市学生健康打卡"]
    assert r.json()[1]["may_edit"] is False
    # Another school's head sees the bureau's, never the class's own.
    rival = await world.login(t["rival"])
    assert (await rival.get(f"/api/v1/forms/templates/{city['id']}")).status_code == 200
    assert (await rival.get(f"/api/v1/forms/templates/{own['id']}")).status_code == 404
    # ...and may not change the bureau's.
    r = await rival.put(f"/api/v1/forms/templates/{city['id']}", json={"name": "改"})
    assert r.status_code == 403


async def test_a_school_adds_questions_around_the_bureaus_but_cannot_change_them(
    world: World,
) -> None:
    t = await tree(world)
    official = await world.login(t["official"])
    city = (
        await official.post(
            "/api/v1/forms/templates",
            json={"unit_id": t["bureau"].id, "name": "全市打卡", "builtin": "student_health"},
        )
    ).json()
    principal = await world.login(t["principal"])
    extra = {
        "key": "lunch",
        "kind": "single",
        "label": "午餐在校",
        "options": [{"value": "yes", "label": "是"}, {"value": "no", "label": "否"}],
    }
    fields = [*city["definition"]["fields"], extra]
    r = await principal.post(
        "/api/v1/forms/templates",
        json={
            "unit_id": t["school"].id,
            "name": "实验小学打卡",
            "base_id": city["id"],
            "definition": {"fields": fields, "rules": city["definition"]["rules"]},
        },
    )
    assert r.status_code == 201, r.text
    ours = r.json()
    assert ours["base_id"] == city["id"] and ours["builtin"] == "student_health"
    assert ours["locked_keys"] == [f["key"] for f in city["definition"]["fields"]]
    # Changing a question of the bureau's (its threshold rule, here) is refused, naming why.
    rules = [dict(city["definition"]["rules"][0], value=38.0), *city["definition"]["rules"][1:]]
    r = await principal.put(
        f"/api/v1/forms/templates/{ours['id']}",
        json={"definition": {"fields": fields, "rules": rules}},
        headers={"accept-language": "en"},
    )
    assert r.status_code == 422 and r.json()["code"] == "form_base_changed"
    assert r.json()["errors"] == [{"field": "definition"}]
    # Extending a template of another school's is not possible.
    rival = await world.login(t["rival"])
    r = await rival.post(
        "/api/v1/forms/templates",
        json={"unit_id": t["other"].id, "name": "x", "base_id": ours["id"]},
    )
    assert r.status_code == 404


async def test_saving_over_a_filled_version_makes_the_next(world: World) -> None:
    t = await tree(world)
    teacher = await world.login(t["teacher"])
    made = (
        await teacher.post(
            "/api/v1/forms/templates",
            json={"unit_id": t["klass"].id, "name": "到校统计", "definition": OWN},
        )
    ).json()
    # Not filled yet: saved in place.
    changed = {"fields": [dict(OWN["fields"][0], label="今天到校了吗")]}
    r = await teacher.put(f"/api/v1/forms/templates/{made['id']}", json={"definition": changed})
    assert r.status_code == 200 and r.json()["version"] == 1
    # Once someone filled version 1, saving makes version 2 and version 1 stays.
    await world.db.execute(update(FormVersion).values(used=True))
    await world.db.commit()
    again = {"fields": [*changed["fields"], {"key": "note", "kind": "text", "label": "备注"}]}
    r = await teacher.put(f"/api/v1/forms/templates/{made['id']}", json={"definition": again})
    assert r.status_code == 200 and r.json()["version"] == 2
    v1 = (await teacher.get(f"/api/v1/forms/templates/{made['id']}/versions/1")).json()
    assert [f["key"] for f in v1["definition"]["fields"]] == ["present"]
    assert v1["definition"]["fields"][0]["label"] == "今天到校了吗"
    assert (
        await teacher.get(f"/api/v1/forms/templates/{made['id']}/versions/3")
    ).status_code == 404


async def test_a_design_that_cannot_work_names_its_problem(world: World) -> None:
    t = await tree(world)
    teacher = await world.login(t["teacher"])
    bad = {
        "fields": [
            {"key": "a", "kind": "text", "label": "A"},
            {"key": "b", "kind": "text", "label": "B", "show_if": {"field": "a", "any_of": ["x"]}},
        ]
    }
    r = await teacher.post(
        "/api/v1/forms/templates",
        json={"unit_id": t["klass"].id, "name": "x", "definition": bad},
        headers={"accept-language": "en"},
    )
    assert r.status_code == 422
    [err] = r.json()["errors"]
    assert err["field"] == "definition"
    assert err["message"] == (
        "A question is shown on an answer of a choice question that is not before it."
    )
    r = await teacher.post(
        "/api/v1/forms/templates",
        json={"unit_id": t["klass"].id, "name": "x", "builtin": "nope"},
    )
    assert r.status_code == 422 and r.json()["errors"] == [{"field": "builtin"}]
    r = await teacher.post("/api/v1/forms/templates", json={"unit_id": t["klass"].id, "name": "x"})
    assert r.status_code == 422 and r.json()["code"] == "form_template_source"
