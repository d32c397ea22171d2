"""扫码登录: a desktop shows a QR code, a signed-in phone approves it, the desktop is logged in.
Only the browser that asked can take the session; a code works once and for two minutes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import update

from bellwork.auth.models import QrLogin
from bellwork.db.base import utcnow
from tests.conftest import World, make_client


async def test_a_phone_logs_the_desktop_in(world: World) -> None:
    school = await world.unit("实验小学")
    teacher = await world.person("王老师", (school, "teacher"), username="teacher")
    phone = await world.login(teacher)
    desktop = make_client(world.app)
    desktop.headers["user-agent"] = "Mozilla/5.0 (Windows NT 10.0) Chrome/131.0"

    r = await desktop.post("/api/v1/auth/qr")
    assert r.status_code == 200, r.text
    started = r.json()
    code, secret = started["code"], started["secret"]
    assert code != secret and started["poll_seconds"] == 2

    async def poll(client: Any = desktop) -> dict[str, Any]:
        r = await client.post("/api/v1/auth/qr/poll", json={"secret": secret})
        assert r.status_code == 200, r.text
        return dict(r.json())

    assert (await poll())["state"] == "waiting"
    seen = (await phone.get(f"/api/v1/auth/qr/{code}")).json()
    assert seen["state"] == "scanned" and "Windows" in seen["user_agent"]
    assert (await poll())["state"] == "scanned"

    # Someone who read the code off the screen cannot take the session: polling needs the
    # secret, and the code is not it.
    stranger = make_client(world.app)
    r = await stranger.post("/api/v1/auth/qr/poll", json={"secret": code})
    assert r.status_code == 404

    r = await phone.post(f"/api/v1/auth/qr/{code}/approve")
    assert r.status_code == 200 and r.json()["state"] == "approved"
    done = await poll()
    assert done["state"] == "approved" and done["login"]["person"]["name"] == "王老师"
    desktop.headers["x-csrf-token"] = done["login"]["csrf_token"]
    me = await desktop.get("/api/v1/auth/me")
    assert me.status_code == 200 and me.json()["id"] == teacher.id

    # Spent: no second session from the same request, and the phone cannot approve it again.
    assert (await poll())["state"] == "used"
    r = await phone.post(f"/api/v1/auth/qr/{code}/approve", headers={"accept-language": "zh-CN"})
    assert r.status_code == 409 and r.json()["code"] == "qr_login_ended"
    assert r.json()["title"] == "此二维码已过期或已被使用，请在电脑上刷新二维码。"


async def test_refused_and_expired_requests_give_nothing(world: World) -> None:
    school = await world.unit("实验小学")
    teacher = await world.person("王老师", (school, "teacher"), username="teacher")
    phone = await world.login(teacher)
    desktop = make_client(world.app)

    first = (await desktop.post("/api/v1/auth/qr")).json()
    r = await phone.post(f"/api/v1/auth/qr/{first['code']}/refuse")
    assert r.json()["state"] == "refused"
    r = await desktop.post("/api/v1/auth/qr/poll", json={"secret": first["secret"]})
    assert r.json() == {"state": "refused", "login": None}
    assert (await desktop.get("/api/v1/auth/me")).status_code == 401

    second = (await desktop.post("/api/v1/auth/qr")).json()
    await world.db.execute(update(QrLogin).values(expires_at=utcnow() - timedelta(seconds=1)))
    await world.db.commit()
    r = await phone.post(
        f"/api/v1/auth/qr/{second['code']}/approve", headers={"accept-language": "en"}
    )
    assert r.status_code == 409
    assert (
        r.json()["title"]
        == "This QR code has expired or was already used. Show a new one on the computer."
    )
    r = await desktop.post("/api/v1/auth/qr/poll", json={"secret": second["secret"]})
    assert r.json()["state"] == "expired"


async def test_scanning_needs_a_signed_in_person_and_a_well_formed_code(world: World) -> None:
    desktop = make_client(world.app)
    code = (await desktop.post("/api/v1/auth/qr")).json()["code"]
    assert (await make_client(world.app).get(f"/api/v1/auth/qr/{code}")).status_code == 401
    school = await world.unit("实验小学")
    teacher = await world.person("王老师", (school, "teacher"), username="teacher")
    phone = await world.login(teacher)
    r = await phone.get("/api/v1/auth/qr/not-a-code-that-exists")
    assert r.status_code == 404
    r = await phone.get("/api/v1/auth/qr/bad code!")
    assert r.status_code == 422
    r = await desktop.post("/api/v1/auth/qr/poll", json={"secret": ""})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "secret"


async def test_a_person_who_must_change_their_password_cannot_approve(world: World) -> None:
    school = await world.unit("实验小学")
    teacher = await world.person(
        "王老师", (school, "teacher"), username="teacher", must_change_password=True
    )
    phone = await world.login(teacher)
    code = (await make_client(world.app).post("/api/v1/auth/qr")).json()["code"]
    r = await phone.post(f"/api/v1/auth/qr/{code}/approve")
    assert r.status_code == 403 and r.json()["code"] == "password_change_required"


async def test_one_address_cannot_hold_more_than_twenty_codes(world: World) -> None:
    desktop = make_client(world.app)
    for _ in range(20):
        assert (await desktop.post("/api/v1/auth/qr")).status_code == 200
    r = await desktop.post("/api/v1/auth/qr")
    assert r.status_code == 429 and r.json()["code"] == "qr_login_busy"
