"""Directory ranking: among the matches of a query, the name or its common reading first, then
identifiers (username, phone …), then rare readings of polyphonic characters — in every query
shape (small scope, rare prefix, common prefix walk) and across pages."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conftest import World

# For "zs": the common readings in pinyin order (曾 is zeng as a surname), then a username,
# then those matching only by a rare reading: 丁松 (丁 as zheng), 董三 (董 as zhong).
EXPECTED = ["曾森", "张三", "赵四", "周山", "史密斯", "丁松", "董三"]


async def arrange(world: World) -> dict[str, Any]:
    admin = await world.person("管理员", username="admin", is_admin=True)
    school = await world.unit("实验小学", "school")
    klass = await world.unit("1班", "class", school)
    head = await world.person("校长", (school, "head"), username="head")
    teacher = await world.person("老师", (klass, "teacher"), username="t")
    for name in ("董三", "张三", "赵四", "曾森", "周山", "丁松", "王五"):
        await world.person(name, (klass, "student"))
    await world.person("史密斯", (klass, "student"), username="zsmith")
    return {"admin": admin, "head": head, "teacher": teacher}


async def names(c: httpx.AsyncClient, q: str, limit: int) -> list[str]:
    got: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"q": q, "limit": limit}
        if cursor:
            params["cursor"] = cursor
        r = await c.get("/api/v1/people", params=params)
        assert r.status_code == 200, r.text
        got += [x["name"] for x in r.json()["items"]]
        cursor = r.json()["next_cursor"]
        if not cursor:
            return got


@pytest.mark.parametrize("common_prefix", [1, 10_000])
async def test_common_readings_before_identifiers_before_rare_readings(
    world: World, monkeypatch: pytest.MonkeyPatch, common_prefix: int
) -> None:
    from bellwork.org import directory

    # 1: every prefix is "common" (big scopes walk the directory, then the rest); 10,000: none is.
    monkeypatch.setattr(directory, "COMMON_PREFIX", common_prefix)
    w = await arrange(world)
    for who in ("admin", "head", "teacher"):  # a big scope, a head, a small scope
        c = await world.login(w[who])
        for limit in (50, 2, 1):
            assert await names(c, "zs", limit) == EXPECTED, (who, limit)
        assert await names(c, "zengsen", 50) == ["曾森"]
        assert await names(c, "cs", 50) == ["曾森"]  # ceng: still found, by its rare reading
        assert await names(c, "zhongsan", 50) == ["董三"]
        assert await names(c, "dongsan", 50) == ["董三"]
        # 校长 (xiao zhang) matches "z" too, for those who see the head.
        head = ["校长"] if who != "teacher" else []
        assert await names(c, "z", 3) == [*head, *EXPECTED]


async def test_cursor_shapes_are_checked(world: World) -> None:
    w = await arrange(world)
    c = await world.login(w["admin"])
    browse = (await c.get("/api/v1/people", params={"limit": 1})).json()["next_cursor"]
    r = await c.get("/api/v1/people", params={"q": "zs", "cursor": browse})
    assert r.status_code == 422 and r.json()["code"] == "bad_cursor"
    ranked = (await c.get("/api/v1/people", params={"q": "zs", "limit": 1})).json()["next_cursor"]
    r = await c.get("/api/v1/people", params={"cursor": ranked})
    assert r.status_code == 422 and r.json()["code"] == "bad_cursor"


async def test_keys_written_by_the_api_carry_their_ranks(world: World) -> None:
    w = await arrange(world)
    c = await world.login(w["admin"])
    r = await c.post("/api/v1/people", json={"name": "董事", "username": "zsx"})
    assert r.status_code == 201
    # Renamed: the keys follow the new name (董事 → 曾事, zeng as a surname).
    pid = r.json()["id"]
    await c.patch(f"/api/v1/people/{pid}", json={"name": "曾事"})
    got = await names(c, "zs", 50)
    assert got[:2] == ["曾森", "曾事"] and got.index("董三") > got.index("史密斯")
