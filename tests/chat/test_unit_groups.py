"""Unit groups follow the roster: a class's home-school group has its teachers and the guardians
of its students; when the roster changes (API or import), the group changes."""

from __future__ import annotations

from typing import Any

from tests.chat.conftest import connect, send
from tests.conftest import World, insert_before


async def names(c: Any, conv: int) -> set[str]:
    return {
        m["person"]["name"] for m in (await c.get(f"/api/v1/conversations/{conv}/members")).json()
    }


async def test_class_group_members_and_access(world: World, school: dict[str, Any]) -> None:
    t = await world.login(school["teacher"])
    r = await t.get(f"/api/v1/units/{school['klass'].id}/group")
    g = r.json()
    assert g["kind"] == "unit" and g["name"] == "1班" and g["my_role"] == "admin"
    assert await names(t, g["id"]) == {"王老师", "家长1", "家长2", "家长3"}
    # Guardians reach the same group; students and outsiders do not.
    p1 = await world.login(school["p1"])
    assert (await p1.get(f"/api/v1/units/{school['klass'].id}/group")).json()["id"] == g["id"]
    s1 = await world.login(school["s1"])
    assert (await s1.get(f"/api/v1/units/{school['klass'].id}/group")).status_code == 404
    r = await p1.post(f"/api/v1/conversations/{g['id']}/leave")
    assert r.status_code == 403 and r.json()["code"] == "unit_group_follows_roster"


async def test_roster_changes_move_people_in_and_out(
    world: World, school: dict[str, Any], live: str
) -> None:
    admin = await world.login(school["admin"])
    t = await world.login(school["teacher"])
    g = (await t.get(f"/api/v1/units/{school['klass'].id}/group")).json()
    # Import a new student with a guardian: the guardian joins the group.
    csv = "班级,学生姓名,学号,家长姓名,家长手机,关系\n1班,新同学,S9,新家长,10000000999,母亲\n"
    async with connect(live, t) as sock:
        r = await admin.post(
            "/api/v1/imports",
            data={"kind": "roster", "unit_id": str(school["school"].id), "dry_run": "false"},
            files={"file": ("r.csv", csv.encode(), "text/csv")},
        )
        assert r.status_code == 200, r.text
        change = await sock.next("members.changed")
        assert change["conversation_id"] == g["id"] and len(change["added"]) == 1
        assert change["member_count"] == 5
    assert "新家长" in await names(t, g["id"])
    # Move student 1 to another class: their guardian leaves this group.
    other = (
        await admin.post(
            "/api/v1/units", json={"name": "2班", "kind": "class", "parent_id": school["school"].id}
        )
    ).json()
    card = (await admin.get(f"/api/v1/people/{school['s1'].id}")).json()
    old = next(m for m in card["memberships"] if m["role"] == "student")
    await admin.post(
        f"/api/v1/people/{school['s1'].id}/memberships",
        json={"unit_id": other["id"], "role": "student"},
    )
    await admin.delete(f"/api/v1/memberships/{old['id']}")
    assert "家长1" not in await names(t, g["id"])
    p1 = await world.login(school["p1"])
    assert (await p1.get(f"/api/v1/conversations/{g['id']}")).status_code == 404
    g2 = (await p1.get(f"/api/v1/units/{other['id']}/group")).json()
    assert await names(p1, g2["id"]) == {"家长1"}
    # A deactivated teacher leaves the group.
    await admin.post(f"/api/v1/people/{school['teacher'].id}/deactivate")
    p2 = await world.login(school["p2"])
    assert "王老师" not in await names(p2, g["id"])


async def test_department_group(world: World) -> None:
    company = await world.unit("云帆科技", "company")
    dept = await world.unit("研发部", "department", company)
    a = await world.person("李娜", (dept, "member"), username="lina")
    await world.person("王强", (dept, "head"), username="wq")
    c = await world.login(a)
    g = (await c.get(f"/api/v1/units/{dept.id}/group")).json()
    assert g["name"] == "研发部" and g["my_role"] == "member"
    assert await names(c, g["id"]) == {"李娜", "王强"}


async def test_class_group_appears_by_itself_when_the_roster_fills_the_class(
    world: World, school: dict[str, Any], live: str
) -> None:
    """Nobody opens it: once a class has a teacher and a guardian, both find the home-school
    group in their list (live for one online), with the unread badge of what was posted."""
    admin = await world.login(school["admin"])
    klass = (
        await admin.post(
            "/api/v1/units", json={"name": "3班", "kind": "class", "parent_id": school["school"].id}
        )
    ).json()
    t = await world.login(school["teacher"])
    r = await admin.post(
        f"/api/v1/people/{school['teacher'].id}/memberships",
        json={"unit_id": klass["id"], "role": "teacher"},
    )
    assert r.status_code in (200, 201), r.text
    listed = (await t.get("/api/v1/conversations")).json()["items"]
    assert "3班" not in [c["name"] for c in listed]  # one person is not a group yet
    csv = "班级,学生姓名,学号,家长姓名,家长手机,关系\n3班,小明,S31,小明妈妈,10000000931,母亲\n"
    async with connect(live, t) as sock:
        r = await admin.post(
            "/api/v1/imports",
            data={"kind": "roster", "unit_id": str(school["school"].id), "dry_run": "false"},
            files={"file": ("r.csv", csv.encode(), "text/csv")},
        )
        assert r.status_code == 200, r.text
        frame = await sock.next("conversation.updated")
        assert frame["conversation"]["name"] == "3班"
    group = next(
        c for c in (await t.get("/api/v1/conversations")).json()["items"] if c["name"] == "3班"
    )
    assert group["kind"] == "unit" and group["my_role"] == "admin"
    assert await names(t, group["id"]) == {"王老师", "小明妈妈"}
    sent = await t.post(
        f"/api/v1/conversations/{group['id']}/messages",
        json={"client_msg_id": "first-notice-3", "body": "欢迎加入3班家校群"},
    )
    assert sent.status_code == 201, sent.text
    # The guardian logs in for the first time and sees it, unread.
    async with world.app.state.sessionmaker() as db:
        from sqlalchemy import select

        from bellwork.auth.passwords import hash_password
        from bellwork.org.models import Person

        mum = (await db.execute(select(Person).where(Person.phone == "10000000931"))).scalar_one()
        mum.password_hash = await hash_password("guardian-pass-1")
        await db.commit()
    g = await world.login(mum, "guardian-pass-1")
    mine = (await g.get("/api/v1/conversations")).json()["items"]
    assert [(c["name"], c["unread"]) for c in mine if c["kind"] == "unit"] == [("3班", 1)]


async def test_migration_names_existing_unit_groups_after_their_unit(tmp_path: Any) -> None:
    """Before 0005 a class's group was stored as "1班 家校群"; now it is named after its unit
    and clients add the kind of group in the reader's language."""
    from sqlalchemy import text

    from bellwork.chat.models import Conversation
    from bellwork.db.base import utcnow
    from bellwork.db.engine import make_engine
    from bellwork.db.migrate import upgrade
    from bellwork.org.models import Unit

    url = f"sqlite+aiosqlite:///{tmp_path / 'old.sqlite3'}"
    await upgrade(url, "0004")
    now = utcnow()
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                Unit.__table__.insert(),
                [
                    {"id": 1, "kind": "class", "name": "1班", "path": "/1/", "depth": 0},
                    {"id": 2, "kind": "team", "name": "前端组", "path": "/2/", "depth": 0},
                ],
            )
            common = {"last_seq": 0, "member_count": 2, "last_message_at": now, "private": False}
            await conn.execute(
                insert_before(Conversation, "join_mode"),
                [
                    {"id": 1, "kind": "unit", "name": "1班 家校群", "unit_id": 1, **common},
                    {"id": 2, "kind": "unit", "name": "前端组", "unit_id": 2, **common},
                    {"id": 3, "kind": "group", "name": "1班 家校群", "unit_id": None, **common},
                ],
            )
        await upgrade(url)
        async with engine.connect() as conn:
            rows = (await conn.execute(text("SELECT id, name FROM conversation ORDER BY id"))).all()
        assert [tuple(r) for r in rows] == [(1, "1班"), (2, "前端组"), (3, "1班 家校群")]
    finally:
        await engine.dispose()


async def test_who_joins_a_unit_group_later_does_not_see_what_came_before(
    world: World, school: dict[str, Any], live: str
) -> None:
    """Not in the history, and not as the list's preview either (live or fetched)."""
    t = await world.login(school["teacher"])
    group = (await t.get(f"/api/v1/units/{school['klass'].id}/group")).json()["id"]
    await send(t, group, "只给现有家长看的通知")
    newcomer = await world.person("新老师", username="newteacher")
    await world.commit()
    n = await world.login(newcomer)
    admin = await world.login(school["admin"])
    async with connect(live, n) as sock:
        r = await admin.post(
            f"/api/v1/people/{newcomer.id}/memberships",
            json={"unit_id": school["klass"].id, "role": "teacher"},
        )
        assert r.status_code in (200, 201), r.text
        live_view = (await sock.next("conversation.updated"))["conversation"]
    fetched = (await n.get(f"/api/v1/conversations/{group}")).json()
    listed = next(
        c for c in (await n.get("/api/v1/conversations")).json()["items"] if c["id"] == group
    )
    for view in (live_view, fetched, listed):
        assert view["id"] == group and view["last_message"] is None and view["unread"] == 0
    assert (await n.get(f"/api/v1/conversations/{group}/messages")).json()["items"] == []
    await send(t, group, "欢迎新老师")
    listed = next(
        c for c in (await n.get("/api/v1/conversations")).json()["items"] if c["id"] == group
    )
    assert listed["last_message"]["body"] == "欢迎新老师" and listed["unread"] == 1


async def test_a_class_group_is_named_with_its_grade_and_follows_renames(world: World) -> None:
    school = await world.unit("实验小学")
    grade = await world.unit("一年级", "grade", school)
    klass = await world.unit("1班", "class", grade)
    head = await world.person("李校长", (school, "head"), username="head")
    teacher = await world.person("王老师", (klass, "teacher"), username="teacher")
    student = await world.person("王军杰", (klass, "student"))
    await world.guardian("王妈妈", student, klass, phone="13900000001")
    t = await world.login(teacher)
    g = (await t.get(f"/api/v1/units/{klass.id}/group")).json()
    assert g["name"] == "一年级1班" and g["unit_kind"] == "class"

    h = await world.login(head)
    r = await h.patch(f"/api/v1/units/{grade.id}", json={"name": "初一"})
    assert r.status_code == 200, r.text
    assert (await t.get(f"/api/v1/conversations/{g['id']}")).json()["name"] == "初一1班"
    r = await h.patch(f"/api/v1/units/{klass.id}", json={"name": "2班"})
    assert (await t.get(f"/api/v1/conversations/{g['id']}")).json()["name"] == "初一2班"


async def test_migration_names_existing_class_groups_with_their_grade(tmp_path: Any) -> None:
    from sqlalchemy import text

    from bellwork.chat.models import Conversation
    from bellwork.db.base import utcnow
    from bellwork.db.engine import make_engine
    from bellwork.db.migrate import upgrade
    from bellwork.org.models import Unit

    url = f"sqlite+aiosqlite:///{tmp_path / 'old.sqlite3'}"
    await upgrade(url, "0011")
    now = utcnow()
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                Unit.__table__.insert(),
                [
                    {"id": 1, "kind": "school", "name": "实验小学", "path": "/1/", "depth": 0},
                    {"id": 2, "kind": "grade", "name": "一年级", "path": "/1/2/", "depth": 1},
                    {"id": 3, "kind": "class", "name": "1班", "path": "/1/2/3/", "depth": 2},
                    {"id": 4, "kind": "class", "name": "兴趣班", "path": "/1/4/", "depth": 1},
                ],
            )
            await conn.execute(text("UPDATE unit SET parent_id = 1 WHERE id IN (2, 4)"))
            await conn.execute(text("UPDATE unit SET parent_id = 2 WHERE id = 3"))
            common = {"last_seq": 0, "member_count": 2, "last_message_at": now, "private": False}
            await conn.execute(
                insert_before(Conversation, "join_mode"),
                [
                    {"id": 1, "kind": "unit", "name": "1班", "unit_id": 3, **common},
                    {"id": 2, "kind": "unit", "name": "兴趣班", "unit_id": 4, **common},
                    {"id": 3, "kind": "group", "name": "1班", "unit_id": None, **common},
                ],
            )
        await upgrade(url)
        async with engine.connect() as conn:
            rows = (await conn.execute(text("SELECT id, name FROM conversation ORDER BY id"))).all()
        assert [tuple(r) for r in rows] == [(1, "一年级1班"), (2, "兴趣班"), (3, "1班")]
    finally:
        await engine.dispose()
