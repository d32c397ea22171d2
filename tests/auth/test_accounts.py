"""Sessions, CSRF, tokens, password changes, resets, deactivation and throttling."""

from __future__ import annotations

import httpx
import pytest

from bellwork.config import get_settings
from tests.conftest import PASSWORD, World, make_client


async def test_csrf_is_required_for_cookie_writes(world: World) -> None:
    admin = await world.person("管理员", username="admin", is_admin=True)
    c = await world.login(admin)
    token = c.headers.pop("x-csrf-token")
    r = await c.post("/api/v1/units", json={"kind": "school", "name": "一中"})
    assert r.status_code == 403
    assert r.json()["code"] == "csrf_failed"
    r = await c.post(
        "/api/v1/units", json={"kind": "school", "name": "一中"}, headers={"x-csrf-token": "wrong"}
    )
    assert r.status_code == 403
    r = await c.post(
        "/api/v1/units", json={"kind": "school", "name": "一中"}, headers={"x-csrf-token": token}
    )
    assert r.status_code == 201
    # Reads need no CSRF token.
    assert (await c.get("/api/v1/units")).status_code == 200


async def test_session_cookie_is_httponly(world: World) -> None:
    await world.person("甲", username="jia")
    await world.commit()
    async with make_client(world.app) as c:
        r = await c.post("/api/v1/auth/login", json={"login": "jia", "password": PASSWORD})
        cookies = r.headers.get_list("set-cookie")
        session = next(x for x in cookies if x.startswith("bw_session="))
        csrf = next(x for x in cookies if x.startswith("bw_csrf="))
        assert "HttpOnly" in session and "SameSite=lax" in session
        assert "HttpOnly" not in csrf


async def test_unauthenticated_gets_401(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/v1/people")
    assert r.status_code == 401
    assert r.json()["code"] == "not_authenticated"


async def test_logout_and_logout_everywhere(world: World) -> None:
    p = await world.person("乙", username="yi")
    a = await world.login(p)
    b = await world.login(p)
    r = await a.post("/api/v1/auth/logout")
    assert r.status_code == 200
    assert (await a.get("/api/v1/auth/me")).status_code == 401
    assert (await b.get("/api/v1/auth/me")).status_code == 200
    c = await world.login(p)
    r = await c.post("/api/v1/auth/logout-all")
    assert r.json()["ended_sessions"] == 2
    assert (await b.get("/api/v1/auth/me")).status_code == 401
    assert (await c.get("/api/v1/auth/me")).status_code == 401


async def test_tokens_shown_once_hashed_and_revocable(world: World) -> None:
    p = await world.person("丙", username="bing")
    c = await world.login(p)
    r = await c.post("/api/v1/tokens", json={"name": "nightly sync"})
    assert r.status_code == 201
    raw = r.json()["token"]
    assert raw.startswith("bw_")
    listed = (await c.get("/api/v1/tokens")).json()
    assert [t["name"] for t in listed] == ["nightly sync"]
    assert "token" not in listed[0]
    from sqlalchemy import select

    from bellwork.auth.models import ApiToken

    stored = (await world.db.execute(select(ApiToken.token_hash))).scalars().all()
    assert raw not in stored and len(stored[0]) == 64
    async with make_client(world.app) as script:
        auth = {"authorization": f"Bearer {raw}"}
        me = await script.get("/api/v1/auth/me", headers=auth)
        assert me.json()["name"] == "丙"
        # Bearer tokens need no CSRF header for writes.
        r = await script.post("/api/v1/tokens", json={"name": "second"}, headers=auth)
        assert r.status_code == 201
        r = await c.delete(f"/api/v1/tokens/{listed[0]['id']}")
        assert r.status_code == 204
        assert (await script.get("/api/v1/auth/me", headers=auth)).status_code == 401
        bad = await script.get("/api/v1/auth/me", headers={"authorization": "Bearer bw_nope"})
        assert bad.status_code == 401


async def test_cannot_revoke_someone_elses_token(world: World) -> None:
    a = await world.person("丁", username="ding")
    b = await world.person("戊", username="wu")
    ca = await world.login(a)
    cb = await world.login(b)
    tid = (await ca.post("/api/v1/tokens", json={"name": "x"})).json()["id"]
    r = await cb.delete(f"/api/v1/tokens/{tid}")
    assert r.status_code == 404


async def test_password_change_ends_other_sessions(world: World) -> None:
    p = await world.person("己", username="ji")
    a = await world.login(p)
    b = await world.login(p)
    r = await a.post(
        "/api/v1/auth/password",
        json={"current_password": "wrong-one", "new_password": "new-password-1"},
    )
    assert r.status_code == 422 and r.json()["code"] == "wrong_password"
    r = await a.post(
        "/api/v1/auth/password", json={"current_password": PASSWORD, "new_password": "short"}
    )
    assert r.status_code == 422 and r.json()["code"] == "weak_password"
    r = await a.post(
        "/api/v1/auth/password",
        json={"current_password": PASSWORD, "new_password": "new-password-1"},
    )
    assert r.status_code == 200
    assert (await a.get("/api/v1/auth/me")).status_code == 200
    assert (await b.get("/api/v1/auth/me")).status_code == 401
    async with make_client(world.app) as c:
        r = await c.post("/api/v1/auth/login", json={"login": "ji", "password": PASSWORD})
        assert r.status_code == 401
        r = await c.post("/api/v1/auth/login", json={"login": "ji", "password": "new-password-1"})
        assert r.status_code == 200


async def test_admin_reset_forces_change_at_next_login(world: World) -> None:
    admin = await world.person("管理员", username="admin", is_admin=True)
    school = await world.unit("一中")
    p = await world.person("庚", (school, "teacher"), username="geng")
    old_session = await world.login(p)
    ca = await world.login(admin)
    r = await ca.post(f"/api/v1/people/{p.id}/reset-password")
    assert r.status_code == 200
    temp = r.json()["temporary_password"]
    assert len(temp) >= 10
    assert (await old_session.get("/api/v1/auth/me")).status_code == 401
    c = await world.login(p, password=temp)
    me = (await c.get("/api/v1/auth/me")).json()
    assert me["must_change_password"] is True
    r = await c.get("/api/v1/people")
    assert r.status_code == 403 and r.json()["code"] == "password_change_required"
    r = await c.post(
        "/api/v1/auth/password", json={"current_password": temp, "new_password": "my-own-secret"}
    )
    assert r.status_code == 200
    assert (await c.get("/api/v1/people")).status_code == 200


async def test_deactivated_person_cannot_log_in_and_is_logged_out(world: World) -> None:
    admin = await world.person("管理员", username="admin", is_admin=True)
    school = await world.unit("一中")
    p = await world.person("辛", (school, "teacher"), username="xin")
    session = await world.login(p)
    ca = await world.login(admin)
    r = await ca.post(f"/api/v1/people/{p.id}/deactivate")
    assert r.status_code == 200 and r.json()["active"] is False
    assert (await session.get("/api/v1/auth/me")).status_code == 401
    async with make_client(world.app) as c:
        r = await c.post("/api/v1/auth/login", json={"login": "xin", "password": PASSWORD})
        assert r.status_code == 403
        assert r.json()["code"] == "account_deactivated"
    # History stays: the person is still there for admins, marked inactive.
    detail = (await ca.get(f"/api/v1/people/{p.id}")).json()
    assert detail["active"] is False and detail["memberships"]
    listed = (await ca.get("/api/v1/people", params={"include_inactive": True})).json()
    assert p.id in [x["id"] for x in listed["items"]]
    listed = (await ca.get("/api/v1/people")).json()
    assert p.id not in [x["id"] for x in listed["items"]]
    r = await ca.post(f"/api/v1/people/{p.id}/reactivate")
    assert r.json()["active"] is True
    await world.login(p)


async def test_admin_cannot_deactivate_self(world: World) -> None:
    admin = await world.person("管理员", username="admin", is_admin=True)
    ca = await world.login(admin)
    r = await ca.post(f"/api/v1/people/{admin.id}/deactivate")
    assert r.status_code == 403
    assert r.json()["code"] == "cannot_deactivate_self"


async def test_throttling_per_account(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    await world.person("壬", username="ren")
    await world.commit()
    limit = get_settings().login_max_failures_account
    async with make_client(world.app) as c:
        for _ in range(limit):
            r = await c.post("/api/v1/auth/login", json={"login": "ren", "password": "bad"})
            assert r.status_code == 401
        # Even the right password is refused now, with a clear message and Retry-After.
        r = await c.post("/api/v1/auth/login", json={"login": "ren", "password": PASSWORD})
        assert r.status_code == 429
        assert r.json()["code"] == "login_throttled"
        assert "Try again in" in r.json()["title"]
        assert int(r.headers["retry-after"]) > 0
        r = await c.post(
            "/api/v1/auth/login",
            json={"login": "ren", "password": PASSWORD},
            headers={"accept-language": "zh-CN"},
        )
        assert "分钟后再试" in r.json()["title"]


async def test_throttling_counts_the_account_whatever_form_the_login_took(world: World) -> None:
    """Failures for `engineer` also hold its phone and email back, and every spelling of the
    phone (+86, dashes, spaces, full-width digits) is one account with one count."""
    await world.person("工程师", username="engineer", phone="13912345678", email="e@example.com")
    await world.commit()
    limit = get_settings().login_max_failures_account
    forms = ["engineer", "+86 139 1234 5678", "139-1234-5678", "ENGINEER", "１３９１２３４５６７８"]
    async with make_client(world.app) as c:
        for i in range(limit):
            r = await c.post(
                "/api/v1/auth/login", json={"login": forms[i % len(forms)], "password": "bad"}
            )
            assert r.status_code == 401, r.text
        for login in ("13912345678", "e@example.com", "0086 13912345678", "Engineer"):
            r = await c.post("/api/v1/auth/login", json={"login": login, "password": PASSWORD})
            assert r.status_code == 429, (login, r.text)
            assert r.json()["code"] == "login_throttled"


async def test_any_spelling_of_a_phone_logs_in(world: World) -> None:
    await world.person("戊", phone="13912345679")
    await world.commit()
    async with make_client(world.app) as c:
        for login in (
            "+86 139 1234 5679",
            "139-1234-5679",
            "１３９１２３４５６７９",
            "(139) 1234 5679",
        ):
            r = await c.post("/api/v1/auth/login", json={"login": login, "password": PASSWORD})
            assert r.status_code == 200, (login, r.text)


async def test_failures_for_unknown_logins_are_counted_per_normalised_login(world: World) -> None:
    limit = get_settings().login_max_failures_account
    async with make_client(world.app) as c:
        for i in range(limit):
            login = "Nobody" if i % 2 else "  nobody "
            r = await c.post("/api/v1/auth/login", json={"login": login, "password": "bad"})
            assert r.status_code == 401
        r = await c.post("/api/v1/auth/login", json={"login": "NOBODY", "password": "bad"})
        assert r.status_code == 429


async def test_throttling_per_address(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    await world.person("癸", username="gui")
    await world.commit()
    monkeypatch.setattr(get_settings(), "login_max_failures_address", 3)
    async with make_client(world.app) as c:
        for i in range(3):
            r = await c.post("/api/v1/auth/login", json={"login": f"x{i}", "password": "bad"})
            assert r.status_code == 401
        # Another account from the same address is refused too.
        r = await c.post("/api/v1/auth/login", json={"login": "gui", "password": PASSWORD})
        assert r.status_code == 429


async def test_successful_login_clears_account_failures(world: World) -> None:
    await world.person("子", username="zi")
    await world.commit()
    limit = get_settings().login_max_failures_account
    async with make_client(world.app) as c:
        for _ in range(limit - 1):
            await c.post("/api/v1/auth/login", json={"login": "zi", "password": "bad"})
        r = await c.post("/api/v1/auth/login", json={"login": "zi", "password": PASSWORD})
        assert r.status_code == 200
        for _ in range(limit - 1):
            r = await c.post("/api/v1/auth/login", json={"login": "zi", "password": "bad"})
            assert r.status_code == 401


async def test_person_without_password_cannot_log_in(world: World) -> None:
    school = await world.unit("一中")
    await world.person(
        "丑", (school, "student"), password=None, student_number="S1", username="chou"
    )
    await world.commit()
    async with make_client(world.app) as c:
        r = await c.post("/api/v1/auth/login", json={"login": "chou", "password": ""})
        assert r.status_code == 422
        r = await c.post("/api/v1/auth/login", json={"login": "chou", "password": "anything"})
        assert r.status_code == 401
