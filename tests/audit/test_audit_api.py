"""GET /api/v1/audit in the reader's words, its filters (who, what, when, which unit) with cursor
paging, their 422s, and the XLSX export."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import event, update

from bellwork.audit.models import AuditEntry
from tests.conftest import World

ZH = {"accept-language": "zh-CN"}


async def arrange(world: World) -> dict[str, Any]:
    """An admin and a head; a school with two classes; changes made through the API."""
    admin = await world.person("管理员", username="admin", is_admin=True)
    school = await world.unit("实验小学", "school")
    c1 = await world.unit("1班", "class", school)
    c2 = await world.unit("2班", "class", school)
    other = await world.unit("别的学校", "school")
    head = await world.person("校长", (school, "head"), username="head")
    c = await world.login(admin)
    h = await world.login(head)
    pupil = (
        await c.post(
            "/api/v1/people",
            json={"name": "张三", "memberships": [{"unit_id": c1.id, "role": "student"}]},
        )
    ).json()
    await c.patch(f"/api/v1/people/{pupil['id']}", json={"title": "班长", "is_admin": False})
    outsider = (
        await h.post(
            "/api/v1/people",
            json={"name": "李四", "memberships": [{"unit_id": c2.id, "role": "teacher"}]},
        )
    ).json()
    await c.patch(f"/api/v1/units/{other.id}", json={"name": "另一所学校"})
    return {
        "c": c,
        "h": h,
        "admin": admin,
        "head": head,
        "school": school,
        "c1": c1,
        "c2": c2,
        "other": other,
        "pupil": pupil,
        "outsider": outsider,
    }


async def items(c: httpx.AsyncClient, **params: Any) -> list[dict[str, Any]]:
    r = await c.get("/api/v1/audit", params=params)
    assert r.status_code == 200, r.text
    return list(r.json()["items"])


async def test_entries_in_the_readers_words(world: World) -> None:
    w = await arrange(world)
    c = w["c"]
    log = await items(c)
    assert [e["action"] for e in log] == [
        "unit.update",
        "person.create",
        "person.update",
        "person.create",
    ]
    rename, _, update_, create = log
    assert rename["action_label"] == "Changed a unit"
    assert rename["target"] == {
        "type": "unit",
        "id": w["other"].id,
        "name": "另一所学校",
        "deleted": False,
        "label": "另一所学校",
    }
    # Only what changed (is_admin was sent unchanged); before → after.
    assert [(x["label"], x["before"]["text"], x["after"]["text"]) for x in update_["changes"]] == [
        ("Title", "—", "班长")
    ]
    assert update_["actor"]["name"] == "管理员" and update_["actor"]["label"] == "管理员"
    assert update_["target"]["label"] == "张三"
    # A creation: its values, none empty, nothing before; where they were put, by unit path.
    assert {x["field"] for x in create["changes"]} == {"name", "active", "is_admin", "memberships"}
    assert all(x["before"] is None for x in create["changes"])
    shown = [(x["label"], x["after"]["text"]) for x in create["changes"]]
    assert ("Account active", "Yes") in shown
    assert ("Memberships", "实验小学 / 1班 · Student") in shown

    zh = (await c.get("/api/v1/audit", headers=ZH)).json()["items"]
    assert zh[0]["action_label"] == "修改组织"
    assert zh[0]["changes"] == [
        {
            "field": "name",
            "label": "名称",
            "before": {"text": "别的学校", "ref": None},
            "after": {"text": "另一所学校", "ref": None},
        }
    ]
    assert zh[2]["changes"][0]["label"] == "职务"
    assert "姓名" in [x["label"] for x in zh[3]["changes"]]
    assert "null" not in str([x["changes"] for x in zh])

    # The raw record is still there for scripts.
    assert update_["before"] == {"title": None} and update_["after"] == {"title": "班长"}


async def test_membership_units_and_deleted_things_by_name(world: World, db: Any) -> None:
    w = await arrange(world)
    c = w["c"]
    r = await c.post(
        f"/api/v1/people/{w['pupil']['id']}/memberships",
        json={"unit_id": w["c2"].id, "role": "member"},
    )
    assert r.status_code == 201, r.text
    (added,) = await items(c, action="membership.create")
    unit = added["changes"][0]
    assert unit["label"] == "Unit" and unit["after"]["text"] == "实验小学 / 2班"
    assert unit["after"]["ref"]["type"] == "unit" and unit["after"]["ref"]["id"] == w["c2"].id
    assert added["changes"][1]["after"]["text"] == "Member"
    # An entry about a person and a unit that no longer exist.
    db.add(
        AuditEntry(
            actor_id=w["admin"].id,
            action="membership.delete",
            target_type="person",
            target_id=987654,
            unit_id=876543,
            before={"unit_id": 876543, "role": "student", "title": None},
            after=None,
        )
    )
    await db.commit()
    gone = (await items(c, action="membership.delete"))[0]
    assert gone["target"]["label"] == "(deleted) #987654" and gone["target"]["deleted"]
    zh = (await c.get("/api/v1/audit", params={"action": "membership.delete"}, headers=ZH)).json()
    assert zh["items"][0]["target"]["label"] == "(已删除) #987654"
    assert zh["items"][0]["changes"][0]["before"]["text"] == "(已删除) #876543"


async def test_names_are_looked_up_once_per_page(world: World, app: Any) -> None:
    w = await arrange(world)
    c = w["c"]
    for i in range(30):
        member = [{"unit_id": (w["c1"] if i % 2 else w["c2"]).id, "role": "student"}]
        await c.post("/api/v1/people", json={"name": f"学生{i}", "memberships": member})
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        # The look-ups of names by id (not the session's own queries, which vary with time).
        if re.search(r"WHERE (person|unit|api_token|job)\.id IN", statement):
            statements.append(statement)

    engine = app.state.runtime.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        few = await items(c, limit=2)  # people and the units (and school) they were put in
        n_few = len(statements)
        statements.clear()
        many = await items(c, limit=34)
        n_many = len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(few) == 2 and len(many) == 34 and "实验小学 / 1班" in str(few)
    assert {e["target"]["label"] for e in many} >= {f"学生{i}" for i in range(30)}
    assert 2 <= n_few == n_many <= 3, (n_few, n_many)  # people, units, the units above them


async def test_filter_by_who_what_and_when(world: World, db: Any) -> None:
    w = await arrange(world)
    c = w["c"]
    by_head = await items(c, actor_id=w["head"].id)
    assert [e["action"] for e in by_head] == ["person.create"]
    assert by_head[0]["target"]["label"] == "李四"
    both = await items(c, action=["person.update", "unit.update"])
    assert [e["action"] for e in both] == ["unit.update", "person.update"]
    mine = await items(c, actor_id=w["admin"].id, action=["person.create"])
    assert [e["target"]["label"] for e in mine] == ["张三"]

    # Move two entries to other days, then ask for one day in Shanghai's time.
    log = await items(c)
    await db.execute(
        update(AuditEntry)
        .where(AuditEntry.id == log[-1]["id"])
        .values(at=datetime(2025, 3, 1, 15, 59, tzinfo=UTC))  # 1 March 23:59 in Shanghai
    )
    await db.execute(
        update(AuditEntry)
        .where(AuditEntry.id == log[-2]["id"])
        .values(at=datetime(2025, 3, 1, 16, 0, tzinfo=UTC))  # 2 March 00:00 in Shanghai
    )
    await db.commit()
    day = await items(c, since="2025-03-01T00:00:00+08:00", until="2025-03-02T00:00:00+08:00")
    assert [e["id"] for e in day] == [log[-1]["id"]]
    week = await items(c, since="2025-02-24T00:00:00+08:00", until="2025-03-03T00:00:00+08:00")
    assert [e["id"] for e in week] == [log[-2]["id"], log[-1]["id"]]
    recent = await items(c, since=(datetime.now(UTC) - timedelta(hours=1)).isoformat())
    assert len(recent) == len(log) - 2


async def test_filter_by_unit_covers_its_subtree_its_members_and_who_left(world: World) -> None:
    w = await arrange(world)
    c = w["c"]
    school, c1 = w["school"], w["c1"]
    # Somebody of another school joins class 1 and leaves again.
    visitor = (await c.post("/api/v1/people", json={"name": "王五"})).json()
    m = (
        await c.post(
            f"/api/v1/people/{visitor['id']}/memberships",
            json={"unit_id": c1.id, "role": "member"},
        )
    ).json()
    assert (await c.delete(f"/api/v1/memberships/{m['id']}")).status_code == 204
    await c.patch(f"/api/v1/units/{c1.id}", json={"name": "一班"})

    in_class = await items(c, unit_id=c1.id)
    assert [(e["action"], e["target"]["label"]) for e in in_class] == [
        ("unit.update", "实验小学 / 一班"),  # the unit itself
        ("membership.delete", "王五"),  # who left: by the entry's unit
        ("membership.create", "王五"),
        ("person.update", "张三"),  # a member's entries
        ("person.create", "张三"),
    ]
    # The school: its classes and their members (李四 of class 2) too, not the other school.
    in_school = {(e["action"], e["target"]["label"]) for e in await items(c, unit_id=school.id)}
    assert ("person.create", "李四") in in_school
    assert ("unit.update", "实验小学 / 一班") in in_school
    assert not any(label == "另一所学校" for _, label in in_school)
    # Combined with the other filters.
    assert [e["action"] for e in await items(c, unit_id=c1.id, action="person.update")] == [
        "person.update"
    ]
    assert await items(c, unit_id=w["other"].id, actor_id=w["head"].id) == []


async def test_cursor_pages_through_a_filtered_log(world: World) -> None:
    w = await arrange(world)
    c = w["c"]
    for i in range(7):
        await c.post("/api/v1/people", json={"name": f"学生{i}"})
    seen: list[int] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"action": "person.create", "limit": 3}
        if cursor:
            params["cursor"] = cursor
        page = (await c.get("/api/v1/audit", params=params)).json()
        seen += [e["id"] for e in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == 9 and seen == sorted(seen, reverse=True)


@pytest.mark.parametrize(
    ("params", "code", "field", "title"),
    [
        ({"action": "person.x"}, "audit_unknown_action", "action", "未知的操作：person.x。"),
        ({"actor_id": 999999}, "audit_unknown_person", "actor_id", "找不到编号为 999999 的人员。"),
        ({"unit_id": 999999}, "audit_unknown_unit", "unit_id", "找不到编号为 999999 的组织。"),
        (
            {"since": "2025-03-01T00:00:00"},
            "audit_time_without_zone",
            "since",
            "since 必须带时区偏移，例如 2025-03-01T00:00:00+08:00。",
        ),
        (
            {"since": "2025-03-02T00:00:00+08:00", "until": "2025-03-01T00:00:00+08:00"},
            "audit_empty_range",
            "until",
            "时间范围的开始必须早于结束。",
        ),
        ({"tz": "Mars/Olympus"}, "unknown_time_zone", "tz", "未知的时区：Mars/Olympus。"),
        ({"since": "yesterday"}, "validation_failed", "since", None),
        ({"actor_id": -1}, "validation_failed", "actor_id", None),
    ],
)
async def test_bad_filters_are_422_naming_the_field(
    world: World, params: dict[str, Any], code: str, field: str, title: str | None
) -> None:
    w = await arrange(world)
    for path in ("/api/v1/audit", "/api/v1/audit/export"):
        r = await w["c"].get(path, params=params, headers=ZH)
        assert r.status_code == 422, r.text
        body = r.json()
        assert body["code"] == code
        assert field in [e["field"] for e in body["errors"]]
        if title:
            assert body["title"] == title
            assert body["errors"][0]["message"] == title


async def test_only_admins_and_before_any_filter_is_checked(world: World) -> None:
    w = await arrange(world)
    for path in ("/api/v1/audit", "/api/v1/audit/export", "/api/v1/audit/actions"):
        r = await w["h"].get(path, params={"actor_id": 999999})
        assert r.status_code == 403 and r.json()["code"] == "admin_only", path


async def test_actions_are_listed_in_the_readers_words(world: World) -> None:
    w = await arrange(world)
    en = (await w["c"].get("/api/v1/audit/actions")).json()
    zh = (await w["c"].get("/api/v1/audit/actions", headers=ZH)).json()
    assert {"action": "person.create", "label": "Created a person", "target_type": "person"} in en
    assert {"action": "person.create", "label": "新建人员", "target_type": "person"} in zh
    assert len(en) == len(zh) >= 20


async def read_xlsx(r: httpx.Response) -> list[tuple[Any, ...]]:
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert 'filename="bellwork-audit-' in r.headers["content-disposition"]
    ws = load_workbook(io.BytesIO(r.content)).active
    assert ws is not None
    return [tuple(row) for row in ws.iter_rows(values_only=True)]


async def test_export_the_filtered_log_in_the_readers_language(world: World) -> None:
    w = await arrange(world)
    c = w["c"]
    rows = await read_xlsx(
        await c.get(
            "/api/v1/audit/export",
            params={"action": ["person.update", "person.create"], "tz": "Asia/Shanghai"},
            headers=ZH,
        )
    )
    assert rows[0] == (
        "时间 (Asia/Shanghai)",
        "操作人",
        "操作",
        "对象",
        "变更",
        "IP 地址",
        "操作代码",
    )
    assert [(r[1], r[2], r[3]) for r in rows[1:]] == [
        ("校长", "新建人员", "李四"),
        ("管理员", "修改人员信息", "张三"),
        ("管理员", "新建人员", "张三"),
    ]
    assert rows[2][4] == "职务: — → 班长"
    assert "姓名: 张三" in rows[3][4].split("\n")
    at = rows[1][0]
    assert isinstance(at, datetime)
    log = await items(c, action="person.create")
    shanghai = datetime.fromisoformat(log[0]["at"]).astimezone(UTC) + timedelta(hours=8)
    assert abs((at - shanghai.replace(tzinfo=None)).total_seconds()) < 1

    en = await read_xlsx(
        await c.get("/api/v1/audit/export", params={"unit_id": w["c1"].id, "tz": "Europe/London"})
    )
    assert en[0][0] == "Time (Europe/London)" and en[0][4] == "Changes"
    assert [r[2] for r in en[1:]] == ["Changed a person's details", "Created a person"]
    assert en[1][4] == "Title: — → 班长"


async def test_export_refuses_more_than_its_cap_with_a_clear_message(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bellwork.audit import export

    w = await arrange(world)
    monkeypatch.setattr(export, "MAX_ROWS", 3)
    r = await w["c"].get("/api/v1/audit/export", headers=ZH)
    assert r.status_code == 422
    assert r.json()["code"] == "audit_export_too_large"
    assert r.json()["title"].startswith("符合条件的记录超过 3 条。请缩小筛选范围")
    r = await w["c"].get("/api/v1/audit/export", params={"action": "person.create"})
    assert len(await read_xlsx(r)) == 3  # headings and two entries: within the cap
