"""The unit tree: create, rename, move (with subtree paths), archive and restore."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from bellwork.org.models import Unit
from tests.conftest import World


async def admin_client(world: World) -> httpx.AsyncClient:
    admin = await world.person("管理员", username="admin", is_admin=True)
    return await world.login(admin)


async def mk(c: httpx.AsyncClient, name: str, kind: str, parent: int | None = None) -> dict:  # type: ignore[type-arg]
    r = await c.post("/api/v1/units", json={"name": name, "kind": kind, "parent_id": parent})
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


async def test_build_and_browse_tree(world: World) -> None:
    c = await admin_client(world)
    bureau = await mk(c, "滨江区教育局", "bureau")
    school = await mk(c, "实验小学", "school", bureau["id"])
    grade = await mk(c, "一年级", "grade", school["id"])
    k1 = await mk(c, "1班", "class", grade["id"])
    await mk(c, "2班", "class", grade["id"])
    assert k1["path"] == f"/{bureau['id']}/{school['id']}/{grade['id']}/{k1['id']}/"
    assert k1["depth"] == 3
    roots = (await c.get("/api/v1/units")).json()
    assert [u["name"] for u in roots] == ["滨江区教育局"]
    assert roots[0]["child_count"] == 1 and roots[0]["can_manage"] is True
    kids = (await c.get(f"/api/v1/units/{grade['id']}/children")).json()
    assert [u["name"] for u in kids] == ["1班", "2班"]
    sub = (await c.get(f"/api/v1/units/{school['id']}/subtree")).json()
    assert [u["name"] for u in sub] == ["实验小学", "一年级", "1班", "2班"]
    anc = (await c.get(f"/api/v1/units/{k1['id']}/ancestors")).json()
    assert [u["name"] for u in anc] == ["滨江区教育局", "实验小学", "一年级", "1班"]


async def test_rename_and_validation(world: World) -> None:
    c = await admin_client(world)
    u = await mk(c, "一中", "school")
    r = await c.patch(f"/api/v1/units/{u['id']}", json={"name": "  第一中学 "})
    assert r.json()["name"] == "第一中学"
    r = await c.patch(f"/api/v1/units/{u['id']}", json={"name": "   "})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "name"
    r = await c.post("/api/v1/units", json={"name": "x", "kind": "planet"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "kind"
    r = await c.post("/api/v1/units", json={"name": "x", "kind": "class", "parent_id": 99999})
    assert r.status_code == 404 and r.json()["code"] == "not_found"


async def test_move_subtree_updates_every_path(world: World) -> None:
    c = await admin_client(world)
    a = await mk(c, "A校", "school")
    b = await mk(c, "B校", "school")
    g = await mk(c, "一年级", "grade", a["id"])
    k = await mk(c, "1班", "class", g["id"])
    team = await mk(c, "兴趣组", "team", k["id"])
    r = await c.post(f"/api/v1/units/{g['id']}/move", json={"parent_id": b["id"]})
    assert r.status_code == 200, r.text
    assert r.json()["path"] == f"/{b['id']}/{g['id']}/"
    moved = (await c.get(f"/api/v1/units/{team['id']}")).json()
    assert moved["path"] == f"/{b['id']}/{g['id']}/{k['id']}/{team['id']}/"
    assert moved["depth"] == 3
    assert (await c.get(f"/api/v1/units/{a['id']}/children")).json() == []
    # Make it a root, then back.
    r = await c.post(f"/api/v1/units/{g['id']}/move", json={"parent_id": None})
    assert r.json()["path"] == f"/{g['id']}/" and r.json()["depth"] == 0
    k_now = (await c.get(f"/api/v1/units/{k['id']}")).json()
    assert k_now["path"] == f"/{g['id']}/{k['id']}/" and k_now["depth"] == 1


async def test_move_into_own_subtree_is_refused_with_reason(world: World) -> None:
    c = await admin_client(world)
    a = await mk(c, "A校", "school")
    g = await mk(c, "一年级", "grade", a["id"])
    k = await mk(c, "1班", "class", g["id"])
    for target in (k["id"], a["id"]):
        r = await c.post(
            f"/api/v1/units/{a['id']}/move",
            json={"parent_id": target},
            headers={"accept-language": "zh-CN"},
        )
        assert r.status_code == 422
        assert r.json()["code"] == "move_into_own_subtree"
        assert "下级" in r.json()["title"]
    # Nothing changed.
    paths = (await world.db.execute(select(Unit.path).order_by(Unit.id))).scalars().all()
    assert paths == [f"/{a['id']}/", f"/{a['id']}/{g['id']}/", f"/{a['id']}/{g['id']}/{k['id']}/"]


async def test_archive_hides_subtree_and_restore_brings_it_back(world: World) -> None:
    c = await admin_client(world)
    a = await mk(c, "A校", "school")
    g = await mk(c, "一年级", "grade", a["id"])
    k = await mk(c, "1班", "class", g["id"])
    r = await c.post(f"/api/v1/units/{g['id']}/archive")
    assert r.json()["archived"] is True
    assert (await c.get(f"/api/v1/units/{a['id']}/children")).json() == []
    archived = (
        await c.get(f"/api/v1/units/{a['id']}/children", params={"include_archived": True})
    ).json()
    assert [u["name"] for u in archived] == ["一年级"]
    assert (await c.get(f"/api/v1/units/{k['id']}")).json()["archived"] is True
    r = await c.post("/api/v1/units", json={"name": "2班", "kind": "class", "parent_id": g["id"]})
    assert r.status_code == 422 and r.json()["code"] == "parent_archived"
    r = await c.post(f"/api/v1/units/{g['id']}/restore")
    assert r.json()["archived"] is False
    assert (await c.get(f"/api/v1/units/{k['id']}")).json()["archived"] is False


async def test_head_manages_only_their_subtree(world: World) -> None:
    bureau = await world.unit("教育局", "bureau")
    a = await world.unit("A校", "school", bureau)
    b = await world.unit("B校", "school", bureau)
    g = await world.unit("一年级", "grade", a)
    head = await world.person("校长", (a, "head"), username="head")
    c = await world.login(head)
    r = await c.post("/api/v1/units", json={"name": "二年级", "kind": "grade", "parent_id": a.id})
    assert r.status_code == 201
    r = await c.post("/api/v1/units", json={"name": "x", "kind": "grade", "parent_id": b.id})
    assert r.status_code == 403 and r.json()["code"] == "not_head_of_unit"
    r = await c.patch(f"/api/v1/units/{b.id}", json={"name": "hacked"})
    assert r.status_code == 403
    r = await c.post("/api/v1/units", json={"name": "root", "kind": "school"})
    assert r.status_code == 403 and r.json()["code"] == "root_needs_admin"
    # Moving within the subtree is fine; moving out of it is not.
    new_grade = await c.post(
        "/api/v1/units", json={"name": "初二", "kind": "grade", "parent_id": a.id}
    )
    k = await c.post("/api/v1/units", json={"name": "1班", "kind": "class", "parent_id": g.id})
    r = await c.post(
        f"/api/v1/units/{k.json()['id']}/move", json={"parent_id": new_grade.json()["id"]}
    )
    assert r.status_code == 200
    r = await c.post(f"/api/v1/units/{g.id}/move", json={"parent_id": b.id})
    assert r.status_code == 403
    units = (await c.get(f"/api/v1/units/{bureau.id}/children")).json()
    assert {u["name"]: u["can_manage"] for u in units} == {"A校": True, "B校": False}


async def test_top_units_are_those_one_belongs_under(world: World) -> None:
    school = await world.unit("实验小学", "school")
    klass = await world.unit("1班", "class", school)
    await world.unit("云帆科技", "company")
    guardian = await world.person("家长", (klass, "guardian"), username="g")
    admin = await world.person("管理员", username="admin", is_admin=True)
    g = await world.login(guardian)
    assert [u["name"] for u in (await g.get("/api/v1/units")).json()] == ["实验小学"]
    a = await world.login(admin)
    assert sorted(u["name"] for u in (await a.get("/api/v1/units")).json()) == [
        "云帆科技",
        "实验小学",
    ]
