"""Health, readiness, metrics, the OpenAPI document and error shapes."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import World


async def test_health_and_ready(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    r = await client.get("/readyz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}


async def test_metrics_count_requests_by_route(world: World) -> None:
    admin = await world.person("管理员", username="admin", is_admin=True)
    c = await world.login(admin)
    await c.get("/api/v1/units")
    text = (await c.get("/metrics")).text
    assert 'bellwork_http_requests_total{method="GET",route="/api/v1/units",status="200"}' in text
    assert "bellwork_http_request_seconds_bucket" in text


def _from(app: Any, address: str, **headers: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=(address, 40000)),
        base_url="http://testserver",
        headers={"accept-language": "zh-CN", **headers},
    )


async def test_metrics_are_not_open_to_everyone(app: Any, monkeypatch: Any) -> None:
    """Local addresses read the metrics; others need the configured token; a request that came
    through a proxy is never taken for a local one."""
    settings = app.state.settings
    async with _from(app, "203.0.113.9") as outside:
        r = await outside.get("/metrics")
        assert r.status_code == 403
        assert r.json()["code"] == "metrics_forbidden"
        assert "监控令牌" in r.json()["title"]
    async with _from(app, "127.0.0.1", **{"x-forwarded-for": "203.0.113.9"}) as proxied:
        assert (await proxied.get("/metrics")).status_code == 403
    async with _from(app, "::1") as local6:
        assert (await local6.get("/metrics")).status_code == 200
    monkeypatch.setattr(settings, "metrics_token", "s3cret-metrics")
    async with _from(app, "203.0.113.9", authorization="Bearer s3cret-metrics") as scraper:
        r = await scraper.get("/metrics")
        assert r.status_code == 200 and "bellwork_http_requests_total" in r.text
    async with _from(app, "127.0.0.1", authorization="Bearer wrong") as wrong:
        assert (await wrong.get("/metrics")).status_code == 403
    monkeypatch.setattr(settings, "metrics_allow", "")
    async with _from(app, "127.0.0.1") as local:
        assert (await local.get("/metrics")).status_code == 403


def test_metrics_networks_are_checked_at_start() -> None:
    import pytest
    from pydantic import ValidationError

    from bellwork.config import Settings

    with pytest.raises(ValidationError):
        Settings(metrics_allow="10.0.0.0/8,not-a-network")
    assert Settings(metrics_allow="10.0.0.0/8, ::1").metrics_allow


async def test_openapi_and_docs(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/api/openapi.json")).json()
    assert spec["info"]["title"] == "Bellwork API"
    for path in (
        "/api/v1/auth/login",
        "/api/v1/units/{unit_id}/move",
        "/api/v1/people",
        "/api/v1/imports",
        "/api/v1/audit",
        "/api/v1/tokens",
    ):
        assert path in spec["paths"], path
    assert (await client.get("/api/docs")).status_code == 200


async def test_unknown_api_path_is_problem_json(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/v1/nothing-here")
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["code"] == "not_found"


async def test_malformed_json_body_is_a_422_not_a_crash(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/api/v1/auth/login", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert r.status_code == 422
    assert r.json()["code"] == "validation_failed"


async def test_changes_are_committed_before_the_answer_is_sent(world: World) -> None:
    """The framework owns the transaction: commit first, then answer (never the reverse)."""
    from sqlalchemy.ext.asyncio import AsyncSession

    events: list[str] = []
    original_commit = AsyncSession.commit

    async def commit(self: AsyncSession) -> None:
        await original_commit(self)
        events.append("commit")

    admin = await world.person("管理员", username="admin", is_admin=True)
    c = await world.login(admin)
    inner = world.app

    async def recording_app(scope, receive, send):  # type: ignore[no-untyped-def]
        async def recording_send(message):  # type: ignore[no-untyped-def]
            if message["type"] == "http.response.start":
                events.append("answer")
            await send(message)

        await inner(scope, receive, recording_send)

    import pytest

    mp = pytest.MonkeyPatch()
    mp.setattr(AsyncSession, "commit", commit)
    try:
        c._transport = httpx.ASGITransport(app=recording_app)  # type: ignore[attr-defined]
        r = await c.post("/api/v1/units", json={"name": "一中", "kind": "school"})
    finally:
        mp.undo()
    assert r.status_code == 201
    assert events[-2:] == ["commit", "answer"]


async def test_nul_characters_are_refused_before_anything_runs(world: World) -> None:
    """PostgreSQL cannot store U+0000; SQLite could. Both answer 422 and change nothing."""
    s = await world.unit("实验小学", "school")
    admin = await world.person("管理员", username="admin", is_admin=True)
    c = await world.login(admin)
    for r in (
        await c.patch(f"/api/v1/units/{s.id}", json={"name": "实验\u0000小学"}),
        await c.get("/api/v1/people", params={"q": "a\u0000"}),
        await c.post("/api/v1/conversations/groups", json={"name": "x\u0000", "member_ids": []}),
    ):
        assert r.status_code == 422, r.text
        problem = r.json()
        assert problem["code"] == "validation_failed"
        assert problem["errors"][0]["type"] == "nul_character"
        assert "U+0000" in problem["errors"][0]["message"]
    assert (await c.get(f"/api/v1/units/{s.id}")).json()["name"] == "实验小学"
    # A backslash followed by "u0000" is ordinary text.
    r = await c.patch(f"/api/v1/units/{s.id}", json={"name": "实验小学 \\u0000"})
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "实验小学 \\u0000"


async def test_field_errors_name_the_field_in_the_users_language(world: World) -> None:
    admin = await world.person("管理员", username="admin", is_admin=True)
    c = await world.login(admin)
    g = (await c.post("/api/v1/conversations/groups", json={"name": "A"})).json()["id"]
    r = await c.post(
        f"/api/v1/conversations/{g}/messages",
        json={"client_msg_id": "x", "body": "长" * 5001},
        headers={"accept-language": "zh-CN"},
    )
    assert r.status_code == 422
    assert r.json()["errors"] == [
        {"field": "body", "message": "最多 5000 个字符。", "type": "string_too_long"}
    ]
    r = await c.post(
        "/api/v1/conversations/groups",
        json={"name": "  ", "member_ids": []},
        headers={"accept-language": "en"},
    )
    assert r.status_code == 422
    assert r.json()["errors"] == [
        {"field": "name", "message": "Must not be empty.", "type": "value_error"}
    ]


async def test_server_errors_speak_the_users_language(app: Any) -> None:
    async def boom() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/api/v1/test-boom", boom)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        en = await c.get("/api/v1/test-boom", headers={"accept-language": "en"})
        zh = await c.get("/api/v1/test-boom", headers={"cookie": "bw_lang=zh-CN"})
    assert en.status_code == 500 and en.json()["code"] == "internal_error"
    assert en.json()["title"] == "Something went wrong on the server."
    assert zh.json()["title"] == "服务器出错了。"


async def test_field_errors_of_unions_and_bodies_that_are_not_json(world: World) -> None:
    admin = await world.person("管理员", username="admin", is_admin=True)
    c = await world.login(admin)
    g = (await c.post("/api/v1/conversations/groups", json={"name": "A"})).json()["id"]
    r = await c.post(
        f"/api/v1/conversations/{g}/messages",
        json={"client_msg_id": "x", "body": "a", "mentions": [1.5]},
    )
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["errors"]} == {"mentions.0"}
    r = await c.post(
        f"/api/v1/conversations/{g}/messages",
        content=b'{"client_msg_id": "x", "body": "\\xff\\xfe"}'.replace(b"\\xff\\xfe", b"\xff\xfe"),
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "validation_failed"


async def test_json_bodies_that_slip_past_a_naive_check(world: World) -> None:
    """Upper-case content types, UTF-16 bodies and oversized bodies are refused up front; a NUL
    in an uploaded file's name is dropped from the name."""
    s = await world.unit("实验小学", "school")
    admin = await world.person("管理员", username="admin", is_admin=True)
    c = await world.login(admin)
    body = '{"name": "x\\u0000"}'
    r = await c.patch(
        f"/api/v1/units/{s.id}", content=body, headers={"content-type": "Application/JSON"}
    )
    assert r.status_code == 422 and r.json()["errors"][0]["type"] == "nul_character"
    r = await c.patch(
        f"/api/v1/units/{s.id}",
        content=body.encode("utf-16"),
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 422 and r.json()["errors"][0]["type"] == "json_invalid"
    r = await c.patch(f"/api/v1/units/{s.id}", json={"name": "x" * (1024 * 1024 + 1)})
    assert r.status_code == 413 and r.json()["code"] == "body_too_large"
    assert (await c.get(f"/api/v1/units/{s.id}")).json()["name"] == "实验小学"
    conv = (await c.post("/api/v1/conversations/devices")).json()["id"]
    # Written by hand: httpx would percent-encode the NUL in the file name.
    multipart = (
        b"--b\r\n"
        b'Content-Disposition: form-data; name="file"; filename="'
        + "课\x00表.pdf".encode()
        + b'"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4 test\r\n--b--\r\n'
    )
    r = await c.post(
        f"/api/v1/conversations/{conv}/files",
        content=multipart,
        headers={"content-type": "multipart/form-data; boundary=b"},
    )
    # A control character in a file name is refused with a reason (issue 8), not stored.
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "file_name_invalid"
