"""People: create, edit, memberships, guardians, search by pinyin, audit trail."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conftest import World


async def setup(world: World) -> tuple[httpx.AsyncClient, Any, Any]:
    admin = await world.person("管理员", username="admin", is_admin=True)
    school = await world.unit("实验小学", "school")
    klass = await world.unit("1班", "class", school)
    return await world.login(admin), school, klass


async def test_create_edit_and_clear_fields(world: World) -> None:
    c, _school, klass = await setup(world)
    r = await c.post(
        "/api/v1/people",
        json={
            "name": " 张伟 ",
            "phone": "138-0013-8000",
            "email": "ZW@Example.com",
            "memberships": [{"unit_id": klass.id, "role": "teacher", "title": "班主任"}],
        },
    )
    assert r.status_code == 201, r.text
    p = r.json()
    assert p["name"] == "张伟" and p["phone"] == "13800138000" and p["email"] == "zw@example.com"
    assert p["memberships"][0]["unit"]["path_names"] == ["实验小学", "1班"]
    assert p["memberships"][0]["title"] == "班主任"
    assert p["has_password"] is False
    r = await c.patch(f"/api/v1/people/{p['id']}", json={"email": None, "title": "数学老师"})
    assert r.json()["email"] is None and r.json()["title"] == "数学老师"
    assert r.json()["phone"] == "13800138000"  # left out: unchanged


async def test_bad_input_names_the_field_and_writes_nothing(world: World) -> None:
    c, _school, _klass = await setup(world)
    r = await c.post(
        "/api/v1/people", json={"name": "李娜", "phone": "call me", "email": "not-an-email"}
    )
    assert r.status_code == 422
    fields = {e["field"] for e in r.json()["errors"]}
    assert fields == {"phone", "email"}
    r = await c.post("/api/v1/people", json={"name": ""})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "name"
    people = (await c.get("/api/v1/people", params={"q": "lina"})).json()
    assert people["items"] == []


async def test_unique_phone_is_a_409_naming_the_field(world: World) -> None:
    c, _school, _klass = await setup(world)
    await c.post("/api/v1/people", json={"name": "甲", "phone": "13800000001"})
    r = await c.post(
        "/api/v1/people",
        json={"name": "乙", "phone": "13800000001"},
        headers={"accept-language": "zh-CN"},
    )
    assert r.status_code == 409
    assert r.json()["code"] == "duplicate_value"
    assert r.json()["errors"] == [{"field": "phone", "code": "duplicate_value"}]
    assert r.json()["title"] == "手机号已被其他人使用。"


async def test_person_in_several_units(world: World) -> None:
    c, school, klass = await setup(world)
    other = await world.unit("2班", "class", school)
    await world.commit()
    r = await c.post(
        "/api/v1/people",
        json={
            "name": "王芳",
            "memberships": [
                {"unit_id": klass.id, "role": "teacher"},
                {"unit_id": other.id, "role": "teacher"},
                {"unit_id": school.id, "role": "staff", "title": "教研组长"},
            ],
        },
    )
    pid = r.json()["id"]
    assert len(r.json()["memberships"]) == 3
    r = await c.post(
        f"/api/v1/people/{pid}/memberships", json={"unit_id": klass.id, "role": "teacher"}
    )
    assert r.status_code == 409 and r.json()["code"] == "membership_exists"
    in_other = (await c.get("/api/v1/people", params={"unit_id": other.id})).json()
    assert [x["name"] for x in in_other["items"]] == ["王芳"]
    whole = (await c.get("/api/v1/people", params={"unit_id": school.id, "subtree": True})).json()
    assert [x["name"] for x in whole["items"]] == ["王芳"]


async def test_guardian_links(world: World) -> None:
    c, _school, klass = await setup(world)
    s = (
        await c.post(
            "/api/v1/people",
            json={
                "name": "小明",
                "student_number": "S100",
                "memberships": [{"unit_id": klass.id, "role": "student"}],
            },
        )
    ).json()
    g = (await c.post("/api/v1/people", json={"name": "明妈妈", "phone": "10000000100"})).json()
    r = await c.post(
        f"/api/v1/people/{s['id']}/guardians", json={"guardian_id": g["id"], "relation": "母亲"}
    )
    assert r.status_code == 200
    assert [(x["name"], x["relation"]) for x in r.json()["guardians"]] == [("明妈妈", "母亲")]
    gcard = (await c.get(f"/api/v1/people/{g['id']}")).json()
    assert [x["name"] for x in gcard["children"]] == ["小明"]
    # The guardian became a guardian-member of the child's class.
    assert [(m["unit"]["name"], m["role"]) for m in gcard["memberships"]] == [("1班", "guardian")]
    r = await c.post(f"/api/v1/people/{g['id']}/guardians", json={"guardian_id": s["id"]})
    assert r.status_code == 422 and r.json()["code"] == "not_a_student"
    r = await c.post(f"/api/v1/people/{s['id']}/guardians", json={"guardian_id": s["id"]})
    assert r.status_code == 422 and r.json()["code"] == "self_guardian"
    r = await c.post(
        f"/api/v1/people/{s['id']}/memberships", json={"unit_id": klass.id, "role": "guardian"}
    )
    assert r.status_code == 422 and r.json()["code"] == "guardian_needs_student"
    r = await c.delete(f"/api/v1/people/{s['id']}/guardians/{g['id']}")
    assert r.status_code == 204
    gcard = (await c.get(f"/api/v1/people/{g['id']}")).json()
    assert gcard["children"] == [] and gcard["memberships"] == []


async def test_search_by_name_pinyin_initials_phone_and_number(world: World) -> None:
    c, _school, klass = await setup(world)
    for name, phone, number in (
        ("张伟", "13800000001", "S001"),
        ("张薇", "13900000002", None),
        ("李伟", None, "S002"),
        ("曾小贤", None, None),
        ("Li Na", None, None),
    ):
        body: dict[str, Any] = {
            "name": name,
            "phone": phone,
            "student_number": number,
            "memberships": [{"unit_id": klass.id, "role": "student"}],
        }
        assert (await c.post("/api/v1/people", json=body)).status_code == 201

    async def q(text: str) -> list[str]:
        r = await c.get("/api/v1/people", params={"q": text})
        assert r.status_code == 200
        return sorted(x["name"] for x in r.json()["items"])

    assert await q("zhangwei") == ["张伟", "张薇"]
    assert await q("ZhangWei") == ["张伟", "张薇"]
    assert await q("zw") == ["张伟", "张薇"]
    assert await q("zhang") == ["张伟", "张薇"]
    assert await q("张伟") == ["张伟"]
    assert await q("伟") == ["张伟", "李伟"]
    assert await q("wei") == ["张伟", "张薇", "李伟"]
    assert await q("138") == ["张伟"]
    assert await q("+86 139") == ["张薇"]
    assert await q("S002") == ["李伟"]
    assert await q("s00") == ["张伟", "李伟"]
    assert await q("zengxiaoxian") == ["曾小贤"]  # 曾 read as zeng (a surname) ...
    assert await q("zxx") == ["曾小贤"]
    assert await q("lina") == ["Li Na"]
    assert await q("nobody") == []


async def test_directory_is_sorted_by_pinyin_and_paginates(world: World) -> None:
    c, _school, klass = await setup(world)
    names = ["张三", "陈一", "安二", "王五", "李四", "白六", "周七"]
    for n in names:
        await c.post(
            "/api/v1/people",
            json={"name": n, "memberships": [{"unit_id": klass.id, "role": "student"}]},
        )
    got: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 3, "unit_id": klass.id}
        if cursor:
            params["cursor"] = cursor
        page = (await c.get("/api/v1/people", params=params)).json()
        got += [x["name"] for x in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert got == ["安二", "白六", "陈一", "李四", "王五", "张三", "周七"]
    r = await c.get("/api/v1/people", params={"cursor": "garbage!"})
    assert r.status_code == 422 and r.json()["code"] == "bad_cursor"


async def test_audit_log_records_before_and_after(world: World) -> None:
    c, _school, klass = await setup(world)
    p = (await c.post("/api/v1/people", json={"name": "赵六"})).json()
    await c.patch(f"/api/v1/people/{p['id']}", json={"name": "赵陆"})
    await c.patch(f"/api/v1/units/{klass.id}", json={"name": "一班"})
    log = (await c.get("/api/v1/audit")).json()["items"]
    actions = [(e["action"], e["actor"]["name"]) for e in log]
    assert actions[:3] == [
        ("unit.update", "管理员"),
        ("person.update", "管理员"),
        ("person.create", "管理员"),
    ]
    assert log[1]["before"] == {"name": "赵六"} and log[1]["after"] == {"name": "赵陆"}
    assert log[0]["before"]["name"] == "1班" and log[0]["after"]["name"] == "一班"
    page = (await c.get("/api/v1/audit", params={"limit": 1})).json()
    nxt = (await c.get("/api/v1/audit", params={"limit": 1, "cursor": page["next_cursor"]})).json()
    assert nxt["items"][0]["id"] < page["items"][0]["id"]


@pytest.mark.parametrize("common_prefix", [1, 10_000])
async def test_search_plans_agree(
    world: World, monkeypatch: pytest.MonkeyPatch, common_prefix: int
) -> None:
    """Every query shape (common prefix, rare prefix, small scope) gives the same answers."""
    from bellwork.org import directory

    monkeypatch.setattr(directory, "COMMON_PREFIX", common_prefix)
    c, school, klass = await setup(world)
    head = await world.person("校长", (school, "head"), username="head")
    teacher = await world.person("老师", (klass, "teacher"), username="t")
    for name in ("张伟", "张薇", "赵武", "周文", "李伟", "王芳"):
        await world.person(name, (klass, "student"))
    everyone = ["校长", "张伟", "张薇", "赵武", "周文"]  # 校长 is xiao-zhang: "zhang" starts with z
    for client, expected in (
        (c, everyone),
        (await world.login(head), everyone),
        (await world.login(teacher), everyone[1:]),
    ):
        got = []
        cursor = None
        while True:
            params: dict[str, Any] = {"q": "z", "limit": 2}
            if cursor:
                params["cursor"] = cursor
            page = (await client.get("/api/v1/people", params=params)).json()
            got += [x["name"] for x in page["items"]]
            cursor = page["next_cursor"]
            if not cursor:
                break
        assert got == expected
