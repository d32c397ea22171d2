from __future__ import annotations

import httpx

from tests.conftest import PASSWORD, World, make_client


async def test_login_by_username_phone_and_email(world: World) -> None:
    p = await world.person("张伟", username="zhangwei", phone="13800000001", email="zw@example.com")
    await world.commit()
    for login in ("zhangwei", "ZhangWei", "13800000001", "+86 138-0000-0001", "ZW@example.com"):
        async with make_client(world.app) as client:
            r = await client.post("/api/v1/auth/login", json={"login": login, "password": PASSWORD})
            assert r.status_code == 200, (login, r.text)
            body = r.json()
            assert body["person"]["id"] == p.id
            assert r.cookies.get("bw_session")
            me = await client.get("/api/v1/auth/me")
            assert me.json()["name"] == "张伟"


async def test_wrong_password_is_a_clear_401(world: World, client: httpx.AsyncClient) -> None:
    await world.person("李娜", username="lina")
    await world.commit()
    r = await client.post("/api/v1/auth/login", json={"login": "lina", "password": "nope"})
    assert r.status_code == 401
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"] == "invalid_credentials"
    assert r.json()["title"] == "Wrong login or password."
    r = await client.post(
        "/api/v1/auth/login",
        json={"login": "nobody", "password": "x"},
        headers={"accept-language": "zh-CN"},
    )
    assert r.json()["title"] == "账号或密码错误。"
